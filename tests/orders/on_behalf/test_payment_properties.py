"""Whatever happens to a payment link, in any order, an order is charged at most once and earns only when paid."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopfloor.access import actor_for
from shopfloor.commissions.models import CommissionRule, LedgerEntry
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.orders import payment_links
from shopfloor.orders.models import OrderStatus, Payment, PaymentLink
from shopfloor.orders.on_behalf import services as on_behalf
from shopfloor.orders.services import change_order_status

pytestmark = pytest.mark.django_db

ACTIONS = st.lists(st.sampled_from([
    "pay_ok", "pay_declined", "pay_bad_card", "pay_old_link", "callback", "callback_again", "callback_other",
    "new_link", "expire", "cancel",
]), min_size=1, max_size=8)


@pytest.fixture
def setup(world, shop, allow):
    allow()
    CommissionRule.objects.create(name="Ten percent", kind="percentage", value=Decimal("10"))
    return world


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_an_order_is_charged_at_most_once_and_earns_only_when_paid(setup, actions):
    world = setup
    order, link, _ = on_behalf.place_order(actor_for(world.ana.user), world.anas_customer.pk,
                                           on_behalf.catalog_lines([{"sku": "LAMP-1", "quantity": 1}]))
    first_token = current = payment_links.link_token(link)
    for action in actions:
        try:
            if action == "pay_ok":
                payment_links.pay_link(current, "4242424242424242")
            elif action == "pay_declined":
                payment_links.pay_link(current, "4000000000000002")
            elif action == "pay_bad_card":
                payment_links.pay_link(current, "1234")
            elif action == "pay_old_link":
                payment_links.pay_link(first_token, "4242424242424242")
            elif action in ("callback", "callback_again"):
                payment_links.record_provider_payment("test", "cb-1", order.pk, order.total, "EUR")
            elif action == "callback_other":
                payment_links.record_provider_payment("test", "cb-2", order.pk, order.total, "EUR")
            elif action == "new_link":
                current = payment_links.link_token(on_behalf.resend_link(actor_for(world.ana.user), order.pk))
            elif action == "expire":
                PaymentLink.objects.filter(order=order).update(expires_at=timezone.now() - timedelta(seconds=1))
            elif action == "cancel":
                change_order_status(actor_for(world.admin), order, OrderStatus.CANCELLED)
        except (payment_links.LinkProblem, Conflict, InvalidInput):
            pass
        order.refresh_from_db()
        approved = Payment.objects.filter(order=order, status="approved").count()
        earned = LedgerEntry.objects.filter(order=order).exclude(kind="reversal")
        assert approved <= 1
        if order.status == OrderStatus.PENDING_PAYMENT:
            assert approved == 0 and not earned.exists()
        if order.status == OrderStatus.PLACED:
            assert approved == 1
            assert list(earned.values_list("amount", flat=True)) == [Decimal("8.90")]
        if approved == 0:
            assert not earned.exists()
