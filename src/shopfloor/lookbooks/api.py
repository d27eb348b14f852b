"""API: lookbooks (a personal page for one customer) and "My Looks" (templates shared with many)."""

from datetime import datetime

from ninja import Field, Path, Router, Schema

from shopfloor.access import get_look_for, get_lookbook_for
from shopfloor.apikit import LIMIT, MAX_ID, OFFSET, ApiDateTime, ObjectId, optional_id_query, paginate, staff_actor
from shopfloor.lookbooks import selectors, services
from shopfloor.lookbooks.models import LookbookStatus

router = Router(tags=["Lookbooks"])


class LookbookItemIn(Schema):
    sku: str = Field(..., min_length=1, max_length=64)
    note: str = Field("", max_length=services.MAX_NOTE, description="The associate's note on this product.")


class LookbookItemOut(Schema):
    sku: str
    name: str
    price: str
    image_url: str
    note: str


class LookbookIn(Schema):
    customer_id: ObjectId
    title: str = Field(..., max_length=services.MAX_TITLE)
    message: str = Field("", max_length=services.MAX_MESSAGE)
    items: list[LookbookItemIn] = Field(default_factory=list, max_length=services.MAX_ITEMS)
    cover_sku: str | None = Field(None, max_length=64, description="One of the items; default the first.")
    expires_at: ApiDateTime | None = Field(None, description="The link stops working then; null: never.")
    publish: bool = Field(False, description="Publish now (the link works), else a draft.")


class LookbookPatch(Schema):
    title: str | None = Field(None, max_length=services.MAX_TITLE)
    message: str | None = Field(None, max_length=services.MAX_MESSAGE)
    items: list[LookbookItemIn] | None = Field(None, max_length=services.MAX_ITEMS,
                                               description="Replaces the products.")
    cover_sku: str | None = Field(None, max_length=64)
    expires_at: ApiDateTime | None = None


class LookbookOut(Schema):
    id: int
    customer_id: int
    author_id: int
    look_id: int | None
    title: str
    message: str
    items: list[LookbookItemOut]
    cover_sku: str | None
    status: str = Field(..., description="draft, published or revoked.")
    url: str = Field(..., description="The customer's link (works while published and not expired).")
    expires_at: datetime | None
    published_at: datetime | None
    opened_at: datetime | None = Field(..., description="The customer's first open.")
    open_count: int
    click_count: int
    created_at: datetime


class LookbookPage(Schema):
    items: list[LookbookOut]
    count: int


def _items_out(items) -> list[dict]:
    return [{"sku": item.product.sku, "name": item.product.name, "price": str(item.product.price),
             "image_url": item.product.image_url, "note": item.note} for item in items]


def lookbook_out(request, lookbook) -> dict:
    return {
        "id": lookbook.pk, "customer_id": lookbook.customer_id, "author_id": lookbook.author_id,
        "look_id": lookbook.look_id, "title": lookbook.title, "message": lookbook.message,
        "items": _items_out(lookbook.items.all()),
        "cover_sku": lookbook.cover_product.sku if lookbook.cover_product_id else None,
        "status": lookbook.status, "url": request.build_absolute_uri(services.public_path(lookbook)),
        "expires_at": lookbook.expires_at, "published_at": lookbook.published_at, "opened_at": lookbook.opened_at,
        "open_count": lookbook.open_count, "click_count": lookbook.click_count, "created_at": lookbook.created_at,
    }


def _refetch(actor, lookbook_id):
    return get_lookbook_for(actor, lookbook_id, selectors.lookbooks_for(actor))


def _data(payload) -> dict:
    data = payload.dict(exclude_unset=True)
    if "items" in data and data["items"] is not None:
        data["items"] = [dict(item) for item in data["items"]]
    return data


@router.get("/lookbooks", response=LookbookPage, summary="Lookbooks you may see (author only in associate mode; "
                                                          "the store's in team mode)")
def list_lookbooks(request, customer_id: int | None = optional_id_query("Only this customer's."),
                   status: LookbookStatus | None = None, limit: int = LIMIT, offset: int = OFFSET):
    who = staff_actor(request)
    queryset = selectors.lookbooks_for(who, customer_id=customer_id, status=status)
    return paginate(queryset, limit, offset, lambda lookbook: lookbook_out(request, lookbook))


@router.post("/lookbooks", response={201: LookbookOut}, summary="Make a lookbook for a customer you see")
def create_lookbook(request, payload: LookbookIn):
    who = staff_actor(request)
    lookbook = services.create_lookbook(who, payload.customer_id, _data(payload))
    return 201, lookbook_out(request, _refetch(who, lookbook.pk))


@router.get("/lookbooks/{lookbook_id}", response=LookbookOut)
def get_lookbook(request, lookbook_id: int = Path(..., ge=1, le=MAX_ID)):
    who = staff_actor(request)
    return lookbook_out(request, _refetch(who, lookbook_id))


@router.patch("/lookbooks/{lookbook_id}", response=LookbookOut, summary="Change a lookbook (fields left out stay)")
def patch_lookbook(request, payload: LookbookPatch, lookbook_id: int = Path(..., ge=1, le=MAX_ID)):
    who = staff_actor(request)
    services.update_lookbook(who, get_lookbook_for(who, lookbook_id), _data(payload))
    return lookbook_out(request, _refetch(who, lookbook_id))


@router.post("/lookbooks/{lookbook_id}/publish", response=LookbookOut, summary="Publish: the link works")
def publish_lookbook(request, lookbook_id: int = Path(..., ge=1, le=MAX_ID)):
    who = staff_actor(request)
    services.publish_lookbook(who, get_lookbook_for(who, lookbook_id))
    return lookbook_out(request, _refetch(who, lookbook_id))


@router.post("/lookbooks/{lookbook_id}/revoke", response=LookbookOut,
             summary="Revoke: the link shows a 'no longer available' page")
def revoke_lookbook(request, lookbook_id: int = Path(..., ge=1, le=MAX_ID)):
    who = staff_actor(request)
    services.revoke_lookbook(who, get_lookbook_for(who, lookbook_id))
    return lookbook_out(request, _refetch(who, lookbook_id))


class SendIn(Schema):
    channel: str | None = Field(None, pattern="^(email|sms)$",
                                description="email or sms; empty: whichever the customer agreed to (email first).")


class SendOut(Schema):
    sent: bool
    channel: str | None
    status: str = Field(..., description="The message's delivery status when sent: sent or failed.")
    reason: str = Field(..., description="Why nothing was sent (no consent, no address).")


@router.post("/lookbooks/{lookbook_id}/send", response=SendOut,
             summary="Send the lookbook's link to its customer by email or SMS, as their consent allows")
def send_lookbook(request, payload: SendIn, lookbook_id: int = Path(..., ge=1, le=MAX_ID)):
    who = staff_actor(request)
    outcome = services.send_lookbook(who, get_lookbook_for(who, lookbook_id), channel=payload.channel,
                                     base_url=request.build_absolute_uri("/"))
    return {"sent": bool(outcome.channel), "channel": outcome.channel, "status": outcome.status,
            "reason": outcome.reason}


# My Looks -----------------------------------------------------------------------------------------


class LookIn(Schema):
    title: str = Field(..., max_length=services.MAX_TITLE)
    message: str = Field("", max_length=services.MAX_MESSAGE,
                         description="What each customer reads; {{first_name}} and {{associate_name}} are filled in.")
    items: list[LookbookItemIn] = Field(..., max_length=services.MAX_ITEMS)


class LookPatch(Schema):
    title: str | None = Field(None, max_length=services.MAX_TITLE)
    message: str | None = Field(None, max_length=services.MAX_MESSAGE)
    items: list[LookbookItemIn] | None = Field(None, max_length=services.MAX_ITEMS)


class LookOut(Schema):
    id: int
    author_id: int
    store_id: int
    title: str
    message: str
    items: list[LookbookItemOut]
    created_at: datetime
    updated_at: datetime


class LookPage(Schema):
    items: list[LookOut]
    count: int


def look_out(look) -> dict:
    return {"id": look.pk, "author_id": look.author_id, "store_id": look.store_id, "title": look.title,
            "message": look.message, "items": _items_out(look.items.all()), "created_at": look.created_at,
            "updated_at": look.updated_at}


class ShareIn(Schema):
    customer_ids: list[ObjectId] = Field(..., min_length=1, max_length=services.MAX_SHARE)
    channel: str | None = Field(None, pattern="^(email|sms)$",
                                description="email or sms; empty: whichever the customer agreed to (email first).")


class ShareSent(Schema):
    customer_id: int
    lookbook_id: int
    channel: str
    status: str = Field(..., description="The message's delivery status: sent or failed.")


class ShareSkipped(Schema):
    customer_id: int
    lookbook_id: int
    reason: str


class ShareOut(Schema):
    lookbooks: list[LookbookOut]
    sent: list[ShareSent]
    skipped: list[ShareSkipped] = Field(..., description="Customers whose consent allowed no message; their "
                                                         "lookbook is made and published all the same.")


@router.get("/looks", response=LookPage, summary="Your looks (associate mode) or your store's (team mode)")
def list_looks(request, limit: int = LIMIT, offset: int = OFFSET):
    return paginate(selectors.looks_for(staff_actor(request)), limit, offset, look_out)


@router.post("/looks", response={201: LookOut})
def create_look(request, payload: LookIn):
    who = staff_actor(request)
    look = services.create_look(who, _data(payload))
    return 201, look_out(get_look_for(who, look.pk, selectors.looks_for(who)))


@router.get("/looks/{look_id}", response=LookOut)
def get_look(request, look_id: int = Path(..., ge=1, le=MAX_ID)):
    who = staff_actor(request)
    return look_out(get_look_for(who, look_id, selectors.looks_for(who)))


@router.patch("/looks/{look_id}", response=LookOut)
def patch_look(request, payload: LookPatch, look_id: int = Path(..., ge=1, le=MAX_ID)):
    who = staff_actor(request)
    services.update_look(who, get_look_for(who, look_id), _data(payload))
    return look_out(get_look_for(who, look_id, selectors.looks_for(who)))


@router.delete("/looks/{look_id}", response={204: None})
def delete_look(request, look_id: int = Path(..., ge=1, le=MAX_ID)):
    who = staff_actor(request)
    services.delete_look(who, get_look_for(who, look_id))
    return 204, None


@router.post("/looks/{look_id}/share", response={201: ShareOut},
             summary="One personalised lookbook per customer, sent by email or SMS as their consent allows")
def share_look(request, payload: ShareIn, look_id: int = Path(..., ge=1, le=MAX_ID)):
    who = staff_actor(request)
    look = get_look_for(who, look_id)
    result = services.share_look(who, look, payload.customer_ids, channel=payload.channel,
                                 base_url=request.build_absolute_uri("/"), customers_field="customer_ids")
    lookbooks = {lb.pk: lb for lb in selectors.lookbooks_for(who).filter(pk__in=[lb.pk for lb in result.lookbooks])}
    return 201, {
        "lookbooks": [lookbook_out(request, lookbooks[lb.pk]) for lb in result.lookbooks],
        "sent": [{"customer_id": o.customer.pk, "lookbook_id": o.lookbook.pk, "channel": o.channel,
                  "status": o.status} for o in result.sent],
        "skipped": [{"customer_id": o.customer.pk, "lookbook_id": o.lookbook.pk, "reason": o.reason}
                    for o in result.skipped],
    }
