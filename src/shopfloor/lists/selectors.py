"""Reads of lists as people make them, with visibility from the access policy.

`list_detail` loads a whole list (rooms, items with their products, comments) in a fixed number
of queries whatever its size, and groups it for the pages and the API.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from shopfloor.access import Actor, get_list_for, visible_lists  # noqa: F401 (get_list_for: the seam WIDGET calls)
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
    query = " ".join((query or "").split())
    if query:
        queryset = queryset.filter(
            Q(name__icontains=query) | Q(customer__first_name__icontains=query)
            | Q(customer__last_name__icontains=query) | Q(customer__email__icontains=query)
        )
    return with_counts(queryset)


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
                 "image_data", "comment_count")

    def __init__(self, pk, room_id, quantity, note, created_at, updated_at, product: ProductRow):
        self.pk, self.room_id, self.quantity, self.note = pk, room_id, quantity, note
        self.created_at, self.updated_at = created_at, updated_at
        self.product, self.product_id = product, product.pk
        self.thread: list[CommentRow] = []
        # How many comments the thread has; more than `thread` holds when only the latest were read.
        self.comment_count = 0
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
COMMENT_COLUMNS = ("pk", "item_id", "author_id", "author_customer_id", "author_name", "body", "created_at")


def _comment_rows(customer_list: CustomerList, latest: int | None, latest_on_list: int,
                  expanded: set) -> list[CommentRow]:
    """The list's comments, oldest first; with `latest`, only each item thread's latest that many (and
    the list-level thread's latest `latest_on_list`), except the threads in `expanded` (item ids; None
    for the list-level thread), read whole."""
    comments = ListComment.objects.filter(list=customer_list)
    if latest is not None:
        rank = Window(RowNumber(), partition_by=[F("item_id")], order_by=[F("created_at").desc(), F("id").desc()])
        keep = Q(item__isnull=False, rank__lte=latest) | Q(item__isnull=True, rank__lte=latest_on_list)
        if None in expanded:
            keep |= Q(item__isnull=True)
        if expanded - {None}:
            keep |= Q(item_id__in=expanded - {None})
        comments = comments.annotate(rank=rank).filter(keep)
    rows = [CommentRow(*row) for row in comments.values_list(*COMMENT_COLUMNS)]
    rows.sort(key=lambda comment: (comment.created_at, comment.pk))
    return rows


def list_detail(customer_list: CustomerList, *, latest_comments: int | None = None, latest_list_comments: int = 10,
                expanded=()) -> ListDetail:
    """Rooms with their items and each item's thread, and the list-level comments, in a fixed number of
    queries whatever the list's size; rows are read as values, not model instances, so a big list stays
    fast. With `latest_comments`, each item thread holds only its latest comments, the list-level thread
    its latest `latest_list_comments` (every thread knows its full count), except the `expanded` threads
    (item ids; None for the list-level thread), read whole."""
    rooms = list(ListRoom.objects.filter(list=customer_list).order_by("position", "id"))
    by_room = {room.pk: RoomGroup(room) for room in rooms}
    items_by_id: dict[int, ItemRow] = {}
    for pk, room_id, quantity, note, created, updated, *product in (
        ListItem.objects.filter(list=customer_list).order_by("id").values_list(*ITEM_COLUMNS)
    ):
        item = ItemRow(pk, room_id, quantity, note, created, updated, ProductRow(*product))
        group = by_room.get(room_id)
        if group is not None:
            group.items.append(item)
            items_by_id[pk] = item
    list_comments = []
    for comment in _comment_rows(customer_list, latest_comments, latest_list_comments, set(expanded)):
        if comment.item_id is None:
            list_comments.append(comment)
        else:
            item = items_by_id.get(comment.item_id)
            if item is not None:
                item.thread.append(comment)
    list_comment_count = len(list_comments)
    if latest_comments is None:
        for item in items_by_id.values():
            item.comment_count = len(item.thread)
    else:
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
