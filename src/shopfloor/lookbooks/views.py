"""Pages of lookbooks: the customer's page (`/c/lookbook/<token>`) and the console's My Looks and lookbooks.

Thin: visibility from `shopfloor.access` (through the selectors), every rule and write in `services`.
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shopfloor.access import Actor, NotVisible, get_customer_for, get_look_for, get_lookbook_for
from shopfloor.attribution.referrals import (
    VISITOR_COOKIE,
    VISITOR_COOKIE_AGE,
    new_visitor_id,
    safe_next_path,
    set_referral_cookies,
    visitor_id_from_request,
)
from shopfloor.consolekit import console_page, render_page
from shopfloor.customers.selectors import customer_list
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.lookbooks import selectors, services
from shopfloor.lookbooks.models import LookbookStatus
from shopfloor.outreach.models import Channel

# Products the pickers offer; a search box on the page narrows them.
PICKER_PRODUCTS = 300
# Customers the share form offers at once; the search narrows them.
SHARE_CUSTOMERS = 50


# The customer's page ----------------------------------------------------------------------------


def _viewer_is_staff(request) -> bool:
    """An associate checking the link from a signed-in browser: shown, never counted as the customer's open."""
    return request.user.is_authenticated and Actor(request.user).is_staff_member


def _gone(request, lookbook, status: int):
    reason = "unknown"
    if lookbook is not None:
        reason = "revoked" if lookbook.status == LookbookStatus.REVOKED else (
            "expired" if lookbook.is_expired else "draft")
    response = render(request, "lookbooks/public_gone.html", {"reason": reason, "lookbook": lookbook},
                      status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_safe
def public(request, token: str):
    lookbook = services.lookbook_for_token(token)
    if lookbook is None:
        return _gone(request, None, 404)
    if not lookbook.is_live:
        return _gone(request, lookbook, 410 if lookbook.status != LookbookStatus.DRAFT else 404)
    preview = _viewer_is_staff(request)
    visitor_id = visitor_id_from_request(request) or new_visitor_id()
    if request.method == "GET" and not preview:
        services.record_open(lookbook, visitor_id)
    items = list(lookbook.items.select_related("product"))
    response = render(request, "lookbooks/public.html", {
        "lookbook": lookbook, "items": items, "preview": preview, "store": lookbook.store,
        "cover": lookbook.cover_product or (items[0].product if items else None),
    })
    if request.COOKIES.get(VISITOR_COOKIE) != visitor_id:
        response.set_cookie(VISITOR_COOKIE, visitor_id, max_age=VISITOR_COOKIE_AGE, httponly=True,
                            samesite="Lax", secure=request.is_secure())
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "same-origin"
    return response


def _product_target(request, product) -> str:
    """The product's page: the storefront URL the catalog holds, else the demo shop's page."""
    url = product.url or ""
    if url.startswith(("https://", "http://")):
        return url
    fallback = reverse("storefront:product", args=[product.sku])
    return safe_next_path(request, url) if url.startswith("/") else fallback


@never_cache
@require_safe
def product_click(request, token: str, item_id: int):
    """Count the click, carry the author's referral (attribution rule 3), land on the product's page."""
    lookbook = services.lookbook_for_token(token)
    if lookbook is None or not lookbook.is_live:
        return _gone(request, lookbook, 404 if lookbook is None or lookbook.status == LookbookStatus.DRAFT else 410)
    item = lookbook.items.select_related("product").filter(pk=item_id).first()
    if item is None:
        return _gone(request, None, 404)
    target = _product_target(request, item.product)
    response = HttpResponseRedirect(target)
    if request.method != "GET" or _viewer_is_staff(request):
        return response
    visitor_id = visitor_id_from_request(request) or new_visitor_id()
    if services.record_product_click(lookbook, item, visitor_id, next_path=target):
        set_referral_cookies(request, response, lookbook.author, visitor_id)
    response["Referrer-Policy"] = "same-origin"
    return response


# Console: shared form helpers -------------------------------------------------------------------


def _picker(selected: list[tuple[str, str]]) -> list[dict]:
    return selectors.picker_rows(selected, limit=PICKER_PRODUCTS)


def _plain(value: str) -> str:
    """Form text without NUL characters, which no database column takes (PostgreSQL refuses them)."""
    return (value or "").replace("\x00", "")


def _is_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) < 19


def _posted_items(post) -> list[dict]:
    return [{"sku": _plain(sku)[:64], "note": _plain(post.get(f"note-{sku}", ""))[:services.MAX_NOTE + 1]}
            for sku in dict.fromkeys(post.getlist("product"))]


def _errors(error: InvalidInput) -> dict:
    """A service's errors by field name (the products' errors under "products"), for the form."""
    errors: dict[str, list[str]] = {}
    for loc, message in error.errors:
        name = str(loc[1]) if len(loc) > 1 else "__all__"
        # "items" would shadow dict.items in templates.
        errors.setdefault("products" if name == "items" else name, []).append(message)
    return errors


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


# Console: My Looks ------------------------------------------------------------------------------


@require_http_methods(["GET"])
@console_page
def looks(request):
    return render_page(request, "lookbooks/looks.html", {"looks": selectors.looks_for(request.actor)[:200]})


@require_http_methods(["GET", "POST"])
@console_page
def look_new(request):
    values, errors = {"title": "", "message": ""}, {}
    selected: list[tuple[str, str]] = []
    if request.method == "POST":
        items = _posted_items(request.POST)
        values = {"title": _plain(request.POST.get("title", "")),
                  "message": _plain(request.POST.get("message", ""))}
        try:
            look = services.create_look(request.actor, {**values, "items": items})
        except InvalidInput as error:
            errors = _errors(error)
            selected = [(item["sku"], item["note"]) for item in items]
        else:
            messages.success(request, f"\u201c{look.title}\u201d is saved. Share it with your customers below.")
            return redirect("lookbooks:look", look.pk)
    return render_page(request, "lookbooks/look_form.html", {
        "look": None, "values": values, "errors": errors, "picker": _picker(selected),
    }, status=422 if errors else 200)


def _share_context(request, look) -> dict:
    query = _plain(request.GET.get("q", "")).strip()[:100]
    customers = customer_list(request.actor, query or "", None)[:SHARE_CUSTOMERS]
    return {"share_query": query, "share_customers": customers, "channels": Channel.choices}


@require_http_methods(["GET", "POST"])
@console_page
def look_edit(request, look_id: int):
    look = get_look_for(request.actor, look_id, selectors.looks_for(request.actor))
    errors = {}
    values = {"title": look.title, "message": look.message}
    selected = [(item.product.sku, item.note) for item in look.items.all()]
    if request.method == "POST":
        items = _posted_items(request.POST)
        values = {"title": _plain(request.POST.get("title", "")),
                  "message": _plain(request.POST.get("message", ""))}
        try:
            services.update_look(request.actor, look, {**values, "items": items})
        except InvalidInput as error:
            errors = _errors(error)
            selected = [(item["sku"], item["note"]) for item in items]
        else:
            messages.success(request, "Look saved.")
            return redirect("lookbooks:look", look.pk)
    return render_page(request, "lookbooks/look_form.html", {
        "look": look, "values": values, "errors": errors, "picker": _picker(selected),
        "lookbooks": selectors.lookbooks_for(request.actor).filter(look=look)[:50],
        **_share_context(request, look),
    }, status=422 if errors else 200)


@require_POST
@console_page
def look_share(request, look_id: int):
    look = get_look_for(request.actor, look_id)
    ids = [int(value) for value in request.POST.getlist("customer") if _is_id(value)]
    channel = request.POST.get("channel", "")
    try:
        result = services.share_look(request.actor, look, ids, channel=channel or None, base_url=_base_url(request))
    except InvalidInput as error:
        messages.error(request, " ".join(message for _, message in error.errors))
        return redirect("lookbooks:look", look.pk)
    except NotVisible:
        messages.error(request, "One of those customers is not one you can share with.")
        return redirect("lookbooks:look", look.pk)
    made = len(result.lookbooks)
    sent = ", ".join(f"{o.customer} by {'SMS' if o.channel == Channel.SMS else 'email'}" for o in result.sent)
    summary = f"{made} lookbook{'s' if made != 1 else ''} made from \u201c{look.title}\u201d."
    if sent:
        summary += f" Sent to {sent}."
    messages.success(request, summary)
    for outcome in result.skipped:
        messages.warning(request, f"Not sent to {outcome.customer}: {outcome.reason}. Their lookbook is "
                                  "published; copy its link below to hand it over yourself.")
    return redirect("lookbooks:list")


@require_POST
@console_page
def look_delete(request, look_id: int):
    look = get_look_for(request.actor, look_id)
    title = look.title
    services.delete_look(request.actor, look)
    messages.success(request, f"\u201c{title}\u201d is deleted. The lookbooks made from it stay.")
    return redirect("lookbooks:looks")


# Console: lookbooks -------------------------------------------------------------------------------


@require_http_methods(["GET"])
@console_page
def lookbooks(request):
    status = request.GET.get("status", "")
    if status not in LookbookStatus.values:
        status = ""
    rows = selectors.lookbooks_for(request.actor, status=status or None)[:200]
    return render_page(request, "lookbooks/lookbooks.html", {
        "lookbooks": rows, "status": status, "statuses": LookbookStatus.choices,
        "base_url": request.build_absolute_uri("/").rstrip("/"),
    })


def _lookbook_values(post) -> dict:
    return {"title": _plain(post.get("title", "")), "message": _plain(post.get("message", "")),
            "expires_on": _plain(post.get("expires_on", "")), "cover_sku": _plain(post.get("cover_sku", ""))[:64]}


@require_http_methods(["GET", "POST"])
@console_page
def lookbook_new(request):
    customer = None
    customer_id = request.GET.get("customer") or request.POST.get("customer")
    if customer_id:
        if not _is_id(customer_id):
            raise NotVisible
        customer = get_customer_for(request.actor, int(customer_id))
    values, errors, selected = {"title": "", "message": "", "expires_on": "", "cover_sku": ""}, {}, []
    if request.method == "POST":
        values = _lookbook_values(request.POST)
        items = _posted_items(request.POST)
        selected = [(item["sku"], item["note"]) for item in items]
        if customer is None:
            errors["customer"] = ["Choose the customer this lookbook is for."]
        else:
            data = {"title": values["title"], "message": values["message"], "items": items,
                    "cover_sku": values["cover_sku"] or None, "publish": "publish" in request.POST,
                    "expires_on": values["expires_on"]}
            try:
                lookbook = services.create_lookbook(request.actor, customer, data)
            except InvalidInput as error:
                errors = _errors(error)
            else:
                messages.success(request, "Lookbook published: copy its link below."
                                 if lookbook.status == LookbookStatus.PUBLISHED else "Lookbook saved as a draft.")
                return redirect("lookbooks:edit", lookbook.pk)
    return render_page(request, "lookbooks/lookbook_form.html", {
        "lookbook": None, "customer": customer, "values": values, "errors": errors, "picker": _picker(selected),
        "customers": [] if customer else customer_list(request.actor, "", None)[:200],
    }, status=422 if errors else 200)


@require_http_methods(["GET", "POST"])
@console_page
def lookbook_edit(request, lookbook_id: int):
    actor = request.actor
    lookbook = get_lookbook_for(actor, lookbook_id, selectors.lookbooks_for(actor))
    zone = services.store_zone(lookbook.store)
    values = {
        "title": lookbook.title, "message": lookbook.message,
        "expires_on": lookbook.expires_at.astimezone(zone).date().isoformat() if lookbook.expires_at else "",
        "cover_sku": lookbook.cover_product.sku if lookbook.cover_product_id else "",
    }
    selected = [(item.product.sku, item.note) for item in lookbook.items.all()]
    errors = {}
    if request.method == "POST":
        values = _lookbook_values(request.POST)
        items = _posted_items(request.POST)
        selected = [(item["sku"], item["note"]) for item in items]
        try:
            services.update_lookbook(actor, lookbook, {
                "title": values["title"], "message": values["message"], "items": items,
                "cover_sku": values["cover_sku"] or None, "expires_on": values["expires_on"],
            })
        except InvalidInput as error:
            errors = _errors(error)
        else:
            messages.success(request, "Lookbook saved.")
            return redirect("lookbooks:edit", lookbook.pk)
    return render_page(request, "lookbooks/lookbook_form.html", {
        "lookbook": lookbook, "customer": lookbook.customer, "values": values, "errors": errors,
        "picker": _picker(selected), "public_url": request.build_absolute_uri(services.public_path(lookbook)),
        "events": selectors.recent_events(lookbook, limit=20),
    }, status=422 if errors else 200)


@require_POST
@console_page
def lookbook_publish(request, lookbook_id: int):
    lookbook = get_lookbook_for(request.actor, lookbook_id)
    try:
        services.publish_lookbook(request.actor, lookbook)
    except InvalidInput as error:
        messages.error(request, " ".join(message for _, message in error.errors))
    else:
        messages.success(request, format_html("Published. The link works again for {}.", lookbook.customer))
    return redirect("lookbooks:edit", lookbook.pk)


@require_POST
@console_page
def lookbook_revoke(request, lookbook_id: int):
    lookbook = get_lookbook_for(request.actor, lookbook_id)
    services.revoke_lookbook(request.actor, lookbook)
    messages.success(request, "Revoked. The link now shows that this lookbook is no longer available.")
    return redirect("lookbooks:edit", lookbook.pk)


@require_POST
@console_page
def lookbook_send(request, lookbook_id: int):
    lookbook = get_lookbook_for(request.actor, lookbook_id)
    channel = _plain(request.POST.get("channel", ""))
    try:
        outcome = services.send_lookbook(request.actor, lookbook, channel=channel or None,
                                         base_url=_base_url(request))
    except (Conflict, InvalidInput) as error:
        messages.error(request, f"Not sent: {error}")
        return redirect("lookbooks:edit", lookbook.pk)
    if not outcome.channel:
        messages.warning(request, f"Not sent to {lookbook.customer}: {outcome.reason}. Copy the link to hand it "
                                  "over yourself.")
    elif outcome.status == "failed":
        messages.error(request, f"The message to {lookbook.customer} could not be delivered; try again later.")
    else:
        how = "SMS" if outcome.channel == Channel.SMS else "email"
        messages.success(request, f"Sent to {lookbook.customer} by {how}.")
    return redirect("lookbooks:edit", lookbook.pk)
