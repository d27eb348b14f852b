"""Property: however often the daily rules job runs, over however many simulated days, in whatever order, with
orders, assignments and price changes arriving in between, no customer gets two tasks for one rule and occasion,
and a second run on the same day makes nothing."""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import event as exercised
from hypothesis import strategies as st

from shopfloor.accounts.models import SellingMode
from shopfloor.catalog.models import Product, ProductChange, ProductChangeKind
from shopfloor.clienteling import rules
from shopfloor.clienteling.models import RuleKey, Task, TaskRule
from shopfloor.customers.models import CustomerAssignment
from shopfloor.lists.models import CustomerList, ListItem, ListRoom
from shopfloor.lookbooks.models import Lookbook
from shopfloor.orders.models import Order
from tests.factories import make_associate, make_customer, make_store

START = date(2026, 12, 1)  # the span crosses a new year
SPAN = 60


def at(offset: int, hour: int = 12) -> datetime:
    return datetime.combine(START + timedelta(days=offset), time(hour), tzinfo=UTC)


events = st.lists(st.one_of(
    st.tuples(st.just("run"), st.integers(0, SPAN), st.integers(1, 3)),
    st.tuples(st.just("daily"), st.integers(0, SPAN), st.integers(1, 20)),
    st.tuples(st.just("order"), st.integers(-400, SPAN), st.integers(0, 5)),
    st.tuples(st.just("order"), st.integers(-15, SPAN), st.integers(0, 5)),
    st.tuples(st.just("assign"), st.integers(-10, SPAN), st.integers(0, 5)),
    st.tuples(st.just("change"), st.integers(-10, SPAN), st.sampled_from(ProductChangeKind.values)),
    st.tuples(st.just("lookbook"), st.integers(-10, SPAN), st.integers(0, 5)),
), min_size=1, max_size=40)

tunings = st.fixed_dictionaries({
    "days": st.integers(0, 10), "catch_up_days": st.integers(0, 10), "due_in_days": st.integers(0, 3),
})

birthdays = st.lists(st.one_of(st.none(), st.dates(date(1950, 1, 1), date(2005, 12, 31))), min_size=6, max_size=6)


def _world(birthday_list):
    north = make_store("p-north", "North", SellingMode.ASSOCIATE)
    south = make_store("p-south", "South", SellingMode.TEAM)
    ana = make_associate(north, "Ana", with_login=False)
    tom = make_associate(south, "Tom", with_login=False)
    customers = []
    for index, birthday in enumerate(birthday_list):
        store, associate = (north, ana) if index % 2 == 0 else (south, tom)
        customers.append(make_customer(store, f"C{index}", "Test", primary=associate if index % 3 else None,
                                       birthday=birthday))
    product = Product.objects.create(sku="P-1", name="Vase", price=Decimal("40.00"))
    for customer in customers[:3]:
        customer_list = CustomerList.objects.create(customer=customer, name="Ideas")
        room = ListRoom.objects.create(list=customer_list, name="Hall")
        ListItem.objects.create(list=customer_list, room=room, product=product)
    return north, ana, customers, product


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(birthday_list=birthdays, tuning=tunings, happenings=events)
def test_the_rules_never_make_a_task_twice_for_one_occasion(db, birthday_list, tuning, happenings):
    with transaction.atomic():
        north, ana, customers, product = _world(birthday_list)
        rules.ensure_rules()
        TaskRule.objects.update(enabled=True, **tuning)
        for number, (kind, day, detail) in enumerate(happenings):
            if kind == "run":
                for _ in range(detail):
                    rules.run_rules(today=START + timedelta(days=day), notify_people=False)
                # Idempotent: the same day again makes nothing.
                assert rules.run_rules(today=START + timedelta(days=day), notify_people=False).total_created == 0
            elif kind == "daily":
                for offset in range(day, day + detail):
                    rules.run_rules(today=START + timedelta(days=offset), notify_people=False)
            elif kind == "order":
                customer = customers[detail]
                Order.objects.create(external_id=f"P-{number}", customer=customer, store=customer.store,
                                     currency="EUR", subtotal=Decimal("10.00"), total=Decimal("10.00"),
                                     placed_at=at(day), attributed_associate=ana if customer.store == north else None)
            elif kind == "assign":
                assignment, _ = CustomerAssignment.objects.get_or_create(customer=customers[detail], associate=ana)
                CustomerAssignment.objects.filter(pk=assignment.pk).update(created_at=at(day))
            elif kind == "change":
                ProductChange.objects.create(product=product, kind=detail, happened_at=at(day))
            else:
                customer = customers[detail]
                Lookbook.objects.create(customer=customer, author=ana, store=customer.store, title="Look",
                                        opened_at=at(day))

        keys = Counter(Task.objects.values_list("source", "customer_id", "occasion"))
        for source in {source for source, _, _ in keys}:
            exercised(f"made {source} tasks")
        assert all(count == 1 for count in keys.values())
        # The occasions mean what they say: one birthday task per customer and year, one follow-up per order...
        birthdays_per_year = Counter(Task.objects.filter(source=RuleKey.BIRTHDAY).values_list("customer_id",
                                                                                            "occasion"))
        assert all(count == 1 for count in birthdays_per_year.values())
        for task in Task.objects.select_related("customer__store"):
            assert task.store_id == task.customer.store_id
            if task.customer.store.selling_mode == SellingMode.TEAM:
                assert task.assignee_id is None
            elif task.assignee_id is not None:
                assert task.assignee.store_id == task.store_id
        transaction.set_rollback(True)
