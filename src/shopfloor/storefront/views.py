"""The demo storefront: a shop like a retailer's own, embedding Shopfloor the way any storefront would.

Views are thin: reads come from `selectors`, the shopper's writes go through the
customers and orders services, and the bag lives in the session until checkout.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from shopfloor.access import Actor
from shopfloor.accounts.models import Associate
from shopfloor.attribution.coupons import services as coupons
from shopfloor.attribution.referrals import referral_from_request, visitor_id_from_request
from shopfloor.catalog import selectors as catalog
from shopfloor.catalog.bag import MAX_QUANTITY, Bag
from shopfloor.catalog.images import avatar_svg, product_svg
from shopfloor.catalog.models import Product
from shopfloor.customers.models import CustomerStatus
from shopfloor.customers.services import register_customer
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.money import ZERO
from shopfloor.orders.services import record_order
from shopfloor.storefront import impersonation, selectors
from shopfloor.storefront.forms import RegistrationForm, ShopLoginForm

PAGE_SIZE = 24
# What the demo shop shows for delivery; the order itself records the goods only.
FREE_DELIVERY_FROM = Decimal("80.00")
DELIVERY_FEE = Decimal("6.90")


@cache_control(public=True, max_age=3600)
def avatar(request, associate_id: int):
    # Reps are shown to their customers without a login; the avatar carries only initials.
    associate = Associate.objects.filter(pk=associate_id).only("name").first()
    if associate is None:
        raise Http404
    return HttpResponse(avatar_svg(associate.name), content_type="image/svg+xml")


@cache_control(public=True, max_age=86400)
def product_image(request, sku: str):
    product = Product.objects.filter(sku=sku).only("sku", "name").first()
    if product is None:
        raise Http404
    return HttpResponse(product_svg(product.sku, product.name), content_type="image/svg+xml")


# Pages -------------------------------------------------------------------------


def _store(request):
    if not hasattr(request, "shop_store"):
        request.shop_store = catalog.shop_store()
    return request.shop_store


def _page(request, template: str, context: dict | None = None, status: int = 200):
    """Render a shop page with what every page shows: the store, the collections menu, the bag."""
    store = _store(request)
    if store is None:
        return render(request, "storefront/closed.html", status=503)
    base = {
        "store": store,
        "collections": catalog.collections(),
        "bag_count": Bag(request.session).count,
    }
    return render(request, template, {**base, **(context or {})}, status=status)


def _sort(request) -> str:
    sort = request.GET.get("sort", "featured")
    return sort if sort in catalog.SORTS else "featured"


def _listing(request, template: str, queryset, context: dict):
    sort = _sort(request)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(request, template, {
        **context, "page": page, "products": page.object_list, "sort": sort, "sorts": catalog.SORT_LABELS,
    })


def home(request):
    return _page(request, "storefront/home.html", {"featured": catalog.featured_products(8)})


def collection(request, slug: str):
    category = catalog.collection_by_slug(slug)
    if category is None:
        raise Http404
    return _listing(request, "storefront/collection.html", catalog.products_in(category, _sort(request)),
                    {"category": category, "title": category.name})


def all_products(request):
    return _listing(request, "storefront/collection.html", catalog.products_in(None, _sort(request)),
                    {"title": "Shop all"})


def search(request):
    query = " ".join(request.GET.get("q", "").split())[:100]
    title = f"Results for “{query}”" if query else "Search"
    return _listing(request, "storefront/collection.html", catalog.search_products(query, _sort(request)),
                    {"title": title, "query": query, "is_search": True})


def product(request, sku: str):
    item = catalog.product_by_sku(sku)
    if item is None:
        raise Http404
    return _page(request, "storefront/product.html", {
        "product": item, "related": catalog.related_products(item), "max_quantity": MAX_QUANTITY,
    })


# Bag and checkout ----------------------------------------------------------------


def _quantity(raw, default: int | None = 1) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return default


def _coupon_check(request, bag: Bag, subtotal):
    """The applied coupon checked against the bag as it is now, or None without a coupon."""
    if not bag.coupon_code:
        return None
    store = _store(request)
    return coupons.check_coupon(bag.coupon_code, subtotal, currency=store.currency if store else None)


def bag(request):
    bag = Bag(request.session)
    lines = bag.lines()
    subtotal = Bag.subtotal(lines)
    coupon = _coupon_check(request, bag, subtotal)
    discount = coupon.discount if coupon is not None and coupon.is_valid else ZERO
    # Free delivery is earned by what the shopper pays for the goods.
    delivery = ZERO if subtotal - discount >= FREE_DELIVERY_FROM else DELIVERY_FEE
    return _page(request, "storefront/bag.html", {
        "lines": lines, "subtotal": subtotal, "coupon": coupon, "discount": discount, "delivery": delivery,
        "total": subtotal - discount + delivery,
        "customer": selectors.customer_for(request.user), "max_quantity": MAX_QUANTITY,
    })


@require_POST
def bag_coupon(request):
    """Apply a coupon code to the bag, or remove it (an empty code or the remove button)."""
    bag = Bag(request.session)
    code = request.POST.get("code", "").strip()[:64]
    if "remove" in request.POST or not code:
        bag.set_coupon("")
        messages.success(request, "The coupon is removed.")
        return redirect("storefront:bag")
    store = _store(request)
    check = coupons.check_coupon(code, Bag.subtotal(bag.lines()), currency=store.currency if store else None)
    if check.is_valid:
        bag.set_coupon(check.code)
        messages.success(request, f"Coupon {check.code} applied: {check.message}")
    else:
        messages.error(request, f"Coupon {check.code or code}: {check.message}")
    return redirect("storefront:bag")


@require_POST
def bag_add(request):
    item = catalog.product_by_sku(request.POST.get("sku", ""))
    if item is None:
        raise Http404
    if not item.in_stock:
        messages.error(request, f"{item.name} is sold out at the moment.")
        return redirect("storefront:product", sku=item.sku)
    bag = Bag(request.session)
    bag.add(item, max(1, _quantity(request.POST.get("quantity"))))
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"bag_count": bag.count, "name": item.name})
    messages.success(request, f"{item.name} is in your bag.")
    return redirect("storefront:bag")


@require_POST
def bag_update(request):
    quantity = _quantity(request.POST.get("quantity"), None)
    if quantity is not None:
        Bag(request.session).set(request.POST.get("sku", ""), quantity)
    return redirect("storefront:bag")


@require_POST
def checkout(request):
    """Turn the bag into an order, recorded (and attributed) like any storefront's order."""
    if getattr(request, "shopping_as", None) is not None or getattr(request, "shopping_as_ended", ""):
        # An associate shopping as the customer (or whose session just ended): a pending-payment order.
        return impersonation.checkout(request)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('storefront:login')}?next={reverse('storefront:bag')}")
    customer = selectors.customer_for(request.user)
    if customer is None or customer.status != CustomerStatus.ACTIVE:
        messages.error(request, "Only approved customer accounts can place orders.")
        return redirect("storefront:bag")
    bag = Bag(request.session)
    lines = bag.lines()
    if not lines:
        return redirect("storefront:bag")
    store = _store(request) or customer.store
    discount, coupon_code = ZERO, ""
    coupon = _coupon_check(request, bag, Bag.subtotal(lines))
    if coupon is not None:
        if not coupon.is_valid:
            # The shopper sees the price change before paying it: nothing is placed.
            bag.set_coupon("")
            messages.error(request, f"Coupon {coupon.code} can no longer be used: {coupon.message} "
                                    "Check your bag and place the order again.")
            return redirect("storefront:bag")
        discount, coupon_code = coupon.discount, coupon.code
    try:
        order, _ = record_order(Actor(request.user), {
            "external_id": f"SHOP-{bag.checkout_key}", "customer_id": customer.pk, "store_id": store.pk,
            "currency": store.currency,
            "lines": [{"sku": line.product.sku, "quantity": line.quantity, "unit_price": line.product.price}
                      for line in lines],
            "discount": discount, "coupon_code": coupon_code,
            # The referral link the shopper followed within the window, and their visitor id,
            # so attribution rule 3 finds the click.
            "referral_code": referral_from_request(request), "visitor_id": visitor_id_from_request(request),
        })
    except (InvalidInput, Conflict) as error:
        messages.error(request, f"We could not place this order: {error}")
        return redirect("storefront:bag")
    bag.clear()
    messages.success(request, f"Thank you! Order {order.external_id} is placed.")
    return redirect("storefront:account")


# The shopper's account ------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "storefront/login.html"
    authentication_form = ShopLoginForm
    redirect_authenticated_user = True
    next_page = "storefront:account"

    def get(self, request, *args, **kwargs):
        if _store(request) is None:
            return render(request, "storefront/closed.html", status=503)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(store=_store(self.request), collections=catalog.collections(),
                       bag_count=Bag(self.request.session).count)
        return context


login_view = LoginView.as_view()


@require_POST
def logout_view(request):
    # Logging out flushes the session, bag included; that is what a shared computer needs.
    logout(request)
    return redirect("storefront:home")


def register(request):
    store = _store(request)
    if store is None:
        return render(request, "storefront/closed.html", status=503)
    if request.user.is_authenticated:
        return redirect("storefront:account")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            customer = register_customer(
                store, email=data["email"], password=data["password"], first_name=data["first_name"],
                last_name=data["last_name"], phone=data["phone"], email_opt_in=data["email_opt_in"],
            )
        except InvalidInput as error:
            form.add_service_errors(error)
        else:
            login(request, customer.user, backend="django.contrib.auth.backends.ModelBackend")
            next_url = request.POST.get("next", "")
            if customer.status == CustomerStatus.ACTIVE and url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                return redirect(next_url)
            return redirect("storefront:account")
    return _page(request, "storefront/register.html", {"form": form, "next": request.GET.get("next", "")})


@login_required(login_url="storefront:login")
def account(request):
    # An associate shopping as a customer sees that customer's account, as the customer would.
    session = getattr(request, "shopping_as", None)
    customer = session.customer if session else selectors.customer_for(request.user)
    context = {"customer": customer, "is_active": bool(customer and customer.status == CustomerStatus.ACTIVE)}
    if context["is_active"]:
        # Reps and orders only once the retailer has approved the account.
        context["reps"] = selectors.rep_cards(customer)
        context["orders"] = selectors.recent_orders(request.user, customer)
    return _page(request, "storefront/account.html", context)
