"""What the console's customer page shows of clienteling: notes, preferences, open tasks, the timeline."""

from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from shopfloor.clienteling import selectors, services, timeline
from shopfloor.clienteling.forms import NoteForm, PreferencesForm
from shopfloor.clienteling.models import TaskStatus

TIMELINE_PAGE = 20
CUSTOMER_TASKS = 10


def _before(request) -> datetime | None:
    raw = request.GET.get("before", "")
    try:
        moment = parse_datetime(raw) if raw else None
    except ValueError:
        return None
    return moment if moment and moment.tzinfo else None


def record_context(request, customer) -> dict:
    """Notes, preferences, open tasks and one timeline page for the customer page."""
    actor = request.actor
    preferences = services.preferences_of(customer)
    before = _before(request)
    page = timeline.page_for(customer, actor=actor, before=before, limit=TIMELINE_PAGE)
    open_tasks = selectors.in_view(
        selectors.task_list(actor, customer_id=customer.pk).exclude(status=TaskStatus.DONE), "open"
    )[:CUSTOMER_TASKS]
    return {
        "notes": selectors.notes_of(customer),
        "note_form": NoteForm(),
        "preferences": preferences,
        "preferences_form": PreferencesForm(initial=PreferencesForm.initial_for(preferences)),
        "customer_tasks": open_tasks,
        "timeline": page,
        "timeline_is_older": before is not None,
        "today": timezone.localdate(),
    }
