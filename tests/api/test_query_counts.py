"""List pages cost a fixed number of queries, however many rows they show (an N+1 fails here)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shopfloor.accounts.models import AuditEvent, RepCode
from shopfloor.catalog.models import Category, Product
from shopfloor.commissions.models import CommissionRule, CommissionSettings, LedgerEntry
from shopfloor.customers.models import Agency, AgencyRep, Business, CustomerGroup, CustomerRepCode
from shopfloor.orders.models import Order, OrderLine, Refund
from tests.api.conftest import API
from tests.factories import make_associate, make_customer


def grow_customers(world, start: int, count: int):
    """South customers, each with two associates, two rep codes, an order of two lines and two refunds."""
    for n in range(start, start + count):
        customer = make_customer(world.south, f"Grown{n}", "Many", primary=world.tom, others=[world.tina])
        CustomerRepCode.objects.bulk_create(
            [CustomerRepCode(customer=customer, code=f"R{n}-{i}") for i in range(2)]
        )
        order = Order.objects.create(
            external_id=f"G-{n}",
            customer=customer,
            store=world.south,
            currency="EUR",
            subtotal=Decimal("30.00"),
            total=Decimal("30.00"),
            placed_at=timezone.now(),
            attributed_store=world.south,
            influencer=world.tom,
        )
        OrderLine.objects.bulk_create(
            [
                OrderLine(
                    order=order,
                    sku=f"S{i}",
                    quantity=1,
                    unit_price=Decimal("15.00"),
                    line_total=Decimal("15.00"),
                )
                for i in range(2)
            ]
        )
        Refund.objects.bulk_create(
            [Refund(order=order, external_id=f"GR-{n}-{i}", amount=Decimal("5.00")) for i in range(2)]
        )


def grow_organisation(world, start: int, count: int):
    """Associates with rep codes and logins, groups and agencies with associates, products with categories."""
    business, _ = Business.objects.get_or_create(name="Business")
    for n in range(start, start + count):
        associate = make_associate(world.south, f"Grown {n}", f"grown{n}@example.com")
        RepCode.objects.create(associate=associate, code=f"G{n}")
        CustomerGroup.objects.create(name=f"Group {n}").associates.set([world.tom, associate])
        agency = Agency.objects.create(business=business, name=f"Agency {n}")
        AgencyRep.objects.bulk_create(
            [AgencyRep(agency=agency, code=f"A{n}-{i}", associate=world.tom) for i in range(2)]
        )
        category = Category.objects.create(name=f"Category {n}", slug=f"category-{n}")
        Product.objects.create(sku=f"SKU-{n}", name=f"Product {n}", price=Decimal("10.00"), category=category)


def queries(api, path):
    api.get(f"{API}{path}")  # the token's first use stamps it; measure the steady state
    with CaptureQueriesContext(connection) as captured:
        response = api.get(f"{API}{path}")
    assert response.status_code == 200
    return len(captured), response.json()


@pytest.mark.parametrize(
    ("who", "path", "grow"),
    [
        ("admin", "/customers", grow_customers),
        ("tina", "/customers", grow_customers),
        ("sam", "/customers", grow_customers),
        ("admin", "/orders", grow_customers),
        ("tina", "/orders", grow_customers),
        ("sam", "/orders", grow_customers),
        ("admin", "/associates", grow_organisation),
        ("tom", "/associates", grow_organisation),
        ("admin", "/products", grow_organisation),
        ("admin", "/agencies", grow_organisation),
        ("admin", "/customer-groups", grow_organisation),
    ],
)
def test_a_list_page_costs_the_same_queries_for_3_rows_and_for_25(world, api_as, who, path, grow):
    api = api_as(world.admin if who == "admin" else getattr(world, who).user)
    grow(world, 0, 3)
    few, _ = queries(api, path)
    grow(world, 3, 22)
    many, body = queries(api, path)
    assert many == few
    assert body["count"] >= 25


def test_the_customers_page_of_an_associate_stays_within_its_budget(
    world, api_as, django_assert_max_num_queries
):
    grow_customers(world, 0, 30)
    api = api_as(world.tina.user)
    api.get(f"{API}/customers")
    # token, associate, page, count, rep codes, assignments
    with django_assert_max_num_queries(6):
        assert api.get(f"{API}/customers").json()["count"] == 33


def test_the_orders_page_of_a_manager_stays_within_its_budget(world, api_as, django_assert_max_num_queries):
    grow_customers(world, 0, 30)
    api = api_as(world.sam.user)
    api.get(f"{API}/orders")
    # token, associate, page, count, lines, refunds
    with django_assert_max_num_queries(6):
        assert api.get(f"{API}/orders").json()["count"] == 30


# POST /orders: the statements of one order ------------------------------------------------------------


def _statements(captured) -> list[str]:
    """`SELECT table` / `INSERT table` per statement, by the table each names first; transaction control left out
    (SQLite logs BEGIN and COMMIT, PostgreSQL does not)."""
    kinds = []
    for query in captured.captured_queries:
        # PostgreSQL's UNION puts each SELECT in parentheses: "(SELECT ...) UNION ALL (SELECT ...)".
        words = query["sql"].replace('"', "").lstrip("(").split()
        if words[1:2] == ["times:"]:
            # Django logs an executemany as "N times: INSERT ...": one statement all the same.
            words = words[2:]
        verb = words[0].upper()
        if verb in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK"):
            continue
        marker = "INTO" if verb == "INSERT" else "FROM"
        kinds.append(f"{verb} {words[words.index(marker) + 1]}")
    return kinds


@pytest.fixture
def upline_world(world):
    """The bench's case: a seller without a login under two uplines, a 10% rule, three override levels."""
    lead = make_associate(world.north, "Lead", with_login=False)
    manager = make_associate(world.north, "Manager", parent=lead, with_login=False)
    seller = make_associate(world.north, "Seller", parent=manager, with_login=False)
    customer = make_customer(world.north, "Uma", "Upline", primary=seller)
    CommissionRule.objects.create(name="Ten percent", kind="percentage", value=Decimal("10"))
    CommissionSettings.objects.update_or_create(pk=1, defaults={"override_levels": [
        {"level": 1, "rate": "5.00"}, {"level": 2, "rate": "2.00"}, {"level": 3, "rate": "1.00"}]})
    Product.objects.create(sku="SOFA-1", name="Sofa", price=Decimal("100.00"))
    return customer


def _order(customer, external_id, extra_lines=0):
    return {"external_id": external_id, "customer_id": customer.pk, "visitor_id": "v-42",
            "lines": [{"sku": "SOFA-1", "quantity": 1, "unit_price": "100.00"},
                      {"sku": "LAMP-2", "quantity": 2, "unit_price": "10.00"},
                      *({"sku": f"EXTRA-{n}", "quantity": 1, "unit_price": "5.00"} for n in range(extra_lines))]}


# The statements of an order credited by its primary assignment, however many lines it has.
ORDER_STATEMENTS = [
    "SELECT accounts_apitoken",  # the bearer token, its user (and the user's associate)
    "SELECT customers_customer",  # the customer with their store
    "SELECT catalog_product",  # the lines' products
    "SELECT orders_attributionsettings",  # the attribution windows, read when rule 3 first needs them
    "SELECT commissions_referralclick",  # rule 3: the visitor's referral click
    "SELECT orders_interaction",  # rule 4: an associate's interaction with the customer
    "SELECT customers_customerassignment",  # rule 5: the customer's primary associate
    "INSERT orders_order",
    "INSERT orders_orderline",  # every line at once
    "INSERT accounts_auditevent",  # order.recorded
    "SELECT commissions_commissionsettings",  # the override levels (read afresh: no cache)
    "SELECT commissions_commissionrule",  # the active rules
    "SELECT commissions_commissionrule_associates",  # and their conditions, one query for every kind
    "SELECT accounts_associate",  # the seller's upline chain, one join per override level
    "INSERT commissions_orderaccrual",
    "INSERT commissions_ledgerentry",  # every earning and override at once
    "INSERT accounts_auditevent",  # commissions.order_accrued
    "SELECT orders_refund",  # the answer: the order's refunds (none)
    "SELECT orders_orderline",  # the answer: the order's lines
]


def test_recording_an_order_credited_to_a_primary_associate_takes_nineteen_statements(
    world, admin_api, upline_world
):
    """The intake reads through the ORM: token, customer, products, the attribution windows, one query per
    attribution rule that looks for evidence (click, interaction, primary assignment); then the commissions
    (told by the orders' signal) read the rules and settings (three reads) and the seller's upline chain.
    The lines and the ledger rows are one INSERT each; the answer reads the order's refunds and lines. The
    seller has no login, so the sale notification reads nothing more. A longer order takes the same statements."""
    admin_api.post(f"{API}/orders", _order(upline_world, "WARM-1"), content_type="application/json")
    with CaptureQueriesContext(connection) as captured:
        response = admin_api.post(f"{API}/orders", _order(upline_world, "Q-1"), content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["attribution"]["rule"] == "primary_associate"
    assert _statements(captured) == ORDER_STATEMENTS
    order = Order.objects.get(external_id="Q-1")
    # The seller's 10% of each line, then the manager's 5% and the lead's 2% of 120.00.
    assert list(LedgerEntry.objects.filter(order=order).order_by("pk").values_list("kind", "level", "amount")) == [
        ("earning", 0, Decimal("10.00")), ("earning", 0, Decimal("2.00")),
        ("override", 1, Decimal("6.00")), ("override", 2, Decimal("2.40")),
    ]
    assert list(AuditEvent.objects.filter(target_id=str(order.pk)).order_by("pk").values_list("verb", flat=True)) \
        == ["order.recorded", "commissions.order_accrued"]

    # Twelve lines: the same nineteen statements.
    with CaptureQueriesContext(connection) as captured:
        response = admin_api.post(f"{API}/orders", _order(upline_world, "Q-2", extra_lines=10),
                                  content_type="application/json")
    assert response.status_code == 201, response.content
    assert len(response.json()["lines"]) == 12
    assert _statements(captured) == ORDER_STATEMENTS
    assert LedgerEntry.objects.filter(order__external_id="Q-2", kind="earning").count() == 12
