"""API: customers, the ERP's bulk sync, sales representatives, approval; groups, businesses, agencies."""

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Field, Path, Query, Router, Schema
from pydantic import BaseModel, ValidationError

from shopfloor.access import NotVisible, get_customer_for
from shopfloor.accounts.selectors import photo_url
from shopfloor.apikit import (
    LIMIT,
    MAX_ID,
    OFFSET,
    ObjectId,
    actor,
    admin_actor,
    optional_id_query,
    paginate,
    staff_actor,
)
from shopfloor.customers import listing, selectors, services
from shopfloor.customers.models import Agency, Business, CustomerGroup, CustomerStatus

router = Router(tags=["Customers"])

Id = Path(..., ge=1, le=MAX_ID)
RepCodeText = Annotated[str, Field(min_length=1, max_length=64)]
Tag = Annotated[str, Field(max_length=50)]


class CustomerIn(Schema):
    external_id: str | None = Field(None, max_length=100)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    birthday: date | None = None
    store_id: int = Field(..., ge=1, le=MAX_ID)
    group_id: int | None = Field(None, ge=1, le=MAX_ID)
    business_id: int | None = Field(None, ge=1, le=MAX_ID)
    status: CustomerStatus = CustomerStatus.ACTIVE
    rep_codes: list[RepCodeText] = Field(
        default_factory=list, max_length=50,
        description="The ERP's sales-rep codes, kept before any agency maps them.",
    )
    assigned_associate_ids: list[ObjectId] = Field(default_factory=list, max_length=50)
    primary_associate_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Default: the first assigned."
    )
    email_opt_in: bool = Field(False, description="Marketing email consent; its time is recorded.")
    sms_opt_in: bool = Field(False, description="Marketing SMS consent; its time is recorded.")
    tags: list[Tag] = Field(default_factory=list, max_length=50)


class CustomerPatch(Schema):
    external_id: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    birthday: date | None = None
    store_id: int | None = Field(None, ge=1, le=MAX_ID)
    group_id: int | None = Field(None, ge=1, le=MAX_ID)
    business_id: int | None = Field(None, ge=1, le=MAX_ID)
    status: CustomerStatus | None = None
    rep_codes: list[RepCodeText] | None = Field(None, max_length=50)
    assigned_associate_ids: list[ObjectId] | None = Field(
        None, max_length=50, description="Replaces the assignments; the primary stays if still listed."
    )
    primary_associate_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Given alone, makes this associate primary and keeps the others.")
    email_opt_in: bool | None = Field(None, description="Withdrawing consent clears its time.")
    sms_opt_in: bool | None = Field(None, description="Withdrawing consent clears its time.")
    tags: list[Tag] | None = Field(None, max_length=50)


# The list's representations are plain pydantic models: ninja's Schema wraps every value it validates
# in a getter meant for ORM objects, which costs more than the search on a page of fifty dicts.
class CustomerOut(BaseModel):
    id: int
    external_id: str | None
    email: str
    phone: str
    first_name: str
    last_name: str
    birthday: date | None
    store_id: int
    group_id: int | None
    business_id: int | None
    status: str
    rep_codes: list[str]
    assigned_associate_ids: list[int]
    primary_associate_id: int | None
    email_opt_in: bool
    email_opt_in_at: datetime | None
    sms_opt_in: bool
    sms_opt_in_at: datetime | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime


class CustomerPage(BaseModel):
    items: list[CustomerOut]
    count: int = Field(..., description=(
        f"How many customers match, exactly up to {listing.COUNT_LIMIT:,}. When more match, "
        f"{listing.COUNT_LIMIT + 1:,} (read \"more than {listing.COUNT_LIMIT:,}\"), unless the page "
        "reaches the end of the list: then the exact total. Page on with `offset` until a page comes back "
        "short."
    ))


def customer_out(customer, details: selectors.CustomerDetails | None = None) -> dict:
    if details is None:
        details = selectors.customer_details([customer.pk])[customer.pk]
    return {
        "id": customer.pk, "external_id": customer.external_id, "email": customer.email,
        "phone": customer.phone, "first_name": customer.first_name, "last_name": customer.last_name,
        "birthday": customer.birthday, "store_id": customer.store_id, "group_id": customer.group_id,
        "business_id": customer.business_id, "status": customer.status,
        "rep_codes": details.rep_codes,
        "assigned_associate_ids": details.associate_ids,
        "primary_associate_id": details.primary_associate_id,
        "email_opt_in": customer.email_opt_in, "email_opt_in_at": customer.email_opt_in_at,
        "sms_opt_in": customer.sms_opt_in, "sms_opt_in_at": customer.sms_opt_in_at,
        "tags": customer.tags, "created_at": customer.created_at, "updated_at": customer.updated_at,
    }


def _fetch(who, customer_id):
    return get_customer_for(who, customer_id)


@router.get("/customers", response=CustomerPage,
            summary="Customers you may see; ?q= searches name, email, phone",
            description="Sorted by last name, then first name (case-insensitively), then id. `q` matches the "
                        "start of a first name, a last name or an email address, \"first last\" in either "
                        "order, or 3 or more phone digits. `count` is exact up to "
                        f"{listing.COUNT_LIMIT:,}; {listing.COUNT_LIMIT + 1:,} means more.")
def list_customers(request, q: str = Query("", max_length=100), status: CustomerStatus | None = None,
                   limit: int = LIMIT, offset: int = OFFSET):
    who = staff_actor(request)
    page = selectors.customer_page(who, q, status, limit=limit, offset=offset, prepare=selectors.with_details)
    return {"items": [customer_out(customer, selectors.details_of(customer)) for customer in page.items],
            "count": page.count}


@router.post("/customers", response={201: CustomerOut})
def create_customer(request, payload: CustomerIn):
    who = staff_actor(request)
    customer = services.create_customer(who, payload.dict())
    return 201, customer_out(_fetch(who, customer.pk))


class BulkIn(Schema):
    # Rows are checked one by one (as BulkRow), so one bad row cannot sink the batch.
    customers: list[Any] = Field(
        ..., max_length=1000, description="Customer objects, each with an external_id."
    )


class BulkRowError(Schema):
    index: int = Field(..., description="The row's position in `customers`.")
    external_id: str | None
    detail: list[dict] = Field(..., description='[{"loc": ["body", "customers", index, field], "msg": ...}]')


class BulkWarning(Schema):
    index: int
    external_id: str
    rep_code: str
    detail: str


class BulkOut(Schema):
    created: int
    updated: int
    unchanged: int = Field(..., description="Rows equal to what was stored; nothing was written for them.")
    errors: list[BulkRowError]
    warnings: list[BulkWarning]


class BulkRow(CustomerPatch):
    external_id: str = Field(..., min_length=1, max_length=100)


@router.post("/customers/bulk", response=BulkOut,
             summary="Upsert customers by external_id (the ERP's sync); bad rows are reported by index")
def bulk_customers(request, payload: BulkIn):
    who = admin_actor(request)
    rows, errors = [], []
    for index, raw in enumerate(payload.customers):
        if not isinstance(raw, dict):
            errors.append({"index": index, "external_id": None, "detail": [
                {"loc": ["body", "customers", index], "msg": "Each customer is a JSON object."}]})
            continue
        try:
            rows.append((index, BulkRow.model_validate(raw).dict(exclude_unset=True)))
        except ValidationError as exc:
            external_id = raw.get("external_id")
            errors.append({
                "index": index, "external_id": external_id if isinstance(external_id, str) else None,
                "detail": [{"loc": ["body", "customers", index, *err["loc"]], "msg": err["msg"]}
                           for err in exc.errors(include_url=False)],
            })
    result = services.bulk_upsert_customers(who, rows)
    return {
        "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
        "errors": sorted(errors + result.errors, key=lambda error: error["index"]),
        "warnings": result.warnings,
    }


@router.get("/customers/{customer_id}", response=CustomerOut)
def get_customer(request, customer_id: int = Id):
    return customer_out(_fetch(staff_actor(request), customer_id))


@router.patch("/customers/{customer_id}", response=CustomerOut)
def update_customer(request, payload: CustomerPatch, customer_id: int = Id):
    who = staff_actor(request)
    customer = _fetch(who, customer_id)
    services.update_customer(who, customer, payload.dict(exclude_unset=True))
    return customer_out(_fetch(who, customer_id))


class RepOut(Schema):
    id: int = Field(..., description="The associate's id.")
    name: str
    email: str
    phone: str = Field(..., description="E.164.")
    photo_url: str = Field(..., description="The photo, else an initials avatar; absolute.")
    tel_url: str = Field(..., description='"tel:+351…" for a call link; empty without a phone.')
    mailto_url: str = Field(..., description='"mailto:…" for an email link; empty without an email.')


def rep_out(rep, request) -> dict:
    return {
        "id": rep.pk, "name": rep.name, "email": rep.email, "phone": rep.phone,
        "photo_url": request.build_absolute_uri(photo_url(rep)),
        "tel_url": f"tel:{rep.phone}" if rep.phone else "",
        "mailto_url": f"mailto:{rep.email}" if rep.email else "",
    }


@router.get("/customers/{customer_id}/reps", response=list[RepOut],
            summary="The customer's sales representatives: assigned associates, then rep codes via agencies")
def customer_reps(request, customer_id: int = Id):
    customer = get_customer_for(actor(request), customer_id)
    return [rep_out(rep, request) for rep in services.customer_reps(customer)]


class ApproveIn(Schema):
    associate_id: int | None = Field(None, ge=1, le=MAX_ID)
    group_id: int | None = Field(None, ge=1, le=MAX_ID, description="Approve into this customer group; "
                                 "without associate_id the group's agent is assigned.")


@router.post("/customers/{customer_id}/approve", response=CustomerOut)
def approve_customer(request, payload: ApproveIn | None = None, customer_id: int = Id):
    who = staff_actor(request)
    customer = _fetch(who, customer_id)
    services.approve_customer(who, customer, payload.associate_id if payload else None,
                              payload.group_id if payload else None)
    return customer_out(_fetch(who, customer_id))


@router.post("/customers/{customer_id}/reject", response=CustomerOut)
def reject_customer(request, customer_id: int = Id):
    who = staff_actor(request)
    customer = _fetch(who, customer_id)
    services.reject_customer(who, customer)
    return customer_out(_fetch(who, customer_id))


# Customer groups, businesses, agencies -----------------------------------------------------


class GroupIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    associate_ids: list[ObjectId] = Field(default_factory=list, max_length=200)


class GroupOut(Schema):
    id: int
    name: str
    associate_ids: list[int]


class GroupPage(Schema):
    items: list[GroupOut]
    count: int


def group_out(group) -> dict:
    return {"id": group.pk, "name": group.name, "associate_ids": sorted(a.pk for a in group.associates.all())}


@router.get("/customer-groups", response=GroupPage, tags=["Identity and organisation"])
def list_groups(request, limit: int = LIMIT, offset: int = OFFSET):
    staff_actor(request)
    return paginate(CustomerGroup.objects.prefetch_related("associates"), limit, offset, group_out)


@router.post("/customer-groups", response={201: GroupOut}, tags=["Identity and organisation"])
def create_group(request, payload: GroupIn):
    who = admin_actor(request)
    group = services.save_group(who, payload.dict())
    return 201, group_out(group)


@router.patch("/customer-groups/{group_id}", response=GroupOut, tags=["Identity and organisation"])
def update_group(request, payload: GroupIn, group_id: int = Id):
    who = admin_actor(request)
    group = CustomerGroup.objects.filter(pk=group_id).first()
    if group is None:
        raise NotVisible
    return group_out(services.save_group(who, payload.dict(), group))


class BusinessIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    external_id: str | None = Field(None, max_length=100)


class BusinessOut(Schema):
    id: int
    name: str
    external_id: str | None


class BusinessPage(Schema):
    items: list[BusinessOut]
    count: int


@router.get("/businesses", response=BusinessPage, tags=["Identity and organisation"])
def list_businesses(request, limit: int = LIMIT, offset: int = OFFSET):
    staff_actor(request)
    return paginate(Business.objects.all(), limit, offset,
                    lambda b: {"id": b.pk, "name": b.name, "external_id": b.external_id})


@router.post("/businesses", response={201: BusinessOut}, tags=["Identity and organisation"])
def create_business(request, payload: BusinessIn):
    who = admin_actor(request)
    business = services.save_business(who, payload.dict())
    return 201, {"id": business.pk, "name": business.name, "external_id": business.external_id}


class AgencyRepIn(Schema):
    code: RepCodeText
    associate_id: int = Field(..., ge=1, le=MAX_ID)


class AgencyIn(Schema):
    business_id: int = Field(..., ge=1, le=MAX_ID)
    name: str = Field(..., min_length=1, max_length=200)
    reps: list[AgencyRepIn] = Field(default_factory=list, max_length=500)


class AgencyOut(Schema):
    id: int
    business_id: int
    name: str
    reps: list[AgencyRepIn]


class AgencyPage(Schema):
    items: list[AgencyOut]
    count: int


def agency_out(agency) -> dict:
    return {"id": agency.pk, "business_id": agency.business_id, "name": agency.name,
            "reps": [{"code": r.code, "associate_id": r.associate_id} for r in agency.reps.all()]}


@router.get("/agencies", response=AgencyPage, tags=["Identity and organisation"])
def list_agencies(request, business_id: int | None = optional_id_query("Only this business's agencies."),
                  limit: int = LIMIT, offset: int = OFFSET):
    staff_actor(request)
    queryset = Agency.objects.prefetch_related("reps")
    if business_id is not None:
        queryset = queryset.filter(business_id=business_id)
    return paginate(queryset, limit, offset, agency_out)


@router.post("/agencies", response={201: AgencyOut}, tags=["Identity and organisation"])
def create_agency(request, payload: AgencyIn):
    who = admin_actor(request)
    return 201, agency_out(services.save_agency(who, payload.dict()))


@router.put("/agencies/{agency_id}", response=AgencyOut, tags=["Identity and organisation"])
def replace_agency(request, payload: AgencyIn, agency_id: int = Id):
    who = admin_actor(request)
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise NotVisible
    return agency_out(services.save_agency(who, payload.dict(), agency))


