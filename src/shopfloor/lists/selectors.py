"""Reads of lists as people make them, with visibility from the access policy.

`list_detail` loads a whole list (rooms, items with their products, comments) in a fixed number
of queries whatever its size, and groups it for the pages and the API.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import Count, Func, Q, QuerySet, TextField
from django.utils import timezone

from shopfloor.access import Actor, NotVisible, get_list_for, visible_lists
from shopfloor.customers.models import Customer
from shopfloor.lists.models import RESTORE_DAYS, CustomerList, ListComment, ListItem, ListRoom


def lists_for_customer(actor: Actor, customer: Customer) -> QuerySet:
    """The customer's live lists the actor sees, most recently changed first, with item counts."""
    return with_counts(visible_lists(actor).filter(customer_id=customer.pk))


def with_counts(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("customer", "created_by").annotate(
        item_count=Count("items", distinct=True),
    ).order_by("-updated_at", "-id")


def visible_list_page(actor: Actor, customer_id: int | None = None, query: str = "") -> QuerySet:
    """Every live list the actor sees (the console's index and GET /lists)."""
    queryset = visible_lists(actor)
    if customer_id is not None:
        queryset = queryset.filter(customer_id=customer_id)
    # A NUL character matches no stored text (and PostgreSQL refuses it in a query): dropped.
    query = " ".join((query or "").replace("\x00", "").split())
    if query:
        queryset = queryset.filter(
            Q(name__icontains=query) | Q(customer__first_name__icontains=query)
            | Q(customer__last_name__icontains=query) | Q(customer__email__icontains=query)
        )
    return with_counts(queryset)


def get_own_list(actor: Actor, list_id) -> CustomerList:
    """A signed-in shopper's own live list (of their customer profile), else NotVisible: a shopper who is
    also staff sees other customers' lists in the console, never as their own on the shop."""
    if actor.customer is None:
        raise NotVisible
    return get_list_for(actor, list_id, CustomerList.objects.filter(customer_id=actor.customer.pk))


def deleted_lists(actor: Actor) -> QuerySet:
    """Deleted lists the actor sees that are still restorable, most recently deleted first."""
    cutoff = timezone.now() - timedelta(days=RESTORE_DAYS)
    return (
        visible_lists(actor, deleted=True).filter(deleted_at__gt=cutoff)
        .select_related("customer__store", "created_by").order_by("-deleted_at", "-id")
    )


class ProductRow:
    """The product facts a list shows; read as plain values (a list of 500 items builds no model instances)."""

    __slots__ = ("pk", "sku", "name", "price", "in_stock", "image_url")

    def __init__(self, pk, sku, name, price, in_stock, image_url):
        self.pk, self.sku, self.name, self.price, self.in_stock, self.image_url = (
            pk, sku, name, price, in_stock, image_url)


class ItemRow:
    __slots__ = ("pk", "room_id", "product_id", "product", "quantity", "note", "created_at", "updated_at", "thread",
                 "image_data", "comment_count", "is_thread_read")

    def __init__(self, pk, room_id, quantity, note, created_at, updated_at, product: ProductRow):
        self.pk, self.room_id, self.quantity, self.note = pk, room_id, quantity, note
        self.created_at, self.updated_at = created_at, updated_at
        self.product, self.product_id = product, product.pk
        self.thread: list[CommentRow] = []
        # How many comments the thread has; `thread` holds them all only when `is_thread_read`.
        self.comment_count = 0
        self.is_thread_read = True
        # The product's picture inlined for printing (printing.list_html fills it).
        self.image_data = ""


class CommentRow:
    __slots__ = ("pk", "item_id", "author_id", "author_customer_id", "author_name", "body", "created_at")

    def __init__(self, pk, item_id, author_id, author_customer_id, author_name, body, created_at):
        self.pk, self.item_id, self.author_id, self.author_customer_id = pk, item_id, author_id, author_customer_id
        self.author_name, self.body, self.created_at = author_name, body, created_at

    @property
    def is_by_customer(self) -> bool:
        return self.author_customer_id is not None


@dataclass
class RoomGroup:
    room: ListRoom
    items: list[ItemRow] = field(default_factory=list)


@dataclass
class ListDetail:
    customer_list: CustomerList
    rooms: list[RoomGroup]
    comments: list[CommentRow]
    item_count: int
    # Every list-level comment; more than `comments` holds when only the latest were read.
    comment_count: int = 0

    @property
    def items(self) -> list[ItemRow]:
        return [item for group in self.rooms for item in group.items]


ITEM_COLUMNS = ("pk", "room_id", "quantity", "note", "created_at", "updated_at", "product_id", "product__sku",
                "product__name", "product__price", "product__in_stock", "product__image_url")
# The console page shows no item dates: reading them would convert a thousand datetimes for nothing.
PAGE_ITEM_COLUMNS = ("pk", "room_id", "quantity", "note", "product_id", "product__sku", "product__name",
                     "product__price", "product__in_stock", "product__image_url")
COMMENT_COLUMNS = ("pk", "item_id", "author_id", "author_customer_id", "author_name", "body", "created_at")

# A datetime column cast to text: PostgreSQL "2026-11-29 07:25:03.5+00" (the connection's time zone is
# UTC), SQLite "2026-11-29 07:25:03.500000" (stored as UTC text).
DATABASE_DATETIME = re.compile(r"(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(?:\+00)?")


class IsoUtc(Func):
    """A datetime column as the API writes every datetime, "2026-11-29T07:25:03.500000Z" (pydantic's
    isoformat, with Z; no fraction on a whole second), written by the database: reading thousands of
    datetimes into objects to format them again costs more than the rest of GET /api/v1/lists/{id}
    (bench/lists.py). Other databases answer the column as text, rewritten by `iso_utc`."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="CAST(%(expressions)s AS text)", **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django stores str(datetime) in UTC: "2026-11-29 07:25:03.500000", or "2026-11-29 07:25:03".
        return super().as_sql(compiler, connection, template="(REPLACE(%(expressions)s, ' ', 'T') || 'Z')",
                              **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        template = (
            "(to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
            "date_trunc('second', %(expressions)s) = %(expressions)s THEN '' "
            "ELSE to_char(%(expressions)s AT TIME ZONE 'UTC', '.US') END || 'Z')"
        )
        return super().as_sql(compiler, connection, template=template, **extra_context)


def iso_utc(text: str) -> str:
    """A datetime as the database wrote it (see IsoUtc), as the API writes it: "...Z" as is, else parsed."""
    if text.endswith("Z"):
        return text
    match = DATABASE_DATETIME.fullmatch(text)
    if match is None:  # Another offset or layout than expected: the slow, general way.
        moment = datetime.fromisoformat(text)
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        return moment.isoformat().replace("+00:00", "Z")
    day, time, fraction = match.groups()
    return f"{day}T{time}.{fraction.ljust(6, '0')}Z" if fraction else f"{day}T{time}Z"


def _comment_rows(comments: QuerySet, *, dates_as_text: bool = False) -> list[CommentRow]:
    """Comments as rows, oldest first."""
    comments = comments.order_by("created_at", "id")
    if not dates_as_text:
        return [CommentRow(*row) for row in comments.values_list(*COMMENT_COLUMNS)]
    return [CommentRow(pk, item_id, author_id, customer_id, name, body, iso_utc(created))
            for pk, item_id, author_id, customer_id, name, body, created in
            comments.values_list(*COMMENT_COLUMNS[:-1], IsoUtc("created_at"))]


def _items_by_room(customer_list: CustomerList, *, with_dates: bool, dates_as_text: bool = False) -> tuple[dict, dict]:
    rooms = ListRoom.objects.filter(list=customer_list).order_by("position", "id")
    by_room = {room.pk: RoomGroup(room) for room in rooms}
    items_by_id: dict[int, ItemRow] = {}
    items = ListItem.objects.filter(list=customer_list).order_by("id")
    if with_dates and dates_as_text:
        rows = ((pk, room_id, quantity, note, iso_utc(created), iso_utc(updated), *product)
                for pk, room_id, quantity, note, created, updated, *product in items.values_list(
                    *ITEM_COLUMNS[:4], IsoUtc("created_at"), IsoUtc("updated_at"), *ITEM_COLUMNS[6:]))
    elif with_dates:
        rows = items.values_list(*ITEM_COLUMNS)
    else:
        rows = ((pk, room_id, quantity, note, None, None, *product)
                for pk, room_id, quantity, note, *product in items.values_list(*PAGE_ITEM_COLUMNS))
    for pk, room_id, quantity, note, created, updated, *product in rows:
        group = by_room.get(room_id)
        if group is not None:
            item = ItemRow(pk, room_id, quantity, note, created, updated, ProductRow(*product))
            group.items.append(item)
            items_by_id[pk] = item
    return by_room, items_by_id


def list_detail(customer_list: CustomerList, *, dates_as_text: bool = False) -> ListDetail:
    """Rooms with their items and each item's whole thread, and every list-level comment, in a fixed
    number of queries whatever the list's size; rows are read as values, not model instances, so a big
    list stays fast (the API, the customer's page, printing). With `dates_as_text`, the items' and
    comments' dates are ISO-8601 UTC strings (see `iso_utc`), ready for JSON."""
    by_room, items_by_id = _items_by_room(customer_list, with_dates=True, dates_as_text=dates_as_text)
    list_comments = []
    for comment in _comment_rows(ListComment.objects.filter(list=customer_list), dates_as_text=dates_as_text):
        if comment.item_id is None:
            list_comments.append(comment)
        else:
            item = items_by_id.get(comment.item_id)
            if item is not None:
                item.thread.append(comment)
    for item in items_by_id.values():
        item.comment_count = len(item.thread)
    return ListDetail(
        customer_list=customer_list,
        rooms=[group for group in by_room.values() if group.items],
        comments=list_comments,
        item_count=len(items_by_id),
        comment_count=len(list_comments),
    )


def list_page(customer_list: CustomerList, *, latest_list_comments: int = 10, expanded=()) -> ListDetail:
    """The console page's reading of a list: rooms and items, each item thread's count but not its
    comments (the page opens a thread on demand, see `item_thread`), and the list-level thread's latest
    `latest_list_comments`. The `expanded` threads (item ids; None for the list-level thread) are read
    whole. Four queries whatever the list's size."""
    expanded = set(expanded)
    by_room, items_by_id = _items_by_room(customer_list, with_dates=False)
    latest = (
        ListComment.objects.filter(list=customer_list, item__isnull=True)
        .order_by("-created_at", "-id").values("id")[:latest_list_comments]
    )
    keep = Q(item__isnull=True) if None in expanded else Q(pk__in=latest)
    if expanded - {None}:
        keep |= Q(item_id__in=expanded - {None})
    list_comments = []
    for item in items_by_id.values():
        item.is_thread_read = item.pk in expanded
    for comment in _comment_rows(ListComment.objects.filter(keep, list=customer_list)):
        if comment.item_id is None:
            list_comments.append(comment)
        elif comment.item_id in items_by_id:
            items_by_id[comment.item_id].thread.append(comment)
    list_comment_count = 0
    counts = ListComment.objects.filter(list=customer_list).order_by().values_list("item_id").annotate(
        count=Count("id"))
    for item_id, count in counts:
        if item_id is None:
            list_comment_count = count
        elif item_id in items_by_id:
            items_by_id[item_id].comment_count = count
    return ListDetail(
        customer_list=customer_list,
        rooms=[group for group in by_room.values() if group.items],
        comments=list_comments,
        item_count=len(items_by_id),
        comment_count=list_comment_count,
    )


def item_thread(item: ListItem) -> list[CommentRow]:
    """One item's whole thread, oldest first (the item comes from services.get_item_for: visible)."""
    return _comment_rows(ListComment.objects.filter(list_id=item.list_id, item_id=item.pk))
