"""The customer timeline's lookbook entries (clienteling.timeline): each lookbook made, and its first open."""

from django.urls import reverse

from shopfloor.access import visible_lookbooks
from shopfloor.lookbooks.models import Lookbook


def lookbook_entries(customer, *, before=None, limit: int, actor=None) -> list:
    from shopfloor.clienteling.timeline import TimelineEntry

    lookbooks = Lookbook.objects.filter(customer=customer)
    if actor is not None:
        # Lookbooks keep their own visibility: in associate mode only their author sees them.
        lookbooks = visible_lookbooks(actor, lookbooks)
    made = lookbooks.order_by("-created_at", "-id")
    opened = lookbooks.filter(opened_at__isnull=False).order_by("-opened_at", "-id")
    if before is not None:
        made = made.filter(created_at__lt=before)
        opened = opened.filter(opened_at__lt=before)
    entries = []
    for lookbook in made.select_related("author")[:limit]:
        state = lookbook.get_status_display().lower()
        entries.append(TimelineEntry(
            when=lookbook.created_at, kind="lookbook", title=f"Lookbook \u201c{lookbook.title}\u201d ({state})",
            url=reverse("lookbooks:edit", args=[lookbook.pk]),
            detail=f"By {lookbook.author.name}. Opened {lookbook.open_count}\u00d7, "
                   f"{lookbook.click_count} product click{'s' if lookbook.click_count != 1 else ''}.",
        ))
    for lookbook in opened[:limit]:
        entries.append(TimelineEntry(
            when=lookbook.opened_at, kind="lookbook", title=f"Opened the lookbook \u201c{lookbook.title}\u201d",
            url=reverse("lookbooks:edit", args=[lookbook.pk]),
        ))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]


def register() -> None:
    try:
        from shopfloor.clienteling import timeline
    except ImportError:  # the timeline is not installed
        return
    timeline.register(lookbook_entries)
