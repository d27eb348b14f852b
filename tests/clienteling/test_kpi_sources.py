"""Each KPI of issue 6 read from its source, end to end: the data is written the way the product writes it
(orders recorded and attributed, messages sent, lookbooks opened through their public page, chats requested
and taken, tasks completed) and the figure is read back from /api/v1/kpis and the console page. Each test fails
if its figure is computed from the wrong source."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shopfloor.access import actor_for
from shopfloor.attribution.models import InteractionKind
from shopfloor.attribution.services import record_interaction
from shopfloor.clienteling import services as tasks
from shopfloor.live import chats as live_chats
from shopfloor.live.models import Chat, ChatOrigin, ChatStatus, Visitor
from shopfloor.lookbooks.models import Lookbook, LookbookStatus
from shopfloor.orders.models import OrderStatus
from shopfloor.outreach import services as outreach
from shopfloor.outreach.models import TrackedLink
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


def kpis(client, **params) -> dict:
    response = client.get("/api/v1/kpis", params)
    assert response.status_code == 200, response.content
    return response.json()


def sold(body) -> str:
    return body["sales"][0]["attributed_sales"] if body["sales"] else "0.00"


def test_sales_are_counted_for_whom_the_attribution_credits_not_the_shop(world, api_as, admin_api, place_order):
    # Alice (Ana's customer, North) buys through South's shop: the sale is Ana's, so North's.
    place_order(world.anas_customer, "100.00", store_id=world.south.pk)
    # Bruno's referral brings Carla (South) to buy: Bruno's sale, North's, not South's.
    place_order(world.toms_customer, "40.00", referral_code=world.bruno.referral_code)
    place_order(world.anas_customer, "60.00", status=OrderStatus.PENDING_PAYMENT)  # not a sale yet
    cancelled = place_order(world.anas_customer, "70.00")
    cancelled.status = OrderStatus.CANCELLED
    cancelled.save()
    place_order(world.toms_customer, "30.00")  # South's: the store is credited in team mode
    ana = kpis(api_as(world.ana.user))
    assert (sold(ana), ana["orders"], ana["sales"][0]["average_order_value"]) == ("100.00", 1, "100.00")
    north = kpis(api_as(world.nora.user))
    assert (sold(north), north["orders"], north["sales"][0]["average_order_value"]) == ("140.00", 2, "70.00")
    south = kpis(api_as(world.sam.user))
    assert (sold(south), south["orders"]) == ("30.00", 1)
    everything = kpis(admin_api)
    assert (sold(everything), everything["orders"]) == ("170.00", 3)
    page = Client()
    page.force_login(world.nora.user)
    assert 'data-kpi="sales">140.00' in page.get("/console/kpis/").content.decode()


def test_customers_contacted_come_from_chats_calls_messages_and_tasks_done(world, api_as):
    record_interaction(world.ana, InteractionKind.CHAT, customer=world.anas_customer)
    record_interaction(world.ana, InteractionKind.LIST_NOTIFY, customer=world.brunos_customer)
    # Opening a lookbook is the customer's doing, not a contact.
    record_interaction(world.ana, InteractionKind.LOOKBOOK_OPENED, customer=world.shopper)
    world.shopper.email_opt_in = True
    world.shopper.save()
    outreach.send_message(actor_for(world.ana.user), world.shopper, {"channel": "email", "body": "Hello"})
    gil = make_customer(world.north, "Gil", "Gomes", primary=world.ana)
    task = tasks.create_task(actor_for(world.ana.user), {"title": "Call", "customer_id": gil.pk})
    assert kpis(api_as(world.ana.user))["customers_contacted"] == 3
    tasks.complete_task(actor_for(world.ana.user), task, "Called, all good.")
    assert kpis(api_as(world.ana.user))["customers_contacted"] == 4
    assert kpis(api_as(world.bruno.user))["customers_contacted"] == 0


def _three_messages(world, run_tasks) -> None:
    """Ana emails three of her customers, who opted in (the worker sends them); Alice clicks the link in hers."""
    ana = actor_for(world.ana.user)
    gil = make_customer(world.north, "Gil", "Gomes", primary=world.ana)
    for customer in (world.anas_customer, world.shopper, gil):
        customer.email_opt_in = True
        customer.save()
    clicked = outreach.send_message(
        ana, world.anas_customer, {"channel": "email", "body": "New in: https://shop.example/new"}
    )
    outreach.send_message(ana, world.shopper, {"channel": "email", "body": "Hello"})
    outreach.send_message(ana, gil, {"channel": "email", "body": "Hello"})
    run_tasks()
    link = TrackedLink.objects.get(message=clicked)
    assert Client().get(f"/o/l/{link.token}").status_code == 302


def test_outreach_sent_and_clicked_come_from_the_messages_and_their_tracked_links(world, api_as, run_tasks):
    _three_messages(world, run_tasks)
    body = kpis(api_as(world.ana.user))
    assert (body["outreach_sent"], body["outreach_clicked"], body["outreach_conversion"]) == (3, 1, 0.0)
    assert (kpis(api_as(world.bruno.user))["outreach_sent"], kpis(api_as(world.nora.user))["outreach_sent"]) == (0, 3)


def test_outreach_conversion_counts_only_orders_credited_to_the_sender(world, api_as, place_order, run_tasks):
    _three_messages(world, run_tasks)
    place_order(world.anas_customer, "50.00")  # Ana's customer: credited to Ana
    # Filipa buys with Bruno's referral: his sale, not a conversion of Ana's message.
    place_order(world.shopper, "50.00", referral_code=world.bruno.referral_code)
    assert kpis(api_as(world.ana.user))["outreach_conversion"] == round(1 / 3, 4)


def test_lookbook_conversion_counts_opened_lookbooks_followed_by_a_sale_credited_to_the_author(
    world, api_as, place_order
):
    opened = []
    for customer in (world.brunos_customer, world.shopper, world.anas_customer):
        lookbook = Lookbook.objects.create(
            customer=customer,
            author=world.ana,
            store=world.north,
            title="Spring",
            status=LookbookStatus.PUBLISHED,
            published_at=timezone.now(),
        )
        assert Client().get(f"/c/lookbook/{lookbook.token}").status_code == 200
        opened.append(lookbook)
    Lookbook.objects.create(
        customer=world.toms_customer,
        author=world.ana,
        store=world.north,
        title="Unopened",
        status=LookbookStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    # Opening made an interaction: Beatriz's next order is credited to Ana although Bruno is her associate.
    order = place_order(world.brunos_customer, "80.00")
    assert order.attributed_associate == world.ana
    # Filipa buys with Bruno's referral: Bruno's sale, so no conversion of Ana's lookbook.
    place_order(world.shopper, "20.00", referral_code=world.bruno.referral_code)
    assert kpis(api_as(world.ana.user))["lookbook_conversion"] == round(1 / 3, 4)
    assert kpis(api_as(world.bruno.user))["lookbook_conversion"] is None


def test_tasks_completed_in_the_period_and_overdue_now(world, api_as):
    ana = actor_for(world.ana.user)
    today = timezone.localdate()
    done = tasks.create_task(ana, {"title": "Done", "due_on": today.isoformat()})
    tasks.complete_task(ana, done, "Done it.")
    tasks.create_task(ana, {"title": "Late", "due_on": (today - timedelta(days=3)).isoformat()})
    tasks.create_task(ana, {"title": "Later", "due_on": (today + timedelta(days=3)).isoformat()})
    tasks.create_task(
        actor_for(world.bruno.user), {"title": "Bruno's", "due_on": (today - timedelta(days=1)).isoformat()}
    )
    body = kpis(api_as(world.ana.user))
    assert (body["tasks_completed"], body["tasks_overdue"]) == (1, 1)
    store = kpis(api_as(world.nora.user))
    assert (store["tasks_completed"], store["tasks_overdue"]) == (1, 2)


def test_chat_response_time_is_from_the_request_to_an_associate_taking_it(world, api_as):
    start = timezone.now() - timedelta(minutes=30)
    for number, wait in enumerate((20, 100)):
        visitor = Visitor.objects.create(
            store=world.north,
            key=f"v-{number}",
            first_seen_at=start,
            last_seen_at=start,
            customer=world.anas_customer if number else None,
        )
        chat = live_chats.request_chat(visitor, now=start)
        live_chats.take_chat(actor_for(world.ana.user), chat.pk, now=start + timedelta(seconds=wait))
        live_chats.close_chat(chat, "associate", now=start + timedelta(seconds=wait + 60))
    # A chat Ana started herself had no one waiting: it does not count.
    visitor = Visitor.objects.create(store=world.north, key="v-own", first_seen_at=start, last_seen_at=start)
    Chat.objects.create(
        store=world.north,
        visitor=visitor,
        associate=world.ana,
        origin=ChatOrigin.PROACTIVE,
        status=ChatStatus.CLOSED,
        created_at=start,
        taken_at=start + timedelta(seconds=600),
    )
    assert kpis(api_as(world.ana.user))["chat_response_seconds"] == 60.0
    assert kpis(api_as(world.bruno.user))["chat_response_seconds"] is None
