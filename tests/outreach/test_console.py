"""The console's "Compose message" (on the customer page) and "Post to social" through HTTP."""

from django.core import mail
from django.test import Client

from shopfloor.outreach.models import OutreachMessage


def console(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_compose_sends_to_a_customer_who_agreed(world, opted_in, run_tasks):
    response = console(world.ana.user).post(f"/console/customers/{opted_in.pk}/message/", {
        "channel": "email", "subject": "Your fitting", "body": "Hello {{first_name}}",
    }, follow=True)
    assert response.redirect_chain[-1][0] == f"/console/customers/{opted_in.pk}/#compose"
    assert "Email sent to Alice Almeida." in response.content.decode()
    run_tasks()
    assert [m.body.splitlines()[0] for m in mail.outbox] == ["Hello Alice"]


def test_compose_without_consent_says_why_and_sends_nothing(world, run_tasks):
    response = console(world.ana.user).post(f"/console/customers/{world.anas_customer.pk}/message/", {
        "channel": "email", "body": "Sale!",
    }, follow=True)
    assert "Not sent: Alice Almeida: no consent to marketing emails." in response.content.decode()
    run_tasks()
    assert mail.outbox == [] and OutreachMessage.objects.count() == 0


def test_compose_to_a_hidden_customer_is_404(world, opted_in):
    response = console(world.bruno.user).post(f"/console/customers/{opted_in.pk}/message/", {
        "channel": "email", "body": "Hi",
    })
    assert response.status_code == 404
    assert OutreachMessage.objects.count() == 0


def test_a_transactional_template_goes_from_the_console_without_consent(world, order_ready, run_tasks):
    response = console(world.ana.user).post(f"/console/customers/{world.anas_customer.pk}/message/", {
        "channel": "email", "template": str(order_ready.pk), "body": "",
    }, follow=True)
    assert "Email sent to Alice Almeida." in response.content.decode()
    run_tasks()
    assert mail.outbox[0].subject == "Your order is ready, Alice"


def test_post_to_social_in_associate_mode_carries_the_associates_referral(world, catalog):
    page = console(world.ana.user).get("/console/social/?sku=LGT-1").content.decode()
    link = f"http://testserver/r/{world.ana.referral_code}?next=/shop/products/LGT-1/"
    assert f"Alfama table lamp, one of my favourites at North Store. Ask me anything! Ana Pop {link}" in page
    assert "Sales through this link are credited to you." in page


def test_post_to_social_in_team_mode_speaks_for_the_store(world):
    page = console(world.tina.user).get("/console/social/").content.decode()
    assert f"http://testserver/r/{world.tina.referral_code}" in page
    assert "Discover what is new at South Store. Our team is here to help: http://testserver/r/" in page
    assert "Sales through this link are credited to South Store." in page


def test_the_social_link_leads_to_the_shop_with_the_referral(world, catalog):
    client = Client()
    response = client.get(f"/r/{world.ana.referral_code}?next=/shop/products/LGT-1/")
    assert response["Location"] == "/shop/products/LGT-1/"
    assert client.cookies["shopfloor_referral"].value
