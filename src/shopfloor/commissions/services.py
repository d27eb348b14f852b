"""Writes on commissions: rules and settings, accrual, reversals, approval, adjustments, payouts.

The path from an order to an earning, top to bottom (the orders service calls these explicitly):

    record_order (in its transaction)    → accrue_new_order(order, lines)
    pending payment paid                 → accrue_order(order)
    backfills, imports, catching up      → settle_orders()                (the batch accrue_order)
    change_order_status → completed      → note_order_completed(order)   (optional: starts the hold)
    refund_order                         → reverse_for_refund(refund)
    change_order_status → cancelled      → reverse_for_cancellation(order)
    the scheduled job                    → approve_due_earnings(now)

Every one of them is idempotent and safe to retry or to run twice at once: an
order is accrued once (a unique marker row), a refund is reversed once (a unique
marker row), a cancellation is claimed with a conditional UPDATE, and approval
claims each order with a conditional UPDATE. Everything that touches one order's
earnings locks the order's row and then its marker row (always in that order), so
it happens one at a time. Call them inside the orders service's transaction or
after it commits; either way a retry is harmless.

Where DESIGN.md §4 is silent, the choices are documented in `rules` (evaluation)
and here:
- Only an order credited to an associate earns (a team-mode order is credited to
  the store: nobody earns; an unattributed order: nobody earns). Orders accrue
  once they are placed or completed; a pending-payment order accrues when it is
  paid (call `accrue_order` again then), a cancelled one never.
- Earnings are pending until the order has completed and the hold period has
  passed since its completion (`note_order_completed`, or when the approval job
  first sees the order completed). Approval is per order: all its pending
  entries at once.
- A refund reverses every earning and override of the order in proportion to the
  money refunded (fixed-amount rules included, since a refund does not say which
  lines it covers). Reversals are computed on the running total refunded, so a
  full refund takes back exactly what was earned, whatever the rounding of each
  partial refund. A cancellation reverses whatever is left in full.
- A reversal is approved at once when the order's earnings were already approved
  (the balance goes down, and may go negative: it carries forward); otherwise it
  is pending and approved with the order. A pending entry reversed in full
  becomes `reversed`, with its reversals: they net to zero and count nowhere.
"""

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Context as DecimalContext
from decimal import Decimal
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from shopfloor.access import NotAllowed
from shopfloor.accounts.models import Associate, AuditEvent, Store
from shopfloor.accounts.services import audit_event, record_event
from shopfloor.catalog.models import Product
from shopfloor.catalog.services import category_named
from shopfloor.commissions import pipeline, snapshot
from shopfloor.commissions.models import (
    ACCRUAL_KINDS,
    CommissionRule,
    CommissionSettings,
    EntryKind,
    EntryStatus,
    LedgerEntry,
    OrderAccrual,
    Payout,
    PayoutMethod,
    RefundReversal,
    RuleKind,
    RuleVersion,
    default_override_levels,
)
from shopfloor.commissions.rules import (
    FIXED_PER_ORDER,
    LineFacts,
    OrderFacts,
    Proposal,
    Ruleset,
    Upline,
    evaluate,
    override_rates,
)
from shopfloor.commissions.selectors import balance
from shopfloor.customers.models import Customer, CustomerGroup
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.money import CENT, MAX_AMOUNT, ZERO, parse_amount, to_cents
from shopfloor.orders.attribution import attribute
from shopfloor.orders.models import Order, OrderLine, OrderStatus, Refund

# Statuses in which an order earns; a pending-payment order earns once it is paid.
ACCRUABLE_STATUSES = {OrderStatus.PLACED, OrderStatus.COMPLETED}
MAX_OVERRIDE_LEVELS = 10
MAX_HOLD_DAYS = 3650
# What a rule's value column holds (12 digits, 4 of them decimals).
MAX_RULE_VALUE = Decimal("99999999.9999")

# How each kind of entry moves the balance: the one place a ledger sign is decided.
# Adjustments carry the sign the admin gave them.
ENTRY_SIGN = {
    EntryKind.EARNING: 1,
    EntryKind.OVERRIDE: 1,
    EntryKind.REVERSAL: -1,
    EntryKind.PAYOUT: -1,
}


def signed_amount(kind: str, amount: Decimal) -> Decimal:
    """The amount an entry of `kind` records for `amount` (a magnitude, except for adjustments)."""
    amount = to_cents(amount)
    if kind == EntryKind.ADJUSTMENT:
        return amount
    return ENTRY_SIGN[kind] * abs(amount)


def _require_admin(actor_user) -> None:
    if not (actor_user is not None and getattr(actor_user, "is_staff", False) and actor_user.is_active):
        raise NotAllowed("Only the retailer's admins manage commissions and payouts.")


def _is_whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _amount(value, name: str) -> Decimal:
    try:
        return parse_amount(value)
    except ValueError as exc:
        raise InvalidInput.field(name, str(exc))


# Settings -------------------------------------------------------------------


def get_commission_settings() -> CommissionSettings:
    """The settings row, or the defaults when nobody has saved settings yet (reading writes nothing)."""
    return CommissionSettings.objects.filter(pk=1).first() or CommissionSettings(
        pk=1, override_levels=default_override_levels()
    )


def _clean_override_levels(levels) -> list[dict]:
    if not isinstance(levels, list | tuple):
        raise InvalidInput.field("override_levels", "Must be a list of {level, rate}.")
    errors, clean, seen = [], [], set()
    for index, item in enumerate(levels):
        loc = ("body", "override_levels", index)
        if not isinstance(item, dict) or "level" not in item or "rate" not in item:
            errors.append((loc, "Must be {level, rate}."))
            continue
        level = item["level"]
        if not _is_whole(level) or not 1 <= level <= MAX_OVERRIDE_LEVELS:
            errors.append(((*loc, "level"), f"Must be a whole number from 1 to {MAX_OVERRIDE_LEVELS}."))
            continue
        if level in seen:
            errors.append(((*loc, "level"), "Each level once."))
            continue
        seen.add(level)
        try:
            rate = parse_amount(item["rate"])
        except ValueError as exc:
            errors.append(((*loc, "rate"), str(exc)))
            continue
        if not ZERO <= rate <= 100:
            errors.append(((*loc, "rate"), "Must be a percent from 0 to 100."))
            continue
        clean.append({"level": level, "rate": str(rate)})
    if errors:
        raise InvalidInput(errors)
    return sorted(clean, key=lambda item: item["level"])


def save_commission_settings(actor_user, data: dict) -> CommissionSettings:
    """Change the hold period and the override levels; they apply to what is accrued or approved next."""
    _require_admin(actor_user)
    current = get_commission_settings()
    hold_days, override_levels = current.hold_days, current.override_levels
    if data.get("hold_days") is not None:
        hold_days = data["hold_days"]
        if not _is_whole(hold_days) or not 0 <= hold_days <= MAX_HOLD_DAYS:
            raise InvalidInput.field("hold_days", f"Must be a whole number from 0 to {MAX_HOLD_DAYS}.")
    if data.get("override_levels") is not None:
        override_levels = _clean_override_levels(data["override_levels"])
    with transaction.atomic():
        settings, _ = CommissionSettings.objects.update_or_create(
            pk=1, defaults={"hold_days": hold_days, "override_levels": override_levels}
        )
        record_event(actor_user, "commissions.settings_saved", settings, hold_days=hold_days,
                     override_levels=override_levels)
    return settings


# Rules ----------------------------------------------------------------------

RULE_FIELDS = ("name", "active", "priority", "kind", "value", "currency", "product_skus", "min_subtotal",
               "max_subtotal", "first_order_only", "starts_at", "ends_at")
RULE_RELATIONS = {
    "associate_ids": ("associates", Associate),
    "customer_group_ids": ("customer_groups", CustomerGroup),
    "customer_ids": ("customers", Customer),
}


def _rule_state(rule: CommissionRule) -> dict:
    """Everything that decides what a rule pays, to tell whether a save changed it."""
    state = {name: getattr(rule, name) for name in RULE_FIELDS}
    state["product_skus"] = sorted(rule.product_skus or [])
    if rule.pk:
        for _, (relation, _model) in RULE_RELATIONS.items():
            state[relation] = sorted(getattr(rule, relation).values_list("pk", flat=True))
        state["categories"] = sorted(rule.categories.values_list("pk", flat=True))
    return state


def _datetime(value, name: str, errors: list) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            errors.append((("body", name), "Must be an ISO 8601 date and time."))
            return None
        value = parsed
    if not isinstance(value, datetime) or timezone.is_naive(value):
        errors.append((("body", name), "Must be a date and time with a time zone."))
        return None
    return value


def _clean_rule(data: dict, rule: CommissionRule, creating: bool) -> dict:
    errors = []

    def fail(name, message):
        errors.append((("body", name), message))

    clean = {}
    if "name" in data or creating:
        name = (data.get("name") or "").strip()
        if not name:
            fail("name", "Field required.")
        clean["name"] = name[:200]
    for flag in ("active", "first_order_only"):
        if data.get(flag) is not None:
            clean[flag] = bool(data[flag])
    if data.get("priority") is not None:
        if not _is_whole(data["priority"]):
            fail("priority", "Must be a whole number.")
        else:
            clean["priority"] = data["priority"]
    kind = data.get("kind") or (RuleKind.PERCENTAGE if creating else rule.kind)
    if kind not in RuleKind.values:
        fail("kind", f"Must be one of {', '.join(RuleKind.values)}.")
    clean["kind"] = kind
    value = rule.value
    if "value" in data or creating:
        if data.get("value") is None:
            fail("value", "Field required.")
        else:
            try:
                value = parse_amount(data["value"])
            except ValueError as exc:
                fail("value", str(exc))
                value = None
            if value is not None:
                if value < 0:
                    fail("value", "Must be zero or more.")
                elif value.as_tuple().exponent < -4:
                    fail("value", "At most four decimal places.")
                elif value > MAX_RULE_VALUE:
                    fail("value", f"At most {MAX_RULE_VALUE}.")
                clean["value"] = value
    if value is not None and kind == RuleKind.PERCENTAGE and value > 100:
        fail("value", "A percentage is at most 100.")
    if "currency" in data:
        currency = (data["currency"] or "").strip().upper()
        if currency and (len(currency) != 3 or not currency.isalpha()):
            fail("currency", "Must be a three-letter currency code, or empty for any.")
        clean["currency"] = currency
    if data.get("product_skus") is not None:
        skus = data["product_skus"]
        if not isinstance(skus, list | tuple) or not all(isinstance(s, str) and s.strip() for s in skus):
            fail("product_skus", "Must be a list of SKUs.")
        else:
            clean["product_skus"] = sorted({sku.strip() for sku in skus})
    for bound in ("min_subtotal", "max_subtotal"):
        if bound in data:
            if data[bound] is None or data[bound] == "":
                clean[bound] = None
                continue
            try:
                clean[bound] = to_cents(parse_amount(data[bound]))
            except ValueError as exc:
                fail(bound, str(exc))
                continue
            if not ZERO <= clean[bound] <= MAX_AMOUNT:
                fail(bound, f"Must be from 0 to {MAX_AMOUNT}.")
    low = clean.get("min_subtotal", rule.min_subtotal)
    high = clean.get("max_subtotal", rule.max_subtotal)
    if low is not None and high is not None and low > high:
        fail("max_subtotal", "Must not be below min_subtotal.")
    for moment in ("starts_at", "ends_at"):
        if moment in data:
            clean[moment] = _datetime(data[moment], moment, errors)
    starts, ends = clean.get("starts_at", rule.starts_at), clean.get("ends_at", rule.ends_at)
    if starts is not None and ends is not None and starts >= ends:
        fail("ends_at", "Must be after starts_at.")
    for key, (relation, model) in RULE_RELATIONS.items():
        if data.get(key) is None:
            continue
        ids = data[key]
        if not isinstance(ids, list | tuple) or not all(_is_whole(i) for i in ids):
            fail(key, "Must be a list of ids.")
            continue
        found = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
        missing = sorted(set(ids) - found)
        if missing:
            fail(key, f"Unknown ids: {', '.join(map(str, missing))}.")
        clean[relation] = sorted(found)
    if data.get("categories") is not None:
        names = data["categories"]
        if not isinstance(names, list | tuple) or not all(isinstance(n, str) and n.strip() for n in names):
            fail("categories", "Must be a list of category names.")
        else:
            clean["category_names"] = sorted({n.strip() for n in names})
    if errors:
        raise InvalidInput(errors)
    return clean


def save_commission_rule(actor_user, data: dict, rule: CommissionRule | None = None) -> CommissionRule:
    """Create a rule, or change the fields given in `data`; any change raises its version by one.

    `data` uses the API's names: name, active, priority, kind, value, currency,
    associate_ids, product_skus, categories (names), customer_group_ids,
    customer_ids, min_subtotal, max_subtotal, first_order_only, starts_at, ends_at.
    """
    _require_admin(actor_user)
    creating = rule is None
    rule = rule or CommissionRule()
    clean = _clean_rule(data, rule, creating)
    with transaction.atomic():
        if not creating:
            rule = CommissionRule.objects.select_for_update().get(pk=rule.pk)
        before = None if creating else _rule_state(rule)
        # The version about to be replaced, as it is: the earnings computed with it name it by it.
        replaced = None if creating else RuleVersion(
            rule_id=rule.pk, version=rule.version, name=rule.name, kind=rule.kind, value=rule.value,
            priority=rule.priority)
        for name in RULE_FIELDS:
            if name in clean:
                setattr(rule, name, clean[name])
        rule.save()
        for _, (relation, _model) in RULE_RELATIONS.items():
            if relation in clean:
                getattr(rule, relation).set(clean[relation])
        if "category_names" in clean:
            rule.categories.set([category_named(name) for name in clean["category_names"]])
        if before is not None and _rule_state(rule) != before:
            RuleVersion.objects.bulk_create([replaced], ignore_conflicts=True)
            CommissionRule.objects.filter(pk=rule.pk).update(version=F("version") + 1)
            rule.refresh_from_db(fields=["version"])
        record_event(actor_user, "commissions.rule_saved", rule, version=rule.version, created=creating)
    return rule


# The active rules and their condition sets: read in `snapshot` (cached per process, checked per call).
_rule_facts = snapshot.rule_facts


# Facts about an order ---------------------------------------------------------


def _is_first_order(customer_id: int | None, placed_at: datetime, order_id: int | None) -> bool:
    """No earlier order of the customer that was not cancelled; guest orders are never first orders."""
    if customer_id is None:
        return False
    earlier = Q(placed_at__lt=placed_at)
    earlier |= Q(placed_at=placed_at, pk__lt=order_id) if order_id is not None else Q(placed_at=placed_at)
    others = Order.objects.filter(earlier, customer_id=customer_id).exclude(status=OrderStatus.CANCELLED)
    if order_id is not None:
        others = others.exclude(pk=order_id)
    return not others.exists()


def _order_facts(order: Order, associate: Associate, first_order_matters: bool = True,
                 lines: list[OrderLine] | None = None) -> OrderFacts:
    """The facts rules are evaluated on; `first_order_matters=False` skips the first-order query
    when no rule asks (the fact is then False, which no other condition reads). `lines`: the
    order's saved lines in pk order, with their products, when the caller has them in memory."""
    if lines is None:
        lines = order.lines.select_related("product").order_by("pk")
    return OrderFacts(
        order_id=order.pk, external_id=order.external_id, associate_id=associate.pk,
        associate_name=associate.name, currency=order.currency, subtotal=order.subtotal,
        discount=order.discount, placed_at=order.placed_at, customer_id=order.customer_id,
        customer_group_id=order.customer.group_id if order.customer_id else None,
        is_first_order=first_order_matters and _is_first_order(order.customer_id, order.placed_at, order.pk),
        lines=tuple(
            LineFacts(index=index, line_id=line.pk, sku=line.sku, quantity=line.quantity,
                      unit_price=line.unit_price, line_total=line.line_total,
                      category_id=line.product.category_id if line.product_id else None)
            for index, line in enumerate(lines)
        ),
    )


def _upline_chain(associate: Associate, depth: int, associates: dict) -> list[Upline]:
    """The seller's parent, its parent, ... up to `depth` levels, as `associates` (a snapshot's
    {id: (name, active, parent_id)}) has them."""
    chain, seen = [], {associate.pk}
    parent_id = associate.parent_id
    while parent_id is not None and len(chain) < depth and parent_id not in seen:
        name, active, next_parent_id = associates[parent_id]
        seen.add(parent_id)
        chain.append(Upline(level=len(chain) + 1, associate_id=parent_id, name=name, active=active))
        parent_id = next_parent_id
    return chain


def _evaluate(facts: OrderFacts, associate: Associate, config: snapshot.Snapshot | None = None):
    """Evaluate with the rules and override levels of `config` (None: as they are now)."""
    config = config or snapshot.current()
    levels = config.override_levels
    depth = max((int(level["level"]) for level in levels), default=0)
    return evaluate(facts, config.rules, levels, _upline_chain(associate, depth, config.associates))


# Accrual ----------------------------------------------------------------------


def _locked_order(order_id: int) -> Order:
    """The order's row, locked as the orders service locks it: one order's accrual, refunds and
    cancellation happen one after the other. Locks are always taken order first, then marker."""
    return (Order.objects.select_for_update(of=("self",))
            .select_related("attributed_associate", "customer").get(pk=order_id))


def _details(proposal: Proposal) -> dict | None:
    """What an accrued entry keeps beyond its columns: the lines a fixed-per-order rule won."""
    if proposal.rule is not None and proposal.rule.kind == FIXED_PER_ORDER:
        return {"lines": [line.index for line, _ in proposal.lines]}
    return None


def _write_accrual(order: Order, associate: Associate, evaluation) -> int:
    """Write an order's marker and its pending entries, as rows (no model instance per entry) built
    as a settlement builds them; returns how many entries. Every accrual path writes through here
    or through `write_batch`, with the same row builders."""
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    inputs = ops.adapt_json_value(accrual_inputs(associate.name, evaluation.uplines), None)
    adapt_money = money_for_driver(connection.vendor)
    _insert(OrderAccrual, ACCRUAL_FIELDS, [
        _accrual_row(order.pk, associate.pk, order.currency, order.status, evaluation, now, inputs, adapt_money)])
    entries = _entry_rows(evaluation.proposals, order.pk, order.currency, now, ops.adapt_json_value, adapt_money,
                          [])
    _insert(LedgerEntry, ENTRY_FIELDS, entries)
    return len(entries)


def accrual_inputs(seller_name: str, uplines) -> dict:
    """What an order's entries were computed with beyond their columns (`OrderAccrual.inputs`)."""
    return {"seller": seller_name, "uplines": [[u.associate_id, u.name, u.active] for u in uplines]}


def accrue_order(order: Order) -> list[LedgerEntry]:
    """Write the pending earnings and overrides of an order, once; returns what it wrote.

    A second call for the same order writes nothing (and returns []), as does a
    call for an order credited to nobody or to a team-mode store, a cancelled
    order or one still waiting for payment. Refunds recorded before the accrual
    are reversed right away.
    """
    if OrderAccrual.objects.filter(order_id=order.pk).exists():
        return []
    try:
        with transaction.atomic():
            order = _locked_order(order.pk)
            associate = order.attributed_associate
            if associate is None or order.status not in ACCRUABLE_STATUSES:
                return []
            if OrderAccrual.objects.filter(order_id=order.pk).exists():
                return []
            config = snapshot.current()
            facts = _order_facts(order, associate, first_order_matters=config.needs_first_order)
            evaluation = _evaluate(facts, associate, config)
            written = _write_accrual(order, associate, evaluation)
            record_event(None, "commissions.order_accrued", order, entries=written,
                         commissionable_amount=str(evaluation.commissionable_amount))
            entries = list(LedgerEntry.objects.filter(order=order).order_by("pk"))
            refunds = list(order.refunds.order_by("pk"))
            if refunds:
                accrual = OrderAccrual.objects.get(order=order)
                for refund in refunds:
                    _reverse_refund(accrual, order, refund)
    except IntegrityError:
        # Another process accrued the same order a moment earlier.
        if OrderAccrual.objects.filter(order_id=order.pk).exists():
            return []
        raise
    return entries


def accrue_new_order(order: Order, lines: list[OrderLine], config: snapshot.Snapshot | None = None,
                     events: list | None = None) -> int:
    """`accrue_order` for an order inserted a moment ago in the caller's (still open) transaction;
    returns how many entries it wrote.

    `lines` are the order's saved lines in the order they were inserted. Until that
    transaction commits nobody else can see the order, so nobody else can accrue,
    refund or cancel it: the lock, the marker checks and the refunds `accrue_order`
    needs are skipped, and the facts come from memory. Writes what `accrue_order` would.
    `config`: the rules and settings the caller read for this order (None: read them now).
    `events`: the caller's unsaved audit events, which the accrual's event joins (the caller
    writes them all in one INSERT); None: the event is written here.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("accrue_new_order runs in the transaction that inserted the order.")
    associate = order.attributed_associate
    if associate is None or order.status not in ACCRUABLE_STATUSES:
        return 0
    config = config or snapshot.current()
    facts = _order_facts(order, associate, first_order_matters=config.needs_first_order, lines=lines)
    evaluation = _evaluate(facts, associate, config)
    written = _write_accrual(order, associate, evaluation)
    event = audit_event(None, "commissions.order_accrued", order, entries=written,
                        commissionable_amount=str(evaluation.commissionable_amount))
    if events is None:
        event.save(force_insert=True)
    else:
        events.append(event)
    return written


# Batch settlement ---------------------------------------------------------------

# Orders per transaction: large enough to amortize the round trips, small enough that
# a batch's row locks and memory stay modest.
SETTLE_BATCH_SIZE = 5000


@dataclass(frozen=True)
class _Settlement:
    """What every order of a batch is evaluated with: the snapshot's rules, settings and associate tree."""

    rules: Ruleset
    # {level: rate}
    override_levels: dict
    # {associate id: (name, active)}
    associates: dict
    # {associate id: their upline chain}
    chains: dict
    # {associate id: `OrderAccrual.inputs` of the orders they sold, ready for the database}
    inputs: dict
    needs_first_order: bool


# (snapshot, the settlement built from it): rebuilt only when the snapshot changes.
_last_settlement: tuple | None = None


def current_settlement() -> _Settlement:
    """The settlement of the current snapshot (one query while nothing changed)."""
    global _last_settlement
    config = snapshot.current()
    last = _last_settlement
    if last is not None and last[0] is config:
        return last[1]
    rules, levels = config.rules, list(config.override_levels)
    depth = max((int(level["level"]) for level in levels), default=0)
    tree = config.associates
    chains = {pk: _upline_chain(Associate(pk=pk, parent_id=parent_id), depth, tree)
              for pk, (_, _, parent_id) in tree.items()}
    adapt_json = connection.ops.adapt_json_value
    settlement = _Settlement(
        rules=rules, override_levels=override_rates(levels),
        associates={pk: (name, active) for pk, (name, active, _) in tree.items()},
        chains=chains,
        inputs={pk: adapt_json(accrual_inputs(tree[pk][0], chain), None) for pk, chain in chains.items()},
        needs_first_order=any(rule.first_order_only for rule in rules),
    )
    _last_settlement = (config, settlement)
    return settlement


# Batches settled by this process alone before a helper process is started for the rest
# (`pipeline`): a smaller settlement is over before the helper would be ready.
PIPELINE_AFTER_BATCHES = 2


def settle_orders(order_ids=None, batch_size: int = SETTLE_BATCH_SIZE) -> int:
    """Accrue, in batches, the orders `accrue_order` would accrue and nobody has; returns how many.

    The batch form of `accrue_order`, for backfills, imports and catching up
    (`shopfloor commissions accrue`): it writes, order by order, exactly what
    `accrue_order` would write — the same entries with the same inputs, the same
    marker — and one audit event per batch (`commissions.orders_settled`) where
    `accrue_order` writes one per order. Each batch is one transaction that reads the
    rules, the settings and the associate tree (one query while they are unchanged),
    locks its orders in pk order and then checks their markers again, as `accrue_order`
    does, so a settlement is safe to re-run and to run beside `accrue_order` or another
    settlement; orders already accrued are skipped. The rare order with refunds recorded
    before its accrual goes through `accrue_order` itself. `order_ids`: only these orders
    (None: every order).

    A long settlement of every order on SQLite takes a second core: after
    PIPELINE_AFTER_BATCHES batches, a helper process reads and evaluates each next
    batch while this one writes the last (`pipeline`); what it writes is the same.
    """
    settled, helper, last = 0, None, 0
    try:
        for number, ids in enumerate(_unaccrued_batches(order_ids, batch_size), 1):
            settled += settle_batch(ids)
            last = ids[-1]
            if order_ids is None and number == PIPELINE_AFTER_BATCHES:
                helper = pipeline.Helper.start(batch_size)
            if helper is not None and helper.ready():
                break
        else:
            return settled
        with_helper, last = helper.settle(after=last)
        # Where the helper stopped early (it failed or went away), this process goes on alone.
        return settled + with_helper + sum(
            settle_batch(ids) for ids in _unaccrued_batches(None, batch_size, after=last))
    finally:
        if helper is not None:
            helper.stop()


def _unaccrued_batches(order_ids, batch_size: int, after: int = 0):
    """The pks of the orders to accrue, `batch_size` at a time, in pk order (above `after`)."""
    if order_ids is None:
        while ids := next_unaccrued(after, batch_size):
            yield ids
            after = ids[-1]
        return
    unaccrued = _unaccrued().filter(pk__gt=after)
    wanted = sorted(set(order_ids))
    for start in range(0, len(wanted), batch_size):
        if ids := list(unaccrued.filter(pk__in=wanted[start:start + batch_size])):
            yield ids


def next_unaccrued(after: int, batch_size: int) -> list[int]:
    """The pks of the next `batch_size` orders to accrue above `after`."""
    return list(_unaccrued().filter(pk__gt=after)[:batch_size])


def _unaccrued():
    return (
        Order.objects.filter(status__in=ACCRUABLE_STATUSES, attributed_associate__isnull=False,
                             commission_accrual__isnull=True)
        .order_by("pk").values_list("pk", flat=True)
    )


def settle_batch(ids: list[int], rows=None) -> int:
    """Accrue one batch of orders in one transaction; returns how many were accrued.

    `rows()`, called inside the transaction, gives the batch's `BatchRows` (None: read and
    evaluated here; `pipeline` gives those its helper evaluated).
    """
    try:
        with transaction.atomic():
            return write_batch(rows() if rows else batch_rows(ids, current_settlement()))
    except IntegrityError:
        # Another process accrued some of these orders a moment earlier: one at a time, then.
        return sum(_accrue_one(order_id) for order_id in ids)


def _accrue_one(order_id: int) -> bool:
    if OrderAccrual.objects.filter(order_id=order_id).exists():
        return False
    accrue_order(Order(pk=order_id))
    return OrderAccrual.objects.filter(order_id=order_id).exists()


ORDER_COLUMNS = ("pk", "external_id", "status", "attributed_associate_id", "currency", "subtotal", "discount",
                 "placed_at", "customer_id", "customer__group_id")
LINE_COLUMNS = ("order_id", "pk", "sku", "quantity", "unit_price", "line_total", "product__category_id")
ACCRUAL_FIELDS = ("order", "associate", "currency", "commissionable_amount", "accrued_at", "completed_at",
                  "inputs")
ENTRY_FIELDS = ("associate", "kind", "status", "amount", "currency", "order", "line", "level", "rule",
                "rule_version", "reason", "base", "rate", "details", "created_at")


class BatchRows(NamedTuple):
    """What accruing a batch writes, ready for the database (`batch_rows`)."""

    ids: list
    # Rows of ACCRUAL_FIELDS and of ENTRY_FIELDS.
    accruals: list
    entries: list
    # Orders with refunds recorded before their accrual: `accrue_order` accrues them.
    one_by_one: list


def batch_rows(ids: list[int], settlement: _Settlement) -> BatchRows:
    """Read the orders of one batch and evaluate them: the rows accruing them writes (`write_batch`)."""
    wanted = set(ids)
    if ids[-1] - ids[0] < 2 * len(ids):
        # Dense (the usual batch): a range of pks costs the database and Django less than
        # thousands of parameters; rows of the range outside the batch are skipped below.
        in_batch = {"order_id__gte": ids[0], "order_id__lte": ids[-1]}
    else:
        in_batch = {"order_id__in": ids}
    orders = Order.objects.filter(**{key.replace("order_id", "pk"): value for key, value in in_batch.items()})
    orders = orders.select_for_update(of=("self",)).order_by("pk")
    columns = ORDER_COLUMNS
    if settlement.needs_first_order:
        # `_is_first_order`: the order is its customer's earliest one that is not cancelled.
        orders = orders.annotate(first_order_id=Subquery(
            Order.objects.filter(customer_id=OuterRef("customer_id")).exclude(status=OrderStatus.CANCELLED)
            .order_by("placed_at", "pk").values("pk")[:1]))
        columns = (*ORDER_COLUMNS, "first_order_id")
    rows = _driver_rows(orders.values_list(*columns))
    accrued = set(OrderAccrual.objects.filter(**in_batch).values_list("order_id", flat=True))
    refunded = set(Refund.objects.filter(**in_batch).values_list("order_id", flat=True))
    money, moment = _converters()
    lines = defaultdict(list)
    for order_id, line_id, sku, quantity, unit_price, line_total, category_id in _driver_rows(
            OrderLine.objects.filter(**in_batch).order_by("order_id", "pk").values_list(*LINE_COLUMNS)):
        if order_id in wanted:
            lines[order_id].append((line_id, sku, quantity, money(unit_price), money(line_total), category_id))

    now = timezone.now()
    created_at = connection.ops.adapt_datetimefield_value(now)
    adapt_json, adapt_money = connection.ops.adapt_json_value, money_for_driver(connection.vendor)
    accrual_rows, entry_rows, one_by_one = [], [], []
    rules, levels, chains, inputs = settlement.rules, settlement.override_levels, settlement.chains, settlement.inputs
    for row in rows:
        order_id, external_id, status, associate_id, currency = row[:5]
        if (order_id not in wanted or order_id in accrued or associate_id is None
                or status not in ACCRUABLE_STATUSES):
            continue
        if order_id in refunded:
            one_by_one.append(order_id)
            continue
        subtotal, discount, placed_at, customer_id, customer_group_id = row[5:10]
        name, _active = settlement.associates[associate_id]
        facts = OrderFacts(
            order_id=order_id, external_id=external_id, associate_id=associate_id, associate_name=name,
            currency=currency, subtotal=money(subtotal), discount=money(discount), placed_at=moment(placed_at),
            customer_id=customer_id, customer_group_id=customer_group_id,
            is_first_order=settlement.needs_first_order and customer_id is not None and row[10] == order_id,
            lines=tuple(
                LineFacts(index, sku, quantity, unit_price, line_total, category_id, line_id)
                for index, (line_id, sku, quantity, unit_price, line_total, category_id)
                in enumerate(lines[order_id])
            ),
        )
        evaluation = evaluate(facts, rules, levels, chains[associate_id])
        accrual_rows.append(_accrual_row(order_id, associate_id, currency, status, evaluation, created_at,
                                         inputs[associate_id], adapt_money))
        _entry_rows(evaluation.proposals, order_id, currency, created_at, adapt_json, adapt_money, entry_rows)
    return BatchRows(ids, accrual_rows, entry_rows, one_by_one)


def write_batch(batch: BatchRows) -> int:
    """Write a batch's rows and accrue its refunded orders; the caller holds the transaction."""
    accrual_rows, entry_rows = batch.accruals, batch.entries
    _insert(OrderAccrual, ACCRUAL_FIELDS, accrual_rows)
    _insert(LedgerEntry, ENTRY_FIELDS, entry_rows)
    if accrual_rows:
        # One event per batch: each order's marker (OrderAccrual) already says when it was accrued.
        first, last = accrual_rows[0][0], accrual_rows[-1][0]
        AuditEvent.objects.create(verb="commissions.orders_settled", target_type=Order._meta.label_lower,
                                  target_id=f"{first}-{last}", data={
                                      "orders": len(accrual_rows), "entries": len(entry_rows),
                                      "first_order_id": first, "last_order_id": last})
    return len(accrual_rows) + sum(_accrue_one(order_id) for order_id in batch.one_by_one)


def _accrual_row(order_id: int, associate_id: int, currency: str, status: str, evaluation, accrued_at,
                 inputs, adapt_money) -> tuple:
    """An order's marker as a row of ACCRUAL_FIELDS; `accrued_at` and `inputs` ready for the database."""
    return (order_id, associate_id, currency, adapt_money(evaluation.commissionable_amount), accrued_at,
            accrued_at if status == OrderStatus.COMPLETED else None, inputs)


def money_for_driver(vendor: str):
    """How a row carries money to the database driver (`_accrual_row`, `_entry_rows`).

    On SQLite: the text Django's adapter would make of the Decimal (`str`), made as the row is
    built, so the driver calls no adapter per value and a batch crosses from `pipeline`'s helper
    process as plain text (pickling a Decimal costs five times its text). Elsewhere: the Decimal.
    """
    return _money_text if vendor == "sqlite" else _same


def _money_text(value):
    return None if value is None else str(value)


def _same(value):
    return value


def _entry_rows(proposals, order_id: int, currency: str, created_at, adapt_json, adapt_money,
                rows: list) -> list[tuple]:
    """`rows` with the pending entries of `proposals` added, as rows of ENTRY_FIELDS with values ready
    for the database (a batch adds every order's to one list)."""
    pending = EntryStatus.PENDING.value
    append = rows.append
    for proposal in proposals:
        rule, line = proposal.rule, proposal.line
        details = _details(proposal)
        append((
            # The proposal's amount is already in cents: only its sign is decided here.
            proposal.associate_id, proposal.kind, pending,
            adapt_money(ENTRY_SIGN[proposal.kind] * abs(proposal.amount)), currency, order_id,
            line.line_id if line else None, proposal.level, rule.id if rule else None,
            rule.version if rule else None, "", adapt_money(proposal.base), adapt_money(proposal.rate),
            None if details is None else adapt_json(details, None), created_at,
        ))
    return rows


def _driver_rows(queryset) -> list[tuple]:
    """The rows of a values_list queryset as the database driver returns them.

    Django's per-value converters cost more than the query itself on the batch path; the
    batch converts the few columns that need it with `_converters`.
    """
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_SQLITE_DECIMAL = DecimalContext(prec=15).create_decimal_from_float


def _sqlite_money(value):
    # As Django's SQLite converter reads a money column: 15 significant digits, then cents.
    return None if value is None else _SQLITE_DECIMAL(value).quantize(CENT)


def _sqlite_moment(value):
    # As Django's SQLite converter reads a datetime column (stored as UTC text).
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _cached_money():
    """`_sqlite_money` remembering what it converted: prices and line totals repeat across orders."""
    known = {}

    def money(value):
        found = known.get(value)
        if found is None:
            found = _sqlite_money(value)
            if len(known) < 100_000:
                known[value] = found
        return found

    return money


def _converters():
    """(money, moment): what turns a driver's money and datetime values into Decimal and aware datetimes."""
    if connection.vendor == "sqlite":
        return _cached_money(), _sqlite_moment
    # PostgreSQL's driver already answers Decimal and aware datetimes.
    return _unchanged, _unchanged


def _unchanged(value):
    return value


def _insert(model, fields: tuple, rows: list[tuple]) -> None:
    """Plain INSERTs of many rows in one call: the batch path writes without building model instances.

    `rows` hold database-ready values in the order of `fields`; the other columns get NULL.
    """
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(_insert_sql(connection.vendor, model, fields), rows)


@functools.cache
def _insert_sql(vendor: str, model, fields: tuple) -> str:
    """Built once per database vendor (the cache's key: quoting differs), model and fields."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # Table and column names come from the model; every value is a parameter.
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608


# Reversals --------------------------------------------------------------------


def _locked_accrual(order_id: int) -> OrderAccrual | None:
    return OrderAccrual.objects.select_for_update().filter(order_id=order_id).first()


def _reverse(accrual: OrderAccrual, order: Order, fraction: Decimal | None, reason: dict,
             refund: Refund | None = None) -> list[LedgerEntry]:
    """Reverse each earning and override of the order up to `fraction` of it (None: all of it).

    The caller holds the lock on `accrual`. What is already reversed is subtracted,
    so the running total reversed per entry is always `to_cents(amount × fraction)`.
    """
    originals = list(LedgerEntry.objects.filter(order_id=order.pk, kind__in=ACCRUAL_KINDS).order_by("pk"))
    reversed_so_far = {
        original_id: to_cents(total) for original_id, total in
        LedgerEntry.objects.filter(order_id=order.pk, kind=EntryKind.REVERSAL)
        .values("reverses_id").annotate(total=Sum("amount")).values_list("reverses_id", "total")
    }
    status = EntryStatus.APPROVED if accrual.approved_at else EntryStatus.PENDING
    now = timezone.now()
    reversals, fully_reversed = [], []
    for original in originals:
        already = ZERO - (reversed_so_far.get(original.pk) or ZERO)
        if fraction is None:
            target = original.amount
        else:
            target = min(original.amount, to_cents(original.amount * fraction))
        portion = target - already
        if portion <= 0:
            continue
        reversals.append(LedgerEntry(
            associate_id=original.associate_id, kind=EntryKind.REVERSAL, status=status,
            amount=signed_amount(EntryKind.REVERSAL, portion), currency=original.currency, order_id=order.pk,
            line_id=original.line_id, level=original.level, rule_id=original.rule_id,
            rule_version=original.rule_version, reverses=original, refund=refund,
            approved_at=now if status == EntryStatus.APPROVED else None,
            details={
                "kind": "reversal", **reason, "level": original.level,
                "reverses": {"id": original.pk, "kind": original.kind, "amount": str(original.amount)},
                "fraction": "1" if fraction is None else str(fraction),
                "reversed_before": str(already), "reversed_to_date": str(target),
            },
        ))
        if target == original.amount and original.status == EntryStatus.PENDING:
            fully_reversed.append(original.pk)
    LedgerEntry.objects.bulk_create(reversals)
    if fully_reversed:
        # Reversed in full before approval: the entry and its reversals count nowhere from now on.
        LedgerEntry.objects.filter(pk__in=fully_reversed, status=EntryStatus.PENDING).update(
            status=EntryStatus.REVERSED)
        LedgerEntry.objects.filter(reverses_id__in=fully_reversed, status=EntryStatus.PENDING).update(
            status=EntryStatus.REVERSED)
        for reversal in reversals:
            if reversal.reverses_id in fully_reversed:
                reversal.status = EntryStatus.REVERSED
    return reversals


def _reverse_refund(accrual: OrderAccrual, order: Order, refund: Refund) -> list[LedgerEntry]:
    if RefundReversal.objects.filter(refund_id=refund.pk).exists():
        return []
    try:
        with transaction.atomic():
            RefundReversal.objects.create(refund=refund, order=order, amount=refund.amount)
    except IntegrityError:
        return []
    refunded = RefundReversal.objects.filter(order=order).aggregate(total=Sum("amount"))["total"]
    refunded = to_cents(refunded or 0)
    fraction = min(Decimal(1), refunded / order.total) if order.total > 0 else Decimal(1)
    reversals = _reverse(accrual, order, fraction, refund=refund, reason={
        "reason": "refund", "refund": {"id": refund.pk, "external_id": refund.external_id,
                                       "amount": str(refund.amount)},
        "refunded_to_date": str(refunded), "order_total": str(order.total),
    })
    record_event(None, "commissions.refund_reversed", order, refund_id=refund.pk, entries=len(reversals))
    return reversals


def reverse_for_refund(refund: Refund) -> list[LedgerEntry]:
    """Take back the refund's share of the order's earnings and overrides, once per refund.

    Nothing is written for an order that was never accrued (a later accrual
    takes its refunds into account); a second call for the same refund writes nothing.
    """
    with transaction.atomic():
        order = _locked_order(refund.order_id)
        accrual = _locked_accrual(order.pk)
        if accrual is None:
            return []
        return _reverse_refund(accrual, order, refund)


def reverse_for_cancellation(order: Order) -> list[LedgerEntry]:
    """Take back everything a cancelled order still credits, once; call it after the status is saved."""
    with transaction.atomic():
        order = _locked_order(order.pk)
        if order.status != OrderStatus.CANCELLED:
            raise Conflict("Only a cancelled order's earnings are reversed in full.")
        accrual = _locked_accrual(order.pk)
        if accrual is None:
            return []
        if not OrderAccrual.objects.filter(pk=accrual.pk, cancelled_at__isnull=True).update(
                cancelled_at=timezone.now()):
            return []
        reversals = _reverse(accrual, order, None, reason={"reason": "cancellation"})
        record_event(None, "commissions.cancellation_reversed", order, entries=len(reversals))
    return reversals


# Approval ---------------------------------------------------------------------


def note_order_completed(order: Order, completed_at: datetime | None = None) -> bool:
    """Start the hold period of a completed order's earnings (once); True when it started now."""
    return bool(OrderAccrual.objects.filter(
        order_id=order.pk, order__status=OrderStatus.COMPLETED, completed_at__isnull=True
    ).update(completed_at=completed_at or timezone.now()))


def approve_due_earnings(now: datetime | None = None) -> int:
    """Approve the pending entries of every completed order whose hold period has passed.

    The scheduled job; idempotent and safe to run in several workers at once:
    each order is claimed with a conditional UPDATE and only the claimer approves
    its entries. Returns how many entries this call approved.
    """
    now = now or timezone.now()
    hold = timedelta(days=get_commission_settings().hold_days)
    waiting = OrderAccrual.objects.filter(
        approved_at__isnull=True, cancelled_at__isnull=True, order__status=OrderStatus.COMPLETED
    )
    # Completed orders nobody reported with note_order_completed: their hold starts now.
    # One row per statement, so concurrent jobs never lock rows in different orders.
    for accrual_id in waiting.filter(completed_at__isnull=True).order_by("pk").values_list("pk", flat=True):
        OrderAccrual.objects.filter(pk=accrual_id, completed_at__isnull=True).update(completed_at=now)
    approved = 0
    for accrual in list(waiting.filter(completed_at__lte=now - hold).order_by("pk")):
        with transaction.atomic():
            unclaimed = OrderAccrual.objects.filter(
                pk=accrual.pk, approved_at__isnull=True, cancelled_at__isnull=True,
                completed_at__lte=now - hold,
            )
            if not unclaimed.update(approved_at=now):
                continue  # another worker claimed it
            count = LedgerEntry.objects.filter(order_id=accrual.order_id, status=EntryStatus.PENDING).update(
                status=EntryStatus.APPROVED, approved_at=now)
            record_event(None, "commissions.order_approved", accrual, order_id=accrual.order_id,
                         entries=count)
        approved += count
    return approved


# Adjustments and payouts --------------------------------------------------------


def _locked_associate(associate: Associate) -> Associate:
    """The associate's row, locked (not their store's): one balance change per associate at a time."""
    return Associate.objects.select_for_update(of=("self",)).select_related("store").get(pk=associate.pk)


def record_adjustment(actor_user, associate: Associate, amount, reason: str) -> LedgerEntry:
    """An admin's correction of an associate's balance, either sign, with a reason; approved at once."""
    _require_admin(actor_user)
    amount = to_cents(_amount(amount, "amount"))
    reason = (reason or "").strip()
    errors = []
    if amount == 0:
        errors.append((("body", "amount"), "Must not be zero."))
    elif abs(amount) > MAX_AMOUNT:
        errors.append((("body", "amount"), f"At most {MAX_AMOUNT}."))
    if not reason:
        errors.append((("body", "reason"), "Say why the balance is adjusted."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        associate = _locked_associate(associate)
        entry = LedgerEntry.objects.create(
            associate=associate, kind=EntryKind.ADJUSTMENT, status=EntryStatus.APPROVED,
            amount=signed_amount(EntryKind.ADJUSTMENT, amount), currency=associate.store.currency,
            reason=reason, created_by=actor_user, approved_at=timezone.now(),
            details={"kind": "adjustment", "reason": reason,
                     "by": {"id": actor_user.pk, "email": actor_user.email}},
        )
        record_event(actor_user, "commissions.adjustment_recorded", entry, associate_id=associate.pk,
                     amount=str(amount), reason=reason)
    return entry


def record_payout(actor_user, associate: Associate, amount, method: str, reference: str = "", note: str = "",
                  confirm_over_balance: bool = False, request_key: str | None = None) -> Payout:
    """Record money paid to an associate; refused (409) above their balance unless confirmed.

    With a `request_key` (the console form's one-time key), the same key again
    answers the first payout and records nothing.
    """
    _require_admin(actor_user)
    if request_key:
        existing = Payout.objects.filter(request_key=request_key).first()
        if existing is not None:
            return existing
    amount = to_cents(_amount(amount, "amount"))
    errors = []
    if not ZERO < amount <= MAX_AMOUNT:
        errors.append((("body", "amount"), f"Must be more than zero and at most {MAX_AMOUNT}."))
    if method not in PayoutMethod.values:
        errors.append((("body", "method"), f"Must be one of {', '.join(PayoutMethod.values)}."))
    reference = (reference or "").strip()
    if len(reference) > 200:
        errors.append((("body", "reference"), "At most 200 characters."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        # One payout per associate at a time, so two cannot both pass the balance check.
        associate = _locked_associate(associate)
        available = balance(associate)["balance"]
        if amount > available and not confirm_over_balance:
            raise Conflict(f"The payout of {amount} is more than the balance of {available}; "
                           "confirm it to pay anyway.")
        if request_key and Payout.objects.filter(request_key=request_key).exists():
            # The same form arrived twice at once; the first (holding the lock) recorded it.
            return Payout.objects.get(request_key=request_key)
        payout = Payout.objects.create(
            associate=associate, amount=amount, currency=associate.store.currency, method=method,
            reference=reference, note=note or "", created_by=actor_user, request_key=request_key or None,
        )
        LedgerEntry.objects.create(
            associate=associate, kind=EntryKind.PAYOUT, status=EntryStatus.APPROVED,
            amount=signed_amount(EntryKind.PAYOUT, amount), currency=payout.currency, payout=payout,
            created_by=actor_user, approved_at=payout.created_at,
            details={"kind": "payout", "method": method, "reference": reference,
                     "balance_before": str(available), "over_balance": amount > available},
        )
        record_event(actor_user, "commissions.payout_recorded", payout, associate_id=associate.pk,
                     amount=str(amount), method=method, over_balance=amount > available)
    return payout


# Simulation -------------------------------------------------------------------


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
        if not _is_whole(quantity) or quantity < 1:
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
    placed_at = _datetime(data.get("placed_at"), "placed_at", errors) or timezone.now()
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
        is_first_order=_is_first_order(customer.pk if customer else None, placed_at, None),
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
        facts = _order_facts(order, associate) if associate is not None else None
    else:
        facts, associate = _payload_facts(order_like)
    if facts is None:
        return []
    evaluation = _evaluate(facts, associate)
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
    from shopfloor.access import (
        NotVisible,
        get_customer_for,
        get_earner_for,
        visible_customers,
        visible_earners,
        visible_stores,
    )
    from shopfloor.accounts.models import SellingMode

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
