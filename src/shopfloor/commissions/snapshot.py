"""What every order is evaluated with — the active commission rules, the override levels, the
attribution windows and the associate tree the upline chains are read from — read once per
process and checked against a stamp once per order.

Reading them costs five queries and most of an order's ORM work; they change a few times a
year. So `current()` keeps the last snapshot it loaded and, on every call, reads one value:
`ConfigStamp.token`, which database triggers (migrations 0006 and 0008) replace with a fresh
random value in the same statement as any INSERT, UPDATE or DELETE of a rule, a rule's condition
sets, the commission settings, the attribution settings or an associate — whatever wrote it: a
service, the admin, a queryset `.update()`, raw SQL or another process. A snapshot is reused only
while the token is the one it was loaded under, so an edited rule or an agent moved to another
parent applies to the very next order.

Why this is safe for money:
- The token is read before the snapshot it guards, so a snapshot is never older than its token:
  a change that commits in between is loaded now and reloaded on the next call (the token moved).
- A token is random, never a counter: an edit rolled back (the token goes back to what it was)
  and another edit made afterwards can never produce the token of a snapshot loaded inside the
  rolled-back transaction.
- Without a stamp row (a test database flushed by TRUNCATE/DELETE) nothing is cached; the next
  change of a guarded table writes the row again.
- Nothing is cached either unless every trigger is there (checked once per process and
  database): a later migration that rebuilds a guarded table on SQLite drops its triggers.
"""

from dataclasses import dataclass, field
from threading import Lock

from django.db import connection

from shopfloor.accounts.models import Associate
from shopfloor.commissions.models import CommissionRule, CommissionSettings, ConfigStamp, default_override_levels
from shopfloor.commissions.rules import RuleFacts, Ruleset
from shopfloor.orders.models import AttributionSettings

# The condition sets of every rule: (relation, the through table's column that names the target).
RULE_CONDITIONS = (
    ("associates", "associate"),
    ("categories", "category"),
    ("customer_groups", "customergroup"),
    ("customers", "customer"),
)


@dataclass(frozen=True)
class Snapshot:
    """Shared between orders: never change what it holds."""

    # A `rules.Ruleset`: a tuple of RuleFacts that remembers which rules compete for which lines.
    rules: tuple
    # [{"level": n, "rate": "x"}], as CommissionSettings.override_levels holds them.
    override_levels: tuple
    attribution_window_days: int
    influence_window_days: int
    # {associate id: (name, active, parent id)} of every associate: whom upline chains climb.
    associates: dict = field(default_factory=dict)

    @property
    def needs_first_order(self) -> bool:
        return any(rule.first_order_only for rule in self.rules)


_lock = Lock()
# (database name, token, snapshot) of the last load.
_cached: tuple | None = None
# {database name: whether every trigger exists}
_triggers_checked: dict = {}


def current() -> Snapshot:
    """The rules and settings as the database holds them now: one query while nothing changed."""
    global _cached
    database = connection.settings_dict["NAME"]
    token = _stamp() if _has_triggers(database) else None
    cached = _cached
    if token is not None and cached is not None and cached[0] == database and cached[1] == token:
        return cached[2]
    snapshot = load()
    if token is not None:
        with _lock:
            _cached = (database, token, snapshot)
    return snapshot


def forget() -> None:
    """Drop the cached snapshot (tests; never needed for correctness)."""
    global _cached
    with _lock:
        _cached = None
        _triggers_checked.clear()


def guarded_tables() -> list[str]:
    """The tables whose every change replaces the stamp's token (migration 0006 installs the triggers)."""
    tables = [CommissionRule._meta.db_table]
    for relation, _ in RULE_CONDITIONS:
        tables.append(getattr(CommissionRule, relation).through._meta.db_table)
    return [*tables, CommissionSettings._meta.db_table, AttributionSettings._meta.db_table,
            Associate._meta.db_table]


def missing_triggers() -> list[str]:
    """The stamp triggers that should exist and do not (on a database without triggers: all of them)."""
    if connection.vendor == "sqlite":
        expected = {
            f"stamp_{table}_{operation}" for table in guarded_tables() for operation in ("insert", "update", "delete")
        }
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'stamp_%'"
    elif connection.vendor == "postgresql":
        expected = {f"stamp_{table}" for table in guarded_tables()}
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'stamp_%'"
    else:
        return ["(no stamp triggers on this database)"]
    with connection.cursor() as cursor:
        cursor.execute(query)
        found = {name for (name,) in cursor.fetchall()}
    return sorted(expected - found)


def _has_triggers(database: str) -> bool:
    checked = _triggers_checked.get(database)
    if checked is None:
        checked = _triggers_checked[database] = not missing_triggers()
    return checked


def _stamp() -> str | None:
    table = connection.ops.quote_name(ConfigStamp._meta.db_table)
    with connection.cursor() as cursor:
        # The table name comes from the model; there are no values.
        cursor.execute(f"SELECT token FROM {table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else None


def load() -> Snapshot:
    """Read everything afresh (five queries; four when no rule is active)."""
    settings_row = CommissionSettings.objects.filter(pk=1).first()
    levels = settings_row.override_levels if settings_row is not None else default_override_levels()
    windows = AttributionSettings.objects.filter(pk=1).first() or AttributionSettings(pk=1)
    return Snapshot(
        rules=Ruleset(rule_facts()),
        override_levels=tuple(levels or ()),
        attribution_window_days=windows.attribution_window_days,
        influence_window_days=windows.influence_window_days,
        associates={pk: (name, active, parent_id) for pk, name, active, parent_id in
                    Associate.objects.values_list("pk", "name", "active", "parent_id")},
    )


def _condition_pairs() -> list[tuple[str, int, int]]:
    """(relation, rule id, target id) of every rule's condition sets, in one query."""
    quote = connection.ops.quote_name
    selects = []
    for relation, target in RULE_CONDITIONS:
        through = getattr(CommissionRule, relation).through._meta
        selects.append(
            f"SELECT '{relation}', {quote(through.get_field('commissionrule').column)}, "  # noqa: S608
            f"{quote(through.get_field(target).column)} FROM {quote(through.db_table)}"
        )
    with connection.cursor() as cursor:
        # Table and column names come from the models; there are no values.
        cursor.execute(" UNION ALL ".join(selects))
        return cursor.fetchall()


def rule_facts() -> list[RuleFacts]:
    """The active rules with their condition sets, in two queries (one when no rule is active)."""
    rules = list(CommissionRule.objects.filter(active=True).order_by("pk"))
    conditions = {relation: {} for relation, _ in RULE_CONDITIONS}
    if rules:
        for relation, rule_id, target_id in _condition_pairs():
            conditions[relation].setdefault(rule_id, set()).add(target_id)
    return [
        RuleFacts(
            id=rule.pk,
            name=rule.name,
            version=rule.version,
            kind=rule.kind,
            value=rule.value,
            priority=rule.priority,
            currency=rule.currency,
            associate_ids=frozenset(conditions["associates"].get(rule.pk, ())),
            product_skus=frozenset(rule.product_skus or ()),
            category_ids=frozenset(conditions["categories"].get(rule.pk, ())),
            customer_group_ids=frozenset(conditions["customer_groups"].get(rule.pk, ())),
            customer_ids=frozenset(conditions["customers"].get(rule.pk, ())),
            min_subtotal=rule.min_subtotal,
            max_subtotal=rule.max_subtotal,
            first_order_only=rule.first_order_only,
            starts_at=rule.starts_at,
            ends_at=rule.ends_at,
        )
        for rule in rules
    ]
