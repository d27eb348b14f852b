"""What an order would earn, written nowhere: the console's "What would I earn?" and the API's simulate.

A saved order is evaluated with today's rules as if it arrived now; an order payload (as
`POST /orders` takes it) is attributed as the intake would attribute it, or credited to the
associate it names. Both go through the facts and the engine accrual uses (`accrual`, `rules`).
"""

from django.utils import timezone

from shopfloor.access import (
    NotVisible,
    get_customer_for,
    get_earner_for,
    visible_customers,
    visible_earners,
    visible_stores,
)
from shopfloor.accounts.models import Associate, SellingMode, Store
from shopfloor.catalog.models import Product
from shopfloor.commissions import snapshot
from shopfloor.commissions.accrual import evaluate_order, is_first_order, order_facts
from shopfloor.commissions.models import EntryStatus, signed_amount
from shopfloor.commissions.rules import LineFacts, OrderFacts
from shopfloor.commissions.validation import is_whole, moment_field
from shopfloor.customers.models import Customer
from shopfloor.errors import InvalidInput
from shopfloor.money import MAX_AMOUNT, ZERO, parse_amount, to_cents
from shopfloor.orders.attribution import attribute
from shopfloor.orders.models import Order


def _payload_facts(data: dict) -> tuple[OrderFacts | None, Associate | None]:
    """Facts of an order payload as `POST /orders` takes it, plus an optional `associate_id` to credit."""
    errors = []

    def fail(loc, message):
        errors.append((("body", *loc), message))

    customer = None
    if data.get("customer_id") is not None:
        customer = Customer.objects.select_related("store").filter(pk=data["customer_id"]).first()
        if customer is None:
            fail(("customer_id",), "Unknown customer.")
    elif data.get("customer_external_id"):
        customer = Customer.objects.select_related("store").filter(
            external_id=data["customer_external_id"]).first()
        if customer is None:
            fail(("customer_external_id",), "Unknown customer.")
    store = customer.store if customer is not None else None
    if data.get("store_id") is not None:
        store = Store.objects.filter(pk=data["store_id"]).first()
        if store is None:
            fail(("store_id",), "Unknown store.")
    elif store is None and not errors:
        fail(("store_id",), "Field required when the order has no customer.")
    associate = placed_by = None
    for key in ("associate_id", "placed_by_associate_id"):
        if data.get(key) is not None:
            found = Associate.objects.filter(pk=data[key]).first()
            if found is None:
                fail((key,), "Unknown associate.")
            elif key == "associate_id":
                associate = found
            else:
                placed_by = found
    lines = data.get("lines") or []
    if not lines:
        fail(("lines",), "An order needs at least one line.")
    products = {p.sku: p for p in Product.objects.filter(sku__in={line.get("sku") for line in lines})}
    line_facts, subtotal = [], ZERO
    for index, line in enumerate(lines):
        quantity = line.get("quantity")
        if not is_whole(quantity) or quantity < 1:
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
        product = products.get(line.get("sku"))
        line_total = to_cents(unit_price * quantity)
        subtotal += line_total
        line_facts.append(LineFacts(index=index, sku=str(line.get("sku") or ""), quantity=quantity,
                                    unit_price=unit_price, line_total=line_total,
                                    category_id=product.category_id if product else None))
    try:
        discount = to_cents(parse_amount(data.get("discount") or 0))
    except ValueError as exc:
        fail(("discount",), str(exc))
        discount = ZERO
    if subtotal > MAX_AMOUNT:
        fail(("lines",), f"The order subtotal may not exceed {MAX_AMOUNT}.")
    elif not ZERO <= discount <= subtotal:
        fail(("discount",), "Must be between zero and the subtotal.")
    placed_at = moment_field(data.get("placed_at"), "placed_at", errors) or timezone.now()
    if errors:
        raise InvalidInput(errors)
    currency = (data.get("currency") or store.currency).upper()
    if associate is None:
        attribution = attribute(Order(
            customer=customer, store=store, currency=currency, placed_by_associate=placed_by,
            coupon_code=data.get("coupon_code") or "", referral_code=data.get("referral_code") or "",
            visitor_id=data.get("visitor_id") or "", placed_at=placed_at, subtotal=subtotal,
            discount=discount, total=subtotal - discount,
        ))
        associate = attribution.associate
    if associate is None:
        return None, None
    return OrderFacts(
        associate_id=associate.pk, associate_name=associate.name, currency=currency, subtotal=subtotal,
        discount=discount, placed_at=placed_at, lines=tuple(line_facts),
        customer_id=customer.pk if customer else None,
        customer_group_id=customer.group_id if customer else None,
        is_first_order=is_first_order(customer.pk if customer else None, placed_at, None),
        external_id=str(data.get("external_id") or ""),
    ), associate


def simulate_order(order_like) -> list[dict]:
    """The earnings and overrides an order would create, written nowhere.

    `order_like` is a saved Order (evaluated with today's rules as if it arrived
    now) or an order payload as `POST /orders` takes it, optionally with an
    `associate_id` to credit instead of running the attribution.
    """
    if isinstance(order_like, Order):
        order = Order.objects.select_related("attributed_associate", "customer").get(pk=order_like.pk)
        associate = order.attributed_associate
        facts = order_facts(order, associate) if associate is not None else None
    else:
        facts, associate = _payload_facts(order_like)
    if facts is None:
        return []
    evaluation = evaluate_order(facts, associate, snapshot.current())
    return [
        {
            "associate_id": proposal.associate_id, "kind": proposal.kind, "level": proposal.level,
            "status": EntryStatus.PENDING.value, "amount": signed_amount(proposal.kind, proposal.amount),
            "currency": facts.currency, "rule_id": proposal.rule.id if proposal.rule else None,
            "rule_version": proposal.rule.version if proposal.rule else None,
            "line_index": proposal.line.index if proposal.line else None,
            "sku": proposal.line.sku if proposal.line else None, "breakdown": proposal.breakdown,
        }
        for proposal in evaluation.proposals
    ]


def simulate_for(actor, data: dict) -> tuple[list[dict], bool]:
    """What `actor` may learn from simulating the order `data`: (earnings, credited store is team-mode).

    Admins simulate any order; others are credited themselves unless they may see
    the associate named in `associate_id`, may only name customers and stores
    they see (else NotVisible), and see only the earnings of associates whose
    money they may see (an associate never sees their upline's override).
    """
    data = {key: value for key, value in data.items() if key != "status"}
    credited = None
    if data.get("associate_id") is not None:
        credited = get_earner_for(actor, data["associate_id"])
    elif not actor.is_admin:
        credited = actor.associate
        data["associate_id"] = credited.pk
    if data.get("customer_id") is not None:
        get_customer_for(actor, data["customer_id"])
    elif data.get("customer_external_id") and not visible_customers(actor).filter(
            external_id=data["customer_external_id"]).exists():
        raise NotVisible
    if data.get("store_id") is not None and not visible_stores(actor).filter(pk=data["store_id"]).exists():
        raise NotVisible
    if not actor.is_admin:
        data.pop("placed_by_associate_id", None)
    if credited is not None and credited.store.selling_mode == SellingMode.TEAM:
        # A team-mode store is credited with its sales: its associates earn nothing on them.
        return [], True
    earnings = simulate_order(data)
    if not actor.is_admin:
        shown = set(visible_earners(actor).filter(pk__in={e["associate_id"] for e in earnings})
                    .values_list("pk", flat=True))
        earnings = [e for e in earnings if e["associate_id"] in shown]
    return earnings, False
