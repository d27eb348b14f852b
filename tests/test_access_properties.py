"""The access policy against the selling-mode matrix of DESIGN.md §3, over random worlds."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopfloor.access import Actor, customer_probe_filter, visible_customers, visible_orders
from shopfloor.accounts.models import AssociateRole, SellingMode
from shopfloor.customers.models import Customer, CustomerAssignment
from shopfloor.orders.models import Order
from tests.factories import make_associate, make_customer, make_store, make_user

worlds = st.fixed_dictionaries({
    "modes": st.lists(st.sampled_from([SellingMode.ASSOCIATE, SellingMode.TEAM]), min_size=1, max_size=3),
    "associates": st.lists(
        st.tuples(st.integers(0, 2), st.booleans(), st.booleans()), min_size=1, max_size=6
    ),  # (store index, is manager, is active)
    "customers": st.lists(
        st.tuples(st.integers(0, 2), st.lists(st.integers(0, 5), max_size=3, unique=True)),
        max_size=8,
    ),  # (home store index, assigned associate indexes; the first is primary)
    "orders": st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 2), st.none() | st.integers(0, 5)), max_size=8
    ),  # (customer index, store index, attributed associate index)
})


def expected_customers(associate, stores, customers, assignments):
    """The matrix, read straight from the design."""
    if associate is None or not associate["active"]:
        return set()
    assigned = {c for c, a in assignments if a == associate["index"]}
    if associate["manager"] or stores[associate["store"]] == SellingMode.TEAM:
        return {i for i, c in enumerate(customers) if c["store"] == associate["store"]} | assigned
    return assigned


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds)
def test_every_associate_sees_exactly_what_the_matrix_allows(db, world):
    with transaction.atomic():
        stores = [make_store(f"s{i}", f"Store {i}", mode) for i, mode in enumerate(world["modes"])]
        associates, facts = [], []
        for index, (store_index, manager, active) in enumerate(world["associates"]):
            store_index %= len(stores)
            associate = make_associate(
                stores[store_index], f"Person {index}", f"p{index}@example.com",
                role=AssociateRole.MANAGER if manager else AssociateRole.ASSOCIATE, active=active,
            )
            associates.append(associate)
            facts.append({"index": index, "store": store_index, "manager": manager, "active": active})
        customers, customer_facts, assignments = [], [], []
        for index, (store_index, assigned) in enumerate(world["customers"]):
            store_index %= len(stores)
            customer = make_customer(stores[store_index], f"C{index}", "Test")
            for position, associate_index in enumerate(a for a in assigned if a < len(associates)):
                CustomerAssignment.objects.create(
                    customer=customer, associate=associates[associate_index], is_primary=position == 0
                )
                assignments.append((index, associate_index))
            customers.append(customer)
            customer_facts.append({"store": store_index})
        orders = []
        for number, (customer_index, store_index, attributed) in enumerate(world["orders"]):
            if not customers:
                break
            customer_index %= len(customers)
            store_index %= len(stores)
            attributed_associate = associates[attributed] if attributed is not None and attributed < len(
                associates) else None
            orders.append((Order.objects.create(
                external_id=f"o{number}", customer=customers[customer_index], store=stores[store_index],
                currency="EUR", subtotal=Decimal("10.00"), total=Decimal("10.00"), placed_at=timezone.now(),
                attributed_associate=attributed_associate,
            ), customer_index, store_index, attributed))

        for associate, fact in zip(associates, facts):
            actor = Actor(associate.user)
            seen = set(visible_customers(actor).values_list("pk", flat=True))
            expected = expected_customers(fact, world["modes"], customer_facts, assignments)
            want = {customers[i].pk for i in expected}
            assert seen == want, (fact, world)
            # No duplicates from joins: the count agrees with the set.
            assert visible_customers(actor).count() == len(want)

            seen_orders = set(visible_orders(actor).values_list("pk", flat=True))
            if not fact["active"]:
                want_orders = set()
            elif fact["manager"] or world["modes"][fact["store"]] == SellingMode.TEAM:
                want_orders = {o.pk for o, _, s, a in orders if s == fact["store"] or a == fact["index"]}
            else:
                mine = {c for c, a in assignments if a == fact["index"]}
                want_orders = {o.pk for o, c, _, a in orders if c in mine or a == fact["index"]}
            assert seen_orders == want_orders, (fact, world)

        admin = Actor(make_user("root@example.com", is_staff=True))
        assert visible_customers(admin).count() == len(customers)
        assert visible_orders(admin).count() == len(orders)
        transaction.set_rollback(True)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds)
def test_the_probed_customer_filter_sees_exactly_what_visible_customers_sees(db, world):
    """The customer list reads visibility written for row-by-row probes: exactly the same rows."""
    with transaction.atomic():
        stores = [make_store(f"s{i}", f"Store {i}", mode) for i, mode in enumerate(world["modes"])]
        associates = []
        for index, (store_index, manager, active) in enumerate(world["associates"]):
            associates.append(make_associate(
                stores[store_index % len(stores)], f"Person {index}", f"p{index}@example.com",
                role=AssociateRole.MANAGER if manager else AssociateRole.ASSOCIATE, active=active,
            ))
        for index, (store_index, assigned) in enumerate(world["customers"]):
            customer = make_customer(stores[store_index % len(stores)], f"C{index}", "Test")
            for position, associate_index in enumerate(a for a in assigned if a < len(associates)):
                CustomerAssignment.objects.create(
                    customer=customer, associate=associates[associate_index], is_primary=position == 0
                )
        actors = [Actor(associate.user) for associate in associates]
        actors.append(Actor(make_user("root@example.com", is_staff=True)))
        actors.append(Actor(make_user("nobody@example.com")))
        for actor in actors:
            seen = set(visible_customers(actor).values_list("pk", flat=True))
            condition = customer_probe_filter(actor)
            probed = Customer.objects.all() if condition is None else Customer.objects.filter(condition)
            assert set(probed.values_list("pk", flat=True)) == seen, world
            assert probed.count() == len(seen)
        transaction.set_rollback(True)
