"""API: the customer record (notes, preferences, timeline), tasks, task rules and KPIs."""

from datetime import date, datetime

from ninja import Field, Path, Query, Router, Schema

from shopfloor.access import NotAllowed, NotVisible, get_customer_for, get_task_for, visible_stores
from shopfloor.apikit import (
    LIMIT,
    MAX_ID,
    OFFSET,
    ApiDateTime,
    admin_actor,
    optional_id_query,
    paginate,
    staff_actor,
)
from shopfloor.clienteling import kpis, reports, rules, selectors, services, timeline
from shopfloor.clienteling.models import RuleKey, TaskPriority, TaskRule, TaskStatus
from shopfloor.errors import InvalidInput
from shopfloor.periods import period_between

router = Router(tags=["Tasks"])

Id = Path(..., ge=1, le=MAX_ID)
RECORD = "Customers: the record"
BEFORE = Query(None, description="Entries strictly older than this time (the previous page's next_before).")
PERIOD_START = Query(None, alias="from", description="First day (YYYY-MM-DD); default: the 1st of `to`'s month.")
PERIOD_END = Query(None, alias="to", description="Last day, included; default: today.")


# Notes -------------------------------------------------------------------------------------------


class NoteIn(Schema):
    body: str = Field(..., max_length=services.NOTE_MAX_LENGTH)
    is_pinned: bool = False


class NotePatch(Schema):
    body: str | None = Field(None, max_length=services.NOTE_MAX_LENGTH)
    is_pinned: bool | None = None


class NoteOut(Schema):
    id: int
    customer_id: int
    author_id: int | None
    author: str
    body: str
    is_pinned: bool
    created_at: datetime
    updated_at: datetime


class NotePage(Schema):
    items: list[NoteOut]
    count: int


def note_out(note) -> dict:
    return {
        "id": note.pk, "customer_id": note.customer_id, "author_id": note.author_id,
        "author": note.author.get_full_name() if note.author_id else "", "body": note.body,
        "is_pinned": note.is_pinned, "created_at": note.created_at, "updated_at": note.updated_at,
    }


@router.get("/customers/{customer_id}/notes", response=NotePage, tags=[RECORD],
            summary="A customer's notes, pinned first, then newest")
def list_notes(request, customer_id: int = Id, limit: int = LIMIT, offset: int = OFFSET):
    customer = get_customer_for(staff_actor(request), customer_id)
    return paginate(selectors.notes_of(customer), limit, offset, note_out)


@router.post("/customers/{customer_id}/notes", response={201: NoteOut}, tags=[RECORD])
def add_note(request, payload: NoteIn, customer_id: int = Id):
    who = staff_actor(request)
    customer = get_customer_for(who, customer_id)
    note = services.add_note(who, customer, payload.body, payload.is_pinned)
    return 201, note_out(services.get_note_for(who, customer, note.pk))


@router.patch("/customers/{customer_id}/notes/{note_id}", response=NoteOut, tags=[RECORD],
              summary="Edit or (un)pin your own note")
def update_note(request, payload: NotePatch, customer_id: int = Id, note_id: int = Id):
    who = staff_actor(request)
    note = services.get_note_for(who, get_customer_for(who, customer_id), note_id)
    return note_out(services.update_note(who, note, **payload.dict(exclude_unset=True)))


@router.delete("/customers/{customer_id}/notes/{note_id}", response={204: None}, tags=[RECORD],
               summary="Delete your own note")
def delete_note(request, customer_id: int = Id, note_id: int = Id):
    who = staff_actor(request)
    services.delete_note(who, services.get_note_for(who, get_customer_for(who, customer_id), note_id))
    return 204, None


# Preferences -------------------------------------------------------------------------------------


class CustomerPreferencesIn(Schema):
    sizes: dict[str, str] | None = Field(None, description='What each size is for: {"tops": "M", "shoes": "38"}.')
    brands: list[str] | None = Field(None, max_length=services.MAX_LABELS)
    styles: list[str] | None = Field(None, max_length=services.MAX_LABELS)
    colours: list[str] | None = Field(None, max_length=services.MAX_LABELS)


class CustomerPreferencesOut(Schema):
    customer_id: int
    sizes: dict[str, str]
    brands: list[str]
    styles: list[str]
    colours: list[str]
    updated_at: datetime | None


def preferences_out(preferences) -> dict:
    return {
        "customer_id": preferences.customer_id, "sizes": preferences.sizes, "brands": preferences.brands,
        "styles": preferences.styles, "colours": preferences.colours,
        "updated_at": preferences.updated_at if preferences.pk else None,
    }


@router.get("/customers/{customer_id}/preferences", response=CustomerPreferencesOut, tags=[RECORD])
def get_preferences(request, customer_id: int = Id):
    customer = get_customer_for(staff_actor(request), customer_id)
    return preferences_out(services.preferences_of(customer))


@router.patch("/customers/{customer_id}/preferences", response=CustomerPreferencesOut, tags=[RECORD],
              summary="Replace the given preference fields; the others stay")
def update_preferences(request, payload: CustomerPreferencesIn, customer_id: int = Id):
    who = staff_actor(request)
    customer = get_customer_for(who, customer_id)
    return preferences_out(services.update_preferences(who, customer, payload.dict(exclude_unset=True)))


# Timeline ----------------------------------------------------------------------------------------


class TimelineEntryOut(Schema):
    when: datetime
    kind: str
    title: str
    url: str
    detail: str


class TimelineOut(Schema):
    items: list[TimelineEntryOut]
    next_before: datetime | None = Field(..., description="Pass as `before` for the next (older) page.")


@router.get("/customers/{customer_id}/timeline", response=TimelineOut, tags=[RECORD],
            summary="Everything that happened with the customer, newest first")
def customer_timeline(request, customer_id: int = Id, before: ApiDateTime | None = BEFORE,
                      limit: int = Query(timeline.DEFAULT_LIMIT, ge=1, le=timeline.MAX_LIMIT)):
    who = staff_actor(request)
    customer = get_customer_for(who, customer_id)
    page = timeline.page_for(customer, actor=who, before=before, limit=limit)
    return {"items": [entry.__dict__ for entry in page.entries], "next_before": page.next_before}


# Tasks -------------------------------------------------------------------------------------------


class TaskIn(Schema):
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=services.NOTE_MAX_LENGTH)
    customer_id: int | None = Field(None, ge=1, le=MAX_ID)
    assignee_id: int | None = Field(None, ge=1, le=MAX_ID, description="Default: you (associates).")
    due_on: date | None = Field(None, description="Default: today.")
    priority: TaskPriority = TaskPriority.NORMAL


class TaskPatch(Schema):
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=services.NOTE_MAX_LENGTH)
    assignee_id: int | None = Field(None, ge=1, le=MAX_ID)
    due_on: date | None = None
    priority: TaskPriority | None = None


class CompleteIn(Schema):
    outcome: str = Field(..., max_length=services.NOTE_MAX_LENGTH, description="What happened (required).")


class SnoozeIn(Schema):
    until: date


class TaskOut(Schema):
    id: int
    title: str
    description: str
    customer_id: int | None
    assignee_id: int | None
    store_id: int
    created_by_id: int | None
    due_on: date
    priority: str
    status: str
    snoozed_until: date | None
    outcome: str
    completed_at: datetime | None
    source: str = Field(..., description='"manual" or the rule key that made the task.')
    suggested_message: str
    created_at: datetime


class TaskPage(Schema):
    items: list[TaskOut]
    count: int


def task_out(task) -> dict:
    return {
        "id": task.pk, "title": task.title, "description": task.description, "customer_id": task.customer_id,
        "assignee_id": task.assignee_id, "store_id": task.store_id, "created_by_id": task.created_by_id,
        "due_on": task.due_on, "priority": task.priority, "status": task.status,
        "snoozed_until": task.snoozed_until, "outcome": task.outcome, "completed_at": task.completed_at,
        "source": task.source, "suggested_message": task.suggested_message, "created_at": task.created_at,
    }


@router.get("/tasks", response=TaskPage, summary="Tasks you may see; ?view=today|overdue|upcoming|done")
def list_tasks(request, view: str | None = Query(None, pattern="^(today|overdue|upcoming|done)$"),
               customer_id: int | None = optional_id_query("Only this customer's tasks."),
               assignee_id: int | None = optional_id_query("Only this associate's tasks."),
               status: TaskStatus | None = None, source: str | None = Query(None, max_length=32),
               limit: int = LIMIT, offset: int = OFFSET):
    who = staff_actor(request)
    tasks = selectors.task_list(who, view, customer_id=customer_id, assignee_id=assignee_id, status=status,
                                source=source)
    return paginate(tasks, limit, offset, task_out)


@router.post("/tasks", response={201: TaskOut})
def create_task(request, payload: TaskIn):
    who = staff_actor(request)
    task = services.create_task(who, payload.dict())
    return 201, task_out(task)


@router.get("/tasks/{task_id}", response=TaskOut)
def get_task(request, task_id: int = Id):
    return task_out(get_task_for(staff_actor(request), task_id))


@router.patch("/tasks/{task_id}", response=TaskOut)
def update_task(request, payload: TaskPatch, task_id: int = Id):
    who = staff_actor(request)
    task = get_task_for(who, task_id)
    return task_out(services.update_task(who, task, payload.dict(exclude_unset=True)))


@router.post("/tasks/{task_id}/complete", response=TaskOut, summary="Done, with an outcome note")
def complete_task(request, payload: CompleteIn, task_id: int = Id):
    who = staff_actor(request)
    return task_out(services.complete_task(who, get_task_for(who, task_id), payload.outcome))


@router.post("/tasks/{task_id}/snooze", response=TaskOut, summary="Put off until a later day")
def snooze_task(request, payload: SnoozeIn, task_id: int = Id):
    who = staff_actor(request)
    return task_out(services.snooze_task(who, get_task_for(who, task_id), payload.until))


@router.post("/tasks/{task_id}/reopen", response=TaskOut)
def reopen_task(request, task_id: int = Id):
    who = staff_actor(request)
    return task_out(services.reopen_task(who, get_task_for(who, task_id)))


@router.delete("/tasks/{task_id}", response={204: None}, summary="Delete a manual task (author, manager, admin)")
def delete_task(request, task_id: int = Id):
    who = staff_actor(request)
    services.delete_task(who, get_task_for(who, task_id))
    return 204, None


# Task rules --------------------------------------------------------------------------------------


class TaskRuleOut(Schema):
    id: int
    key: str
    name: str
    enabled: bool
    days: int = Field(..., description="The rule's N (see `days_meaning`).")
    days_meaning: str
    catch_up_days: int
    due_in_days: int
    priority: str
    title: str
    message: str = Field(..., description="The suggested message; merge fields in braces, e.g. {first_name}.")
    last_run_at: datetime | None
    last_run_created: int


class TaskRulePage(Schema):
    items: list[TaskRuleOut]
    count: int


class TaskRulePatch(Schema):
    enabled: bool | None = None
    days: int | None = Field(None, ge=0, le=rules.MAX_DAYS)
    catch_up_days: int | None = Field(None, ge=0, le=60)
    due_in_days: int | None = Field(None, ge=0, le=365)
    priority: TaskPriority | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    message: str | None = Field(None, max_length=2000)


class RunIn(Schema):
    today: date | None = Field(None, description="Run as if it were this day (default: today).")
    keys: list[RuleKey] | None = Field(None, description="Only these rules, enabled or not (default: every "
                                                         "enabled rule).")


class RunOut(Schema):
    today: date
    created: dict[str, int]
    candidates: dict[str, int]


def rule_out(rule: TaskRule) -> dict:
    return {
        "id": rule.pk, "key": rule.key, "name": rule.get_key_display(), "enabled": rule.enabled, "days": rule.days,
        "days_meaning": rules.DAYS_MEANING[rule.key], "catch_up_days": rule.catch_up_days,
        "due_in_days": rule.due_in_days, "priority": rule.priority, "title": rule.title, "message": rule.message,
        "last_run_at": rule.last_run_at, "last_run_created": rule.last_run_created,
    }


@router.get("/task-rules", response=TaskRulePage, summary="The automated task rules and how they are tuned")
def list_rules(request):
    staff_actor(request)
    items = [rule_out(rule) for rule in rules.rules_with_status()]
    return {"items": items, "count": len(items)}


def _rule_for(key: str) -> TaskRule:
    rule = rules.ensure_rules().get(key)
    if rule is None:
        raise NotVisible
    return rule


@router.post("/task-rules/run", response=RunOut, summary="Run the rules now (admins); idempotent")
def run_rules(request, payload: RunIn | None = None):
    admin_actor(request)
    result = rules.run_rules(today=payload.today if payload else None, keys=payload.keys if payload else None)
    return {"today": result.today, "created": result.created, "candidates": result.candidates}


@router.patch("/task-rules/{key}", response=TaskRuleOut, summary="Enable, disable or tune a rule (admins)")
def update_rule(request, payload: TaskRulePatch, key: str = Path(..., max_length=32)):
    who = admin_actor(request)
    return rule_out(rules.update_rule(who, _rule_for(key), payload.dict(exclude_unset=True)))


# KPIs --------------------------------------------------------------------------------------------


class SalesOut(Schema):
    currency: str
    attributed_sales: str
    orders: int
    average_order_value: str | None


class KpiOut(Schema):
    start: date
    end: date
    scope: str = Field(..., description='"own", "associate" (one associate), "store" or "all".')
    store_id: int | None
    associate_id: int | None
    through_store_id: int | None = Field(..., description="The filter on the store the orders came through.")
    sales: list[SalesOut] = Field(..., description="Sales credited to the scope (the store, the associate; in team "
                                                   "mode an associate's are those they helped with), per currency: "
                                                   "placed or completed orders. A store's equals its sales report's "
                                                   "total.")
    orders: int
    customers_contacted: int
    outreach_sent: int | None = Field(..., description="Null where outreach is not recorded.")
    outreach_clicked: int | None
    outreach_conversion: float | None = Field(..., description="Share of messages followed by an order.")
    lookbook_conversion: float | None = Field(..., description="Share of opened lookbooks followed by an order.")
    tasks_completed: int
    tasks_overdue: int
    chat_response_seconds: float | None = Field(..., description="Average wait until a chat was taken.")


@router.get("/kpis", response=KpiOut, tags=["Reports"],
            summary="KPIs over a period: yours (associate mode), your store's (team mode and managers), or all")
def get_kpis(request, start: date | None = PERIOD_START, end: date | None = PERIOD_END,
             store_id: int | None = optional_id_query("Admins: one store."),
             associate_id: int | None = optional_id_query("Managers and admins: one associate."),
             through_store_id: int | None = optional_id_query(
                 "Only the sales that came through this store (the shop ordered from, not the store credited).")):
    who = staff_actor(request)
    try:
        period = period_between(start, end)
    except ValueError as exc:
        raise InvalidInput([(("query", "from"), str(exc))])
    scope = kpis.resolve_scope(who, store_id=store_id, associate_id=associate_id, through_id=through_store_id)
    return kpis.kpis_out(kpis.compute(scope, period))


# Sales report --------------------------------------------------------------------------------------


REPORT_STORE = Query(..., ge=1, le=MAX_ID, description="The store credited with the sales.")
REPORT_START = Query(..., description="First day (YYYY-MM-DD).")
REPORT_END = Query(..., description="Last day, included (YYYY-MM-DD).")


class SalesRowOut(Schema):
    associate_id: int | None = Field(..., description="Null on the row of sales credited to the store itself.")
    name: str
    total: str
    orders: int


class UncreditedOut(Schema):
    total: str
    orders: int


class SalesReportOut(Schema):
    store_id: int
    currency: str
    start: date
    end: date
    total: str = Field(..., description="Sales credited to the store: placed or completed orders, in `currency`.")
    orders: int
    rows: list[SalesRowOut] = Field(..., description="Per credited associate, then the store's own row; "
                                                     "they add up to `total` and `orders`.")
    uncredited: UncreditedOut = Field(..., description="Sales that came through the store and are credited to "
                                                       "nobody: not in `total`, nor in any row.")


@router.get("/reports/sales", response=SalesReportOut, tags=["Reports"],
            summary="A store's credited sales over a period, per associate plus the store's own row")
def get_sales_report(request, store_id: int = REPORT_STORE, start: date = REPORT_START, end: date = REPORT_END):
    who = staff_actor(request)
    store = visible_stores(who).filter(pk=store_id).first()
    if store is None:
        raise NotVisible
    if not (who.is_admin or who.is_manager):
        # Colleagues' sales figures are for managers and admins, as on the console's reports.
        raise NotAllowed("Only admins and store managers may read sales reports.")
    if start > end:
        raise InvalidInput([(("query", "start"), "The period starts after it ends.")])
    try:
        period = period_between(start, end)
    except ValueError as exc:
        raise InvalidInput([(("query", "end"), str(exc))])
    report = reports.store_sales(store, period)
    return {
        "store_id": store.pk, "currency": report.currency, "start": period.start, "end": period.end,
        "total": str(report.total), "orders": report.orders,
        "rows": [{"associate_id": row.associate.pk if row.associate else None, "name": row.name,
                  "total": str(row.total), "orders": row.orders} for row in report.rows],
        "uncredited": {"total": str(report.uncredited.total), "orders": report.uncredited.orders},
    }
