"""Sales notifications as clienteling needs them: the credited associate (associate mode) or the store's associates
(team mode), in the console always and by email for those who chose it."""

import pytest
from django.core import mail

from shopfloor.attribution.models import InteractionKind
from shopfloor.attribution.services import record_interaction
from shopfloor.comms.models import Notification, NotificationKind
from shopfloor.comms.services import set_email_preference

pytestmark = pytest.mark.django_db


def test_in_team_mode_only_the_associates_who_chose_email_get_one(world, place_order, run_tasks):
    set_email_preference(world.tina.user, NotificationKind.SALE, True)
    order = place_order(world.toms_customer, "120.00")
    run_tasks()
    assert Notification.objects.filter(kind="sale").count() == 3
    assert [message.to for message in mail.outbox] == [["tina@example.com"]]
    assert f"Order {order.external_id} from Carla Costa is credited to South Store" in mail.outbox[0].body


def test_a_sale_credited_through_an_interaction_notifies_the_associate_who_helped_not_the_primary(
        world, place_order, run_tasks):
    alice = world.anas_customer
    alice.assignments.create(associate=world.bruno)
    record_interaction(world.bruno, InteractionKind.CHAT, customer=alice)
    set_email_preference(world.bruno.user, NotificationKind.SALE, True)
    order = place_order(alice, "75.00")
    run_tasks()
    assert order.attributed_associate == world.bruno
    assert list(Notification.objects.values_list("user__email", flat=True)) == ["bruno@example.com"]
    assert [message.to for message in mail.outbox] == [["bruno@example.com"]]


def test_the_sale_shows_on_the_associates_notifications_page(world, place_order, client_as):
    place_order(world.anas_customer, "42.00")
    html = client_as(world.ana.user).get("/console/notifications/").content.decode()
    assert "New sale: 42.00 EUR" in html
    assert "New sale" not in client_as(world.bruno.user).get("/console/notifications/").content.decode()
