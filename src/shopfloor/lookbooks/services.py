"""Writes on lookbooks and "My Looks": making, editing, publishing, revoking, sharing a look with many
customers, and what the customer's page records (opens, product clicks).

Sharing, top to bottom:

    share_look → every customer visible to the actor (else nothing written: unknown ids, or NotVisible)
               → one personalised, published lookbook each (one transaction)
               → each sent by email or SMS as the customer's consent allows (outreach.send_message);
                 the others are reported with the reason
The customer's page:
    record_open          → counts; the first open notifies the author; each day's open is an
                           interaction for attribution rule 4 (orders.record_interaction)
    record_product_click → counts, and records the author's referral (rule 3); the view sets its cookies
                           and goes to the product
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from shopfloor import references
from shopfloor.access import Actor, NotAllowed, NotVisible, visible_customers
from shopfloor.accounts.services import record_event
from shopfloor.attribution.models import InteractionKind
from shopfloor.attribution.referrals import record_referral_click
from shopfloor.attribution.services import record_interaction
from shopfloor.catalog.models import Product
from shopfloor.comms import services as comms
from shopfloor.comms.models import NotificationKind
from shopfloor.customers.models import Customer
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.lookbooks.models import (
    Look,
    Lookbook,
    LookbookEvent,
    LookbookEventKind,
    LookbookItem,
    LookbookStatus,
    LookItem,
)
from shopfloor.outreach import services as outreach
from shopfloor.outreach.models import Channel

MAX_TITLE = 200
MAX_MESSAGE = 4000
MAX_NOTE = 500
MAX_ITEMS = 60
MAX_SHARE = 200
MAX_EXPIRY_DAYS = 366
# What secrets.token_urlsafe makes.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _require_author(actor: Actor):
    """Lookbooks and looks are an associate's (or manager's) own work: admins read, they do not author."""
    if actor.associate is None:
        raise NotAllowed("Only associates and managers make lookbooks and looks.")
    return actor.associate


def _text(data: dict, name: str, limit: int, errors: list, required: bool = False) -> str | None:
    if name not in data or data[name] is None:
        if required:
            errors.append((("body", name), "Field required."))
        return None
    value = str(data[name]).strip()
    if required and not value:
        errors.append((("body", name), "May not be empty."))
    if len(value) > limit:
        errors.append((("body", name), f"At most {limit} characters."))
    return value


def _items(data: dict, errors: list) -> list[tuple[Product, str]] | None:
    """`items: [{sku, note}]` → [(product, note)], in order; unknown SKUs and repeats named by position."""
    if data.get("items") is None:
        return None
    rows = data["items"]
    if len(rows) > MAX_ITEMS:
        errors.append((("body", "items"), f"At most {MAX_ITEMS} products."))
        return None
    skus = [str(row.get("sku") or "").strip() for row in rows]
    products = {product.sku: product for product in Product.objects.filter(sku__in=skus)}
    clean, seen = [], set()
    for index, (row, sku) in enumerate(zip(rows, skus, strict=True)):
        note = str(row.get("note") or "").strip()
        if len(note) > MAX_NOTE:
            errors.append((("body", "items", index, "note"), f"At most {MAX_NOTE} characters."))
        if sku not in products:
            errors.append((("body", "items", index, "sku"), f"No product in the catalog has the SKU {sku!r}."))
        elif sku in seen:
            errors.append((("body", "items", index, "sku"), f"{sku} is already in the list."))
        else:
            seen.add(sku)
            clean.append((products[sku], note))
    return clean


def store_zone(store) -> ZoneInfo:
    """The store's time zone (UTC when it names none we know)."""
    try:
        return ZoneInfo(store.timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError, AttributeError):
        return ZoneInfo("UTC")


def _end_of_day(data: dict, errors: list, store):
    """`expires_on` (a day, as the console's form sends it: "2026-12-31") → the end of that day in the
    store's time zone, so the link works all day for the customer; "" → no expiry; else an error."""
    value = data["expires_on"]
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        try:
            value = datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            errors.append((("body", "expires_on"), "A date, like 2026-12-31."))
            return ...
    if not isinstance(value, date):
        errors.append((("body", "expires_on"), "A date, like 2026-12-31."))
        return ...
    return datetime.combine(value, time(23, 59, 59), tzinfo=store_zone(store))


def _expiry(data: dict, errors: list, store=None):
    """The link's end: `expires_at` (a moment, from the API) or `expires_on` (a day, from the console's form);
    ... when neither is given (unchanged), None for no expiry."""
    if "expires_on" in data:
        name, expires_at = "expires_on", _end_of_day(data, errors, store)
    elif "expires_at" in data:
        name, expires_at = "expires_at", data["expires_at"]
    else:
        return ...
    if expires_at is None or expires_at is ...:
        return expires_at
    now = timezone.now()
    if expires_at <= now:
        errors.append((("body", name), "Must be in the future."))
    elif expires_at > now + timedelta(days=MAX_EXPIRY_DAYS):
        errors.append((("body", name), f"At most {MAX_EXPIRY_DAYS} days from now."))
    return expires_at


# My Looks ------------------------------------------------------------------------------------------


def _write_look_items(look: Look, items) -> None:
    look.items.all().delete()
    LookItem.objects.bulk_create(
        [LookItem(look=look, product=product, note=note, position=index) for index, (product, note) in enumerate(items)]
    )


def create_look(actor: Actor, data: dict) -> Look:
    associate = _require_author(actor)
    errors = []
    title = _text(data, "title", MAX_TITLE, errors, required=True)
    message = _text(data, "message", MAX_MESSAGE, errors) or ""
    items = _items(data, errors) or []
    if not errors and not items:
        errors.append((("body", "items"), "Pick at least one product."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        look = Look.objects.create(author=associate, store=associate.store, title=title, message=message)
        _write_look_items(look, items)
        record_event(actor.user, "look.created", look)
    return look


def update_look(actor: Actor, look: Look, data: dict) -> Look:
    _require_author(actor)
    errors = []
    title = _text(data, "title", MAX_TITLE, errors, required="title" in data)
    message = _text(data, "message", MAX_MESSAGE, errors)
    items = _items(data, errors)
    if items is not None and not items and not errors:
        errors.append((("body", "items"), "Pick at least one product."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        if title is not None:
            look.title = title
        if message is not None:
            look.message = message
        look.save()
        if items is not None:
            _write_look_items(look, items)
        record_event(actor.user, "look.updated", look)
    return look


def delete_look(actor: Actor, look: Look) -> None:
    """The look goes; the lookbooks made from it stay (they are the customers' pages)."""
    _require_author(actor)
    with transaction.atomic():
        record_event(actor.user, "look.deleted", look, title=look.title)
        look.delete()


@dataclass
class ShareOutcome:
    customer: Customer
    lookbook: Lookbook
    channel: str | None = None
    status: str = ""  # the message's delivery status when one was sent
    reason: str = ""  # why nothing was sent


@dataclass
class ShareResult:
    sent: list[ShareOutcome] = field(default_factory=list)
    skipped: list[ShareOutcome] = field(default_factory=list)

    @property
    def lookbooks(self) -> list[Lookbook]:
        return [outcome.lookbook for outcome in (*self.sent, *self.skipped)]


def _greeting(look: Look, customer: Customer, associate) -> str:
    values = {"first_name": customer.first_name or customer.full_name or "there", "associate_name": associate.name}
    template = look.message or "Hello {{first_name}}, I picked these for you. {{associate_name}}"
    # Only the two personal fields: links are added by the message that shares the lookbook.
    return outreach.MERGE_FIELD.sub(lambda match: values.get(match.group(1), match.group(0)), template)


def share_look(actor: Actor, look: Look, customer_ids: list[int], channel: str | None = None,
               base_url: str = "", customers_field: str | None = None) -> ShareResult:
    """One personalised, published lookbook per customer, each sent as their consent allows.

    Every customer must be visible to the actor, else nothing is made: ids from a body's `customers_field`
    (the API) are then unknown there (422), others (the console's picker) NotVisible. A customer
    who may not receive marketing on any channel (or the one asked for) still gets their lookbook
    (the associate can hand them the link) and is reported in `skipped` with the reason.
    """
    associate = _require_author(actor)
    ids = list(dict.fromkeys(customer_ids or []))
    if not ids:
        raise InvalidInput.field("customer_ids", "Pick at least one customer.")
    if len(ids) > MAX_SHARE:
        raise InvalidInput.field("customer_ids", f"At most {MAX_SHARE} customers at a time.")
    if channel not in (None, "", *Channel.values):
        raise InvalidInput.field("channel", "Must be email, sms or empty (whichever the customer agreed to).")
    visible = visible_customers(actor).select_related("store")
    if customers_field is None:
        customers = {c.pk: c for c in visible.filter(pk__in=ids)}
        if len(customers) != len(ids):
            raise NotVisible
    else:
        customers = {c.pk: c for c in references.many(visible, ids, customers_field)}
    items = list(look.items.select_related("product"))
    if not items:
        raise InvalidInput.field("items", "This look has no products left; add some before sharing it.")
    now = timezone.now()
    made: list[Lookbook] = []
    with transaction.atomic():
        for customer_id in ids:
            customer = customers[customer_id]
            lookbook = Lookbook.objects.create(
                customer=customer, author=associate, store=associate.store, look=look, title=look.title,
                message=_greeting(look, customer, associate), cover_product=items[0].product if items else None,
                status=LookbookStatus.PUBLISHED, published_at=now,
            )
            LookbookItem.objects.bulk_create([
                LookbookItem(lookbook=lookbook, product=item.product, note=item.note, position=item.position)
                for item in items
            ])
            made.append(lookbook)
        record_event(actor.user, "look.shared", look, customer_ids=ids, lookbook_ids=[lb.pk for lb in made])
    result = ShareResult()
    for lookbook in made:
        result_item = send_lookbook(actor, lookbook, channel=channel or None, base_url=base_url)
        (result.sent if result_item.channel else result.skipped).append(result_item)
    return result


def send_lookbook(actor: Actor, lookbook: Lookbook, channel: str | None = None, base_url: str = "") -> ShareOutcome:
    """Send the lookbook's link to its customer on a channel they agreed to; the outcome says which, or why not.

    Only a live lookbook is sent (Conflict otherwise: the link would not open)."""
    _require_author(actor)
    if not lookbook.is_live:
        raise Conflict("Only a published lookbook that has not expired can be sent; publish it first.")
    customer = lookbook.customer
    chosen, reason = outreach.marketing_channel(customer, channel)
    if chosen is None:
        return ShareOutcome(customer=customer, lookbook=lookbook, reason=reason)
    path = public_path(lookbook)
    if chosen == Channel.EMAIL:
        body = (f"Hello {{{{first_name}}}},\n\n{lookbook.message}\n\nYour lookbook \u201c{lookbook.title}\u201d "
                f"is ready: {{{{lookbook_link}}}}\n\n{{{{associate_name}}}}")
        data = {"channel": chosen, "subject": f"{lookbook.title}: picked for you", "body": body}
    else:
        data = {"channel": chosen, "body": f"{{{{associate_name}}}} picked \u201c{lookbook.title}\u201d for you: "
                                          f"{{{{lookbook_link}}}}"}
    message = outreach.send_message(actor, customer, data, base_url=base_url, source_ref=f"lookbook:{lookbook.pk}",
                                    link_paths={"lookbook_link": path})
    return ShareOutcome(customer=customer, lookbook=lookbook, channel=chosen, status=message.status)


# Lookbooks -----------------------------------------------------------------------------------------


def public_path(lookbook: Lookbook) -> str:
    return reverse("lookbooks:public", args=[lookbook.token])


def latest_public_path(customer: Customer) -> str:
    """Where {{lookbook_link}} leads in a message written to the customer (registered with outreach by
    LookbooksConfig.ready): their latest live lookbook, whoever made it; "" when none is live."""
    now = timezone.now()
    lookbook = (
        Lookbook.objects.filter(customer=customer, status=LookbookStatus.PUBLISHED)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .order_by("-published_at", "-id").first()
    )
    return public_path(lookbook) if lookbook else ""


def _write_lookbook_items(lookbook: Lookbook, items) -> None:
    lookbook.items.all().delete()
    LookbookItem.objects.bulk_create([
        LookbookItem(lookbook=lookbook, product=product, note=note, position=index)
        for index, (product, note) in enumerate(items)
    ])


def _cover(data: dict, items, lookbook: Lookbook | None, errors: list):
    """The cover: a product of the lookbook (by SKU); default the first product."""
    sku = data.get("cover_sku")
    if sku:
        skus = [product.sku for product, _ in items] if items is not None else list(
            lookbook.items.values_list("product__sku", flat=True)) if lookbook else []
        if sku not in skus:
            errors.append((("body", "cover_sku"), "The cover must be one of the lookbook's products."))
            return None
        return Product.objects.get(sku=sku)
    return ...


def create_lookbook(actor: Actor, customer: Customer | int, data: dict) -> Lookbook:
    """A lookbook for a customer the actor sees: a customer (NotVisible otherwise), or the body's `customer_id`."""
    associate = _require_author(actor)
    customer = references.one(visible_customers(actor), customer, "customer_id")
    errors = []
    title = _text(data, "title", MAX_TITLE, errors, required=True)
    message = _text(data, "message", MAX_MESSAGE, errors) or ""
    items = _items(data, errors) or []
    expires_at = _expiry(data, errors, associate.store)
    cover = _cover(data, items, None, errors)
    if errors:
        raise InvalidInput(errors)
    publish = bool(data.get("publish"))
    if publish and not items:
        raise InvalidInput.field("items", "Add at least one product before publishing.")
    now = timezone.now()
    with transaction.atomic():
        lookbook = Lookbook.objects.create(
            customer=customer, author=associate, store=associate.store, title=title, message=message,
            cover_product=cover if cover is not ... else (items[0][0] if items else None),
            expires_at=None if expires_at is ... else expires_at,
            status=LookbookStatus.PUBLISHED if publish else LookbookStatus.DRAFT, published_at=now if publish else None,
        )
        _write_lookbook_items(lookbook, items)
        record_event(actor.user, "lookbook.created", lookbook, customer_id=customer.pk)
    return lookbook


def update_lookbook(actor: Actor, lookbook: Lookbook, data: dict) -> Lookbook:
    _require_author(actor)
    errors = []
    title = _text(data, "title", MAX_TITLE, errors, required="title" in data)
    message = _text(data, "message", MAX_MESSAGE, errors)
    items = _items(data, errors)
    expires_at = _expiry(data, errors, lookbook.store)
    cover = _cover(data, items, lookbook, errors)
    if items is not None and not items and lookbook.status == LookbookStatus.PUBLISHED and not errors:
        errors.append((("body", "items"), "A published lookbook needs at least one product."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        if title is not None:
            lookbook.title = title
        if message is not None:
            lookbook.message = message
        if expires_at is not ...:
            lookbook.expires_at = expires_at
        if items is not None:
            _write_lookbook_items(lookbook, items)
            products = [product.pk for product, _ in items]
            if cover is ... and lookbook.cover_product_id not in products:
                lookbook.cover_product_id = products[0] if products else None
        if cover is not ... and cover is not None:
            lookbook.cover_product = cover
        lookbook.save()
        record_event(actor.user, "lookbook.updated", lookbook)
    return lookbook


def publish_lookbook(actor: Actor, lookbook: Lookbook) -> Lookbook:
    """Publish (or publish again after a revoke): the same link opens it; publishing twice changes nothing."""
    _require_author(actor)
    if not lookbook.items.exists():
        raise InvalidInput.field("items", "Add at least one product before publishing.")
    with transaction.atomic():
        if lookbook.status != LookbookStatus.PUBLISHED:
            lookbook.status = LookbookStatus.PUBLISHED
            lookbook.published_at = timezone.now()
            lookbook.revoked_at = None
            lookbook.save(update_fields=["status", "published_at", "revoked_at", "updated_at"])
            record_event(actor.user, "lookbook.published", lookbook)
    return lookbook


def revoke_lookbook(actor: Actor, lookbook: Lookbook) -> Lookbook:
    """The link stops working at once (a clear page says so); revoking twice changes nothing."""
    _require_author(actor)
    with transaction.atomic():
        if lookbook.status != LookbookStatus.REVOKED:
            lookbook.status = LookbookStatus.REVOKED
            lookbook.revoked_at = timezone.now()
            lookbook.save(update_fields=["status", "revoked_at", "updated_at"])
            record_event(actor.user, "lookbook.revoked", lookbook)
    return lookbook


# The customer's page -------------------------------------------------------------------------------


def lookbook_for_token(token: str) -> Lookbook | None:
    """The lookbook behind a public link, whatever its state (the view says revoked or expired), or None."""
    if not TOKEN_PATTERN.fullmatch(token or ""):
        # Not a token we could have made (a NUL byte would even upset PostgreSQL): unknown.
        return None
    return (
        Lookbook.objects.select_related("customer", "author", "store", "cover_product")
        .filter(token=token).first()
    )


def record_open(lookbook: Lookbook, visitor_id: str = "") -> bool:
    """The customer opened their lookbook; returns True for the very first open.

    The first open notifies the author; each day's first open is an interaction for
    attribution rule 4 (idempotent per lookbook and day, so reloading adds nothing).
    """
    now = timezone.now()
    with transaction.atomic():
        first = bool(Lookbook.objects.filter(pk=lookbook.pk, opened_at__isnull=True).update(opened_at=now))
        Lookbook.objects.filter(pk=lookbook.pk).update(open_count=F("open_count") + 1, last_opened_at=now)
        LookbookEvent.objects.create(lookbook=lookbook, kind=LookbookEventKind.OPENED, visitor_id=visitor_id[:64],
                                     occurred_at=now)
        author = lookbook.author
        if author.active:
            record_interaction(author, InteractionKind.LOOKBOOK_OPENED, customer=lookbook.customer,
                               visitor_id=visitor_id[:64], occurred_at=now,
                               source_ref=f"lookbook:{lookbook.pk}:{now.date().isoformat()}")
        if first and author.user_id and author.active:
            comms.notify(
                author.user, NotificationKind.LOOKBOOK, f"{lookbook.customer} opened \u201c{lookbook.title}\u201d",
                "They are looking at the lookbook you made for them.",
                reverse("lookbooks:edit", args=[lookbook.pk]),
            )
    lookbook.opened_at = lookbook.opened_at or now
    return first


def record_product_click(lookbook: Lookbook, item: LookbookItem, visitor_id: str = "", next_path: str = "") -> bool:
    """The customer clicked a product of their lookbook: counts it and, while its author is active, records
    the visit as the author's referral (attribution rule 3), in one transaction. True when the referral was
    recorded: the view then sets the referral cookies."""
    now = timezone.now()
    author = lookbook.author
    with transaction.atomic():
        LookbookItem.objects.filter(pk=item.pk).update(click_count=F("click_count") + 1)
        Lookbook.objects.filter(pk=lookbook.pk).update(click_count=F("click_count") + 1)
        LookbookEvent.objects.create(lookbook=lookbook, kind=LookbookEventKind.CLICKED, item=item,
                                     visitor_id=visitor_id[:64], occurred_at=now)
        if not author.active:
            return False
        record_referral_click(author, visitor_id, customer=lookbook.customer, next_path=next_path, clicked_at=now)
    return True
