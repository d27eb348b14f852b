"""Money software under load and failure, against a real server process on the test database.

- A client that sends bad input beside others writing valid orders costs them nothing.
- A server killed (SIGKILL) in the middle of a stream of orders keeps every order it acknowledged, once
  and whole, and none it did not finish.
"""

import http.client
import json
import threading
import time
from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from shopfloor.accounts.services import create_api_token
from shopfloor.commissions.models import LedgerEntry, OrderAccrual
from shopfloor.orders.models import Order, OrderLine
from shopfloor.outreach.models import MessageTemplate
from tests.commissions.conftest import make_rule
from tests.servers import ServerProcess

pytestmark = pytest.mark.slow

LINES = [{"sku": "SOFA-1", "quantity": 2, "unit_price": "12.50"},
         {"sku": "LAMP-1", "quantity": 1, "unit_price": "7.00"}]


class Client:
    """One keep-alive HTTP connection to the server, as an integration's client holds one."""

    def __init__(self, port: int, token: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def send(self, method: str, path: str, body: dict) -> tuple[int, dict]:
        self.connection.request(method, f"/api/v1{path}", json.dumps(body), self.headers)
        response = self.connection.getresponse()
        return response.status, json.loads(response.read() or b"null")


def order(world, external_id: str) -> dict:
    return {"external_id": external_id, "customer_id": world.anas_customer.pk, "lines": LINES}


@pytest.fixture
def server(transactional_db, tmp_path):
    server = ServerProcess(tmp_path / "server.log", EMAIL_URL="locmem://")
    yield server
    server.stop()


def test_bad_input_beside_valid_orders_loses_none_of_them(world, server):
    """The issue's poison test: 7 clients post valid orders while an 8th keeps sending an unknown store."""
    _, token = create_api_token(world.admin)
    template = MessageTemplate.objects.create(name="Thanks", body="Thank you, {{first_name}}!")
    server.start()
    statuses: dict[str, list] = {"orders": [], "patches": []}
    stop = threading.Event()

    def post_orders(client_number):
        client = Client(server.port, token)
        for n in range(10_000):
            if stop.is_set():
                return
            status, _ = client.send("POST", "/orders", order(world, f"POISON-{client_number}-{n}"))
            statuses["orders"].append(status)

    def send_poison():
        client = Client(server.port, token)
        while not stop.is_set():
            status, body = client.send("PATCH", f"/outreach-templates/{template.pk}", {"store_id": 999999})
            statuses["patches"].append((status, body["detail"][0]["loc"] if status == 422 else body))

    threads = [threading.Thread(target=post_orders, args=(n,)) for n in range(7)]
    threads.append(threading.Thread(target=send_poison))
    for thread in threads:
        thread.start()
    time.sleep(3)
    stop.set()
    for thread in threads:
        thread.join(60)

    assert statuses["orders"] and set(statuses["orders"]) == {201}
    assert statuses["patches"] and set(map(str, statuses["patches"])) == {str((422, ["body", "store_id"]))}
    assert Order.objects.filter(external_id__startswith="POISON-").count() == len(statuses["orders"])
    assert OrderLine.objects.filter(order__external_id__startswith="POISON-").count() == 2 * len(statuses["orders"])
    template.refresh_from_db()
    assert template.store_id is None


def test_a_server_killed_mid_stream_keeps_every_acknowledged_order_once_and_whole(world, server):
    make_rule(10)
    _, token = create_api_token(world.admin)
    server.start()
    acknowledged: list[str] = []
    failed = threading.Event()

    def post_orders(client_number):
        client = Client(server.port, token)
        for n in range(100_000):
            external_id = f"KILL-{client_number}-{n}"
            try:
                status, body = client.send("POST", "/orders", order(world, external_id))
            except (OSError, http.client.HTTPException):
                return  # the server died under this request: it may or may not have been written
            if status != 201:
                failed.set()
                return
            acknowledged.append(external_id)

    threads = [threading.Thread(target=post_orders, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    while len(acknowledged) < 40 and not failed.is_set():
        time.sleep(0.01)
    server.kill()
    for thread in threads:
        thread.join(60)
    assert not failed.is_set()

    # The server starts again on the same database, and takes the retries of what it had not acknowledged.
    server.start()
    client = Client(server.port, token)
    recorded = set(Order.objects.filter(external_id__startswith="KILL-").values_list("external_id", flat=True))
    assert set(acknowledged) <= recorded
    for external_id in sorted(recorded - set(acknowledged)) + ["KILL-after"]:
        status, _ = client.send("POST", "/orders", order(world, external_id))
        assert status in (200, 201)

    orders = Order.objects.filter(external_id__startswith="KILL-")
    assert orders.count() == len(recorded) + 1  # once each: nothing recorded twice
    # Whole: every order has its two lines, its accrual marker and its 10% earnings (2.50 + 0.70).
    for recorded_order in orders.prefetch_related("lines"):
        assert len(recorded_order.lines.all()) == 2, recorded_order.external_id
    assert OrderAccrual.objects.filter(order__in=orders).count() == orders.count()
    per_order = LedgerEntry.objects.filter(order__in=orders).values("order").annotate(
        entries=Count("pk"), earned=Sum("amount"))
    assert {(row["entries"], row["earned"]) for row in per_order} == {(2, Decimal("3.20"))}
    assert len(per_order) == orders.count()
