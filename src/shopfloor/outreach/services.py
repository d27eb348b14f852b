"""Writes on outreach: sending an email or SMS to a customer (consent, merge fields, tracked links,
delivery status), recording link clicks, one-click unsubscribe, and social share links.

The path of a message, top to bottom:

    send_message → the template and channel are checked → consent (marketing needs the opt-in: 409)
                 → merge fields filled → links rewritten to /o/l/<token> → the message is recorded
                 → a delivery task, run after COMMIT (outreach.delivery) → its delivery status recorded
    /o/l/<token>        → record_click → redirect to the URL the message contained (only that one)
    /o/unsubscribe/<t>  → unsubscribe → the customer's email consent is off

Link merge fields ({{lookbook_link}}, {{list_link}}) lead to what other apps keep, so those apps sit above
outreach: each says, from its AppConfig.ready(), where its field leads for a customer:

    from shopfloor.outreach import services as outreach
    outreach.register_link_field("lookbook_link", latest_public_path)  # customer → a site path, or ""

A sender that knows the record to link (sending one lookbook) passes its path instead: send_message(...,
link_paths={"lookbook_link": path}).
"""

import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from shopfloor import jobs, references
from shopfloor.access import Actor, NotAllowed, require_admin, visible_customers
from shopfloor.accounts.models import Associate, Store
from shopfloor.accounts.services import record_event
from shopfloor.customers.models import Customer
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.links import absolute_url
from shopfloor.outreach.delivery import consent_problem, deliver_message_task
from shopfloor.outreach.models import Channel, MessageTemplate, OutreachMessage, Purpose, TrackedLink

logger = logging.getLogger(__name__)

MAX_SUBJECT = 200
MAX_BODY = 5000
# A text message longer than this is split by phones into many; associates keep them short.
MAX_SMS_BODY = 1000
MERGE_FIELD = re.compile(r"\{\{\s*([a-zA-Z_]+)\s*\}\}")
# Named here rather than registered: saved templates use these names, and a template stays valid (and the
# composer's help keeps its order) whichever apps are installed to fill the links.
MERGE_FIELDS = {
    "first_name": "The customer's first name.",
    "associate_name": "Your name.",
    "lookbook_link": "The link to the customer's latest lookbook.",
    "list_link": "The link to the customer's latest list.",
}
# The link fields, and what a customer without that link lacks (in the error that refuses the message).
LINK_FIELDS = {"lookbook_link": "published lookbook", "list_link": "list"}
# http(s) links in a message; trailing punctuation belongs to the sentence, not the link.
LINK = re.compile(r"https?://[^\s<>\"']+")
TRAILING = ".,;:!?)]}'\""
# What secrets.token_urlsafe makes; anything else is no link of ours (a NUL byte would even upset PostgreSQL).
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,40}")


# Merge fields ---------------------------------------------------------------------------------


_latest_paths: dict[str, Callable[[Customer], str]] = {}


def register_link_field(name: str, latest_path: Callable[[Customer], str]) -> None:
    """Say where the link field `name` leads: `latest_path(customer)` is a site path, "" when there is none.

    Registering a field again replaces its function; a field nobody registered has no link for anyone."""
    if name not in LINK_FIELDS:
        raise ValueError(f"{name!r} is not a link merge field; use one of {', '.join(LINK_FIELDS)}.")
    _latest_paths[name] = latest_path


def merge_values(customer: Customer, associate: Associate | None, base_url: str = "",
                 link_paths: dict[str, str] | None = None) -> dict:
    """What each merge field stands for, for this customer; links are absolute, "" when there is none.

    `link_paths`: paths the caller chose for link fields (the lookbook being sent); the other link fields
    lead where their app registered."""
    link_paths = link_paths or {}
    values = {
        "first_name": customer.first_name or customer.full_name or "there",
        "associate_name": associate.name if associate else customer.store.name,
    }
    for name in LINK_FIELDS:
        latest = _latest_paths.get(name)
        path = link_paths.get(name) or (latest(customer) if latest else "")
        values[name] = absolute_url(path, base_url) if path else ""
    return values


def fill_merge_fields(text: str, values: dict, loc: str = "body") -> str:
    """`{{first_name}}` and friends filled in; an unknown field or a link the customer lacks is refused (422)."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise InvalidInput.field(loc, f"Unknown merge field {{{{{name}}}}}; use one of "
                                          f"{', '.join('{{' + key + '}}' for key in MERGE_FIELDS)}.")
        if values[name] == "":
            what = LINK_FIELDS.get(name, name)
            raise InvalidInput.field(loc, f"This customer has no {what} to link to; remove {{{{{name}}}}}.")
        return values[name]

    return MERGE_FIELD.sub(replace, text)


# Sending --------------------------------------------------------------------------------------


def templates_for(actor: Actor, channel: str | None = None):
    """The active templates an associate may use: every store's and their own store's."""
    templates = MessageTemplate.objects.filter(active=True)
    if not actor.is_admin:
        templates = templates.filter(Q(store__isnull=True) | Q(store_id=getattr(actor.store, "pk", None)))
    if channel:
        templates = templates.filter(Q(channel="") | Q(channel=channel))
    return templates


def marketing_channel(customer: Customer, preferred: str | None = None) -> tuple[str | None, str]:
    """The channel a marketing message may reach the customer on (the preferred one, else email, else SMS),
    or (None, the reason none may)."""
    channels = [preferred] if preferred else [Channel.EMAIL, Channel.SMS]
    reasons = []
    for channel in channels:
        problem = consent_problem(customer, channel)
        if not problem:
            return channel, ""
        reasons.append(problem)
    return None, "; ".join(dict.fromkeys(reasons))


def _track_links(message: OutreachMessage, text: str, base_url: str) -> str:
    """Each http(s) link becomes /o/l/<token>; the redirect leads only to the URL found here."""
    links: dict[str, TrackedLink] = {}

    def replace(match: re.Match) -> str:
        url = match.group(0)
        trailing = ""
        while url and url[-1] in TRAILING:
            trailing = url[-1] + trailing
            url = url[:-1]
        if not url or len(url) > 1000:
            return match.group(0)
        link = links.get(url)
        if link is None:
            link = links[url] = TrackedLink.objects.create(message=message, url=url)
        return absolute_url(reverse("outreach:link", args=[link.token]), base_url) + trailing

    return LINK.sub(replace, text)


@dataclass
class Draft:
    channel: str
    purpose: str
    subject: str
    body: str
    template: MessageTemplate | None


def _clean(actor: Actor, customer: Customer, data: dict) -> Draft:
    errors = []
    channel = data.get("channel") or ""
    if channel not in Channel.values:
        errors.append((("body", "channel"), "Must be email or sms."))
    template = None
    if data.get("template_id") is not None:
        template = templates_for(actor).filter(pk=data["template_id"]).first()
        if template is None:
            errors.append((("body", "template_id"), "Unknown template."))
        elif template.channel and channel in Channel.values and template.channel != channel:
            errors.append((("body", "template_id"), f"This template is for {template.get_channel_display()}."))
    subject = (data.get("subject") or "").strip()
    body = (data.get("body") or "").strip()
    if template is not None:
        subject = subject or template.subject
        body = body or template.body
    if not body:
        errors.append((("body", "body"), "Write a message or choose a template."))
    limit = MAX_SMS_BODY if channel == Channel.SMS else MAX_BODY
    if len(body) > limit:
        errors.append((("body", "body"), f"At most {limit} characters."))
    if len(subject) > MAX_SUBJECT:
        errors.append((("body", "subject"), f"At most {MAX_SUBJECT} characters."))
    if errors:
        raise InvalidInput(errors)
    purpose = template.purpose if template is not None else Purpose.MARKETING
    return Draft(channel=channel, purpose=purpose, subject=subject, body=body, template=template)


def send_message(actor: Actor, customer: Customer | int, data: dict, *, base_url: str = "", source_ref: str = "",
                 link_paths: dict[str, str] | None = None) -> OutreachMessage:
    """Send one email or SMS to a customer the actor sees; returns the recorded message with its status.

    `customer`: a customer (NotVisible unless the actor sees them), or the body's `customer_id` (unknown
    unless they do: 422).

    `data`: channel, body, and optionally subject and template_id. A message without a template,
    or with a marketing template, is marketing: it needs the customer's opt-in for the channel
    (Conflict → 409, nothing recorded or sent). Transactional templates (admins write them) go
    regardless. The message is recorded first, then handed to the email backend or SMS provider;
    a refusal is recorded as `failed` with the reason, never raised.
    """
    if not actor.is_staff_member:
        raise NotAllowed("Only the retailer's staff send messages to customers.")
    customer = references.one(visible_customers(actor).select_related("store"), customer, "customer_id")
    draft = _clean(actor, customer, data)
    address = customer.email if draft.channel == Channel.EMAIL else customer.phone
    if not address:
        what = "email address" if draft.channel == Channel.EMAIL else "mobile number"
        raise InvalidInput.field("channel", f"{customer} has no {what}.")
    if draft.purpose == Purpose.MARKETING:
        problem = consent_problem(customer, draft.channel)
        if problem:
            raise Conflict(f"{customer}: {problem}. Marketing messages need the customer's consent.")
    associate = actor.associate
    values = merge_values(customer, associate, base_url, link_paths=link_paths)
    subject = fill_merge_fields(draft.subject, values, "subject")
    body = fill_merge_fields(draft.body, values, "body")
    if draft.channel == Channel.EMAIL and not subject:
        subject = f"A message from {values['associate_name']}"
    with transaction.atomic():
        message = OutreachMessage.objects.create(
            customer=customer, associate=associate, store=customer.store, channel=draft.channel,
            purpose=draft.purpose, template=draft.template, to_address=address, subject=subject, body=body,
            source_ref=source_ref[:100],
            unsubscribe_token=(secrets.token_urlsafe(24)
                               if draft.purpose == Purpose.MARKETING and draft.channel == Channel.EMAIL else None),
        )
        message.body = _track_links(message, body, base_url)
        message.save(update_fields=["body"])
        record_event(actor.user, "outreach.sent", message, customer_id=customer.pk, channel=draft.channel,
                     purpose=draft.purpose)
        jobs.defer(deliver_message_task, message.pk, base_url)
    return message


# Clicks and unsubscribes -------------------------------------------------------------------------


def link_for_token(token: str) -> TrackedLink | None:
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return None
    return TrackedLink.objects.filter(token=token).first()


def record_click(token: str) -> TrackedLink | None:
    """A click through a tracked link: counted, and the first time kept; None for an unknown token."""
    link = link_for_token(token)
    if link is None:
        return None
    now = timezone.now()
    TrackedLink.objects.filter(pk=link.pk).update(click_count=F("click_count") + 1, last_clicked_at=now)
    TrackedLink.objects.filter(pk=link.pk, first_clicked_at__isnull=True).update(first_clicked_at=now)
    return link


def message_for_unsubscribe(token: str) -> OutreachMessage | None:
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return None
    return OutreachMessage.objects.select_related("customer", "store").filter(unsubscribe_token=token).first()


def unsubscribe(message: OutreachMessage) -> Customer:
    """Turn off the customer's marketing email consent (the one-click link of any marketing email)."""
    now = timezone.now()
    with transaction.atomic():
        Customer.objects.filter(pk=message.customer_id).update(email_opt_in=False, email_opt_in_at=None,
                                                               updated_at=now)
        OutreachMessage.objects.filter(pk=message.pk, unsubscribed_at__isnull=True).update(unsubscribed_at=now)
        record_event(None, "customer.unsubscribed", message.customer, channel="email", message_id=message.pk)
    message.customer.refresh_from_db(fields=["email_opt_in", "email_opt_in_at"])
    return message.customer


# Templates (admins) ---------------------------------------------------------------------------


def save_template(actor: Actor, data: dict, template: MessageTemplate | None = None) -> MessageTemplate:
    require_admin(actor)
    errors = []
    template = template or MessageTemplate()
    for name in ("name", "channel", "purpose", "subject", "body", "active"):
        if name in data and data[name] is not None:
            setattr(template, name, data[name])
    if "store_id" in data:
        store = references.one(Store.objects.all(), data["store_id"], "store_id", errors=errors)
        if store is not None or data["store_id"] is None:
            template.store = store
    if not (template.name or "").strip():
        errors.append((("body", "name"), "Give the template a name."))
    if not (template.body or "").strip():
        errors.append((("body", "body"), "Write the message."))
    if template.channel not in ("", *Channel.values):
        errors.append((("body", "channel"), "Must be email, sms or empty (both)."))
    if template.purpose not in Purpose.values:
        errors.append((("body", "purpose"), "Must be marketing or transactional."))
    for loc, text in (("subject", template.subject or ""), ("body", template.body or "")):
        for name in MERGE_FIELD.findall(text):
            if name not in MERGE_FIELDS:
                errors.append((("body", loc), f"Unknown merge field {{{{{name}}}}}."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        template.save()
        record_event(actor.user, "outreach_template.saved", template)
    return template


# Social sharing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SocialShare:
    url: str
    text: str
    credits: str  # whom a sale through the link is credited to, in words


def social_share(actor: Actor, next_path: str = "/shop/", title: str = "", base_url: str = "") -> SocialShare:
    """A link to post on social media: the associate's referral link to `next_path` (a product titled
    `title`, or the shop), and a text to copy.

    In associate mode a sale through it is credited to the associate; in a team-mode store
    attribution credits the store (the associate is kept as the influencer), so the text
    speaks for the store.
    """
    associate = actor.associate
    if associate is None:
        raise NotAllowed("Only associates and managers have a referral link.")
    if not next_path.startswith("/") or next_path.startswith("//"):
        next_path = "/shop/"
    query = urlencode({"next": next_path}, safe="/") if next_path != "/shop/" else ""
    url = absolute_url(reverse("attribution:referral", args=[associate.referral_code]), base_url)
    if query:
        url = f"{url}?{query}"
    store = associate.store
    if store.is_team_mode:
        opening = f"{title} at {store.name}." if title else f"Discover what is new at {store.name}."
        text = f"{opening} Our team is here to help: {url}"
        credits = f"Sales through this link are credited to {store.name}."
    else:
        opening = (f"{title}, one of my favourites at {store.name}." if title
                   else f"Come and see what is new at {store.name}.")
        text = f"{opening} Ask me anything! {associate.name} {url}"
        credits = "Sales through this link are credited to you."
    return SocialShare(url=url, text=text, credits=credits)
