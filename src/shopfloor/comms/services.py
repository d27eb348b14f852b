"""Writes on notifications (sending one, in the console and by email when asked; reading them),
announcements (publishing, delivering, read receipts) and message threads (starting, replying,
attachments, reading, the delayed email for unread messages).

Emails are tasks written in the same transaction (shopfloor.outbox): a notification whose transaction
rolls back (an order that failed to record) never reaches anybody's inbox.
"""

import io
import uuid
from collections import defaultdict
from datetime import datetime, timedelta

import markdown
import nh3
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from shopfloor import outbox, references
from shopfloor.access import (
    Actor,
    NotAllowed,
    NotVisible,
    announcement_audience,
    can_see_customer,
    thread_members,
    visible_associates,
)
from shopfloor.accounts.models import AgentGroup, Associate, Store
from shopfloor.accounts.services import record_event
from shopfloor.comms.models import (
    Announcement,
    AnnouncementRead,
    Attachment,
    Audience,
    CommsSettings,
    Message,
    MessageReceipt,
    Notification,
    NotificationKind,
    NotificationPreference,
    Thread,
    ThreadKind,
)
from shopfloor.errors import InvalidInput
from shopfloor.links import absolute_url


def _email_notification(address: str, title: str, body: str, url: str) -> None:
    text = body
    if url:
        text = f"{body}\n\n{absolute_url(url)}" if body else absolute_url(url)
    outbox.send_email(address, title, text)


# Kinds emailed unless the user turns them off; every other kind only when they ask for it.
EMAIL_BY_DEFAULT = frozenset({NotificationKind.MESSAGE, NotificationKind.AGENT})


def notify(user, kind: str, title: str, body: str = "", url: str = "", email: bool | None = None) -> Notification:
    """Notify one user in the console, and by email (after the transaction commits) when they want this kind
    by email (their per-kind preference, see wants_email). `email=False` keeps it in the console only, for
    callers that send their own email; True or None leave it to the preference."""
    if kind not in NotificationKind.values:
        raise InvalidInput.field("kind", f"Must be one of {', '.join(NotificationKind.values)}.")
    notification = Notification.objects.create(
        user=user, kind=kind, title=title[:200], body=body, url=url[:500]
    )
    if email is not False and user.email and wants_email(user, kind):
        _email_notification(user.email, title, body, url)
    return notification


def mark_read(user, notification_id) -> Notification:
    """Mark one of the user's notifications read (once; reading it again changes nothing)."""
    try:
        notification = Notification.objects.get(pk=notification_id, user=user)
    except (Notification.DoesNotExist, ValueError, TypeError):
        # Someone else's notification is reported missing, like one that does not exist.
        raise NotVisible
    if notification.read_at is None:
        now = timezone.now()
        # Conditional: two tabs reading at once keep the first time.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_read(user) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def set_email_preference(user, kind: str, email: bool) -> NotificationPreference:
    """Whether the user also wants `kind` notifications by email."""
    if kind not in NotificationKind.values:
        raise InvalidInput.field("kind", f"Must be one of {', '.join(NotificationKind.values)}.")
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"email": bool(email)}
    )
    return preference


def wants_email(user, kind: str) -> bool:
    """The user's choice for `kind`, or the kind's default when they never chose."""
    chosen = NotificationPreference.objects.filter(user=user, kind=kind).values_list("email", flat=True).first()
    return kind in EMAIL_BY_DEFAULT if chosen is None else chosen


def set_email_preferences(user, wanted: set[str]) -> dict[str, bool]:
    """Save every kind's email choice at once: the kinds in `wanted` by email, the others in the console only."""
    if unknown := set(wanted) - set(NotificationKind.values):
        raise InvalidInput.field("email", f"Unknown kinds: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        for kind in NotificationKind.values:
            set_email_preference(user, kind, kind in wanted)
    return {kind: kind in wanted for kind in NotificationKind.values}


# Sales ------------------------------------------------------------------------------------


def sale_recipients(order) -> list[Associate]:
    """Who hears about a sale: the credited associate, or in team mode every associate of the credited store."""
    if (order.attributed_associate_id and type(order).attributed_associate.is_cached(order)
            and order.attributed_associate.user_id is None):
        # Read with the order a moment ago (record_order): an associate without a login has nobody to tell.
        return []
    # With the user and the store, so notify_sale's visibility check (access.Actor) reads nothing more.
    people = (Associate.objects.filter(active=True, user__isnull=False, user__is_active=True)
              .select_related("user", "store"))
    if order.attributed_associate_id:
        return list(people.filter(pk=order.attributed_associate_id))
    store = order.attributed_store
    if store is not None and store.is_team_mode:
        return list(people.filter(store_id=store.pk).order_by("name", "pk"))
    return []


def _sale_text(order, recipient: Associate) -> tuple[str, str]:
    amount = f"{order.total} {order.currency}"
    customer = str(order.customer) if order.customer_id else "a guest"
    waiting = order.status == "pending_payment"
    title = f"{'New order waiting for payment' if waiting else 'New sale'}: {amount}"
    if order.attributed_associate_id:
        credit = "is credited to you"
    else:
        credit = f"is credited to {order.attributed_store.name}"
        if order.influencer_id:
            helper = "you" if order.influencer_id == recipient.pk else order.influencer.name
            credit += f"; {helper} helped"
    body = f"Order {order.external_id} from {customer} {credit}."
    if waiting:
        body += " It earns commission once the customer pays."
    return title, body


def notify_sale(order) -> list[Notification]:
    """Tell the people an order is credited to (called by orders.services.record_order, in its transaction)."""
    recipients = sale_recipients(order)
    if not recipients:
        return []
    emailing = set(
        NotificationPreference.objects.filter(
            user_id__in=[r.user_id for r in recipients], kind=NotificationKind.SALE, email=True
        ).values_list("user_id", flat=True)
    )
    dashboard = reverse("console:dashboard")
    sent = []
    for recipient in recipients:
        title, body = _sale_text(order, recipient)
        url = dashboard
        if order.customer_id and can_see_customer(Actor(recipient.user), order.customer):
            url = reverse("console:customer", args=[order.customer_id])
        sent.append(notify(
            recipient.user, NotificationKind.SALE, title, body, url, email=recipient.user_id in emailing
        ))
    return sent


# Announcements ----------------------------------------------------------------------------------------

# Markdown may format and link; no images (no tracking pixels), scripts, styles or frames survive.
MARKDOWN_TAGS = frozenset(nh3.ALLOWED_TAGS) - {"img"}
TITLE_MAX = 200
BODY_MAX = 20_000


def render_markdown(text: str) -> str:
    """The admin's Markdown as HTML safe to show: rendered, then sanitised (nh3)."""
    html = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(html, tags=set(MARKDOWN_TAGS), url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")


def _clean_announcement(data: dict) -> dict:
    title = (data.get("title") or "").strip()
    body = (data.get("body") or "").strip()
    errors = []
    if not title:
        errors.append((("body", "title"), "Give the announcement a title."))
    elif len(title) > TITLE_MAX:
        errors.append((("body", "title"), f"At most {TITLE_MAX} characters."))
    if not body:
        errors.append((("body", "body"), "Write what you want to announce."))
    elif len(body) > BODY_MAX:
        errors.append((("body", "body"), f"At most {BODY_MAX} characters."))
    audience = data.get("audience") or Audience.ALL
    if audience not in Audience.values:
        errors.append((("body", "audience"), f"Must be one of {', '.join(Audience.values)}."))
    # Every id is checked, also in the list the audience leaves unused.
    stores = references.many(Store.objects.all(), data.get("store_ids"), "store_ids", errors=errors)
    groups = references.many(AgentGroup.objects.all(), data.get("agent_group_ids"), "agent_group_ids", errors=errors)
    if errors:
        raise InvalidInput(errors)
    stores = stores if audience == Audience.STORES else []
    groups = groups if audience == Audience.GROUPS else []
    if audience == Audience.STORES and not stores:
        raise InvalidInput.field("store_ids", "Choose at least one store.")
    if audience == Audience.GROUPS and not groups:
        raise InvalidInput.field("agent_group_ids", "Choose at least one agent group.")
    publish_at = data.get("publish_at")
    if publish_at is not None and not isinstance(publish_at, datetime):
        raise InvalidInput.field("publish_at", "A date and time.")
    if publish_at is not None and timezone.is_naive(publish_at):
        publish_at = timezone.make_aware(publish_at)
    return {"title": title, "body": body, "audience": audience, "stores": stores, "groups": groups,
            "publish_at": publish_at}


def save_announcement(actor: Actor, data: dict, announcement: Announcement | None = None) -> Announcement:
    """Publish an announcement (admins): now, or at `publish_at`; editing one changes what readers see,
    and an announcement already delivered is not sent again."""
    if not actor.is_admin:
        raise NotAllowed("Only the retailer's admins publish announcements.")
    clean = _clean_announcement(data)
    now = timezone.now()
    creating = announcement is None
    announcement = announcement or Announcement(created_by=actor.user)
    announcement.title = clean["title"]
    announcement.body = clean["body"]
    announcement.body_html = render_markdown(clean["body"])
    announcement.audience = clean["audience"]
    if announcement.delivered_at is None:
        # A time in the past publishes at once, like no time.
        announcement.publish_at = clean["publish_at"] or now
    with transaction.atomic():
        announcement.save()
        announcement.stores.set(clean["stores"])
        announcement.agent_groups.set(clean["groups"])
        record_event(actor.user, "announcement.created" if creating else "announcement.changed", announcement,
                     audience=announcement.audience, publish_at=announcement.publish_at.isoformat())
        if announcement.publish_at <= now:
            deliver_announcement(announcement, now)
    return announcement


def announcement_url(announcement: Announcement) -> str:
    return reverse("comms:announcement", args=[announcement.pk])


def deliver_announcement(announcement: Announcement, now: datetime | None = None) -> int:
    """Notify the audience once (the conditional UPDATE is the claim: a second run, or a second worker,
    finds it delivered and sends nothing). Returns how many associates were told."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Announcement.objects.filter(
            pk=announcement.pk, delivered_at__isnull=True, publish_at__lte=now
        ).update(delivered_at=now)
        if not claimed:
            return 0
        url = announcement_url(announcement)
        told = 0
        for associate in announcement_audience(announcement).select_related("user"):
            notify(associate.user, NotificationKind.ANNOUNCEMENT, announcement.title, announcement.body, url)
            told += 1
    return told


def deliver_due_announcements(now: datetime | None = None) -> int:
    """The scheduled job: deliver every announcement whose time has come; idempotent."""
    now = now or timezone.now()
    due = Announcement.objects.filter(delivered_at__isnull=True, publish_at__lte=now).order_by("publish_at", "pk")
    return sum(deliver_announcement(announcement, now) for announcement in due)


def read_announcement(actor: Actor, announcement: Announcement) -> AnnouncementRead | None:
    """An associate opened the announcement: their read receipt (the first time is kept), and its
    notification is read too. Admins reading leave no receipt."""
    associate = actor.associate
    if associate is None:
        return None
    now = timezone.now()
    try:
        with transaction.atomic():
            receipt, _ = AnnouncementRead.objects.get_or_create(
                announcement=announcement, associate=associate, defaults={"read_at": now}
            )
    except IntegrityError:  # two tabs at once: the other one wrote it
        receipt = AnnouncementRead.objects.get(announcement=announcement, associate=associate)
    Notification.objects.filter(
        user=actor.user, kind=NotificationKind.ANNOUNCEMENT, url=announcement_url(announcement), read_at__isnull=True
    ).update(read_at=now)
    return receipt


# Message threads --------------------------------------------------------------------------------------

MESSAGE_MAX = 10_000
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
ATTACHMENTS_PER_MESSAGE = 5
# What an attachment may be, known by its first bytes; images are also opened by Pillow.
IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
              "application/pdf": ".pdf"}


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_attachment(upload) -> str:
    """The file's real type (image or PDF) from its content, whatever its name says; InvalidInput otherwise."""
    name = getattr(upload, "name", "") or "file"
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise InvalidInput.field("files", f"{name} is larger than 5 MB.")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = _sniff(head)
    if content_type is None:
        raise InvalidInput.field("files", f"{name} is not an image (PNG, JPEG, GIF, WebP) or a PDF.")
    if content_type.startswith("image/"):
        try:
            with Image.open(io.BytesIO(upload.read())) as image:
                image.verify()
                real = IMAGE_FORMATS.get(image.format)
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            real = None
        upload.seek(0)
        if real != content_type:
            raise InvalidInput.field("files", f"{name} is not a readable image.")
    return content_type


def _clean_message(body: str, files) -> tuple[str, list[tuple[object, str]]]:
    body = (body or "").strip()
    files = list(files or [])
    if not body and not files:
        raise InvalidInput.field("body", "Write a message or attach a file.")
    if len(body) > MESSAGE_MAX:
        raise InvalidInput.field("body", f"At most {MESSAGE_MAX} characters.")
    if len(files) > ATTACHMENTS_PER_MESSAGE:
        raise InvalidInput.field("files", f"At most {ATTACHMENTS_PER_MESSAGE} files per message.")
    return body, [(upload, check_attachment(upload)) for upload in files]


def thread_url(thread: Thread) -> str:
    return reverse("comms:thread", args=[thread.pk])


def _counterpart(actor: Actor, kind: str, associate_id) -> tuple[Associate, Associate | None]:
    """(the thread's associate, its agent) for a new thread the actor starts, checked against who they are."""
    me = actor.associate
    if kind == ThreadKind.RETAILER:
        if associate_id is not None and (actor.is_admin or actor.is_manager):
            return references.one(visible_associates(actor).filter(active=True), associate_id, "associate_id"), None
        if me is None:
            if actor.is_admin:
                raise InvalidInput.field("associate_id", "Choose the associate to write to.")
            raise NotAllowed("Only associates, managers and admins write to the retailer.")
        if associate_id is not None and associate_id != me.pk:
            raise InvalidInput.field("associate_id", "Only admins and managers write to other associates.")
        return me, None
    if kind != ThreadKind.AGENT:
        raise InvalidInput.field("kind", f"Must be one of {', '.join(ThreadKind.values)}.")
    if me is None:
        raise NotAllowed("Only agents write to their subagents or their upline.")
    if associate_id is not None:
        subagent = Associate.objects.filter(pk=associate_id, parent=me, active=True).first()
        if subagent is None:
            raise InvalidInput.field("associate_id", "Not one of your subagents.")
        return subagent, me
    if me.parent_id is None or not me.parent.active:
        raise InvalidInput.field("associate_id", "You have no upline agent; choose one of your subagents.")
    return me, me.parent


def start_thread(actor: Actor, kind: str, subject: str, body: str, associate_id=None, files=()) -> Thread:
    """Start a conversation: with the retailer, or between an agent and a subagent; its first message."""
    subject = (subject or "").strip()
    if not subject:
        raise InvalidInput.field("subject", "Give the conversation a subject.")
    if len(subject) > TITLE_MAX:
        raise InvalidInput.field("subject", f"At most {TITLE_MAX} characters.")
    associate, agent = _counterpart(actor, kind, associate_id)
    body, files = _clean_message(body, files)
    with transaction.atomic():
        thread = Thread.objects.create(
            kind=kind, subject=subject, associate=associate, agent=agent, created_by=actor.user,
            last_message_at=timezone.now(),
        )
        _add_message(actor, thread, body, files)
        record_event(actor.user, "thread.started", thread, kind=kind, associate_id=associate.pk)
    return thread


def post_message(actor: Actor, thread: Thread, body: str, files=()) -> Message:
    """Reply in a thread the actor is a member of (callers fetch it with access.get_thread_for)."""
    body, files = _clean_message(body, files)
    with transaction.atomic():
        return _add_message(actor, thread, body, files)


def _add_message(actor: Actor, thread: Thread, body: str, files) -> Message:
    message = Message.objects.create(thread=thread, author=actor.user, body=body)
    saved = []
    try:
        for upload, content_type in files:
            attachment = Attachment(
                message=message, name=(getattr(upload, "name", "") or "file")[-200:],
                content_type=content_type, size=upload.size,
            )
            attachment.file.save(f"{uuid.uuid4().hex}{EXTENSIONS[content_type]}", upload, save=False)
            saved.append(attachment)
            attachment.save()
    except Exception:
        for attachment in saved:  # a message that is not written leaves no files behind
            attachment.file.delete(save=False)
        raise
    Thread.objects.filter(pk=thread.pk).update(last_message_at=message.created_at)
    thread.last_message_at = message.created_at
    recipients = list(thread_members(thread).exclude(pk=actor.user.pk))
    MessageReceipt.objects.bulk_create([
        MessageReceipt(message=message, user=user, thread=thread, created_at=message.created_at)
        for user in recipients
    ])
    author = actor.associate.name if actor.associate else actor.user.get_full_name()
    preview = body[:140] or f"{len(saved)} attachment{'s' if len(saved) != 1 else ''}"
    url = thread_url(thread)
    for user in recipients:
        # In the console at once; by email only when left unread (send_unread_message_emails).
        notify(user, NotificationKind.MESSAGE, f"{author}: {thread.subject}", preview, url, email=False)
    return message


def read_thread(actor: Actor, thread: Thread) -> int:
    """The actor opened the thread: its messages to them are read (and their notifications)."""
    now = timezone.now()
    count = MessageReceipt.objects.filter(user=actor.user, thread=thread, read_at__isnull=True).update(read_at=now)
    if count:
        Notification.objects.filter(
            user=actor.user, kind=NotificationKind.MESSAGE, url=thread_url(thread), read_at__isnull=True
        ).update(read_at=now)
    return count


def send_unread_message_emails(now: datetime | None = None) -> int:
    """The scheduled job: one email per person with messages they left unread longer than the setting,
    covering all their threads at once; each message is emailed about once (the claim is the UPDATE of
    emailed_at, under row locks on PostgreSQL). People who turned message emails off are skipped.
    Returns how many emails were sent."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=CommsSettings.current().unread_email_after_minutes)
    with transaction.atomic():
        due = list(
            MessageReceipt.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(read_at__isnull=True, emailed_at__isnull=True, created_at__lte=cutoff)
            .select_related("thread", "user").order_by("user_id", "created_at", "pk")
        )
        if not due:
            return 0
        MessageReceipt.objects.filter(pk__in=[r.pk for r in due], emailed_at__isnull=True).update(emailed_at=now)
        per_user: dict[int, list[MessageReceipt]] = defaultdict(list)
        for receipt in due:
            per_user[receipt.user_id].append(receipt)
        sent = 0
        for receipts in per_user.values():
            user = receipts[0].user
            if not user.email or not wants_email(user, NotificationKind.MESSAGE):
                continue
            threads: dict[int, list] = {}
            for receipt in receipts:
                threads.setdefault(receipt.thread_id, [receipt.thread, 0])[1] += 1
            count = len(receipts)
            title = f"You have {count} unread message{'s' if count != 1 else ''}"
            lines = [f"- {thread.subject} ({n} new): {absolute_url(thread_url(thread))}"
                     for thread, n in threads.values()]
            text = "\n".join(["Messages are waiting for you in Shopfloor:", "", *lines])
            outbox.send_email(user.email, title, text)
            sent += 1
    return sent
