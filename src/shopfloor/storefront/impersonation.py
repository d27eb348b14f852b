"""Shop as customer on the demo shop: the session key, the middleware, the start/exit views and checkout.

The associate stays signed in as themselves (the audit log and the console know who acts);
the Django session carries the id of an open `orders.ShopAsSession`, and this module's
middleware turns it into `request.shopping_as` on every request, or ends it when its time
is up (`request.shopping_as_ended` then says why). Every POST to the shop made while
shopping as a customer is written to the audit log as it succeeds.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shopfloor.access import Actor, NotAllowed, NotVisible, get_order_for
from shopfloor.attribution.coupons import services as coupons
from shopfloor.catalog import selectors
from shopfloor.catalog.bag import Bag
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.money import ZERO
from shopfloor.orders import payment_links
from shopfloor.orders.models import OnBehalfPermission, ShopAsEndReason
from shopfloor.orders.on_behalf import services as on_behalf

SESSION_KEY = "shop_as_session"
# Where the associate acts as the customer (the banner shows, the session is checked and audited).
SHOP_PATHS = ("/shop/", "/pay/")

ENDED_MESSAGES = {
    ShopAsEndReason.TIMEOUT: "Your session shopping as {customer} timed out. Nothing more is placed in their name; "
                             "start again from their page in the console.",
    ShopAsEndReason.REVOKED: "Your session shopping as {customer} ended: you may no longer shop as them.",
    ShopAsEndReason.REPLACED: "Your session shopping as {customer} ended when you started another one.",
}


class ShopAsMiddleware:
    """Sets `request.shopping_as` (an open ShopAsSession or None) and audits the shop's POSTs in it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.shopping_as = None
        request.shopping_as_ended = ""
        session_id = None
        if request.path.startswith(SHOP_PATHS) and hasattr(request, "session"):
            # Only the shop and the payment pages act as the customer; elsewhere nothing is read.
            session_id = request.session.get(SESSION_KEY)
        if session_id is not None:
            session, reason = on_behalf.check_session(getattr(request, "user", None), session_id)
            if reason:
                request.session.pop(SESSION_KEY, None)
                # The customer's bag is not the associate's: it goes with the session.
                Bag(request.session).clear()
                request.shopping_as_ended = reason
                ended = ENDED_MESSAGES.get(reason)
                if ended and session is not None and hasattr(request, "_messages"):
                    messages.warning(request, ended.format(customer=session.customer))
            else:
                request.shopping_as = session
                request.shopping_as_can_pay_now = can_pay_now()
        response = self.get_response(request)
        session = request.shopping_as
        if (session is not None and request.method == "POST" and request.path.startswith(SHOP_PATHS)
                and response.status_code < 400 and not getattr(request, "shopping_as_audited", False)):
            match = getattr(request, "resolver_match", None)
            action = match.url_name if match else request.path
            on_behalf.record_action(session, action, path=request.path,
                                    fields=sorted(k for k in request.POST if k != "csrfmiddlewaretoken"),
                                    sku=request.POST.get("sku", "")[:64], quantity=request.POST.get("quantity", "")[:8])
            if action == "logout":
                # Signing out of the shop ends the session too (the Django session is gone with it).
                on_behalf.end_session(session, ShopAsEndReason.EXIT)
        return response


def _forbidden(request, reason: str, status: int = 403):
    return render(request, "storefront/shop_as_refused.html", {"reason": reason}, status=status)


@require_POST
def start(request, customer_id: int):
    """From the console's customer page: start shopping as the customer and land on the shop."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('console:login')}?next={reverse('console:customer', args=[customer_id])}")
    try:
        session = on_behalf.start_session(Actor(request.user), customer_id)
    except NotVisible:
        raise Http404
    except NotAllowed as refused:
        return _forbidden(request, str(refused))
    bag = Bag(request.session)
    bag.clear()
    request.session[SESSION_KEY] = session.pk
    return redirect("storefront:home")


@require_POST
def exit_view(request):
    """End the session and go back to the customer's page in the console."""
    session = request.shopping_as
    request.session.pop(SESSION_KEY, None)
    Bag(request.session).clear()
    if session is None:
        return redirect("console:home")
    on_behalf.end_session(session, ShopAsEndReason.EXIT)
    request.shopping_as_audited = True
    return redirect("console:customer", customer_id=session.customer_id)


def checkout(request):
    """Checkout while shopping as a customer: a pending-payment order for them, credited to the associate.

    Called by the shop's checkout view when `request.shopping_as` is set or has just ended; a
    session that timed out places nothing.
    """
    session = request.shopping_as
    if session is None:
        if not request.shopping_as_ended:
            return redirect("storefront:bag")
        messages.error(request, "Nothing was placed: your shop-as-customer session has ended.")
        return redirect("storefront:bag")
    bag = Bag(request.session)
    lines = bag.lines()
    if not lines:
        return redirect("storefront:bag")
    store = session.customer.store
    discount, coupon_code = ZERO, ""
    if bag.coupon_code:
        coupon = coupons.check_coupon(bag.coupon_code, Bag.subtotal(lines), currency=store.currency)
        if not coupon.is_valid:
            bag.set_coupon("")
            messages.error(request, f"Coupon {coupon.code} can no longer be used: {coupon.message}")
            return redirect("storefront:bag")
        discount, coupon_code = coupon.discount, coupon.code
    pay_now = request.POST.get("payment") == "now"
    try:
        order, link, _ = on_behalf.place_order(
            Actor(request.user), session.customer_id,
            [{"sku": line.product.sku, "quantity": line.quantity, "unit_price": line.product.price}
             for line in lines],
            external_id=f"SHOP-{bag.checkout_key}", discount=discount, coupon_code=coupon_code, session=session,
            pay_now=pay_now, base_url=request.build_absolute_uri("/").rstrip("/"),
        )
    except (InvalidInput, Conflict, NotAllowed) as error:
        messages.error(request, f"We could not place this order: {error}")
        return redirect("storefront:bag")
    except NotVisible:
        messages.error(request, "We could not place this order: you may no longer shop as this customer.")
        return redirect("storefront:bag")
    request.shopping_as_audited = True  # place_order wrote the step with the order's id
    bag.clear()
    if pay_now and link is not None:
        return redirect("orders:pay", token=payment_links.link_token(link))
    return redirect("shop_as:placed", order_id=order.pk)


def placed(request, order_id: int):
    """What the associate sees after placing: the order, where the payment link went, the link itself."""
    if not request.user.is_authenticated:
        raise Http404
    try:
        order = get_order_for(Actor(request.user), order_id)
    except NotVisible:
        raise Http404
    link = order.payment_links.filter(revoked_at__isnull=True).first()
    customer = order.customer
    return render(request, "storefront/shop_as_placed.html", {
        "store": selectors.shop_store() or order.store, "collections": selectors.collections(),
        "bag_count": Bag(request.session).count, "order": order, "customer": customer,
        "payment_url": request.build_absolute_uri(payment_links.link_path(link)) if link else "",
        "sms": bool(customer and customer.sms_opt_in and customer.phone),
        "days": on_behalf.on_behalf_settings().payment_link_days,
    })


def can_pay_now() -> bool:
    return on_behalf.on_behalf_settings().associate_permission == OnBehalfPermission.PLACE_AND_PAY
