"""Pages of collaborative lists: the console's list pages (associates) and the customer's page.

Thin: visibility comes from the access policy (selectors / access.get_list_for), every write goes
through `services`. A list the user may not see, and a forged or revoked link, answer 404.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from shopfloor.access import Actor, NotAllowed, NotVisible, can_restore_list, get_customer_for, get_list_for
from shopfloor.apikit import MAX_ID
from shopfloor.catalog import selectors as shop_selectors
from shopfloor.catalog.bag import Bag
from shopfloor.catalog.models import Product
from shopfloor.consolekit import console_page, render_page
from shopfloor.customers.selectors import customer_page
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.lists import rendering, selectors, services
from shopfloor.lists.models import MAX_COMMENT_LENGTH, MAX_QUANTITY, CustomerList
from shopfloor.lists.printing import list_html, list_pdf

DUPLICATE_CHOICES = 20
# The console list page shows the list-level thread's latest comments, with a link to all of them.
LIST_COMMENTS_LATEST = 10


def _error_text(error: Exception) -> str:
    if isinstance(error, InvalidInput):
        return " ".join(message for _, message in error.errors)
    return str(error)


def _search_text(request) -> str:
    # A NUL character matches nothing stored, and PostgreSQL refuses it in a query.
    return request.GET.get("q", "").replace("\x00", "").strip()[:100]


def _back(list_id: int, anchor: str = "", query: str = "") -> HttpResponse:
    url = reverse("lists:detail", args=[list_id]) + (f"?{query}" if query else "")
    return redirect(f"{url}#{anchor}" if anchor else url)


# The console -------------------------------------------------------------------------------------------


@require_GET
@console_page
def index(request):
    query = _search_text(request)
    lists = list(selectors.visible_list_page(request.actor, query=query)[:200])
    deleted = [
        {"list": item, "until": services.restorable_until(item), "can_restore": can_restore_list(request.actor, item)}
        for item in selectors.deleted_lists(request.actor)[:50]
    ]
    return render_page(request, "lists/index.html", {"lists": lists, "deleted": deleted, "query": query})


def _id_param(request, name: str) -> int | None:
    """A query parameter holding an id (?thread=12), or None for anything else."""
    value = request.GET.get(name, "")
    if not (value.isascii() and value.isdigit() and len(value) <= 19):  # int() refuses 4,300 digits and more
        return None
    return int(value) if 0 < int(value) <= MAX_ID else None


def _detail_context(request, customer_list: CustomerList) -> dict:
    # Item threads and edit forms open on demand (detail.js, or ?thread=<item id> / ?edit=<item id>
    # without scripts) and the list-level thread shows its latest comments (?comments=all for the rest),
    # so the page of a list with hundreds of items and thousands of comments stays quick to load and read.
    expanded = {None} if request.GET.get("comments") == "all" else set()
    thread = _id_param(request, "thread")
    if thread is not None:
        expanded.add(thread)
    detail = selectors.list_page(customer_list, latest_list_comments=LIST_COMMENTS_LATEST, expanded=expanded)
    return {
        "detail": detail,
        "rooms_html": rendering.rooms_html(
            detail, csrf_token=get_token(request), currency=customer_list.customer.store.currency,
            max_quantity=MAX_QUANTITY, max_comment=MAX_COMMENT_LENGTH, editing=_id_param(request, "edit"),
        ),
        "list_comments_html": rendering.comments_html(detail.comments),
        "customer_list": customer_list,
        "customer": customer_list.customer,
        "room_names": [group.room.name for group in detail.rooms],
        "max_quantity": MAX_QUANTITY,
        "max_comment": MAX_COMMENT_LENGTH,
        "collaboration_url": request.build_absolute_uri(services.collaboration_path(customer_list))
        if customer_list.notified_at else "",
    }


@require_GET
@console_page
def detail(request, list_id: int):
    customer_list = get_list_for(request.actor, list_id, CustomerList.objects.select_related("customer__store",
                                                                                             "created_by"))
    return render_page(request, "lists/detail.html", _detail_context(request, customer_list))


@require_GET
@console_page
def item_edit_fragment(request, list_id: int, item_id: int):
    """The item's edit form, as the list page's "Edit" opens it (detail.js)."""
    customer_list = get_list_for(request.actor, list_id)
    item = services.get_item_for(request.actor, customer_list, item_id)
    return HttpResponse(rendering.item_edit_html(customer_list.pk, item, item.room.name, csrf_token=get_token(request),
                                                 max_quantity=MAX_QUANTITY))


@require_GET
@console_page
def item_thread_fragment(request, list_id: int, item_id: int):
    """The item's whole thread and its comment form, as the list page's thread opens it (detail.js)."""
    customer_list = get_list_for(request.actor, list_id)
    item = services.get_item_for(request.actor, customer_list, item_id)
    return HttpResponse(rendering.item_thread_html(customer_list.pk, item, selectors.item_thread(item),
                                                   csrf_token=get_token(request), max_comment=MAX_COMMENT_LENGTH))


@require_GET
@console_page
def print_page(request, list_id: int):
    customer_list = get_list_for(request.actor, list_id, CustomerList.objects.select_related("customer__store"))
    return HttpResponse(list_html(customer_list, for_pdf=False))


@require_GET
@console_page
def pdf(request, list_id: int):
    customer_list = get_list_for(request.actor, list_id, CustomerList.objects.select_related("customer__store"))
    return _pdf_response(customer_list)


def _pdf_response(customer_list: CustomerList) -> HttpResponse:
    response = HttpResponse(list_pdf(customer_list), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="list-{customer_list.pk}.pdf"'
    return response


@require_POST
@console_page
def create(request, customer_id: int):
    customer = get_customer_for(request.actor, customer_id)
    try:
        customer_list = services.create_list(request.actor, customer, request.POST.get("name", ""))
    except InvalidInput as error:
        messages.error(request, f"The list was not created: {_error_text(error)}")
        return redirect("console:customer", customer_id=customer.pk)
    messages.success(request, f"“{customer_list.name}” is ready. Save products into it from the shop.")
    return redirect("lists:detail", list_id=customer_list.pk)


@require_POST
@console_page
def rename(request, list_id: int):
    customer_list = get_list_for(request.actor, list_id)
    try:
        services.rename_list(request.actor, customer_list, request.POST.get("name", ""))
    except InvalidInput as error:
        messages.error(request, f"The name was not changed: {_error_text(error)}")
    return _back(list_id)


@require_POST
@console_page
def item_update(request, list_id: int, item_id: int):
    customer_list = get_list_for(request.actor, list_id)
    item = services.get_item_for(request.actor, customer_list, item_id)
    try:
        services.update_item(
            request.actor, item, quantity=request.POST.get("quantity") or None,
            room_name=request.POST.get("room") if "room" in request.POST else None,
            note=request.POST.get("note") if "note" in request.POST else None,
        )
    except (InvalidInput, Conflict) as error:
        messages.error(request, f"{item.product.name} was not changed: {_error_text(error)}")
        return _back(list_id, f"item-{item.pk}", f"edit={item.pk}")
    messages.success(request, f"{item.product.name} is saved.")
    return _back(list_id, f"item-{item.pk}")


@require_POST
@console_page
def item_remove(request, list_id: int, item_id: int):
    customer_list = get_list_for(request.actor, list_id)
    item = services.get_item_for(request.actor, customer_list, item_id)
    services.remove_item(request.actor, item)
    messages.success(request, f"{item.product.name} is removed from the list.")
    return _back(list_id)


@require_POST
@console_page
def comment(request, list_id: int):
    customer_list = get_list_for(request.actor, list_id)
    item = None
    if request.POST.get("item_id"):
        item = services.get_item_for(request.actor, customer_list, request.POST["item_id"])
    try:
        created = services.add_comment(request.actor, customer_list, request.POST.get("body", ""), item=item)
    except InvalidInput as error:
        messages.error(request, f"The comment was not posted: {_error_text(error)}")
        if item is None:
            return _back(list_id, "comments")
        return _back(list_id, f"item-{item.pk}", f"thread={item.pk}")
    # The page opens the item's thread (closed otherwise) so the new comment shows where it went.
    return _back(list_id, f"comment-{created.pk}", f"thread={item.pk}" if item else "")


@require_POST
@console_page
def notify(request, list_id: int):
    customer_list = get_list_for(request.actor, list_id, CustomerList.objects.select_related("customer__store"))
    try:
        services.notify_customer(request.actor, customer_list, base_url=request.build_absolute_uri("/"))
    except Conflict as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{customer_list.customer} was emailed a link to the list.")
    return _back(list_id)


@require_POST
@console_page
def revoke_link(request, list_id: int):
    customer_list = get_list_for(request.actor, list_id)
    services.revoke_collaboration_link(request.actor, customer_list)
    messages.success(request, "The links sent so far no longer open the list. Notify the customer to send a new one.")
    return _back(list_id)


@console_page
def duplicate(request, list_id: int):
    customer_list = get_list_for(request.actor, list_id, CustomerList.objects.select_related("customer"))
    if request.method == "POST":
        try:
            target = get_customer_for(request.actor, request.POST.get("customer_id") or customer_list.customer_id)
            copy = services.duplicate_list(request.actor, customer_list, target, request.POST.get("name", ""))
        except InvalidInput as error:
            messages.error(request, f"The list was not duplicated: {_error_text(error)}")
            return redirect("lists:duplicate", list_id=list_id)
        messages.success(request, f"“{copy.name}” is a copy of “{customer_list.name}” for {copy.customer}.")
        return redirect("lists:detail", list_id=copy.pk)
    query = _search_text(request)
    choices = customer_page(request.actor, query, limit=DUPLICATE_CHOICES).items if query else []
    return render_page(request, "lists/duplicate.html", {
        "customer_list": customer_list, "query": query, "choices": choices,
        "default_name": f"{customer_list.name} (copy)",
    })


@require_POST
@console_page
def delete(request, list_id: int):
    customer_list = get_list_for(request.actor, list_id)
    services.delete_list(request.actor, customer_list)
    messages.success(request, f"“{customer_list.name}” is deleted. It can be restored for 30 days from Lists.")
    return redirect("lists:index")


@require_POST
@console_page
def restore(request, list_id: int):
    customer_list = get_list_for(request.actor, list_id, deleted=True)
    services.restore_list(request.actor, customer_list)
    messages.success(request, f"“{customer_list.name}” is restored.")
    return redirect("lists:detail", list_id=customer_list.pk)


# The customer's page ----------------------------------------------------------------------------------


def _customer_side(token: str) -> services.CustomerSide:
    customer_list = services.list_for_token(token)
    return services.CustomerSide(customer=customer_list.customer, customer_list=customer_list)


def _not_found(request):
    return render(request, "lists/link_not_found.html", status=404)


def customer_page_view(view):
    """A forged, tampered, revoked or deleted list's link answers a plain 404 page."""

    def wrapper(request, token, *args, **kwargs):
        try:
            side = _customer_side(token)
        except NotVisible:
            return _not_found(request)
        try:
            return view(request, side, token, *args, **kwargs)
        except NotVisible:
            return _not_found(request)
        except NotAllowed as error:
            return render(request, "lists/link_not_found.html", {"reason": str(error)}, status=403)

    wrapper.__name__ = view.__name__
    return wrapper


def _collaborate_url(token: str, anchor: str = "") -> str:
    url = reverse("lists:collaborate", args=[token])
    return f"{url}#{anchor}" if anchor else url


@never_cache
@require_GET
@customer_page_view
def collaborate(request, side, token):
    customer_list = side.customer_list
    author = customer_list.created_by
    return render(request, "lists/collaborate.html", {
        "detail": selectors.list_detail(customer_list), "customer_list": customer_list, "customer": side.customer,
        "token": token, "max_quantity": MAX_QUANTITY, "max_comment": MAX_COMMENT_LENGTH,
        "author_name": services.author_display_name(author) if author else "",
        # What every page of the demo shop shows around its content.
        "store": shop_selectors.shop_store() or side.customer.store, "collections": shop_selectors.collections(),
        "bag_count": Bag(request.session).count,
    })


@require_POST
@customer_page_view
def collaborate_comment(request, side, token):
    item = None
    if request.POST.get("item_id"):
        item = services.get_item_for(side, side.customer_list, request.POST["item_id"])
    try:
        created = services.add_comment(side, side.customer_list, request.POST.get("body", ""), item=item)
    except InvalidInput as error:
        messages.error(request, f"Your comment was not posted: {_error_text(error)}")
        return redirect(_collaborate_url(token, f"item-{item.pk}" if item else "comments"))
    messages.success(request, "Thank you, your comment is posted.")
    return redirect(_collaborate_url(token, f"comment-{created.pk}"))


@require_POST
@customer_page_view
def collaborate_quantity(request, side, token, item_id: int):
    item = services.get_item_for(side, side.customer_list, item_id)
    try:
        services.update_item(side, item, quantity=request.POST.get("quantity", ""))
    except InvalidInput as error:
        messages.error(request, f"{item.product.name}: {_error_text(error)}")
    else:
        messages.success(request, f"{item.product.name}: quantity saved.")
    return redirect(_collaborate_url(token, f"item-{item.pk}"))


@require_POST
@customer_page_view
def collaborate_bag(request, side, token, item_id: int):
    item = services.get_item_for(side, side.customer_list, item_id)
    product: Product = item.product
    if not product.in_stock:
        messages.error(request, f"{product.name} is sold out at the moment.")
    else:
        Bag(request.session).add(product, item.quantity)
        messages.success(request, f"{product.name} is in your bag.")
    return redirect(_collaborate_url(token, f"item-{item.pk}"))


def _shop_customer(request):
    if not request.user.is_authenticated:
        return None
    return Actor(request.user).customer


@never_cache
@require_GET
def my_lists(request):
    """The signed-in shopper's lists (the account page links here)."""
    customer = _shop_customer(request)
    if customer is None:
        return redirect(f"{reverse('storefront:login')}?next={request.path}")
    return redirect(f"{reverse('storefront:account')}#lists")


@never_cache
@require_GET
def my_list(request, list_id: int):
    """A signed-in shopper opens their own list without the emailed link."""
    customer = _shop_customer(request)
    if customer is None:
        return redirect(f"{reverse('storefront:login')}?next={request.path}")
    try:
        customer_list = selectors.get_own_list(Actor(request.user), list_id)
    except NotVisible:
        raise Http404
    return redirect(services.collaboration_path(customer_list))
