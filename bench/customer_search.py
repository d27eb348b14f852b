#!/usr/bin/env python3
"""The console's customer search and customer list at scale, through the API, against a naive baseline.

    python bench/customer_search.py [--customers 1000000] [--database sqlite|postgres|both]
                                    [--queries 200] [--baseline-queries 20] [--keep] [--reuse] [--explain]

For each database it generates customers into a database of its own (a SQLite file under
--data-dir, or the PostgreSQL database named by --postgres-url, created and dropped here),
migrated with Django's migrate; then it times GET /api/v1/customers in-process with Django's
test client and a bearer token, so authentication, visibility, the queries, the count and the
serialization all count. Each persona searches by name prefix, full name, email prefix and phone
digits (queries made from customers the persona sees) and loads the list's first page. The
baseline, measured in the same run on the same data, is the same request with the search written
the naive way (an OR of `icontains` over first name, last name, email and phone) and an exact
`count()`. Figures are printed as a table and written as JSON to bench/results/.
"""

import argparse
import json
import random
import sys
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from common import (
    add_database_arguments,
    bulk_insert,
    percentile,
    ratio,
    run_databases,
    summarize,
    use_database,
    vacuum_analyze,
    write_figures,
)
from names import first_names, last_names

# Bump when the generated data changes, so --reuse regenerates.
GENERATOR_VERSION = 2
# The targets at 1,000,000 customers: p95 of a search, p95 of the list's first page.
TARGET_P95_MS = {"search": 30.0, "list": 50.0}
SEARCH_KINDS = ("name", "full name", "email", "phone")
PERSONAS = ("admin", "manager (associate mode)", "associate (associate mode)", "associate (team mode)")
SEARCH_KEYS = ("search_first_name", "search_last_name", "search_email", "search_phone")
ASSOCIATES_PER_STORE = 9  # and one manager each: 20 in all
EMAIL_DOMAINS = (
    ("gmail.com", 30), ("hotmail.com", 12), ("outlook.com", 10), ("sapo.pt", 8), ("yahoo.com", 7),
    ("icloud.com", 6), ("gmx.de", 4), ("live.com", 4), ("protonmail.com", 2), ("orange.fr", 3),
    ("telefonica.net", 2), ("web.de", 2), ("libero.it", 2), ("mail.com", 1), ("example.org", 1),
)


# Command line -----------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="How many customers to generate.")
    add_database_arguments(parser, "shopfloor_bench", default="both")
    parser.add_argument("--queries", type=int, default=200, help="Timed requests per persona and query kind.")
    parser.add_argument("--baseline-queries", type=int, default=20,
                        help="Timed naive requests per persona and kind (each scans the whole table).")
    parser.add_argument("--list-requests", type=int, default=100, help="Timed first-page requests per persona.")
    parser.add_argument("--warmup", type=int, default=10, help="Untimed requests before each series.")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--reuse", action="store_true",
                        help="Keep an existing bench database of the same size instead of regenerating it.")
    parser.add_argument("--keep", action="store_true", help="Leave the bench database behind (for --reuse).")
    parser.add_argument("--explain", action="store_true", help="Print the plans of one request per kind.")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    results = run_databases(__file__, args, run_database, print_summary,
                            ("customers", "queries", "baseline_queries", "list_requests", "warmup", "seed",
                             "data_dir", "postgres_url"), ("reuse", "keep", "explain"))
    write_figures("customer_search", {"customers": args.customers, "targets_p95_ms": TARGET_P95_MS}, results,
                  args.json, f"customer_search-{args.customers}")
    return 0


# One database -----------------------------------------------------------------------------------------


def run_database(database: str, args) -> dict:
    bench_database = use_database(database, args.data_dir, f"customer_search-{args.customers}.sqlite3",
                                  args.postgres_url)
    bench_database.create(drop_first=not args.reuse)

    import django

    django.setup()
    # Requests are timed in this process: tune it as the server tunes itself (shopfloor/asgi.py).
    from shopfloor.runtime import tune_garbage_collector

    tune_garbage_collector()
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0, interactive=False)
        meta = read_meta()
        wanted = {"version": GENERATOR_VERSION, "customers": args.customers, "seed": args.seed}
        generated_in = None
        if meta != wanted:
            if meta is not None:
                connection.close()
                bench_database.create()
                call_command("migrate", verbosity=0, interactive=False)
            started = time.perf_counter()
            generate(args.customers, args.seed)
            generated_in = time.perf_counter() - started
            write_meta(wanted)
            print(f"[{database}] generated {args.customers:,} customers in {generated_in:.1f} s", flush=True)
        result = measure(database, args)
        result["generated_in_s"] = None if generated_in is None else round(generated_in, 1)
        print_summary(result)
        return result
    finally:
        connection.close()
        if not args.keep:
            bench_database.remove()


def read_meta() -> dict | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (document TEXT NOT NULL)")
        cursor.execute("SELECT document FROM bench_meta")
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def write_meta(meta: dict) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bench_meta")
        cursor.execute("INSERT INTO bench_meta (document) VALUES (%s)", [json.dumps(meta)])


# Data -------------------------------------------------------------------------------------------------


def ranked_weights(count: int, flatten: float) -> list[float]:
    """Zipf–Mandelbrot weights by rank: a few very common names, a long tail of rare ones."""
    return [1.0 / (rank + flatten) for rank in range(1, count + 1)]


def cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def fold(text: str) -> str:
    """ASCII-ish form for an email address (people's mailboxes rarely carry accents)."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and (ch.isalnum() or ch in "._")).lower()


def generate(total: int, seed: int) -> None:
    """Stores, associates and `total` customers with assignments, written in bulk."""
    from django.db import connection, transaction

    from shopfloor.accounts.models import Associate, AssociateRole, SellingMode, Store, User
    from shopfloor.customers.models import Customer, CustomerAssignment, CustomerStatus

    rng = random.Random(seed)
    with transaction.atomic():
        north = Store.objects.create(code="north", name="North Store", selling_mode=SellingMode.ASSOCIATE,
                                     country="PT")
        south = Store.objects.create(code="south", name="South Store", selling_mode=SellingMode.TEAM,
                                     country="ES")
        User.objects.create_user(email="admin@bench.example", password=None, is_staff=True, is_superuser=True)
        staff = {}
        for store in (north, south):
            staff[store.pk] = []
            for number in range(ASSOCIATES_PER_STORE + 1):
                role = AssociateRole.MANAGER if number == 0 else AssociateRole.ASSOCIATE
                email = f"{store.code}-{number}@bench.example"
                user = User.objects.create_user(email=email, password=None, name=f"{store.name} {number}")
                associate = Associate.objects.create(
                    store=store, name=f"{store.code.title()} associate {number}", email=email, role=role, user=user
                )
                if role == AssociateRole.ASSOCIATE:
                    staff[store.pk].append(associate.pk)

    firsts = first_names()
    lasts = last_names()
    first_cumulative = cumulative(ranked_weights(len(firsts), 10))
    last_cumulative = cumulative(ranked_weights(len(lasts), 20))
    domains = [domain for domain, _ in EMAIL_DOMAINS]
    domain_cumulative = cumulative(weight for _, weight in EMAIL_DOMAINS)
    first_picks = rng.choices(range(len(firsts)), cum_weights=first_cumulative, k=total)
    last_picks = rng.choices(range(len(lasts)), cum_weights=last_cumulative, k=total)
    domain_picks = rng.choices(domains, cum_weights=domain_cumulative, k=total)
    folded_firsts = [fold(name) for name in firsts]
    folded_lasts = [fold(name.replace(" ", "")) for name in lasts]

    # Some associates carry bigger books than others.
    book_weights = [1.6, 1.4, 1.25, 1.1, 1.0, 0.9, 0.8, 0.7, 0.6][:ASSOCIATES_PER_STORE]
    book_cumulative = cumulative(book_weights)
    started_at = datetime(2021, 1, 1, tzinfo=UTC)
    ops = connection.ops
    moments = [ops.adapt_datetimefield_value(started_at + timedelta(minutes=37 * i)) for i in range(50_000)]

    emails_seen: set[str] = set()
    phones_seen: set[str] = set()
    customer_rows = []
    assignment_rows = []
    assignment_id = 0
    statuses = [(CustomerStatus.ACTIVE, 97), (CustomerStatus.PENDING, 2), (CustomerStatus.REJECTED, 1)]
    status_cumulative = cumulative(weight for _, weight in statuses)
    status_picks = rng.choices([status for status, _ in statuses], cum_weights=status_cumulative, k=total)
    for index in range(total):
        customer_id = index + 1
        first, last = firsts[first_picks[index]], lasts[last_picks[index]]
        first_ascii, last_ascii = folded_firsts[first_picks[index]], folded_lasts[last_picks[index]]
        store = north if rng.random() < 0.55 else south
        style = rng.random()
        if style < 0.35:
            local = f"{first_ascii}.{last_ascii}"
        elif style < 0.55:
            local = f"{first_ascii}{last_ascii}"
        elif style < 0.7:
            local = f"{first_ascii[0]}{last_ascii}"
        elif style < 0.8:
            local = f"{first_ascii}_{last_ascii}"
        else:
            local = f"{first_ascii}{rng.randint(1, 99)}"
        email = f"{local}@{domain_picks[index]}"
        while email in emails_seen:
            email = f"{local}{rng.randint(1, 9999)}@{domain_picks[index]}"
        emails_seen.add(email)
        phone = digits = ""
        if rng.random() < 0.8:
            while True:
                if store is north:
                    digits = f"9{rng.choice('1236')}{rng.randint(0, 9_999_999):07d}"
                    phone = f"+351{digits}"
                else:
                    digits = f"{rng.choice('67')}{rng.randint(0, 99_999_999):08d}"
                    phone = f"+34{digits}"
                if phone not in phones_seen:
                    phones_seen.add(phone)
                    break
        birthday = None
        if rng.random() < 0.4:
            birthday = date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 55))
        moment = moments[min(index * len(moments) // max(total, 1), len(moments) - 1)]
        email_opt_in = rng.random() < 0.6
        sms_opt_in = bool(phone) and rng.random() < 0.3
        customer_rows.append({
            "id": customer_id, "external_id": f"ERP-{customer_id:08d}", "email": email, "phone": phone,
            "first_name": first, "last_name": last, "birthday": birthday and birthday.isoformat(),
            "store_id": store.pk, "status": status_picks[index],
            "email_opt_in": email_opt_in, "email_opt_in_at": moment if email_opt_in else None,
            "sms_opt_in": sms_opt_in, "sms_opt_in_at": moment if sms_opt_in else None,
            "tags": "[]", "created_at": moment, "updated_at": moment,
            "search_first_name": first.lower(), "search_last_name": last.lower(),
            "search_email": email.lower(), "search_phone": digits,
        })
        # An assignment carries its customer's search columns (database triggers keep them; a bulk load on
        # PostgreSQL runs without triggers, so they are written here).
        keys = {key: customer_rows[-1][key] for key in SEARCH_KEYS}
        book = staff[store.pk]
        primary = book[rng.choices(range(len(book)), cum_weights=book_cumulative)[0]]
        assignment_id += 1
        assignment_rows.append({"id": assignment_id, "customer_id": customer_id, "associate_id": primary,
                                "is_primary": True, "created_at": moment, **keys})
        extra = rng.random()
        if extra < 0.11:
            # A colleague helps with this customer; now and then one from the other store.
            other_store = south if store is north else north
            pool = staff[other_store.pk] if extra < 0.01 else [pk for pk in book if pk != primary]
            assignment_id += 1
            assignment_rows.append({"id": assignment_id, "customer_id": customer_id,
                                    "associate_id": rng.choice(pool), "is_primary": False, "created_at": moment,
                                    **keys})
    bulk_insert(Customer, customer_rows, rebuild_indexes=True, skip_triggers=True)
    bulk_insert(CustomerAssignment, assignment_rows, rebuild_indexes=True, skip_triggers=True)
    vacuum_analyze([Customer, CustomerAssignment])
    check_assignment_keys()


def check_assignment_keys() -> None:
    """Refuse to measure if an assignment's search keys differ from its customer's: an associate-mode
    search would then be fast and wrong."""
    from django.db.models import F

    from shopfloor.customers.models import CustomerAssignment

    drifted = CustomerAssignment.objects.exclude(**{key: F(f"customer__{key}") for key in SEARCH_KEYS})
    if drifted.exists():
        raise RuntimeError(f"{drifted.count()} assignments carry search keys that are not their customer's.")


# Queries ----------------------------------------------------------------------------------------------


def personas() -> dict:
    """Admin; the associate-mode store's manager (the whole store); the associate-mode associate with the
    biggest book; a team-mode associate."""
    from django.db.models import Count

    from shopfloor.accounts.models import Associate, AssociateRole, SellingMode, User

    admin = User.objects.get(email="admin@bench.example")
    associates = Associate.objects.filter(role=AssociateRole.ASSOCIATE)
    own = (
        associates.filter(store__selling_mode=SellingMode.ASSOCIATE)
        .annotate(book=Count("assignments")).order_by("-book", "pk").first()
    )
    team = associates.filter(store__selling_mode=SellingMode.TEAM).order_by("pk").first()
    manager = Associate.objects.get(role=AssociateRole.MANAGER, store__selling_mode=SellingMode.ASSOCIATE)
    return {PERSONAS[0]: admin, PERSONAS[1]: manager.user, PERSONAS[2]: own.user, PERSONAS[3]: team.user}


def sample_customers(user, count: int, rng: random.Random) -> list[dict]:
    """`count` random customers that `user` sees (repeats allowed when they see fewer)."""
    from shopfloor.access import actor_for, visible_customers
    from shopfloor.customers.models import Customer

    ids = list(visible_customers(actor_for(user)).values_list("pk", flat=True))
    chosen = rng.sample(ids, count) if count <= len(ids) else [rng.choice(ids) for _ in range(count)]
    fields = ("pk", "search_first_name", "search_last_name", "search_email", "search_phone")
    by_id = {row["pk"]: row for row in Customer.objects.filter(pk__in=chosen).values(*fields)}
    return [by_id[pk] for pk in chosen]


def typed(text: str, rng: random.Random) -> str:
    """As a person types it: often with a capital first letter."""
    return text[:1].upper() + text[1:] if rng.random() < 0.5 else text


def make_query(kind: str, customer: dict, rng: random.Random) -> str | None:
    if kind == "name":
        name = customer["search_first_name"] if rng.random() < 0.5 else customer["search_last_name"]
        return typed(name[: rng.randint(2, 5)], rng)
    if kind == "full name":
        last = customer["search_last_name"]
        return f"{typed(customer['search_first_name'], rng)} {typed(last[: rng.randint(1, 3)], rng)}"
    if kind == "email":
        return customer["search_email"][: rng.randint(3, 8)]
    if kind == "phone":
        digits = customer["search_phone"]
        if not digits:
            return None
        prefix = digits[: rng.randint(3, 6)]
        # Some people group the digits as they read them.
        return f"{prefix[:3]} {prefix[3:]}".strip() if rng.random() < 0.3 else prefix
    raise ValueError(kind)


def make_queries(kind: str, customers: list[dict], count: int, rng: random.Random) -> list[str]:
    queries = []
    for customer in customers:
        query = make_query(kind, customer, rng)
        if query:
            queries.append(query)
        if len(queries) == count:
            break
    return queries


# The naive baseline: what the search looks like written the obvious way.


def naive_customer_page(actor, query: str = "", status=None, *, limit: int, offset: int = 0, prepare=None):
    """An OR of icontains over the raw columns, sorted by name, and an exact count of every match."""
    from django.db.models import Q

    from shopfloor.access import visible_customers
    from shopfloor.customers.listing import SORT_ORDER
    from shopfloor.customers.selectors import CustomerPage

    queryset = visible_customers(actor)
    query = query.strip()
    if query:
        queryset = queryset.filter(
            Q(first_name__icontains=query) | Q(last_name__icontains=query)
            | Q(email__icontains=query) | Q(phone__icontains=query)
        )
    if status:
        queryset = queryset.filter(status=status)
    # The same order as the real list, so both read the same name index.
    queryset = queryset.order_by(*SORT_ORDER)
    page = prepare(queryset) if prepare is not None else queryset
    items = list(page[offset : offset + limit])
    return CustomerPage(items=items, count=queryset.count(), count_is_exact=True)


@contextmanager
def naive_search():
    """Swap the API's search and counting for the naive ones; everything else in the request stays."""
    from shopfloor.customers import selectors

    saved = selectors.customer_page
    selectors.customer_page = naive_customer_page
    try:
        yield
    finally:
        selectors.customer_page = saved


# Measuring --------------------------------------------------------------------------------------------


def client_for(user):
    from django.test import Client

    from shopfloor.accounts.services import create_api_token

    _, token = create_api_token(user, name="bench")
    return Client(headers={"Authorization": f"Bearer {token}", "Host": "localhost"})


def timed_series(client, params_list: list[dict], cpu_times: list[float] | None = None
                 ) -> tuple[list[float], list[int]]:
    """Wall milliseconds and counts of each request; with `cpu_times`, also this process's CPU milliseconds
    (on SQLite the database's work included): on a shared, loaded machine wall time includes the wait
    for a core."""
    times, counts = [], []
    for params in params_list:
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get("/api/v1/customers", params)
        elapsed = (time.perf_counter() - started) * 1000
        if cpu_times is not None:
            cpu_times.append((time.process_time() - cpu_started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET /api/v1/customers {params} answered {response.status_code}: "
                               f"{response.content[:300]!r}")
        times.append(elapsed)
        counts.append(response.json()["count"])
    return times, counts


def queries_per_request(client, params: dict) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get("/api/v1/customers", params)
    return len(captured.captured_queries)


def explain(client, params: dict, label: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get("/api/v1/customers", params)
    print(f"\n--- {label}: {params}")
    for query in captured.captured_queries:
        sql = query["sql"]
        if "customers_customer" not in sql or not sql.lstrip().upper().startswith("SELECT"):
            continue
        print(f"[{query['time']} s] {sql[:600]}")
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}")
            else:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            for row in cursor.fetchall():
                print("    ", " | ".join(str(value) for value in row))


def measure(database: str, args) -> dict:
    from django.db import connection

    from shopfloor.access import actor_for, visible_customers

    rng = random.Random(args.seed + 1)
    rows = []
    for persona, user in personas().items():
        client = client_for(user)
        visible = visible_customers(actor_for(user)).count()
        pool = sample_customers(user, 2 * (args.queries + args.warmup) + 50, rng)
        series = [(kind, [{"q": query} for query in make_queries(kind, pool, args.queries + args.warmup, rng)])
                  for kind in SEARCH_KINDS]
        series.append(("list", [{} for _ in range(args.list_requests + args.warmup)]))
        for kind, params_list in series:
            warmup, timed = params_list[: args.warmup], params_list[args.warmup :]
            if args.explain:
                explain(client, timed[0], f"{database} {persona} {kind}")
            timed_series(client, warmup)
            cpu_times = []
            times, counts = timed_series(client, timed, cpu_times)
            baseline_params = timed[: args.baseline_queries]
            with naive_search():
                if args.explain:
                    explain(client, baseline_params[0], f"{database} {persona} {kind} (naive)")
                timed_series(client, baseline_params[: min(2, args.warmup)])
                naive_times, naive_counts = timed_series(client, baseline_params)
            optimised, naive = summarize(times), summarize(naive_times)
            target = TARGET_P95_MS["list" if kind == "list" else "search"]
            row = {
                "persona": persona, "kind": kind, "visible_customers": visible,
                **optimised,
                "cpu_p50_ms": round(percentile(cpu_times, 50), 2), "cpu_p95_ms": round(percentile(cpu_times, 95), 2),
                "target_p95_ms": target,
                "meets_target": optimised["p95_ms"] <= target,
                "median_count": int(percentile(counts, 50)),
                "queries_per_request": queries_per_request(client, timed[0]),
                "baseline": {**naive, "median_count": int(percentile(naive_counts, 50))},
                "ratio_p50": ratio(naive["p50_ms"], optimised["p50_ms"]),
                "ratio_p95": ratio(naive["p95_ms"], optimised["p95_ms"]),
                "examples": [params.get("q", "") for params in timed[:5]],
            }
            rows.append(row)
            print(f"[{database}] {persona:28} {kind:10} p50 {row['p50_ms']:7.2f} ms  p95 {row['p95_ms']:7.2f} ms"
                  f"  (CPU p95 {row['cpu_p95_ms']:7.2f} ms)"
                  f"  | naive p50 {naive['p50_ms']:8.2f} ms  p95 {naive['p95_ms']:8.2f} ms", flush=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
        else:
            cursor.execute("SELECT 'SQLite ' || sqlite_version()")
        version = cursor.fetchone()[0]
    return {"database": database, "server": version, "customers": args.customers, "rows": rows,
            "all_targets_met": all(row["meets_target"] for row in rows)}


def print_summary(result: dict) -> None:
    title = f"customer search and list at {result['customers']:,} customers — {result['server'][:40]}"
    print(f"\n{title}\n{'=' * len(title)}")
    header = (f"{'persona':28} {'query':10} {'sees':>9} {'matches':>8} {'p50 ms':>7} {'p95 ms':>7} {'target':>9}"
              f" | {'naive p50':>9} {'naive p95':>9} | {'×p50':>6} {'×p95':>6}")
    print(header)
    print("-" * len(header))
    for row in result["rows"]:
        verdict = f"≤{row['target_p95_ms']:.0f} " + ("ok" if row["meets_target"] else "MISS")
        print(f"{row['persona']:28} {row['kind']:10} {row['visible_customers']:>9,} {row['median_count']:>8,}"
              f" {row['p50_ms']:>7.1f} {row['p95_ms']:>7.1f} {verdict:>9}"
              f" | {row['baseline']['p50_ms']:>9.1f} {row['baseline']['p95_ms']:>9.1f}"
              f" | {row['ratio_p50']:>6.1f} {row['ratio_p95']:>6.1f}")
    print(f"(matches: median `count` answered; naive: {result['rows'][0]['baseline']['n']} requests per row, "
          "icontains OR over first/last name, email, phone with an exact count)")


if __name__ == "__main__":
    sys.exit(main())
