"""API: messages to customers (email, SMS) with consent, and their templates."""

from datetime import datetime

from ninja import Field, Path, Router, Schema

from shopfloor.access import NotVisible, visible_outreach
from shopfloor.apikit import LIMIT, MAX_ID, OFFSET, ObjectId, admin_actor, optional_id_query, paginate, staff_actor
from shopfloor.outreach import services
from shopfloor.outreach.models import Channel, MessageTemplate, Purpose

router = Router(tags=["Outreach"])


class OutreachIn(Schema):
    customer_id: ObjectId
    channel: Channel
    template_id: ObjectId | None = Field(None, description="A template; its purpose decides whether consent is "
                                                           "needed (marketing) or not (transactional).")
    subject: str | None = Field(None, max_length=services.MAX_SUBJECT, description="Email only; default the "
                                                                                   "template's.")
    body: str = Field("", max_length=services.MAX_BODY,
                      description="Merge fields: {{first_name}}, {{associate_name}}, {{lookbook_link}}, "
                                  "{{list_link}}; empty: the template's.")


class OutreachOut(Schema):
    id: int
    customer_id: int
    associate_id: int | None
    channel: str
    purpose: str = Field(..., description="marketing (needs consent, has an unsubscribe) or transactional.")
    template_id: int | None
    to: str
    subject: str
    body: str = Field(..., description="As sent: merge fields filled and links tracked.")
    status: str = Field(..., description="queued, sent or failed.")
    error: str
    clicks: int = Field(..., description="Clicks through the message's tracked links.")
    created_at: datetime
    sent_at: datetime | None


class OutreachPage(Schema):
    items: list[OutreachOut]
    count: int


def message_out(message) -> dict:
    return {
        "id": message.pk, "customer_id": message.customer_id, "associate_id": message.associate_id,
        "channel": message.channel, "purpose": message.purpose, "template_id": message.template_id,
        "to": message.to_address, "subject": message.subject, "body": message.body, "status": message.status,
        "error": message.error, "clicks": sum(link.click_count for link in message.links.all()),
        "created_at": message.created_at, "sent_at": message.sent_at,
    }


@router.post("/outreach", response={201: OutreachOut},
             summary="Send an email or SMS to a customer you see; marketing without their opt-in is 409")
def send(request, payload: OutreachIn):
    who = staff_actor(request)
    message = services.send_message(who, payload.customer_id, payload.dict(), base_url=request.build_absolute_uri("/"))
    return 201, message_out(visible_outreach(who).prefetch_related("links").get(pk=message.pk))


@router.get("/outreach", response=OutreachPage, summary="Messages sent to customers you see, newest first")
def list_outreach(request, customer_id: int | None = optional_id_query("Only this customer's."),
                  limit: int = LIMIT, offset: int = OFFSET):
    queryset = visible_outreach(staff_actor(request)).prefetch_related("links").order_by("-created_at", "-id")
    if customer_id is not None:
        queryset = queryset.filter(customer_id=customer_id)
    return paginate(queryset, limit, offset, message_out)


class TemplateIn(Schema):
    name: str = Field(..., max_length=120)
    channel: str = Field("", pattern="^(email|sms|)$", description="email, sms or empty (both).")
    purpose: Purpose = Purpose.MARKETING
    subject: str = Field("", max_length=200)
    body: str = Field(..., max_length=services.MAX_BODY)
    store_id: ObjectId | None = Field(None, description="Only this store's associates; empty: every store.")
    active: bool = True


class TemplatePatch(Schema):
    """Only the fields sent change."""

    name: str | None = Field(None, max_length=120)
    channel: str | None = Field(None, pattern="^(email|sms|)$", description="email, sms or empty (both).")
    purpose: Purpose | None = None
    subject: str | None = Field(None, max_length=200)
    body: str | None = Field(None, max_length=services.MAX_BODY)
    store_id: ObjectId | None = Field(None, description="Only this store's associates; null: every store.")
    active: bool | None = None


class TemplateOut(Schema):
    id: int
    name: str
    channel: str
    purpose: str
    subject: str
    body: str
    store_id: int | None
    active: bool


def template_out(template: MessageTemplate) -> dict:
    return {"id": template.pk, "name": template.name, "channel": template.channel, "purpose": template.purpose,
            "subject": template.subject, "body": template.body, "store_id": template.store_id,
            "active": template.active}


class TemplatePage(Schema):
    items: list[TemplateOut]
    count: int


@router.get("/outreach-templates", response=TemplatePage, summary="Templates you may send with")
def list_templates(request, limit: int = LIMIT, offset: int = OFFSET):
    return paginate(services.templates_for(staff_actor(request)), limit, offset, template_out)


@router.post("/outreach-templates", response={201: TemplateOut}, summary="Write a template (admins)")
def create_template(request, payload: TemplateIn):
    return 201, template_out(services.save_template(admin_actor(request), payload.dict()))


@router.patch("/outreach-templates/{template_id}", response=TemplateOut, summary="Change a template (admins)")
def patch_template(request, payload: TemplatePatch, template_id: int = Path(..., ge=1, le=MAX_ID)):
    who = admin_actor(request)
    template = MessageTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise NotVisible
    return template_out(services.save_template(who, payload.dict(exclude_unset=True), template))
