"""The associate console: sign-in, customers, approvals, the dashboard, reports, payouts, notifications, settings.

Views are thin: visibility comes from `shopfloor.access` (through the selectors),
writes go through the apps' services. A customer the actor may not see answers 404.
"""

import csv

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shopfloor import charts, periods
from shopfloor.access import (
    Actor,
    NotVisible,
    Role,
    can_manage_customer,
    get_customer_for,
    visible_associates,
    visible_orders,
    visible_stores,
)
from shopfloor.accounts.models import ApiToken, Associate
from shopfloor.accounts.selectors import photo_url
from shopfloor.accounts.services import create_api_token
from shopfloor.api import api
from shopfloor.attribution.models import Coupon, ReferralClick
from shopfloor.clienteling.record import record_context
from shopfloor.clienteling.selectors import view_counts as task_view_counts
from shopfloor.commissions import selectors as commissions_selectors
from shopfloor.commissions.models import EntryKind, Payout, PayoutMethod
from shopfloor.commissions.payouts import record_payout
from shopfloor.comms import selectors as comms_selectors
from shopfloor.comms import services as comms
from shopfloor.comms.models import NotificationKind
from shopfloor.console import selectors as figures
from shopfloor.console.forms import ApiTokenForm, ApprovalForm, ConsoleAuthenticationForm, PayoutForm
from shopfloor.consolekit import MANAGING_ROLES, console_page, render_page, require_role
from shopfloor.customers.models import Customer, CustomerAssignment, CustomerGroup, CustomerStatus
from shopfloor.customers.selectors import customer_list, customer_list_page
from shopfloor.customers.services import approve_customer, customer_reps, reject_customer, unmapped_rep_codes
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.orders.models import Order

PAGE_SIZE = 25
RECENT_ORDERS = 10
SEARCH_MAX_LENGTH = 100

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
    """Associates and managers start on their dashboard; admins on the customers."""
    if request.actor.role in (Role.ASSOCIATE, Role.MANAGER):
        return redirect("console:dashboard")
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
    # Counted up to COUNT_LIMIT ("more than 200"): a full count of a million customers costs more than the page.
    page = customer_list_page(request.actor, query, status or None, number=request.GET.get("page"),
                              per_page=PAGE_SIZE,
                              prepare=lambda found: _with_primary_associate(found.select_related("store")))
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
    return render_page(request, "console/customer.html", {
        **record_context(request, customer),
        "customer": customer,
        "assignments": assignments,
        "reps": reps,
        "rep_codes": list(customer.rep_codes.values_list("code", flat=True)),
        "unmapped_rep_codes": unmapped_rep_codes(customer),
        "orders": _order_rows(orders),
        "can_manage": can_manage_customer(actor, customer),
    })


# Approvals -----------------------------------------------------------------------------------------------


def approval_associates(actor: Actor, customer: Customer, group: CustomerGroup | None = None):
    """Whom an approver may assign: active associates they see, of the customer's store or of the group
    (by default the one the customer registered in)."""
    group_id = group.pk if group is not None else customer.group_id
    condition = Q(store_id=customer.store_id)
    if group_id:
        condition |= Q(customer_groups=group_id)
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
    groups = list(CustomerGroup.objects.order_by("name", "pk")) if pending else []
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
        # Left empty, approving assigns the group's associate: the one suggested, or, when the approver picks
        # another group, that group's (console.js empties this choice when the group changes).
        if customer.group_id:
            empty_label = "The group's associate"
        elif groups:
            empty_label = "Nobody, or the chosen group's associate"
        else:
            empty_label = "Nobody for now"
        rows.append({
            "customer": customer,
            "can_manage": can_manage_customer(actor, customer),
            "options": options,
            "selected_id": default_id,
            "empty_label": empty_label,
            "groups": groups,
        })
    return rows


@require_GET
@console_page
def approvals(request):
    actor = request.actor
    require_role(actor, MANAGING_ROLES)
    queryset = customer_list(actor, status=CustomerStatus.PENDING).select_related("group").order_by(
        "created_at", "id"
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(request, "console/approvals.html", {
        "page": page,
        "rows": _approval_rows(actor, list(page.object_list)),
    })


def _pending_customer(request, customer_id: int) -> Customer:
    require_role(request.actor, MANAGING_ROLES)
    return get_customer_for(request.actor, customer_id, Customer.objects.select_related("store", "group"))


@require_POST
@console_page
def approve(request, customer_id: int):
    actor = request.actor
    customer = _pending_customer(request, customer_id)
    form = ApprovalForm(
        request.POST, customer=customer,
        associates_for=lambda group: approval_associates(actor, customer, group),
    )
    if not form.is_valid():
        messages.error(request, f"{customer}: {form.first_error()}")
        return redirect("console:approvals")
    associate = form.cleaned_data["associate"]
    group = form.changed_group
    try:
        approve_customer(actor, customer, associate.pk if associate else None, group.pk if group else None)
    except (Conflict, InvalidInput) as exc:
        messages.error(request, f"{customer} was not approved: {exc}")
        return redirect("console:approvals")
    customer.refresh_from_db()
    primary = customer.assignments.filter(is_primary=True).select_related("associate").first()
    assigned = f", assigned to {primary.associate}" if primary else ""
    into = f" into {group}" if group else ""
    messages.success(request, f"{customer} is approved{into}{assigned}.")
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


# Dashboard -----------------------------------------------------------------------------------------------

RECENT_SALES = 5


def _coupons_and_clicks(associate: Associate) -> dict:
    """The associate's latest coupons and their referral link's clicks, this month and in all."""
    start, end = periods.this_month().bounds()
    clicks = ReferralClick.objects.filter(associate=associate)
    return {
        "coupons": [{"code": coupon.code, "active": coupon.active, "uses": coupon.uses}
                    for coupon in Coupon.objects.filter(associate=associate).order_by("-pk")[:10]],
        "clicks_this_month": clicks.filter(clicked_at__gte=start, clicked_at__lt=end).count(),
        "clicks_total": clicks.count(),
    }


def _entry_rows(entries) -> list[dict]:
    return [{"entry": entry, "facts": figures.breakdown_facts(entry)} for entry in entries]


@require_GET
@console_page
def dashboard(request):
    actor = request.actor
    associate = actor.associate
    if associate is None:
        # Admins have no earnings of their own; their figures are the reports.
        return redirect("console:reports")
    store = associate.store
    currency = store.currency
    kpi_orders = figures.kpi_orders(actor)
    this_period, last_period = periods.this_month(), periods.last_month()
    recent_sales = (kpi_orders.select_related("customer", "influencer").order_by("-placed_at", "-id")
                    [:RECENT_SALES])
    if store.is_team_mode:
        kpi_scope = f"Sales credited to {store.name}: in team mode the store's sales are everyone's."
    else:
        kpi_scope = "Sales credited to you."
    return render_page(request, "console/dashboard.html", {
        "associate": associate,
        "currency": currency,
        "kpi_scope": kpi_scope,
        "this_month": {"period": this_period, **figures.summarize(figures.sales_in(kpi_orders, this_period),
                                                                  currency)},
        "last_month": {"period": last_period, **figures.summarize(figures.sales_in(kpi_orders, last_period),
                                                                  currency)},
        "balance": commissions_selectors.balance(associate),
        "entries": _entry_rows(figures.recent_entries(associate)),
        "payouts": figures.payouts_of(associate),
        "subagents": figures.subagent_sales(associate, this_period),
        "recent_sales": recent_sales,
        "referral_url": request.build_absolute_uri(f"/r/{associate.referral_code}"),
        "extras": _coupons_and_clicks(associate),
        "task_counts": task_view_counts(actor),
        "entry_kinds": EntryKind,
    })


# Reports -------------------------------------------------------------------------------------------------


def _report_request(request):
    """The period and store a report asks for: (period, preset, store_id, error)."""
    actor = request.actor
    require_role(actor, MANAGING_ROLES)
    error = ""
    try:
        period, preset = periods.parse_period(request.GET)
    except periods.BadPeriod as exc:
        period, preset, error = periods.this_month(), "", str(exc)
    store_id = None
    raw_store = request.GET.get("store", "")
    if raw_store:
        if not raw_store.isdigit() or not visible_stores(actor).filter(pk=raw_store).exists():
            raise NotVisible
        store_id = int(raw_store)
    return period, preset, store_id, error


@require_GET
@console_page
def reports(request):
    actor = request.actor
    period, preset, store_id, error = _report_request(request)
    data = figures.report(actor, period, store_id)
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(request, "console/reports.html", {
        "period": period,
        "preset": preset,
        "presets": [(name, label) for name, (label, _) in periods.PRESETS.items()],
        "error": error,
        "stores": visible_stores(actor).order_by("name") if actor.is_admin else [],
        "store_id": store_id,
        "report": data,
        "charts": [
            {"currency": currency, "chart": charts.sales_chart(series, period.days)}
            for currency, series in sorted(data["series"].items())
        ],
        "csv_query": query.urlencode(),
        "show_store_column": actor.is_admin,
    }, status=422 if error else 200)


def _csv_text(value) -> str:
    """Text for a spreadsheet cell; a leading = + - @ would make a formula of a name."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


CSV_HEADER = ["level", "store", "associate", "credit", "orders", "sales", "refunds", "net_sales", "currency"]


@require_GET
@console_page
def reports_csv(request):
    actor = request.actor
    period, _, store_id, error = _report_request(request)
    if error:
        return HttpResponse(error, status=422, content_type="text/plain; charset=utf-8")
    data = figures.report(actor, period, store_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sales-{period.start}-{period.end}.csv"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    # Per store: its total, the rows that add up to it, then what came through it credited to nobody.
    for sales in data["stores"]:
        store = _csv_text(sales.store.name)
        writer.writerow(["store", store, "", "credited", sales.orders, sales.total, sales.refunds, sales.net,
                         sales.currency])
        for row in sales.rows:
            level, name = ("associate", _csv_text(row.name)) if row.associate else ("store_row", "")
            writer.writerow([level, store, name, "credited", row.orders, row.total, row.refunds, row.net,
                             sales.currency])
        uncredited = sales.uncredited
        writer.writerow(["not_in_total", store, "", "nobody", uncredited.orders, uncredited.total,
                         uncredited.refunds, uncredited.net, sales.currency])
    return response


# Payouts -------------------------------------------------------------------------------------------------

PAYOUT_HISTORY = 25


@never_cache
@require_http_methods(["GET", "POST"])
@console_page
def payouts(request):
    actor = request.actor
    require_role(actor, {Role.ADMIN})
    associates = visible_associates(actor).select_related("store").order_by("name", "pk")
    status = 200
    if request.method == "POST":
        form = PayoutForm(request.POST, associates=associates)
        if form.is_valid():
            data = form.cleaned_data
            associate = data["associate"]
            try:
                payout = record_payout(
                    request.user, associate, data["amount"], data["method"], reference=data["reference"],
                    note=data["note"], confirm_over_balance=data["confirm_over_balance"],
                    request_key=data["request_key"],
                )
            except Conflict as exc:
                form.add_error("confirm_over_balance", str(exc))
                status = 409
            except InvalidInput as exc:
                for loc, message in exc.errors:
                    field = loc[-1] if loc and loc[-1] in form.fields else None
                    form.add_error(field, message)
                status = 422
            else:
                left = commissions_selectors.balance(associate)["balance"]
                messages.success(
                    request, f"Payout of {payout.amount} {payout.currency} to {associate.name} recorded. "
                             f"Their balance is now {left} {payout.currency}.")
                return redirect(f"{reverse('console:payouts')}?associate={associate.pk}")
        else:
            status = 422
    else:
        initial = {}
        chosen = request.GET.get("associate", "")
        if chosen.isdigit() and associates.filter(pk=chosen).exists():
            initial["associate"] = int(chosen)
        form = PayoutForm(initial=initial, associates=associates)
    selected_id = form["associate"].value()
    selected = None
    if selected_id and str(selected_id).isdigit():
        selected = associates.filter(pk=selected_id).first()
    page = Paginator(associates, PAGE_SIZE).get_page(request.GET.get("page"))
    history = (Payout.objects.filter(associate__in=associates).select_related("associate__store", "created_by")
               .order_by("-created_at", "-id")[:PAYOUT_HISTORY])
    return render_page(request, "console/payouts.html", {
        "form": form,
        "selected": selected,
        "selected_balance": commissions_selectors.balance(selected) if selected else None,
        "page": page,
        "balances": figures.balances(associates.filter(pk__in=[a.pk for a in page.object_list])),
        "history": history,
        "methods": dict(PayoutMethod.choices),
    }, status=status)


# Notifications -------------------------------------------------------------------------------------------


@never_cache
@require_GET
@console_page
def notifications(request):
    user = request.user
    kind = request.GET.get("kind") if request.GET.get("kind") in NotificationKind.values else None
    page = Paginator(comms_selectors.notifications_for(user, kind=kind), PAGE_SIZE).get_page(request.GET.get("page"))
    preferences = comms_selectors.email_preferences(user)
    return render_page(request, "console/notifications.html", {
        "page": page,
        "kind": kind,
        "kinds": NotificationKind.choices,
        "preferences": [(value, label, preferences[value]) for value, label in NotificationKind.choices],
        "has_email": bool(user.email),
    })


@require_POST
@console_page
def notification_read(request, notification_id: int):
    notification = comms.mark_read(request.user, notification_id)
    if request.POST.get("open") and notification.url.startswith("/"):
        return redirect(notification.url)
    return redirect("console:notifications")


@require_POST
@console_page
def notifications_read_all(request):
    count = comms.mark_all_read(request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read." if count
                     else "Everything was already read.")
    return redirect("console:notifications")


@require_POST
@console_page
def notification_preferences(request):
    wanted = {kind for kind in request.POST.getlist("email") if kind in NotificationKind.values}
    comms.set_email_preferences(request.user, wanted)
    labels = [label.lower() for value, label in NotificationKind.choices if value in wanted]
    messages.success(request, f"Emails on for: {', '.join(labels)}. Everything also shows here." if labels
                     else "Every notification stays in the console; no emails.")
    return redirect("console:notifications")
