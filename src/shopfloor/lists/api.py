"""API: collaborative lists, their items (grouped by room) and comment threads; notify, duplicate,
delete, restore, PDF. Staff only; a list of a customer the caller may not see answers 404."""

import json
from datetime import datetime

from django.http import HttpResponse
from ninja import Field, Path, Query, Router, Schema

from shopfloor.access import get_list_for
from shopfloor.apikit import LIMIT, MAX_ID, OFFSET, ObjectId, optional_id_query, paginate, staff_actor
from shopfloor.lists import selectors, services
from shopfloor.lists.models import (
    MAX_COMMENT_LENGTH,
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_QUANTITY,
    MAX_ROOM_LENGTH,
    CustomerList,
    ListComment,
)
from shopfloor.lists.printing import list_pdf

router = Router(tags=["Lists"])

Id = Path(..., ge=1, le=MAX_ID)


class ListIn(Schema):
    customer_id: int = Field(..., ge=1, le=MAX_ID)
    name: str = Field(..., min_length=1, max_length=MAX_NAME_LENGTH)


class ListPatch(Schema):
    name: str = Field(..., min_length=1, max_length=MAX_NAME_LENGTH)


class ListOut(Schema):
    id: int
    customer_id: int
    name: str
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    notified_at: datetime | None
    item_count: int | None = Field(None, description="How many items; in list pages and the list itself.")


class ListPage(Schema):
    items: list[ListOut]
    count: int


class CommentOut(Schema):
    id: int
    item_id: int | None
    author: str = Field(..., description="The name shown with the comment.")
    author_user_id: int | None
    by_customer: bool
    body: str = Field(..., description="Plain text (links and line breaks kept); escape it when showing it.")
    created_at: datetime


class ItemOut(Schema):
    id: int
    sku: str
    product_id: int
    product_name: str
    room: str
    room_id: int
    quantity: int
    note: str
    created_at: datetime
    updated_at: datetime


class ItemDetailOut(ItemOut):
    comments: list[CommentOut]


class RoomOut(Schema):
    id: int
    name: str
    items: list[ItemDetailOut]


class ListDetailOut(ListOut):
    rooms: list[RoomOut]
    comments: list[CommentOut] = Field(..., description="List-level comments, oldest first.")


class ItemIn(Schema):
    sku: str = Field(..., min_length=1, max_length=64)
    room: str = Field("", max_length=MAX_ROOM_LENGTH, description="An existing room's name or a new one.")
    quantity: int = Field(1, ge=1, le=MAX_QUANTITY)
    note: str = Field("", max_length=MAX_NOTE_LENGTH)


class SaveIn(ItemIn):
    list_ids: list[ObjectId] = Field(..., min_length=1, max_length=services.MAX_LISTS_PER_SAVE)


class ItemPatch(Schema):
    quantity: int | None = Field(None, ge=1, le=MAX_QUANTITY)
    room: str | None = Field(None, min_length=1, max_length=MAX_ROOM_LENGTH)
    note: str | None = Field(None, max_length=MAX_NOTE_LENGTH)


class ItemPage(Schema):
    items: list[ItemOut]
    count: int


class CommentIn(Schema):
    # Checked by the service (after sanitizing), so an over-long body answers 422 at ["body", "body"].
    body: str = Field(..., description=f"Plain text, at most {MAX_COMMENT_LENGTH} characters; HTML is removed "
                                       "except links (kept as text).")


class CommentPage(Schema):
    items: list[CommentOut]
    count: int


class DuplicateIn(Schema):
    customer_id: int | None = Field(None, ge=1, le=MAX_ID, description="Default: the same customer.")
    name: str = Field("", max_length=MAX_NAME_LENGTH, description="Default: the name and “(copy)”.")


class NotifyOut(Schema):
    url: str = Field(..., description="The collaboration link emailed to the customer.")
    notified_at: datetime


def list_out(customer_list: CustomerList, item_count: int | None = None) -> dict:
    count = getattr(customer_list, "item_count", None) if item_count is None else item_count
    return {
        "id": customer_list.pk, "customer_id": customer_list.customer_id, "name": customer_list.name,
        "created_by_id": customer_list.created_by_id, "created_at": customer_list.created_at,
        "updated_at": customer_list.updated_at, "deleted_at": customer_list.deleted_at,
        "notified_at": customer_list.notified_at, "item_count": count,
    }


def comment_out(comment: ListComment) -> dict:
    return {
        "id": comment.pk, "item_id": comment.item_id, "author": comment.author_name,
        "author_user_id": comment.author_id, "by_customer": comment.is_by_customer, "body": comment.body,
        "created_at": comment.created_at,
    }


def item_out(item, room_name: str | None = None) -> dict:
    return {
        "id": item.pk, "sku": item.product.sku, "product_id": item.product_id, "product_name": item.product.name,
        "room": room_name if room_name is not None else item.room.name, "room_id": item.room_id,
        "quantity": item.quantity, "note": item.note, "created_at": item.created_at, "updated_at": item.updated_at,
    }


def _list(request, list_id: int) -> CustomerList:
    return get_list_for(staff_actor(request), list_id)


# Lists ---------------------------------------------------------------------------------------------------


@router.get("/lists", response=ListPage, summary="Lists you may see (not deleted), most recently changed first")
def list_lists(request, customer_id: int | None = optional_id_query("Only this customer's lists."),
               q: str = Query("", max_length=100, description="Part of the list's or the customer's name."),
               limit: int = LIMIT, offset: int = OFFSET):
    who = staff_actor(request)
    return paginate(selectors.visible_list_page(who, customer_id, q), limit, offset, list_out)


@router.post("/lists", response={201: ListOut})
def create_list(request, payload: ListIn):
    who = staff_actor(request)
    return 201, list_out(services.create_list(who, payload.customer_id, payload.name), item_count=0)


@router.get("/lists/deleted", response=ListPage,
            summary="Deleted lists you may see, still restorable (30 days), most recently deleted first")
def list_deleted(request, limit: int = LIMIT, offset: int = OFFSET):
    return paginate(selectors.deleted_lists(staff_actor(request)), limit, offset, list_out)


@router.post("/lists/save", response={201: list[ItemOut]},
             summary="Save one product into a room of several lists at once (all or none)")
def save_product(request, payload: SaveIn):
    who = staff_actor(request)
    items = services.save_product(who, payload.list_ids, payload.sku, payload.room, payload.quantity, payload.note)
    return 201, [item_out(item) for item in items]


@router.get("/lists/{int:list_id}.pdf", summary="The list as a PDF (rooms, products, quantities, notes)",
            response={200: None})
def list_as_pdf(request, list_id: int = Id):
    customer_list = _list(request, list_id)
    response = HttpResponse(list_pdf(customer_list), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="list-{customer_list.pk}.pdf"'
    return response


def _time(moment) -> str:
    # As pydantic writes datetimes everywhere else in the API.
    return moment.isoformat().replace("+00:00", "Z")


def _comment_row(comment) -> dict:
    # created_at: already text (selectors.list_detail(dates_as_text=True)).
    return {
        "id": comment.pk, "item_id": comment.item_id, "author": comment.author_name,
        "author_user_id": comment.author_id, "by_customer": comment.author_customer_id is not None,
        "body": comment.body, "created_at": comment.created_at,
    }


def _item_row(item, room) -> dict:
    product = item.product
    return {
        "id": item.pk, "sku": product.sku, "product_id": product.pk, "product_name": product.name,
        "room": room.name, "room_id": room.pk, "quantity": item.quantity, "note": item.note,
        "created_at": item.created_at, "updated_at": item.updated_at,
        "comments": [_comment_row(comment) for comment in item.thread],
    }


@router.get("/lists/{int:list_id}", response=ListDetailOut,
            summary="A list with its items grouped by room, each item's comments and the list's comments")
def get_list(request, list_id: int = Id):
    customer_list = _list(request, list_id)
    detail = selectors.list_detail(customer_list, dates_as_text=True)
    document = {
        "id": customer_list.pk, "customer_id": customer_list.customer_id, "name": customer_list.name,
        "created_by_id": customer_list.created_by_id, "created_at": _time(customer_list.created_at),
        "updated_at": _time(customer_list.updated_at), "deleted_at": None,
        "notified_at": _time(customer_list.notified_at) if customer_list.notified_at else None,
        "item_count": detail.item_count,
        "rooms": [
            {"id": group.room.pk, "name": group.room.name,
             "items": [_item_row(item, group.room) for item in group.items]}
            for group in detail.rooms
        ],
        "comments": [_comment_row(comment) for comment in detail.comments],
    }
    # Built from plain rows and answered as is (the schema above documents it): validating thousands of
    # nested objects again would cost more than reading them (bench/lists.py).
    return HttpResponse(json.dumps(document), content_type="application/json")


@router.patch("/lists/{int:list_id}", response=ListOut)
def rename_list(request, payload: ListPatch, list_id: int = Id):
    who = staff_actor(request)
    return list_out(services.rename_list(who, get_list_for(who, list_id), payload.name))


@router.delete("/lists/{int:list_id}", response={204: None},
               summary="Delete a list (soft): restorable for 30 days by its author or a store manager")
def delete_list(request, list_id: int = Id):
    who = staff_actor(request)
    services.delete_list(who, get_list_for(who, list_id))
    return 204, None


@router.post("/lists/{int:list_id}/restore", response=ListOut)
def restore_list(request, list_id: int = Id):
    who = staff_actor(request)
    return list_out(services.restore_list(who, get_list_for(who, list_id, deleted=True)))


@router.post("/lists/{int:list_id}/duplicate", response={201: ListOut},
             summary="Copy a list's rooms and items (not its comments) for the same or another customer")
def duplicate_list(request, payload: DuplicateIn, list_id: int = Id):
    who = staff_actor(request)
    source = get_list_for(who, list_id)
    copy = services.duplicate_list(who, source, payload.customer_id, payload.name)
    return 201, list_out(copy, item_count=copy.items.count())


@router.post("/lists/{int:list_id}/notify", response=NotifyOut,
             summary="Email the customer a link to collaborate; records a list-notify interaction")
def notify_customer(request, list_id: int = Id):
    who = staff_actor(request)
    customer_list = get_list_for(who, list_id)
    url = services.notify_customer(who, customer_list, base_url=request.build_absolute_uri("/"))
    return {"url": url, "notified_at": customer_list.notified_at}


@router.post("/lists/{int:list_id}/revoke-link", response=ListOut,
             summary="Revoke every collaboration link sent so far (notify again to send a new one)")
def revoke_link(request, list_id: int = Id):
    who = staff_actor(request)
    return list_out(services.revoke_collaboration_link(who, get_list_for(who, list_id)))


# Items -----------------------------------------------------------------------------------------------------


@router.get("/lists/{int:list_id}/items", response=ItemPage)
def list_items(request, list_id: int = Id, limit: int = LIMIT, offset: int = OFFSET):
    customer_list = _list(request, list_id)
    items = customer_list.items.select_related("product", "room").order_by("id")
    return paginate(items, limit, offset, item_out)


@router.post("/lists/{int:list_id}/items", response={201: ItemOut},
             summary="Save a product into a room (an existing room or a new one); again adds to the quantity")
def add_item(request, payload: ItemIn, list_id: int = Id):
    who = staff_actor(request)
    customer_list = get_list_for(who, list_id)
    [item] = services.save_product(who, [customer_list], payload.sku, payload.room, payload.quantity, payload.note)
    return 201, item_out(item)


@router.patch("/lists/{int:list_id}/items/{int:item_id}", response=ItemOut)
def update_item(request, payload: ItemPatch, list_id: int = Id, item_id: int = Id):
    who = staff_actor(request)
    customer_list = get_list_for(who, list_id)
    item = services.get_item_for(who, customer_list, item_id)
    item = services.update_item(who, item, quantity=payload.quantity, room_name=payload.room, note=payload.note)
    return item_out(item)


@router.delete("/lists/{int:list_id}/items/{int:item_id}", response={204: None})
def remove_item(request, list_id: int = Id, item_id: int = Id):
    who = staff_actor(request)
    customer_list = get_list_for(who, list_id)
    services.remove_item(who, services.get_item_for(who, customer_list, item_id))
    return 204, None


# Comments --------------------------------------------------------------------------------------------------


@router.get("/lists/{int:list_id}/comments", response=CommentPage, summary="List-level comments, oldest first")
def list_comments(request, list_id: int = Id, limit: int = LIMIT, offset: int = OFFSET):
    customer_list = _list(request, list_id)
    comments = customer_list.comments.filter(item__isnull=True).order_by("created_at", "id")
    return paginate(comments, limit, offset, comment_out)


@router.post("/lists/{int:list_id}/comments", response={201: CommentOut},
             summary="Comment on the list; the other collaborators are alerted")
def add_list_comment(request, payload: CommentIn, list_id: int = Id):
    who = staff_actor(request)
    return 201, comment_out(services.add_comment(who, get_list_for(who, list_id), payload.body))


@router.get("/lists/{int:list_id}/items/{int:item_id}/comments", response=CommentPage)
def list_item_comments(request, list_id: int = Id, item_id: int = Id, limit: int = LIMIT, offset: int = OFFSET):
    who = staff_actor(request)
    item = services.get_item_for(who, get_list_for(who, list_id), item_id)
    return paginate(item.comments.order_by("created_at", "id"), limit, offset, comment_out)


@router.post("/lists/{int:list_id}/items/{int:item_id}/comments", response={201: CommentOut},
             summary="Comment on an item; the other collaborators are alerted")
def add_item_comment(request, payload: CommentIn, list_id: int = Id, item_id: int = Id):
    who = staff_actor(request)
    customer_list = get_list_for(who, list_id)
    item = services.get_item_for(who, customer_list, item_id)
    return 201, comment_out(services.add_comment(who, customer_list, payload.body, item=item))
