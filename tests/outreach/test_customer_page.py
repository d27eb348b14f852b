"""The console's customer page shows the customer's lookbooks, "Compose message" with their consent, and
recent messages (the include this app adds to it)."""

import re

from django.core import mail
from django.test import Client

from shopfloor.access import actor_for
from shopfloor.outreach import services as outreach


def test_the_customer_page_has_lookbooks_and_compose(world, opted_in, make_lookbook):
    lookbook = make_lookbook(world.ana, opted_in)
    outreach.send_message(actor_for(world.ana.user), opted_in, {"channel": "email", "subject": "Fitting", "body": "x"})
    client = Client()
    client.force_login(world.ana.user)
    page = client.get(f"/console/customers/{opted_in.pk}/").content.decode()
    assert 'href="#compose"' in page
    assert f'action="/console/customers/{opted_in.pk}/message/"' in page
    assert f'href="/console/lookbooks/{lookbook.pk}/"' in page
    assert "Fitting" in page
    assert f'href="/console/lookbooks/new/?customer={opted_in.pk}"' in page


def test_a_colleagues_lookbook_is_not_listed_on_a_shared_customer(world, make_lookbook):
    make_lookbook(world.ana, world.anas_customer, title="Ana's private pick")
    world.anas_customer.assignments.create(associate=world.bruno)
    client = Client()
    client.force_login(world.bruno.user)
    page = client.get(f"/console/customers/{world.anas_customer.pk}/").content.decode()
    assert "Compose message" in page
    assert "Ana&#x27;s private pick" not in page


def test_the_compose_form_carries_a_working_csrf_token(world, opted_in, run_tasks):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.ana.user)
    page = client.get(f"/console/customers/{opted_in.pk}/").content.decode()
    form = page[page.index(f'action="/console/customers/{opted_in.pk}/message/"'):]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = client.post(f"/console/customers/{opted_in.pk}/message/", {
        "csrfmiddlewaretoken": token, "channel": "email", "subject": "Hi", "body": "Hello {{first_name}}",
    })
    assert response.status_code == 302
    run_tasks()
    assert [m.subject for m in mail.outbox] == ["Hi"]
