"""Chats as services: routing by load, limits and the queue, the online connector, messages, interactions, tasks."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shopfloor.access import Actor, NotAllowed
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.live import chats, presence, services, visitors
from shopfloor.live.identity import VisitorIdentity
from shopfloor.live.models import AssociateLive, Availability, Chat, ChatMessage, ChatStatus, LiveSettings
from tests.live.conftest import make_available, visitor_key

pytestmark = pytest.mark.django_db


def new_visitor(store, customer=None):
    return visitors.connect_visitor(VisitorIdentity(store, customer=customer), visitor_key())


def busy_with(associate, count):
    for _ in range(count):
        chats.start_chat(Actor(associate.user), new_visitor(associate.store).pk)


def test_a_request_goes_to_the_least_busy_available_associate(world):
    make_available(world.ana, world.bruno, world.nora)
    busy_with(world.ana, 2)
    busy_with(world.nora, 1)
    chat = chats.request_chat(new_visitor(world.north))
    assert chat.routed_to == world.bruno
    assert chat.status == ChatStatus.WAITING


def test_busy_away_and_absent_associates_get_no_requests(world):
    make_available(world.ana, world.bruno, world.nora)
    AssociateLive.objects.filter(associate=world.ana).update(availability=Availability.BUSY)
    AssociateLive.objects.filter(associate=world.bruno).update(availability=Availability.AWAY)
    # Nora chose "available" but her workspace stopped sending heartbeats: not present.
    AssociateLive.objects.filter(associate=world.nora).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    chat = chats.request_chat(new_visitor(world.north))
    assert chat.routed_to is None
    assert chats.queue_position(chat) == 1


def test_an_associate_at_the_chat_limit_is_skipped_and_cannot_take_more(world):
    LiveSettings.objects.update_or_create(store=world.north, defaults={"chat_limit": 2})
    make_available(world.ana)
    busy_with(world.ana, 2)
    chat = chats.request_chat(new_visitor(world.north))
    assert chat.routed_to is None
    with pytest.raises(Conflict):
        chats.take_chat(Actor(world.ana.user), chat.pk)
    assert Chat.objects.get(pk=chat.pk).status == ChatStatus.WAITING


def test_the_queue_keeps_order_and_moves_when_an_associate_frees_up(world):
    LiveSettings.objects.update_or_create(store=world.north, defaults={"chat_limit": 1})
    make_available(world.ana)
    busy_with(world.ana, 1)
    first = chats.request_chat(new_visitor(world.north))
    second = chats.request_chat(new_visitor(world.north))
    assert (chats.queue_position(first), chats.queue_position(second)) == (1, 2)
    ana_chat = Chat.objects.get(associate=world.ana, status=ChatStatus.ACTIVE)
    chats.associate_closes(Actor(world.ana.user), ana_chat.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.routed_to == world.ana
    assert chats.queue_position(first) is None
    assert chats.queue_position(second) == 1


def test_becoming_available_takes_the_oldest_queued_request(world):
    chat = chats.request_chat(new_visitor(world.north))
    assert chat.routed_to is None
    AssociateLive.objects.create(associate=world.bruno, heartbeat_at=timezone.now())
    services.set_availability(Actor(world.bruno.user), Availability.AVAILABLE)
    chat.refresh_from_db()
    assert chat.routed_to == world.bruno
    assert AssociateLive.objects.get(associate=world.bruno).availability == Availability.AVAILABLE


def test_the_connector_offers_the_request_to_the_associate_asked_for(world):
    make_available(world.ana, world.bruno)
    busy_with(world.bruno, 1)
    chat = chats.request_chat(new_visitor(world.north, world.brunos_customer), world.bruno.pk)
    assert chat.routed_to == world.bruno
    assert chat.requested_associate == world.bruno
    assert chats.visitor_chat_state(chat)["note"] == ""


def test_the_connector_falls_back_to_another_associate_and_says_so(world):
    make_available(world.ana)
    chat = chats.request_chat(new_visitor(world.north, world.brunos_customer), world.bruno.pk)
    assert chat.routed_to == world.ana
    assert "Bruno Dias is not available right now" in chats.visitor_chat_state(chat)["note"]


def test_the_connector_refuses_an_associate_of_another_store(world):
    with pytest.raises(InvalidInput):
        chats.request_chat(new_visitor(world.north), world.tom.pk)
    assert Chat.objects.count() == 0


def test_a_store_requiring_verified_identities_talks_to_known_customers_only(world):
    from shopfloor.widget.models import WidgetSettings

    WidgetSettings.objects.create(store=world.north, require_verified_identity=True)
    make_available(world.ana)
    assert presence.talk_to_us(world.north) is False
    assert presence.talk_to_us(world.north, world.anas_customer) is True
    with pytest.raises(NotAllowed):
        chats.request_chat(new_visitor(world.north))
    assert chats.request_chat(new_visitor(world.north, world.anas_customer)).status == ChatStatus.WAITING


def test_messages_are_numbered_per_chat_and_read_back_in_order(world):
    visitor = new_visitor(world.north)
    first = chats.visitor_says(visitor, "Hello?")
    chat = first.chat
    chats.take_chat(Actor(world.ana.user), chat.pk)
    chats.associate_says(Actor(world.ana.user), chat.pk, "Hi! How can I help?")
    chats.visitor_says(visitor, "  A lamp  ")
    assert list(ChatMessage.objects.filter(chat=chat).values_list("seq", "sender", "body")) == [
        (1, "visitor", "Hello?"), (2, "system", "Ana Pop joined the chat."), (3, "associate", "Hi! How can I help?"),
        (4, "visitor", "A lamp")]
    assert [m["seq"] for m in chats.messages_since(chat, 2)] == [3, 4]


@pytest.mark.parametrize("body", ["", "   ", None, 42, "x" * 2001])
def test_an_empty_or_oversized_message_is_refused(world, body):
    with pytest.raises(InvalidInput):
        chats.visitor_says(new_visitor(world.north), body)
    assert ChatMessage.objects.count() == 0


def test_only_the_chats_owner_writes_in_it(world):
    chat = chats.start_chat(Actor(world.ana.user), new_visitor(world.north).pk)
    with pytest.raises(Exception) as refused:
        chats.associate_says(Actor(world.nora.user), chat.pk, "Hi")
    assert isinstance(refused.value, Conflict)
    assert ChatMessage.objects.count() == 0


def test_chats_and_calls_with_a_known_customer_are_recorded_as_interactions_once(world):
    from shopfloor.attribution.models import Interaction

    chat = chats.start_chat(Actor(world.ana.user), new_visitor(world.north, world.anas_customer).pk)
    chats.start_call(Actor(world.ana.user), chat.pk)
    chats.start_call(Actor(world.ana.user), chat.pk)
    assert sorted(Interaction.objects.values_list("kind", "customer_id", "associate_id")) == [
        ("call", world.anas_customer.pk, world.ana.pk), ("chat", world.anas_customer.pk, world.ana.pk)]


def test_an_anonymous_chat_records_no_interaction(world):
    from shopfloor.attribution.models import Interaction

    chats.start_chat(Actor(world.ana.user), new_visitor(world.north).pk)
    assert Interaction.objects.count() == 0


def test_a_left_message_becomes_a_task_and_notifies_the_associate_asked_for(world):
    from shopfloor.clienteling.models import Task
    from shopfloor.comms.models import Notification

    visitor = new_visitor(world.north, world.anas_customer)
    chats.leave_message(world.north, "Call me about the armchair", "Alice", "alice@example.com", visitor=visitor,
                           requested_associate_id=world.ana.pk)
    assert list(Notification.objects.filter(kind="live").values_list("user__email", flat=True)) == ["ana@example.com"]
    task = Task.objects.get()
    assert (task.assignee, task.customer, task.store) == (world.ana, world.anas_customer, world.north)
    assert "Call me about the armchair" in task.description


def test_the_transcript_lands_on_the_customer_timeline(world):
    from shopfloor.clienteling import timeline

    chat = chats.start_chat(Actor(world.ana.user), new_visitor(world.north, world.anas_customer).pk)
    chats.associate_says(Actor(world.ana.user), chat.pk, "Your sofa is ready")
    page = timeline.page_for(world.anas_customer, actor=Actor(world.ana.user))
    live_entries = [entry for entry in page.entries if entry.kind == "chat"]
    assert [(e.title, e.url, e.detail) for e in live_entries] == [
        ("Live chat with Ana Pop", f"/console/live/chats/{chat.pk}/transcript/", "Your sofa is ready")]
