"""The customer's payment page: `/pay/<token>/` reviews a pending-payment order and pays it.

Thin: the link's rules and the payment are `payment_links`'. Any link that cannot be paid
answers a page saying why (400 tampered or unknown, 410 expired or replaced or cancelled,
200 for an order already paid), never a 5xx.
"""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from shopfloor.access import Actor, NotAllowed, NotVisible
from shopfloor.catalog import selectors
from shopfloor.catalog.bag import Bag
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.orders.on_behalf import services as on_behalf
from shopfloor.orders.payment_links import (
    LinkProblem,
    check_payable,
    link_for_token,
    pay_link,
    record_provider_payment,
)
from shopfloor.orders.payments import get_provider

PROBLEM_STATUS = {"invalid": 400, "expired": 410, "replaced": 410, "cancelled": 410}


def _render(request, template, context, status=200, store=None):
    base = {"store": store or selectors.shop_store(), "collections": selectors.collections(),
            "bag_count": Bag(request.session).count}
    # The site's Referrer-Policy (same-origin) keeps the token from other sites; "no-referrer" would
    # make browsers send `Origin: null` with the form, which CSRF protection rightly refuses.
    return render(request, template, {**base, **context}, status=status)


def _problem(request, problem: LinkProblem):
    link = problem.link
    order = link.order if link else None
    if problem.kind == "paid":
        payment = order.payments.filter(status="approved").first()
        return _render(request, "orders/pay_done.html", {"order": order, "payment": payment}, store=order.store)
    return _render(request, "orders/pay_problem.html", {"kind": problem.kind, "order": order},
                   status=PROBLEM_STATUS.get(problem.kind, 400), store=order.store if order else None)


@never_cache
def pay(request, token: str):
    try:
        link = link_for_token(token)
        check_payable(link)
    except LinkProblem as problem:
        return _problem(request, problem)
    order = link.order
    context = {"order": order, "link": link, "lines": list(order.lines.all()), "token": token,
               "card_number": "", "error": "", "declined": ""}
    status = 200
    if request.method == "POST":
        card_number = request.POST.get("card_number", "")[:40]
        context["card_number"] = card_number
        user = request.user if request.user.is_authenticated else None
        try:
            outcome = pay_link(token, card_number, actor_user=user)
        except LinkProblem as problem:
            return _problem(request, problem)
        except InvalidInput as error:
            context["error"] = error.errors[0][1]
            status = 422
        except Conflict as error:
            context["error"] = str(error)
            status = 409
        else:
            if outcome.paid:
                return redirect("orders:pay", token=token)
            context["declined"] = outcome.message or "Your card was declined."
    return _render(request, "orders/pay.html", context, status=status, store=order.store)


@require_POST
def resend_link(request, order_id: int):
    """Console: send the customer a new payment link for a pending-payment order."""
    if not request.user.is_authenticated:
        return redirect("console:login")
    try:
        link = on_behalf.resend_link(Actor(request.user), order_id,
                                     base_url=request.build_absolute_uri("/").rstrip("/"))
    except NotVisible:
        raise Http404
    except (NotAllowed, Conflict) as refused:
        messages.error(request, str(refused))
        return redirect("console:customers")
    order = link.order
    messages.success(request, f"A new payment link for order {order.external_id} is on its way to "
                              f"{order.customer.email or order.customer}.")
    return redirect("console:customer", customer_id=order.customer_id)


@csrf_exempt  # signed by the provider instead (a server-to-server call carries no CSRF token)
@require_POST
def provider_callback(request, provider: str):
    """The payment provider says it charged an order; recorded once however often it says so."""
    adapter = get_provider()
    if provider != adapter.name:
        raise Http404
    data = adapter.parse_callback(request.body, request.headers)
    if data is None:
        return JsonResponse({"detail": "The signature or the body is not valid."}, status=400)
    try:
        outcome = record_provider_payment(adapter.name, data["reference"], data["order_id"], data["amount"],
                                          data["currency"])
    except Conflict as error:
        return JsonResponse({"detail": str(error)}, status=409)
    return JsonResponse({"order_id": data["order_id"], "payment_id": outcome.payment.pk,
                         "recorded": not outcome.already_paid})
