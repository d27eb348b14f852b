"""The customer timeline: everything that happened with a customer, newest first, a page at a time.

Each capability contributes a *source* and registers it once, from its AppConfig.ready():

    from shopfloor.clienteling import timeline
    timeline.register(lookbook_entries)

    def lookbook_entries(customer, *, before: datetime | None, limit: int) -> list[timeline.TimelineEntry]:
        # At most `limit` entries strictly older than `before` (None: from the newest), newest first.
        ...

The caller has already checked that the actor may see the customer (access.get_customer_for).
A source whose records have their own visibility (manual tasks in associate mode) may also take
an `actor` keyword argument; it is then given the actor the page is shown to.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

DEFAULT_LIMIT = 25
MAX_LIMIT = 100


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime
    kind: str  # a short word the page styles by: "order", "note", "task", "list", "lookbook", "chat", ...
    title: str
    url: str = ""
    detail: str = ""


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    # Pass as `before` to get the next (older) page; None when there is nothing older.
    next_before: datetime | None = None


@dataclass
class _Source:
    function: Callable
    takes_actor: bool = field(default=False)


_sources: dict[str, _Source] = {}


def _key(source: Callable) -> str:
    return f"{source.__module__}.{getattr(source, '__qualname__', repr(source))}"


def register(source: Callable) -> Callable:
    """Add a source (registering the same function again replaces it); usable as a decorator."""
    try:
        takes_actor = "actor" in inspect.signature(source).parameters
    except (TypeError, ValueError):
        takes_actor = False
    _sources[_key(source)] = _Source(source, takes_actor)
    return source


def unregister(source: Callable) -> None:
    _sources.pop(_key(source), None)


def sources() -> list[Callable]:
    return [source.function for source in _sources.values()]


def page_for(customer, *, actor=None, before: datetime | None = None, limit: int = DEFAULT_LIMIT) -> TimelinePage:
    """One page of the customer's timeline: the newest `limit` entries older than `before`.

    Each source gives at most `limit + 1` entries; merged and sorted, the first `limit` are the
    page, and one more means there is an older page starting before the last entry shown. The cursor
    is a time: entries sharing the exact (microsecond) time of a page's last entry would be skipped,
    which timestamps written by different requests do not do in practice.
    """
    limit = max(1, min(int(limit), MAX_LIMIT))
    merged: list[TimelineEntry] = []
    for source in list(_sources.values()):
        kwargs = {"before": before, "limit": limit + 1}
        if source.takes_actor:
            kwargs["actor"] = actor
        merged.extend(source.function(customer, **kwargs))
    merged.sort(key=lambda entry: entry.when, reverse=True)
    entries = merged[:limit]
    has_more = len(merged) > limit
    return TimelinePage(entries=entries, next_before=entries[-1].when if has_more and entries else None)
