"""Writes on collaborative lists: create, save products into rooms, edit items, comment, notify the
customer, duplicate, delete, restore, purge; and the batched comment-alert emails.

Every function takes the actor (an `access.Actor`) and checks what it touches through the access
policy: a list of a customer the actor may not see raises NotVisible (404). The customer
collaborates through `CustomerSide` (their signed link or their own shop session), which may
comment and change quantities only.
"""

import hashlib
import hmac
import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import nh3
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from shopfloor import outbox, references
from shopfloor.access import (
    Actor,
    NotAllowed,
    NotVisible,
    can_restore_list,
    get_customer_for,
    get_list_for,
    require_staff,
    visible_customers,
    visible_lists,
)
from shopfloor.accounts.models import Associate, User
from shopfloor.accounts.services import record_event
from shopfloor.attribution.models import InteractionKind
from shopfloor.attribution.services import record_interaction
from shopfloor.catalog.models import Product
from shopfloor.comms.models import NotificationKind, NotificationPreference
from shopfloor.comms.services import notify
from shopfloor.customers.models import Customer
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.links import absolute_url
from shopfloor.lists.models import (
    ALERT_EMAIL_MINUTES,
    MAX_COMMENT_LENGTH,
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_QUANTITY,
    MAX_ROOM_LENGTH,
    RESTORE_DAYS,
    CommentAlert,
    CustomerList,
    ListComment,
    ListItem,
    ListRoom,
    new_collaboration_secret,
)

DEFAULT_ROOM = "General"
# Saving to many lists at once is a panel gesture, not a bulk import.
MAX_LISTS_PER_SAVE = 20


@dataclass(frozen=True)
class CustomerSide:
    """The list's customer collaborating: through their signed link or their own shop session."""

    customer: Customer
    customer_list: CustomerList

    @property
    def user(self):
        return self.customer.user


# Validation ------------------------------------------------------------------------------------------


# No database column stores a NUL character (PostgreSQL refuses the query): such text is refused by name.
NUL_MESSAGE = "Text may not contain NUL characters."


def _text(value, name: str, max_length: int, *, required: bool = True) -> str:
    text = " ".join(str(value or "").split())
    if "\x00" in text:
        raise InvalidInput.field(name, NUL_MESSAGE)
    if required and not text:
        raise InvalidInput.field(name, "May not be empty.")
    if len(text) > max_length:
        raise InvalidInput.field(name, f"At most {max_length} characters.")
    return text


def _quantity(value, name: str = "quantity") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise InvalidInput.field(name, "A whole number.")
    if not 1 <= value <= MAX_QUANTITY:
        raise InvalidInput.field(name, f"From 1 to {MAX_QUANTITY}.")
    return value


def _note(value) -> str:
    note = str(value or "").strip()
    if "\x00" in note:
        raise InvalidInput.field("note", NUL_MESSAGE)
    if len(note) > MAX_NOTE_LENGTH:
        raise InvalidInput.field("note", f"At most {MAX_NOTE_LENGTH} characters.")
    return note


_ANCHOR = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def _link_text(match: re.Match) -> str:
    href, label = html.unescape(match.group(1)), match.group(2).strip()
    plain = html.unescape(_TAG.sub("", label)).strip()
    return href if not plain or plain == href else f"{plain} ({href})"


def clean_comment(raw) -> str:
    """A comment body as plain text: nh3 keeps text, line breaks and http(s)/mailto links, and drops the rest.

    Stored as text and escaped when rendered (links made clickable there), so no markup a
    person typed ever reaches a page as markup.
    """
    raw = str(raw or "")
    if len(raw) > MAX_COMMENT_LENGTH:
        raise InvalidInput.field("body", f"At most {MAX_COMMENT_LENGTH} characters.")
    cleaned = nh3.clean(
        raw.replace("\r\n", "\n"), tags={"a", "br"}, attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"}, link_rel=None, strip_comments=True,
    )
    cleaned = _ANCHOR.sub(lambda m: html.escape(_link_text(m)), cleaned)
    cleaned = _BREAK.sub("\n", cleaned)
    text = html.unescape(_TAG.sub("", cleaned))
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    text = re.sub(r"\n{3,}", "\n\n", text)
    if not text:
        raise InvalidInput.field("body", "May not be empty.")
    if len(text) > MAX_COMMENT_LENGTH:
        raise InvalidInput.field("body", f"At most {MAX_COMMENT_LENGTH} characters.")
    return text


# Lists -----------------------------------------------------------------------------------------------


def _touch(customer_list: CustomerList) -> None:
    CustomerList.objects.filter(pk=customer_list.pk).update(updated_at=timezone.now())


def _require_live_list(actor: Actor, customer_list: CustomerList) -> CustomerList:
    """The list again through the access policy (it may have been deleted or moved out of sight)."""
    require_staff(actor)
    return get_list_for(actor, customer_list.pk)


def create_list(actor: Actor, customer: Customer | int, name: str) -> CustomerList:
    """A new, empty list for a customer the actor sees (a customer, or the body's `customer_id`)."""
    require_staff(actor)
    customer = references.one(visible_customers(actor), customer, "customer_id")
    name = _text(name, "name", MAX_NAME_LENGTH)
    with transaction.atomic():
        customer_list = CustomerList.objects.create(customer=customer, name=name, created_by=actor.user)
        record_event(actor.user, "list.created", customer_list, customer_id=customer.pk)
    return customer_list


def rename_list(actor: Actor, customer_list: CustomerList, name: str) -> CustomerList:
    customer_list = _require_live_list(actor, customer_list)
    name = _text(name, "name", MAX_NAME_LENGTH)
    with transaction.atomic():
        CustomerList.objects.filter(pk=customer_list.pk).update(name=name, updated_at=timezone.now())
        record_event(actor.user, "list.renamed", customer_list, name=name)
    customer_list.refresh_from_db()
    return customer_list


def _room(customer_list: CustomerList, room_name: str) -> ListRoom:
    """The list's room of that name (case-insensitively), created at the end when new."""
    for room in customer_list.rooms.all():
        if room.name.casefold() == room_name.casefold():
            return room
    position = (customer_list.rooms.aggregate(last=Max("position"))["last"] or 0) + 1
    try:
        with transaction.atomic():
            return ListRoom.objects.create(list=customer_list, name=room_name, position=position)
    except IntegrityError:
        # The same room created a moment earlier by a concurrent save.
        return ListRoom.objects.get(list=customer_list, name=room_name)


def save_product(actor: Actor, lists, sku: str, room_name: str, quantity: int = 1, note: str = "") -> list[ListItem]:
    """Save one product into a room of every given list (lists, or the body's `list_ids`), in one transaction
    (all lists or none).

    Saving a product into a room where it already is adds to its quantity (and replaces the
    note when one is given), so a double click does not make two lines.
    """
    require_staff(actor)
    lists = list(lists)
    if not lists:
        raise InvalidInput.field("list_ids", "Pick at least one list.")
    if len(lists) > MAX_LISTS_PER_SAVE:
        raise InvalidInput.field("list_ids", f"At most {MAX_LISTS_PER_SAVE} lists at once.")
    room_name = _text(room_name or DEFAULT_ROOM, "room", MAX_ROOM_LENGTH)
    quantity = _quantity(quantity)
    note = _note(note)
    sku = str(sku or "").strip()
    product = Product.objects.filter(sku=sku).first() if "\x00" not in sku else None
    if product is None:
        raise InvalidInput.field("sku", "No product has this SKU.")
    # Checked (again) through the access policy, in id order so concurrent saves lock alike.
    checked = sorted(references.many(visible_lists(actor), lists, "list_ids", message="Unknown lists: {ids}."),
                     key=lambda c: c.pk)
    saved = []
    with transaction.atomic():
        for customer_list in checked:
            room = _room(customer_list, room_name)
            item = ListItem.objects.filter(list=customer_list, room=room, product=product).first()
            if item is None:
                try:
                    with transaction.atomic():
                        item = ListItem.objects.create(
                            list=customer_list, room=room, product=product, quantity=quantity, note=note,
                            added_by=actor.user,
                        )
                except IntegrityError:
                    item = ListItem.objects.get(list=customer_list, room=room, product=product)
                    item = _add_quantity(item, quantity, note)
            else:
                item = _add_quantity(item, quantity, note)
            _touch(customer_list)
            record_event(actor.user, "list.item_saved", customer_list, item_id=item.pk, sku=product.sku,
                         room=room.name, quantity=quantity)
            saved.append(item)
    return saved


def _add_quantity(item: ListItem, quantity: int, note: str) -> ListItem:
    changes = {"quantity": F("quantity") + quantity, "updated_at": timezone.now()}
    if note:
        changes["note"] = note
    ListItem.objects.filter(pk=item.pk).update(**changes)
    ListItem.objects.filter(pk=item.pk, quantity__gt=MAX_QUANTITY).update(quantity=MAX_QUANTITY)
    item.refresh_from_db()
    return item


def get_item_for(actor_or_customer, customer_list: CustomerList, item_id) -> ListItem:
    """An item of a list the caller already holds (through the access policy or the link), else NotVisible."""
    try:
        return ListItem.objects.select_related("product", "room").get(pk=item_id, list_id=customer_list.pk)
    except (ValueError, TypeError, ListItem.DoesNotExist):
        raise NotVisible


def update_item(who, item: ListItem, *, quantity=None, room_name=None, note=None) -> ListItem:
    """Change an item's quantity, room or note. The customer (CustomerSide) changes quantities only."""
    if isinstance(who, CustomerSide):
        if who.customer_list.pk != item.list_id:
            raise NotVisible
        if room_name is not None or note is not None:
            raise NotAllowed("Only the associate changes rooms and notes.")
        customer_list, user = who.customer_list, who.user
    else:
        customer_list, user = _require_live_list(who, item.list), who.user
    changes = {}
    if quantity is not None:
        changes["quantity"] = _quantity(quantity)
    if note is not None:
        changes["note"] = _note(note)
    with transaction.atomic():
        if room_name is not None:
            room = _room(customer_list, _text(room_name, "room", MAX_ROOM_LENGTH))
            if room.pk != item.room_id:
                clash = ListItem.objects.filter(list=customer_list, room=room, product_id=item.product_id).first()
                if clash is not None:
                    raise Conflict(f"{item.product.name} is already in {room.name}; change its quantity there.")
                changes["room"] = room
        if not changes:
            return item
        changes["updated_at"] = timezone.now()
        ListItem.objects.filter(pk=item.pk).update(**changes)
        _touch(customer_list)
        record_event(user, "list.item_changed", customer_list, item_id=item.pk,
                     **{key: (value.name if key == "room" else value) for key, value in changes.items()
                        if key != "updated_at"},
                     by_customer=isinstance(who, CustomerSide))
        _drop_empty_rooms(customer_list)
    item.refresh_from_db()
    return item


def _drop_empty_rooms(customer_list: CustomerList) -> None:
    ListRoom.objects.filter(list=customer_list, items__isnull=True).delete()


def remove_item(actor: Actor, item: ListItem) -> None:
    customer_list = _require_live_list(actor, item.list)
    with transaction.atomic():
        deleted, _ = ListItem.objects.filter(pk=item.pk, list=customer_list).delete()
        if not deleted:
            raise NotVisible
        _drop_empty_rooms(customer_list)
        _touch(customer_list)
        record_event(actor.user, "list.item_removed", customer_list, item_id=item.pk, sku=item.product.sku)


# Comments and alerts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Collaborator:
    """Someone a list's new comments are for: "user:<id>" (staff) or "customer:<id>"."""

    key: str
    name: str
    email: str
    user: User | None = None


def collaborators(customer_list: CustomerList) -> list[Collaborator]:
    """Everyone working on the list: its author, the customer's associates (in team mode the store's
    associates, who all serve the customer), staff who commented, and the customer once notified."""
    customer = customer_list.customer
    users: dict[int, User] = {}
    if customer_list.created_by_id:
        users[customer_list.created_by_id] = customer_list.created_by
    associates = Associate.objects.filter(active=True, user__isnull=False, user__is_active=True).select_related("user")
    if customer.store.is_team_mode:
        associates = associates.filter(store_id=customer.store_id)
    else:
        associates = associates.filter(assignments__customer=customer)
    for associate in associates:
        users.setdefault(associate.user_id, associate.user)
    commenter_ids = set(
        customer_list.comments.filter(author__isnull=False, author_customer__isnull=True)
        .values_list("author_id", flat=True)
    ) - set(users)
    for user in User.objects.filter(pk__in=commenter_ids):
        users[user.pk] = user
    people = [
        Collaborator(key=f"user:{user.pk}", name=user.get_full_name(), email=user.email, user=user)
        for user in users.values() if user is not None and user.is_active
    ]
    if customer_list.notified_at is not None or customer_list.comments.filter(author_customer=customer).exists():
        people.append(Collaborator(key=f"customer:{customer.pk}", name=str(customer), email=customer.email,
                                   user=customer.user))
    return people


def _author_key(who) -> str:
    if isinstance(who, CustomerSide):
        return f"customer:{who.customer.pk}"
    return f"user:{who.user.pk}"


def author_display_name(user) -> str:
    """A staff user's name as customers see it: their associate name, else their login's name."""
    associate = Associate.objects.filter(user=user).only("name").first()
    return associate.name if associate and associate.name else user.get_full_name()


def _author_name(who) -> str:
    if isinstance(who, CustomerSide):
        return str(who.customer)
    if who.associate is not None:
        return who.associate.name
    return who.user.get_full_name()


def add_comment(actor_or_customer, customer_list: CustomerList, body: str, item: ListItem | None = None) -> ListComment:
    """Comment on the list or on one of its items; every other collaborator hears of it.

    Staff collaborators get an in-app notification at once; everyone (the customer too) gets
    the comment in a batched email (`send_comment_alert_emails`).
    """
    who = actor_or_customer
    if isinstance(who, CustomerSide):
        if who.customer_list.pk != customer_list.pk or who.customer_list.is_deleted:
            raise NotVisible
        customer_list = who.customer_list
        author, author_customer = who.customer.user, who.customer
    else:
        customer_list = _require_live_list(who, customer_list)
        author, author_customer = who.user, None
    if item is not None and item.list_id != customer_list.pk:
        raise NotVisible
    text = clean_comment(body)
    with transaction.atomic():
        comment = ListComment.objects.create(
            list=customer_list, item=item, author=author, author_customer=author_customer,
            author_name=_author_name(who)[:200], body=text,
        )
        _touch(customer_list)
        record_event(author, "list.commented", customer_list, comment_id=comment.pk,
                     item_id=item.pk if item else None, by_customer=author_customer is not None)
        _alert_collaborators(comment, _author_key(who))
    return comment


def _alert_collaborators(comment: ListComment, author_key: str) -> None:
    customer_list = comment.list
    about = f" on {comment.item.product.name}" if comment.item_id else ""
    title = f"{comment.author_name} commented{about} in “{customer_list.name}”"
    url = reverse("lists:detail", args=[customer_list.pk])
    alerts = []
    for person in collaborators(customer_list):
        if person.key == author_key:
            continue
        if person.user is not None and person.key.startswith("user:"):
            notify(person.user, NotificationKind.LIST_COMMENT, title, comment.body[:300], url)
        if person.email:
            alerts.append(CommentAlert(comment=comment, list=customer_list, recipient=person.key, email=person.email))
    CommentAlert.objects.bulk_create(alerts, ignore_conflicts=True)


def _opted_out_users(user_ids) -> set[int]:
    """Staff who switched list-comment emails off in their notification settings."""
    return set(
        NotificationPreference.objects.filter(
            user_id__in=user_ids, kind=NotificationKind.LIST_COMMENT, email=False
        ).values_list("user_id", flat=True)
    )


def send_comment_alert_emails(now: datetime | None = None) -> int:
    """Email each collaborator the comments they have not been emailed about, one email per list,
    at most one per list every ALERT_EMAIL_MINUTES. Idempotent: alerts are claimed by a
    conditional update, so two workers never send the same comment twice. Returns emails sent."""
    now = now or timezone.now()
    quiet_since = now - timedelta(minutes=ALERT_EMAIL_MINUTES)
    waiting = (
        CommentAlert.objects.filter(emailed_at__isnull=True)
        .values_list("list_id", "recipient").distinct().order_by("list_id", "recipient")
    )
    opted_out = _opted_out_users(
        {int(recipient.split(":")[1]) for _, recipient in waiting if recipient.startswith("user:")}
    )
    sent = 0
    for list_id, recipient in waiting:
        recently = CommentAlert.objects.filter(list_id=list_id, recipient=recipient, emailed_at__gt=quiet_since)
        if recently.exists():
            continue
        with transaction.atomic():
            alerts = list(
                CommentAlert.objects.filter(list_id=list_id, recipient=recipient, emailed_at__isnull=True)
                .select_related("comment__item__product", "list__customer").order_by("comment__created_at", "id")
            )
            if not alerts:
                continue
            claimed = CommentAlert.objects.filter(
                pk__in=[alert.pk for alert in alerts], emailed_at__isnull=True
            ).update(emailed_at=now)
            if claimed != len(alerts):
                # Another worker claimed some of them: it sends them.
                transaction.set_rollback(True)
                continue
            customer_list = alerts[0].list
            if customer_list.is_deleted:
                continue
            if recipient.startswith("user:") and int(recipient.split(":")[1]) in opted_out:
                continue
            subject, text = _alert_email(customer_list, recipient, [alert.comment for alert in alerts])
            outbox.send_email(alerts[-1].email, subject, text)
            sent += 1
    return sent


def _alert_email(customer_list: CustomerList, recipient: str, comments: list[ListComment]) -> tuple[str, str]:
    count = len(comments)
    subject = f"{count} new comment{'s' if count != 1 else ''} on “{customer_list.name}”"
    if recipient.startswith("customer:"):
        link = absolute_url(collaboration_path(customer_list), customer_list.site_url)
    else:
        link = absolute_url(reverse("lists:detail", args=[customer_list.pk]), customer_list.site_url)
    lines = [f"New on the list “{customer_list.name}” for {customer_list.customer}:", ""]
    for comment in comments:
        about = f" on {comment.item.product.name}" if comment.item_id else ""
        when = timezone.localtime(comment.created_at).strftime("%d %b %H:%M")
        lines.append(f"{comment.author_name}{about} ({when}):")
        lines.extend(f"  {line}" for line in comment.body.splitlines())
        lines.append("")
    lines.append(f"Open the list: {link}")
    return subject, "\n".join(lines)


# Sharing with the customer ---------------------------------------------------------------------------


def _signature(customer_list: CustomerList) -> str:
    message = f"shopfloor.lists.collaborate:{customer_list.pk}:{customer_list.collaboration_secret}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:40]


def collaboration_token(customer_list: CustomerList) -> str:
    """`<list id>-<HMAC of the id and the list's secret>`: unguessable (160 bits), revoked by a new secret."""
    return f"{customer_list.pk}-{_signature(customer_list)}"


def collaboration_path(customer_list: CustomerList) -> str:
    return reverse("lists:collaborate", args=[collaboration_token(customer_list)])


def latest_collaboration_path(customer: Customer) -> str:
    """Where {{list_link}} leads in a message written to the customer (registered with outreach by
    ListsConfig.ready): their latest list that is not deleted; "" when they have none."""
    customer_list = (
        CustomerList.objects.filter(customer=customer, deleted_at__isnull=True).order_by("-updated_at", "-id").first()
    )
    return collaboration_path(customer_list) if customer_list else ""


def list_for_token(token: str) -> CustomerList:
    """The live list a collaboration token opens, or NotVisible for a forged, tampered or revoked one."""
    list_id, _, signature = str(token or "").partition("-")
    if not list_id.isdigit() or len(list_id) > 18 or not signature:
        raise NotVisible
    customer_list = (
        CustomerList.objects.select_related("customer__store").filter(pk=int(list_id), deleted_at__isnull=True).first()
    )
    if customer_list is None or not hmac.compare_digest(signature.encode(), _signature(customer_list).encode()):
        raise NotVisible
    return customer_list


def notify_customer(actor: Actor, customer_list: CustomerList, base_url: str = "") -> str:
    """Email the customer a link to collaborate on the list; records a "list notify" interaction
    (attribution rule 4) for the associate. Returns the link; `customer_list.notified_at` is set."""
    given, customer_list = customer_list, _require_live_list(actor, customer_list)
    customer = customer_list.customer
    if not customer.email:
        raise Conflict(f"{customer} has no email address; add one to their profile first.")
    url = absolute_url(collaboration_path(customer_list), base_url)
    sender = actor.associate.name if actor.associate else "Your sales associate"
    store = customer.store.name
    subject = f"{sender} shared a list with you: {customer_list.name}"
    text = (
        f"Hello {customer.first_name or customer},\n\n"
        f"{sender} from {store} put together the list “{customer_list.name}” for you. "
        "Open it to see the products, leave comments and change quantities:\n\n"
        f"{url}\n\nThis link is personal; please do not forward it."
    )
    now = timezone.now()
    with transaction.atomic():
        site = (base_url or "").rstrip("/")[:200]
        CustomerList.objects.filter(pk=customer_list.pk).update(notified_at=now, **({"site_url": site} if site else {}))
        if actor.associate is not None:
            record_interaction(actor.associate, InteractionKind.LIST_NOTIFY, customer=customer, occurred_at=now)
        record_event(actor.user, "list.customer_notified", customer_list, customer_id=customer.pk)
        outbox.send_email(customer.email, subject, text)
    given.notified_at = customer_list.notified_at = now
    return url


def revoke_collaboration_link(actor: Actor, customer_list: CustomerList) -> CustomerList:
    """A new per-list secret: every link sent so far stops working (notify again to send a new one)."""
    customer_list = _require_live_list(actor, customer_list)
    with transaction.atomic():
        CustomerList.objects.filter(pk=customer_list.pk).update(collaboration_secret=new_collaboration_secret())
        record_event(actor.user, "list.link_revoked", customer_list)
    customer_list.refresh_from_db()
    return customer_list


# Duplicate, delete, restore, purge -------------------------------------------------------------------


def duplicate_list(actor: Actor, customer_list: CustomerList, customer: Customer | int | None = None,
                   name: str = "") -> CustomerList:
    """A copy of the list's rooms and items (not its comments) for the same or another visible customer (a
    customer, or the body's `customer_id`)."""
    source = _require_live_list(actor, customer_list)
    if customer is None:
        target_customer = get_customer_for(actor, source.customer_id)
    else:
        target_customer = references.one(visible_customers(actor), customer, "customer_id")
    name = _text(name or f"{source.name} (copy)"[:MAX_NAME_LENGTH], "name", MAX_NAME_LENGTH)
    with transaction.atomic():
        copy = CustomerList.objects.create(customer=target_customer, name=name, created_by=actor.user)
        rooms = {}
        for room in source.rooms.all():
            rooms[room.pk] = ListRoom.objects.create(list=copy, name=room.name, position=room.position)
        ListItem.objects.bulk_create([
            ListItem(list=copy, room=rooms[item.room_id], product_id=item.product_id, quantity=item.quantity,
                     note=item.note, added_by=actor.user)
            for item in source.items.all()
        ])
        record_event(actor.user, "list.duplicated", copy, source_id=source.pk, customer_id=target_customer.pk)
    return copy


def delete_list(actor: Actor, customer_list: CustomerList) -> CustomerList:
    """Soft delete: hidden at once, restorable for RESTORE_DAYS by its author or a manager."""
    customer_list = _require_live_list(actor, customer_list)
    now = timezone.now()
    with transaction.atomic():
        changed = CustomerList.objects.filter(pk=customer_list.pk, deleted_at__isnull=True).update(
            deleted_at=now, deleted_by=actor.user
        )
        if not changed:
            raise NotVisible
        record_event(actor.user, "list.deleted", customer_list)
    customer_list.deleted_at, customer_list.deleted_by = now, actor.user
    return customer_list


def restorable_until(customer_list: CustomerList) -> datetime | None:
    return customer_list.deleted_at + timedelta(days=RESTORE_DAYS) if customer_list.deleted_at else None


def restore_list(actor: Actor, customer_list: CustomerList) -> CustomerList:
    require_staff(actor)
    customer_list = get_list_for(actor, customer_list.pk, deleted=True)
    if not can_restore_list(actor, customer_list):
        raise NotAllowed("Only the list's author or a store manager may restore it.")
    if restorable_until(customer_list) <= timezone.now():
        raise NotVisible
    with transaction.atomic():
        changed = CustomerList.objects.filter(pk=customer_list.pk, deleted_at__isnull=False).update(
            deleted_at=None, deleted_by=None, updated_at=timezone.now()
        )
        if not changed:
            raise Conflict("The list was restored meanwhile.")
        record_event(actor.user, "list.restored", customer_list)
    customer_list.refresh_from_db()
    return customer_list


def purge_deleted_lists(now: datetime | None = None) -> int:
    """Remove lists deleted more than RESTORE_DAYS ago, with their items and comments. Idempotent."""
    cutoff = (now or timezone.now()) - timedelta(days=RESTORE_DAYS)
    purged = 0
    for list_id in CustomerList.objects.filter(deleted_at__lte=cutoff).values_list("pk", flat=True):
        with transaction.atomic():
            deleted, _ = CustomerList.objects.filter(pk=list_id, deleted_at__lte=cutoff).delete()
            if deleted:
                record_event(None, "list.purged", CustomerList(pk=list_id))
                purged += 1
    return purged
