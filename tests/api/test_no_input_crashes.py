"""No input makes the API fail with a 5xx: random JSON bodies, query strings and path ids (hypothesis).

Bodies are mostly shaped like the endpoint's own (its field names with random or plausible values) so the
values get past the schema into the services, and sometimes any JSON at all.
"""

import json
import os
from urllib.parse import quote, urlencode

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopfloor.customers.models import Agency, Business, CustomerGroup, CustomerStatus
from tests.api.conftest import API, place_order
from tests.conftest import bearer_client
from tests.factories import make_customer

EXAMPLES = int(os.environ.get("SHOPFLOOR_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

EDGE_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "NaN",
    "Infinity",
    "-1",
    "0",
    "1e309",
    "9" * 40,
    "1.005",
    "-0.01",
    "12.50",
    "2024-02-30",
    "1990-05-17",
    "2025-03-04T10:15:00",
    "2025-03-04T10:15:00+01:00",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "+351912345678",
    "912 345 678",
    "+",
    "ana@example.com",
    "a@b",
    "@",
    "x" * 300,
    "../../etc/passwd",
    "Europe/Lisbon",
    "America",
    "associate",
    "team",
    "manager",
    "active",
    "pending",
    "rejected",
    "placed",
    "completed",
    "cancelled",
    "pending_payment",
    "EUR",
    "eur",
    "PT",
    "R-1",
    "é" * 70,
    "İ" * 130 + "@example.com",
    "javascript:alert(1)",
    "/p/x",
    "https://example.com/x",
    "🙂",
    "\ud7ff",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.sampled_from([0, 1, -1, 2**63, 2**64])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(EDGE_TEXT)
)
junk = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text(max_size=8) | st.sampled_from(["sku", "code", "external_id"]), inner, max_size=4
        )
    ),
    max_leaves=10,
)

FIELDS = {
    "store": ["code", "name", "selling_mode", "currency", "timezone", "country", "approve_new_customers"],
    "associate": [
        "name",
        "email",
        "phone",
        "store_id",
        "role",
        "parent_id",
        "rep_codes",
        "referral_code",
        "active",
        "password",
    ],
    "customer": [
        "external_id",
        "email",
        "phone",
        "first_name",
        "last_name",
        "birthday",
        "store_id",
        "group_id",
        "business_id",
        "status",
        "rep_codes",
        "assigned_associate_ids",
        "primary_associate_id",
        "email_opt_in",
        "sms_opt_in",
        "tags",
    ],
    "approve": ["associate_id"],
    "group": ["name", "associate_ids"],
    "business": ["name", "external_id"],
    "agency": ["business_id", "name", "reps"],
    "product": ["sku", "name", "description", "url", "image_url", "price", "category", "in_stock"],
    "order": [
        "external_id",
        "customer_id",
        "customer_external_id",
        "store_id",
        "currency",
        "lines",
        "discount",
        "coupon_code",
        "referral_code",
        "visitor_id",
        "placed_by_associate_id",
        "status",
        "placed_at",
    ],
    "order_patch": ["status"],
    "refund": ["external_id", "amount"],
}

# (method, path with {placeholders}, body shape); bulk endpoints wrap a list of rows.
WRITES = [
    ("post", "/stores", "store"),
    ("patch", "/stores/{store}", "store"),
    ("post", "/associates", "associate"),
    ("patch", "/associates/{associate}", "associate"),
    ("post", "/customers", "customer"),
    ("patch", "/customers/{customer}", "customer"),
    ("post", "/customers/bulk", "customers:customer"),
    ("post", "/customers/{pending}/approve", "approve"),
    ("post", "/customers/{pending}/reject", "approve"),
    ("post", "/customer-groups", "group"),
    ("patch", "/customer-groups/{group}", "group"),
    ("post", "/businesses", "business"),
    ("post", "/agencies", "agency"),
    ("put", "/agencies/{agency}", "agency"),
    ("post", "/products", "product"),
    ("post", "/products/bulk", "products:product"),
    ("post", "/orders", "order"),
    ("patch", "/orders/{order}", "order_patch"),
    ("post", "/orders/{order}/refunds", "refund"),
]
READS = [
    "/me",
    "/stores",
    "/stores/{store}",
    "/associates",
    "/associates/{associate}",
    "/customers",
    "/customers/{customer}",
    "/customers/{customer}/reps",
    "/customer-groups",
    "/businesses",
    "/agencies",
    "/products",
    "/orders",
    "/orders/{order}",
    "/reports/sales",
    "/kpis",
]
QUERY_KEYS = ["q", "limit", "offset", "status", "store_id", "customer_id", "business_id", "category", "start", "end",
              "from", "to", "through_store_id"]


def make_ids(world):
    business = Business.objects.create(name="Casa", external_id="B-1")
    order = place_order(world, "ORD-1", world.anas_customer, total="50.00")
    return {
        "store": world.north.pk,
        "associate": world.ana.pk,
        "colleague": world.bruno.pk,
        "customer": world.anas_customer.pk,
        "pending": make_customer(world.north, "Paula", "Pinto", status=CustomerStatus.PENDING).pk,
        "group": CustomerGroup.objects.create(name="Trade").pk,
        "business": business.pk,
        "agency": Agency.objects.create(business=business, name="Norte").pk,
        "order": order.pk,
    }


def plausible(ids):
    """Values that pass the schema, so the services see them."""
    real = st.sampled_from(sorted(set(ids.values())) + [987654])
    line = st.fixed_dictionaries(
        {
            "sku": st.sampled_from(["A", "SKU-1", ""]),
            "quantity": st.sampled_from([1, 2, 0, 1_000_000]),
            "unit_price": st.sampled_from(["1.00", "9999999999.99", "0", "-1", "0.001"]),
        }
    )
    return (
        real
        | st.sampled_from(EDGE_TEXT)
        | st.booleans()
        | st.lists(real, max_size=3)
        | st.lists(st.sampled_from(EDGE_TEXT), max_size=3)
        | st.lists(line, min_size=1, max_size=3)
        | st.lists(
            st.fixed_dictionaries({"code": st.sampled_from(["R-1", " ", "R-2"]), "associate_id": real}),
            max_size=3,
        )
    )


def valid_body(shape, ids) -> dict:
    """A body the endpoint accepts, the starting point of most examples."""
    return {
        "store": {
            "code": "east",
            "name": "East",
            "selling_mode": "team",
            "currency": "EUR",
            "timezone": "Europe/Lisbon",
            "country": "PT",
            "approve_new_customers": True,
        },
        "associate": {
            "name": "Rita",
            "email": "rita@example.com",
            "phone": "+351912111222",
            "store_id": ids["store"],
            "parent_id": ids["colleague"],
            "rep_codes": ["R-9"],
            "password": "long-enough-1",
        },
        "customer": {
            "external_id": "E-1",
            "email": "kim@example.com",
            "phone": "+351912345678",
            "first_name": "Kim",
            "last_name": "Kay",
            "birthday": "1990-05-17",
            "store_id": ids["store"],
            "group_id": ids["group"],
            "business_id": ids["business"],
            "rep_codes": ["R-1"],
            "assigned_associate_ids": [ids["associate"]],
            "email_opt_in": True,
            "tags": ["vip"],
        },
        "approve": {"associate_id": ids["associate"]},
        "group": {"name": "Group", "associate_ids": [ids["associate"]]},
        "business": {"name": "Business", "external_id": "B-2"},
        "agency": {
            "business_id": ids["business"],
            "name": "Agency",
            "reps": [{"code": "R-1", "associate_id": ids["associate"]}],
        },
        "product": {
            "sku": "SKU-9",
            "name": "Chair",
            "price": "10.00",
            "category": "Chairs",
            "url": "/p/chair",
        },
        "order": {
            "external_id": "O-9",
            "customer_id": ids["customer"],
            "discount": "1.00",
            "lines": [{"sku": "A", "quantity": 2, "unit_price": "5.00"}],
            "placed_at": "2025-03-04T10:15:00+01:00",
        },
        "order_patch": {"status": "completed"},
        "refund": {"external_id": "RF-9", "amount": "5.00"},
    }[shape]


@st.composite
def mutated(draw, shape, ids):
    """A valid body with a few fields replaced by random or plausible values, or removed."""
    body = dict(valid_body(shape, ids))
    names = FIELDS[shape]
    for name in draw(st.sets(st.sampled_from(names), max_size=1)):
        body.pop(name, None)
    body.update(
        draw(st.dictionaries(st.sampled_from(names), plausible(ids) | junk, max_size=draw(st.integers(0, 2))))
    )
    return body


def body_for(shape, ids):
    if ":" in shape:
        key, row = shape.split(":")
        rows = st.lists(body_for(row, ids), max_size=4)
        return st.fixed_dictionaries({key: rows}) | junk
    fields = {name: junk | plausible(ids) for name in FIELDS[shape]}
    return st.integers(0, 9).flatmap(
        lambda n: (
            mutated(shape, ids) if n < 7 else st.fixed_dictionaries({}, optional=fields) if n < 9 else junk
        )
    )


path_value = st.sampled_from(
    ["0", "-1", "abc", "1.5", str(2**63), str(2**64), "9" * 40, "%00", "1%20"]
) | st.integers(-(2**70), 2**70).map(str)


def fill(path, ids, draw):
    for name in ("store", "associate", "customer", "pending", "group", "agency", "order"):
        placeholder = "{" + name + "}"
        if placeholder in path:
            # Mostly the real record, so the body gets looked at.
            value = draw(
                st.integers(0, 7).flatmap(lambda n, real=str(ids[name]): st.just(real) if n else path_value)
            )
            path = path.replace(placeholder, quote(value, safe="%"))
    return path


@pytest.fixture
def target(world):
    """The callers (one per kind of role) and the ids of real records the examples aim at."""
    clients = {
        "admin": bearer_client(world.admin),
        "associate": bearer_client(world.ana.user),
        "manager": bearer_client(world.sam.user),
        "customer": bearer_client(world.shopper.user),
    }
    return clients, make_ids(world)


@FUZZ
@given(data=st.data())
def test_no_body_makes_a_write_endpoint_fail(target, data):
    clients, ids = target
    method, path, shape = data.draw(st.sampled_from(WRITES), label="endpoint")
    body = data.draw(body_for(shape, ids), label="body")
    raw = json.dumps(body)
    if data.draw(st.integers(0, 9)) == 0:
        raw = data.draw(
            st.sampled_from(["{", "", "[]", '{"a": NaN}', raw[:-1]]) | st.text(max_size=30), label="raw"
        )
    api = clients[data.draw(st.sampled_from(["admin"] * 5 + sorted(clients)), label="caller")]
    url = API + fill(path, ids, data.draw)
    with transaction.atomic():
        # Each example starts from the same data: what it wrote is rolled back.
        response = api.generic(method.upper(), url, raw, content_type="application/json")
        assert response.status_code < 500, (method, url, raw, response.content)
        transaction.set_rollback(True)


@FUZZ
@given(data=st.data())
def test_no_query_string_or_path_id_makes_a_read_endpoint_fail(target, data):
    clients, ids = target
    path = data.draw(st.sampled_from(READS), label="path")
    params = data.draw(
        st.dictionaries(
            st.sampled_from(QUERY_KEYS) | st.text(max_size=5),
            st.sampled_from(EDGE_TEXT) | path_value | st.text(max_size=10),
            max_size=4,
        ),
        label="query",
    )
    api = clients[data.draw(st.sampled_from(sorted(clients)), label="caller")]
    url = API + fill(path, ids, data.draw) + "?" + urlencode(params)
    response = api.get(url)
    assert response.status_code < 500, (url, response.content)
