"""Console pages for an associate's money: "What would I earn?", coupons, payout details and statements.

As in `views`: visibility comes from `shopfloor.access`, every rule and write from the
commissions services (the same calls `commissions/api.py` and `attribution/coupons/api.py` make);
a service's InvalidInput goes back on the form's fields (422), a Conflict answers 409.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shopfloor.access import (
    NotAllowed,
    NotVisible,
    get_coupon_for,
    get_earner_for,
    get_payee_for,
    visible_associates,
    visible_coupons,
    visible_customers,
    visible_earners,
)
from shopfloor.attribution.coupons import services as coupon_services
from shopfloor.attribution.models import CouponKind
from shopfloor.catalog.models import Product
from shopfloor.commissions import simulation
from shopfloor.commissions.models import PayoutMethod
from shopfloor.commissions.payout_profiles import get_payout_profile, save_payout_profile
from shopfloor.commissions.statements import statement, statement_csv
from shopfloor.console import selectors as figures
from shopfloor.console.money_forms import CouponForm, PayoutProfileForm, SimulateForm, StatementForm
from shopfloor.console.views import PAGE_SIZE
from shopfloor.consolekit import console_page, render_page
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.money import ZERO, to_cents

MAX_LINES = 20
EMPTY_LINES = 3  # the product rows a fresh "What would I earn?" form offers
CATALOG_SUGGESTIONS = 500  # products offered in the SKU field's list; any catalog SKU is accepted


def _store_zone(store):
    try:
        return ZoneInfo(store.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _put_errors(form, errors, renames=None) -> None:
    """A service's InvalidInput errors onto the form: on the field they name, else above the form."""
    renames = renames or {}
    for loc, message in errors:
        name = loc[-1] if loc else None
        name = renames.get(name, name)
        form.add_error(name if name in form.fields else None, message)


def _whole_number(text) -> int | None:
    text = str(text or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


# What would I earn? ------------------------------------------------------------------------------------


def _posted_rows(post) -> list[dict]:
    """The product rows as typed (sku, quantity, unit price), empty rows left out."""
    skus, quantities, prices = post.getlist("sku"), post.getlist("quantity"), post.getlist("unit_price")
    rows = []
    for index in range(max(len(skus), len(quantities), len(prices))):
        row = {
            "sku": (skus[index] if index < len(skus) else "").strip()[:64],
            "quantity": (quantities[index] if index < len(quantities) else "").strip()[:12],
            "unit_price": (prices[index] if index < len(prices) else "").strip()[:16],
            "errors": {},
        }
        if row["sku"] or row["unit_price"]:
            rows.append(row)
    return rows


def _order_lines(rows) -> list[dict]:
    """Rows → order lines; a row's unit price defaults to the product's price. Errors go on the rows."""
    products = {product.sku: product for product in Product.objects.filter(sku__in={row["sku"] for row in rows})}
    lines = []
    for row in rows:
        product = products.get(row["sku"])
        row["product"] = product
        if not row["sku"]:
            row["errors"]["sku"] = "Choose a product."
        elif product is None:
            row["errors"]["sku"] = f"No product in the catalog has the SKU {row['sku']}."
        quantity = _whole_number(row["quantity"] or "1")
        if quantity is None or quantity < 1:
            row["errors"]["quantity"] = "A whole number, at least 1."
        unit_price = None
        if row["unit_price"]:
            try:
                unit_price = Decimal(row["unit_price"].replace(",", "."))
            except InvalidOperation:
                unit_price = None
            if unit_price is None or not unit_price.is_finite() or unit_price < 0:
                row["errors"]["unit_price"] = "An amount of zero or more, like 49.90."
                unit_price = None
        elif product is not None:
            unit_price = product.price
            row["unit_price"] = str(product.price)
        if not row["errors"]:
            row["quantity"] = str(quantity)
            lines.append({"sku": row["sku"], "quantity": quantity, "unit_price": to_cents(unit_price)})
    return lines


def _earning_rows(actor, earnings) -> list[dict]:
    people = {associate.pk: associate for associate in
              visible_earners(actor).filter(pk__in={earning["associate_id"] for earning in earnings})}
    own_id = actor.associate.pk if actor.associate else None
    rows = []
    for earning in earnings:
        rule = (earning["breakdown"] or {}).get("rule") or {}
        facts = figures.breakdown_facts(SimpleNamespace(breakdown=earning["breakdown"], level=earning["level"]))
        rows.append({
            "associate": people.get(earning["associate_id"]),
            "is_mine": earning["associate_id"] == own_id,
            "kind": earning["kind"],
            "level": earning["level"],
            "sku": earning["sku"],
            "rule_name": rule.get("name", ""),
            "facts": [fact for fact in facts if fact[0] != "Rule"],
            "rule": next((value for label, value in facts if label == "Rule"), ""),
            "amount": earning["amount"],
            "currency": earning["currency"],
        })
    return rows


@never_cache
@require_http_methods(["GET", "POST"])
@console_page
def simulate(request):
    actor = request.actor
    customers = visible_customers(actor).order_by("first_name", "last_name", "pk")
    associates = None
    if actor.is_admin or actor.is_manager:
        associates = visible_earners(actor).filter(active=True).order_by("name", "pk")
    rows, result, status = [], None, 200
    if request.method == "POST":
        form = SimulateForm(request.POST, customers=customers, associates=associates)
        if associates is not None and not actor.is_admin:
            form.fields["associate"].empty_label = "Me"
        rows = _posted_rows(request.POST)
        if len(rows) > MAX_LINES:
            form.add_error(None, f"At most {MAX_LINES} products at a time.")
            rows = rows[:MAX_LINES]
        lines = _order_lines(rows) if rows else []
        if not rows:
            form.add_error(None, "Add at least one product.")
        valid = form.is_valid() and not any(row["errors"] for row in rows)
        result = None
        if valid:
            result = _simulation(actor, form, lines)
            if result is None:
                valid = False
        if not valid:
            status = 422
            result = None
    else:
        form = SimulateForm(customers=customers, associates=associates)
        if associates is not None and not actor.is_admin:
            form.fields["associate"].empty_label = "Me"
    while len(rows) < EMPTY_LINES:
        rows.append({"sku": "", "quantity": "", "unit_price": "", "errors": {}})
    catalog = Product.objects.order_by("name", "sku").only("sku", "name", "price")[:CATALOG_SUGGESTIONS]
    return render_page(request, "console/simulate.html", {
        "form": form,
        "rows": rows,
        "catalog": catalog,
        "result": result,
    }, status=status)


def _simulation(actor, form, lines) -> dict | None:
    """Run the simulation as POST /commissions/simulate does; None (errors on the form) when refused."""
    data = form.cleaned_data
    payload = {"lines": lines}
    customer = data.get("customer")
    credited = data.get("associate")
    if customer is not None:
        payload["customer_id"] = customer.pk
    if credited is None and not actor.is_admin:
        credited = actor.associate
    if credited is not None:
        payload["associate_id"] = credited.pk
    if customer is None:
        if credited is None:
            form.add_error("customer", "Choose a customer, or an associate to credit.")
            return None
        payload["store_id"] = credited.store_id
    try:
        earnings, team_mode = simulation.simulate_for(actor, payload)
    except InvalidInput as exc:
        _put_errors(form, exc.errors, {"customer_id": "customer", "associate_id": "associate",
                                       "store_id": "customer"})
        return None
    store = credited.store if credited is not None else customer.store
    return {
        "earnings": _earning_rows(actor, earnings),
        "total": to_cents(sum((earning["amount"] for earning in earnings), ZERO)),
        "currency": earnings[0]["currency"] if earnings else store.currency,
        "credited": credited,
        "customer": customer,
        "team_mode": team_mode,
        "subtotal": to_cents(sum((line["unit_price"] * line["quantity"] for line in lines), ZERO)),
    }


# Coupons -----------------------------------------------------------------------------------------------


def _percent(value: Decimal) -> str:
    """20.00 → "20", 12.50 → "12.5"."""
    return f"{value.normalize():f}"


def discount_text(coupon) -> str:
    if coupon.kind == CouponKind.PERCENT:
        return f"{_percent(coupon.value)}% off"
    return f"{coupon.value} {coupon.associate.store.currency} off"


def share_text(coupon) -> str:
    return f"Use my code {coupon.code} for {discount_text(coupon)} at {coupon.associate.store.name}."


def _end_of_day(day, store) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=_store_zone(store))


def _coupon_owners(actor):
    """Whom the actor may create a coupon for, when they may choose: managers their store, admins anyone."""
    if not (actor.is_admin or actor.is_manager):
        return None
    return visible_associates(actor).filter(active=True).select_related("store").order_by("name", "pk")


def _coupon_form(actor, data=None) -> CouponForm:
    owners = _coupon_owners(actor)
    return CouponForm(data, associates=owners, associate_required=owners is not None and actor.associate is None)


@never_cache
@require_http_methods(["GET", "POST"])
@console_page
def coupons(request):
    actor = request.actor
    status = 200
    if request.method == "POST":
        form = _coupon_form(actor, request.POST)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            owner = data.get("associate") or actor.associate
            if owner is None:
                raise NotAllowed("Only associates, store managers and admins create coupons.")
            try:
                coupon = coupon_services.create_coupon(actor, {
                    "associate_id": data["associate"].pk if data.get("associate") else None,
                    "code": data["code"], "kind": data["kind"], "value": data["value"],
                    "max_uses": data["max_uses"],
                    "expires_at": _end_of_day(data["expires_on"], owner.store) if data["expires_on"] else None,
                })
            except InvalidInput as exc:
                _put_errors(form, exc.errors, {"associate_id": "associate", "expires_at": "expires_on"})
            except Conflict as exc:
                form.add_error("code", str(exc))
                status = 409
            else:
                messages.success(request, f"Coupon {coupon.code} created.")
                return redirect(f"{reverse('console:coupons')}?created={coupon.pk}")
    else:
        form = _coupon_form(actor)
    shown = request.GET.get("show", "")
    queryset = visible_coupons(actor).order_by("-created_at", "-id")
    if shown == "active":
        queryset = queryset.filter(active=True)
    elif shown == "inactive":
        queryset = queryset.filter(active=False)
    else:
        shown = ""
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [{"coupon": coupon, "share": share_text(coupon), "discount": discount_text(coupon),
             "is_expired": coupon.expires_at is not None and coupon.expires_at <= now}
            for coupon in page.object_list]
    created = None
    created_id = _whole_number(request.GET.get("created"))
    if created_id:
        created = visible_coupons(actor).filter(pk=created_id).first()
    bounds = coupon_services.coupon_bounds()
    store = actor.store
    zone = _store_zone(store) if store is not None else ZoneInfo("UTC")
    # The last whole day a coupon may run to ("Valid through" ends at that day's close).
    latest_day = (now + timedelta(days=bounds.max_days_to_expiry)).astimezone(zone).date() - timedelta(days=1)
    if not actor.is_admin:
        form.fields["expires_on"].widget.attrs["max"] = latest_day.isoformat()
        form.fields["expires_on"].help_text = f"At the latest {latest_day:%-d %b %Y}. Empty: the latest."
        form.fields["max_uses"].help_text = f"At most {bounds.max_uses}. Empty: {bounds.max_uses}."
    form.fields["expires_on"].widget.attrs["min"] = now.astimezone(zone).date().isoformat()
    return render_page(request, "console/coupons.html", {
        "form": form,
        "rows": rows,
        "page": page,
        "shown": shown,
        "bounds": bounds,
        "max_percent": _percent(bounds.max_percent),
        "latest_day": latest_day,
        "currency": store.currency if store is not None else "",
        "created": created,
        "created_share": share_text(created) if created else "",
        "shows_owner": actor.is_admin or actor.is_manager,
    }, status=status)


@require_POST
@console_page
def coupon_deactivate(request, coupon_id: int):
    coupon = get_coupon_for(request.actor, coupon_id)
    was_active = coupon.active
    coupon_services.deactivate_coupon(request.actor, coupon)
    if was_active:
        messages.success(request, f"Coupon {coupon.code} deactivated: shoppers can no longer use it.")
    else:
        messages.info(request, f"Coupon {coupon.code} was already inactive.")
    return redirect("console:coupons")


# Payout details and statements ------------------------------------------------------------------------


def _chosen_id(value) -> int | None:
    if value in (None, ""):
        return None
    number = _whole_number(value)
    if number is None:
        raise NotVisible
    return number


def _payee(request, chosen):
    """Whose payout details the page shows: one's own; an admin picks anyone (None: not yet)."""
    actor = request.actor
    chosen = _chosen_id(chosen)
    if actor.is_admin:
        return get_payee_for(actor, chosen) if chosen is not None else None
    if actor.associate is None:
        raise NotAllowed("Only associates have payout details.")
    return get_payee_for(actor, chosen if chosen is not None else actor.associate.pk)


def _statement_form(actor, data=None, payee=None) -> StatementForm:
    associates = None
    if actor.is_admin:
        associates = visible_earners(actor).order_by("name", "pk")
    initial = {"associate": payee.pk} if payee is not None and associates is not None else None
    return StatementForm(data, associates=associates, initial=initial)


def _payout_page(request, payee, form=None, statement_form=None, status=200):
    actor = request.actor
    profile = get_payout_profile(payee) if payee is not None else None
    if form is None and payee is not None:
        form = PayoutProfileForm(initial={
            "method": profile.method, "paypal_email": profile.paypal_email,
            "account_holder": profile.account_holder, "iban": profile.iban, "bic": profile.bic,
            "instructions": profile.instructions,
        })
    return render_page(request, "console/payout_profile.html", {
        "payee": payee,
        "is_self": payee is not None and actor.associate is not None and payee.pk == actor.associate.pk,
        "profile": profile,
        "form": form,
        "statement_form": statement_form or _statement_form(actor, payee=payee),
        "payees": visible_earners(actor).order_by("name", "pk") if actor.is_admin else None,
        "methods": dict(PayoutMethod.choices),
    }, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@console_page
def payout_profile(request):
    if request.method == "GET":
        return _payout_page(request, _payee(request, request.GET.get("associate")))
    payee = _payee(request, request.POST.get("associate"))
    if payee is None:
        raise NotVisible
    form = PayoutProfileForm(request.POST)
    if form.is_valid():
        try:
            save_payout_profile(request.user, payee, form.cleaned_data)
        except InvalidInput as exc:
            _put_errors(form, exc.errors)
        else:
            whose = "Your" if request.actor.associate and payee.pk == request.actor.associate.pk else f"{payee.name}'s"
            messages.success(request, f"{whose} payout details are saved.")
            target = reverse("console:payout_profile")
            return redirect(f"{target}?associate={payee.pk}" if request.actor.is_admin else target)
    return _payout_page(request, payee, form=form, status=422)


@never_cache
@require_GET
@console_page
def payout_statement(request):
    """The signed-in associate's statement as CSV (admins: any associate's), as the API's statement.csv."""
    actor = request.actor
    if actor.is_admin:
        form = _statement_form(actor, request.GET)
        payee_hint = None
    else:
        if actor.associate is None:
            raise NotAllowed("Only associates have statements.")
        chosen = _chosen_id(request.GET.get("associate"))
        if chosen is not None and chosen != actor.associate.pk:
            raise NotVisible
        form = _statement_form(actor, request.GET)
        payee_hint = actor.associate
    if not form.is_valid():
        chosen = form.cleaned_data.get("associate") if actor.is_admin else payee_hint
        return _payout_page(request, chosen, statement_form=form, status=422)
    data = form.cleaned_data
    associate = get_earner_for(actor, data["associate"].pk if actor.is_admin else actor.associate.pk)
    start, end = data["start"], data["end"]
    result = statement(associate, start, end)
    response = HttpResponse(statement_csv(result), content_type="text/csv; charset=utf-8")
    period = f"{start or 'start'}-to-{end or 'now'}"
    response["Content-Disposition"] = f'attachment; filename="statement-{associate.pk}-{period}.csv"'
    return response
