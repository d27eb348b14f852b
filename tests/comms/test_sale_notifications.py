"""A sale notifies the people it is credited to: the associate, or every associate of a team-mode store."""

from decimal import Decimal

from django.core import mail

from shopfloor.access import actor_for
from shopfloor.comms.models import Notification, NotificationKind
from shopfloor.comms.services import set_email_preference
from shopfloor.orders.services import record_order


def titles_of(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


def test_an_order_credited_to_an_associate_notifies_only_them(world, place_order, run_tasks):
    order = place_order(world.anas_customer, "149.50", quantity=2)
    run_tasks()
    assert order.attributed_associate == world.ana
    notification = Notification.objects.get()
    assert notification.user == world.ana.user
    assert notification.kind == NotificationKind.SALE
    assert notification.title == "New sale: 299.00 EUR"
    assert notification.body == f"Order {order.external_id} from Alice Almeida is credited to you."
    assert notification.url == f"/console/customers/{world.anas_customer.pk}/"
    assert notification.read_at is None
    # Nobody asked for email: the notification stays in the console.
    assert mail.outbox == []


def test_in_team_mode_every_associate_of_the_store_hears_about_the_sale(world, place_order):
    order = place_order(world.toms_customer, "80.00")
    assert order.attributed_associate is None and order.attributed_store == world.south
    recipients = set(Notification.objects.values_list("user__email", flat=True))
    assert recipients == {"tom@example.com", "tina@example.com", "sam@example.com"}
    assert Notification.objects.get(user=world.tom.user).body == (
        f"Order {order.external_id} from Carla Costa is credited to South Store; you helped."
    )
    assert Notification.objects.get(user=world.tina.user).body == (
        f"Order {order.external_id} from Carla Costa is credited to South Store; Tom Reis helped."
    )
    # Nobody in the other store, and no admin, is told.
    assert not Notification.objects.filter(user__in=[world.ana.user, world.nora.user, world.admin]).exists()


def test_an_associate_who_chose_email_gets_one_after_the_order_commits(world, place_order, run_tasks):
    set_email_preference(world.ana.user, NotificationKind.SALE, True)
    place_order(world.anas_customer, "50.00")
    # Nothing leaves with the write: the email is a task, sent by a worker once the order has committed.
    assert mail.outbox == []
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@example.com"]
    assert message.subject == "New sale: 50.00 EUR"
    assert "is credited to you." in message.body
    assert f"/console/customers/{world.anas_customer.pk}/" in message.body


def test_the_same_order_sent_again_notifies_nobody_twice(world, place_order):
    order = place_order(world.anas_customer, external_id="ERP-1")
    again, created = record_order(actor_for(world.admin), {
        "external_id": "ERP-1", "customer_id": world.anas_customer.pk,
        "lines": [{"sku": "CH-1", "quantity": 1, "unit_price": Decimal("100.00")}],
    })
    assert not created and again == order
    assert Notification.objects.count() == 1


def test_an_order_nobody_is_credited_with_notifies_nobody(world):
    record_order(actor_for(world.admin), {
        "external_id": "GUEST-1", "store_id": world.north.pk,
        "lines": [{"sku": "CH-1", "quantity": 1, "unit_price": Decimal("10.00")}],
    })
    assert not Notification.objects.exists()


def test_an_order_waiting_for_payment_says_so(world, place_order):
    place_order(world.anas_customer, "20.00", status="pending_payment")
    notification = Notification.objects.get(user=world.ana.user)
    assert notification.title == "New order waiting for payment: 20.00 EUR"
    assert notification.body.endswith("It earns commission once the customer pays.")


def test_an_inactive_associate_is_not_notified(world, place_order):
    world.ana.active = False
    world.ana.save()
    place_order(world.anas_customer)
    assert not Notification.objects.exists()
