"""Paying twice at once (two tabs, a double click, a repeated callback) charges once: threads on a real database."""

import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections

from shopfloor.access import actor_for
from shopfloor.commissions.models import CommissionRule, LedgerEntry
from shopfloor.orders import payment_links
from shopfloor.orders.models import OrderStatus, Payment
from shopfloor.orders.on_behalf import services as on_behalf
from shopfloor.orders.payments import TestProvider

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(count, work):
    """Run `work()` in `count` threads released at the same moment; returns results and errors."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def target():
        try:
            barrier.wait()
            results.append(work())
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=target) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results, errors


@pytest.fixture
def order_and_token(world, shop, allow):
    allow()
    CommissionRule.objects.create(name="Ten percent", kind="percentage", value=Decimal("10"))
    order, link, _ = on_behalf.place_order(actor_for(world.ana.user), world.anas_customer.pk,
                                           on_behalf.catalog_lines([{"sku": "LAMP-1", "quantity": 1}]))
    return order, payment_links.link_token(link)


def test_two_payments_at_once_charge_once(world, order_and_token, monkeypatch):
    order, token = order_and_token
    charges = []
    original = TestProvider.charge

    def counting(self, **kwargs):
        charges.append(kwargs["idempotency_key"])
        return original(self, **kwargs)

    monkeypatch.setattr(TestProvider, "charge", counting)
    results, errors = run_together(4, lambda: payment_links.pay_link(token, "4242424242424242"))
    assert errors == []
    assert len(charges) == 1
    assert sorted(r.already_paid for r in results) == [False, True, True, True]
    assert Payment.objects.filter(status="approved").count() == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    assert list(LedgerEntry.objects.filter(order=order).values_list("amount", flat=True)) == [Decimal("8.90")]


def test_repeated_provider_callbacks_at_once_record_one_payment(world, order_and_token):
    order, _ = order_and_token
    results, errors = run_together(4, lambda: payment_links.record_provider_payment(
        "test", "ch_same", order.pk, Decimal("89.00"), "EUR"))
    assert errors == []
    assert [r.paid for r in results] == [True] * 4
    assert Payment.objects.count() == 1
    assert LedgerEntry.objects.filter(order=order).count() == 1
