#!/usr/bin/env python3
"""A big collaborative list: the console's list page (HTML) and GET /api/v1/lists/{id}, against a baseline.

    python bench/lists.py [--items 500] [--comments 2000] [--requests 200] [--warmup 10]
                          [--database sqlite|postgres|both] [--data-dir DIR] [--postgres-url URL] [--json FILE]

For each database it migrates a database of its own (a SQLite file under --data-dir, or the
PostgreSQL database named by --postgres-url, created and dropped here) and generates one list with
--items items in 12 rooms and --comments comments (a quarter on the list, the rest on items), as an
associate in an associate-mode store would have. It then times, in-process with Django's test
client, the console list page (signed in with the session) and the list's API detail (bearer
token): authentication, visibility, the queries, serialization and template rendering all count.
Each is compared with a baseline measured in the same run on the same data: the page with the
console's lists index (the same page frame, one list), the API with GET /api/v1/customers/{id} of the
list's customer (the smallest detail the API serves); the ratio says what the list's size costs.
The page shows each item with its thread's comment count, and the list's latest 10 comments; an
item's edit form and thread open on demand (a fragment each, read when the associate opens them),
so the busiest item's thread fragment is timed too. The API answers every comment. Query counts
are printed too; they must not grow with the list (tests/lists checks that). Figures are printed as
a table and written as JSON to bench/results/.
"""

import argparse
import sys
import time

from common import (
    add_database_arguments,
    ratio,
    run_databases,
    summarize,
    use_database,
    write_figures,
)

# The target: p95 of the list page and of the list's API detail.
TARGET_P95_MS = 100.0
ROOMS = ["Living room", "Dining room", "Kitchen", "Hall", "Main bedroom", "Guest room", "Bathroom", "Study",
         "Terrace", "Kids' room", "Laundry", "Lobby"]
WORDS = ["linen", "oak", "brass", "warm", "colour", "sample", "delivery", "fits", "corner", "matches", "window",
         "sofa", "size", "lighter", "darker", "stock", "weeks", "finish", "glaze", "height", "width", "ask", "could",
         "maybe", "perfect", "lovely"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=200, help="Timed requests per page.")
    parser.add_argument("--warmup", type=int, default=10, help="Untimed requests before each series.")
    add_database_arguments(parser, "shopfloor_bench_lists")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    results = run_databases(__file__, args, run_database, print_summary,
                            ("items", "comments", "requests", "warmup", "data_dir", "postgres_url"))
    write_figures("lists", {"items": args.items, "comments": args.comments, "target_p95_ms": TARGET_P95_MS},
                  results, args.json, f"lists-{args.items}-{args.comments}")
    return 0


# One database ---------------------------------------------------------------------------------------------


def run_database(database: str, args) -> dict:
    bench_database = use_database(database, args.data_dir, "lists-bench.sqlite3", args.postgres_url)
    bench_database.create()

    import django

    django.setup()
    # Requests are timed in this process: tune it as the server tunes itself (shopfloor/asgi.py).
    from shopfloor.runtime import tune_garbage_collector

    tune_garbage_collector()
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0, interactive=False)
        started = time.perf_counter()
        world = generate(args.items, args.comments)
        print(f"[{database}] generated a list of {args.items} items and {args.comments} comments in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        result = measure(database, world, args)
        print_summary(result)
        return result
    finally:
        connection.close()
        bench_database.remove()


def generate(item_count: int, comment_count: int) -> dict:
    """One associate-mode store, its associate, a customer, a catalog and the big list (bulk inserts)."""
    import random
    from decimal import Decimal

    from django.db import transaction
    from django.db.models import Count

    from shopfloor.accounts.models import Associate, SellingMode, Store, User
    from shopfloor.catalog.models import Product
    from shopfloor.customers.models import Customer, CustomerAssignment
    from shopfloor.customers.services import refresh_search_fields
    from shopfloor.lists.models import CustomerList, ListComment, ListItem, ListRoom

    rng = random.Random(20241129)
    with transaction.atomic():
        store = Store.objects.create(code="bench", name="Bench Store", selling_mode=SellingMode.ASSOCIATE)
        user = User.objects.create_user(email="ana@bench.example", password="bench-password-1", name="Ana Bench")
        associate = Associate.objects.create(store=store, name="Ana Bench", email=user.email, user=user)
        customer = Customer(store=store, first_name="Alice", last_name="Almeida", email="alice@bench.example")
        refresh_search_fields(customer)
        customer.save()
        CustomerAssignment.objects.create(customer=customer, associate=associate, is_primary=True)
        Product.objects.bulk_create([
            Product(sku=f"B-{n:05d}", name=f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {n}",
                    price=Decimal(rng.randrange(500, 50000)) / 100)
            for n in range(item_count)
        ])
        products = list(Product.objects.order_by("id"))
        customer_list = CustomerList.objects.create(customer=customer, name="Hotel renovation", created_by=user)
        ListRoom.objects.bulk_create([
            ListRoom(list=customer_list, name=name, position=position) for position, name in enumerate(ROOMS)
        ])
        rooms = list(customer_list.rooms.all())
        ListItem.objects.bulk_create([
            ListItem(list=customer_list, room=rooms[n % len(rooms)], product=product, quantity=rng.randrange(1, 12),
                     note=" ".join(rng.choices(WORDS, k=rng.randrange(0, 12))), added_by=user)
            for n, product in enumerate(products)
        ])
        items = list(customer_list.items.all())
        ListComment.objects.bulk_create([
            ListComment(list=customer_list, item=None if n % 4 == 0 else rng.choice(items),
                        author=user if n % 3 else None, author_customer=None if n % 3 else customer,
                        author_name="Ana Bench" if n % 3 else "Alice Almeida",
                        body=" ".join(rng.choices(WORDS, k=rng.randrange(4, 40))))
            for n in range(comment_count)
        ])
    busiest = (ListComment.objects.filter(list=customer_list, item__isnull=False).values("item_id")
               .annotate(count=Count("id")).order_by("-count", "item_id").first())
    return {"user": user, "customer": customer, "list": customer_list,
            "busiest_item_id": busiest["item_id"] if busiest else items[0].pk}


# Measuring ------------------------------------------------------------------------------------------------


def timed(client, url: str, count: int, warmup: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        client.get(url)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return times, len(captured.captured_queries)


def measure(database: str, world: dict, args) -> dict:
    from django.test import Client

    from shopfloor.accounts.services import create_api_token

    _, token = create_api_token(world["user"], name="bench")
    api = Client(headers={"Authorization": f"Bearer {token}", "Host": "localhost"})
    console = Client(headers={"Host": "localhost"})
    console.force_login(world["user"])
    list_id, customer_id = world["list"].pk, world["customer"].pk
    # (label, client, url, the baseline it is compared with)
    pages = [
        ("baseline: console lists index (HTML)", console, "/console/lists/", None),
        ("console list page (HTML)", console, f"/console/lists/{list_id}/", 0),
        ("console item thread (HTML fragment)", console,
         f"/console/lists/{list_id}/items/{world['busiest_item_id']}/thread/", 0),
        ("baseline: GET /api/v1/customers/{id}", api, f"/api/v1/customers/{customer_id}", None),
        ("GET /api/v1/lists/{id}", api, f"/api/v1/lists/{list_id}", 3),
    ]
    rows = []
    for label, client, url, baseline in pages:
        times, queries = timed(client, url, args.requests, args.warmup)
        row = {"page": label, **summarize(times), "queries_per_request": queries}
        if baseline is not None:
            base = rows[baseline]["p95_ms"]
            row.update(target_p95_ms=TARGET_P95_MS, meets_target=row["p95_ms"] <= TARGET_P95_MS,
                       ratio_to_baseline_p95=ratio(row["p95_ms"], base, 1))
        rows.append(row)
    return {"database": database, "items": args.items, "comments": args.comments, "rows": rows}


def print_summary(result: dict) -> None:
    print(f"\n{result['database']}: one list, {result['items']} items, {result['comments']} comments "
          f"(target p95 ≤ {TARGET_P95_MS:.0f} ms)")
    print(f"  {'page':40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8} {'× baseline':>11}  target")
    for row in result["rows"]:
        ratio = row.get("ratio_to_baseline_p95")
        verdict = "" if "meets_target" not in row else ("met" if row["meets_target"] else "MISSED")
        print(f"  {row['page']:40} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {row['max_ms']:8.1f} "
              f"{row['queries_per_request']:8d} {'' if ratio is None else f'{ratio:10.1f}×'}  {verdict}")


if __name__ == "__main__":
    sys.exit(main())
