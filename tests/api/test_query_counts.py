"""List pages cost a fixed number of queries, however many rows they show (an N+1 fails here)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shopfloor.accounts.models import RepCode
from shopfloor.catalog.models import Category, Product
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
