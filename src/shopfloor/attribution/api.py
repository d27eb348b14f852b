"""API: the interactions attribution rule 4 reads, and the attribution windows."""

from datetime import datetime

from ninja import Field, Query, Router, Schema

from shopfloor.access import get_customer_for, visible_interactions
from shopfloor.apikit import LIMIT, MAX_ID, OFFSET, ApiDateTime, admin_actor, optional_id_query, paginate, staff_actor
from shopfloor.attribution import services
from shopfloor.attribution.models import InteractionKind
from shopfloor.attribution.services import attribution_settings

router = Router(tags=["Attribution"])


# Interactions: the evidence of attribution rule 4 ------------------------------------------


class InteractionIn(Schema):
    kind: InteractionKind = Field(..., description="chat, call, list_notify or lookbook_opened.")
    customer_id: int | None = Field(None, ge=1, le=MAX_ID, description="A customer you may see.")
    visitor_id: str = Field("", max_length=64, description="A website visitor's id (when not a customer).")
    occurred_at: ApiDateTime | None = Field(None, description="ISO 8601 with a zone; default: now.")
    source_ref: str = Field(
        "", max_length=200, description="What it came from (e.g. chat:42); the same ref again returns the first."
    )
    associate_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Whose interaction: yourself by default; managers and admins may "
                                           "name an associate they see.",
    )


class InteractionOut(Schema):
    id: int
    associate_id: int
    kind: str
    customer_id: int | None
    visitor_id: str
    occurred_at: datetime
    source_ref: str
    created_at: datetime


class InteractionPage(Schema):
    items: list[InteractionOut]
    count: int


def interaction_out(interaction) -> dict:
    return {
        "id": interaction.pk, "associate_id": interaction.associate_id, "kind": interaction.kind,
        "customer_id": interaction.customer_id, "visitor_id": interaction.visitor_id,
        "occurred_at": interaction.occurred_at, "source_ref": interaction.source_ref,
        "created_at": interaction.created_at,
    }


@router.post("/interactions", response={201: InteractionOut, 200: InteractionOut}, tags=["Attribution"],
             summary="Record a chat, call, list notification or opened lookbook (idempotent by source_ref)")
def create_interaction(request, payload: InteractionIn):
    interaction = services.record_interaction_for(staff_actor(request), payload.dict())
    return (201 if interaction.created else 200), interaction_out(interaction)


@router.get("/interactions", response=InteractionPage, tags=["Attribution"],
            summary="Interactions you may see, latest first")
def list_interactions(request,
                      customer_id: int | None = optional_id_query("Only this customer's (404 if hidden)."),
                      associate_id: int | None = optional_id_query("Only this associate's."),
                      visitor_id: str | None = Query(None, max_length=64),
                      limit: int = LIMIT, offset: int = OFFSET):
    who = staff_actor(request)
    queryset = visible_interactions(who)
    if customer_id is not None:
        queryset = queryset.filter(customer=get_customer_for(who, customer_id))
    if associate_id is not None:
        queryset = queryset.filter(associate_id=associate_id)
    if visitor_id:
        queryset = queryset.filter(visitor_id=visitor_id)
    return paginate(queryset.order_by("-occurred_at", "-id"), limit, offset, interaction_out)


# Attribution windows ---------------------------------------------------------------------------


class AttributionSettingsOut(Schema):
    attribution_window_days: int = Field(..., description="Rule 3: referral clicks count this many days.")
    influence_window_days: int = Field(..., description="Rule 4: interactions count this many days.")


class AttributionSettingsIn(Schema):
    attribution_window_days: int | None = Field(None, ge=1, le=services.MAX_WINDOW_DAYS)
    influence_window_days: int | None = Field(None, ge=1, le=services.MAX_WINDOW_DAYS)


def attribution_settings_out(row) -> dict:
    return {"attribution_window_days": row.attribution_window_days,
            "influence_window_days": row.influence_window_days}


@router.get("/attribution-settings", response=AttributionSettingsOut, tags=["Attribution"],
            summary="The referral (attribution) and influence windows, in days")
def get_attribution_settings(request):
    staff_actor(request)
    return attribution_settings_out(attribution_settings())


@router.put("/attribution-settings", response=AttributionSettingsOut, tags=["Attribution"],
            summary="Change the windows (admins); fields left out keep their value")
def put_attribution_settings(request, payload: AttributionSettingsIn):
    who = admin_actor(request)
    return attribution_settings_out(services.update_attribution_settings(who, payload.dict()))
