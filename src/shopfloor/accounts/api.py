"""API: who am I, stores, associates."""

from typing import Annotated

from ninja import Field, Path, Router, Schema

from shopfloor.access import NotVisible, visible_associates, visible_stores
from shopfloor.accounts import services
from shopfloor.accounts.models import AssociateRole, SellingMode
from shopfloor.accounts.selectors import photo_url
from shopfloor.apikit import (
    LIMIT,
    MAX_ID,
    OFFSET,
    actor,
    admin_actor,
    optional_id_query,
    paginate,
    staff_actor,
)

router = Router(tags=["Identity and organisation"])


class MeOut(Schema):
    id: int
    email: str
    role: str = Field(..., description='"admin", "manager", "associate", "customer" (or "none": no role yet)')
    associate_id: int | None
    store_id: int | None = Field(None, description="The associate's store, or the customer's home store.")
    customer_id: int | None = Field(None, description="Set when the credentials belong to a customer.")


@router.get("/me", response=MeOut, summary="Who the credentials belong to")
def me(request):
    who = actor(request)
    return {
        "id": who.user.pk, "email": who.user.email, "role": who.role,
        "associate_id": who.associate.pk if who.associate else None,
        "store_id": who.store.pk if who.store else (who.customer.store_id if who.customer else None),
        "customer_id": who.customer.pk if who.customer else None,
    }


# Stores -------------------------------------------------------------------------


class StoreIn(Schema):
    code: str = Field(..., min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(..., min_length=1, max_length=200)
    selling_mode: SellingMode = SellingMode.ASSOCIATE
    currency: str = Field("EUR", pattern=r"^[A-Za-z]{3}$")
    timezone: str = Field("UTC", max_length=64)
    country: str = Field("", pattern=r"^([A-Za-z]{2})?$")
    approve_new_customers: bool = False


class StorePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    selling_mode: SellingMode | None = None
    currency: str | None = Field(None, pattern=r"^[A-Za-z]{3}$")
    timezone: str | None = Field(None, max_length=64)
    country: str | None = Field(None, pattern=r"^([A-Za-z]{2})?$")
    approve_new_customers: bool | None = None


class StoreOut(Schema):
    id: int
    code: str
    name: str
    selling_mode: str
    currency: str
    timezone: str
    country: str
    approve_new_customers: bool
    widget_key: str


class StorePage(Schema):
    items: list[StoreOut]
    count: int


def store_out(store) -> dict:
    return {f: getattr(store, f) for f in StoreOut.model_fields} | {"id": store.pk}


@router.get("/stores", response=StorePage, summary="Stores you may see (admins: all; staff: their own)")
def list_stores(request, limit: int = LIMIT, offset: int = OFFSET):
    return paginate(visible_stores(staff_actor(request)).order_by("name", "id"), limit, offset, store_out)


@router.post("/stores", response={201: StoreOut}, summary="Create a store (admins)")
def create_store(request, payload: StoreIn):
    who = admin_actor(request)
    return 201, store_out(services.save_store(who.user, payload.dict()))


@router.get("/stores/{store_id}", response=StoreOut)
def get_store(request, store_id: int = Path(..., ge=1, le=MAX_ID)):
    store = visible_stores(staff_actor(request)).filter(pk=store_id).first()
    if store is None:
        raise NotVisible
    return store_out(store)


@router.patch("/stores/{store_id}", response=StoreOut)
def update_store(request, payload: StorePatch, store_id: int = Path(..., ge=1, le=MAX_ID)):
    who = admin_actor(request)
    store = visible_stores(who).filter(pk=store_id).first()
    if store is None:
        raise NotVisible
    return store_out(services.save_store(who.user, payload.dict(exclude_unset=True), store))


# Associates ------------------------------------------------------------------------

RepCodeText = Annotated[str, Field(min_length=1, max_length=64)]


class AssociateIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    store_id: int = Field(..., ge=1, le=MAX_ID)
    role: AssociateRole = AssociateRole.ASSOCIATE
    parent_id: int | None = Field(None, ge=1, le=MAX_ID, description="The upline agent; a loop is refused.")
    rep_codes: list[RepCodeText] = Field(default_factory=list, max_length=100)
    referral_code: str | None = Field(None, min_length=3, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    active: bool = True
    password: str | None = Field(None, min_length=8, max_length=128, description="Write-only; gives a login.")


class AssociatePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    store_id: int | None = Field(None, ge=1, le=MAX_ID)
    role: AssociateRole | None = None
    parent_id: int | None = Field(None, ge=1, le=MAX_ID)
    rep_codes: list[RepCodeText] | None = Field(None, max_length=100)
    referral_code: str | None = Field(None, min_length=3, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    active: bool | None = None
    password: str | None = Field(None, min_length=8, max_length=128)


class AssociateOut(Schema):
    id: int
    email: str
    name: str
    phone: str
    photo_url: str
    store_id: int
    role: str
    parent_id: int | None
    rep_codes: list[str]
    referral_code: str
    active: bool
    can_login: bool


class AssociatePage(Schema):
    items: list[AssociateOut]
    count: int


def associate_out(associate, request) -> dict:
    return {
        "id": associate.pk, "email": associate.email, "name": associate.name, "phone": associate.phone,
        "photo_url": request.build_absolute_uri(photo_url(associate)), "store_id": associate.store_id,
        "role": associate.role, "parent_id": associate.parent_id,
        "rep_codes": [c.code for c in associate.rep_code_set.all()], "referral_code": associate.referral_code,
        "active": associate.active, "can_login": associate.can_login,
    }


def _associates(who):
    return (
        visible_associates(who).select_related("user").prefetch_related("rep_code_set").order_by("name", "id")
    )


@router.get("/associates", response=AssociatePage,
            summary="Associates you may see (admins: all; staff: their store's)")
def list_associates(request, store_id: int | None = optional_id_query("Only this store's associates."),
                    limit: int = LIMIT, offset: int = OFFSET):
    queryset = _associates(staff_actor(request))
    if store_id is not None:
        queryset = queryset.filter(store_id=store_id)
    return paginate(queryset, limit, offset, lambda associate: associate_out(associate, request))


@router.post("/associates", response={201: AssociateOut}, summary="Create an associate (admins)")
def create_associate(request, payload: AssociateIn):
    who = admin_actor(request)
    associate = services.save_associate(who.user, payload.dict())
    return 201, associate_out(_associates(who).get(pk=associate.pk), request)


@router.get("/associates/{associate_id}", response=AssociateOut)
def get_associate(request, associate_id: int = Path(..., ge=1, le=MAX_ID)):
    associate = _associates(staff_actor(request)).filter(pk=associate_id).first()
    if associate is None:
        raise NotVisible
    return associate_out(associate, request)


@router.patch("/associates/{associate_id}", response=AssociateOut, summary="Change an associate (admins)")
def update_associate(request, payload: AssociatePatch, associate_id: int = Path(..., ge=1, le=MAX_ID)):
    who = admin_actor(request)
    associate = _associates(who).filter(pk=associate_id).first()
    if associate is None:
        raise NotVisible
    services.save_associate(who.user, payload.dict(exclude_unset=True), associate)
    return associate_out(_associates(who).get(pk=associate.pk), request)
