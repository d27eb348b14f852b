"""Admin for customers, their groups, businesses, agencies and the rep codes the ERP sends."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from shopfloor.access import NotAllowed, actor_for
from shopfloor.accounts.models import RepCode
from shopfloor.accounts.services import record_event
from shopfloor.customers.models import (
    Agency,
    AgencyRep,
    Business,
    Customer,
    CustomerAssignment,
    CustomerGroup,
    CustomerRepCode,
)
from shopfloor.customers.services import (
    approve_customer,
    customer_reps,
    refresh_search_fields,
    reject_customer,
    unmapped_rep_codes,
)
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.phones import normalize_phone


def with_mapping(queryset):
    """Annotate CustomerRepCode rows with `is_mapped`: does an associate answer for the code?

    The same rule as customers.services.unmapped_rep_codes, as one query: a code is mapped by an
    associate's own rep code, or by an agency of the customer's business.
    """
    by_associate = RepCode.objects.filter(code=OuterRef("code"))
    by_agency = AgencyRep.objects.filter(
        code=OuterRef("code"), agency__business_id=OuterRef("customer__business_id")
    )
    return queryset.annotate(is_mapped=Exists(by_associate) | Exists(by_agency))


# Customers ----------------------------------------------------------------------------------------


class CustomerAssignmentInline(admin.TabularInline):
    model = CustomerAssignment
    extra = 0
    autocomplete_fields = ("associate",)
    fields = ("associate", "is_primary", "created_at")
    readonly_fields = ("created_at",)
    verbose_name_plural = "assigned associates (one may be primary)"


class CustomerRepCodeInline(admin.TabularInline):
    model = CustomerRepCode
    extra = 0
    verbose_name_plural = "rep codes sent by the ERP"


class CustomerAdminForm(forms.ModelForm):
    class Meta:
        model = Customer
        # The admin narrows this to the fieldsets below.
        fields = (
            "first_name", "last_name", "status", "store", "email", "phone", "birthday", "user", "group",
            "business", "external_id", "tags", "email_opt_in", "sms_opt_in",
        )

    tags = forms.CharField(required=False, help_text="Comma-separated, e.g. “vip, wedding”.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["tags"] = ", ".join(self.instance.tags or [])

    def clean_tags(self):
        # The same normalisation as the customers service: trimmed, unique, sorted, 50 characters each.
        raw = self.cleaned_data.get("tags") or ""
        return sorted({tag.strip()[:50] for tag in raw.split(",") if tag.strip()})

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("phone"):
            try:
                cleaned["phone"] = normalize_phone(cleaned["phone"], cleaned.get("store"))
            except ValueError as exc:
                self.add_error("phone", str(exc))
        return cleaned


def _decide(modeladmin, request, queryset, decide, done: str):
    """Run a service on each selected customer; report what happened to each."""
    actor = actor_for(request.user)
    succeeded, failed = 0, []
    for customer in queryset.order_by("pk"):
        try:
            decide(actor, customer)
        except (Conflict, NotAllowed, InvalidInput) as exc:
            failed.append(f"{customer}: {exc}")
        else:
            succeeded += 1
    if succeeded:
        plural = "s" if succeeded != 1 else ""
        modeladmin.message_user(request, f"{done} {succeeded} customer{plural}.", messages.SUCCESS)
    for failure in failed:
        modeladmin.message_user(request, failure, messages.WARNING)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    form = CustomerAdminForm
    list_display = (
        "__str__", "email", "phone", "store", "status", "group", "business", "external_id", "created_at",
    )
    list_filter = ("status", "store", "group", "business", "email_opt_in", "sms_opt_in")
    search_fields = ("first_name", "last_name", "email", "phone", "external_id")
    list_select_related = ("store", "group", "business")
    autocomplete_fields = ("user", "group", "business")
    date_hierarchy = "created_at"
    inlines = [CustomerAssignmentInline, CustomerRepCodeInline]
    readonly_fields = (
        "sales_representatives", "email_opt_in_at", "sms_opt_in_at", "created_at", "updated_at",
    )
    actions = ["approve_selected", "reject_selected"]
    fieldsets = (
        (None, {"fields": ("first_name", "last_name", "status", "store")}),
        ("Contact", {"fields": ("email", "phone", "birthday", "user")}),
        ("Organisation", {"fields": ("group", "business", "external_id", "tags", "sales_representatives")}),
        ("Consent", {"fields": (("email_opt_in", "email_opt_in_at"), ("sms_opt_in", "sms_opt_in_at"))}),
        ("Record", {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description="Sales representatives (what the customer sees)")
    def sales_representatives(self, customer):
        if not customer.pk:
            return "—"
        names = [rep.name for rep in customer_reps(customer)]
        unmapped = unmapped_rep_codes(customer)
        text = ", ".join(names) or "Nobody yet"
        if unmapped:
            text += f" — rep codes not mapped yet: {', '.join(unmapped)}"
        return text

    def save_model(self, request, obj, form, change):
        # Keep the console's indexed search columns and the consent times in step with the form.
        now = timezone.now()
        for channel in ("email", "sms"):
            name = f"{channel}_opt_in"
            if name in form.changed_data:
                setattr(obj, f"{name}_at", now if getattr(obj, name) else None)
        refresh_search_fields(obj)
        super().save_model(request, obj, form, change)
        record_event(request.user, "customer.updated" if change else "customer.created", obj,
                     via="admin", fields=sorted(form.changed_data))

    @admin.action(description="Approve the selected pending customers", permissions=["change"])
    def approve_selected(self, request, queryset):
        _decide(self, request, queryset, approve_customer, "Approved")

    @admin.action(description="Reject the selected pending customers", permissions=["change"])
    def reject_selected(self, request, queryset):
        _decide(self, request, queryset, reject_customer, "Rejected")


@admin.register(CustomerAssignment)
class CustomerAssignmentAdmin(admin.ModelAdmin):
    list_display = ("customer", "associate", "is_primary", "created_at")
    list_filter = ("is_primary", "associate__store", "associate")
    search_fields = ("customer__first_name", "customer__last_name", "customer__email", "associate__name")
    list_select_related = ("customer", "associate")
    autocomplete_fields = ("customer", "associate")


class MappedFilter(admin.SimpleListFilter):
    title = "mapped to an associate"
    parameter_name = "mapped"

    def lookups(self, request, model_admin):
        return [("yes", "Mapped"), ("no", "Not mapped to an associate")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(is_mapped=True)
        if self.value() == "no":
            return queryset.filter(is_mapped=False)
        return queryset


@admin.register(CustomerRepCode)
class CustomerRepCodeAdmin(admin.ModelAdmin):
    """Every rep code the ERP sent; filter "not mapped" to see the codes no agency or associate answers."""

    list_display = ("code", "customer", "customer_business", "mapped")
    list_filter = (MappedFilter, "customer__store", "customer__business")
    search_fields = (
        "code", "customer__first_name", "customer__last_name", "customer__email", "customer__external_id",
    )
    list_select_related = ("customer__business",)
    autocomplete_fields = ("customer",)

    def get_queryset(self, request):
        return with_mapping(super().get_queryset(request))

    @admin.display(description="business", ordering="customer__business__name")
    def customer_business(self, rep_code):
        return rep_code.customer.business or "—"

    @admin.display(description="mapped", boolean=True, ordering="is_mapped")
    def mapped(self, rep_code):
        return rep_code.is_mapped


# Groups, businesses, agencies ---------------------------------------------------------------------


@admin.register(CustomerGroup)
class CustomerGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "associate_names", "customer_count")
    search_fields = ("name",)
    filter_horizontal = ("associates",)

    def get_queryset(self, request):
        return (
            super().get_queryset(request)
            .annotate(customer_total=Count("customers", distinct=True))
            .prefetch_related("associates")
        )

    @admin.display(description="associates")
    def associate_names(self, group):
        return ", ".join(associate.name for associate in group.associates.all()) or "—"

    @admin.display(description="customers", ordering="customer_total")
    def customer_count(self, group):
        return group.customer_total


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    list_display = ("name", "external_id", "customer_count", "agency_count")
    search_fields = ("name", "external_id")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            customer_total=Count("customers", distinct=True), agency_total=Count("agencies", distinct=True)
        )

    @admin.display(description="customers", ordering="customer_total")
    def customer_count(self, business):
        return business.customer_total

    @admin.display(description="agencies", ordering="agency_total")
    def agency_count(self, business):
        return business.agency_total


class AgencyRepInline(admin.TabularInline):
    model = AgencyRep
    extra = 1
    autocomplete_fields = ("associate",)
    verbose_name = "rep"
    verbose_name_plural = "reps: the rep codes this agency maps to associates"


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "business", "rep_codes")
    list_filter = ("business",)
    search_fields = ("name", "business__name", "reps__code", "reps__associate__name")
    list_select_related = ("business",)
    autocomplete_fields = ("business",)
    inlines = [AgencyRepInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("reps")

    @admin.display(description="rep codes")
    def rep_codes(self, agency):
        return ", ".join(rep.code for rep in agency.reps.all()) or "—"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        codes = list(form.instance.reps.values_list("code", flat=True))
        record_event(request.user, "agency.saved", form.instance, via="admin", codes=codes)


@admin.register(AgencyRep)
class AgencyRepAdmin(admin.ModelAdmin):
    list_display = ("code", "associate", "agency")
    list_filter = ("agency__business", "agency")
    search_fields = ("code", "associate__name", "agency__name")
    list_select_related = ("associate", "agency__business")
    autocomplete_fields = ("agency", "associate")

