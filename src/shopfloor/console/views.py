"""The associate console: sign-in, the customers an actor may see, approvals, settings.

Views are thin: visibility comes from `shopfloor.access` (through the selectors),
writes go through the apps' services. A customer the actor may not see answers 404.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shopfloor.access import (
    Actor,
    NotAllowed,
    NotVisible,
    Role,
    can_manage_customer,
    get_customer_for,
    visible_associates,
    visible_orders,
)
from shopfloor.accounts.models import ApiToken, SellingMode
from shopfloor.accounts.selectors import photo_url
from shopfloor.accounts.services import create_api_token
from shopfloor.api import api
from shopfloor.console import nav
from shopfloor.console.forms import ApiTokenForm, ApprovalForm, ConsoleAuthenticationForm
from shopfloor.customers.models import Customer, CustomerAssignment, CustomerGroup, CustomerStatus
from shopfloor.customers.selectors import customer_list
from shopfloor.customers.services import approve_customer, customer_reps, reject_customer, unmapped_rep_codes
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.orders.models import Order
from shopfloor.storefront.images import initials

PAGE_SIZE = 25
RECENT_ORDERS = 10
SEARCH_MAX_LENGTH = 100

MODE_ABOUT = {
    SellingMode.ASSOCIATE: "In associate mode each associate has their own customers, and sales are credited "
                           "to the associate.",
    SellingMode.TEAM: "In team mode the store's associates share its customers, and sales are credited "
                      "to the store.",
}
ROLE_LABELS = {Role.ADMIN: "Admin", Role.MANAGER: "Store manager", Role.ASSOCIATE: "Associate"}


# The page frame ------------------------------------------------------------------------------------------


def person_for(actor: Actor) -> dict:
    """Who is signed in, as the navigation shows them."""
    associate = actor.associate
    store = actor.store
    if actor.is_admin or store is None:
        scope = "Every store"
        mode_label = ""
        mode_help = "As an admin you see every store's customers."
        mode_about = ""
    else:
        scope = store.name
        mode_label = store.get_selling_mode_display()
        if actor.sees_whole_store:
            mode_help = f"You see every customer of {store.name}."
        else:
            mode_help = "You see the customers assigned to you."
        mode_about = MODE_ABOUT[store.selling_mode]
    name = (associate.name if associate else "") or actor.user.get_full_name()
    return {
        "name": name,
        "email": actor.user.email,
        "role": actor.role,
        "role_label": ROLE_LABELS.get(actor.role, ""),
        "scope": scope,
        "selling_mode": store.selling_mode if store and mode_label else "",
        "selling_mode_label": mode_label,
        "selling_mode_help": mode_help,
        "selling_mode_about": mode_about,
        "initials": initials(name),
    }


def render_page(request, template: str, context: dict | None = None, status: int = 200):
    actor = request.actor
    frame = {
        "actor": actor,
        "me": person_for(actor),
        "nav_links": nav.links_for(actor, request.path),
    }
    return render(request, template, {**frame, **(context or {})}, status=status)


def console_page(view):
    """Sign-in required; staff only; NotVisible answers 404 and NotAllowed 403, inside the console frame."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        actor = Actor(request.user)
        if not actor.is_staff_member:
            return render(request, "console/no_access.html", {"email": request.user.email}, status=403)
        request.actor = actor
        try:
            return view(request, *args, **kwargs)
        except NotVisible:
            return render_page(request, "console/not_found.html", status=404)
        except NotAllowed as exc:
            return render_page(request, "console/forbidden.html", {"reason": str(exc)}, status=403)

    return wrapper


def require_role(actor: Actor, roles) -> None:
    if actor.role not in roles:
        raise NotAllowed("Only admins and store managers may open this page.")


# Sign-in -------------------------------------------------------------------------------------------------


class ConsoleLoginView(auth_views.LoginView):
    template_name = "console/login.html"
    authentication_form = ConsoleAuthenticationForm
    redirect_authenticated_user = True


login_view = ConsoleLoginView.as_view()
logout_view = auth_views.LogoutView.as_view(next_page="console:login")


@require_GET
@console_page
def home(request):
    return redirect("console:customers")


# Customers -----------------------------------------------------------------------------------------------


def _with_primary_associate(queryset):
    primary = CustomerAssignment.objects.filter(is_primary=True).select_related("associate")
    return queryset.prefetch_related(Prefetch("assignments", queryset=primary, to_attr="primary_assignments"))


@require_GET
@console_page
def customers(request):
    query = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    status = request.GET.get("status", "")
    if status not in CustomerStatus.values:
        status = ""
    queryset = _with_primary_associate(customer_list(request.actor, query, status or None))
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "customer": customer,
            "primary": customer.primary_assignments[0].associate if customer.primary_assignments else None,
        }
        for customer in page.object_list
    ]
    return render_page(request, "console/customers.html", {
        "query": query,
        "status": status,
        "statuses": CustomerStatus.choices,
        "page": page,
        "rows": rows,
        "is_filtered": bool(query or status),
    })


def _order_rows(orders):
    rows = []
    for order in orders:
        evidence = order.attribution_evidence or {}
        credited = order.attributed_associate or order.attributed_store
        rows.append({
            "order": order,
            "credited_to": credited,
            "influencer": order.influencer,
            "rule": order.get_attribution_rule_display(),
            "summary": evidence.get("summary", ""),
        })
    return rows


@require_GET
@console_page
def customer_detail(request, customer_id: int):
    actor = request.actor
    customer = get_customer_for(
        actor, customer_id, Customer.objects.select_related("store", "group", "business")
    )
    assignments = customer.assignments.select_related("associate").order_by("-is_primary", "created_at", "id")
    reps = [{"associate": rep, "photo_url": photo_url(rep)} for rep in customer_reps(customer)]
    orders = (
        visible_orders(actor, Order.objects.filter(customer=customer))
        .select_related("attributed_associate", "attributed_store", "influencer")
        .order_by("-placed_at", "-id")[:RECENT_ORDERS]
    )
    return render_page(request, "console/customer_detail.html", {
        "customer": customer,
        "assignments": assignments,
        "reps": reps,
        "rep_codes": list(customer.rep_codes.values_list("code", flat=True)),
        "unmapped_rep_codes": unmapped_rep_codes(customer),
        "orders": _order_rows(orders),
        "can_manage": can_manage_customer(actor, customer),
    })


# Approvals -----------------------------------------------------------------------------------------------


def approval_associates(actor: Actor, customer: Customer):
    """Whom an approver may assign: active associates they see, of the customer's store or group."""
    condition = Q(store_id=customer.store_id)
    if customer.group_id:
        condition |= Q(customer_groups=customer.group_id)
    return visible_associates(actor).filter(condition, active=True).distinct().order_by("name", "pk")


def _group_defaults(group_ids) -> dict[int, int]:
    """Each group's default associate: its first active associate by id (as approve_customer picks it)."""
    defaults: dict[int, int] = {}
    memberships = CustomerGroup.associates.through.objects.filter(
        customergroup_id__in=group_ids, associate__active=True
    ).order_by("associate_id")
    for group_id, associate_id in memberships.values_list("customergroup_id", "associate_id"):
        defaults.setdefault(group_id, associate_id)
    return defaults


def _approval_rows(actor: Actor, pending: list[Customer]) -> list[dict]:
    store_ids = {customer.store_id for customer in pending}
    group_ids = {customer.group_id for customer in pending if customer.group_id}
    group_members: dict[int, set[int]] = {}
    for group_id, associate_id in CustomerGroup.associates.through.objects.filter(
        customergroup_id__in=group_ids
    ).values_list("customergroup_id", "associate_id"):
        group_members.setdefault(group_id, set()).add(associate_id)
    member_ids = set().union(*group_members.values()) if group_members else set()
    pool = list(
        visible_associates(actor)
        .filter(Q(store_id__in=store_ids) | Q(pk__in=member_ids), active=True)
        .order_by("name", "pk")
    )
    defaults = _group_defaults(group_ids)
    rows = []
    for customer in pending:
        members = group_members.get(customer.group_id, set())
        options = [a for a in pool if a.store_id == customer.store_id or a.pk in members]
        default_id = defaults.get(customer.group_id)
        if default_id is None:
            empty_label = "Nobody for now"
        elif any(a.pk == default_id for a in options):
            empty_label = None
        else:
            empty_label = "The group's associate"
        rows.append({
            "customer": customer,
            "can_manage": can_manage_customer(actor, customer),
            "options": options,
            "selected_id": default_id,
            "empty_label": empty_label,
        })
    return rows


@require_GET
@console_page
def approvals(request):
    actor = request.actor
    require_role(actor, nav.MANAGING_ROLES)
    queryset = customer_list(actor, status=CustomerStatus.PENDING).select_related("group").order_by(
        "created_at", "id"
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(request, "console/approvals.html", {
        "page": page,
        "rows": _approval_rows(actor, list(page.object_list)),
    })


def _pending_customer(request, customer_id: int) -> Customer:
    require_role(request.actor, nav.MANAGING_ROLES)
    return get_customer_for(request.actor, customer_id, Customer.objects.select_related("store", "group"))


@require_POST
@console_page
def approve(request, customer_id: int):
    actor = request.actor
    customer = _pending_customer(request, customer_id)
    form = ApprovalForm(request.POST, associates=approval_associates(actor, customer))
    if not form.is_valid():
        messages.error(request, f"{customer}: {form.errors['associate'][0]}")
        return redirect("console:approvals")
    associate = form.cleaned_data["associate"]
    try:
        approve_customer(actor, customer, associate.pk if associate else None)
    except (Conflict, InvalidInput) as exc:
        messages.error(request, f"{customer} was not approved: {exc}")
        return redirect("console:approvals")
    customer.refresh_from_db()
    primary = customer.assignments.filter(is_primary=True).select_related("associate").first()
    assigned = f", assigned to {primary.associate}" if primary else ""
    messages.success(request, f"{customer} is approved{assigned}.")
    return redirect("console:approvals")


@require_POST
@console_page
def reject(request, customer_id: int):
    customer = _pending_customer(request, customer_id)
    try:
        reject_customer(request.actor, customer)
    except Conflict as exc:
        messages.error(request, f"{customer} was not rejected: {exc}")
        return redirect("console:approvals")
    messages.success(request, f"{customer}'s registration is rejected.")
    return redirect("console:approvals")


# Settings ------------------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@console_page
def settings_page(request):
    new_token = None
    status = 200
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            api_token, new_token = create_api_token(request.user, form.cleaned_data["name"].strip())
            form = ApiTokenForm()
        else:
            status = 422
    else:
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at", "-id")
    return render_page(request, "console/settings.html", {
        "form": form,
        "new_token": new_token,
        "tokens": tokens,
        "api_docs_url": reverse(f"{api.urls_namespace}:openapi-view"),
    }, status=status)
