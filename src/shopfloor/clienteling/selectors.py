"""Reads of tasks and customer records as a user makes them, with visibility from `shopfloor.access`."""

from datetime import date

from django.db.models import Case, F, QuerySet, Value, When
from django.utils import timezone

from shopfloor.access import Actor, visible_tasks
from shopfloor.clienteling.models import Task, TaskPriority, TaskStatus
from shopfloor.customers.models import Customer, CustomerNote

# The task lists of the console and of GET /tasks?view=.
VIEWS = {
    "today": "Today",
    "overdue": "Overdue",
    "upcoming": "Upcoming",
    "done": "Done",
}


def with_effective_due(queryset: QuerySet) -> QuerySet:
    """`effective_due`: the due date, or for a snoozed task the day its snooze ends."""
    return queryset.annotate(
        effective_due=Case(When(status=TaskStatus.SNOOZED, then=F("snoozed_until")), default=F("due_on")),
        urgency=Case(When(priority=TaskPriority.HIGH, then=Value(0)), When(priority=TaskPriority.LOW, then=Value(2)),
                     default=Value(1)),
    )


def in_view(queryset: QuerySet, view: str, today: date | None = None) -> QuerySet:
    """Tasks of one view: today's, overdue, upcoming (open or snoozed), or done (latest first); any other
    view name gives every task not done, soonest first (the customer page's open tasks)."""
    today = today or timezone.localdate()
    if view == "done":
        return queryset.filter(status=TaskStatus.DONE).order_by("-completed_at", "-id")
    pending = with_effective_due(queryset.exclude(status=TaskStatus.DONE))
    if view == "today":
        pending = pending.filter(effective_due=today)
    elif view == "overdue":
        pending = pending.filter(effective_due__lt=today)
    elif view == "upcoming":
        pending = pending.filter(effective_due__gt=today)
    return pending.order_by("effective_due", "urgency", "id")


def task_list(actor: Actor, view: str | None = None, *, customer_id=None, assignee_id=None, status=None,
              source=None) -> QuerySet:
    tasks = visible_tasks(actor, Task.objects.select_related("customer", "assignee", "store", "created_by", "rule"))
    if customer_id is not None:
        tasks = tasks.filter(customer_id=customer_id)
    if assignee_id is not None:
        tasks = tasks.filter(assignee_id=assignee_id)
    if status is not None:
        tasks = tasks.filter(status=status)
    if source is not None:
        tasks = tasks.filter(source=source)
    if view in VIEWS:
        return in_view(tasks, view)
    return with_effective_due(tasks).order_by("effective_due", "id")


def view_counts(actor: Actor, today: date | None = None) -> dict[str, int]:
    """How many tasks each pending view holds for the actor (the tabs' numbers, the nav badge)."""
    tasks = visible_tasks(actor)
    return {view: in_view(tasks, view, today).count() for view in ("today", "overdue", "upcoming")}


def due_count(actor: Actor) -> int:
    """Today's and overdue tasks: the number next to Tasks in the navigation."""
    today = timezone.localdate()
    return with_effective_due(visible_tasks(actor).exclude(status=TaskStatus.DONE)).filter(
        effective_due__lte=today
    ).count()


def notes_of(customer: Customer) -> QuerySet:
    """A visible customer's notes, pinned first then newest (the caller checked the customer)."""
    return CustomerNote.objects.filter(customer=customer).select_related("author").order_by(
        "-is_pinned", "-created_at", "-id"
    )
