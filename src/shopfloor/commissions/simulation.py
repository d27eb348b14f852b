"""What an order would earn, written nowhere: the console's "What would I earn?" and the API's simulate.

A saved order is evaluated with today's rules as if it arrived now; an order payload (as
`POST /orders` takes it) is attributed as the intake would attribute it, or credited to the
associate it names. Both go through the facts and the engine accrual uses (`accrual`, `rules`).
"""


from shopfloor import references
from shopfloor.access import visible_customers, visible_earners, visible_stores
from shopfloor.accounts.models import Associate, SellingMode
from shopfloor.attribution.rules import attribute
from shopfloor.commissions import snapshot
from shopfloor.commissions.accrual import evaluate_order, is_first_order, order_facts
from shopfloor.commissions.models import EntryStatus, signed_amount
from shopfloor.commissions.rules import LineFacts, OrderFacts
from shopfloor.errors import InvalidInput
from shopfloor.orders.intake import resolve_order
from shopfloor.orders.models import Order


def _payload_facts(data: dict, customers=None, stores=None, associates=None
                   ) -> tuple[OrderFacts | None, Associate | None]:
    """Facts of an order payload as `POST /orders` takes it (read by the intake's own `resolve_order`), plus
    an optional `associate_id` to credit instead of running the attribution."""
    errors = []
    associate = references.one(associates if associates is not None else Associate.objects.all(),
                               data.get("associate_id"), "associate_id", errors=errors)
    try:
        body = resolve_order(data, customers=customers, stores=stores)
    except InvalidInput as invalid:
        raise InvalidInput(errors + invalid.errors) from None
    if errors:
        raise InvalidInput(errors)
    if associate is None:
        associate = attribute(body.unsaved_order()).associate
    if associate is None:
        return None, None
    customer = body.customer
    return OrderFacts(
        associate_id=associate.pk, associate_name=associate.name, currency=body.currency, subtotal=body.subtotal,
        discount=body.discount, placed_at=body.placed_at,
        lines=tuple(
            LineFacts(index=index, sku=line.sku, quantity=line.quantity, unit_price=line.unit_price,
                      line_total=line.line_total, category_id=line.product.category_id if line.product else None)
            for index, line in enumerate(body.lines)),
        customer_id=customer.pk if customer else None,
        customer_group_id=customer.group_id if customer else None,
        is_first_order=is_first_order(customer.pk if customer else None, body.placed_at, None),
        external_id=body.external_id,
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
    return _proposed(facts, associate)


def _proposed(facts: OrderFacts | None, associate: Associate | None) -> list[dict]:
    """The entries evaluating `facts` with today's rules would write, as dicts."""
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
    they see (others are unknown ids: 422 at the field), and see only the earnings
    of associates whose money they may see (an associate never sees their upline's override).
    """
    data = {key: value for key, value in data.items() if key != "status"}
    if data.get("associate_id") is None and not actor.is_admin:
        data["associate_id"] = actor.associate.pk
    if not actor.is_admin:
        data.pop("placed_by_associate_id", None)
    # Names the actor may not see are unknown to them (422 at the field), as in any body.
    facts, credited = _payload_facts(data, customers=visible_customers(actor), stores=visible_stores(actor),
                                     associates=visible_earners(actor).select_related("store"))
    if credited is not None and credited.store.selling_mode == SellingMode.TEAM:
        # A team-mode store is credited with its sales: its associates earn nothing on them.
        return [], True
    earnings = _proposed(facts, credited)
    if not actor.is_admin:
        shown = set(visible_earners(actor).filter(pk__in={e["associate_id"] for e in earnings})
                    .values_list("pk", flat=True))
        earnings = [e for e in earnings if e["associate_id"] in shown]
    return earnings, False
