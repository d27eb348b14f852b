"""Automated task rules: the daily job that turns occasions (birthdays, lapsed customers, orders to follow up,
listed products back in stock...) into tasks, each with a suggested message.

Set-based by design (bench/task_rules.py runs it over 1,000,000 customers): each enabled rule is ONE query
selecting its candidates with everything a task needs (the customer's name, store and primary associate),
then one `bulk_create(ignore_conflicts=True)`. A task is made once per (rule, customer, occasion) — the
occasion is the birthday's year, the order's id, the last purchase's date... — and the database's unique
constraint `task_once_per_occasion` guarantees it, however often and however concurrently the job runs.

Who gets a task (DESIGN.md §3): in an associate-mode store the associate the occasion belongs to (the
newly assigned associate, the lookbook's author, the order's associate) or else the customer's primary
associate; in a team-mode store, or without an active associate, the store (every associate of a team store,
the managers of an associate-mode store, see store tasks).
"""

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.apps import apps
from django.db import transaction
from django.db.models import CharField, Exists, F, OuterRef, Subquery
from django.db.models.functions import Cast, Substr
from django.urls import reverse
from django.utils import timezone

from shopfloor.access import require_admin
from shopfloor.accounts.models import Associate, AssociateRole, SellingMode, Store
from shopfloor.accounts.services import record_event
from shopfloor.catalog.models import ProductChangeKind
from shopfloor.clienteling.models import RuleKey, Task, TaskPriority, TaskRule
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
BATCH_SIZE = 2000
# Customer ids per lookup of the occasions already tasked (below SQLite's 999 parameters).
KNOWN_BATCH = 900

DEFAULTS = {
    RuleKey.BIRTHDAY: {
        "days": 7, "due_in_days": 1, "priority": TaskPriority.NORMAL,
        "title": "Birthday: {first_name} {last_name}, {date}",
        "message": "Happy birthday, {first_name}! Everyone at {store_name} wishes you a wonderful day. "
                   "Come and see us this month for a small gift. — {associate_name}",
    },
    RuleKey.PURCHASE_ANNIVERSARY: {
        "days": 7, "due_in_days": 0, "priority": TaskPriority.LOW,
        "title": "A year as our customer: {first_name} {last_name}",
        "message": "Hello {first_name}, it is a year since your first purchase with us at {store_name}. "
                   "Thank you! I would love to show you what is new. — {associate_name}",
    },
    RuleKey.WIN_BACK: {
        "days": 90, "due_in_days": 0, "priority": TaskPriority.NORMAL,
        "title": "Win back {first_name} {last_name}: no purchase since {date}",
        "message": "Hello {first_name}, we have missed you at {store_name}. New pieces arrived that made me "
                   "think of you — shall I put a few aside? — {associate_name}",
    },
    RuleKey.WELCOME: {
        "days": 2, "due_in_days": 0, "priority": TaskPriority.HIGH,
        "title": "Welcome {first_name} {last_name}",
        "message": "Hello {first_name}, I am {associate_name} from {store_name} and I will be looking after "
                   "you from now on. Tell me what you are looking for and I will find it for you.",
    },
    RuleKey.POST_PURCHASE: {
        "days": 3, "due_in_days": 0, "priority": TaskPriority.NORMAL,
        "title": "Follow up {first_name} {last_name}'s order of {date}",
        "message": "Hello {first_name}, how are you getting on with your purchase from {store_name}? "
                   "If anything is not right, I am here to help. — {associate_name}",
    },
    RuleKey.BACK_IN_STOCK: {
        "days": 0, "due_in_days": 0, "priority": TaskPriority.HIGH,
        "title": "{product} is back in stock for {first_name} {last_name}",
        "message": "Good news, {first_name}: {product}, on your list, is back in stock. Shall I keep one for "
                   "you? — {associate_name}",
    },
    RuleKey.PRICE_DROP: {
        "days": 0, "due_in_days": 0, "priority": TaskPriority.HIGH,
        "title": "{product} costs less now: tell {first_name} {last_name}",
        "message": "Hello {first_name}, {product} from your list now costs less. It would be a good moment "
                   "to get it. — {associate_name}",
    },
    RuleKey.LOOKBOOK_NO_PURCHASE: {
        "days": 3, "due_in_days": 0, "priority": TaskPriority.NORMAL,
        "title": "{first_name} {last_name} opened a lookbook on {date} and has not bought yet",
        "message": "Hello {first_name}, did anything in the lookbook catch your eye? I can reserve pieces in "
                   "your size or suggest alternatives. — {associate_name}",
    },
}

# What the settings page says each rule's N means.
DAYS_MEANING = {
    RuleKey.BIRTHDAY: "days ahead",
    RuleKey.PURCHASE_ANNIVERSARY: "days ahead",
    RuleKey.WIN_BACK: "days without a purchase",
    RuleKey.WELCOME: "days to make contact",
    RuleKey.POST_PURCHASE: "days after the order",
    RuleKey.BACK_IN_STOCK: "(not used)",
    RuleKey.PRICE_DROP: "(not used)",
    RuleKey.LOOKBOOK_NO_PURCHASE: "days after opening",
}


def ensure_rules() -> dict[str, TaskRule]:
    """Every rule key has its row (disabled until an admin enables it); returns them by key."""
    TaskRule.objects.bulk_create(
        [TaskRule(key=key, **DEFAULTS[key]) for key in RuleKey.values], ignore_conflicts=True
    )
    return {rule.key: rule for rule in TaskRule.objects.all()}


# Merge fields ------------------------------------------------------------------------------------

MERGE_FIELD = re.compile(r"\{([a-z_]+)\}")


def merge(template: str, values: dict[str, str]) -> str:
    """Fill {first_name}-style fields; unknown ones stay as written (no format-string surprises)."""
    return MERGE_FIELD.sub(lambda match: values.get(match.group(1), match.group(0)), template)


# Candidates --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    customer_id: int
    first_name: str
    last_name: str
    store_id: int
    primary_id: int | None
    occasion: str
    # The day the occasion is about (the birthday, the order's day): the message's {date}.
    day: date
    preferred_id: int | None = None  # the occasion's own associate, when it has one
    product: str = ""
    # The task is due from this day (default: `day`), e.g. N days after the last purchase.
    due_from: date | None = None


def _customer_columns(prefix: str) -> dict:
    """The customer's facts every task needs, as columns of the candidate query itself (no query per customer)."""
    outer = "pk" if not prefix else f"{prefix}id"
    primary = CustomerAssignment.objects.filter(customer_id=OuterRef(outer), is_primary=True).values("associate_id")
    return {
        "c_id": F(outer), "c_first": F(f"{prefix}first_name"), "c_last": F(f"{prefix}last_name"),
        "c_store": F(f"{prefix}store_id"), "c_primary": Subquery(primary[:1]),
    }


def _candidate(row: dict, occasion: str, day: date, preferred_id=None, product: str = "",
               due_from: date | None = None) -> Candidate:
    return Candidate(row["c_id"], row["c_first"], row["c_last"], row["c_store"], row["c_primary"], occasion, day,
                     preferred_id, product, due_from)


def fetch(rows):
    """A candidate query's rows, streamed in chunks. bench/task_rules.py replaces this to time the query alone
    (its floor), so every rule reads its candidates through here."""
    return rows.iterator(chunk_size=BATCH_SIZE)


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _window(rule: TaskRule, today: date) -> tuple[date, date]:
    """Occasions `days` ago, or up to `catch_up_days` older when the job missed days."""
    last = today - timedelta(days=min(rule.days, MAX_DAYS))
    return last - timedelta(days=rule.catch_up_days), last


def _month_day(field: str):
    """'MM-DD' of a date or a datetime column, in SQL both databases run (no per-row Python function)."""
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


def birthday_candidates(rule: TaskRule, today: date):
    upcoming = _days_ahead(rule, today)
    rows = (Customer.objects.filter(status=CustomerStatus.ACTIVE, birthday__isnull=False)
            .annotate(month_day=_month_day("birthday")).filter(month_day__in=list(upcoming))
            .values("month_day", **_customer_columns("")))
    for row in fetch(rows):
        day = upcoming[row["month_day"]]
        yield _candidate(row, str(day.year), day)


def anniversary_candidates(rule: TaskRule, today: date):
    """The yearly return of the customer's first purchase (UTC days: a first purchase at midnight may shift)."""
    upcoming = _days_ahead(rule, today)
    earlier = Order.objects.filter(customer_id=OuterRef("customer_id"), status__in=PURCHASED,
                                   placed_at__lt=OuterRef("placed_at"))
    rows = (Order.objects.filter(status__in=PURCHASED, customer__status=CustomerStatus.ACTIVE,
                                 placed_at__lt=_start(today - timedelta(days=300)))
            .annotate(month_day=_month_day("placed_at")).filter(month_day__in=list(upcoming))
            .filter(~Exists(earlier))
            .values("month_day", "placed_at", **_customer_columns("customer__")))
    for row in fetch(rows):
        day = upcoming[row["month_day"]]
        if row["placed_at"].astimezone(UTC).year < day.year:
            yield _candidate(row, str(day.year), day)


def win_back_candidates(rule: TaskRule, today: date):
    """Customers whose last purchase is `days` old (or a few days older, when catching up)."""
    first, last = _window(rule, today)
    since, until = _start(first), _start(last + timedelta(days=1))
    purchases = Order.objects.filter(customer_id=OuterRef("pk"), status__in=PURCHASED)
    in_window = purchases.filter(placed_at__gte=since, placed_at__lt=until)
    rows = (Customer.objects.filter(status=CustomerStatus.ACTIVE)
            .filter(Exists(in_window), ~Exists(purchases.filter(placed_at__gte=until)))
            .values(last_purchase=Subquery(in_window.order_by("-placed_at").values("placed_at")[:1]),
                    **_customer_columns("")))
    for row in fetch(rows):
        day = _local_day(row["last_purchase"])
        yield _candidate(row, day.isoformat(), day, due_from=day + timedelta(days=rule.days))


def welcome_candidates(rule: TaskRule, today: date):
    """Assignments made today or in the catch-up days; the newly assigned associate makes contact."""
    since = _start(today - timedelta(days=rule.catch_up_days))
    rows = (CustomerAssignment.objects.filter(created_at__gte=since, created_at__lt=_start(today + timedelta(days=1)),
                                              customer__status=CustomerStatus.ACTIVE)
            .values("pk", "associate_id", "created_at", **_customer_columns("customer__")))
    for row in fetch(rows):
        day = _local_day(row["created_at"])
        yield _candidate(row, f"assignment-{row['pk']}", day, preferred_id=row["associate_id"],
                         due_from=day + timedelta(days=rule.days))


def post_purchase_candidates(rule: TaskRule, today: date):
    first, last = _window(rule, today)
    rows = (Order.objects.filter(status__in=PURCHASED, customer__status=CustomerStatus.ACTIVE,
                                 placed_at__gte=_start(first), placed_at__lt=_start(last + timedelta(days=1)))
            .values("pk", "placed_at", "attributed_associate_id", **_customer_columns("customer__")))
    for row in fetch(rows):
        day = _local_day(row["placed_at"])
        yield _candidate(row, f"order-{row['pk']}", day, preferred_id=row["attributed_associate_id"])


def _list_item_model():
    try:
        return apps.get_model("lists", "ListItem")
    except LookupError:
        return None


def _product_change_candidates(kind: str, rule: TaskRule, today: date):
    """Customers with a product on a live list that came back in stock / got cheaper in the catch-up days."""
    list_item = _list_item_model()
    if list_item is None:
        return
    since = _start(today - timedelta(days=rule.catch_up_days))
    until = _start(today + timedelta(days=1))
    rows = (list_item.objects.filter(list__deleted_at__isnull=True, list__customer__status=CustomerStatus.ACTIVE,
                                     product__changes__kind=kind, product__changes__happened_at__gte=since,
                                     product__changes__happened_at__lt=until)
            .values(change_id=F("product__changes__id"), changed_at=F("product__changes__happened_at"),
                    product_name=F("product__name"), **_customer_columns("list__customer__")))
    for row in fetch(rows):
        yield _candidate(row, f"change-{row['change_id']}", _local_day(row["changed_at"]),
                         product=row["product_name"])


def back_in_stock_candidates(rule: TaskRule, today: date):
    return _product_change_candidates(ProductChangeKind.BACK_IN_STOCK, rule, today)


def price_drop_candidates(rule: TaskRule, today: date):
    return _product_change_candidates(ProductChangeKind.PRICE_DROP, rule, today)


def lookbook_candidates(rule: TaskRule, today: date):
    """Lookbooks first opened `days` ago whose customer has bought nothing since."""
    try:
        lookbook = apps.get_model("lookbooks", "Lookbook")
    except LookupError:
        return
    first, last = _window(rule, today)
    bought = Order.objects.filter(customer_id=OuterRef("customer_id"), status__in=PURCHASED,
                                  placed_at__gte=OuterRef("opened_at"))
    rows = (lookbook.objects.filter(opened_at__gte=_start(first), opened_at__lt=_start(last + timedelta(days=1)),
                                    customer__status=CustomerStatus.ACTIVE)
            .filter(~Exists(bought))
            .values("pk", "opened_at", "author_id", **_customer_columns("customer__")))
    for row in fetch(rows):
        day = _local_day(row["opened_at"])
        yield _candidate(row, f"lookbook-{row['pk']}", day, preferred_id=row["author_id"],
                         due_from=day + timedelta(days=rule.days))


CANDIDATES = {
    RuleKey.BIRTHDAY: birthday_candidates,
    RuleKey.PURCHASE_ANNIVERSARY: anniversary_candidates,
    RuleKey.WIN_BACK: win_back_candidates,
    RuleKey.WELCOME: welcome_candidates,
    RuleKey.POST_PURCHASE: post_purchase_candidates,
    RuleKey.BACK_IN_STOCK: back_in_stock_candidates,
    RuleKey.PRICE_DROP: price_drop_candidates,
    RuleKey.LOOKBOOK_NO_PURCHASE: lookbook_candidates,
}
# Days before the occasion the task is due (the others are due days after it).
AHEAD = {RuleKey.BIRTHDAY, RuleKey.PURCHASE_ANNIVERSARY}


# The run -----------------------------------------------------------------------------------------


@dataclass
class Directory:
    """Stores and associates by id, read once per run (hundreds of rows, not one query per task)."""

    stores: dict[int, Store]
    associates: dict[int, Associate]

    @classmethod
    def load(cls) -> "Directory":
        return cls(stores=Store.objects.in_bulk(),
                   associates={a.pk: a for a in Associate.objects.filter(active=True).only("pk", "name", "store_id")})

    def assignee(self, candidate: Candidate) -> Associate | None:
        """Who gets the task (module docstring): None means the store."""
        store = self.stores[candidate.store_id]
        if store.selling_mode == SellingMode.TEAM:
            return None
        for associate_id in (candidate.preferred_id, candidate.primary_id):
            associate = self.associates.get(associate_id)
            if associate is not None and associate.store_id == store.pk:
                return associate
        return None


def _due_on(rule: TaskRule, candidate: Candidate, today: date) -> date:
    offset = timedelta(days=rule.due_in_days)
    base = candidate.due_from or candidate.day
    due = base - offset if rule.key in AHEAD else base + offset
    return max(due, today)


def build_task(rule: TaskRule, candidate: Candidate, directory: Directory, today: date, now: datetime) -> Task:
    store = directory.stores[candidate.store_id]
    assignee = directory.assignee(candidate)
    values = {
        "first_name": candidate.first_name or "there", "last_name": candidate.last_name,
        "associate_name": assignee.name if assignee else store.name, "store_name": store.name,
        "product": candidate.product, "date": f"{candidate.day:%-d %b %Y}",
    }
    return Task(
        title=merge(rule.title, values).strip()[:200], suggested_message=merge(rule.message, values),
        customer_id=candidate.customer_id, store_id=store.pk, assignee_id=assignee.pk if assignee else None,
        due_on=_due_on(rule, candidate, today), priority=rule.priority, source=rule.key, rule_id=rule.pk,
        occasion=candidate.occasion[:100], created_at=now,
    )


@dataclass
class RunResult:
    today: date
    created: dict[str, int]
    candidates: dict[str, int]

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


def _known(rule: TaskRule, candidates: list[Candidate]) -> set[tuple[int, str]]:
    """The (customer, occasion) pairs among `candidates` that already have this rule's task.

    Most candidates of a day are known (a birthday is a candidate for N days running), so they are skipped
    before building and inserting; the unique constraint still settles any race with a concurrent run.
    """
    known: set[tuple[int, str]] = set()
    ids = sorted({candidate.customer_id for candidate in candidates})
    for start in range(0, len(ids), KNOWN_BATCH):
        known.update(Task.objects.filter(source=rule.key, customer_id__in=ids[start:start + KNOWN_BATCH])
                     .values_list("customer_id", "occasion"))
    return known


def run_rule(rule: TaskRule, today: date, now: datetime, directory: Directory) -> tuple[int, int]:
    """(candidates, tasks created) for one rule: one candidate query, then batched inserts of the new occasions."""
    candidates = list(CANDIDATES[rule.key](rule, today) or ())
    known = _known(rule, candidates)
    new = [build_task(rule, candidate, directory, today, now) for candidate in candidates
           if (candidate.customer_id, candidate.occasion[:100]) not in known]
    Task.objects.bulk_create(new, batch_size=BATCH_SIZE, ignore_conflicts=True)
    # ignore_conflicts tells nothing back, so the new tasks are the ones stamped with this run's time.
    created = Task.objects.filter(source=rule.key, created_at=now).count() if new else 0
    TaskRule.objects.filter(pk=rule.pk).update(last_run_at=now, last_run_created=created)
    return len(candidates), created


def run_rules(today: date | None = None, keys=None, notify_people: bool = True) -> RunResult:
    """Run every enabled rule (or the given keys, enabled or not) for `today`; idempotent."""
    today = today or timezone.localdate()
    now = timezone.now()
    rules = ensure_rules()
    chosen = [rules[key] for key in (keys or RuleKey.values) if key in rules and (keys or rules[key].enabled)]
    directory = Directory.load()
    result = RunResult(today=today, created={}, candidates={})
    for rule in chosen:
        # One transaction per rule: a failing rule leaves the others' tasks, and a retry makes only the missing.
        with transaction.atomic():
            result.candidates[rule.key], result.created[rule.key] = run_rule(rule, today, now, directory)
    if notify_people and result.total_created:
        with transaction.atomic():
            notify_new_tasks(now, directory)
    return result


def notify_new_tasks(now: datetime, directory: Directory) -> int:
    """One summary notification per person about the tasks this run made for them (not one per task)."""
    counts: Counter = Counter()
    store_tasks: Counter = Counter()
    for assignee_id, store_id in Task.objects.filter(created_at=now).exclude(source="manual").values_list(
            "assignee_id", "store_id"):
        if assignee_id:
            counts[assignee_id] += 1
        else:
            store_tasks[store_id] += 1
    recipients: Counter = Counter(counts)
    for store_id, count in store_tasks.items():
        store = directory.stores[store_id]
        people = Associate.objects.filter(store_id=store_id, active=True)
        if store.selling_mode != SellingMode.TEAM:
            people = people.filter(role=AssociateRole.MANAGER)
        for associate_id in people.values_list("pk", flat=True):
            recipients[associate_id] += count
    people = Associate.objects.filter(pk__in=list(recipients), user__isnull=False, user__is_active=True)
    url = reverse("clienteling:tasks")
    sent = 0
    for associate in people.select_related("user").order_by("pk"):
        count = recipients[associate.pk]
        notify(associate.user, NotificationKind.TASK, f"{count} new task{'s' if count != 1 else ''} for you",
               "The daily task rules found customers to contact.", url,
               email=wants_email(associate.user, NotificationKind.TASK))
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

