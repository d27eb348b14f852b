"""Reads on notifications (a user only ever reads their own), announcements and message threads
(visibility from shopfloor.access)."""

from django.db.models import Count, DateTimeField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from shopfloor.access import (
    Actor,
    NotVisible,
    announcement_audience,
    thread_members,
    visible_announcements,
    visible_associates,
    visible_threads,
)
from shopfloor.accounts.models import Associate
from shopfloor.comms.models import (
    Announcement,
    AnnouncementRead,
    Attachment,
    MessageReceipt,
    Notification,
    NotificationKind,
    NotificationPreference,
    Thread,
)


def notifications_for(user, unread_only: bool = False, kind: str | None = None) -> QuerySet:
    notifications = Notification.objects.filter(user=user)
    if kind:
        notifications = notifications.filter(kind=kind)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def email_preferences(user) -> dict[str, bool]:
    """Each kind → whether the user wants it by email (their choice, else the kind's default)."""
    from shopfloor.comms.services import EMAIL_BY_DEFAULT

    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    return {kind: chosen.get(kind, kind in EMAIL_BY_DEFAULT) for kind in NotificationKind.values}


# Announcements ----------------------------------------------------------------------------------------


def announcements_for(actor: Actor) -> QuerySet:
    """What the actor reads, newest first, each with `read_at` (the actor's receipt, or None)."""
    announcements = visible_announcements(actor).prefetch_related("stores", "agent_groups")
    if actor.associate is not None:
        receipt = AnnouncementRead.objects.filter(announcement=OuterRef("pk"), associate=actor.associate)
        announcements = announcements.annotate(read_at=Subquery(receipt.values("read_at")[:1]))
    else:
        announcements = announcements.annotate(read_at=Value(None, output_field=DateTimeField()))
    if actor.is_admin:
        announcements = announcements.annotate(read_count=Count("reads", distinct=True))
    return announcements.order_by("-publish_at", "-id")


def unread_announcements(actor: Actor) -> int:
    """Published announcements for the associate that they have not opened (the nav badge)."""
    associate = actor.associate
    if associate is None:
        return 0
    return visible_announcements(actor).exclude(reads__associate=associate).count()


def read_receipts(announcement: Announcement) -> list[dict]:
    """The audience, each with when they read it (None: not yet), readers first."""
    reads = dict(announcement.reads.values_list("associate_id", "read_at"))
    audience = announcement_audience(announcement).select_related("store").order_by("name", "pk")
    rows = [{"associate": a, "read_at": reads.get(a.pk)} for a in audience]
    rows.sort(key=lambda row: (row["read_at"] is None, row["associate"].name))
    return rows


# Message threads --------------------------------------------------------------------------------------


def threads_for(actor: Actor) -> QuerySet:
    """The actor's threads, latest activity first, each with `unread` (messages to them not yet read)."""
    unread = (
        MessageReceipt.objects.filter(thread=OuterRef("pk"), user=actor.user, read_at__isnull=True)
        .order_by().values("thread").annotate(n=Count("pk")).values("n")
    )
    return (
        visible_threads(actor).select_related("associate__store", "agent")
        .annotate(unread=Coalesce(Subquery(unread), 0))
        .order_by("-last_message_at", "-id")
    )


def unread_messages(actor: Actor) -> int:
    """Threads with messages the user has not read (the nav badge)."""
    if not getattr(actor.user, "is_authenticated", False):
        return 0
    return (MessageReceipt.objects.filter(user=actor.user, read_at__isnull=True)
            .values("thread_id").distinct().count())


def messages_in(thread: Thread) -> QuerySet:
    return thread.messages.select_related("author__associate").prefetch_related("attachments").order_by(
        "created_at", "id"
    )


def get_attachment_for(actor: Actor, attachment_id) -> Attachment:
    """An attachment of a thread the actor is in; NotVisible (404) for everybody else."""
    try:
        return Attachment.objects.select_related("message").get(
            pk=attachment_id, message__thread__in=visible_threads(actor)
        )
    except (ValueError, TypeError, Attachment.DoesNotExist):
        raise NotVisible


def thread_partners(actor: Actor) -> dict:
    """Whom the actor may start a thread with: {"associates": [...] (admins, managers), "subagents": [...],
    "upline": Associate | None, "retailer": bool}."""
    me = actor.associate
    associates = []
    if actor.is_admin or actor.is_manager:
        associates = list(visible_associates(actor).filter(active=True).select_related("store").order_by("name"))
        if me is not None:
            associates = [a for a in associates if a.pk != me.pk]
    subagents = list(Associate.objects.filter(parent=me, active=True).order_by("name")) if me else []
    upline = me.parent if me is not None and me.parent_id and me.parent.active else None
    return {"associates": associates, "subagents": subagents, "upline": upline,
            "retailer": me is not None}


def author_name(user) -> str:
    if user is None:
        return "Someone who left"
    associate = getattr(user, "associate", None)
    return (associate.name if associate else "") or user.get_full_name()


def thread_member_list(thread: Thread) -> list:
    return list(thread_members(thread).select_related("associate").order_by("name", "email"))
