"""POST /outreach and GET /outreach through HTTP: who may message whom, merge fields, tracked links (no open
redirect), delivery status, templates."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from shopfloor.access import actor_for
from shopfloor.customers.models import Customer
from shopfloor.lists.services import collaboration_path, create_list
from shopfloor.lookbooks.models import Lookbook
from shopfloor.outreach.models import MessageTemplate, OutreachMessage, TrackedLink


def send(api, **payload):
    return api.post("/api/v1/outreach", payload, content_type="application/json")


@pytest.mark.parametrize("who, status", [("ana", 201), ("nora", 201), ("bruno", 422), ("tom", 422), ("admin", 201)])
def test_only_those_who_see_the_customer_may_message_them(world, api_as, opted_in, who, status):
    user = world.admin if who == "admin" else getattr(world, who).user
    response = send(api_as(user), customer_id=opted_in.pk, channel="email", body="Hi")
    assert response.status_code == status
    if status == 422:  # a customer one may not see is unknown to them
        assert response.json()["detail"] == [{"loc": ["body", "customer_id"], "msg": "Unknown customer.",
                                               "type": "value_error"}]
    assert OutreachMessage.objects.count() == (1 if status == 201 else 0)


def test_a_team_mode_associate_messages_any_customer_of_the_store(world, api_as):
    customer = world.toms_customer
    customer.email_opt_in = True
    customer.save()
    assert send(api_as(world.tina.user), customer_id=customer.pk, channel="email", body="Hi").status_code == 201


def test_links_are_tracked_and_lead_only_where_the_message_said(world, api_as, opted_in):
    response = send(api_as(world.ana.user), customer_id=opted_in.pk, channel="email",
                    body="See https://shop.example.com/sofa?colour=green, and http://testserver/shop/.")
    assert response.status_code == 201
    body = response.json()["body"]
    links = list(TrackedLink.objects.order_by("id"))
    assert [link.url for link in links] == ["https://shop.example.com/sofa?colour=green", "http://testserver/shop/"]
    assert body == (f"See http://testserver/o/l/{links[0].token}, and http://testserver/o/l/{links[1].token}.")
    client = Client()
    first = client.get(f"/o/l/{links[0].token}")
    assert (first.status_code, first["Location"]) == (302, "https://shop.example.com/sofa?colour=green")
    client.get(f"/o/l/{links[0].token}")
    links[0].refresh_from_db()
    assert links[0].click_count == 2 and links[0].first_clicked_at is not None
    listed = api_as(world.ana.user).get(f"/api/v1/outreach?customer_id={opted_in.pk}").json()
    assert listed["items"][0]["clicks"] == 2


@pytest.mark.parametrize("path", ["/o/l/unknown", "/o/l/x?next=https://evil.example", "/o/l/" + "A" * 60, "/o/l/%00"])
def test_an_unknown_link_goes_nowhere(world, path):
    response = Client().get(path)
    assert response.status_code == 404
    assert "Location" not in response


def test_a_preview_fetch_does_not_count_a_click(world, api_as, opted_in):
    send(api_as(world.ana.user), customer_id=opted_in.pk, channel="email", body="https://example.com/a")
    link = TrackedLink.objects.get()
    assert Client().head(f"/o/l/{link.token}").status_code == 302
    link.refresh_from_db()
    assert link.click_count == 0


def test_merge_fields_fill_links_to_the_latest_lookbook(world, api_as, opted_in, make_lookbook):
    lookbook = make_lookbook(world.ana, opted_in)
    response = send(api_as(world.ana.user), customer_id=opted_in.pk, channel="sms",
                    body="{{first_name}}, your picks: {{lookbook_link}}")
    assert response.status_code == 201
    link = TrackedLink.objects.get()
    assert link.url == f"http://testserver/c/lookbook/{lookbook.token}"


def test_the_lookbook_link_leads_past_drafts_and_expired_lookbooks(world, api_as, opted_in, make_lookbook):
    live = make_lookbook(world.ana, opted_in)
    make_lookbook(world.ana, opted_in, title="Not ready", publish=False)
    expired = make_lookbook(world.ana, opted_in, title="Last season")
    Lookbook.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = send(api_as(world.ana.user), customer_id=opted_in.pk, channel="sms", body="{{lookbook_link}}")
    assert response.status_code == 201
    assert TrackedLink.objects.get().url == f"http://testserver/c/lookbook/{live.token}"


@pytest.mark.parametrize("body, message", [
    ("Hi {{nickname}}", "Unknown merge field {{nickname}}"),
    ("See {{lookbook_link}}", "This customer has no published lookbook to link to"),
])
def test_a_merge_field_that_cannot_be_filled_is_refused(world, api_as, opted_in, body, message):
    response = send(api_as(world.ana.user), customer_id=opted_in.pk, channel="email", body=body)
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "body"]
    assert message in detail["msg"]
    assert OutreachMessage.objects.count() == 0 and mail.outbox == []


def test_bad_input_names_the_field(world, api_as, opted_in):
    api = api_as(world.ana.user)
    assert send(api, customer_id=opted_in.pk, channel="fax", body="x").status_code == 422
    response = send(api, customer_id=opted_in.pk, channel="email", body="")
    assert response.json()["detail"][0]["loc"] == ["body", "body"]
    response = send(api, customer_id=opted_in.pk, channel="email", body="x", template_id=999)
    assert response.json()["detail"][0]["loc"] == ["body", "template_id"]
    assert OutreachMessage.objects.count() == 0


def test_a_customer_without_a_phone_cannot_get_a_text(world, api_as, opted_in):
    opted_in.phone = ""
    opted_in.save()
    response = send(api_as(world.ana.user), customer_id=opted_in.pk, channel="sms", body="Hi")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "channel"]


def test_a_refused_email_is_recorded_as_failed(world, api_as, opted_in, settings, run_tasks):
    settings.EMAIL_BACKEND = "tests.outreach.test_outreach_api.RefusingBackend"
    api = api_as(world.ana.user)
    response = send(api, customer_id=opted_in.pk, channel="email", body="Hi")
    assert response.status_code == 201
    assert response.json()["status"] == "queued"
    run_tasks()  # the worker's attempt is refused by the mail server
    [body] = api.get(f"/api/v1/outreach?customer_id={opted_in.pk}").json()["items"]
    assert (body["status"], body["error"]) == ("failed", "Mailbox unavailable")
    assert OutreachMessage.objects.get().sent_at is None
    # A later attempt is queued.
    assert DBTaskResult.objects.ready().count() == 0
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY,
                                       task_path="shopfloor.outreach.delivery.deliver_message_task").count() == 1


def test_a_retry_after_the_customer_unsubscribed_sends_nothing(world, api_as, opted_in, settings, run_tasks):
    settings.EMAIL_BACKEND = "tests.outreach.test_outreach_api.RefusingBackend"
    api = api_as(world.ana.user)
    assert send(api, customer_id=opted_in.pk, channel="email", body="Hi").status_code == 201
    run_tasks()  # refused: a retry is queued
    Customer.objects.filter(pk=opted_in.pk).update(email_opt_in=False)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
    run_tasks()
    assert mail.outbox == []
    [body] = api.get(f"/api/v1/outreach?customer_id={opted_in.pk}").json()["items"]
    assert (body["status"], body["error"]) == ("failed", "Not sent: no consent to marketing emails.")
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("Mailbox unavailable")


def test_the_list_shows_only_messages_to_visible_customers(world, api_as, opted_in):
    send(api_as(world.ana.user), customer_id=opted_in.pk, channel="email", body="Hi")
    assert api_as(world.ana.user).get("/api/v1/outreach").json()["count"] == 1
    assert api_as(world.bruno.user).get("/api/v1/outreach").json()["count"] == 0


def test_only_admins_write_templates(world, api_as, admin_api):
    payload = {"name": "Fitting", "purpose": "transactional", "body": "Your fitting is booked, {{first_name}}."}
    assert api_as(world.ana.user).post("/api/v1/outreach-templates", payload,
                                       content_type="application/json").status_code == 403
    assert MessageTemplate.objects.count() == 0
    response = admin_api.post("/api/v1/outreach-templates", payload, content_type="application/json")
    assert response.status_code == 201
    assert api_as(world.ana.user).get("/api/v1/outreach-templates").json()["count"] == 1
    bad = admin_api.post("/api/v1/outreach-templates", {**payload, "body": "Hi {{nick}}"},
                         content_type="application/json")
    assert bad.status_code == 422


def test_a_template_for_email_cannot_be_sent_by_sms(world, api_as, opted_in, new_season):
    response = send(api_as(world.ana.user), customer_id=opted_in.pk, channel="sms", template_id=new_season.pk)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "template_id"]


def test_the_list_link_merge_field_points_to_the_customers_latest_list(world, api_as, opted_in):
    customer_list = create_list(actor_for(world.ana.user), opted_in, "Living room")
    response = send(api_as(world.ana.user), customer_id=opted_in.pk, channel="email", body="Your list: {{list_link}}")
    assert response.status_code == 201
    assert TrackedLink.objects.get().url == f"http://testserver{collaboration_path(customer_list)}"
