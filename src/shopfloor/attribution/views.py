"""The referral link: the page that records a click for attribution rule 3."""

from django.http import HttpResponseRedirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from shopfloor.attribution.referrals import (
    DEFAULT_NEXT,
    associate_for_referral_code,
    new_visitor_id,
    record_referral_click,
    safe_next_path,
    set_referral_cookies,
    visitor_id_from_request,
)
from shopfloor.customers.models import Customer


@never_cache
@require_safe
def referral(request, referral_code: str):
    """`/r/<referral_code>?next=/shop/...`: record the click, keep the referral, go to a page of this site."""
    associate = associate_for_referral_code(referral_code)
    if associate is None:
        # Unknown or retired codes lead to the shop and record nothing.
        return HttpResponseRedirect(DEFAULT_NEXT)
    next_path = safe_next_path(request, request.GET.get("next"))
    visitor_id = visitor_id_from_request(request) or new_visitor_id()
    customer = None
    if request.user.is_authenticated:
        customer = Customer.objects.filter(user=request.user).first()
    if request.method == "GET":
        # HEAD (link previews, prefetchers) sets nothing and counts nothing.
        record_referral_click(associate, visitor_id, customer=customer, next_path=next_path)
    response = HttpResponseRedirect(next_path)
    if request.method == "GET":
        set_referral_cookies(request, response, associate, visitor_id)
    response["Referrer-Policy"] = "same-origin"
    return response
