"""Storefronts and ERPs retry: the same orders and refunds posted from 8 clients at once count once.

PostgreSQL only: SQLite serializes every writer, so it cannot show a race.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from shopfloor.commissions.models import CommissionRule, LedgerEntry, OrderAccrual, RefundReversal
from shopfloor.commissions.selectors import balance
from shopfloor.orders.models import Order, Refund
from tests.commissions.api.conftest import API
from tests.conftest import bearer_client

THREADS = 8
ORDERS = 3


def test_the_same_orders_and_refunds_from_8_clients_at_once_are_recorded_and_earn_once(transactional_db, world):
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL: SQLite runs one writer at a time.")
    CommissionRule.objects.create(name="Ten percent", value=Decimal("10"))
    clients = [bearer_client(world.admin) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    statuses, failures = {"orders": [], "refunds": []}, []

    def send(api):
        try:
            barrier.wait()
            for n in range(ORDERS):
                order = api.post(f"{API}/orders", {
                    "external_id": f"WEB-{n}", "customer_id": world.anas_customer.pk,
                    "lines": [{"sku": "SKU-1", "quantity": 2, "unit_price": "25.00"}],
                }, content_type="application/json")
                statuses["orders"].append(order.status_code)
                refund = api.post(f"{API}/orders/{order.json()['id']}/refunds",
                                  {"external_id": f"WEB-{n}-R1", "amount": "20.00"},
                                  content_type="application/json")
                statuses["refunds"].append(refund.status_code)
        except Exception as exc:  # the test reports every failure
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(api,)) for api in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert sorted(statuses["orders"]) == [200] * (THREADS - 1) * ORDERS + [201] * ORDERS
    assert sorted(statuses["refunds"]) == [200] * (THREADS - 1) * ORDERS + [201] * ORDERS
    assert Order.objects.count() == ORDERS and Refund.objects.count() == ORDERS
    assert OrderAccrual.objects.count() == ORDERS and RefundReversal.objects.count() == ORDERS
    for order in Order.objects.all():
        entries = sorted((e.kind, e.amount, e.status) for e in LedgerEntry.objects.filter(order=order))
        # 10% of 50.00, less 20.00 / 50.00 of it for the refund.
        assert entries == [("earning", Decimal("5.00"), "pending"), ("reversal", Decimal("-2.00"), "pending")]
    assert balance(world.ana)["pending"] == Decimal("9.00")
