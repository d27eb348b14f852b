"""Pages of outreach: tracked links, unsubscribe, and the console's "Compose message" and "Post to social"."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shopfloor.access import get_customer_for
from shopfloor.catalog.models import Product
from shopfloor.consolekit import console_page, render_page
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.outreach import services
from shopfloor.outreach.models import Channel

MAX_PRODUCT_QUERY = 100


def _plain(value: str) -> str:
    """Form text without NUL characters, which no database column takes (PostgreSQL refuses them)."""
    return (value or "").replace("\x00", "")


@never_cache
@require_safe
def link(request, token: str):
    """A link from a message: count the click, then go to the URL the message contained (and only there)."""
    # HEAD (link previews, prefetchers) follows without counting a click.
    tracked = services.record_click(token) if request.method == "GET" else services.link_for_token(token)
    if tracked is None:
        return render(request, "outreach/link_gone.html", status=404)
    response = HttpResponseRedirect(tracked.url)
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a session or CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET: a page with one button (link scanners follow GETs and must not unsubscribe anyone); POST: done."""
    message = services.message_for_unsubscribe(token)
    if message is None:
        return render(request, "outreach/unsubscribe.html", {"state": "unknown"}, status=404)
    if request.method == "POST":
        services.unsubscribe(message)
        return render(request, "outreach/unsubscribe.html", {"state": "done", "message": message})
    return render(request, "outreach/unsubscribe.html", {"state": "ask", "message": message})


@require_POST
@console_page
def compose(request, customer_id: int):
    """The customer page's "Compose message" form."""
    customer = get_customer_for(request.actor, customer_id)
    template_id = request.POST.get("template", "")
    data = {
        "channel": _plain(request.POST.get("channel", "")), "subject": _plain(request.POST.get("subject", "")),
        "body": _plain(request.POST.get("body", "")),
        "template_id": int(template_id) if template_id.isascii() and template_id.isdigit() and len(template_id) < 19
        else None,
    }
    try:
        message = services.send_message(request.actor, customer, data, base_url=request.build_absolute_uri("/"))
    except InvalidInput as error:
        messages.error(request, "Not sent: " + " ".join(text for _, text in error.errors))
    except Conflict as error:
        messages.error(request, f"Not sent: {error}")
    else:
        what = "Email" if message.channel == Channel.EMAIL else "Text message"
        if message.status == "failed":
            messages.error(request, f"{what} to {customer} could not be delivered: {message.error}")
        else:
            messages.success(request, f"{what} sent to {customer}.")
    return redirect(reverse("console:customer", args=[customer.pk]) + "#compose")


@require_http_methods(["GET"])
@console_page
def social(request):
    """"Post to social": the associate's referral link to a page of the shop (a product, a lookbook's cover) and
    a text to copy."""
    actor = request.actor
    products = []
    query = _plain(request.GET.get("q", "")).strip()[:MAX_PRODUCT_QUERY]
    sku = _plain(request.GET.get("sku", ""))[:64]
    product = Product.objects.filter(sku=sku).first() if sku else None
    if query:
        products = list(Product.objects.filter(name__icontains=query).order_by("name")[:20])
    share = None
    if actor.associate is not None:
        path = reverse("storefront:product", args=[product.sku]) if product else "/shop/"
        share = services.social_share(actor, path, title=product.name if product else "",
                                      base_url=request.build_absolute_uri("/"))
    return render_page(request, "outreach/social.html", {
        "share": share, "product": product, "query": query, "products": products,
    })
