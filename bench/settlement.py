#!/usr/bin/env python3
"""Commission settlement at scale against a plain-SQL floor, and POST /api/v1/orders throughput.

    python bench/settlement.py [--orders 1000000] [--database sqlite|postgres|both]
                               [--api-orders 2000] [--batch-size 5000] [--keep]
                               [--http CONNECTIONS] [--profile FILE]

For each database it generates, into a database of its own (a SQLite file under --data-dir,
or the PostgreSQL database named by --postgres-url, created and dropped here), five stores,
fifty associates in a three-level hierarchy (5 leads ← 15 managers ← 30 sellers), 200
products in 8 categories, 20,000 customers in 4 groups, 20 commission rules of every kind
with conditions, three override levels, and N orders of about three lines each, already
attributed (bulk loaded with COPY on PostgreSQL, executemany on SQLite). Then, in one run:

1. settlement: `commissions.settlement.settle_orders()` computes and writes every earning and
   override, every order's accrual marker (with the seller and upline chain it copies), and one
   audit event per batch, through the ORM (bulk_create), one transaction per batch; with the
   ledger rows per settled order;
2. the floor: the same ledger rows, read back, inserted again with plain SQL (executemany)
   into a table with the ledger's columns, indexes and constraints — what writing the rows
   costs with no computation at all; the ratio settlement / floor is the engine's overhead.
   The bytes per row that table and its indexes take are reported with it;
3. API throughput: sequential POST /api/v1/orders through Django's test client with a bearer
   token (authentication, validation, attribution by the customer's primary associate, a 10%
   rule, three override levels, serialization), with the queries per order; `--profile FILE`
   writes a cProfile of these posts;
4. with `--http N`: the same posts to one uvicorn process (the ASGI application as deployed) over
   N keep-alive connections, with the server process's CPU seconds read from /proc.

Each timing is reported as wall seconds and as CPU seconds of this process. On SQLite all the
work happens in this process, so on a shared, loaded machine (where wall time mostly measures the
queue for a core) the CPU ratio settlement / floor is the steadier figure; on PostgreSQL the
server's work is in other processes and only the wall figures count.

Figures are printed and written as JSON to bench/results/ (git-ignored).
"""

import argparse
import cProfile
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from common import (
    ROOT,
    add_database_arguments,
    bulk_insert,
    ratio,
    run_databases,
    use_database,
    write_figures,
)

# The targets ("Plain and durable…"): the ratio at any size, the seconds at 1,000,000 orders on SQLite,
# and the orders per second through one uvicorn process with 8 connections, per database.
TARGET_RATIO = 3.0
TARGET_SQLITE_SECONDS = 120.0
TARGET_HTTP_ORDERS_PER_SECOND = {"sqlite": 200.0, "postgres": 150.0}
CUSTOMERS = 20_000
PRODUCTS = 200
CATEGORIES = 8
LOAD_CHUNK = 100_000
FLOOR_CHUNK = 25_000
START = datetime(2025, 1, 1, tzinfo=UTC)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000, help="How many orders to settle.")
    add_database_arguments(parser, "shopfloor_bench_settle")
    parser.add_argument("--api-orders", type=int, default=2000, help="Orders posted to the API (0: skip).")
    parser.add_argument("--batch-size", type=int, default=5000, help="settle_orders' orders per transaction.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="Keep the generated database.")
    parser.add_argument("--profile", type=Path, default=None,
                        help="Write a cProfile of the timed API posts here (pstats format).")
    parser.add_argument("--http", type=int, default=0, metavar="CONNECTIONS",
                        help="Also post --api-orders through one uvicorn process over this many keep-alive "
                             "connections (0: skip).")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    results = run_databases(__file__, args, run_database, print_summary,
                            ("orders", "api_orders", "batch_size", "seed", "data_dir", "postgres_url", "http"),
                            ("keep",))
    targets = {"ratio_to_floor": TARGET_RATIO, "sqlite_seconds": TARGET_SQLITE_SECONDS,
               "http_orders_per_second": TARGET_HTTP_ORDERS_PER_SECOND}
    write_figures("settlement", {"orders": args.orders, "targets": targets}, results, args.json,
                  f"settlement-{args.orders}")
    return 0


def print_summary(result: dict) -> None:
    settle, floor = result["settlement"], result["floor"]
    print(f"[{result['database']}] settlement of {result['orders']:,} orders ({result['lines']:,} lines): "
          f"{settle['seconds']:.1f} s, {settle['ledger_rows']:,} ledger rows, "
          f"{settle['orders_per_second']:,.0f} orders/s")
    print(f"[{result['database']}] floor (plain SQL insert of {floor['rows']:,} ledger rows): "
          f"{floor['seconds']:.1f} s -> ratio {result['ratio_to_floor']:.2f} (target <= {TARGET_RATIO})")
    print(f"[{result['database']}] CPU seconds of this process: settlement {settle['cpu_seconds']:.1f}, "
          f"floor {floor['cpu_seconds']:.1f} -> ratio {result['cpu_ratio_to_floor']:.2f}")
    api = result.get("api")
    if api:
        print(f"[{result['database']}] POST /api/v1/orders: {api['orders_per_second']:.0f} orders/s "
              f"(p50 {api['p50_ms']:.2f} ms, p95 {api['p95_ms']:.2f} ms), {api['queries_per_order']:.1f} "
              f"queries per order; "
              f"{api['orders_per_cpu_second']:.0f} orders per CPU second of this process")
    http = result.get("http")
    if http:
        print(f"[{result['database']}] POST /api/v1/orders through uvicorn ({http['connections']} keep-alive "
              f"connections): {http['orders_per_second']:.0f} orders/s (p50 {http['p50_ms']:.2f} ms, "
              f"p95 {http['p95_ms']:.2f} ms; target >= {TARGET_HTTP_ORDERS_PER_SECOND[result['database']]:.0f}/s); "
              f"{http['orders_per_cpu_second']:.0f} orders per CPU second of the server process")


# One database -----------------------------------------------------------------------------------------


def run_database(database: str, args) -> dict:
    bench_database = use_database(database, args.data_dir, f"settlement-{args.orders}-{os.getpid()}.sqlite3",
                                  args.postgres_url)
    bench_database.create()
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0, interactive=False)
        started = time.perf_counter()
        world = generate(args.orders, args.seed)
        print(f"[{database}] generated {args.orders:,} orders, {world['lines']:,} lines in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        result = {"database": database, "orders": args.orders, "lines": world["lines"],
                  "rules": 20, "associates": 50, "override_levels": 3,
                  "generated_in_s": round(time.perf_counter() - started, 1)}
        result["settlement"] = measure_settlement(args.batch_size)
        result["floor"] = measure_floor()
        result["ratio_to_floor"] = ratio(result["settlement"]["seconds"], result["floor"]["seconds"])
        # On a shared, loaded machine wall time mostly measures the queue for a CPU; on SQLite every
        # cycle is spent in this process, so the ratio of CPU times is the steadier figure there.
        result["cpu_ratio_to_floor"] = ratio(result["settlement"]["cpu_seconds"], result["floor"]["cpu_seconds"])
        if args.api_orders:
            result["api"] = measure_api(args.api_orders, world, args.profile)
        if args.api_orders and args.http:
            result["http"] = measure_http(args.api_orders, world, args.http)
        print_summary(result)
        return result
    finally:
        connection.close()
        if not args.keep:
            bench_database.remove()


# Data -------------------------------------------------------------------------------------------------


def generate(total_orders: int, seed: int) -> dict:
    """The agency, its rules and `total_orders` attributed orders; returns what the API bench needs."""
    from django.db import transaction

    from shopfloor.accounts.models import Associate, SellingMode, Store, User
    from shopfloor.catalog.models import Category, Product
    from shopfloor.commissions.models import CommissionSettings
    from shopfloor.customers.models import Customer, CustomerAssignment, CustomerGroup
    from shopfloor.orders.models import Order, OrderLine, OrderStatus

    rng = random.Random(seed)
    with transaction.atomic():
        stores = [Store.objects.create(code=f"s{i}", name=f"Store {i}", selling_mode=SellingMode.ASSOCIATE,
                                       currency="EUR") for i in range(5)]
        leads = [Associate.objects.create(store=stores[i], name=f"Lead {i}") for i in range(5)]
        managers = [Associate.objects.create(store=stores[i // 3], name=f"Manager {i}", parent=leads[i // 3],
                                             active=i != 7) for i in range(15)]
        sellers = [Associate.objects.create(store=stores[i // 6], name=f"Seller {i}", parent=managers[i // 2])
                   for i in range(30)]
        categories = [Category.objects.create(name=f"Category {i}", slug=f"category-{i}")
                      for i in range(CATEGORIES)]
        products = [Product.objects.create(
            sku=f"SKU{i:04d}", name=f"Product {i}", price=Decimal(rng.randrange(500, 30000)) / 100,
            category=categories[i % CATEGORIES] if i % 25 else None) for i in range(PRODUCTS)]
        groups = [CustomerGroup.objects.create(name=f"Group {i}") for i in range(4)]
        CommissionSettings.objects.update_or_create(pk=1, defaults={"hold_days": 14, "override_levels": [
            {"level": 1, "rate": "5.00"}, {"level": 2, "rate": "2.00"}, {"level": 3, "rate": "1.00"}]})
        make_rules(sellers, managers, categories, products, groups)
        User.objects.create_user(email="bench-admin@example.com", password="bench-password-1",
                                 is_staff=True, is_superuser=True)

    now = datetime.now(UTC)
    customer_rows = [
        {"store_id": stores[i % 5].pk, "group_id": groups[i % 4].pk if i % 3 else None,
         "first_name": f"First{i}", "last_name": f"Last{i}", "email": f"c{i}@example.com",
         "external_id": f"c{i}", "created_at": now, "updated_at": now}
        for i in range(CUSTOMERS)
    ]
    bulk_insert(Customer, customer_rows)
    customer_ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    # The API's customers are credited to a seller by rule 5 (their primary associate).
    api_customers = customer_ids[:300]
    bulk_insert(CustomerAssignment, [
        {"customer_id": customer_id, "associate_id": sellers[i % 30].pk, "is_primary": True, "created_at": now}
        for i, customer_id in enumerate(api_customers)])

    statuses = ([OrderStatus.PLACED] * 70 + [OrderStatus.COMPLETED] * 25 + [OrderStatus.CANCELLED] * 3
                + [OrderStatus.PENDING_PAYMENT] * 2)
    # Mostly the sellers; some orders sold by managers and leads; a few credited to nobody.
    credited = [a.pk for a in sellers] * 6 + [a.pk for a in managers] * 2 + [a.pk for a in leads] + [None] * 5
    store_of = {a.pk: a.store_id for a in (*leads, *managers, *sellers)}
    prices = [(p.pk, p.sku, p.price) for p in products]
    seconds = 365 * 24 * 3600
    order_id = line_total_count = 0
    for start in range(0, total_orders, LOAD_CHUNK):
        order_rows, line_rows = [], []
        for _ in range(min(LOAD_CHUNK, total_orders - start)):
            order_id += 1
            associate_id = rng.choice(credited)
            customer_id = rng.choice(customer_ids) if rng.random() < 0.9 else None
            subtotal = Decimal("0.00")
            for _ in range(rng.choice((1, 2, 3, 3, 4, 5))):
                product_id, sku, price = rng.choice(prices)
                quantity = rng.choice((1, 1, 1, 2, 3))
                line_total = price * quantity
                subtotal += line_total
                line_rows.append({"order_id": order_id, "product_id": product_id, "sku": sku, "name": sku,
                                  "quantity": quantity, "unit_price": price, "line_total": line_total})
            discount = (subtotal * rng.choice((0, 0, 0, 5, 10, 20)) / 100).quantize(Decimal("0.01"))
            store_id = store_of[associate_id] if associate_id else stores[0].pk
            placed_at = START + timedelta(seconds=rng.randrange(seconds))
            order_rows.append({
                "id": order_id, "external_id": f"bench-{order_id}", "customer_id": customer_id,
                "store_id": store_id, "currency": "EUR", "status": rng.choice(statuses), "subtotal": subtotal,
                "discount": discount, "total": subtotal - discount, "placed_at": placed_at,
                "created_at": now, "updated_at": now, "attributed_associate_id": associate_id,
                "attributed_store_id": store_id,
                "attribution_rule": "primary_associate" if associate_id else "none",
            })
        bulk_insert(Order, order_rows)
        bulk_insert(OrderLine, line_rows)
        line_total_count += len(line_rows)
    analyze()
    return {"lines": line_total_count, "api_customers": api_customers, "sellers": [a.pk for a in sellers],
            "skus": [sku for _, sku, _ in prices[:50]]}


def make_rules(sellers, managers, categories, products, groups) -> None:
    """Twenty rules of every kind, with the conditions the engine knows."""
    from shopfloor.commissions.models import CommissionRule

    def rule(name, kind, value, priority=0, **conditions):
        relations = {key: conditions.pop(key) for key in ("associates", "categories", "customer_groups")
                     if key in conditions}
        made = CommissionRule.objects.create(name=name, kind=kind, value=Decimal(value), priority=priority,
                                             **conditions)
        for key, objects in relations.items():
            getattr(made, key).set(objects)

    rule("Base 8%", "percentage", "8")
    rule("Euro orders 9%", "percentage", "9", priority=1, currency="EUR", min_subtotal=Decimal("150"))
    for index in range(CATEGORIES):
        rule(f"Category {index}", "percentage", str(6 + index), priority=2, categories=[categories[index]])
    rule("Featured units", "fixed_per_unit", "1.50", priority=3,
         product_skus=[p.sku for p in products[:20]])
    rule("Gift units", "fixed_per_unit", "0.75", priority=3, product_skus=[p.sku for p in products[20:30]])
    rule("Excluded", "percentage", "0", priority=9, product_skus=[p.sku for p in products[30:35]])
    rule("First order bonus", "fixed_per_order", "5", priority=4, first_order_only=True)
    rule("Big basket", "fixed_per_order", "10", priority=4, min_subtotal=Decimal("400"))
    rule("Small basket", "fixed_per_order", "1", priority=1, max_subtotal=Decimal("30"))
    rule("Wholesale groups", "percentage", "4", priority=5, customer_groups=groups[:2])
    rule("Top sellers", "percentage", "12", priority=2, associates=sellers[:5])
    rule("Managers", "percentage", "7", priority=2, associates=managers)
    rule("Spring campaign", "percentage", "15", priority=6, starts_at=datetime(2025, 3, 1, tzinfo=UTC),
         ends_at=datetime(2025, 4, 1, tzinfo=UTC), categories=categories[:2])


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# Measurements -----------------------------------------------------------------------------------------


def measure_settlement(batch_size: int) -> dict:
    """settle_orders on every order."""
    from shopfloor.commissions.models import LedgerEntry, OrderAccrual
    from shopfloor.commissions.settlement import settle_orders

    started, cpu_started = time.perf_counter(), time.process_time()
    settled = settle_orders(batch_size=batch_size)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    rows = LedgerEntry.objects.count()
    print(f"settled {settled:,} orders, {rows:,} ledger rows in {seconds:.1f} s ({cpu_seconds:.1f} CPU s)",
          flush=True)
    assert settle_orders(batch_size=batch_size) == 0, "a second settlement found work"
    return {"seconds": round(seconds, 4), "cpu_seconds": round(cpu_seconds, 4), "orders_settled": settled,
            "ledger_rows": rows, "ledger_rows_per_order": round(rows / max(settled, 1), 2),
            "markers": OrderAccrual.objects.count(), "orders_per_second": round(settled / seconds),
            "batch_size": batch_size}


def measure_floor() -> dict:
    """The same ledger rows, read back, inserted again with plain SQL into a twin of the ledger table.

    The twin has the ledger's columns, indexes, constraints and foreign keys; reading the
    rows back is not timed. One transaction per FLOOR_CHUNK rows, like settlement's batches.
    """
    from django.db import connection

    from shopfloor.commissions.models import LedgerEntry

    table = LedgerEntry._meta.db_table
    twin = "bench_floor_ledger"
    columns = [f.column for f in LedgerEntry._meta.concrete_fields if not f.primary_key]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    connection.ensure_connection()
    raw = connection.connection
    make_twin(raw, connection.vendor, table, twin)
    if connection.vendor == "postgresql":
        json_columns = {f.column for f in LedgerEntry._meta.concrete_fields if f.get_internal_type() == "JSONField"}
        placeholders = ", ".join("%s::jsonb" if c in json_columns else "%s" for c in columns)
        select = ", ".join(f"{c}::text" if c in json_columns else c for c in columns)
    else:
        placeholders = ", ".join("?" for _ in columns)
        select = quoted
    insert = f"INSERT INTO {twin} ({quoted}) VALUES ({placeholders})"
    seconds, cpu_seconds, rows, last = 0.0, 0.0, 0, 0
    while True:
        cursor = raw.cursor()
        cursor.execute(f"SELECT id, {select} FROM {table} WHERE id > {last} ORDER BY id LIMIT {FLOOR_CHUNK}")
        chunk = cursor.fetchall()
        if not chunk:
            break
        last = chunk[-1][0]
        values = [row[1:] for row in chunk]
        started, cpu_started = time.perf_counter(), time.process_time()
        if connection.vendor == "sqlite":
            cursor.execute("BEGIN IMMEDIATE")
        cursor.executemany(insert, values)
        raw.commit()
        seconds += time.perf_counter() - started
        cpu_seconds += time.process_time() - cpu_started
        rows += len(values)
    if connection.vendor == "postgresql":
        raw.commit()
    print(f"floor: {rows:,} ledger rows in {seconds:.1f} s", flush=True)
    sizes = table_sizes(raw, connection.vendor, twin, rows)
    print(f"floor: {sizes['bytes_per_row']} bytes per row in the table, {sizes['index_bytes_per_row']} in its "
          f"{sizes['indexes']} indexes", flush=True)
    return {"seconds": round(seconds, 4), "cpu_seconds": round(cpu_seconds, 4), "rows": rows, "chunk": FLOOR_CHUNK,
            "how": "executemany of INSERT … VALUES, one transaction per chunk", **sizes}


def table_sizes(raw, vendor: str, table: str, rows: int) -> dict:
    """Bytes per row of a table and of its indexes, as stored (pages, not counted lengths); untimed."""
    cursor = raw.cursor()
    if vendor == "postgresql":
        cursor.execute("SELECT pg_table_size(%s), pg_indexes_size(%s), "
                       "(SELECT count(*) FROM pg_indexes WHERE tablename = %s)", [table, table, table])
        heap, indexes, count = cursor.fetchone()
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", [table])
        names = [name for (name,) in cursor.fetchall()]
        cursor.execute(f"SELECT name, SUM(pgsize) FROM dbstat WHERE name IN ({', '.join('?' * (len(names) + 1))}) "
                       "GROUP BY name", [table, *names])
        pages = dict(cursor.fetchall())
        heap, indexes, count = pages.get(table, 0), sum(pages.get(name, 0) for name in names), len(names)
    raw.commit()
    return {"bytes_per_row": round(heap / max(rows, 1)), "index_bytes_per_row": round(indexes / max(rows, 1)),
            "indexes": count}


def make_twin(raw, vendor: str, table: str, twin: str) -> None:
    cursor = raw.cursor()
    if vendor == "postgresql":
        cursor.execute(f"CREATE TABLE {twin} (LIKE {table} INCLUDING ALL)")
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
            [table])
        for (definition,) in cursor.fetchall():
            cursor.execute(f"ALTER TABLE {twin} ADD {definition}")
        raw.commit()
        return
    if raw.in_transaction:
        raw.commit()
    cursor.execute("SELECT type, sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL", [table])
    for kind, statement in sorted(cursor.fetchall(), key=lambda item: item[0] != "table"):
        statement = statement.replace(f'"{table}"', f'"{twin}"')
        if kind == "index":
            # Index names are global in SQLite.
            name = statement.split('"')[1]
            statement = statement.replace(f'"{name}"', f'"{name}_twin"', 1)
        cursor.execute(statement)
    raw.commit()


def measure_api(count: int, world: dict, profile_path: Path | None = None) -> dict:
    """Sequential POST /api/v1/orders in-process, with a 10% rule and three override levels."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from shopfloor.accounts.models import User
    from shopfloor.accounts.services import create_api_token
    from shopfloor.commissions.models import CommissionRule, LedgerEntry

    CommissionRule.objects.update(active=False)
    CommissionRule.objects.create(name="Ten percent", kind="percentage", value=Decimal("10"))
    admin = User.objects.get(email="bench-admin@example.com")
    _, token = create_api_token(admin, "bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", SERVER_NAME="localhost")
    rng = random.Random(11)
    skus = world["skus"]

    def body(index: int) -> str:
        return json.dumps({
            "external_id": f"api-{index}", "customer_id": rng.choice(world["api_customers"]),
            "lines": [{"sku": rng.choice(skus), "quantity": rng.randint(1, 3),
                       "unit_price": f"{rng.randint(500, 20000) / 100:.2f}"} for _ in range(3)],
        })

    def post(index: int):
        response = client.post("/api/v1/orders", body(index), content_type="application/json")
        assert response.status_code == 201, response.content[:500]
        return response

    warmup = min(50, max(1, count // 10))
    for index in range(warmup):
        post(-1 - index)
    ledger_before = LedgerEntry.objects.count()
    timings = []
    profiler = cProfile.Profile() if profile_path else None
    started, cpu_started = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    for index in range(count):
        began = time.perf_counter()
        post(index)
        timings.append(time.perf_counter() - began)
    if profiler:
        profiler.disable()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    if profiler:
        profile_path.parent.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(profile_path)
        print(f"profile of the timed posts written to {profile_path} (timings include the profiler)")
    written = LedgerEntry.objects.count() - ledger_before
    # Queries per order, by the table each statement touches first.
    sample = min(20, count)
    tables = Counter()
    with CaptureQueriesContext(connection) as captured:
        for index in range(sample):
            post(10**7 + index)
    for query in captured.captured_queries:
        tables[_statement_kind(query["sql"])] += 1
    timings.sort()
    result = {
        "orders": count, "seconds": round(seconds, 2), "orders_per_second": round(count / seconds, 1),
        # The rate if this process had a core to itself (SQLite: the database's work included).
        "cpu_seconds": round(cpu_seconds, 2), "orders_per_cpu_second": round(count / cpu_seconds, 1),
        "p50_ms": round(timings[len(timings) // 2] * 1000, 2),
        "p95_ms": round(timings[int(len(timings) * 0.95)] * 1000, 2),
        "ledger_rows_per_order": round(written / count, 2),
        "queries_per_order": round(len(captured.captured_queries) / sample, 1),
        "queries_by_statement": {key: round(value / sample, 2) for key, value in tables.most_common()},
    }
    print(f"API: {result['orders_per_second']} orders/s, {result['queries_per_order']} queries per order",
          flush=True)
    return result


def measure_http(count: int, world: dict, connections: int) -> dict:
    """POST /api/v1/orders to one uvicorn process (the ASGI app as deployed), `connections` clients at once.

    Each client thread keeps one HTTP/1.1 connection alive. The server's CPU seconds are read from
    /proc: on a shared machine they say what one process would do with a core to itself.
    """
    import http.client
    import socket
    import threading

    from django.db import connection

    from shopfloor.accounts.models import User
    from shopfloor.accounts.services import create_api_token

    _, token = create_api_token(User.objects.get(email="bench-admin@example.com"), "bench-http")
    connection.close()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The server keeps no connection across requests (the default): Django runs each ASGI request's
    # sync code on a thread of its own, so a max age would leave one open connection per request
    # behind, until PostgreSQL refuses more clients.
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "shopfloor.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--no-access-log", "--log-level", "warning"], cwd=ROOT, env={**os.environ, "DB_CONN_MAX_AGE": "0"})
    try:
        _wait_for(port)
        rng = random.Random(13)
        bodies = [json.dumps({
            "external_id": f"http-{index}", "customer_id": rng.choice(world["api_customers"]),
            "lines": [{"sku": rng.choice(world["skus"]), "quantity": rng.randint(1, 3),
                       "unit_price": f"{rng.randint(500, 20000) / 100:.2f}"} for _ in range(3)],
        }) for index in range(-50, count)]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Host": "localhost"}
        timings, failures = [], []

        def client(share: list[str]):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            for payload in share:
                began = time.perf_counter()
                conn.request("POST", "/api/v1/orders", payload, headers)
                response = conn.getresponse()
                response.read()
                timings.append(time.perf_counter() - began)
                if response.status != 201:
                    failures.append(response.status)
            conn.close()

        def run(payloads: list[str]) -> None:
            threads = [threading.Thread(target=client, args=(payloads[i::connections],)) for i in range(connections)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        run(bodies[:50])  # warm-up: imports, the token's first use
        timings.clear()
        cpu_started = _process_cpu_seconds(server.pid)
        started = time.perf_counter()
        run(bodies[50:])
        seconds = time.perf_counter() - started
        cpu_seconds = _process_cpu_seconds(server.pid) - cpu_started
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not failures, f"{len(failures)} posts failed: {failures[:5]}"
    timings.sort()
    result = {
        "orders": count, "connections": connections, "seconds": round(seconds, 2),
        "orders_per_second": round(count / seconds, 1), "server_cpu_seconds": round(cpu_seconds, 2),
        "orders_per_cpu_second": round(count / max(cpu_seconds, 1e-9), 1),
        "p50_ms": round(timings[len(timings) // 2] * 1000, 2),
        "p95_ms": round(timings[int(len(timings) * 0.95)] * 1000, 2),
    }
    print(f"HTTP: {result['orders_per_second']} orders/s, {result['orders_per_cpu_second']} per server CPU second",
          flush=True)
    return result


def _wait_for(port: int) -> None:
    import http.client

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz", headers={"Host": "localhost"})
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("uvicorn did not answer within 60 s")


def _process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _statement_kind(sql: str) -> str:
    """`SELECT accounts_apitoken`, `INSERT commissions_ledgerentry`, `SAVEPOINT`…"""
    words = sql.replace('"', "").split()
    if words[1:2] == ["times:"]:
        # Django logs an executemany as "N times: INSERT …".
        words = words[2:]
    verb = words[0].upper() if words else "?"
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT"):
        return verb
    for marker in ("FROM", "INTO", "UPDATE"):
        if marker in words:
            position = words.index(marker) + 1
            if position < len(words):
                return f"{verb} {words[position]}"
    return verb


if __name__ == "__main__":
    sys.exit(main())
