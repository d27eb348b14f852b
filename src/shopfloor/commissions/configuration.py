"""The retailer's commission configuration: the settings (hold period, override levels) and the rules.

Admins change them through these functions (the API, the console and the Django admin all call
them); they apply to what is accrued or approved next, and never to the past: each earning keeps
the inputs it was computed with, and an edit that changes what a rule pays keeps the version it
replaces (`RuleVersion`).
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import F

from shopfloor.accounts.models import Associate
from shopfloor.accounts.services import record_event
from shopfloor.catalog.services import category_named
from shopfloor.commissions.models import (
    CommissionRule,
    CommissionSettings,
    OverrideBasis,
    RuleKind,
    RuleVersion,
    default_override_levels,
)
from shopfloor.commissions.validation import is_whole, moment_field, require_admin
from shopfloor.customers.models import Customer, CustomerGroup
from shopfloor.errors import InvalidInput
from shopfloor.money import MAX_AMOUNT, ZERO, parse_amount, to_cents

MAX_OVERRIDE_LEVELS = 10
MAX_AGENT_RATES = 1000
MAX_HOLD_DAYS = 3650
# What a rule's value column holds (12 digits, 4 of them decimals).
MAX_RULE_VALUE = Decimal("99999999.9999")
MAX_RULE_NAME = 200
# Bounds of the database's integer column (a rule's priority).
MIN_PRIORITY, MAX_PRIORITY = -(2**31), 2**31 - 1
MAX_SKU, MAX_CATEGORY_NAME = 64, 120

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
        if not is_whole(level) or not 1 <= level <= MAX_OVERRIDE_LEVELS:
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


def _clean_agent_override_rates(items) -> list[dict]:
    """[{associate_id, rate}]: a parent agent's own override rate, each agent once, agents that exist."""
    if not isinstance(items, list | tuple):
        raise InvalidInput.field("agent_override_rates", "Must be a list of {associate_id, rate}.")
    errors, clean = [], {}
    for index, item in enumerate(items):
        loc = ("body", "agent_override_rates", index)
        if not isinstance(item, dict) or "associate_id" not in item or "rate" not in item:
            errors.append((loc, "Must be {associate_id, rate}."))
            continue
        associate_id = item["associate_id"]
        if not is_whole(associate_id) or associate_id < 1:
            errors.append(((*loc, "associate_id"), "Must be an associate's id."))
            continue
        if associate_id in clean:
            errors.append(((*loc, "associate_id"), "Each associate once."))
            continue
        try:
            rate = parse_amount(item["rate"])
        except ValueError as exc:
            errors.append(((*loc, "rate"), str(exc)))
            continue
        if not ZERO <= rate <= 100:
            errors.append(((*loc, "rate"), "Must be a percent from 0 to 100."))
            continue
        clean[associate_id] = (index, str(rate))
    known = set(Associate.objects.filter(pk__in=clean).values_list("pk", flat=True)) if clean else set()
    errors += [(("body", "agent_override_rates", index, "associate_id"), f"Unknown associate: {associate_id}.")
               for associate_id, (index, _) in clean.items() if associate_id not in known]
    if errors:
        raise InvalidInput(errors)
    return [{"associate_id": associate_id, "rate": rate} for associate_id, (_, rate) in sorted(clean.items())]


def save_commission_settings(actor_user, data: dict) -> CommissionSettings:
    """Change the hold period and how uplines earn (the override levels, the basis they are paid on and the
    parent agents' own rates); they apply to what is accrued or approved next."""
    require_admin(actor_user)
    current = get_commission_settings()
    hold_days, override_levels = current.hold_days, current.override_levels
    basis, agent_rates = current.override_basis, current.agent_override_rates
    if data.get("hold_days") is not None:
        hold_days = data["hold_days"]
        if not is_whole(hold_days) or not 0 <= hold_days <= MAX_HOLD_DAYS:
            raise InvalidInput.field("hold_days", f"Must be a whole number from 0 to {MAX_HOLD_DAYS}.")
    if data.get("override_levels") is not None:
        override_levels = _clean_override_levels(data["override_levels"])
    if data.get("override_basis") is not None:
        basis = data["override_basis"]
        if basis not in OverrideBasis.values:
            raise InvalidInput.field("override_basis", f"Must be one of {', '.join(OverrideBasis.values)}.")
    if data.get("agent_override_rates") is not None:
        if len(data["agent_override_rates"]) > MAX_AGENT_RATES:
            raise InvalidInput.field("agent_override_rates", f"At most {MAX_AGENT_RATES} agents.")
        agent_rates = _clean_agent_override_rates(data["agent_override_rates"])
    with transaction.atomic():
        settings, _ = CommissionSettings.objects.update_or_create(
            pk=1, defaults={"hold_days": hold_days, "override_levels": override_levels, "override_basis": basis,
                            "agent_override_rates": agent_rates}
        )
        record_event(actor_user, "commissions.settings_saved", settings, hold_days=hold_days,
                     override_levels=override_levels, override_basis=basis, agent_override_rates=agent_rates)
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


def _clean_rule(data: dict, rule: CommissionRule, creating: bool) -> dict:
    errors = []

    def fail(name, message):
        errors.append((("body", name), message))

    clean = {}
    if "name" in data or creating:
        name = (data.get("name") or "").strip()
        if not name:
            fail("name", "Field required.")
        elif len(name) > MAX_RULE_NAME:
            fail("name", f"At most {MAX_RULE_NAME} characters.")
        clean["name"] = name
    for flag in ("active", "first_order_only"):
        if data.get(flag) is not None:
            clean[flag] = bool(data[flag])
    if data.get("priority") is not None:
        if not is_whole(data["priority"]) or not MIN_PRIORITY <= data["priority"] <= MAX_PRIORITY:
            fail("priority", f"Must be a whole number from {MIN_PRIORITY} to {MAX_PRIORITY}.")
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
        if not isinstance(skus, list | tuple) or not all(
                isinstance(sku, str) and 0 < len(sku.strip()) <= MAX_SKU for sku in skus):
            fail("product_skus", f"Must be a list of SKUs of at most {MAX_SKU} characters.")
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
            clean[moment] = moment_field(data[moment], moment, errors)
    starts, ends = clean.get("starts_at", rule.starts_at), clean.get("ends_at", rule.ends_at)
    if starts is not None and ends is not None and starts >= ends:
        fail("ends_at", "Must be after starts_at.")
    for key, (relation, model) in RULE_RELATIONS.items():
        if data.get(key) is None:
            continue
        ids = data[key]
        if not isinstance(ids, list | tuple) or not all(is_whole(i) for i in ids):
            fail(key, "Must be a list of ids.")
            continue
        found = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
        missing = sorted(set(ids) - found)
        if missing:
            fail(key, f"Unknown ids: {', '.join(map(str, missing))}.")
        clean[relation] = sorted(found)
    if data.get("categories") is not None:
        names = data["categories"]
        if not isinstance(names, list | tuple) or not all(
                isinstance(name, str) and 0 < len(name.strip()) <= MAX_CATEGORY_NAME for name in names):
            fail("categories", f"Must be a list of category names of at most {MAX_CATEGORY_NAME} characters.")
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
    require_admin(actor_user)
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

