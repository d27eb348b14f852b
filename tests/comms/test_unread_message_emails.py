"""The email for messages left unread: after the set time, one per person, once, with a controlled clock."""

import pytest
from django.core import mail

from shopfloor.access import Actor
from shopfloor.comms.models import CommsSettings, MessageReceipt
from shopfloor.comms.services import (
    post_message,
    read_thread,
    send_unread_message_emails,
    set_email_preference,
    start_thread,
)


@pytest.fixture
def half_hour(db):
    return CommsSettings.objects.create(unread_email_after_minutes=30)


@pytest.fixture
def run_job(run_tasks):
    """run_job() → how many emails the job asked for; a worker has sent them by the time it returns."""

    def run() -> int:
        asked = send_unread_message_emails()
        run_tasks()
        return asked

    return run


def test_unread_messages_are_emailed_once_after_the_set_time_batched_per_person(
    world, clock, half_hour, run_job
):
    ana = Actor(world.ana.user)
    first = start_thread(ana, "retailer", "Window display", "Can I get the stand?")
    clock.advance(minutes=5)
    start_thread(ana, "retailer", "Holiday rota", "I'd like the 24th off.")
    post_message(ana, first, "And some hangers.")

    clock.advance(minutes=20)  # 25 minutes after the first message: too early
    assert run_job() == 0
    assert mail.outbox == []

    clock.advance(minutes=6)  # the first message is 31 minutes old, the others 26
    assert run_job() == 2  # Nora and the admin, one email each
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@example.com", "nora@example.com"]
    nora = next(m for m in mail.outbox if m.to == ["nora@example.com"])
    assert nora.subject == "You have 1 unread message"
    assert "Window display (1 new)" in nora.body

    clock.advance(minutes=5)  # now the other two are due: one email covers both threads
    mail.outbox.clear()
    assert run_job() == 2
    nora = next(m for m in mail.outbox if m.to == ["nora@example.com"])
    assert nora.subject == "You have 2 unread messages"
    assert "Window display (1 new)" in nora.body and "Holiday rota (1 new)" in nora.body

    # Idempotent: nothing is emailed twice.
    mail.outbox.clear()
    clock.advance(hours=3)
    assert run_job() == 0
    assert mail.outbox == []


def test_a_message_read_in_time_or_with_emails_turned_off_is_not_emailed(
    world, clock, half_hour, run_job
):
    thread = start_thread(Actor(world.ana.user), "retailer", "Stock", "Out of size M")
    set_email_preference(world.admin, "message", False)
    clock.advance(minutes=10)
    read_thread(Actor(world.nora.user), thread)
    clock.advance(minutes=30)
    assert run_job() == 0
    assert mail.outbox == []
    # The admin's receipt is settled all the same, so a later run does not pick it up.
    assert not MessageReceipt.objects.filter(read_at__isnull=True, emailed_at__isnull=True).exists()
