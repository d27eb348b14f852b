"""The rules job writes its tasks with one `INSERT ... SELECT ... ON CONFLICT DO NOTHING` per rule; this test
holds it to the semantics it had when candidates were fetched into Python and each task built there
(`build_task`, until the set-based rewrite): a plain-Python oracle below, written from those semantics over model
objects, must predict every task — customer, occasion, assignee, store, title, message, due date, priority — for
random worlds, tunings and sequences of days."""

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopfloor.accounts.models import Associate, SellingMode, Store
from shopfloor.catalog.models import Product, ProductChange, ProductChangeKind
from shopfloor.clienteling import rules
from shopfloor.clienteling.models import RuleKey, Task, TaskRule
from shopfloor.customers.models import Customer, CustomerAssignment, CustomerStatus
from shopfloor.lists.models import CustomerList, ListItem, ListRoom
from shopfloor.lookbooks.models import Lookbook
from shopfloor.orders.models import Order, OrderStatus
from tests.factories import make_associate, make_customer, make_store

START = date(2026, 12, 20)  # the days cross a new year
PURCHASED = (OrderStatus.PLACED, OrderStatus.COMPLETED)
AHEAD = {RuleKey.BIRTHDAY, RuleKey.PURCHASE_ANNIVERSARY}
AFTER_DAYS = {RuleKey.WIN_BACK, RuleKey.WELCOME, RuleKey.LOOKBOOK_NO_PURCHASE}
FIELD = re.compile(r"\{([a-z_]+)\}")


def at(offset: int, hour: int = 12) -> datetime:
    return datetime.combine(START + timedelta(days=offset), time(hour), tzinfo=UTC)


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


# The oracle: each rule's occasions, read object by object ------------------------------------------------


def upcoming(rule, today):
    days = {}
    for offset in range(min(rule.days, 60) + 1):
        day = today + timedelta(days=offset)
        days.setdefault(f"{day:%m-%d}", day)
        if (day.month, day.day) == (2, 28) and day.year % 4:
            days.setdefault("02-29", day)
    return days


def window(rule, today):
    last = today - timedelta(days=rule.days)
    return last - timedelta(days=rule.catch_up_days), last


def purchases(customer):
    return sorted(order.placed_at for order in customer.orders.all() if order.status in PURCHASED)


def occasions(rule, today):
    """(customer, occasion, day, preferred associate id, product, due_from) per candidate."""
    active = [c for c in Customer.objects.order_by("pk") if c.status == CustomerStatus.ACTIVE]
    key = rule.key
    if key == RuleKey.BIRTHDAY:
        days = upcoming(rule, today)
        for customer in active:
            if customer.birthday and f"{customer.birthday:%m-%d}" in days:
                day = days[f"{customer.birthday:%m-%d}"]
                yield customer, str(day.year), day, None, "", None
    elif key == RuleKey.PURCHASE_ANNIVERSARY:
        days = upcoming(rule, today)
        for customer in active:
            bought = purchases(customer)
            first = bought[0] if bought else None
            if first and first < start_of(today - timedelta(days=300)) and f"{first:%m-%d}" in days:
                day = days[f"{first:%m-%d}"]
                if first.year < day.year:
                    yield customer, str(day.year), day, None, "", None
    elif key == RuleKey.WIN_BACK:
        first, last = window(rule, today)
        for customer in active:
            bought = purchases(customer)
            within = [moment for moment in bought if start_of(first) <= moment < start_of(last + timedelta(days=1))]
            if within and not [moment for moment in bought if moment >= start_of(last + timedelta(days=1))]:
                day = within[-1].date()
                yield customer, day.isoformat(), day, None, "", day + timedelta(days=rule.days)
    elif key == RuleKey.WELCOME:
        for assignment in CustomerAssignment.objects.select_related("customer"):
            day = assignment.created_at.date()
            if (
                assignment.customer.status == CustomerStatus.ACTIVE
                and today - timedelta(days=rule.catch_up_days) <= day <= today
            ):
                yield (
                    assignment.customer,
                    f"assignment-{assignment.pk}",
                    day,
                    assignment.associate_id,
                    "",
                    day + timedelta(days=rule.days),
                )
    elif key == RuleKey.POST_PURCHASE:
        first, last = window(rule, today)
        for order in Order.objects.select_related("customer"):
            if (
                order.status in PURCHASED
                and order.customer.status == CustomerStatus.ACTIVE
                and first <= order.placed_at.date() <= last
            ):
                yield (
                    order.customer,
                    f"order-{order.pk}",
                    order.placed_at.date(),
                    order.attributed_associate_id,
                    "",
                    None,
                )
    elif key in (RuleKey.BACK_IN_STOCK, RuleKey.PRICE_DROP):
        for item in ListItem.objects.select_related("list__customer", "product"):
            if item.list.deleted_at is not None or item.list.customer.status != CustomerStatus.ACTIVE:
                continue
            for change in item.product.changes.filter(kind=key):
                day = change.happened_at.date()
                if today - timedelta(days=rule.catch_up_days) <= day <= today:
                    yield item.list.customer, f"change-{change.pk}", day, None, item.product.name, None
    else:
        first, last = window(rule, today)
        for lookbook in Lookbook.objects.select_related("customer").filter(opened_at__isnull=False):
            day = lookbook.opened_at.date()
            bought = [moment for moment in purchases(lookbook.customer) if moment >= lookbook.opened_at]
            if lookbook.customer.status == CustomerStatus.ACTIVE and first <= day <= last and not bought:
                yield (
                    lookbook.customer,
                    f"lookbook-{lookbook.pk}",
                    day,
                    lookbook.author_id,
                    "",
                    day + timedelta(days=rule.days),
                )


def assignee_of(customer, preferred_id):
    store = customer.store
    if store.selling_mode == SellingMode.TEAM:
        return None
    primary = customer.assignments.filter(is_primary=True).first()
    for associate_id in (preferred_id, primary.associate_id if primary else None):
        associate = Associate.objects.filter(pk=associate_id).first() if associate_id else None
        if associate is not None and associate.active and associate.store_id == store.pk:
            return associate
    return None


def fill(template, values):
    return FIELD.sub(lambda match: values.get(match.group(1), match.group(0)), template)


def expected_tasks(today, known: dict) -> None:
    """Adds to `known` ((source, customer id, occasion) → fields) the tasks a run on `today` makes."""
    for rule in TaskRule.objects.filter(enabled=True).order_by("pk"):
        for customer, occasion, day, preferred_id, product, due_from in occasions(rule, today):
            key = (rule.key, customer.pk, occasion)
            if key in known:
                continue
            assignee = assignee_of(customer, preferred_id)
            values = {
                "first_name": customer.first_name or "there",
                "last_name": customer.last_name,
                "associate_name": assignee.name if assignee else customer.store.name,
                "store_name": customer.store.name,
                "product": product,
                "date": f"{day:%-d %b %Y}",
            }
            base = due_from or day
            due = (
                base - timedelta(days=rule.due_in_days)
                if rule.key in AHEAD
                else base + timedelta(days=rule.due_in_days)
            )
            known[key] = {
                "title": fill(rule.title, values).strip()[:200],
                "suggested_message": fill(rule.message, values),
                "store_id": customer.store_id,
                "assignee_id": assignee.pk if assignee else None,
                "due_on": max(due, today),
                "priority": rule.priority,
                "rule_id": rule.pk,
                "status": "open",
            }


def made_tasks() -> dict:
    return {
        (task.source, task.customer_id, task.occasion): {
            "title": task.title,
            "suggested_message": task.suggested_message,
            "store_id": task.store_id,
            "assignee_id": task.assignee_id,
            "due_on": task.due_on,
            "priority": task.priority,
            "rule_id": task.rule_id,
            "status": task.status,
        }
        for task in Task.objects.all()
    }


# The worlds -------------------------------------------------------------------------------------------------

people = st.lists(
    st.tuples(
        st.sampled_from(["Ana", "", "Zoë", "O'Neil"]),  # first name ("" → "there")
        st.sampled_from(["Almeida", "", "Dupont-Smith"]),
        st.one_of(st.none(), st.dates(date(1960, 1, 1), date(2004, 12, 31))),
        st.integers(0, 3),  # 0 team store, 1 own associate, 2 other store's, 3 none
        st.sampled_from([CustomerStatus.ACTIVE, CustomerStatus.ACTIVE, "pending"]),
    ),
    min_size=1,
    max_size=6,
)

happenings = st.lists(
    st.one_of(
        st.tuples(
            st.just("order"), st.integers(-800, 20), st.integers(0, 5), st.sampled_from(PURCHASED + ("cancelled",))
        ),
        st.tuples(st.just("assign"), st.integers(-12, 20), st.integers(0, 5), st.just("")),
        st.tuples(
            st.just("change"), st.integers(-12, 20), st.integers(0, 5), st.sampled_from(ProductChangeKind.values)
        ),
        st.tuples(st.just("lookbook"), st.integers(-15, 20), st.integers(0, 5), st.just("")),
    ),
    max_size=25,
)

tunings = st.fixed_dictionaries(
    {
        "days": st.integers(0, 12),
        "catch_up_days": st.integers(0, 5),
        "due_in_days": st.integers(0, 3),
    }
)
templates = st.sampled_from(
    [
        None,
        ("{first_name}, {date}: {product} {associate_name} {unknown}", "Hi {first_name} — {store_name} {date}"),
        ("  {last_name}  ", ""),
    ]
)


def build(population, events):
    north = make_store("e-north", "North", SellingMode.ASSOCIATE)
    south = make_store("e-south", "South", SellingMode.TEAM)
    ana = make_associate(north, "Ana Pop", with_login=False)
    gone = make_associate(north, "Gone", with_login=False, active=False)
    tom = make_associate(south, "Tom", with_login=False)
    customers = []
    for index, (first, last, birthday, kind, status) in enumerate(population):
        store = south if kind == 0 else north
        primary = {0: tom, 1: ana if index % 2 else gone, 2: tom, 3: None}[kind]
        customer = make_customer(
            store, first, last or "X", primary=primary, birthday=birthday, email=f"e{index}@example.com"
        )
        Customer.objects.filter(pk=customer.pk).update(status=status, last_name=last)
        customers.append(customer)
    products = [Product.objects.create(sku=f"E-{n}", name=f"Vase {n}", price=Decimal("40.00")) for n in range(2)]
    for index, customer in enumerate(customers):
        customer_list = CustomerList.objects.create(customer=customer, name="Ideas")
        room = ListRoom.objects.create(list=customer_list, name="Hall")
        ListItem.objects.create(list=customer_list, room=room, product=products[index % 2])
    for number, (kind, day, who, detail) in enumerate(events):
        customer = customers[who % len(customers)]
        if kind == "order":
            Order.objects.create(
                external_id=f"E-{number}",
                customer=customer,
                store=customer.store,
                currency="EUR",
                subtotal=Decimal("10.00"),
                total=Decimal("10.00"),
                status=detail,
                placed_at=at(day, hour=number % 24),
                attributed_associate=ana if customer.store == north and number % 2 else None,
            )
        elif kind == "assign":
            assignment, _ = CustomerAssignment.objects.get_or_create(customer=customer, associate=ana)
            CustomerAssignment.objects.filter(pk=assignment.pk).update(created_at=at(day))
        elif kind == "change":
            ProductChange.objects.create(product=products[who % 2], kind=detail, happened_at=at(day))
        else:
            Lookbook.objects.create(
                customer=customer,
                author=ana if number % 2 else tom,
                store=customer.store,
                title="Look",
                opened_at=at(day, hour=number % 24),
            )
    assert Store.objects.count() == 2


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    population=people,
    events=happenings,
    tuning=tunings,
    template=templates,
    days=st.lists(st.integers(0, 15), min_size=1, max_size=4),
)
def test_the_insert_path_makes_exactly_the_tasks_the_python_path_made(db, population, events, tuning, template, days):
    with transaction.atomic():
        build(population, events)
        rules.ensure_rules()
        TaskRule.objects.update(enabled=True, **tuning)
        if template is not None:
            TaskRule.objects.update(title=template[0], message=template[1])
        expected: dict = {}
        for offset in days:
            today = START + timedelta(days=offset)
            before = len(expected)
            expected_tasks(today, expected)
            result = rules.run_rules(today=today, notify_people=False)
            assert result.total_created == len(expected) - before
            assert made_tasks() == expected
        transaction.set_rollback(True)


def test_the_oracle_sees_every_rule(db):
    """The worlds above reach every rule (else the equality would prove little)."""
    build(
        [("Ana", "Almeida", date(1990, 12, 22), 1, CustomerStatus.ACTIVE)],
        [
            ("order", -700, 0, OrderStatus.COMPLETED),
            ("order", -3, 0, OrderStatus.COMPLETED),
            ("assign", 0, 0, ""),
            ("change", 0, 0, ProductChangeKind.PRICE_DROP),
            ("change", 0, 1, ProductChangeKind.BACK_IN_STOCK),
            ("lookbook", -3, 0, ""),
        ],
    )
    Customer.objects.update(first_name="Ana")
    Order.objects.filter(external_id="E-0").update(placed_at=datetime(2024, 12, 21, 12, tzinfo=UTC))
    CustomerList.objects.exclude(items__product__name="Vase 0").delete()
    rules.ensure_rules()
    TaskRule.objects.update(enabled=True, days=3, catch_up_days=1)
    ListItem.objects.update(product=Product.objects.get(name="Vase 0"))
    ProductChange.objects.update(product=Product.objects.get(name="Vase 0"))
    expected: dict = {}
    expected_tasks(START, expected)
    rules.run_rules(today=START, notify_people=False)
    assert made_tasks() == expected
    assert {source for source, _, _ in expected} >= {
        RuleKey.BIRTHDAY,
        RuleKey.PURCHASE_ANNIVERSARY,
        RuleKey.WELCOME,
        RuleKey.POST_PURCHASE,
        RuleKey.PRICE_DROP,
        RuleKey.BACK_IN_STOCK,
    }
