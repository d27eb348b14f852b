#!/usr/bin/env python3
"""The daily task-rules job over many customers, against the floor of its own candidate queries.

    python bench/task_rules.py [--customers 1000000] [--database sqlite|postgres] [--data-dir DIR]
                               [--postgres-url URL] [--reuse] [--keep] [--json FILE]

It migrates a database of its own (a SQLite file under --data-dir, or the PostgreSQL database named by
--postgres-url, created and dropped here) and generates --customers customers in two stores (associate and
team mode) with what the rules read: birthdays (40%), primary associates (a few assigned in the last days),
orders over three years (60% of customers have 1-5), lists with products (8%), products back in stock or
cheaper since yesterday, and opened lookbooks (3%). Every rule is enabled with its defaults.

Figures, all in the same run on the same data:
- floor: each rule's ONE candidate query (`clienteling.rules.candidates`) executed and fetched (raw cursor, no
  Python per row), summed;
- first run: `clienteling.rules.run_rules` making the day's tasks (per rule one INSERT ... SELECT of the whole
  tasks into a staging table, one INSERT ... ON CONFLICT DO NOTHING into the tasks);
- rerun: the same day again, which must make nothing (idempotency through the unique occasion key).
The ratio is first run / floor. The issue's target is the first run at ≤ 60 s on SQLite at 1,000,000.
"""

import argparse
import json
import os
import platform
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta

from common import (
    BENCH_DIR,
    add_database_arguments,
    bulk_insert,
    ratio,
    results_path,
    use_database,
    vacuum_analyze,
)

TARGET_SECONDS = 60.0
TODAY = date(2026, 6, 10)
ASSOCIATES_PER_STORE = 10


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    add_database_arguments(parser, "shopfloor_bench_rules", both=False)
    parser.add_argument("--seed", type=int, default=20260610)
    parser.add_argument("--reuse", action="store_true", help="Keep an existing bench database of the same size.")
    parser.add_argument("--keep", action="store_true", help="Leave the bench database behind (for --reuse).")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    bench_database = use_database(args.database, args.data_dir, f"task_rules-{args.customers}.sqlite3",
                                  args.postgres_url)
    marker = bench_database.data_dir / f"task_rules-{args.customers}-{args.database}.generated"
    fresh = not (args.reuse and marker.exists())
    bench_database.create(drop_first=fresh)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0, interactive=False)
        generated_in = None
        if fresh:
            marker.unlink(missing_ok=True)
            started = time.perf_counter()
            counts = generate(args.customers, args.seed)
            generated_in = time.perf_counter() - started
            marker.write_text(json.dumps(counts))
            print(f"[{args.database}] generated {counts} in {generated_in:.1f} s", flush=True)
        counts = json.loads(marker.read_text())
        result = measure(args.database)
        result.update(
            {
                "database": args.database,
                "customers": args.customers,
                "data": counts,
                "generated_in_s": None if generated_in is None else round(generated_in, 1),
                "machine": platform.platform(),
                "python": platform.python_version(),
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        )
        print_summary(result)
        write_results(args, result)
        return 0 if result["idempotent"] else 1
    finally:
        connection.close()
        if not args.keep:
            marker.unlink(missing_ok=True)
            bench_database.remove()


# Data -------------------------------------------------------------------------------------------------


def load(model, rows) -> int:
    """Insert generated rows as a bulk load does (secondary indexes built once at the end), then make the
    table's statistics (PostgreSQL)."""
    total = bulk_insert(model, rows, rebuild_indexes=True)
    if total:
        vacuum_analyze([model])
    return total


def generate(total: int, seed: int) -> dict:
    from django.db import connection, transaction

    from shopfloor.accounts.models import Associate, AssociateRole, SellingMode, Store, User
    from shopfloor.catalog.models import Product, ProductChange
    from shopfloor.customers.models import Customer, CustomerAssignment
    from shopfloor.lists.models import CustomerList, ListItem, ListRoom
    from shopfloor.lookbooks.models import Lookbook
    from shopfloor.orders.models import Order

    rng = random.Random(seed)
    ops = connection.ops

    def moment(value: datetime):
        return ops.adapt_datetimefield_value(value)

    with transaction.atomic():
        stores = [
            Store.objects.create(code="north", name="North Store", selling_mode=SellingMode.ASSOCIATE),
            Store.objects.create(code="south", name="South Store", selling_mode=SellingMode.TEAM),
        ]
        staff = {}
        for store in stores:
            staff[store.pk] = []
            for number in range(ASSOCIATES_PER_STORE):
                role = AssociateRole.MANAGER if number == 0 else AssociateRole.ASSOCIATE
                email = f"{store.code}-{number}@bench.example"
                user = User.objects.create_user(email=email, password=None, name=f"{store.name} {number}")
                associate = Associate.objects.create(
                    store=store, name=f"{store.code.title()} {number}", email=email, role=role, user=user
                )
                staff[store.pk].append(associate.pk)

    now = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)
    long_ago = now - timedelta(days=3 * 365)
    people = []  # (customer id, store id, primary associate id)

    def customers():
        for customer_id in range(1, total + 1):
            store = stores[0] if rng.random() < 0.55 else stores[1]
            primary = rng.choice(staff[store.pk][1:])
            people.append((customer_id, store.pk, primary))
            birthday = None
            if rng.random() < 0.4:
                birthday = (date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 55))).isoformat()
            created = moment(long_ago + timedelta(seconds=rng.randint(0, 3 * 365 * 86400)))
            first, last = f"First{customer_id % 997}", f"Last{customer_id % 1009}"
            yield {
                "id": customer_id,
                "external_id": f"C-{customer_id}",
                "email": f"c{customer_id}@bench.example",
                "first_name": first,
                "last_name": last,
                "birthday": birthday,
                "store_id": store.pk,
                "status": "active" if rng.random() < 0.97 else "pending",
                "tags": "[]",
                "created_at": created,
                "updated_at": created,
                "search_first_name": first.lower(),
                "search_last_name": last.lower(),
                "search_email": f"c{customer_id}@bench.example",
            }

    counts = {"customers": load(Customer, customers())}

    def assignments():
        for customer_id, _, primary in people:
            # A few customers were assigned in the last days: the welcome rule's candidates.
            recent = rng.random() < 0.002
            when = now - timedelta(days=rng.randint(0, 3)) if recent else long_ago
            yield {
                "id": customer_id,
                "customer_id": customer_id,
                "associate_id": primary,
                "is_primary": True,
                "created_at": moment(when),
            }

    counts["assignments"] = load(CustomerAssignment, assignments())

    def orders():
        order_id = 0
        for customer_id, store_id, primary in people:
            if rng.random() >= 0.6:
                continue
            for _ in range(rng.randint(1, 5)):
                order_id += 1
                placed = now - timedelta(seconds=rng.randint(3600, 3 * 365 * 86400))
                amount = f"{rng.randint(10, 900)}.00"
                yield {
                    "id": order_id,
                    "external_id": f"O-{order_id}",
                    "customer_id": customer_id,
                    "store_id": store_id,
                    "currency": "EUR",
                    "status": "completed",
                    "subtotal": amount,
                    "discount": "0.00",
                    "total": amount,
                    "placed_at": moment(placed),
                    "created_at": moment(placed),
                    "updated_at": moment(placed),
                    "attributed_associate_id": primary if store_id == stores[0].pk else None,
                    "attributed_store_id": store_id,
                    "attribution_rule": "primary_associate",
                    "attribution_evidence": "{}",
                }

    counts["orders"] = load(Order, orders())

    product_count = 5000
    counts["products"] = load(
        Product,
        (
            {
                "id": number,
                "sku": f"SKU-{number}",
                "name": f"Product {number}",
                "price": "49.00",
                "in_stock": True,
                "updated_at": moment(now),
            }
            for number in range(1, product_count + 1)
        ),
    )
    changed = rng.sample(range(1, product_count + 1), 100)
    counts["product_changes"] = load(
        ProductChange,
        (
            {
                "id": index + 1,
                "product_id": product_id,
                "kind": "back_in_stock" if index % 2 else "price_drop",
                "old_price": "59.00",
                "new_price": "49.00",
                "happened_at": moment(now - timedelta(hours=rng.randint(1, 30))),
            }
            for index, product_id in enumerate(changed)
        ),
    )

    listed = [customer_id for customer_id, _, _ in people if rng.random() < 0.08]
    counts["lists"] = load(
        CustomerList,
        (
            {
                "id": index + 1,
                "customer_id": customer_id,
                "name": "Ideas",
                "created_at": moment(long_ago),
                "updated_at": moment(long_ago),
                "collaboration_secret": f"s{index}",
            }
            for index, customer_id in enumerate(listed)
        ),
    )
    counts["rooms"] = load(
        ListRoom,
        ({"id": index + 1, "list_id": index + 1, "name": "Living room", "position": 0} for index in range(len(listed))),
    )

    def items():
        item_id = 0
        for index in range(len(listed)):
            for product_id in rng.sample(range(1, product_count + 1), rng.randint(1, 5)):
                item_id += 1
                yield {
                    "id": item_id,
                    "list_id": index + 1,
                    "room_id": index + 1,
                    "product_id": product_id,
                    "quantity": 1,
                    "note": "",
                    "created_at": moment(long_ago),
                    "updated_at": moment(long_ago),
                }

    counts["list_items"] = load(ListItem, items())

    def lookbooks():
        lookbook_id = 0
        for customer_id, store_id, primary in people:
            if rng.random() >= 0.03:
                continue
            lookbook_id += 1
            opened = (
                moment(now - timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 12)))
                if rng.random() < 0.6
                else None
            )
            yield {
                "id": lookbook_id,
                "customer_id": customer_id,
                "author_id": primary,
                "store_id": store_id,
                "title": "For you",
                "message": "",
                "token": f"bench-{lookbook_id}",
                "status": "published",
                "opened_at": opened,
                "last_opened_at": opened,
                "open_count": 1 if opened else 0,
                "click_count": 0,
                "created_at": moment(long_ago),
                "updated_at": moment(long_ago),
            }

    counts["lookbooks"] = load(Lookbook, lookbooks())
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return counts


# Measuring ------------------------------------------------------------------------------------------


def measure(database: str) -> dict:
    from django.db import connection

    from shopfloor.clienteling import rules
    from shopfloor.clienteling.models import RuleKey, Task, TaskRule

    rules.ensure_rules()
    TaskRule.objects.update(enabled=True)
    Task.objects.all().delete()  # a reused database starts from no tasks, like the first run after enabling
    by_key = {rule.key: rule for rule in TaskRule.objects.all()}

    def raw_fetch(query) -> int:
        # The floor: the rule's candidate query as the database runs it, fetched whole, no Python per row.
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return len(cursor.fetchall())

    floor = {}
    for _ in range(2):  # the first pass warms the caches; the second is timed
        for key in RuleKey.values:
            started, cpu = time.perf_counter(), time.process_time()
            query = rules.candidates(by_key[key], TODAY)
            rows = raw_fetch(query) if query is not None else 0
            floor[key] = {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "rows": rows}

    started, cpu = time.perf_counter(), time.process_time()
    first = rules.run_rules(today=TODAY, notify_people=False)
    first_seconds, first_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    again = rules.run_rules(today=TODAY, notify_people=False)
    rerun_seconds, rerun_cpu = time.perf_counter() - started, time.process_time() - cpu
    tasks_in_database = Task.objects.count()
    # The steady state: the next day, most candidates already have their task (a birthday is due for N days).
    started = time.perf_counter()
    next_day = rules.run_rules(today=TODAY + timedelta(days=1), notify_people=False)
    next_day_seconds = time.perf_counter() - started
    floor_seconds = sum(item["seconds"] for item in floor.values())
    floor_cpu = sum(item["cpu"] for item in floor.values())

    return {
        "floor_s": round(floor_seconds, 3),
        "first_run_s": round(first_seconds, 3),
        "rerun_s": round(rerun_seconds, 3),
        "ratio": ratio(first_seconds, floor_seconds),
        "rerun_ratio": ratio(rerun_seconds, floor_seconds),
        # On a shared machine the wall clock measures the neighbours too; with SQLite the database works in
        # this process, so CPU seconds are what the job costs (on PostgreSQL they leave out the server's).
        "floor_cpu_s": round(floor_cpu, 3),
        "first_run_cpu_s": round(first_cpu, 3),
        "rerun_cpu_s": round(rerun_cpu, 3),
        "cpu_ratio": ratio(first_cpu, floor_cpu),
        "load_average": list(os.getloadavg()),
        "next_day_s": round(next_day_seconds, 3),
        "next_day_created": next_day.total_created,
        "tasks_created": first.created,
        "candidates": first.candidates,
        "rerun_created": again.total_created,
        "tasks_in_database": tasks_in_database,
        "idempotent": again.total_created == 0,
        "floor_per_rule": {
            key: {"seconds": round(item["seconds"], 3), "cpu_s": round(item["cpu"], 3), "rows": item["rows"]}
            for key, item in floor.items()
        },
        "target_s": TARGET_SECONDS,
    }


def print_summary(result: dict) -> None:
    print(f"\ntask rules over {result['customers']:,} customers on {result['database']}")
    print(f"{'rule':<24}{'floor s':>10}{'rows':>10}{'tasks':>10}")
    for key, item in result["floor_per_rule"].items():
        print(f"{key:<24}{item['seconds']:>10.3f}{item['rows']:>10,}{result['tasks_created'].get(key, 0):>10,}")
    print(f"floor (one candidate query per rule): {result['floor_s']:.2f} s wall, {result['floor_cpu_s']:.2f} s CPU")
    print(
        f"first run: {result['first_run_s']:.2f} s wall, {result['first_run_cpu_s']:.2f} s CPU  "
        f"(ratio {result['ratio']}× the floor, {result['cpu_ratio']}× in CPU; "
        f"target ≤ {result['target_s']:.0f} s at 1,000,000 on SQLite)"
    )
    print(
        f"rerun, same day: {result['rerun_s']:.2f} s wall, {result['rerun_cpu_s']:.2f} s CPU, "
        f"{result['rerun_created']} new tasks ({'idempotent' if result['idempotent'] else 'NOT IDEMPOTENT'})"
    )
    print(f"next day (steady state): {result['next_day_s']:.2f} s wall, {result['next_day_created']:,} new tasks")
    print(f"load average while measuring: {', '.join(f'{value:.1f}' for value in result['load_average'])}", flush=True)


def write_results(args, result: dict) -> None:
    path = args.json or results_path(f"task_rules-{args.customers}-{args.database}")
    path.write_text(json.dumps(result, indent=2, default=str))
    print(f"figures written to {path}")


if __name__ == "__main__":
    sys.path.insert(0, str(BENCH_DIR.parent / "src"))
    sys.exit(main())
