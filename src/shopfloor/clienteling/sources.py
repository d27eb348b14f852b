"""The timeline's own sources: orders, notes and tasks (registered in ClientelingConfig.ready)."""

from django.urls import reverse

from shopfloor.access import visible_orders, visible_tasks
from shopfloor.clienteling.models import Task, TaskStatus
from shopfloor.clienteling.timeline import TimelineEntry
from shopfloor.customers.models import CustomerNote
from shopfloor.orders.models import Order


def _older(queryset, field: str, before):
    return queryset.filter(**{f"{field}__lt": before}) if before is not None else queryset


def order_entries(customer, *, before, limit, actor=None):
    """The customer's orders the viewer may see (a team-mode associate does not see another store's)."""
    if actor is None:
        return []
    orders = visible_orders(actor, _older(Order.objects.filter(customer=customer), "placed_at", before))
    orders = orders.order_by("-placed_at", "-id")
    return [
        TimelineEntry(
            when=order.placed_at, kind="order",
            title=f"Order {order.external_id}: {order.currency} {order.total}",
            detail=order.get_status_display(),
        )
        for order in orders[:limit]
    ]


def note_entries(customer, *, before, limit):
    notes = _older(CustomerNote.objects.filter(customer=customer), "created_at", before).select_related("author")
    entries = []
    for note in notes.order_by("-created_at", "-id")[:limit]:
        author = note.author.get_full_name() if note.author_id else "Someone"
        entries.append(TimelineEntry(when=note.created_at, kind="note", title=f"Note by {author}", detail=note.body))
    return entries


def task_entries(customer, *, before, limit, actor=None):
    """Tasks the page's viewer may see (manual tasks are private to their people in associate mode):
    when made, and when done with the outcome."""
    if actor is None:
        return []
    tasks = visible_tasks(actor, Task.objects.filter(customer=customer)).select_related("assignee", "rule")
    entries = []
    for task in _older(tasks, "created_at", before).order_by("-created_at", "-id")[:limit]:
        url = reverse("clienteling:task", args=[task.pk])
        origin = f" · from the {task.rule.get_key_display().lower()} rule" if task.rule_id else ""
        entries.append(TimelineEntry(when=task.created_at, kind="task", title=f"Task: {task.title}", url=url,
                                     detail=f"Due {task.due_on:%-d %b %Y}{origin}"))
    done = tasks.filter(status=TaskStatus.DONE, completed_at__isnull=False)
    for task in _older(done, "completed_at", before).order_by("-completed_at", "-id")[:limit]:
        entries.append(TimelineEntry(when=task.completed_at, kind="task", title=f"Done: {task.title}",
                                     url=reverse("clienteling:task", args=[task.pk]), detail=task.outcome))
    return entries
