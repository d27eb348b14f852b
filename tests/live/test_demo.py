"""The live-shopping demo data: earlier visitors and a finished chat on a customer's timeline."""

import pytest

from shopfloor.live import demo
from shopfloor.live.models import Chat, ChatStatus, PageView, Visitor

pytestmark = pytest.mark.django_db


def test_the_demo_makes_visitors_and_a_finished_chat_per_store(world):
    associates = {a.name: a for a in (world.ana, world.bruno, world.nora, world.tom, world.tina, world.sam)}
    customers = [world.anas_customer, world.brunos_customer, world.toms_customer, world.tinas_customer]
    assert demo.seed(associates, customers) == 8
    assert Visitor.objects.count() == 8
    assert PageView.objects.count() == 2 * (2 + 3 + 4) + 2
    chats = Chat.objects.order_by("store__code")
    assert [(c.store.code, c.status, c.message_count) for c in chats] == [
        ("north", ChatStatus.CLOSED, 4), ("south", ChatStatus.CLOSED, 4)]
    assert Visitor.objects.filter(connections__gt=0).count() == 0
