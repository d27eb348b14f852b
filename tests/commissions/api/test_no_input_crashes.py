"""No input makes a commissions endpoint fail with a 5xx (hypothesis), like the rest of the API."""

import json
from urllib.parse import quote, urlencode

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from shopfloor.commissions.models import CommissionRule
from shopfloor.commissions.payouts import record_payout
from tests.api.test_no_input_crashes import EDGE_TEXT, FUZZ, junk, path_value, plausible
from tests.commissions.api.conftest import API
from tests.conftest import bearer_client

LINE = {"sku": "SKU-1", "quantity": 1, "unit_price": "10.00"}


def valid_bodies(ids) -> dict:
    return {
        "rule": {"name": "Rule", "value": "10", "kind": "percentage", "priority": 1,
                 "associate_ids": [ids["associate"]], "product_skus": ["SKU-1"], "categories": ["Shoes"],
                 "customer_group_ids": [],
                 "customer_ids": [ids["customer"]], "min_subtotal": "1.00", "max_subtotal": "100.00",
                 "first_order_only": False, "starts_at": "2025-03-04T10:15:00+01:00", "ends_at": None,
                 "currency": "EUR", "active": True},
        "settings": {"hold_days": 3, "override_levels": [{"level": 1, "rate": "5"}]},
        "simulate": {"customer_id": ids["customer"], "associate_id": ids["associate"], "lines": [LINE],
                     "discount": "1.00", "placed_at": "2025-03-04T10:15:00+01:00"},
        "payout": {"associate_id": ids["associate"], "amount": "1.00", "method": "bank", "reference": "R",
                   "note": "", "confirm_over_balance": True},
        "adjustment": {"associate_id": ids["associate"], "amount": "-1.00", "reason": "Fix"},
        "profile": {"method": "bank", "account_holder": "Ana", "iban": "PT50000201231234567890154", "bic": "",
                    "paypal_email": "", "instructions": ""},
    }


WRITES = [
    ("post", "/commission-rules", "rule"),
    ("patch", "/commission-rules/{rule}", "rule"),
    ("put", "/commission-settings", "settings"),
    ("patch", "/commission-settings", "settings"),
    ("post", "/commissions/simulate", "simulate"),
    ("post", "/payouts", "payout"),
    ("post", "/adjustments", "adjustment"),
    ("put", "/associates/{associate}/payout-profile", "profile"),
]
READS = [
    "/commission-rules", "/commission-rules/{rule}", "/commission-settings", "/earnings", "/payouts",
    "/payouts/{payout}", "/associates/{associate}/balance", "/associates/{associate}/statement.csv",
    "/associates/{associate}/payout-profile",
]
QUERY_KEYS = ["associate_id", "status", "kind", "order_id", "active", "from", "to", "currency", "limit", "offset"]


@st.composite
def body_for(draw, shape, ids):
    body = dict(valid_bodies(ids)[shape])
    if draw(st.integers(0, 9)) == 0:
        return draw(junk)
    for name in draw(st.sets(st.sampled_from(sorted(body)), max_size=1)):
        body.pop(name)
    body.update(draw(st.dictionaries(st.sampled_from(sorted(valid_bodies(ids)[shape])), plausible(ids) | junk,
                                     max_size=2)))
    return body


def fill(path, ids, draw):
    for name in ("rule", "associate", "payout"):
        placeholder = "{" + name + "}"
        if placeholder in path:
            value = draw(st.integers(0, 7).flatmap(lambda n, real=str(ids[name]): st.just(real) if n else path_value))
            path = path.replace(placeholder, quote(value, safe="%"))
    return path


@pytest.fixture
def target(world):
    clients = {"admin": bearer_client(world.admin), "associate": bearer_client(world.ana.user),
               "manager": bearer_client(world.nora.user), "customer": bearer_client(world.shopper.user)}
    ids = {"associate": world.ana.pk, "customer": world.anas_customer.pk,
           "rule": CommissionRule.objects.create(name="Base", value="10").pk,
           "payout": record_payout(world.admin, world.ana, "1.00", "bank", confirm_over_balance=True).pk}
    return clients, ids


@FUZZ
@given(data=st.data())
def test_no_body_makes_a_commissions_write_fail(target, data):
    clients, ids = target
    method, path, shape = data.draw(st.sampled_from(WRITES), label="endpoint")
    raw = json.dumps(data.draw(body_for(shape, ids), label="body"))
    api = clients[data.draw(st.sampled_from(["admin"] * 5 + sorted(clients)), label="caller")]
    url = API + fill(path, ids, data.draw)
    with transaction.atomic():
        response = api.generic(method.upper(), url, raw, content_type="application/json")
        assert response.status_code < 500, (method, url, raw, response.content)
        transaction.set_rollback(True)


@FUZZ
@given(data=st.data())
def test_no_query_string_or_path_id_makes_a_commissions_read_fail(target, data):
    clients, ids = target
    path = data.draw(st.sampled_from(READS), label="path")
    params = data.draw(st.dictionaries(st.sampled_from(QUERY_KEYS) | st.text(max_size=5),
                                       st.sampled_from(EDGE_TEXT) | path_value | st.text(max_size=10),
                                       max_size=4), label="query")
    api = clients[data.draw(st.sampled_from(sorted(clients)), label="caller")]
    url = API + fill(path, ids, data.draw) + "?" + urlencode(params)
    response = api.get(url)
    assert response.status_code < 500, (url, response.content)
