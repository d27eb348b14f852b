"""Console pages for announcements, messages and agents; the public agent registration pages.

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

from shopfloor.access import (
    NotAllowed,
    NotVisible,
    get_announcement_for,
    get_thread_for,
    subagent_orders,
    visible_subagents,
)
from shopfloor.accounts import onboarding
from shopfloor.accounts.models import AgentRegistration, RegistrationStatus
from shopfloor.comms import selectors, services
from shopfloor.comms.api import attachment_response
from shopfloor.comms.forms import AgentRegistrationForm, AnnouncementForm, ReplyForm, ThreadForm
from shopfloor.consolekit import console_page, render_page
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.live.geo import client_address

PAGE_SIZE = 25
RECENT_SALES = 20
# Cancelled orders are not sales.
SOLD = ~Q(attributed_orders__status="cancelled")


def _add_errors(form, error: InvalidInput, names: dict | None = None) -> None:
    """Service errors onto the form's fields (by the last part of their location)."""
    for loc, message in error.errors:
        name = (names or {}).get(loc[-1], loc[-1]) if loc else None
        form.add_error(name if name in form.fields else None, message)


# Announcements ----------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@console_page
def announcements(request):
    actor = request.actor
    status = 200
    form = None
    if actor.is_admin:
        form = AnnouncementForm(request.POST or None)
        if request.method == "POST":
            if form.is_valid():
                try:
                    announcement = services.save_announcement(actor, form.service_data())
                except InvalidInput as error:
                    _add_errors(form, error, {"store_ids": "stores", "agent_group_ids": "agent_groups"})
                else:
                    messages.success(request, f"“{announcement.title}” is published." if announcement.delivered_at
                                     else f"“{announcement.title}” is scheduled.")
                    return redirect("comms:announcement", announcement.pk)
            status = 422
    elif request.method == "POST":
        raise NotAllowed("Only the retailer's admins publish announcements.")
    page = Paginator(selectors.announcements_for(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(request, "comms/announcements.html", {"page": page, "form": form, "new_form": form},
                       status=status)


@never_cache
@console_page
def announcement(request, announcement_id: int):
    actor = request.actor
    item = get_announcement_for(actor, announcement_id)
    services.read_announcement(actor, item)
    receipts = selectors.read_receipts(item) if actor.is_admin else None
    return render_page(request, "comms/announcement.html", {
        "announcement": item, "receipts": receipts,
        "read_total": sum(1 for r in receipts if r["read_at"]) if receipts is not None else 0,
    })


# Messages ---------------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@console_page
def threads(request):
    actor = request.actor
    partners = selectors.thread_partners(actor)
    # "Message" links elsewhere in the console pick the recipient with ?to=.
    form = ThreadForm(request.POST or None, partners=partners, initial={"to": request.GET.get("to")})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            kind, associate_id = form.service_args()
            try:
                thread = services.start_thread(actor, kind, form.cleaned_data["subject"], form.cleaned_data["body"],
                                               associate_id, request.FILES.getlist("files"))
            except InvalidInput as error:
                _add_errors(form, error, {"associate_id": "to", "files": "body", "kind": "to"})
            else:
                return redirect("comms:thread", thread.pk)
        status = 422
    page = Paginator(selectors.threads_for(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    can_start = bool(form.fields["to"].choices)
    return render_page(request, "comms/threads.html", {
        "page": page, "form": form, "can_start": can_start, "new_form": form if can_start else None,
        "accept": "image/png,image/jpeg,image/gif,image/webp,application/pdf",
    }, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@console_page
def thread(request, thread_id: int):
    actor = request.actor
    item = get_thread_for(actor, thread_id)
    form = ReplyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.post_message(actor, item, form.cleaned_data["body"], request.FILES.getlist("files"))
            except InvalidInput as error:
                _add_errors(form, error, {"files": "body"})
            else:
                return redirect(f"{reverse('comms:thread', args=[item.pk])}#latest")
        status = 422
    services.read_thread(actor, item)
    members = [selectors.author_name(user) for user in selectors.thread_member_list(item)]
    return render_page(request, "comms/thread.html", {
        "thread": item, "thread_messages": selectors.messages_in(item), "form": form, "members": members,
        "accept": "image/png,image/jpeg,image/gif,image/webp,application/pdf",
    }, status=status)


@never_cache
@console_page
def attachment(request, attachment_id: int):
    return attachment_response(selectors.get_attachment_for(request.actor, attachment_id))


# Agents -----------------------------------------------------------------------------------------------


@never_cache
@console_page
def agents(request):
    actor = request.actor
    subagents = visible_subagents(actor).annotate(
        sales=Count("attributed_orders", filter=SOLD, distinct=True),
        revenue=Sum("attributed_orders__total", filter=SOLD),
    ).order_by("name", "pk")
    sales = subagent_orders(actor).select_related("attributed_associate", "store").order_by("-placed_at", "-id")
    link = None
    if actor.associate is not None and onboarding.registration_open():
        link = request.build_absolute_uri(
            reverse("comms:join", args=[onboarding.recruit_link_for(actor.associate).code])
        )
    decided = None
    if actor.is_admin:
        decided = (AgentRegistration.objects.exclude(status=RegistrationStatus.PENDING)
                   .select_related("recruiter", "decided_by").order_by("-decided_at", "-id")[:10])
    return render_page(request, "comms/agents.html", {
        "page": Paginator(subagents, PAGE_SIZE).get_page(request.GET.get("page")),
        "sales": sales[:RECENT_SALES], "recruit_link": link,
        "pending": onboarding.pending_registrations(actor), "decided": decided,
        "registration_open": onboarding.registration_open(),
    })


@require_POST
@console_page
def agent_decide(request, registration_id: int, decision: str):
    actor = request.actor
    registration = onboarding.get_registration_for(actor, registration_id)
    try:
        if decision == "approve":
            associate = onboarding.approve_registration(actor, registration)
            messages.success(request, f"{associate.name} is an agent now; they got an email to set their password.")
        else:
            onboarding.reject_registration(actor, registration)
            messages.success(request, f"{registration.name}'s registration is rejected.")
    except Conflict as exc:
        messages.error(request, str(exc))
    return redirect(request.POST.get("next") if request.POST.get("next") == reverse("console:approvals")
                    else "comms:agents")


# Public registration ----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def register(request, code: str | None = None):
    # Counted before anything else: these pages answer anyone, and recruit codes must not be guessable.
    address = client_address(request.META.get("REMOTE_ADDR"), request.headers.get("X-Forwarded-For"))
    wait = onboarding.take_registration_attempt(address)
    if wait is not None:
        response = render(request, "comms/register_limited.html", {"minutes": math.ceil(wait / 60)}, status=429)
        response["Retry-After"] = str(wait)
        return response
    try:
        recruiter = onboarding.recruiter_for(code) if code is not None else None
    except NotVisible:
        raise Http404
    if recruiter is None and not onboarding.registration_open():
        raise Http404
    form = AgentRegistrationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                onboarding.register_agent(form.cleaned_data, recruit_code=code)
            except InvalidInput as error:
                _add_errors(form, error)
            else:
                return render(request, "comms/register_done.html", {"recruiter": recruiter})
        status = 422
    return render(request, "comms/register.html", {"form": form, "recruiter": recruiter}, status=status)


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The link in an approved agent's welcome email (Django's password-reset token: single use)."""

    template_name = "comms/set_password.html"
    success_url = reverse_lazy("console:login")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password is set. Sign in with your email address.")
        return response
