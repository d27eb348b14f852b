"""Console pages of clienteling: the customer record's parts (notes, preferences, timeline), tasks, task rules
and KPIs. Thin: visibility from `shopfloor.access`, writes through `services` / `rules`."""

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shopfloor import charts, periods
from shopfloor.access import (
    Actor,
    Role,
    can_delete_task,
    get_customer_for,
    get_task_for,
    visible_associates,
    visible_customers,
    visible_stores,
)
from shopfloor.clienteling import kpis, rules, selectors, services
from shopfloor.clienteling.forms import (
    CompleteForm,
    NoteForm,
    PreferencesForm,
    SnoozeForm,
    TaskForm,
    TaskRuleForm,
)
from shopfloor.clienteling.models import RuleKey
from shopfloor.consolekit import console_page, render_page, require_role
from shopfloor.customers.services import update_customer
from shopfloor.errors import InvalidInput

PAGE_SIZE = 25


def _apply_errors(form, exc: InvalidInput) -> None:
    for loc, message in exc.errors:
        name = loc[-1] if loc else None
        form.add_error(name if name in form.fields else None, message)


# The customer record's forms (the page itself is console:customer, filled by clienteling.record) ---------


def _customer_url(customer, anchor: str = "") -> str:
    return reverse("console:customer", args=[customer.pk]) + (f"#{anchor}" if anchor else "")


@require_POST
@console_page
def note_add(request, customer_id: int):
    customer = get_customer_for(request.actor, customer_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_note(request.actor, customer, form.cleaned_data["body"], form.cleaned_data["is_pinned"])
        except InvalidInput as exc:
            messages.error(request, str(exc.errors[0][1]))
        else:
            messages.success(request, "Note added.")
    else:
        messages.error(request, "Write something in the note.")
    return redirect(_customer_url(customer, "notes"))


@require_POST
@console_page
def note_pin(request, customer_id: int, note_id: int):
    customer = get_customer_for(request.actor, customer_id)
    note = services.get_note_for(request.actor, customer, note_id)
    services.update_note(request.actor, note, is_pinned=not note.is_pinned)
    messages.success(request, "Note pinned." if note.is_pinned else "Note unpinned.")
    return redirect(_customer_url(customer, "notes"))


@require_POST
@console_page
def note_delete(request, customer_id: int, note_id: int):
    customer = get_customer_for(request.actor, customer_id)
    services.delete_note(request.actor, services.get_note_for(request.actor, customer, note_id))
    messages.success(request, "Note deleted.")
    return redirect(_customer_url(customer, "notes"))


@require_POST
@console_page
def preferences_update(request, customer_id: int):
    customer = get_customer_for(request.actor, customer_id)
    form = PreferencesForm(request.POST)
    if form.is_valid():
        try:
            services.update_preferences(request.actor, customer, form.cleaned_data)
        except InvalidInput as exc:
            messages.error(request, f"Preferences not saved: {exc.errors[0][1]}")
        else:
            messages.success(request, "Preferences saved.")
    else:
        problems = "; ".join(error for errors in form.errors.values() for error in errors)
        messages.error(request, f"Preferences not saved: {problems}")
    return redirect(_customer_url(customer, "preferences"))


@require_POST
@console_page
def tags_update(request, customer_id: int):
    customer = get_customer_for(request.actor, customer_id)
    tags = [tag.strip() for tag in request.POST.get("tags", "").split(",") if tag.strip()]
    if len(tags) > 50 or any(len(tag) > 50 for tag in tags):
        messages.error(request, "Tags not saved: at most 50 tags of 50 characters each.")
    else:
        update_customer(request.actor, customer, {"tags": tags})
        messages.success(request, "Tags saved.")
    return redirect(_customer_url(customer, "tags-title"))


# Tasks ---------------------------------------------------------------------------------------------------


@never_cache
@require_GET
@console_page
def tasks(request):
    actor = request.actor
    view = request.GET.get("view", "today")
    if view not in selectors.VIEWS:
        view = "today"
    queryset = selectors.task_list(actor, view)
    # Managers and admins look at one associate's tasks, or the store's unassigned ones.
    can_filter = actor.is_admin or actor.is_manager
    assignee = request.GET.get("assignee", "") if can_filter else ""
    if assignee == "store":
        queryset = queryset.filter(assignee__isnull=True)
    elif assignee.isdigit() and len(assignee) < 19:
        queryset = queryset.filter(assignee_id=int(assignee))
    else:
        assignee = ""
    counts = selectors.view_counts(actor)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(request, "clienteling/tasks.html", {
        "view": view,
        "tabs": [(name, label, counts.get(name)) for name, label in selectors.VIEWS.items()],
        "page": page,
        "today": timezone.localdate(),
        "assignee": assignee,
        "associates": _assignable_associates(actor).select_related("store") if can_filter else [],
    })


def _assignable_associates(actor: Actor):
    return visible_associates(actor).filter(active=True).order_by("name", "pk")


@never_cache
@require_http_methods(["GET", "POST"])
@console_page
def task_new(request):
    actor = request.actor
    customer = None
    raw_customer = request.POST.get("customer") or request.GET.get("customer") or ""
    if raw_customer.isdigit():
        customer = visible_customers(actor).filter(pk=raw_customer).first()
    empty = "Me" if actor.associate and not actor.is_manager else "The store (nobody in particular)"
    status = 200
    if request.method == "POST":
        form = TaskForm(request.POST, associates=_assignable_associates(actor), customer=customer,
                        empty_assignee=empty)
        if form.is_valid():
            data = form.cleaned_data
            try:
                task = services.create_task(actor, {
                    "title": data["title"], "description": data["description"], "customer_id": data["customer"],
                    "assignee_id": data["assignee"].pk if data["assignee"] else None,
                    "due_on": data["due_on"], "priority": data["priority"],
                })
            except InvalidInput as exc:
                _apply_errors(form, exc)
                status = 422
            else:
                messages.success(request, f"Task “{task.title}” added.")
                if customer is not None:
                    return redirect(_customer_url(customer, "tasks"))
                return redirect("clienteling:tasks")
        else:
            status = 422
    else:
        form = TaskForm(associates=_assignable_associates(actor), customer=customer, empty_assignee=empty)
    return render_page(request, "clienteling/task_form.html", {"form": form, "customer": customer}, status=status)


@never_cache
@require_GET
@console_page
def task_detail(request, task_id: int):
    actor = request.actor
    task = get_task_for(actor, task_id, selectors.Task.objects.select_related("customer", "assignee", "store",
                                                                              "created_by", "completed_by", "rule"))
    return render_page(request, "clienteling/task.html", {
        "task": task,
        "complete_form": CompleteForm(),
        "snooze_form": SnoozeForm(),
        "can_delete": can_delete_task(actor, task),
        "edit_form": _edit_form(actor, task),
        "customer_visible": task.customer_id is not None
        and visible_customers(actor).filter(pk=task.customer_id).exists(),
    })


def _edit_form(actor, task, data=None) -> TaskForm:
    initial = {"title": task.title, "description": task.description, "assignee": task.assignee_id,
               "due_on": task.due_on, "priority": task.priority}
    form = TaskForm(data, initial=initial, associates=_assignable_associates(actor), customer=task.customer,
                    empty_assignee="The store (nobody in particular)")
    form.fields["customer"].disabled = True  # a task stays with its customer
    return form


@require_POST
@console_page
def task_edit(request, task_id: int):
    actor = request.actor
    task = get_task_for(actor, task_id, selectors.Task.objects.select_related("customer"))
    form = _edit_form(actor, task, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_task(actor, task, {
                "title": data["title"], "description": data["description"], "due_on": data["due_on"],
                "priority": data["priority"], "assignee_id": data["assignee"].pk if data["assignee"] else None,
            })
        except InvalidInput as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Task saved.")
            return redirect(_task_page(task))
    problems = "; ".join(error for errors in form.errors.values() for error in errors)
    messages.error(request, f"Task not saved: {problems}")
    return redirect(_task_page(task))


def _task_page(task) -> str:
    return reverse("clienteling:task", args=[task.pk])


@require_POST
@console_page
def task_complete(request, task_id: int):
    actor = request.actor
    task = get_task_for(actor, task_id)
    form = CompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what happened before you mark the task done.")
        return redirect(_task_page(task))
    services.complete_task(actor, task, form.cleaned_data["outcome"])
    messages.success(request, f"Done: {task.title}.")
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/console/")
                    else reverse("clienteling:tasks"))


@require_POST
@console_page
def task_snooze(request, task_id: int):
    actor = request.actor
    task = get_task_for(actor, task_id)
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a day to snooze until.")
        return redirect(_task_page(task))
    try:
        services.snooze_task(actor, task, form.cleaned_data["until"])
    except InvalidInput as exc:
        messages.error(request, exc.errors[0][1])
        return redirect(_task_page(task))
    messages.success(request, f"Snoozed until {task.snoozed_until:%-d %b %Y}: {task.title}.")
    return redirect("clienteling:tasks")


@require_POST
@console_page
def task_reopen(request, task_id: int):
    task = services.reopen_task(request.actor, get_task_for(request.actor, task_id))
    messages.success(request, f"Reopened: {task.title}.")
    return redirect(_task_page(task))


@require_POST
@console_page
def task_delete(request, task_id: int):
    task = get_task_for(request.actor, task_id)
    services.delete_task(request.actor, task)
    messages.success(request, f"Deleted: {task.title}.")
    return redirect("clienteling:tasks")


# Task rules (admins) -------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@console_page
def task_rules(request):
    actor = request.actor
    require_role(actor, {Role.ADMIN})
    by_key = rules.ensure_rules()
    status = 200
    invalid_key = None
    forms = {}
    if request.method == "POST":
        if "run" in request.POST:
            result = rules.run_rules()
            messages.success(request, f"The rules ran: {result.total_created} new task"
                                      f"{'s' if result.total_created != 1 else ''}.")
            return redirect("clienteling:task_rules")
        key = request.POST.get("key", "")
        if key not in by_key:
            messages.error(request, "Unknown rule.")
            return redirect("clienteling:task_rules")
        form = TaskRuleForm(request.POST, instance=by_key[key], prefix=key)
        if form.is_valid():
            try:
                rules.update_rule(actor, by_key[key], {name: form.cleaned_data[name] for name in form.fields})
            except InvalidInput as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, f"{by_key[key].get_key_display()} saved.")
                return redirect(reverse("clienteling:task_rules") + f"#rule-{key}")
        by_key = rules.ensure_rules()
        forms[key] = form
        status, invalid_key = 422, key
    rows = [
        {"rule": rule, "form": forms.get(rule.key) or TaskRuleForm(instance=rule, prefix=rule.key),
         "days_meaning": rules.DAYS_MEANING[rule.key], "is_open": rule.key == invalid_key}
        for rule in rules.rules_with_status(by_key)
    ]
    return render_page(request, "clienteling/task_rules.html", {"rows": rows, "keys": RuleKey}, status=status)


# KPIs ----------------------------------------------------------------------------------------------------


def _kpi_request(request):
    """(scope, period, preset, error) from ?preset= / ?from=&to=, ?store=, ?associate=."""
    actor = request.actor
    error = ""
    try:
        period, preset = periods.parse_period(request.GET)
    except periods.BadPeriod as exc:
        period, preset, error = periods.this_month(), "", str(exc)

    def number(name):
        raw = request.GET.get(name, "")
        return int(raw) if raw.isdigit() and len(raw) < 19 else None

    scope = kpis.resolve_scope(actor, store_id=number("store"), associate_id=number("associate"),
                               through_id=number("through"))
    return scope, period, preset, error


@never_cache
@require_GET
@console_page
def kpi_page(request):
    actor = request.actor
    scope, period, preset, error = _kpi_request(request)
    data = kpis.compute(scope, period)
    orders = kpis.scope_orders(scope).filter(kpis.in_period(period, "placed_at"))
    series = kpis.daily_sales(orders, period)
    chart_list = [
        {"currency": currency, "chart": charts.sales_chart(entries, period.days)}
        for currency, entries in sorted(series.items())
    ]
    query = request.GET.copy()
    can_pick = actor.is_admin or actor.is_manager
    return render_page(request, "clienteling/kpis.html", {
        "scope": scope, "period": period, "preset": preset, "error": error, "data": data,
        "presets": [(name, label) for name, (label, _) in periods.PRESETS.items()],
        "charts": chart_list, "csv_query": query.urlencode(),
        "associates": list(visible_associates(actor).filter(active=True).select_related("store")
                           .order_by("store__name", "name")) if can_pick else [],
        "stores": list(visible_stores(actor).order_by("name")) if actor.is_admin else [],
        "per_associate": kpis.per_associate(actor, scope, period),
        "can_pick": can_pick,
        # What the period form keeps selected (console/_period_form.html).
        "selected_store": scope.store.pk if scope.kind == "store" and actor.is_admin else None,
        "selected_associate": scope.associate.pk if scope.kind == "associate" else None,
        "selected_through": scope.through.pk if scope.through else None,
    }, status=422 if error else 200)


KPI_CSV_HEADER = ["scope", "store", "associate", "from", "to", "currency", "attributed_sales", "orders",
                  "average_order_value", "customers_contacted", "outreach_sent", "outreach_clicked",
                  "outreach_conversion", "lookbook_conversion", "tasks_completed", "tasks_overdue",
                  "chat_response_seconds"]


def _cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_GET
@console_page
def kpi_csv(request):
    actor = request.actor
    scope, period, _, error = _kpi_request(request)
    if error:
        return HttpResponse(error, status=422, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kpis-{period.start}-{period.end}.csv"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(KPI_CSV_HEADER)
    scopes = [scope]
    for row in kpis.per_associate(actor, scope, period):
        scopes.append(kpis.Scope("associate", row["store"], row["associate"], scope.through))
    for item in scopes:
        data = kpis.compute(item, period)
        rows = data["sales"] or [{"currency": "", "attributed_sales": "0.00", "orders": 0,
                                  "average_order_value": None}]
        for sale in rows:
            writer.writerow([_cell(value) for value in (
                item.kind, item.store.name if item.store else "", item.associate.name if item.associate else "",
                period.start, period.end, sale["currency"], sale["attributed_sales"], sale["orders"],
                sale["average_order_value"], data["customers_contacted"], data["outreach_sent"],
                data["outreach_clicked"], data["outreach_conversion"], data["lookbook_conversion"],
                data["tasks_completed"], data["tasks_overdue"], data["chat_response_seconds"],
            )])
    return response
