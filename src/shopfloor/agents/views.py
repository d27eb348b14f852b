"""The console's agents page (subagents, their sales, recruit link, registrations to decide) and the public
agent registration pages (/agents/register/, /join/<code>/, the set-password link).

Thin: visibility from shopfloor.access (through the selectors), writes through the services.
"""

import math

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from shopfloor.access import NotVisible, subagent_orders, visible_subagents
from shopfloor.accounts.models import AgentRegistration, RegistrationStatus
from shopfloor.agents import selectors, services
from shopfloor.agents.forms import AgentRegistrationForm
from shopfloor.consolekit import console_page, render_page
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.live.geo import client_address

PAGE_SIZE = 25
RECENT_SALES = 20
# Cancelled orders are not sales.
SOLD = ~Q(attributed_orders__status="cancelled")


# The console's agents page ----------------------------------------------------------------------------


@never_cache
@console_page
def index(request):
    actor = request.actor
    subagents = visible_subagents(actor).annotate(
        sales=Count("attributed_orders", filter=SOLD, distinct=True),
        revenue=Sum("attributed_orders__total", filter=SOLD),
    ).order_by("name", "pk")
    sales = subagent_orders(actor).select_related("attributed_associate", "store").order_by("-placed_at", "-id")
    link = None
    if actor.associate is not None and services.registration_open():
        link = request.build_absolute_uri(
            reverse("agents:join", args=[services.recruit_link_for(actor.associate).code])
        )
    decided = None
    if actor.is_admin:
        decided = (AgentRegistration.objects.exclude(status=RegistrationStatus.PENDING)
                   .select_related("recruiter", "decided_by").order_by("-decided_at", "-id")[:10])
    return render_page(request, "agents/index.html", {
        "page": Paginator(subagents, PAGE_SIZE).get_page(request.GET.get("page")),
        "sales": sales[:RECENT_SALES], "recruit_link": link,
        "pending": selectors.pending_registrations(actor), "decided": decided,
        "registration_open": services.registration_open(),
    })


@require_POST
@console_page
def decide(request, registration_id: int, decision: str):
    actor = request.actor
    registration = selectors.get_registration_for(actor, registration_id)
    try:
        if decision == "approve":
            associate = services.approve_registration(actor, registration)
            messages.success(request, f"{associate.name} is an agent now; they got an email to set their password.")
        else:
            services.reject_registration(actor, registration)
            messages.success(request, f"{registration.name}'s registration is rejected.")
    except Conflict as exc:
        messages.error(request, str(exc))
    return redirect(request.POST.get("next") if request.POST.get("next") == reverse("console:approvals")
                    else "agents:index")


# Public registration ----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def register(request, code: str | None = None):
    # Counted before anything else: these pages answer anyone, and recruit codes must not be guessable.
    address = client_address(request.META.get("REMOTE_ADDR"), request.headers.get("X-Forwarded-For"))
    wait = services.take_registration_attempt(address)
    if wait is not None:
        response = render(request, "agents/register_limited.html", {"minutes": math.ceil(wait / 60)}, status=429)
        response["Retry-After"] = str(wait)
        return response
    try:
        recruiter = services.recruiter_for(code) if code is not None else None
    except NotVisible:
        raise Http404
    if recruiter is None and not services.registration_open():
        raise Http404
    form = AgentRegistrationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.register_agent(form.cleaned_data, recruit_code=code)
            except InvalidInput as error:
                # Service errors onto the form's fields (by the last part of their location).
                for loc, message in error.errors:
                    name = loc[-1] if loc else None
                    form.add_error(name if name in form.fields else None, message)
            else:
                return render(request, "agents/register_done.html", {"recruiter": recruiter})
        status = 422
    return render(request, "agents/register.html", {"form": form, "recruiter": recruiter}, status=status)


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The link in an approved agent's welcome email (Django's password-reset token: single use)."""

    template_name = "agents/set_password.html"
    success_url = reverse_lazy("console:login")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password is set. Sign in with your email address.")
        return response
