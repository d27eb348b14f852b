"""The order intake's hand-written reads and writes (`shopfloor.rows`) match the ORM's, field for field."""

from datetime import UTC, datetime
from decimal import Decimal

from shopfloor.accounts.models import Associate, AuditEvent, Store
from shopfloor.customers.models import Customer
from shopfloor.orders.models import Order
from shopfloor.rows import Columns, fetch, insert

CUSTOMER, STORE, ASSOCIATE = Columns(Customer, "c"), Columns(Store, "s"), Columns(Associate, "a")


def fields_of(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_a_customer_and_their_store_read_by_columns_equal_the_orm_instances_field_for_field(world):
    customer = world.anas_customer
    rows = fetch(
        f"SELECT {CUSTOMER.sql()}, {STORE.sql()} FROM {CUSTOMER.table()} "
        f"{STORE.join(STORE.column('id') + ' = ' + CUSTOMER.column('store'))} WHERE {CUSTOMER.column('id')} = %s",
        [customer.pk],
    )
    read_customer, read_store = CUSTOMER.instance(rows[0]), STORE.instance(rows[0], len(CUSTOMER))
    assert fields_of(read_customer) == fields_of(Customer.objects.get(pk=customer.pk))
    assert fields_of(read_store) == fields_of(Store.objects.get(pk=world.north.pk))
    assert read_customer.get_deferred_fields() == set()
    assert read_customer._state.adding is False


def test_an_inactive_associate_reads_back_as_the_boolean_false_and_an_outer_join_miss_as_none(world):
    Associate.objects.filter(pk=world.bruno.pk).update(active=False)
    rows = fetch(
        f"SELECT {ASSOCIATE.sql()}, {STORE.sql()} FROM {ASSOCIATE.table()} "
        f"{STORE.join(STORE.column('id') + ' = 0', kind='LEFT OUTER')} WHERE {ASSOCIATE.column('id')} = %s",
        [world.bruno.pk],
    )
    bruno = ASSOCIATE.instance(rows[0])
    assert bruno.active is False
    assert fields_of(bruno) == fields_of(Associate.objects.get(pk=world.bruno.pk))
    assert STORE.instance(rows[0], len(ASSOCIATE)) is None


def _order(external_id: str) -> Order:
    return Order(
        external_id=external_id, customer=None, store_id=None, currency="EUR", subtotal=Decimal("10.10"),
        discount=Decimal("0.10"), total=Decimal("10.00"), placed_at=datetime(2025, 3, 4, 9, 15, 0, 123456, UTC),
        attribution_rule="none", attribution_evidence={"summary": "No rule matched.", "why": None, "n": [1, "2"]},
    )


def test_insert_writes_the_values_bulk_create_writes_and_hands_back_saved_instances(world):
    ours, theirs = _order("ROWS-1"), _order("ROWS-2")
    ours.store = theirs.store = world.north
    assert insert([ours]) == [ours]
    Order.objects.bulk_create([theirs])
    assert ours.pk is not None and ours._state.adding is False
    assert ours.created_at is not None and ours.updated_at is not None  # auto_now_add and auto_now, stamped
    ignored = {"id", "external_id", "created_at", "updated_at"}
    written = {row["external_id"]: {k: v for k, v in row.items() if k not in ignored}
               for row in Order.objects.filter(external_id__startswith="ROWS-").values()}
    assert written["ROWS-1"] == written["ROWS-2"]
    assert written["ROWS-1"]["placed_at"] == datetime(2025, 3, 4, 9, 15, 0, 123456, UTC)
    assert written["ROWS-1"]["attribution_evidence"] == {"summary": "No rule matched.", "why": None, "n": [1, "2"]}


def test_insert_writes_several_rows_in_one_statement_in_their_order(world, django_assert_num_queries):
    events = [AuditEvent(verb=f"test.{n}", target_type="orders.order", target_id=str(n), data={"n": n})
              for n in range(3)]
    with django_assert_num_queries(1):
        insert(events)
    assert [event.pk for event in events] == sorted(event.pk for event in events)
    assert list(AuditEvent.objects.filter(pk__in=[e.pk for e in events]).order_by("pk").values_list("verb", "data")) \
        == [("test.0", {"n": 0}), ("test.1", {"n": 1}), ("test.2", {"n": 2})]


def test_insert_hands_the_database_exactly_the_values_bulk_create_does(world):
    """Times (in any zone), money and JSON take a short road to the database: the stored values are the ORM's."""
    from datetime import timedelta, timezone

    from django.db import connection

    def order(external_id):
        made = _order(external_id)
        made.store = world.north
        made.placed_at = datetime(2025, 3, 4, 9, 15, 0, 5, timezone(timedelta(hours=1)))
        made.subtotal, made.discount, made.total = Decimal("10.1"), Decimal("0"), Decimal("10.1")
        made.attribution_evidence = [{"a": "1.5"}, None, 3.25, "é"]
        return made

    insert([order("RAW-1")])
    Order.objects.bulk_create([order("RAW-2")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM orders_order WHERE external_id IN (%s, %s) ORDER BY external_id",
                       ["RAW-1", "RAW-2"])
        columns = [column[0] for column in cursor.description]
        ours, theirs = ({k: v for k, v in zip(columns, row, strict=True)
                         if k not in ("id", "external_id", "created_at", "updated_at")} for row in cursor.fetchall())
    assert ours == theirs


def test_a_recorded_order_comes_back_with_its_lines_in_memory_and_its_relations_still_filter(
    world, django_assert_num_queries
):
    from shopfloor.access import Actor
    from shopfloor.orders.services import record_order

    def body(external_id, skus):
        return {"external_id": external_id, "customer_id": world.anas_customer.pk,
                "lines": [{"sku": sku, "quantity": 1, "unit_price": Decimal("2.50")} for sku in skus]}

    record_order(Actor(world.admin), body("MEM-0", ["A", "B"]))
    order, created = record_order(Actor(world.admin), body("MEM-1", ["A", "C"]))
    assert created
    with django_assert_num_queries(0):
        assert [line.sku for line in order.lines.all()] == ["A", "C"]
        assert list(order.refunds.all()) == []
        assert all(line.order is order for line in order.lines.all())
    # Filtering further reads the database, and only this order's lines, as a prefetched relation does.
    assert [line.sku for line in order.lines.filter(sku="A")] == ["A"]
    assert order.lines.count() == 2
    assert [line.order_id for line in order.lines.order_by("sku")] == [order.pk, order.pk]
    assert order.refunds.exists() is False
