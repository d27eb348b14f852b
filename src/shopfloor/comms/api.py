"""API: the caller's own notifications."""

from datetime import datetime

from ninja import Path, Query, Router, Schema

from shopfloor.apikit import LIMIT, MAX_ID, OFFSET, actor, paginate
from shopfloor.comms import selectors, services
from shopfloor.comms.models import Notification

router = Router(tags=["Notifications"])


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


def _out(notification: Notification) -> dict:
    return {
        "id": notification.pk, "kind": notification.kind, "title": notification.title,
        "body": notification.body, "url": notification.url, "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


@router.get("/notifications", response=NotificationPage, summary="My notifications, newest first")
def list_notifications(
    request, unread: bool = Query(False, description="Only unread ones."), limit: int = LIMIT, offset: int = OFFSET
):
    user = actor(request).user
    page = paginate(selectors.notifications_for(user, unread_only=unread), limit, offset, _out)
    return {**page, "unread": selectors.unread_count(user)}


@router.post("/notifications/{notification_id}/read", response=NotificationOut,
             summary="Mark one of my notifications read")
def read_notification(request, notification_id: int = Path(..., ge=1, le=MAX_ID)):
    return _out(services.mark_read(actor(request).user, notification_id))
