"""Writes of the customer record (notes, preferences) and of tasks. Rule-made tasks: `rules.py`.

Every function takes the acting `Actor`, checks visibility through `shopfloor.access` and
writes inside one transaction with its audit event.
"""

from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shopfloor import references
from shopfloor.access import (
    Actor,
    NotAllowed,
    NotVisible,
    can_delete_task,
    can_see_customer,
    get_customer_for,
    require_staff,
    visible_associates,
    visible_customers,
)
from shopfloor.accounts.models import Associate
from shopfloor.accounts.services import record_event
from shopfloor.clienteling.models import MANUAL, Task, TaskPriority, TaskStatus
from shopfloor.comms.models import NotificationKind
from shopfloor.comms.services import notify, wants_email
from shopfloor.customers.models import Customer, CustomerNote, CustomerPreferences
from shopfloor.errors import InvalidInput

NOTE_MAX_LENGTH = 5000
LABEL_MAX_LENGTH = 50
MAX_LABELS = 30
MAX_SNOOZE_DAYS = 366


# Notes ------------------------------------------------------------------------------------


def _note_body(body) -> str:
    body = (body or "").strip()
    if not body:
        raise InvalidInput.field("body", "Write something.")
    if len(body) > NOTE_MAX_LENGTH:
        raise InvalidInput.field("body", f"At most {NOTE_MAX_LENGTH} characters.")
    return body


def add_note(actor: Actor, customer: Customer, body: str, is_pinned: bool = False) -> CustomerNote:
    """A note on a customer the actor sees, signed by the actor."""
    require_staff(actor)
    customer = get_customer_for(actor, customer.pk)
    body = _note_body(body)
    with transaction.atomic():
        note = CustomerNote.objects.create(customer=customer, author=actor.user, body=body, is_pinned=bool(is_pinned))
        record_event(actor.user, "customer_note.added", note, customer_id=customer.pk)
    return note


def get_note_for(actor: Actor, customer: Customer, note_id) -> CustomerNote:
    """A note of a customer the actor sees, or NotVisible."""
    customer = get_customer_for(actor, customer.pk)
    try:
        return CustomerNote.objects.select_related("author").get(pk=note_id, customer=customer)
    except (CustomerNote.DoesNotExist, ValueError, TypeError):
        raise NotVisible


def _require_author(actor: Actor, note: CustomerNote) -> None:
    if not actor.is_admin and note.author_id != getattr(actor.user, "pk", None):
        raise NotAllowed("Only the note's author may change or delete it.")


def update_note(actor: Actor, note: CustomerNote, *, body: str | None = None,
                is_pinned: bool | None = None) -> CustomerNote:
    """Edit or (un)pin one's own note."""
    _require_author(actor, note)
    fields = []
    if body is not None:
        note.body = _note_body(body)
        fields.append("body")
    if is_pinned is not None:
        note.is_pinned = bool(is_pinned)
        fields.append("is_pinned")
    if fields:
        with transaction.atomic():
            note.save(update_fields=[*fields, "updated_at"])
            record_event(actor.user, "customer_note.updated", note, fields=fields)
    return note


def delete_note(actor: Actor, note: CustomerNote) -> None:
    _require_author(actor, note)
    with transaction.atomic():
        record_event(actor.user, "customer_note.deleted", note, customer_id=note.customer_id)
        note.delete()


# Preferences ------------------------------------------------------------------------------


def _labels(name: str, values) -> list[str]:
    """Short labels, trimmed, first spelling kept, case-insensitively unique, in the order given."""
    seen, labels = set(), []
    for value in values or []:
        text = str(value).strip()
        if not text:
            continue
        if len(text) > LABEL_MAX_LENGTH:
            raise InvalidInput.field(name, f"Each is at most {LABEL_MAX_LENGTH} characters.")
        if text.lower() not in seen:
            seen.add(text.lower())
            labels.append(text)
    if len(labels) > MAX_LABELS:
        raise InvalidInput.field(name, f"At most {MAX_LABELS}.")
    return labels


def _sizes(values) -> dict[str, str]:
    sizes = {}
    for key, value in (values or {}).items():
        what, size = str(key).strip(), str(value if value is not None else "").strip()
        if not what:
            raise InvalidInput.field("sizes", "Say what each size is for (e.g. \"shoes\").")
        if len(what) > LABEL_MAX_LENGTH or len(size) > LABEL_MAX_LENGTH:
            raise InvalidInput.field("sizes", f"Each is at most {LABEL_MAX_LENGTH} characters.")
        if size:
            sizes[what.lower()] = size
    if len(sizes) > MAX_LABELS:
        raise InvalidInput.field("sizes", f"At most {MAX_LABELS}.")
    return sizes


def preferences_of(customer: Customer) -> CustomerPreferences:
    """The customer's preferences; an unsaved empty row when none were recorded yet."""
    try:
        return customer.preferences
    except CustomerPreferences.DoesNotExist:
        return CustomerPreferences(customer=customer)


def update_preferences(actor: Actor, customer: Customer, data: dict) -> CustomerPreferences:
    """Replace the given fields of a customer's preferences (sizes, brands, styles, colours)."""
    require_staff(actor)
    customer = get_customer_for(actor, customer.pk)
    clean = {}
    if "sizes" in data:
        clean["sizes"] = _sizes(data["sizes"])
    for name in ("brands", "styles", "colours"):
        if name in data:
            clean[name] = _labels(name, data[name])
    with transaction.atomic():
        preferences, _ = CustomerPreferences.objects.select_for_update().get_or_create(customer=customer)
        for name, value in clean.items():
            setattr(preferences, name, value)
        preferences.updated_by = actor.user
        preferences.save()
        record_event(actor.user, "customer_preferences.updated", customer, fields=sorted(clean))
    return preferences


# Tasks ------------------------------------------------------------------------------------


def _assignable(actor: Actor, associate_id, customer: Customer | None) -> Associate | None:
    if associate_id is None:
        return None
    associates = visible_associates(actor).filter(active=True).select_related("user")
    associate = references.one(associates, associate_id, "assignee_id")
    if customer is not None and associate.user_id and not can_see_customer(Actor(associate.user), customer):
        raise InvalidInput.field("assignee_id", f"{associate.name} does not see this customer.")
    return associate


def _task_customer(actor: Actor, customer_id) -> Customer | None:
    return references.one(visible_customers(actor), customer_id, "customer_id")


def _clean_text(name: str, value, max_length: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput.field(name, "Field required.")
    if len(text) > max_length:
        raise InvalidInput.field(name, f"At most {max_length} characters.")
    return text


def task_url(task: Task) -> str:
    return reverse("clienteling:task", args=[task.pk])


def _notify_assignee(actor: Actor, task: Task, verb: str) -> None:
    """Tell the assignee in the console (and by email if they asked) unless they gave themselves the task."""
    assignee = task.assignee
    if assignee is None or assignee.user_id is None or assignee.user_id == getattr(actor.user, "pk", None):
        return
    who = actor.associate.name if actor.associate else actor.user.get_full_name()
    about = f" for {task.customer}" if task.customer_id else ""
    notify(assignee.user, NotificationKind.TASK, f"{verb}: {task.title}"[:200],
           f"{who} {verb.lower()} you a task{about}, due {task.due_on:%-d %b %Y}.", task_url(task),
           email=wants_email(assignee.user, NotificationKind.TASK))


def create_task(actor: Actor, data: dict) -> Task:
    """A manual task. Without an assignee an associate's task is their own; an admin's or manager's stays the
    store's. The store is the customer's, else the assignee's, else the author's."""
    require_staff(actor)
    title = _clean_text("title", data.get("title"), 200, required=True)
    description = _clean_text("description", data.get("description"), NOTE_MAX_LENGTH)
    due_on = data.get("due_on") or timezone.localdate()
    priority = data.get("priority") or TaskPriority.NORMAL
    if priority not in TaskPriority.values:
        raise InvalidInput.field("priority", f"Must be one of {', '.join(TaskPriority.values)}.")
    customer = _task_customer(actor, data.get("customer_id"))
    assignee_id = data.get("assignee_id")
    if assignee_id is None and actor.associate is not None and not actor.is_manager:
        assignee_id = actor.associate.pk
    assignee = _assignable(actor, assignee_id, customer)
    store = (customer.store if customer else None) or (assignee.store if assignee else None) or actor.store
    if store is None:
        raise InvalidInput.field("customer_id", "Give a customer or an assignee: a task belongs to a store.")
    with transaction.atomic():
        task = Task.objects.create(
            title=title, description=description, customer=customer, store=store, assignee=assignee,
            created_by=actor.user, due_on=due_on, priority=priority, source=MANUAL,
        )
        record_event(actor.user, "task.created", task, customer_id=customer.pk if customer else None,
                     assignee_id=assignee.pk if assignee else None)
        _notify_assignee(actor, task, "Assigned")
    return task


def update_task(actor: Actor, task: Task, data: dict) -> Task:
    """Change a visible task's title, description, due date, priority or assignee."""
    fields = []
    if "title" in data and data["title"] is not None:
        task.title = _clean_text("title", data["title"], 200, required=True)
        fields.append("title")
    if "description" in data:
        task.description = _clean_text("description", data["description"], NOTE_MAX_LENGTH)
        fields.append("description")
    if data.get("due_on") is not None:
        task.due_on = data["due_on"]
        fields.append("due_on")
    if data.get("priority") is not None:
        if data["priority"] not in TaskPriority.values:
            raise InvalidInput.field("priority", f"Must be one of {', '.join(TaskPriority.values)}.")
        task.priority = data["priority"]
        fields.append("priority")
    reassigned = False
    if "assignee_id" in data and data["assignee_id"] != task.assignee_id:
        task.assignee = _assignable(actor, data["assignee_id"], task.customer)
        fields.append("assignee")
        reassigned = task.assignee is not None
    if fields:
        with transaction.atomic():
            task.save(update_fields=[*fields, "updated_at"])
            record_event(actor.user, "task.updated", task, fields=fields)
            if reassigned:
                _notify_assignee(actor, task, "Assigned")
    return task


def complete_task(actor: Actor, task: Task, outcome: str) -> Task:
    """Done, with what happened (the outcome note is required: it is the record of the contact)."""
    outcome = _clean_text("outcome", outcome, NOTE_MAX_LENGTH, required=True)
    with transaction.atomic():
        # Conditional: two associates completing one store task at once keep the first outcome.
        changed = Task.objects.filter(pk=task.pk).exclude(status=TaskStatus.DONE).update(
            status=TaskStatus.DONE, outcome=outcome, completed_at=timezone.now(), completed_by=actor.user,
            snoozed_until=None, updated_at=timezone.now(),
        )
        task.refresh_from_db()
        if changed:
            record_event(actor.user, "task.completed", task)
    return task


def snooze_task(actor: Actor, task: Task, until: date) -> Task:
    today = timezone.localdate()
    if until is None or until <= today:
        raise InvalidInput.field("until", "Snooze until a day after today.")
    if until > today + timedelta(days=MAX_SNOOZE_DAYS):
        raise InvalidInput.field("until", "Snooze for a year at most.")
    if task.status == TaskStatus.DONE:
        raise InvalidInput.field("until", "This task is done; reopen it first.")
    with transaction.atomic():
        task.status, task.snoozed_until = TaskStatus.SNOOZED, until
        task.save(update_fields=["status", "snoozed_until", "updated_at"])
        record_event(actor.user, "task.snoozed", task, until=until.isoformat())
    return task


def reopen_task(actor: Actor, task: Task) -> Task:
    with transaction.atomic():
        task.status, task.snoozed_until, task.completed_at, task.completed_by = TaskStatus.OPEN, None, None, None
        task.save(update_fields=["status", "snoozed_until", "completed_at", "completed_by", "updated_at"])
        record_event(actor.user, "task.reopened", task)
    return task


def delete_task(actor: Actor, task: Task) -> None:
    if not can_delete_task(actor, task):
        raise NotAllowed("Only the author, the store's manager or an admin deletes a manual task; "
                         "complete a rule's task instead.")
    with transaction.atomic():
        record_event(actor.user, "task.deleted", task, title=task.title)
        task.delete()
