"""The console list page's rooms, items and threads as HTML, written in Python rather than in a template.

A list can hold hundreds of items and thousands of comments; Django's template engine spends about
a millisecond per item on this markup (forms, threads, a dozen lookups each), far beyond the page's
100 ms budget (bench/lists.py). The markup is the template's, every value goes through `escape`,
and comment bodies (plain text, see services.clean_comment) through `urlize` only when they hold a
link. detail.html places the result; the rest of the page stays a template.
"""

import re
from html import escape as _escape
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.html import urlize
from django.utils.safestring import SafeString, mark_safe

from shopfloor.lists.selectors import CommentRow, ListDetail

# What urlize could turn into a link; most comments hold none and skip its cost.
LINKISH = re.compile(r"://|www\.|@|\.(?:com|org|net)\b")


def escape(text) -> str:
    """HTML-escaped text, quotes included (the standard library's, without Django's lazy-string wrapper)."""
    return _escape(str(text), quote=True)


MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def when(moment, zone=None) -> str:
    """"29 Nov, 07:25" in the current time zone, as the template filter `date:"j M, H:i"` writes it."""
    local = moment.astimezone(zone or timezone.get_current_timezone())
    return f"{local.day} {MONTHS[local.month]}, {local.hour:02d}:{local.minute:02d}"


def comment_body(body: str) -> str:
    """Escaped text, links made clickable, line breaks kept: the template's `body|urlize|linebreaksbr`."""
    html = urlize(body, nofollow=True, autoescape=True) if LINKISH.search(body) else escape(body)
    return html.replace("\n", "<br>")


CUSTOMER_BADGE = ' <span class="badge badge--primary">Customer</span>'


def comment_html(comment: CommentRow, zone=None) -> str:
    mine = comment.author_customer_id is not None
    return (
        f'<li class="comment{" comment--customer" if mine else ""}" id="comment-{comment.pk}">'
        f'<p class="comment__meta"><strong class="comment__author">{escape(comment.author_name or "Someone")}</strong>'
        f'{CUSTOMER_BADGE if mine else ""} '
        f'<time class="comment__when" datetime="{comment.created_at.isoformat()}">'
        f'{when(comment.created_at, zone)}</time></p>'
        f'<p class="comment__body">{comment_body(comment.body)}</p></li>'
    )


def comments_html(comments: list[CommentRow]) -> SafeString:
    zone = timezone.get_current_timezone()
    return mark_safe("".join(comment_html(comment, zone) for comment in comments))  # noqa: S308 - escaped


def _csrf_input(csrf_token: str) -> str:
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'


def _list_base(list_id: int) -> str:
    return reverse("lists:detail", args=[list_id])


def item_edit_html(list_id: int, item, room_name: str, *, csrf_token: str, max_quantity: int) -> SafeString:
    """An item's edit form (quantity, room, note) and its remove button; the page's "Edit" opens it."""
    base, csrf, name = _list_base(list_id), _csrf_input(csrf_token), escape(item.product.name)
    return mark_safe(  # noqa: S308 - every value is escaped
        f'<form class="list-item__form" method="post" action="{base}items/{item.pk}/">{csrf}'
        f'<div class="field field--qty"><label for="qty-{item.pk}">Quantity</label>'
        f'<input id="qty-{item.pk}" type="number" name="quantity" min="1" max="{max_quantity}" '
        f'value="{item.quantity}" required></div>'
        f'<div class="field"><label for="room-{item.pk}-name">Room</label>'
        f'<input id="room-{item.pk}-name" type="text" name="room" value="{escape(room_name)}" list="room-names" '
        f'maxlength="80" required></div>'
        f'<div class="field field--grow"><label for="note-{item.pk}">Note</label>'
        f'<textarea id="note-{item.pk}" name="note" rows="2" maxlength="1000">{escape(item.note)}</textarea>'
        f'</div><button class="button button--primary" type="submit">Save</button></form>'
        f'<form method="post" action="{base}items/{item.pk}/remove/" '
        f'data-confirm="Remove {name} from the list?">{csrf}'
        f'<button class="button button--quiet button--danger-quiet" type="submit">'
        f'<svg class="icon" aria-hidden="true"><use href="#icon-trash"/></svg> Remove'
        f'<span class="visually-hidden"> {name}</span></button></form>'
    )


def item_thread_html(list_id: int, item, comments: list[CommentRow], *, csrf_token: str,
                     max_comment: int) -> SafeString:
    """An item's whole thread and the form to add to it; the page's thread summary opens it."""
    zone = timezone.get_current_timezone()
    base, name = _list_base(list_id), escape(item.product.name)
    thread = ""
    if comments:
        thread = '<ul class="comments">' + "".join(comment_html(comment, zone) for comment in comments) + "</ul>"
    return mark_safe(  # noqa: S308 - every value is escaped
        f'{thread}<form class="comment-form" method="post" action="{base}comments/">{_csrf_input(csrf_token)}'
        f'<input type="hidden" name="item_id" value="{item.pk}">'
        f'<label class="visually-hidden" for="comment-item-{item.pk}">Comment on {name}</label>'
        f'<textarea id="comment-item-{item.pk}" name="body" rows="2" maxlength="{max_comment}" required '
        f'placeholder="Comment on this item…"></textarea>'
        f'<button class="button button--quiet" type="submit"><svg class="icon" aria-hidden="true">'
        f'<use href="#icon-send"/></svg> Comment</button></form>'
    )


def rooms_html(detail: ListDetail, *, csrf_token: str, currency: str, max_quantity: int, max_comment: int,
               editing: int | None = None) -> SafeString:
    """The rooms and their items. An item's edit form and thread are not on the page: each opens from its
    summary (detail.js reads them from the item's edit/ and thread/ fragments; without scripts, the
    summary's link reloads the page with that one open: ?edit=<item id>, ?thread=<item id>). A list of
    hundreds of items would otherwise carry hundreds of forms and a thousand comments nobody opened."""
    customer_list = detail.customer_list
    base = _list_base(customer_list.pk)
    image_base = reverse("storefront:product_image", args=["SKU"]).removesuffix("SKU.svg")
    currency = escape(currency)
    parts = []
    for group in detail.rooms:
        room = group.room
        parts.append(
            f'<section class="card card--flush room" aria-labelledby="room-{room.pk}">'
            f'<h2 class="card__title room__title" id="room-{room.pk}">{escape(room.name)} '
            f'<span class="room__count">{len(group.items)}</span></h2><ul class="list-items">'
        )
        for item in group.items:
            product = item.product
            name, sku = escape(product.name), escape(product.sku)
            image = escape(product.image_url or f"{image_base}{quote(product.sku, safe='')}.svg")
            sold_out = ' · <span class="no">sold out</span>' if not product.in_stock else ""
            note = f'<p class="list-item__note">{escape(item.note).replace(chr(10), "<br>")}</p>' if item.note else ""
            if item.pk == editing:
                edit, edit_open = item_edit_html(customer_list.pk, item, room.name, csrf_token=csrf_token,
                                                 max_quantity=max_quantity), " open"
            else:
                edit = f'<a class="list-item__open" href="?edit={item.pk}#item-{item.pk}">Edit {name}</a>'
                edit_open = ""
            count = item.comment_count
            summary = f'{count} comment{"s" if count != 1 else ""}' if count else "Comment"
            if item.is_thread_read:
                thread, thread_open = item_thread_html(customer_list.pk, item, item.thread, csrf_token=csrf_token,
                                                       max_comment=max_comment), " open"
            else:
                label = f"Read the {summary}" if count else "Write a comment"
                thread, thread_open = (f'<a class="list-item__open" href="?thread={item.pk}#item-{item.pk}">'
                                       f'{label}<span class="visually-hidden"> on {name}</span></a>'), ""
            parts.append(
                f'<li class="list-item" id="item-{item.pk}" data-item="{sku}">'
                f'<div class="list-item__row">'
                f'<img class="list-item__image" src="{image}" alt="" width="64" height="64" loading="lazy">'
                f'<div class="list-item__text"><p class="list-item__name">{name}</p>'
                f'<p class="list-item__sub"><span class="mono">{sku}</span> · {product.price} {currency}{sold_out}</p>'
                f'{note}</div>'
                f'<p class="list-item__qty"><span class="visually-hidden">Quantity: </span>'
                f'<span data-quantity>{item.quantity}</span> <span class="muted">×</span></p></div>'
                f'<details class="list-item__edit" data-fragment="{base}items/{item.pk}/edit/"{edit_open}>'
                f'<summary>Edit<span class="visually-hidden"> {name}</span></summary>{edit}</details>'
                f'<details class="thread" data-fragment="{base}items/{item.pk}/thread/"{thread_open}><summary>'
                f'<svg class="icon" aria-hidden="true"><use href="#icon-message"/></svg> {summary}'
                f'<span class="visually-hidden"> on {name}</span></summary>{thread}</details></li>'
            )
        parts.append("</ul></section>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
