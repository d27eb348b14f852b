"""Automated task rules: the daily job that turns occasions (birthdays, lapsed customers, orders to follow up,
listed products back in stock...) into tasks, each with a suggested message.

Set-based by design (bench/task_rules.py runs it over 1,000,000 customers). Every rule is declared in one shape
(`RULES`): its defaults and a `select` function giving ONE query of its candidates — the rows, the path to the
customer, the occasion's day and id, the occasion's own associate and product. `task_rows` turns that query into
the SELECT of a whole task (assignee, title and message merged, due date) in SQL, and `run_rule` writes it with
`INSERT ... SELECT ... ON CONFLICT DO NOTHING`: no candidate row comes into Python. A task is made once per
(rule, customer, occasion) — the occasion is the birthday's year, the order's id, the last purchase's date... —
and the database's unique constraint `task_once_per_occasion` guarantees it, however often and however
concurrently the job runs.

Who gets a task (DESIGN.md §3): in an associate-mode store the associate the occasion belongs to (the
newly assigned associate, the lookbook's author, the order's associate) or else the customer's primary
associate, if active and of the customer's store; in a team-mode store, or without such an associate, the store
(every associate of a team store, the managers of an associate-mode store, see store tasks).
"""

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.apps import apps
from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, ExtractYear, Substr, Trim, TruncDate
from django.urls import reverse
from django.utils import timezone

from shopfloor.access import require_admin
from shopfloor.accounts.models import Associate, AssociateRole, SellingMode
from shopfloor.accounts.services import record_event
from shopfloor.catalog.models import ProductChangeKind
from shopfloor.clienteling.models import MANUAL, RuleKey, Task, TaskPriority, TaskRule
from shopfloor.comms.models import NotificationKind
from shopfloor.comms.services import notify, wants_email
from shopfloor.customers.models import Customer, CustomerAssignment, CustomerStatus
from shopfloor.errors import InvalidInput
from shopfloor.orders.models import Order, OrderStatus

# Orders that count as a purchase: paid or fulfilled (not waiting for payment, not cancelled).
PURCHASED = (OrderStatus.PLACED, OrderStatus.COMPLETED)
# Birthdays and anniversaries are looked for at most this far ahead.
MAX_DAYS_AHEAD = 60
MAX_DAYS = 3650
# The run stages a rule's candidate tasks here (a temporary table of this connection) to count them.
STAGE = "clienteling_task_candidates"

MERGE_FIELD = re.compile(r"\{([a-z_]+)\}")


def merge(template: str, values: dict[str, str]) -> str:
    """Fill {first_name}-style fields; unknown ones stay as written (no format-string surprises)."""
    return MERGE_FIELD.sub(lambda match: values.get(match.group(1), match.group(0)), template)


# How a rule finds its candidates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """One rule's candidates as one query, and where each task fact is in its rows."""

    rows: QuerySet
    customer: str  # the lookup path from a row to its customer: "" when the rows are customers
    day: Expression  # the occasion's day (or 'MM-DD' for yearly occasions), one of `days`
    days: dict  # each value `day` takes → the date it stands for: the message's {date}
    # A strftime format of the day ("%Y": one task a year) or an expression naming the occasion (an order's id).
    occasion: str | Expression
    associate: Expression | None = None  # the occasion's own associate (the order's, the lookbook's author)
    product: Expression | None = None


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _window(rule: TaskRule, today: date) -> dict[date, date]:
    """Occasions `days` ago, or up to `catch_up_days` older when the job missed days."""
    last = today - timedelta(days=min(rule.days, MAX_DAYS))
    return {last - timedelta(days=offset): last - timedelta(days=offset) for offset in range(rule.catch_up_days + 1)}


def _recent(rule: TaskRule, today: date) -> dict[date, date]:
    """Today and the catch-up days before it."""
    return {today - timedelta(days=offset): today - timedelta(days=offset) for offset in range(rule.catch_up_days + 1)}


def _between(field: str, days: dict[date, date]) -> dict:
    """A filter: `field` (a moment) falls on one of `days` (local days)."""
    return {f"{field}__gte": _start(min(days)), f"{field}__lt": _start(max(days) + timedelta(days=1))}


def _month_day(field: str):
    """'MM-DD' of a date or a datetime column (UTC for a datetime), in SQL both databases run."""
    return Substr(Cast(field, CharField()), 6, 5)


def _days_ahead(rule: TaskRule, today: date) -> dict[str, date]:
    """'MM-DD' → the date it next falls on, for the next `days` days (29 February on the 28th in other years)."""
    upcoming = {}
    for offset in range(min(rule.days, MAX_DAYS_AHEAD) + 1):
        day = today + timedelta(days=offset)
        upcoming.setdefault(f"{day:%m-%d}", day)
        if day.month == 2 and day.day == 28:
            try:
                day.replace(day=29)
            except ValueError:
                upcoming.setdefault("02-29", day)
    return upcoming


def _named(prefix: str, field: str = "pk") -> Expression:
    """An occasion named after a row, e.g. 'order-42'."""
    return Concat(Value(f"{prefix}-"), Cast(field, CharField()), output_field=CharField())


def _optional_model(app_label: str, name: str):
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def birthdays(rule: TaskRule, today: date) -> Selection:
    upcoming = _days_ahead(rule, today)
    rows = (
        Customer.objects.filter(status=CustomerStatus.ACTIVE, birthday__isnull=False)
        .alias(month_day=_month_day("birthday"))
        .filter(month_day__in=list(upcoming))
    )
    return Selection(rows, "", F("month_day"), upcoming, "%Y")


def anniversaries(rule: TaskRule, today: date) -> Selection:
    """The yearly return of the customer's first purchase (UTC days: a first purchase at midnight may shift)."""
    upcoming = _days_ahead(rule, today)
    earlier = Order.objects.filter(
        customer_id=OuterRef("customer_id"), status__in=PURCHASED, placed_at__lt=OuterRef("placed_at")
    )
    year = Case(
        *[When(month_day=key, then=Value(day.year)) for key, day in upcoming.items()], output_field=IntegerField()
    )
    rows = (
        Order.objects.filter(
            status__in=PURCHASED,
            customer__status=CustomerStatus.ACTIVE,
            placed_at__lt=_start(today - timedelta(days=300)),
        )
        .alias(month_day=_month_day("placed_at"))
        .filter(month_day__in=list(upcoming))
        .filter(~Exists(earlier))
        .alias(year=year, placed_year=ExtractYear("placed_at", tzinfo=UTC))
        .filter(placed_year__lt=F("year"))
    )
    return Selection(rows, "customer__", F("month_day"), upcoming, "%Y")


def win_backs(rule: TaskRule, today: date) -> Selection:
    """Customers whose last purchase is `days` old (or a few days older, when catching up): read as the
    purchases in those days that no later purchase of the customer follows (through the placed_at index, not
    every customer)."""
    days = _window(rule, today)
    later = Order.objects.filter(
        customer_id=OuterRef("customer_id"), status__in=PURCHASED, placed_at__gt=OuterRef("placed_at")
    )
    rows = Order.objects.filter(
        status__in=PURCHASED, customer__status=CustomerStatus.ACTIVE, **_between("placed_at", days)
    ).filter(~Exists(later))
    return Selection(rows, "customer__", TruncDate("placed_at"), days, "%Y-%m-%d")


def welcomes(rule: TaskRule, today: date) -> Selection:
    """Assignments made today or in the catch-up days; the newly assigned associate makes contact."""
    days = _recent(rule, today)
    rows = CustomerAssignment.objects.filter(customer__status=CustomerStatus.ACTIVE, **_between("created_at", days))
    return Selection(rows, "customer__", TruncDate("created_at"), days, _named("assignment"), F("associate_id"))


def follow_ups(rule: TaskRule, today: date) -> Selection:
    days = _window(rule, today)
    rows = Order.objects.filter(
        status__in=PURCHASED, customer__status=CustomerStatus.ACTIVE, **_between("placed_at", days)
    )
    return Selection(rows, "customer__", TruncDate("placed_at"), days, _named("order"), F("attributed_associate_id"))


def _product_changes(kind: str) -> Callable[[TaskRule, date], Selection | None]:
    def select(rule: TaskRule, today: date) -> Selection | None:
        """Customers with a product on a live list that came back in stock / got cheaper in the catch-up days."""
        list_item = _optional_model("lists", "ListItem")
        if list_item is None:
            return None
        days = _recent(rule, today)
        rows = list_item.objects.filter(
            list__deleted_at__isnull=True,
            list__customer__status=CustomerStatus.ACTIVE,
            product__changes__kind=kind,
            **_between("product__changes__happened_at", days),
        )
        return Selection(
            rows,
            "list__customer__",
            TruncDate("product__changes__happened_at"),
            days,
            _named("change", "product__changes__id"),
            product=F("product__name"),
        )

    return select


def lookbooks_unanswered(rule: TaskRule, today: date) -> Selection | None:
    """Lookbooks first opened `days` ago whose customer has bought nothing since."""
    lookbook = _optional_model("lookbooks", "Lookbook")
    if lookbook is None:
        return None
    days = _window(rule, today)
    bought = Order.objects.filter(
        customer_id=OuterRef("customer_id"), status__in=PURCHASED, placed_at__gte=OuterRef("opened_at")
    )
    rows = lookbook.objects.filter(customer__status=CustomerStatus.ACTIVE, **_between("opened_at", days)).filter(
        ~Exists(bought)
    )
    return Selection(rows, "customer__", TruncDate("opened_at"), days, _named("lookbook"), F("author_id"))


@dataclass(frozen=True)
class Rule:
    """A rule as declared: its defaults (an admin tunes them on TaskRule) and how it selects its candidates."""

    title: str
    message: str
    select: Callable[[TaskRule, date], Selection | None]
    meaning: str  # what the settings page says the rule's N means
    days: int
    due_in_days: int = 0
    priority: str = TaskPriority.NORMAL
    ahead: bool = False  # the task is due `due_in_days` before the occasion (else after it)
    waits_days: bool = False  # the occasion's follow-up is due `days` after its day

    def defaults(self) -> dict:
        return {
            "title": self.title,
            "message": self.message,
            "days": self.days,
            "due_in_days": self.due_in_days,
            "priority": self.priority,
        }

    def due_on(self, tuned: TaskRule, day: date, today: date) -> date:
        base = day + timedelta(days=tuned.days if self.waits_days else 0)
        offset = timedelta(days=tuned.due_in_days)
        return max(base - offset if self.ahead else base + offset, today)


RULES = {
    RuleKey.BIRTHDAY: Rule(
        "Birthday: {first_name} {last_name}, {date}",
        "Happy birthday, {first_name}! Everyone at {store_name} wishes you a wonderful day. "
        "Come and see us this month for a small gift. — {associate_name}",
        birthdays,
        "days ahead",
        days=7,
        due_in_days=1,
        ahead=True,
    ),
    RuleKey.PURCHASE_ANNIVERSARY: Rule(
        "A year as our customer: {first_name} {last_name}",
        "Hello {first_name}, it is a year since your first purchase with us at {store_name}. "
        "Thank you! I would love to show you what is new. — {associate_name}",
        anniversaries,
        "days ahead",
        days=7,
        priority=TaskPriority.LOW,
        ahead=True,
    ),
    RuleKey.WIN_BACK: Rule(
        "Win back {first_name} {last_name}: no purchase since {date}",
        "Hello {first_name}, we have missed you at {store_name}. New pieces arrived that made me "
        "think of you — shall I put a few aside? — {associate_name}",
        win_backs,
        "days without a purchase",
        days=90,
        waits_days=True,
    ),
    RuleKey.WELCOME: Rule(
        "Welcome {first_name} {last_name}",
        "Hello {first_name}, I am {associate_name} from {store_name} and I will be looking after "
        "you from now on. Tell me what you are looking for and I will find it for you.",
        welcomes,
        "days to make contact",
        days=2,
        priority=TaskPriority.HIGH,
        waits_days=True,
    ),
    RuleKey.POST_PURCHASE: Rule(
        "Follow up {first_name} {last_name}'s order of {date}",
        "Hello {first_name}, how are you getting on with your purchase from {store_name}? "
        "If anything is not right, I am here to help. — {associate_name}",
        follow_ups,
        "days after the order",
        days=3,
    ),
    RuleKey.BACK_IN_STOCK: Rule(
        "{product} is back in stock for {first_name} {last_name}",
        "Good news, {first_name}: {product}, on your list, is back in stock. Shall I keep one for "
        "you? — {associate_name}",
        _product_changes(ProductChangeKind.BACK_IN_STOCK),
        "(not used)",
        days=0,
        priority=TaskPriority.HIGH,
    ),
    RuleKey.PRICE_DROP: Rule(
        "{product} costs less now: tell {first_name} {last_name}",
        "Hello {first_name}, {product} from your list now costs less. It would be a good moment "
        "to get it. — {associate_name}",
        _product_changes(ProductChangeKind.PRICE_DROP),
        "(not used)",
        days=0,
        priority=TaskPriority.HIGH,
    ),
    RuleKey.LOOKBOOK_NO_PURCHASE: Rule(
        "{first_name} {last_name} opened a lookbook on {date} and has not bought yet",
        "Hello {first_name}, did anything in the lookbook catch your eye? I can reserve pieces in "
        "your size or suggest alternatives. — {associate_name}",
        lookbooks_unanswered,
        "days after opening",
        days=3,
        waits_days=True,
    ),
}
DEFAULTS = {key: rule.defaults() for key, rule in RULES.items()}
DAYS_MEANING = {key: rule.meaning for key, rule in RULES.items()}


def ensure_rules() -> dict[str, TaskRule]:
    """Every rule key has its row (disabled until an admin enables it); returns them by key."""
    TaskRule.objects.bulk_create([TaskRule(key=key, **DEFAULTS[key]) for key in RuleKey.values], ignore_conflicts=True)
    return {rule.key: rule for rule in TaskRule.objects.all()}


# From candidates to tasks, in SQL ---------------------------------------------------------------------------


def _by_day(selection: Selection, value_of: Callable[[date], object], output_field) -> Case:
    """A fact computed in Python for each day the occasion may fall on, picked in SQL by the row's day."""
    return Case(
        *[
            When(occasion_day=key, then=Value(value_of(day), output_field=output_field))
            for key, day in selection.days.items()
        ],
        default=Value(None, output_field=output_field),
        output_field=output_field,
    )


def _merged(template: str, values: dict[str, Expression]) -> Expression:
    """`merge` as an SQL expression: the template's text around the values' columns."""
    parts, position = [], 0
    for match in MERGE_FIELD.finditer(template):
        parts.append(Value(template[position : match.start()]))
        parts.append(values.get(match.group(1), Value(match.group(0))))
        position = match.end()
    parts += [Value(template[position:]), Value("")]  # Concat takes two or more
    return Concat(*parts, output_field=TextField())


def _assignee(selection: Selection) -> Case:
    """Who gets the task (module docstring), as a column: None means the store."""
    customer = selection.customer
    own_store = OuterRef(f"{customer}store_id")
    primary = CustomerAssignment.objects.filter(
        customer_id=OuterRef(f"{customer}id" if customer else "pk"),
        is_primary=True,
        associate__active=True,
        associate__store_id=own_store,
    )
    branches = [When(**{f"{customer}store__selling_mode": SellingMode.TEAM}, then=Value(None))]
    if selection.associate is not None:
        of_the_store = Associate.objects.filter(pk=OuterRef("occasion_associate"), active=True, store_id=own_store)
        branches.append(When(Exists(of_the_store), then=F("occasion_associate")))
    return Case(*branches, default=Subquery(primary.values("associate_id")[:1]), output_field=IntegerField())


def task_rows(rule: TaskRule, today: date, now: datetime) -> QuerySet | None:
    """The SELECT of every task `rule` makes on `today`, one row per candidate, columns in `TASK_COLUMNS` order
    (None when the rule's source app is not installed)."""
    declared = RULES[rule.key]
    selection = declared.select(rule, today)
    if selection is None:
        return None
    customer = selection.customer
    rows = selection.rows.order_by().alias(
        occasion_day=selection.day, occasion_associate=selection.associate or Value(None, IntegerField())
    )
    rows = rows.alias(assignee=_assignee(selection))
    values = {
        "first_name": Case(
            When(**{f"{customer}first_name": ""}, then=Value("there")), default=F(f"{customer}first_name")
        ),
        "last_name": F(f"{customer}last_name"),
        "store_name": F(f"{customer}store__name"),
        "associate_name": Coalesce(
            Subquery(Associate.objects.filter(pk=OuterRef("assignee")).values("name")[:1]), F(f"{customer}store__name")
        ),
        "product": selection.product or Value(""),
        "date": _by_day(selection, lambda day: f"{day:%-d %b %Y}", CharField()),
    }
    occasion = selection.occasion
    if isinstance(occasion, str):
        occasion = _by_day(selection, lambda day, pattern=occasion: day.strftime(pattern), CharField())
    facts = {
        "title": Substr(Trim(_merged(rule.title, values)), 1, 200),
        "suggested_message": _merged(rule.message, values),
        "customer_id": F(f"{customer}id" if customer else "pk"),
        "store_id": F(f"{customer}store_id"),
        "assignee_id": F("assignee"),
        "due_on": _by_day(selection, lambda day: declared.due_on(rule, day, today), DateField()),
        "priority": Value(rule.priority),
        "source": Value(rule.key),
        "rule_id": Value(rule.pk),
        "occasion": occasion,
        "created_at": Value(now, DateTimeField()),
        "updated_at": Value(now, DateTimeField()),
    }
    columns = {}
    for field in TASK_FIELDS:
        default = field.get_default() if field.has_default() else ("" if field.empty_strings_allowed else None)
        columns[f"task_{field.attname}"] = facts.get(field.attname, Value(default, output_field=field))
    return rows.annotate(**columns).values_list(*columns)


TASK_FIELDS = [field for field in Task._meta.concrete_fields if not field.primary_key]
TASK_COLUMNS = [field.column for field in TASK_FIELDS]


def candidates(rule: TaskRule, today: date) -> QuerySet | None:
    """The rule's candidate query alone, with the customer facts a task needs (name, store, primary associate)
    and the occasion's day: what bench/task_rules.py measures as the floor."""
    selection = RULES[rule.key].select(rule, today)
    if selection is None:
        return None
    customer = selection.customer
    primary = CustomerAssignment.objects.filter(
        customer_id=OuterRef(f"{customer}id" if customer else "pk"), is_primary=True
    )
    return (
        selection.rows.order_by()
        .annotate(occasion_day=selection.day, primary=Subquery(primary.values("associate_id")[:1]))
        .values_list(
            f"{customer}id" if customer else "pk",
            f"{customer}first_name",
            f"{customer}last_name",
            f"{customer}store_id",
            "primary",
            "occasion_day",
        )
    )


# The run -----------------------------------------------------------------------------------------


@dataclass
class RunResult:
    today: date
    created: dict[str, int]
    candidates: dict[str, int]

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


def run_rule(rule: TaskRule, today: date, now: datetime) -> tuple[int, int]:
    """(candidates, tasks created) for one rule: its task rows are staged by one INSERT ... SELECT (counting the
    candidates), then copied into tasks by one INSERT ... ON CONFLICT DO NOTHING, which skips the occasions that
    already have their task and settles any race with a concurrent run. Runs inside the caller's transaction:
    if a statement fails, the rollback takes the staging table with it (DDL is transactional in SQLite and
    PostgreSQL)."""
    rows = task_rows(rule, today, now)
    if rows is None:
        return 0, 0
    sql, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    table, columns = quote(Task._meta.db_table), ", ".join(quote(column) for column in TASK_COLUMNS)
    # Only quoted model names and the ORM's own SQL (its values as parameters) go into these statements.
    stage = f"CREATE TEMPORARY TABLE {STAGE} AS SELECT {columns} FROM {table} WHERE 1 = 0"  # noqa: S608
    # "WHERE 1 = 1": SQLite would read an ON CONFLICT right after a bare FROM as a join's ON.
    insert = f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {STAGE} WHERE 1 = 1 ON CONFLICT DO NOTHING"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(stage)
        cursor.execute(f"INSERT INTO {STAGE} ({columns}) {sql}", params)
        found = cursor.rowcount
        cursor.execute(insert)
        created = cursor.rowcount
        cursor.execute(f"DROP TABLE {STAGE}")
    TaskRule.objects.filter(pk=rule.pk).update(last_run_at=now, last_run_created=created)
    return found, created


def run_rules(today: date | None = None, keys=None, notify_people: bool = True) -> RunResult:
    """Run every enabled rule (or the given keys, enabled or not) for `today`; idempotent."""
    today = today or timezone.localdate()
    now = timezone.now()
    rules = ensure_rules()
    chosen = [rules[key] for key in (keys or RuleKey.values) if key in rules and (keys or rules[key].enabled)]
    result = RunResult(today=today, created={}, candidates={})
    for rule in chosen:
        # One transaction per rule: a failing rule leaves the others' tasks, and a retry makes only the missing.
        with transaction.atomic():
            result.candidates[rule.key], result.created[rule.key] = run_rule(rule, today, now)
    if notify_people and result.total_created:
        with transaction.atomic():
            notify_new_tasks(now)
    return result


def notify_new_tasks(now: datetime) -> int:
    """One summary notification per person about the tasks this run made for them (not one per task): the
    run's tasks counted per assignee and per store in one grouped query."""
    recipients: Counter = Counter()
    made = (
        Task.objects.filter(created_at=now)
        .exclude(source=MANUAL)
        .values("assignee_id", "store_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    store_tasks: Counter = Counter()
    for row in made:
        if row["assignee_id"]:
            recipients[row["assignee_id"]] += row["count"]
        else:
            store_tasks[row["store_id"]] += row["count"]
    if store_tasks:
        # A store's tasks: every associate of a team-mode store, the managers of an associate-mode store.
        people = Associate.objects.filter(store_id__in=list(store_tasks), active=True).filter(
            Q(store__selling_mode=SellingMode.TEAM) | Q(role=AssociateRole.MANAGER)
        )
        for associate_id, store_id in people.values_list("pk", "store_id"):
            recipients[associate_id] += store_tasks[store_id]
    people = Associate.objects.filter(pk__in=list(recipients), user__isnull=False, user__is_active=True)
    url = reverse("clienteling:tasks")
    sent = 0
    for associate in people.select_related("user").order_by("pk"):
        count = recipients[associate.pk]
        notify(
            associate.user,
            NotificationKind.TASK,
            f"{count} new task{'s' if count != 1 else ''} for you",
            "The daily task rules found customers to contact.",
            url,
            email=wants_email(associate.user, NotificationKind.TASK),
        )
        sent += 1
    return sent


def rules_with_status(rules=None) -> list[TaskRule]:
    rules = rules or ensure_rules()
    return [rules[key] for key in RuleKey.values if key in rules]


def clean_rule_update(data: dict) -> dict:
    """Validate an admin's change to a rule (422 naming the field)."""
    clean = {}
    if data.get("enabled") is not None:
        clean["enabled"] = bool(data["enabled"])
    for name, upper in (("days", MAX_DAYS), ("catch_up_days", 60), ("due_in_days", 365)):
        if data.get(name) is not None:
            value = data[name]
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= upper:
                raise InvalidInput.field(name, f"A whole number from 0 to {upper}.")
            clean[name] = value
    if data.get("priority") is not None:
        if data["priority"] not in TaskPriority.values:
            raise InvalidInput.field("priority", f"Must be one of {', '.join(TaskPriority.values)}.")
        clean["priority"] = data["priority"]
    if data.get("title") is not None:
        title = str(data["title"]).strip()
        if not title or len(title) > 200:
            raise InvalidInput.field("title", "From 1 to 200 characters.")
        clean["title"] = title
    if data.get("message") is not None:
        message = str(data["message"]).strip()
        if len(message) > 2000:
            raise InvalidInput.field("message", "At most 2000 characters.")
        clean["message"] = message
    return clean


def update_rule(actor, rule: TaskRule, data: dict) -> TaskRule:
    """An admin enables, disables or tunes a rule."""
    require_admin(actor)
    clean = clean_rule_update(data)
    if clean:
        with transaction.atomic():
            for name, value in clean.items():
                setattr(rule, name, value)
            rule.updated_by = actor.user
            rule.save()
            record_event(actor.user, "task_rule.updated", rule, **{k: str(v) for k, v in clean.items()})
    return rule
