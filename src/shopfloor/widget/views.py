"""The widget's HTTP side: the loader and feature scripts, /widget/session, and the associate panel's calls.

Thin views: identities and tokens are `widget`'s business, every customer and list is looked up
through the access policy (a customer the associate may not see answers 404), and every write is a
service call (customers.services, lists.services). Answers are JSON; bad input is a 4xx naming the
field at fault. Widget calls are authorised by the widget token alone (no cookies, so no CSRF), and
answer only the pages of the store's allowed origins (CORS).
"""

import json
from datetime import UTC, datetime
from functools import wraps

from django.contrib.staticfiles import finders
from django.db.models import Count, DateTimeField, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.urls import NoReverseMatch, reverse
from django.views.decorators.csrf import csrf_exempt

from shopfloor.access import NotAllowed, NotVisible, get_customer_for, visible_customers
from shopfloor.attribution.models import Interaction
from shopfloor.catalog.models import Product
from shopfloor.customers.models import CustomerStatus
from shopfloor.customers.selectors import customer_page
from shopfloor.customers.services import create_customer
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.orders.models import Order
from shopfloor.widget import services as widget

RECENT_CUSTOMERS = 8
SEARCH_RESULTS = 20
MAX_BODY = 20_000
ALLOWED_HEADERS = f"Content-Type, {widget.TOKEN_HEADER}"
# Long ago: the floor of "most recent", for customers with no list, order or interaction yet.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _own_origin(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _cors(response: HttpResponse, origin: str) -> HttpResponse:
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Max-Age"] = "600"
    response["Vary"] = "Origin"
    return response


def _error(status: int, message: str, field: str | None = None) -> JsonResponse:
    if field is None:
        return JsonResponse({"detail": message}, status=status)
    return JsonResponse({"detail": [{"loc": ["body", field], "msg": message, "type": "value_error"}]}, status=status)


def _preflight(request) -> HttpResponse:
    origin = request.headers.get("Origin", "")
    if origin and (origin.rstrip("/").lower() == _own_origin(request).lower()
                   or widget.origin_is_listed_anywhere(origin)):
        return _cors(HttpResponse(status=204), origin)
    return _error(403, "This origin may not use the Shopfloor widget.")


def _body(request) -> dict:
    if request.method != "POST":
        return {}
    if len(request.body) > MAX_BODY:
        raise InvalidInput.field("body", "The request is too large.")
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput.field("body", "Send a JSON object.")
    if not isinstance(data, dict):
        raise InvalidInput.field("body", "Send a JSON object.")
    try:
        # Lone surrogates (\ud800) decode from JSON but no database stores them.
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise InvalidInput.field("body", "The text is not valid Unicode.")
    if _has_nul(data):
        # PostgreSQL refuses NUL in text columns.
        raise InvalidInput.field("body", "The text contains a NUL character.")
    return data


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _answer_errors(view):
    """Translate service errors to their 4xx answers, as the API does."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotVisible:
            return _error(404, "Not found.")
        except NotAllowed as error:
            return _error(403, str(error) or "You may not do this.")
        except InvalidInput as error:
            return JsonResponse({"detail": error.as_detail()}, status=422)
        except Conflict as error:
            return _error(409, str(error))

    return wrapper


def widget_call(view):
    """A panel call: OPTIONS preflights; a valid widget token of an associate; an allowed origin."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "OPTIONS":
            return _preflight(request)
        if request.method not in ("GET", "POST"):
            return _error(405, "Use GET or POST.")
        origin = request.headers.get("Origin", "")
        try:
            store, identity = widget.identity_from_token(request.headers.get(widget.TOKEN_HEADER, ""))
        except widget.InvalidWidgetToken as error:
            # An allowed page still gets to read the 401, so the widget renews its token.
            return _cors(_error(401, str(error)), origin if origin and widget.origin_is_listed_anywhere(origin)
                         else "")
        if not widget.origin_is_allowed(store, origin, _own_origin(request)):
            return _error(403, "This origin may not use this store's widget.")
        if not identity.is_associate:
            return _cors(_error(403, "Only the store's associates use the associate panel."), origin)
        request.widget_store, request.widget_identity = store, identity
        request.widget_actor = identity.actor()
        return _cors(_answer_errors(view)(request, *args, **kwargs), origin)

    return wrapper


# Scripts -------------------------------------------------------------------------------------------


def _script(path: str, content_type: str) -> HttpResponse:
    found = finders.find(path)
    if not found:
        raise Http404
    response = FileResponse(open(found, "rb"), content_type=content_type)  # noqa: SIM115 (FileResponse closes it)
    # Module scripts and their imports are fetched with CORS from the storefront's page; they are public.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


def loader(request):
    return _script("widget/widget.js", "text/javascript; charset=utf-8")


def feature_script(request, name: str):
    """`/widget/<name>.js`: the static file `widget/<name>.js` of whichever app ships it (LIVE ships live.js)."""
    if not widget.FEATURE_NAME.match(name):
        raise Http404
    return _script(f"widget/{name}.js", "text/javascript; charset=utf-8")


def stylesheet(request):
    return _script("widget/widget.css", "text/css; charset=utf-8")


# The session ---------------------------------------------------------------------------------------


@csrf_exempt
def session(request):
    """Verify the storefront's signed identity and hand the widget its token and features.

    GET with `?store=&identity=&signature=` or POST the same as JSON. A bad signature is no error:
    the visitor is simply anonymous.
    """
    if request.method == "OPTIONS":
        return _preflight(request)
    origin = request.headers.get("Origin", "")
    try:
        data = _body(request) if request.method == "POST" else request.GET
    except InvalidInput as error:
        return _cors(JsonResponse({"detail": error.as_detail()}, status=422), origin)
    key = data.get("store")
    store = widget.store_for_key(key) if isinstance(key, str) else None
    if store is None:
        return _cors(_error(404, "Unknown store key.", "store"), origin)
    if not widget.origin_is_allowed(store, origin, _own_origin(request)):
        return _error(403, "This origin may not use this store's widget.")
    identity = widget.verify_identity(store, data.get("identity") or "", data.get("signature") or "")
    response = JsonResponse(widget.session_for(store, identity))
    response["Cache-Control"] = "no-store"
    return _cors(response, origin)


# Customers -------------------------------------------------------------------------------------------


def _customer_json(customer) -> dict:
    return {"id": customer.pk, "name": customer.full_name or customer.email or f"Customer #{customer.pk}",
            "email": customer.email, "phone": customer.phone}


def _recent_customers(actor, associate, limit: int) -> list:
    """The associate's customers, the ones they last worked with first: their latest list for the
    customer, order credited to them or interaction with them."""
    from shopfloor.lists.models import CustomerList

    floor = Value(EPOCH, output_field=DateTimeField())
    latest_list = (CustomerList.objects.filter(customer=OuterRef("pk"), created_by=associate.user_id,
                                               deleted_at__isnull=True)
                   .order_by().values("customer").annotate(at=Max("updated_at")).values("at"))
    latest_order = (Order.objects.filter(customer=OuterRef("pk"))
                    .filter(Q(attributed_associate_id=associate.pk) | Q(placed_by_associate_id=associate.pk))
                    .order_by().values("customer").annotate(at=Max("placed_at")).values("at"))
    latest_interaction = (Interaction.objects.filter(customer=OuterRef("pk"), associate_id=associate.pk)
                          .order_by().values("customer").annotate(at=Max("occurred_at")).values("at"))
    customers = visible_customers(actor).exclude(status=CustomerStatus.REJECTED).annotate(
        last_worked=Greatest(
            Coalesce(Subquery(latest_list, output_field=DateTimeField()), floor),
            Coalesce(Subquery(latest_order, output_field=DateTimeField()), floor),
            Coalesce(Subquery(latest_interaction, output_field=DateTimeField()), floor),
        )
    )
    return list(customers.order_by("-last_worked", "-created_at", "-pk")[:limit])


@widget_call
def customers(request):
    """GET: the associate's recent customers, or those matching `?q=`; POST: a new customer assigned to them."""
    actor = request.widget_actor
    associate = request.widget_identity.associate
    if request.method == "POST":
        data = _body(request)
        fields = {name: data.get(name) for name in ("first_name", "last_name", "email", "phone")}
        for name, value in fields.items():
            if value is not None and not isinstance(value, str):
                raise InvalidInput.field(name, "Must be text.")
        if not (fields["first_name"] or "").strip() and not (fields["last_name"] or "").strip():
            raise InvalidInput.field("first_name", "Give the customer a name.")
        customer = create_customer(actor, {
            **{name: value for name, value in fields.items() if value},
            "store_id": associate.store_id,
            "assigned_associate_ids": [associate.pk], "primary_associate_id": associate.pk,
        })
        return JsonResponse(_customer_json(customer), status=201)
    # NUL is no character anyone searches for, and PostgreSQL refuses it.
    query = " ".join(request.GET.get("q", "").replace("\x00", "").split())[:100]
    if query:
        found = customer_page(actor, query, limit=SEARCH_RESULTS).items
        return JsonResponse({"items": [_customer_json(c) for c in found], "query": query})
    recent = _recent_customers(actor, associate, RECENT_CUSTOMERS)
    return JsonResponse({"items": [_customer_json(c) for c in recent], "query": ""})


# Lists ------------------------------------------------------------------------------------------------


def _list_url(request, customer_list) -> str:
    try:
        return request.build_absolute_uri(reverse("lists:detail", args=[customer_list.pk]))
    except NoReverseMatch:
        return ""


def _lists_json(request, lists) -> list[dict]:
    from shopfloor.lists.models import ListItem, ListRoom

    ids = [li.pk for li in lists]
    rooms: dict[int, list[str]] = {}
    for list_id, name in ListRoom.objects.filter(list__in=ids).order_by("position", "id").values_list("list_id",
                                                                                                    "name"):
        rooms.setdefault(list_id, []).append(name)
    counts = dict(ListItem.objects.filter(list__in=ids).order_by().values("list_id").annotate(n=Count("id"))
                  .values_list("list_id", "n"))
    return [{"id": li.pk, "name": li.name, "url": _list_url(request, li), "rooms": rooms.get(li.pk, []),
             "item_count": counts.get(li.pk, 0)} for li in lists]


@widget_call
def customer_lists(request, customer_id: int):
    """GET: the customer's lists with their rooms; POST `{name}`: a new list for the customer."""
    from shopfloor.lists import selectors as list_selectors
    from shopfloor.lists import services as list_services

    actor = request.widget_actor
    customer = get_customer_for(actor, customer_id)
    if request.method == "POST":
        name = _body(request).get("name")
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput.field("name", "Name the list.")
        created = list_services.create_list(actor, customer, name.strip())
        return JsonResponse(_lists_json(request, [created])[0], status=201)
    lists = list(list_selectors.lists_for_customer(actor, customer))
    return JsonResponse({"customer": _customer_json(customer), "items": _lists_json(request, lists)})


def _positive_int(value, field: str, *, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InvalidInput.field(field, "Must be a whole number.")
    try:
        number = int(value)
    except ValueError:
        raise InvalidInput.field(field, "Must be a whole number.")
    if number < 1 or number > maximum:
        raise InvalidInput.field(field, f"Must be between 1 and {maximum}.")
    return number


@widget_call
def save(request):
    """POST `{list_ids, sku, room, quantity, note}`: save a product into every selected list, in one go."""
    from shopfloor.lists import selectors as list_selectors
    from shopfloor.lists import services as list_services
    from shopfloor.lists.models import MAX_QUANTITY

    if request.method != "POST":
        return _error(405, "Use POST.")
    actor = request.widget_actor
    data = _body(request)
    list_ids = data.get("list_ids")
    if not isinstance(list_ids, list) or not list_ids:
        raise InvalidInput.field("list_ids", "Choose at least one list first.")
    if len(list_ids) > 20:
        raise InvalidInput.field("list_ids", "Save into at most 20 lists at once.")
    ids = [_positive_int(value, "list_ids", maximum=2**63 - 1) for value in list_ids]
    sku = data.get("sku")
    if not isinstance(sku, str) or not sku.strip():
        raise InvalidInput.field("sku", "Which product? The page gave no SKU.")
    if not Product.objects.filter(sku=sku.strip()).exists():
        raise InvalidInput.field("sku", "No product has this SKU.")
    room = data.get("room")
    if not isinstance(room, str) or not room.strip():
        raise InvalidInput.field("room", "Choose a room or name a new one.")
    quantity = _positive_int(data.get("quantity", 1), "quantity", maximum=MAX_QUANTITY)
    note = data.get("note") or ""
    if not isinstance(note, str):
        raise InvalidInput.field("note", "Must be text.")
    lists = [list_selectors.get_list_for(actor, list_id) for list_id in dict.fromkeys(ids)]
    items = list_services.save_product(actor, lists, sku.strip(), room.strip(), quantity=quantity, note=note.strip())
    return JsonResponse({
        "saved": [{"list_id": item.list_id, "item_id": item.pk, "room": item.room.name, "quantity": item.quantity}
                  for item in items],
        "lists": _lists_json(request, lists),
    }, status=201)
