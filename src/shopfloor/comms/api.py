"""API: the caller's notifications and their email preferences, announcements, message threads."""

from datetime import datetime
from typing import Annotated, Literal

from django.http import FileResponse
from ninja import Field, File, Form, Path, Query, Router, Schema
from ninja.errors import ValidationError
from ninja.files import UploadedFile
from pydantic import ValidationError as PydanticValidationError

from shopfloor.access import Actor, get_announcement_for, get_thread_for
from shopfloor.apikit import (
    LIMIT,
    MAX_ID,
    OFFSET,
    ApiDateTime,
    ApiParser,
    RefusedBody,
    actor,
    admin_actor,
    paginate,
    staff_actor,
)
from shopfloor.comms import selectors, services
from shopfloor.comms.models import Announcement, Attachment, Message, Notification, NotificationKind, Thread

router = Router(tags=["Notifications"])

KindName = Literal[tuple(NotificationKind.values)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
KIND_QUERY = Query(None, description="Only this kind.")
FILES = File(None, description="Images (PNG, JPEG, GIF, WebP) or PDFs, 5 MB each.")


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    count: int
    unread: int


class NotificationPreferencesOut(Schema):
    email: dict[str, bool]


class NotificationPreferencesIn(Schema):
    email: dict[KindName, bool]


def _out(notification: Notification) -> dict:
    return {
        "id": notification.pk, "kind": notification.kind, "title": notification.title,
        "body": notification.body, "url": notification.url, "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


@router.get("/notifications", response=NotificationPage, summary="My notifications, newest first")
def list_notifications(
    request, unread: bool = Query(False, description="Only unread ones."),
    kind: KindName | None = KIND_QUERY, limit: int = LIMIT, offset: int = OFFSET,
):
    user = actor(request).user
    page = paginate(selectors.notifications_for(user, unread_only=unread, kind=kind), limit, offset, _out)
    return {**page, "unread": selectors.unread_count(user)}


@router.post("/notifications/{notification_id}/read", response=NotificationOut,
             summary="Mark one of my notifications read")
def read_notification(request, notification_id: int = Path(..., ge=1, le=MAX_ID)):
    return _out(services.mark_read(actor(request).user, notification_id))


@router.post("/notifications/read-all", response=dict, summary="Mark all my notifications read")
def read_all_notifications(request):
    return {"read": services.mark_all_read(actor(request).user)}


@router.get("/notification-preferences", response=NotificationPreferencesOut,
            summary="Which kinds of notification I also get by email (in the console I get every kind)")
def get_preferences(request):
    return {"email": selectors.email_preferences(actor(request).user)}


@router.put("/notification-preferences", response=NotificationPreferencesOut,
            summary="Choose, per kind, whether it also comes by email; kinds left out keep their choice")
def put_preferences(request, payload: NotificationPreferencesIn):
    user = actor(request).user
    chosen = {**selectors.email_preferences(user), **payload.email}
    services.set_email_preferences(user, {kind for kind, wanted in chosen.items() if wanted})
    return {"email": selectors.email_preferences(user)}


# Announcements ----------------------------------------------------------------------------------------

announcements = Router(tags=["Announcements"])


class AnnouncementIn(Schema):
    title: str
    body: str
    audience: Literal["all", "stores", "groups"] = "all"
    store_ids: list[Id] = []
    agent_group_ids: list[Id] = []
    publish_at: ApiDateTime | None = None


class AnnouncementOut(Schema):
    id: int
    title: str
    body: str
    body_html: str
    audience: str
    store_ids: list[int]
    agent_group_ids: list[int]
    publish_at: datetime
    delivered: bool
    read_at: datetime | None
    read_count: int | None


class AnnouncementPage(Schema):
    items: list[AnnouncementOut]
    count: int
    unread: int


class ReceiptOut(Schema):
    associate_id: int
    name: str
    store_id: int
    read_at: datetime | None


class ReceiptPage(Schema):
    items: list[ReceiptOut]
    count: int
    read: int


def _announcement(announcement: Announcement) -> dict:
    return {
        "id": announcement.pk, "title": announcement.title, "body": announcement.body,
        "body_html": announcement.body_html, "audience": announcement.audience,
        "store_ids": sorted(s.pk for s in announcement.stores.all()),
        "agent_group_ids": sorted(g.pk for g in announcement.agent_groups.all()),
        "publish_at": announcement.publish_at, "delivered": announcement.delivered_at is not None,
        "read_at": getattr(announcement, "read_at", None), "read_count": getattr(announcement, "read_count", None),
    }


def _one(who: Actor, announcement_id: int) -> dict:
    get_announcement_for(who, announcement_id)
    return _announcement(selectors.announcements_for(who).get(pk=announcement_id))


@announcements.get("/announcements", response=AnnouncementPage,
                   summary="Announcements for me (admins: every one, scheduled too), newest first")
def list_announcements(request, limit: int = LIMIT, offset: int = OFFSET):
    who = staff_actor(request)
    page = paginate(selectors.announcements_for(who), limit, offset, _announcement)
    return {**page, "unread": selectors.unread_announcements(who)}


@announcements.post("/announcements", response={201: AnnouncementOut},
                    summary="Publish an announcement (admins): to all, some stores or some agent groups, "
                            "now or at publish_at; body is Markdown, sanitised")
def create_announcement(request, payload: AnnouncementIn):
    who = admin_actor(request)
    announcement = services.save_announcement(who, payload.dict())
    return 201, _one(who, announcement.pk)


@announcements.get("/announcements/{announcement_id}", response=AnnouncementOut, summary="One announcement")
def get_announcement(request, announcement_id: int = Path(..., ge=1, le=MAX_ID)):
    return _one(staff_actor(request), announcement_id)


@announcements.post("/announcements/{announcement_id}/read", response=AnnouncementOut,
                    summary="I read it (leaves my read receipt; the first time is kept)")
def read_announcement(request, announcement_id: int = Path(..., ge=1, le=MAX_ID)):
    who = staff_actor(request)
    services.read_announcement(who, get_announcement_for(who, announcement_id))
    return _one(who, announcement_id)


@announcements.get("/announcements/{announcement_id}/receipts", response=ReceiptPage,
                   summary="Who in the audience read it, and when (admins)")
def announcement_receipts(request, announcement_id: int = Path(..., ge=1, le=MAX_ID)):
    who = admin_actor(request)
    rows = selectors.read_receipts(get_announcement_for(who, announcement_id))
    items = [{"associate_id": r["associate"].pk, "name": r["associate"].name, "store_id": r["associate"].store_id,
              "read_at": r["read_at"]} for r in rows]
    return {"items": items, "count": len(items), "read": sum(1 for r in rows if r["read_at"])}


# Message threads --------------------------------------------------------------------------------------

threads = Router(tags=["Messages"])


class ThreadIn(Schema):
    kind: Literal["retailer", "agent"] = "retailer"
    subject: str
    body: str
    associate_id: Id | None = None


class ThreadOut(Schema):
    id: int
    kind: str
    subject: str
    associate_id: int
    agent_id: int | None
    created_at: datetime
    last_message_at: datetime
    unread: int


class ThreadPage(Schema):
    items: list[ThreadOut]
    count: int
    unread: int


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str


class MessageOut(Schema):
    id: int
    thread_id: int
    author_id: int | None
    author_name: str
    body: str
    created_at: datetime
    attachments: list[AttachmentOut]


class MessagePage(Schema):
    items: list[MessageOut]
    count: int


def _thread(thread: Thread) -> dict:
    return {
        "id": thread.pk, "kind": thread.kind, "subject": thread.subject, "associate_id": thread.associate_id,
        "agent_id": thread.agent_id, "created_at": thread.created_at, "last_message_at": thread.last_message_at,
        "unread": getattr(thread, "unread", 0),
    }


def _attachment(attachment: Attachment) -> dict:
    return {"id": attachment.pk, "name": attachment.name, "content_type": attachment.content_type,
            "size": attachment.size, "url": f"/api/v1/attachments/{attachment.pk}"}


def _message(message: Message) -> dict:
    author = message.author
    return {
        "id": message.pk, "thread_id": message.thread_id, "author_id": message.author_id,
        "author_name": selectors.author_name(author), "body": message.body, "created_at": message.created_at,
        "attachments": [_attachment(a) for a in message.attachments.all()],
    }


@threads.get("/threads", response=ThreadPage, summary="My message threads, latest activity first")
def list_threads(request, limit: int = LIMIT, offset: int = OFFSET):
    who = staff_actor(request)
    return {**paginate(selectors.threads_for(who), limit, offset, _thread), "unread": selectors.unread_messages(who)}


def _thread_input(request) -> tuple[ThreadIn, list]:
    """POST /threads takes a JSON body, or a multipart form with the same fields plus `files`, as a reply
    takes them. django-ninja binds one body format per operation, so the two are read here, with the same
    strictness as everywhere else: invalid input is a 422 naming the field."""
    if request.content_type == "multipart/form-data":
        for key, values in request.POST.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise ValidationError([{"type": "value_error", "loc": ["body", key],
                                        "msg": "Text may not contain NUL characters."}])
        data = {key: request.POST[key] for key in ThreadIn.model_fields if key in request.POST}
        if data.get("associate_id") == "":  # an empty form field: nobody chosen
            del data["associate_id"]
        files = request.FILES.getlist("files")
    else:
        try:
            data = ApiParser().parse_body(request)
        except RefusedBody as exc:
            raise ValidationError([{"type": "value_error", "loc": exc.loc, "msg": str(exc)}])
        files = []
    try:
        return ThreadIn.model_validate(data), files
    except PydanticValidationError as exc:
        raise ValidationError([
            {"type": error["type"], "loc": ["body", *error["loc"]], "msg": error["msg"]} for error in exc.errors()
        ])


_THREAD_FORM = {
    **ThreadIn.model_json_schema(),
    "properties": {
        **ThreadIn.model_json_schema()["properties"],
        "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                  "description": "Images (PNG, JPEG, GIF, WebP) or PDFs, 5 MB each."},
    },
}


@threads.post("/threads", response={201: ThreadOut},
              summary="Start a thread: kind retailer (an associate with the admins and their store's managers; "
                      "admins and managers give associate_id) or agent (with a subagent's associate_id, or "
                      "without it, with my upline). JSON, or a multipart form with the same fields and files "
                      "attached to the first message (images PNG/JPEG/GIF/WebP or PDF, 5 MB each, checked by "
                      "content)",
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/json": {"schema": ThreadIn.model_json_schema()},
                  "multipart/form-data": {"schema": _THREAD_FORM},
              }}})
def create_thread(request):
    who = staff_actor(request)
    payload, files = _thread_input(request)
    thread = services.start_thread(who, payload.kind, payload.subject, payload.body, payload.associate_id, files)
    return 201, _thread(selectors.threads_for(who).get(pk=thread.pk))


@threads.get("/threads/{thread_id}", response=ThreadOut, summary="One of my threads")
def get_thread(request, thread_id: int = Path(..., ge=1, le=MAX_ID)):
    who = staff_actor(request)
    get_thread_for(who, thread_id)
    return _thread(selectors.threads_for(who).get(pk=thread_id))


@threads.get("/threads/{thread_id}/messages", response=MessagePage,
             summary="A thread's messages, oldest first; reading them marks them read")
def list_messages(request, thread_id: int = Path(..., ge=1, le=MAX_ID), limit: int = LIMIT, offset: int = OFFSET):
    who = staff_actor(request)
    thread = get_thread_for(who, thread_id)
    page = paginate(selectors.messages_in(thread), limit, offset, _message)
    services.read_thread(who, thread)
    return page


@threads.post("/threads/{thread_id}/messages", response={201: MessageOut},
              summary="Reply (multipart form: body, and files: images PNG/JPEG/GIF/WebP or PDF, 5 MB each, "
                      "checked by content)")
def create_message(request, thread_id: int = Path(..., ge=1, le=MAX_ID), body: str = Form(""),
                   files: list[UploadedFile] = FILES):
    who = staff_actor(request)
    thread = get_thread_for(who, thread_id)
    message = services.post_message(who, thread, body, files or [])
    return 201, _message(message)


@threads.get("/attachments/{attachment_id}", summary="Download an attachment of one of my threads",
             response={200: None})
def download_attachment(request, attachment_id: int = Path(..., ge=1, le=MAX_ID)):
    return attachment_response(selectors.get_attachment_for(staff_actor(request), attachment_id))


def attachment_response(attachment: Attachment) -> FileResponse:
    """The file with the type read from its content; PDFs download, images show."""
    response = FileResponse(
        attachment.file.open("rb"), content_type=attachment.content_type,
        as_attachment=not attachment.is_image, filename=attachment.name,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


router.add_router("", announcements)
router.add_router("", threads)
