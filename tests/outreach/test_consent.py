"""Consent: no marketing message without the customer's opt-in (409, nothing sent or recorded); the
unsubscribe link of every marketing email turns consent off; transactional messages still go."""

import pytest
from django.core import mail
from django.test import Client

from shopfloor import sms
from shopfloor.outreach.models import OutreachMessage


def send(api, **payload):
    return api.post("/api/v1/outreach", payload, content_type="application/json")


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_no_marketing_message_without_the_opt_in(world, api_as, channel, run_tasks):
    customer = world.anas_customer
    customer.phone = "+351912345678"
    customer.save()
    response = send(api_as(world.ana.user), customer_id=customer.pk, channel=channel, body="Our summer sale")
    assert response.status_code == 409
    assert "consent" in response.json()["detail"]
    run_tasks()
    assert mail.outbox == [] and sms.outbox == []
    assert OutreachMessage.objects.count() == 0


def test_a_marketing_email_to_a_customer_who_agreed_goes_with_a_one_click_unsubscribe(world, api_as, opted_in,
                                                                                      run_tasks):
    api = api_as(world.ana.user)
    response = send(api, customer_id=opted_in.pk, channel="email",
                    subject="For you, {{first_name}}", body="Hello {{first_name}}, {{associate_name}} here.")
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["purpose"], body["to"]) == ("queued", "marketing", opted_in.email)
    run_tasks()
    [delivered] = api.get(f"/api/v1/outreach?customer_id={opted_in.pk}").json()["items"]
    assert (delivered["id"], delivered["status"], delivered["error"]) == (body["id"], "sent", "")
    [email] = mail.outbox
    assert email.subject == "For you, Alice"
    assert email.body.startswith("Hello Alice, Ana Pop here.")
    assert email.reply_to == ["ana@example.com"]
    message = OutreachMessage.objects.get()
    url = f"http://testserver/o/unsubscribe/{message.unsubscribe_token}"
    assert email.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Unsubscribe: {url}" in email.body


def test_the_unsubscribe_link_asks_then_turns_consent_off(world, api_as, opted_in, run_tasks):
    send(api_as(world.ana.user), customer_id=opted_in.pk, channel="email", body="News")
    run_tasks()
    [email] = mail.outbox
    link = next(line.split(": ", 1)[1] for line in email.body.splitlines() if line.startswith("Unsubscribe: "))
    path = link.replace("http://testserver", "")
    shopper = Client(enforce_csrf_checks=True)
    # Opening the link (or a mail scanner following it) changes nothing yet.
    page = shopper.get(path)
    assert page.status_code == 200
    assert "Unsubscribe from marketing emails?" in page.content.decode()
    opted_in.refresh_from_db()
    assert opted_in.email_opt_in
    done = shopper.post(path)
    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    opted_in.refresh_from_db()
    assert not opted_in.email_opt_in
    assert opted_in.sms_opt_in  # only email consent is withdrawn by an email's link
    assert OutreachMessage.objects.get().unsubscribed_at is not None

    # The next marketing email is refused; nothing more is sent.
    assert send(api_as(world.ana.user), customer_id=opted_in.pk, channel="email", body="More news").status_code == 409
    run_tasks()
    assert len(mail.outbox) == 1


def test_a_mail_clients_one_click_post_unsubscribes(world, api_as, opted_in, run_tasks):
    send(api_as(world.ana.user), customer_id=opted_in.pk, channel="email", body="News")
    run_tasks()
    header = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    response = Client(enforce_csrf_checks=True).post(
        header.replace("http://testserver", ""), "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    opted_in.refresh_from_db()
    assert not opted_in.email_opt_in


@pytest.mark.parametrize("token", ["not-a-real-token", "%00", "A" * 300])
def test_an_unknown_unsubscribe_link_is_a_clear_page(world, token):
    response = Client().post(f"/o/unsubscribe/{token}")
    assert response.status_code == 404
    assert "could not find this link" in response.content.decode()


def test_transactional_messages_still_go_without_consent_and_carry_no_unsubscribe(world, api_as, order_ready,
                                                                                  run_tasks):
    customer = world.anas_customer
    assert not customer.email_opt_in
    response = send(api_as(world.ana.user), customer_id=customer.pk, channel="email", template_id=order_ready.pk)
    assert response.status_code == 201
    assert response.json()["purpose"] == "transactional"
    run_tasks()
    [email] = mail.outbox
    assert email.subject == "Your order is ready, Alice"
    assert email.body == "Hello Alice, your order is ready for collection. Ana Pop"
    assert "List-Unsubscribe" not in email.extra_headers


def test_transactional_messages_go_after_an_unsubscribe(world, api_as, opted_in, order_ready, run_tasks):
    api = api_as(world.ana.user)
    send(api, customer_id=opted_in.pk, channel="email", body="News")
    run_tasks()
    message = OutreachMessage.objects.get()
    Client().post(f"/o/unsubscribe/{message.unsubscribe_token}")
    assert send(api, customer_id=opted_in.pk, channel="email", body="More").status_code == 409
    assert send(api, customer_id=opted_in.pk, channel="email", template_id=order_ready.pk).status_code == 201
    run_tasks()
    assert len(mail.outbox) == 2


def test_a_marketing_text_needs_the_sms_opt_in(world, api_as, opted_in, run_tasks):
    opted_in.sms_opt_in = False
    opted_in.save()
    api = api_as(world.ana.user)
    assert send(api, customer_id=opted_in.pk, channel="sms", body="Sale!").status_code == 409
    opted_in.sms_opt_in = True
    opted_in.save()
    assert send(api, customer_id=opted_in.pk, channel="sms", body="Sale!").status_code == 201
    run_tasks()
    assert sms.outbox == [{"to": "+351912345678", "body": "Sale!"}]
