"""An order body as `POST /orders` takes it, checked and resolved once: the order intake records it, the
commission simulation evaluates it without writing anything. Both read it here, so they agree on what a
body means and refuse the same bodies with the same errors (422 naming each bad field).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from shopfloor import references
from shopfloor.accounts.models import Associate, Store
from shopfloor.catalog.models import Product
from shopfloor.customers.models import Customer
from shopfloor.errors import InvalidInput
from shopfloor.money import MAX_AMOUNT, ZERO, parse_amount, to_cents
from shopfloor.orders.models import Order, OrderLine, OrderStatus


@dataclass
class OrderBody:
    """A valid order body: its references found, its amounts in cents, its lines unsaved (not numbered yet)."""

    customer: Customer | None
    store: Store
    currency: str
    placed_by: Associate | None
    lines: list[OrderLine]
    subtotal: object
    discount: object
    status: str
    placed_at: datetime
    external_id: str
    coupon_code: str
    referral_code: str
    visitor_id: str

    def unsaved_order(self) -> Order:
        return Order(
            external_id=self.external_id, customer=self.customer, store=self.store, currency=self.currency,
            status=self.status, subtotal=self.subtotal, discount=self.discount, total=self.subtotal - self.discount,
            coupon_code=self.coupon_code, referral_code=self.referral_code, visitor_id=self.visitor_id,
            placed_by_associate=self.placed_by, placed_at=self.placed_at,
        )


def resolve_order(data: dict, *, customers: QuerySet | None = None, stores: QuerySet | None = None,
                  associates: QuerySet | None = None) -> OrderBody:
    """The order `data` describes, or InvalidInput naming every bad field.

    `customers`, `stores` and `associates` are what the caller may refer to (default: everyone); an id
    outside them is refused as unknown, like an id that does not exist.
    """
    errors = []

    def fail(loc, message):
        errors.append((("body", *loc), message))

    customers = (customers if customers is not None else Customer.objects.all()).select_related("store")
    stores = stores if stores is not None else Store.objects.all()
    associates = associates if associates is not None else Associate.objects.all()
    customer = None
    if data.get("customer_id") is not None:
        customer = references.one(customers, data["customer_id"], "customer_id", errors=errors)
    elif data.get("customer_external_id"):
        customer = customers.filter(external_id=data["customer_external_id"]).first()
        if customer is None:
            fail(("customer_external_id",), "Unknown customer.")
    store = None
    if data.get("store_id") is not None:
        store = references.one(stores, data["store_id"], "store_id", errors=errors)
    elif customer is not None:
        store = customer.store
    elif not errors:
        fail(("store_id",), "Field required when the order has no customer.")
    currency = (data.get("currency") or (store.currency if store else "")).upper()
    if store is not None and currency != store.currency:
        fail(("currency",), f"The store sells in {store.currency}.")
    placed_by = references.one(associates, data.get("placed_by_associate_id"), "placed_by_associate_id",
                               errors=errors)
    lines, subtotal = _lines(data.get("lines") or [], fail)
    try:
        discount = to_cents(parse_amount(data.get("discount") or ZERO))
    except ValueError as exc:
        fail(("discount",), str(exc))
        discount = ZERO
    if subtotal > MAX_AMOUNT:
        fail(("lines",), f"The order subtotal may not exceed {MAX_AMOUNT}.")
    elif discount < 0:
        fail(("discount",), "Must be zero or more.")
    elif discount > subtotal:
        fail(("discount",), "Cannot exceed the subtotal.")
    status = data.get("status") or OrderStatus.PLACED
    if status not in OrderStatus.values:
        fail(("status",), f"Must be one of {', '.join(OrderStatus.values)}.")
    placed_at = _moment(data.get("placed_at"), fail)
    if errors:
        raise InvalidInput(errors)
    return OrderBody(
        customer=customer, store=store, currency=currency, placed_by=placed_by, lines=lines, subtotal=subtotal,
        discount=discount, status=status, placed_at=placed_at or timezone.now(),
        external_id=str(data.get("external_id") or ""), coupon_code=data.get("coupon_code") or "",
        referral_code=data.get("referral_code") or "", visitor_id=data.get("visitor_id") or "",
    )


def _lines(lines: list[dict], fail) -> tuple[list[OrderLine], object]:
    """The body's lines as unsaved OrderLines with their products, and the subtotal."""
    if not lines:
        fail(("lines",), "An order needs at least one line.")
    products = Product.objects.in_bulk({str(line.get("sku") or "") for line in lines}, field_name="sku")
    subtotal, clean = ZERO, []
    for index, line in enumerate(lines):
        quantity = line.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            fail(("lines", index, "quantity"), "Must be a whole number of at least 1.")
            continue
        try:
            unit_price = to_cents(parse_amount(line.get("unit_price")))
        except ValueError as exc:
            fail(("lines", index, "unit_price"), str(exc))
            continue
        if unit_price < 0:
            fail(("lines", index, "unit_price"), "Must be zero or more.")
            continue
        line_total = to_cents(unit_price * quantity)
        if line_total > MAX_AMOUNT:
            fail(("lines", index, "quantity"), f"The line total may not exceed {MAX_AMOUNT}.")
        subtotal += line_total
        sku = str(line.get("sku") or "")
        product = products.get(sku)
        clean.append(OrderLine(sku=sku, product=product, name=product.name if product else line.get("name", ""),
                               quantity=quantity, unit_price=unit_price, line_total=line_total))
    return clean, subtotal


def _moment(value, fail) -> datetime | None:
    """A time-zone-aware moment from a datetime or an ISO 8601 string."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if not isinstance(value, datetime) or timezone.is_naive(value):
        fail(("placed_at",), "Must be an ISO 8601 date and time with a time zone.")
        return None
    return value
