"""API: commission rules and settings, simulation, earnings, balances, payouts, adjustments, statements.

Who sees whose money (`access.earner_filter`): an associate their own, a manager
their store's associates', an admin everyone's; anyone else's `associate_id` is
404, like an unknown one. Payout details (`/associates/{id}/payout-profile`):
the associate and admins only. Every write is an admin's, except an associate's
own payout details. Rules and settings are readable by all staff.
"""

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from ninja import Field, Path, Query, Router, Schema

from shopfloor.access import (
    NotVisible,
    earner_filter,
    get_earner_for,
    get_payee_for,
)
from shopfloor.accounts.models import Associate
from shopfloor.apikit import (
    LIMIT,
    MAX_ID,
    OFFSET,
    ApiDateTime,
    ObjectId,
    admin_actor,
    optional_id_query,
    paginate,
    staff_actor,
)
from shopfloor.commissions import configuration, payouts, simulation
from shopfloor.commissions.models import (
    CommissionRule,
    EntryKind,
    EntryStatus,
    LedgerEntry,
    OverrideBasis,
    Payout,
    PayoutMethod,
    RuleKind,
)
from shopfloor.commissions.payout_profiles import get_payout_profile, save_payout_profile
from shopfloor.commissions.selectors import balance
from shopfloor.commissions.statements import statement, statement_csv
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.money import CENT, format_amount
from shopfloor.orders.api import OrderIn

router = Router(tags=["Commissions"])

Id = Path(..., ge=1, le=MAX_ID)
CurrencyQuery = Query(None, pattern=r"^[A-Za-z]{3}$", description="Default: the associate's store currency.")
ACTIVE_QUERY = Query(None, description="Only active (or inactive) rules.")
KIND_QUERY = Query(None, description="Only this kind of entry.")
# `from` is a Python keyword: the parameters are named start and end and read as from and to.
FROM_QUERY = Query(None, alias="from", description="First day, inclusive, e.g. 2026-03-01.")
TO_QUERY = Query(None, alias="to", description="Last day, inclusive, e.g. 2026-03-31.")


def decimal_text(value: Decimal | None) -> str | None:
    """A rule value or rate: at least two places ("10.00"), more only when it has them ("2.125")."""
    if value is None:
        return None
    value = Decimal(value)
    if value.normalize().as_tuple().exponent >= -2:
        return str(value.quantize(CENT))
    return format(value.normalize(), "f")


def money_or_none(value) -> str | None:
    return None if value is None else format_amount(value)


# Rules ------------------------------------------------------------------------------


class RuleIn(Schema):
    """A rule's fields and their types; what makes a rule valid is checked once, by the service
    (configuration.save_commission_rule), whoever writes it (this API, the admin, the demo)."""

    name: str = Field(..., description="At most 200 characters.")
    active: bool = True
    priority: int = Field(0, description="Higher wins when several rules of a kind match a line "
                                         "(every fixed-per-order rule whose conditions hold pays).")
    kind: RuleKind = RuleKind.PERCENTAGE
    value: Decimal = Field(..., description="Percent (10 = 10%, at most 100) for percentage rules, else an "
                                            "amount; zero or more, at most four decimal places.")
    currency: str = Field("", description="Only orders in this three-letter currency; empty: any.")
    associate_ids: list[ObjectId] = Field(default_factory=list, max_length=1000)
    product_skus: list[str] = Field(default_factory=list, max_length=1000)
    categories: list[str] = Field(default_factory=list, max_length=200, description="Category names.")
    customer_group_ids: list[ObjectId] = Field(default_factory=list, max_length=1000)
    customer_ids: list[ObjectId] = Field(default_factory=list, max_length=1000)
    min_subtotal: Decimal | None = Field(None, description="Zero or more; the order subtotal from which it pays.")
    max_subtotal: Decimal | None = Field(None, description="The order subtotal up to which it pays.")
    first_order_only: bool = False
    starts_at: ApiDateTime | None = None
    ends_at: ApiDateTime | None = None


class RulePatch(Schema):
    """Only the fields sent change; the rule as changed is checked as RuleIn's is."""

    name: str | None = None
    active: bool | None = None
    priority: int | None = None
    kind: RuleKind | None = None
    value: Decimal | None = None
    currency: str | None = None
    associate_ids: list[ObjectId] | None = Field(None, max_length=1000)
    product_skus: list[str] | None = Field(None, max_length=1000)
    categories: list[str] | None = Field(None, max_length=200)
    customer_group_ids: list[ObjectId] | None = Field(None, max_length=1000)
    customer_ids: list[ObjectId] | None = Field(None, max_length=1000)
    min_subtotal: Decimal | None = Field(None, description="null: none.")
    max_subtotal: Decimal | None = Field(None, description="null: none.")
    first_order_only: bool | None = None
    starts_at: ApiDateTime | None = Field(None, description="null: no start.")
    ends_at: ApiDateTime | None = Field(None, description="null: no end.")


class RuleOut(Schema):
    id: int
    name: str
    active: bool
    priority: int
    kind: str
    value: str
    currency: str
    associate_ids: list[int]
    product_skus: list[str]
    categories: list[str]
    customer_group_ids: list[int]
    customer_ids: list[int]
    min_subtotal: str | None
    max_subtotal: str | None
    first_order_only: bool
    starts_at: datetime | None
    ends_at: datetime | None
    version: int = Field(..., description="Goes up by one on every change; each earning records it.")
    created_at: datetime
    updated_at: datetime


class RulePage(Schema):
    items: list[RuleOut]
    count: int


def _rules():
    return CommissionRule.objects.prefetch_related("associates", "categories", "customer_groups", "customers")


def rule_out(rule: CommissionRule) -> dict:
    return {
        "id": rule.pk, "name": rule.name, "active": rule.active, "priority": rule.priority, "kind": rule.kind,
        "value": decimal_text(rule.value), "currency": rule.currency,
        "associate_ids": sorted(a.pk for a in rule.associates.all()),
        "product_skus": list(rule.product_skus or []),
        "categories": sorted(c.name for c in rule.categories.all()),
        "customer_group_ids": sorted(g.pk for g in rule.customer_groups.all()),
        "customer_ids": sorted(c.pk for c in rule.customers.all()),
        "min_subtotal": money_or_none(rule.min_subtotal), "max_subtotal": money_or_none(rule.max_subtotal),
        "first_order_only": rule.first_order_only, "starts_at": rule.starts_at, "ends_at": rule.ends_at,
        "version": rule.version, "created_at": rule.created_at, "updated_at": rule.updated_at,
    }


def _rule_for(rule_id: int) -> CommissionRule:
    rule = _rules().filter(pk=rule_id).first()
    if rule is None:
        raise NotVisible
    return rule


@router.get("/commission-rules", response=RulePage,
            summary="Commission rules, highest priority first (staff read; admins write)")
def list_rules(request, active: bool | None = ACTIVE_QUERY,
               limit: int = LIMIT, offset: int = OFFSET):
    staff_actor(request)
    queryset = _rules().order_by("-priority", "id")
    if active is not None:
        queryset = queryset.filter(active=active)
    return paginate(queryset, limit, offset, rule_out)


@router.post("/commission-rules", response={201: RuleOut}, summary="Create a commission rule (admins)")
def create_rule(request, payload: RuleIn):
    who = admin_actor(request)
    rule = configuration.save_commission_rule(who.user, payload.dict())
    return 201, rule_out(_rule_for(rule.pk))


@router.get("/commission-rules/{rule_id}", response=RuleOut)
def get_rule(request, rule_id: int = Id):
    staff_actor(request)
    return rule_out(_rule_for(rule_id))


@router.patch("/commission-rules/{rule_id}", response=RuleOut,
              summary="Change a rule (admins); any change raises its version, past earnings keep theirs")
def update_rule(request, payload: RulePatch, rule_id: int = Id):
    who = admin_actor(request)
    rule = configuration.save_commission_rule(who.user, payload.dict(exclude_unset=True), _rule_for(rule_id))
    return rule_out(_rule_for(rule.pk))


# Settings -----------------------------------------------------------------------------


class OverrideLevel(Schema):
    level: int = Field(..., ge=1, le=configuration.MAX_OVERRIDE_LEVELS, description="1: the seller's parent.")
    rate: Decimal = Field(..., ge=0, le=100, max_digits=7, decimal_places=4,
                          description="Percent of the override basis.")


class AgentOverrideRate(Schema):
    associate_id: int = Field(..., ge=1, le=MAX_ID, description="A parent agent.")
    rate: Decimal = Field(..., ge=0, le=100, max_digits=7, decimal_places=4,
                          description="Their own percent of the override basis, at whichever level they are.")


BASIS_DESCRIPTION = ("What override rates are a percentage of: `commissionable_amount` (the sale's) or "
                     "`child_commission` (SalesKing's: level 1 the seller's commission on the order, each level "
                     "above the override of the level below).")
AGENT_RATES_DESCRIPTION = "Parent agents' own rates, each replacing the rate of the level the agent is at."


class SettingsIn(Schema):
    hold_days: int = Field(..., ge=0, le=configuration.MAX_HOLD_DAYS,
                           description="Days after an order completes before its earnings are approved.")
    override_levels: list[OverrideLevel] = Field(..., max_length=configuration.MAX_OVERRIDE_LEVELS)
    override_basis: OverrideBasis = Field(OverrideBasis.COMMISSIONABLE_AMOUNT, description=BASIS_DESCRIPTION)
    agent_override_rates: list[AgentOverrideRate] = Field([], max_length=configuration.MAX_AGENT_RATES,
                                                          description=AGENT_RATES_DESCRIPTION)


class SettingsPatch(Schema):
    hold_days: int | None = Field(None, ge=0, le=configuration.MAX_HOLD_DAYS)
    override_levels: list[OverrideLevel] | None = Field(None, max_length=configuration.MAX_OVERRIDE_LEVELS)
    override_basis: OverrideBasis | None = Field(None, description=BASIS_DESCRIPTION)
    agent_override_rates: list[AgentOverrideRate] | None = Field(None, max_length=configuration.MAX_AGENT_RATES,
                                                                 description=AGENT_RATES_DESCRIPTION)


class LevelOut(Schema):
    level: int
    rate: str


class AgentRateOut(Schema):
    associate_id: int
    rate: str


class SettingsOut(Schema):
    hold_days: int
    override_levels: list[LevelOut]
    override_basis: str
    agent_override_rates: list[AgentRateOut]


def settings_out(settings) -> dict:
    return {
        "hold_days": settings.hold_days,
        "override_levels": [{"level": int(item["level"]), "rate": decimal_text(Decimal(str(item["rate"])))}
                            for item in settings.override_levels or []],
        "override_basis": settings.override_basis,
        "agent_override_rates": [
            {"associate_id": int(item["associate_id"]), "rate": decimal_text(Decimal(str(item["rate"])))}
            for item in settings.agent_override_rates or []],
    }


@router.get("/commission-settings", response=SettingsOut, summary="The hold period and override levels")
def get_settings(request):
    staff_actor(request)
    return settings_out(configuration.get_commission_settings())


@router.put("/commission-settings", response=SettingsOut, summary="Replace the commission settings (admins)")
def replace_settings(request, payload: SettingsIn):
    who = admin_actor(request)
    return settings_out(configuration.save_commission_settings(who.user, payload.dict()))


@router.patch("/commission-settings", response=SettingsOut, summary="Change some commission settings (admins)")
def update_settings(request, payload: SettingsPatch):
    who = admin_actor(request)
    return settings_out(configuration.save_commission_settings(who.user, payload.dict(exclude_unset=True)))


# Simulation -------------------------------------------------------------------------


class SimulateIn(OrderIn):
    external_id: str = Field("", max_length=100)
    associate_id: int | None = Field(
        None, ge=1, le=MAX_ID,
        description="Credit this associate instead of running the attribution. Admins may leave it out; "
                    "for anyone else it defaults to themselves.",
    )


class SimulatedEarningOut(Schema):
    associate_id: int
    kind: str = Field(..., description='"earning" or "override".')
    level: int
    status: str
    amount: str
    currency: str
    rule_id: int | None
    rule_version: int | None
    line_index: int | None = Field(..., description="The payload line it was computed on.")
    sku: str | None
    breakdown: dict


class SimulationOut(Schema):
    earnings: list[SimulatedEarningOut]
    total: str = Field(..., description="The sum of the earnings shown.")


@router.post(
    "/commissions/simulate", response=SimulationOut,
    summary="The earnings an order would create, written nowhere",
    description=(
        "Takes the body of `POST /orders` (`external_id` optional, `status` ignored) and today's rules and "
        "settings. Admins may simulate any order: without `associate_id` the attribution runs as it would "
        "for a real order. Managers may credit any associate of their store, associates only themselves "
        "(the default), and the attribution fields are then ignored; they see only the entries of "
        "associates whose earnings they may see (an associate: not their upline's overrides). An associate "
        "of a team-mode store earns nothing (the store is credited). A customer, store or associate you may "
        "not see answers 404, as an unknown one does."
    ),
)
def simulate(request, payload: SimulateIn):
    earnings, _ = simulation.simulate_for(staff_actor(request), payload.dict())
    return {
        "earnings": [{**e, "amount": format_amount(e["amount"])} for e in earnings],
        "total": format_amount(sum((e["amount"] for e in earnings), Decimal("0"))),
    }


# Earnings (the ledger) ------------------------------------------------------------------


class EarningOut(Schema):
    id: int
    associate_id: int
    order_id: int | None
    amount: str = Field(..., description="Signed as it moves the balance: reversals and payouts are negative.")
    currency: str
    status: str = Field(..., description='"pending", "approved" or "reversed".')
    kind: str = Field(..., description='"earning", "override", "reversal", "adjustment" or "payout".')
    level: int = Field(..., description="0: the seller; 1: their upline; ...")
    rule_id: int | None
    rule_version: int | None
    reverses_id: int | None = Field(..., description="The entry a reversal takes back.")
    refund_id: int | None
    payout_id: int | None
    reason: str = Field(..., description="An adjustment's reason.")
    breakdown: dict = Field(..., description="The inputs it was computed from: rule, base, rate, level, ...; "
                                             "`semantics`, how the rules combined; an earning's `not_paid`, "
                                             "the rules that matched its line and did not pay, and why.")
    created_at: datetime
    approved_at: datetime | None


class EarningPage(Schema):
    items: list[EarningOut]
    count: int


def earning_out(entry: LedgerEntry) -> dict:
    return {
        "id": entry.pk, "associate_id": entry.associate_id, "order_id": entry.order_id,
        "amount": format_amount(entry.amount), "currency": entry.currency, "status": entry.status,
        "kind": entry.kind, "level": entry.level, "rule_id": entry.rule_id, "rule_version": entry.rule_version,
        "reverses_id": entry.reverses_id, "refund_id": entry.refund_id, "payout_id": entry.payout_id,
        "reason": entry.reason, "breakdown": entry.breakdown, "created_at": entry.created_at,
        "approved_at": entry.approved_at,
    }


def _visible(queryset, who):
    condition = earner_filter(who, prefix="associate__")
    return queryset if condition is None else queryset.filter(condition)


@router.get("/earnings", response=EarningPage,
            summary="Ledger entries you may see, newest first (yours; a manager: the store's; admins: all)")
def list_earnings(request, associate_id: int | None = optional_id_query("Only this associate's (404 if hidden)."),
                  status: EntryStatus | None = None,
                  kind: EntryKind | None = KIND_QUERY,
                  order_id: int | None = optional_id_query("Only this order's entries."),
                  limit: int = LIMIT, offset: int = OFFSET):
    who = staff_actor(request)
    queryset = _visible(LedgerEntry.objects.all(), who)
    if associate_id is not None:
        queryset = queryset.filter(associate=get_earner_for(who, associate_id))
    if status is not None:
        queryset = queryset.filter(status=status)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    if order_id is not None:
        queryset = queryset.filter(order_id=order_id)
    return paginate(queryset.order_by("-created_at", "-id"), limit, offset, earning_out)


class BalanceOut(Schema):
    associate_id: int
    currency: str
    pending: str = Field(..., description="Earnings net of reversals still in their hold period.")
    approved: str = Field(..., description="Approved earnings and overrides net of reversals.")
    adjustments: str
    paid: str = Field(..., description="The sum of the payouts.")
    balance: str = Field(..., description="approved + adjustments − paid: what is owed now.")


@router.get("/associates/{associate_id}/balance", response=BalanceOut, summary="What an associate is owed")
def get_balance(request, associate_id: int = Id, currency: str | None = CurrencyQuery):
    associate = get_earner_for(staff_actor(request), associate_id)
    sums = balance(associate, currency.upper() if currency else None)
    return {"associate_id": associate.pk, "currency": sums["currency"],
            **{key: format_amount(sums[key]) for key in ("pending", "approved", "adjustments", "paid", "balance")}}


@router.get(
    "/associates/{associate_id}/statement.csv",
    summary="An associate's ledger entries for a period with a running balance, as CSV",
    description=(
        "`from` and `to` are dates, inclusive, in the associate's store time zone; either may be left out. "
        "Columns: date, entry_id, kind, status, order_id, order_external_id, level, description, amount, "
        "currency, running_balance; the first row is the opening balance and the last the closing balance. "
        "The running balance counts approved entries only, as the balance does."
    ),
    openapi_extra={"responses": {200: {"description": "CSV", "content": {"text/csv": {}}}}},
)
def get_statement(request, associate_id: int = Id,
                  start: date | None = FROM_QUERY,
                  end: date | None = TO_QUERY,
                  currency: str | None = CurrencyQuery):
    associate = get_earner_for(staff_actor(request), associate_id)
    if start is not None and end is not None and start > end:
        raise InvalidInput([(("query", "to"), "Must not be before from.")])
    result = statement(associate, start, end, currency.upper() if currency else None)
    response = HttpResponse(statement_csv(result), content_type="text/csv; charset=utf-8")
    period = f"{start or 'start'}-to-{end or 'now'}"
    response["Content-Disposition"] = f'attachment; filename="statement-{associate.pk}-{period}.csv"'
    return response


# Adjustments -------------------------------------------------------------------------


class AdjustmentIn(Schema):
    associate_id: ObjectId
    amount: Decimal = Field(..., max_digits=12, decimal_places=2, description="Either sign; not zero.")
    reason: str = Field(..., max_length=2000, description="Required: why the balance changes.")


def _associate_in_body(associate_id: int) -> Associate:
    associate = Associate.objects.select_related("store").filter(pk=associate_id).first()
    if associate is None:
        raise InvalidInput.field("associate_id", "Unknown associate.")
    return associate


@router.post("/adjustments", response={201: EarningOut},
             summary="Correct an associate's balance, with a reason (admins); approved at once")
def create_adjustment(request, payload: AdjustmentIn):
    who = admin_actor(request)
    entry = payouts.record_adjustment(who.user, _associate_in_body(payload.associate_id), payload.amount,
                                       payload.reason)
    return 201, earning_out(entry)


# Payouts ------------------------------------------------------------------------------


class PayoutIn(Schema):
    associate_id: ObjectId
    amount: Decimal = Field(..., gt=0, max_digits=12, decimal_places=2)
    method: PayoutMethod
    reference: str = Field("", max_length=200, description="The transfer's id at the bank or PayPal.")
    note: str = Field("", max_length=2000)
    confirm_over_balance: bool = Field(False, description="Pay more than the balance (it goes negative).")


class PayoutOut(Schema):
    id: int
    associate_id: int
    amount: str
    currency: str
    method: str
    reference: str
    note: str
    created_by_id: int | None
    created_at: datetime


class PayoutPage(Schema):
    items: list[PayoutOut]
    count: int


def payout_out(payout: Payout) -> dict:
    return {
        "id": payout.pk, "associate_id": payout.associate_id, "amount": format_amount(payout.amount),
        "currency": payout.currency, "method": payout.method, "reference": payout.reference, "note": payout.note,
        "created_by_id": payout.created_by_id, "created_at": payout.created_at,
    }


@router.get("/payouts", response=PayoutPage, summary="Payouts you may see, newest first")
def list_payouts(request, associate_id: int | None = optional_id_query("Only this associate's (404 if hidden)."),
                 limit: int = LIMIT, offset: int = OFFSET):
    who = staff_actor(request)
    queryset = _visible(Payout.objects.all(), who)
    if associate_id is not None:
        queryset = queryset.filter(associate=get_earner_for(who, associate_id))
    return paginate(queryset.order_by("-created_at", "-id"), limit, offset, payout_out)


@router.get("/payouts/{payout_id}", response=PayoutOut)
def get_payout(request, payout_id: int = Id):
    payout = _visible(Payout.objects.all(), staff_actor(request)).filter(pk=payout_id).first()
    if payout is None:
        raise NotVisible
    return payout_out(payout)


@router.post(
    "/payouts", response={201: PayoutOut}, summary="Record money paid to an associate (admins)",
    description="More than the associate's balance is refused (409) unless `confirm_over_balance` is true.",
)
def create_payout(request, payload: PayoutIn):
    who = admin_actor(request)
    associate = _associate_in_body(payload.associate_id)
    try:
        payout = payouts.record_payout(
            who.user, associate, payload.amount, payload.method, reference=payload.reference,
            note=payload.note, confirm_over_balance=payload.confirm_over_balance,
        )
    except Conflict as exc:
        raise Conflict(f'{exc} To record it anyway, send it again with "confirm_over_balance": true.') from exc
    return 201, payout_out(payout)


# Payout details ---------------------------------------------------------------------


class PayoutProfileIn(Schema):
    method: PayoutMethod | None = Field(None, description="How to pay; null: not chosen yet.")
    paypal_email: str = Field("", max_length=254, description="Required for paypal.")
    account_holder: str = Field("", max_length=200, description="Required for bank.")
    iban: str = Field("", max_length=50, description="Required for bank; spaces are ignored.")
    bic: str = Field("", max_length=20, description="Optional for bank.")
    instructions: str = Field("", max_length=2000, description="Required for custom.")


class PayoutProfileOut(Schema):
    associate_id: int
    method: str | None
    paypal_email: str
    account_holder: str
    iban: str
    bic: str
    instructions: str
    updated_at: datetime | None


def payout_profile_out(profile) -> dict:
    return {
        "associate_id": profile.associate_id, "method": profile.method or None,
        "paypal_email": profile.paypal_email, "account_holder": profile.account_holder, "iban": profile.iban,
        "bic": profile.bic, "instructions": profile.instructions, "updated_at": profile.updated_at,
    }


@router.get("/associates/{associate_id}/payout-profile", response=PayoutProfileOut,
            summary="Where an associate is paid (the associate and admins only)")
def get_associate_payout_profile(request, associate_id: int = Id):
    return payout_profile_out(get_payout_profile(get_payee_for(staff_actor(request), associate_id)))


@router.put("/associates/{associate_id}/payout-profile", response=PayoutProfileOut,
            summary="Replace an associate's payout details (the associate and admins only)")
def replace_associate_payout_profile(request, payload: PayoutProfileIn, associate_id: int = Id):
    who = staff_actor(request)
    associate = get_payee_for(who, associate_id)
    data = payload.dict()
    data["method"] = data["method"] or ""
    return payout_profile_out(save_payout_profile(who.user, associate, data))
