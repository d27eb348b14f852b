"""A new comment alerts every other collaborator: in-app at once (staff), by email batched per list,
at most one email per collaborator per list per 10 minutes, carrying every new comment."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from shopfloor.comms.models import Notification, NotificationKind, NotificationPreference
from shopfloor.lists import services
from shopfloor.lists.models import CommentAlert
from shopfloor.lists.tasks import send_comment_alert_emails_task


@pytest.fixture
def send(run_tasks):
    """send(now) → emails sent by the alert job at that moment (the clock is the test's); a worker has
    delivered them by the time it returns."""

    def run(now):
        sent = services.send_comment_alert_emails(now)
        run_tasks()
        return sent

    return run


@pytest.fixture
def shared(world, anas_list, as_actor, run_tasks):
    """Ana's list, shared with Alice; Bruno is also assigned to Alice."""
    from shopfloor.customers.models import CustomerAssignment

    CustomerAssignment.objects.create(customer=world.anas_customer, associate=world.bruno)
    services.notify_customer(as_actor(world.ana), anas_list)
    run_tasks()
    assert len(mail.outbox) == 1  # the link to the list
    mail.outbox.clear()
    anas_list.refresh_from_db()
    return anas_list


def customer_side(customer_list):
    return services.CustomerSide(customer=customer_list.customer, customer_list=customer_list)


def emails_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def test_a_comment_notifies_the_other_staff_collaborators_in_the_console_at_once(world, shared, as_actor, run_tasks):
    services.add_comment(as_actor(world.ana), shared, "New fabric samples arrived")
    run_tasks()
    notices = Notification.objects.filter(kind=NotificationKind.LIST_COMMENT)
    assert list(notices.values_list("user__email", flat=True)) == ["bruno@example.com"]
    notice = notices.get()
    assert notice.title == "Ana Pop commented in “Living room refresh”"
    assert notice.url == f"/console/lists/{shared.pk}/"
    # Nobody else in the store hears of it (associate mode), and no email leaves yet.
    assert mail.outbox == []


def test_the_customers_comment_notifies_the_author_and_the_assigned_associates(world, shared):
    lamp = shared.items.get(product__sku="LAMP-1")
    services.add_comment(customer_side(shared), shared, "Is it dimmable?", item=lamp)
    notices = Notification.objects.filter(kind=NotificationKind.LIST_COMMENT).order_by("user__email")
    assert [n.user.email for n in notices] == ["ana@example.com", "bruno@example.com"]
    assert notices[0].title == "Alice Almeida commented on Cork Table Lamp in “Living room refresh”"
    assert set(CommentAlert.objects.values_list("recipient", flat=True)) == {
        f"user:{world.ana.user.pk}", f"user:{world.bruno.user.pk}"}


def test_in_team_mode_the_stores_associates_are_collaborators(world, as_actor, products):
    customer_list = services.create_list(as_actor(world.tom), world.tinas_customer, "Patio")
    services.add_comment(as_actor(world.tom), customer_list, "Teak or oak?")
    assert sorted(Notification.objects.values_list("user__email", flat=True)) == [
        "sam@example.com", "tina@example.com"]


def test_the_customer_is_emailed_only_once_the_list_was_shared(world, anas_list, as_actor, send):
    services.add_comment(as_actor(world.ana), anas_list, "Draft idea")
    assert not CommentAlert.objects.filter(recipient__startswith="customer:").exists()


def test_alert_emails_are_batched_per_collaborator_and_list_every_10_minutes(world, shared, as_actor, send):
    start = timezone.now()
    ana = as_actor(world.ana)
    services.add_comment(ana, shared, "First")
    assert send(start) == 2  # Alice and Bruno: one email each
    [alice] = emails_to(world.anas_customer.email)
    assert alice.subject == "1 new comment on “Living room refresh”"
    assert "First" in alice.body
    assert services.collaboration_path(shared) in alice.body
    [bruno] = emails_to("bruno@example.com")
    assert f"/console/lists/{shared.pk}/" in bruno.body

    mail.outbox.clear()
    services.add_comment(ana, shared, "Second")
    services.add_comment(ana, shared, "Third")
    # Within 10 minutes of the last email: nothing, however often the job runs.
    assert send(start + timedelta(minutes=1)) == 0
    assert send(start + timedelta(minutes=9, seconds=59)) == 0
    assert mail.outbox == []
    # Then one email each, with both comments.
    assert send(start + timedelta(minutes=10, seconds=1)) == 2
    [alice] = emails_to(world.anas_customer.email)
    assert alice.subject == "2 new comments on “Living room refresh”"
    assert alice.body.index("Second") < alice.body.index("Third")
    assert "First" not in alice.body
    # Idempotent: nothing is left to send.
    mail.outbox.clear()
    assert send(start + timedelta(minutes=30)) == 0
    assert mail.outbox == []


def test_nobody_is_emailed_their_own_comment(world, shared, send):
    services.add_comment(customer_side(shared), shared, "Mine")
    send(timezone.now())
    assert emails_to(world.anas_customer.email) == []
    assert len(emails_to("ana@example.com")) == 1


def test_the_quiet_period_is_per_list_and_per_collaborator(world, shared, as_actor, products, send):
    start = timezone.now()
    ana = as_actor(world.ana)
    other = services.create_list(ana, world.anas_customer, "Bedroom")
    services.add_comment(ana, shared, "On the living room")
    assert send(start) == 2
    mail.outbox.clear()
    services.add_comment(ana, other, "On the bedroom")
    services.add_comment(customer_side(shared), shared, "Alice answers")
    # Bruno gets the bedroom comment at once (another list), and Ana Alice's (she had no email yet);
    # Bruno waits for Alice's comment on the living-room list.
    assert send(start + timedelta(minutes=1)) == 2
    assert [m.subject for m in emails_to("bruno@example.com")] == ["1 new comment on “Bedroom”"]
    assert [m.subject for m in emails_to("ana@example.com")] == ["1 new comment on “Living room refresh”"]


def test_staff_who_switched_list_emails_off_get_none(world, shared, as_actor, send):
    NotificationPreference.objects.create(user=world.bruno.user, kind=NotificationKind.LIST_COMMENT, email=False)
    services.add_comment(as_actor(world.ana), shared, "Hello")
    send(timezone.now())
    assert emails_to("bruno@example.com") == []
    assert len(emails_to(world.anas_customer.email)) == 1


def test_the_scheduled_job_sends_them(world, shared, as_actor, run_tasks):
    services.add_comment(as_actor(world.ana), shared, "Via the worker")
    assert send_comment_alert_emails_task.call() == 2
    run_tasks()
    assert len(mail.outbox) == 2


def test_comments_on_a_deleted_list_are_not_emailed(world, shared, as_actor, send):
    services.add_comment(as_actor(world.ana), shared, "Soon gone")
    services.delete_list(as_actor(world.ana), shared)
    assert send(timezone.now()) == 0
    assert mail.outbox == []
    assert not CommentAlert.objects.filter(emailed_at__isnull=True).exists()


def test_alert_emails_carry_full_links_to_the_site_the_list_was_shared_from(world, api_as, anas_list, as_actor,
                                                                           send, run_tasks):
    api_as(world.ana.user).post(f"/api/v1/lists/{anas_list.pk}/notify")
    run_tasks()
    anas_list.refresh_from_db()
    assert anas_list.site_url == "http://testserver"
    mail.outbox.clear()
    services.add_comment(as_actor(world.ana), anas_list, "Samples are in")
    services.add_comment(customer_side(anas_list), anas_list, "Great")
    send(timezone.now())
    [alice] = emails_to(world.anas_customer.email)
    assert f"http://testserver{services.collaboration_path(anas_list)}" in alice.body
    [ana] = emails_to("ana@example.com")
    assert f"http://testserver/console/lists/{anas_list.pk}/" in ana.body
