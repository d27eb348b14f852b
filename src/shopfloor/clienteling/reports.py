"""What a store sold in a period, split by whom the sale is credited to: the sales report's one selector.

The definitions (DESIGN.md, Attribution), shared by the console's reports, `GET /reports/sales` and the KPIs:

- A store's **total** is its *credited* sales: orders whose attribution credits the store
  (`attributed_store`), in a status that counts as a sale (`kpis.SALE_STATUSES`), placed in the period.
  This is the figure the KPIs show for the store, and the stores' totals add up to the retailer's
  credited sales. The store an order came through (`Order.store`) does not decide it; it is a filter.
- **Rows**: one per associate the sales are credited to (associate mode), and one row with no associate,
  "Credited to the store", for the store's sales no associate is credited with (team mode, a home-store
  sale, or an associate since deleted). The rows add up to the total exactly, orders and money alike.
- Sales credited to **nobody** (attribution rule `none`) have no credited store, so they are in no store's
  total and in no row: counting them for the store they came through would make the store's figure
  differ from its KPIs and count them for a store the attribution did not credit. So that they do not
  vanish, the report shows them beside the total (`uncredited`): those that came through this store.

Money is Decimal, in the store's currency. Orders in another currency (the order intake refuses them, but
older rows may hold one) cannot be added to it; they are left out of the figures and listed per
currency under `other_currencies`, so nothing is summed across currencies.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from shopfloor.accounts.models import Associate, Store
from shopfloor.clienteling.kpis import SALE_STATUSES
from shopfloor.money import ZERO, to_cents
from shopfloor.orders.models import Order, Refund
from shopfloor.periods import Period

STORE_ROW_NAME = "Credited to the store"


@dataclass
class Figures:
    """Orders, sales, refunds of some orders; `net` is sales less refunds."""

    orders: int = 0
    total: Decimal = ZERO
    refunds: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.total - self.refunds

    def add(self, orders: int, total: Decimal, refunds: Decimal) -> None:
        self.orders += orders
        self.total += total
        self.refunds += refunds


@dataclass
class Row(Figures):
    """One associate's credited sales, or the store's own (associate None)."""

    associate: Associate | None = None
    name: str = STORE_ROW_NAME


@dataclass
class StoreSales(Figures):
    store: Store | None = None
    currency: str = ""
    rows: list[Row] = field(default_factory=list)
    uncredited: Figures = field(default_factory=Figures)
    other_currencies: dict[str, Figures] = field(default_factory=dict)

    @property
    def store_row(self) -> Row:
        return next(row for row in self.rows if row.associate is None)


def sales_in(period: Period) -> QuerySet:
    start, end = period.bounds()
    return Order.objects.filter(status__in=SALE_STATUSES, placed_at__gte=start, placed_at__lt=end)


def _sums(orders: QuerySet, *keys: str) -> dict[tuple, tuple[int, Decimal, Decimal]]:
    """{(key values…): (orders, total, refunds)}, two grouped queries whatever the number of groups."""
    found: dict[tuple, list] = defaultdict(lambda: [0, ZERO, ZERO])
    for row in orders.values(*keys).annotate(count=Count("id"), total=Sum("total")).order_by():
        found[tuple(row[key] for key in keys)][:2] = [row["count"], to_cents(row["total"] or ZERO)]
    refunds = (Refund.objects.filter(order__in=orders.values("pk")).values(*(f"order__{key}" for key in keys))
               .annotate(total=Sum("amount")).order_by())
    for row in refunds:
        found[tuple(row[f"order__{key}"] for key in keys)][2] = to_cents(row["total"] or ZERO)
    return {key: tuple(value) for key, value in found.items()}


def credited_sales(stores, period: Period, *, with_associates: QuerySet | None = None) -> list[StoreSales]:
    """Each store's credited sales in the period, split per credited associate plus the store's row.

    `with_associates`: associates to list with a zero row when they sold nothing (the console lists a
    store's active people); associates with credited sales are listed whatever it holds.
    """
    stores = list(stores)
    orders = sales_in(period)
    credited = _sums(orders.filter(attributed_store__in=stores),
                     "attributed_store", "currency", "attributed_associate")
    uncredited = _sums(orders.filter(store__in=stores, attributed_store__isnull=True,
                                     attributed_associate__isnull=True), "store", "currency")
    wanted = {key[2] for key in credited if key[2] is not None}
    listed = set() if with_associates is None else set(
        with_associates.filter(store__in=stores).values_list("pk", flat=True))
    people = {person.pk: person for person in Associate.objects.filter(pk__in=wanted | listed)}
    reports = []
    for store in stores:
        report = StoreSales(store=store, currency=store.currency)
        by_associate: dict[int | None, Row] = {None: Row()}
        for pk, person in people.items():
            if person.store_id == store.pk and pk in listed:
                by_associate[pk] = Row(associate=person, name=person.name)
        for (store_id, currency, associate_id), (count, total, refunds) in credited.items():
            if store_id != store.pk:
                continue
            if currency != store.currency:
                report.other_currencies.setdefault(currency, Figures()).add(count, total, refunds)
                continue
            if associate_id not in by_associate:
                person = people[associate_id]
                by_associate[associate_id] = Row(associate=person, name=person.name)
            by_associate[associate_id].add(count, total, refunds)
            report.add(count, total, refunds)
        report.uncredited.add(*uncredited.get((store.pk, store.currency), (0, ZERO, ZERO)))
        store_row = by_associate.pop(None)
        report.rows = sorted(by_associate.values(), key=lambda row: (-row.total, row.name, row.associate.pk))
        report.rows.append(store_row)
        reports.append(report)
    return reports


def store_sales(store: Store, period: Period, *, with_associates: QuerySet | None = None) -> StoreSales:
    """One store's credited sales in the period (see the module's docstring for the definitions)."""
    return credited_sales([store], period, with_associates=with_associates)[0]


def credited_orders(stores, period: Period) -> QuerySet:
    """The orders the reports of `stores` add up, for the day-by-day chart."""
    stores = list(stores)
    return sales_in(period).filter(attributed_store__in=stores, currency__in={store.currency for store in stores})
