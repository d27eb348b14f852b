"""The live workspace (/console/live/), a visitor's history, chat transcripts, and the page-view beacon.

The workspace page is rendered once; live.js-like updates come over the associate WebSocket
(consumers.AssociateConsumer) and workspace.js draws them. The beacon is the widget's fallback
for page views when WebSockets are blocked (navigator.sendBeacon: a plain POST, no preflight).
"""

import json

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from shopfloor.access import get_live_chat_for
from shopfloor.consolekit import console_page, render_page
from shopfloor.errors import InvalidInput
from shopfloor.live import presence, selectors, visitors
from shopfloor.live.identity import identify, origin_is_allowed
from shopfloor.live.models import Availability, Chat

MAX_BEACON_BYTES = 8 * 1024


@require_GET
@console_page
def workspace(request):
    actor = request.actor
    availability = presence.live_of(actor.associate).availability if actor.associate else None
    return render_page(request, "live/workspace.html", {
        "availability": availability,
        "availabilities": Availability.choices,
        "can_chat": actor.associate is not None,
    })


@require_GET
@console_page
def visitor_detail(request, visitor_id: int):
    return JsonResponse(selectors.visitor_detail(request.actor, visitor_id))


@require_GET
@console_page
def transcript(request, chat_id: int):
    chat = get_live_chat_for(request.actor, chat_id, Chat.objects.select_related("associate", "customer", "visitor"))
    messages = chat.messages.select_related("associate").order_by("seq")
    return render_page(request, "live/transcript.html", {"chat": chat, "messages": messages})


def _own_origin(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


@csrf_exempt
def beacon(request):
    """POST {store | token, visitor, url, title?, referrer?, at?}: a page view without a WebSocket (`at`: the
    widget's clock in ms, so a beacon overtaken by the next page's socket report never shows the older page)."""
    if request.method != "POST":
        return JsonResponse({"detail": "Use POST."}, status=405)
    if len(request.body) > MAX_BEACON_BYTES:
        return JsonResponse({"detail": "Too large."}, status=413)
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        return JsonResponse({"detail": [{"loc": ["body"], "msg": "Send a JSON object.", "type": "value_error"}]},
                            status=422)
    token = data.get("token") if isinstance(data.get("token"), str) else None
    identity = identify(token, data.get("store") if isinstance(data.get("store"), str) else None)
    if identity is None:
        return JsonResponse({"detail": "Unknown store."}, status=404)
    origin = request.headers.get("Origin", "")
    if not origin_is_allowed(identity.store, origin, _own_origin(request)):
        return JsonResponse({"detail": "This origin may not report to this store."}, status=403)
    try:
        visitors.beacon_page_view(
            identity, data.get("visitor"), data.get("url"), data.get("title"), data.get("referrer"),
            peer=request.META.get("REMOTE_ADDR", ""), forwarded_for=request.headers.get("X-Forwarded-For", ""),
            client_at=data.get("at"),
        )
    except InvalidInput as error:
        return JsonResponse({"detail": error.as_detail()}, status=422)
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Origin"] = origin
    response["Vary"] = "Origin"
    return response
