"""Visitors of the storefronts: their visits, page views, heartbeats and activity, as the widget reports them.

A visitor is linked to a customer only when the shop signed the identity (identity.py). Nothing lives only in a
process's memory: presence is heartbeats in the database, so another process sees the same visitors.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db import IntegrityError, connections, router, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from shopfloor.accounts.models import Store
from shopfloor.errors import InvalidInput
from shopfloor.live import conf, events, geo
from shopfloor.live.conf import settings_for
from shopfloor.live.identity import VisitorIdentity
from shopfloor.live.models import Chat, ChatStatus, PageView, Visit, Visitor, VisitorState

VISITOR_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


OPEN = (ChatStatus.WAITING, ChatStatus.ACTIVE)


def clean_url(value, field: str, required: bool = True) -> str:
    value = str(value or "").strip()
    if not value and not required:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > 1000:
        raise InvalidInput.field(field, "An http(s) URL of at most 1000 characters.")
    return value


def clean_text(value, field: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput.field(field, "Must be text.")
    return value.replace("\x00", "").strip()[:limit]


def new_visit_due(visitor: Visitor, now) -> bool:
    return visitor.visit_count == 0 or visitor.last_seen_at < now - timedelta(seconds=conf.VISIT_GAP_SECONDS)


def _is_present(visitor: Visitor, now) -> bool:
    return (
        visitor.connections > 0 and visitor.heartbeat_at is not None
        and visitor.heartbeat_at >= now - timedelta(seconds=conf.PRESENCE_WINDOW_SECONDS)
    )


def connect_visitor(identity: VisitorIdentity, key: str, peer: str = "", forwarded_for: str = "",
                    now=None) -> Visitor:
    """A tab of a visitor opened its WebSocket: find or make the visitor, locate them, mark them on site.

    `key` is the widget's visitor id; an unusable one is replaced (the widget stores the new one).
    Only a verified identity links the customer; an anonymous one never unlinks or merges.
    """
    now = now or timezone.now()
    store = identity.store
    key = key if isinstance(key, str) and VISITOR_KEY.match(key) else _new_key()
    live_settings = settings_for(store)
    location = geo.locate(geo.client_address(peer, forwarded_for), country_only=live_settings.country_only)
    with transaction.atomic():
        try:
            with transaction.atomic():
                visitor, created = Visitor.objects.get_or_create(
                    store=store, key=key, defaults={"first_seen_at": now, "last_seen_at": now},
                )
        except IntegrityError:  # two tabs of a new visitor at once
            visitor, created = Visitor.objects.get(store=store, key=key), False
        if created:
            # Made in this transaction: nobody else sees the row yet, and it has no chats.
            visitor.open_chats = []
        else:
            visitor = Visitor.objects.select_for_update().get(pk=visitor.pk)
            # Looked up once here for the workspace row and the welcome (selectors._open_chat reads it).
            visitor.open_chats = list(open_chats_of(visitor)[:1])
        was_present = _is_present(visitor, now)
        if identity.customer is not None:
            visitor.customer = identity.customer
        if location.country:
            visitor.country, visitor.country_name, visitor.city = location.country, location.country_name, location.city
        visitor.connections = visitor.connections + 1 if was_present else 1
        # A tab that just opened is in front of the shopper; the previous page may have said "hidden" as it went.
        visitor.state = VisitorState.ACTIVE
        visitor.offline_since = None
        visitor.heartbeat_at = now
        if new_visit_due(visitor, now):
            Visit.objects.create(visitor=visitor, started_at=now, last_seen_at=now)
            visitor.visit_count += 1
            # Time on site counts from the start of the visit: a page load (a new socket) does not reset it.
            visitor.online_since = now
        elif visitor.online_since is None:
            visitor.online_since = now
        visitor.last_seen_at = now
        visitor.save()
        publish_visitor(visitor)
    return visitor


def beacon_page_view(identity: VisitorIdentity, key, url, title="", referrer="", peer: str = "",
                     forwarded_for: str = "", now=None, client_at=None) -> PageView:
    """A page view sent over HTTP (WebSockets blocked): the visitor is seen, but not connected."""
    now = now or timezone.now()
    url = clean_url(url, "url")
    if not (isinstance(key, str) and VISITOR_KEY.match(key)):
        raise InvalidInput.field("visitor", "The widget's visitor id.")
    location = geo.locate(geo.client_address(peer, forwarded_for),
                          country_only=settings_for(identity.store).country_only)
    with transaction.atomic():
        try:
            with transaction.atomic():
                visitor, _ = Visitor.objects.get_or_create(
                    store=identity.store, key=key, defaults={"first_seen_at": now, "last_seen_at": now},
                )
        except IntegrityError:
            visitor = Visitor.objects.get(store=identity.store, key=key)
        changes = {}
        if identity.customer is not None and visitor.customer_id != identity.customer.pk:
            changes["customer"] = identity.customer
        if location.country:
            changes.update(country=location.country, country_name=location.country_name, city=location.city)
        if changes:
            Visitor.objects.filter(pk=visitor.pk).update(**changes)
        return record_page_view(visitor.pk, url, title, referrer, now, client_at)


def _new_key() -> str:
    import secrets

    return secrets.token_urlsafe(18)


@dataclass(frozen=True)
class PageViewReport:
    """A checked page view as the widget reported it, waiting to be written (see record_page_views)."""

    visitor_id: int
    url: str
    title: str
    referrer: str
    # When the server received it: the page's start, and the time the previous page ends.
    received_at: datetime
    # The widget's clock (ms since the epoch), or None from an older widget: orders one browser's reports.
    client_at: int | None = None


def page_view_report(visitor_id: int, url, title="", referrer="", client_at=None, now=None) -> PageViewReport:
    """Check a reported page view (an InvalidInput names the field) without touching the database."""
    url = clean_url(url, "url")
    title = clean_text(title, "title", 300)
    try:
        referrer = clean_url(referrer, "referrer", required=False)
    except InvalidInput:
        referrer = ""  # a referrer is a hint: an odd one is dropped, never a reason to lose the page view
    if not (isinstance(client_at, int) and not isinstance(client_at, bool) and 0 < client_at < 2**53):
        client_at = None  # a clock is a hint too: without it the report counts in the order it arrived
    return PageViewReport(visitor_id, url, title, referrer, now or timezone.now(), client_at)


def record_page_view(visitor_id: int, url, title="", referrer="", now=None, client_at=None) -> PageView:
    """A page was shown (a load or a History-API navigation): closes the previous page's time on page."""
    report = page_view_report(visitor_id, url, title, referrer, client_at, now)
    return record_page_views([report])[0]


# What a page-view batch reads and writes of a visitor (the rest of the row is left alone).
_BATCH_VISITOR_FIELDS = ["visit_count", "page_view_count", "current_url", "current_title", "page_started_at",
                         "page_reported_at", "last_seen_at", "heartbeat_at"]


def _is_late(visitor: Visitor, report: PageViewReport) -> bool:
    """An older page of the same browser arriving after a newer one (by the widget's own clock)."""
    return report.client_at is not None and visitor.page_reported_at is not None and \
        report.client_at < visitor.page_reported_at


def record_page_views(reports: list[PageViewReport], already_live: bool = False) -> list[PageView | None]:
    """Write page views in one transaction, in the order given (per visitor, as record_page_view would one by
    one): each closes the previous page's time on page and becomes the visitor's current page, unless the
    widget's clock says a newer page was reported already; then it goes into the history, before the current
    page, and changes nothing else. The same load reported twice within 2 s (beacon and socket) is one view.

    `already_live`: the consumer sent the page change to the workspaces itself (consumers.VisitorConsumer); only
    what it could not know (a new visit) is published here. Returns the view per report (None: visitor gone).
    """
    if not reports:
        return []
    latest_view = PageView.objects.filter(visitor=OuterRef("pk")).order_by("-started_at", "-id").values("pk")[:1]
    latest_visit = Visit.objects.filter(visitor=OuterRef("pk")).order_by("-started_at", "-id").values("pk")[:1]
    with transaction.atomic():
        # Locked in pk order (rule 7), so a batch never deadlocks with another process's batch.
        visitors = {
            visitor.pk: visitor for visitor in Visitor.objects.select_for_update().filter(
                pk__in={report.visitor_id for report in reports}).order_by("pk").only(*_BATCH_VISITOR_FIELDS).annotate(
                latest_view_id=Subquery(latest_view), latest_visit_id=Subquery(latest_visit))
        }
        previous = PageView.objects.only("url", "started_at", "seconds_on_page").in_bulk(
            [v.latest_view_id for v in visitors.values() if v.latest_view_id])
        previous = {visitor_id: previous.get(v.latest_view_id) for visitor_id, v in visitors.items()}
        visits = Visit.objects.only("page_view_count", "last_seen_at", "referrer").in_bulk(
            [v.latest_visit_id for v in visitors.values() if v.latest_visit_id])
        visits = {visitor_id: visits.get(v.latest_visit_id) for visitor_id, v in visitors.items()}
        new_views, closed, touched_visits, touched, new_visit_of, results = [], {}, {}, {}, set(), []
        for report in reports:
            visitor = visitors.get(report.visitor_id)
            if visitor is None:  # purged or deleted meanwhile: nothing to attach the view to
                results.append(None)
                continue
            now = report.received_at
            last = previous[visitor.pk]
            if last is not None and last.url == report.url and last.seconds_on_page is None and \
                    last.started_at >= now - timedelta(seconds=2):
                results.append(last)  # the beacon and the socket both reported the same load
                continue
            visit = visits[visitor.pk]
            if visit is None or new_visit_due(visitor, now):
                visit = Visit.objects.create(visitor_id=visitor.pk, started_at=now, last_seen_at=now)
                visits[visitor.pk] = visit
                visitor.visit_count += 1
                new_visit_of.add(visitor.pk)
            if _is_late(visitor, report):
                # Shown before the current page, for as long as the widget's clock says.
                gap = timedelta(milliseconds=visitor.page_reported_at - report.client_at)
                view = PageView(visitor_id=visitor.pk, visit_id=visit.pk, url=report.url, title=report.title,
                                referrer=report.referrer, started_at=(visitor.page_started_at or now) - gap,
                                seconds_on_page=int(gap.total_seconds()))
            else:
                if last is not None and last.seconds_on_page is None:
                    last.seconds_on_page = max(0, int((now - last.started_at).total_seconds()))
                    if last.pk is not None:
                        closed[last.pk] = last
                view = PageView(visitor_id=visitor.pk, visit_id=visit.pk, url=report.url, title=report.title,
                                referrer=report.referrer, started_at=now)
                previous[visitor.pk] = view
                visitor.current_url, visitor.current_title, visitor.page_started_at = report.url, report.title, now
                visitor.page_reported_at = report.client_at
            new_views.append(view)
            results.append(view)
            if visit.page_view_count == 0:
                visit.referrer = report.referrer
            visit.page_view_count += 1
            visit.last_seen_at = max(visit.last_seen_at, now)
            touched_visits[visit.pk] = visit
            visitor.page_view_count += 1
            visitor.last_seen_at = visitor.heartbeat_at = now
            touched[visitor.pk] = visitor
        PageView.objects.bulk_create(new_views)
        _update_rows(PageView, closed.values(), ["seconds_on_page"])
        _update_rows(Visit, touched_visits.values(), ["page_view_count", "last_seen_at", "referrer"])
        _update_rows(Visitor, touched.values(), _BATCH_VISITOR_FIELDS)
        for visitor in touched.values():
            if not already_live or visitor.pk in new_visit_of:
                publish_visitor(Visitor.objects.select_related("customer").get(pk=visitor.pk))
    return results


def _update_rows(model, objects, fields: list[str]) -> None:
    """Save `fields` of many rows: one UPDATE statement run for each row (executemany).

    QuerySet.bulk_update builds a CASE expression per field over every row, and resolving those
    expressions cost more CPU than the rest of a page-view batch together (profiled at 300 visitors).
    """
    objects = list(objects)
    if not objects:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    # Only table and column names from the model's own metadata go into the text; every value is a parameter.
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
        quote(model._meta.db_table), ", ".join(f"{quote(field.column)} = %s" for field in columns),
        quote(model._meta.pk.column))
    rows = [[field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns] + [obj.pk]
            for obj in objects]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def record_heartbeats(visitor_ids, now=None) -> int:
    """Many tabs said they are still there (pings, written together): one UPDATE."""
    if not visitor_ids:
        return 0
    now = now or timezone.now()
    return Visitor.objects.filter(pk__in=list(visitor_ids)).update(heartbeat_at=now, last_seen_at=now)


def report_activity(visitor_id: int, state: str, now=None) -> Visitor:
    """The widget says the visitor is active, idle (no input for a minute) or the tab is hidden."""
    if state not in ("active", "idle", "hidden"):
        raise InvalidInput.field("state", "One of active, idle, hidden.")
    now = now or timezone.now()
    new_state = VisitorState.ACTIVE if state == "active" else VisitorState.IDLE
    with transaction.atomic():
        changed = Visitor.objects.filter(pk=visitor_id).exclude(state=new_state).exclude(
            state=VisitorState.OFFLINE).update(state=new_state, heartbeat_at=now, last_seen_at=now)
        visitor = Visitor.objects.get(pk=visitor_id)
        if changed:
            publish_visitor(visitor)
    return visitor


def visitor_heartbeat(visitor_id: int, now=None) -> None:
    now = now or timezone.now()
    Visitor.objects.filter(pk=visitor_id).update(heartbeat_at=now, last_seen_at=now)


def disconnect_visitor(visitor_id: int, now=None) -> Visitor | None:
    now = now or timezone.now()
    with transaction.atomic():
        visitor = Visitor.objects.select_for_update().filter(pk=visitor_id).first()
        if visitor is None:
            return None
        visitor.connections = max(0, visitor.connections - 1)
        if visitor.connections == 0:
            visitor.state = VisitorState.OFFLINE
            visitor.offline_since = now
            visitor.wants_call = False
        visitor.last_seen_at = now
        visitor.save(update_fields=["connections", "state", "offline_since", "last_seen_at", "wants_call"])
        if visitor.connections == 0:
            publish_visitor(visitor)
    return visitor


def purge_old_visitors(now=None) -> int:
    """Delete visitors (with their visits, page views and chats) unseen for longer than their store's retention."""
    now = now or timezone.now()
    deleted = 0
    for store in Store.objects.all():
        days = settings_for(store).retention_days or 90
        count, _ = Visitor.objects.filter(store=store, last_seen_at__lt=now - timedelta(days=days)).delete()
        deleted += count
    return deleted


def publish_visitor(visitor: Visitor) -> None:
    from shopfloor.live.selectors import visitor_row

    events.to_store(visitor.store_id, {"type": "visitor", "visitor": visitor_row(visitor)})


def open_chats_of(visitor: Visitor):
    return Chat.objects.filter(visitor_id=visitor.pk, status__in=OPEN).select_related("associate").order_by(
        "-created_at", "-id")
