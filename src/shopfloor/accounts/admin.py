"""Admin for logins, stores, associates, API tokens and the (read-only) audit log."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count
from django.utils import timezone

from shopfloor.accounts.models import (
    AgentGroup,
    AgentSignupSettings,
    ApiToken,
    Associate,
    AuditEvent,
    IdempotencyRecord,
    RecruitLink,
    RepCode,
    Store,
    User,
)
from shopfloor.accounts.services import record_event
from shopfloor.adminkit import ReadOnlyAdmin

# Logins -------------------------------------------------------------------------------------------


def _clean_login_email(form) -> str:
    email = form.cleaned_data["email"].strip().lower()
    others = User.objects.filter(email__iexact=email)
    if form.instance.pk:
        others = others.exclude(pk=form.instance.pk)
    if others.exists():
        raise forms.ValidationError("Another login uses this email.")
    return email


class LoginCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")

    def clean_email(self):
        return _clean_login_email(self)


class LoginChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        return _clean_login_email(self)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Logins by email: admins (staff), associates and customers who can sign in."""

    form = LoginChangeForm
    add_form = LoginCreationForm
    ordering = ("email",)
    list_display = ("email", "name", "is_staff", "is_superuser", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "name")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("name",)}),
        ("Permissions", {
            "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
            "description": "Staff logins are the retailer's admins: they see every store in the console.",
        }),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {
            "classes": ("wide",),
            "fields": ("email", "name", "usable_password", "password1", "password2"),
        }),
    )


# Stores and associates ----------------------------------------------------------------------------


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    # The widget secret signs shopper identities: it never appears in lists or searches.
    list_display = (
        "name", "code", "selling_mode", "currency", "country", "approve_new_customers", "associate_count",
    )
    list_filter = ("selling_mode", "approve_new_customers", "currency")
    search_fields = ("name", "code")
    readonly_fields = ("widget_key", "widget_secret", "created_at")
    fieldsets = (
        (None, {"fields": ("name", "code", "selling_mode", "approve_new_customers")}),
        ("Locale", {"fields": ("currency", "timezone", "country")}),
        ("Storefront widget", {
            "classes": ("collapse",),
            "fields": ("widget_key", "widget_secret"),
            "description": (
                "The key identifies the store to the widget; the secret signs shoppers' identities. "
                "Keep the secret on your storefront's server only."
            ),
        }),
        ("Record", {"fields": ("created_at",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(associate_total=Count("associates"))

    @admin.display(description="associates", ordering="associate_total")
    def associate_count(self, store):
        return store.associate_total

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_event(request.user, "store.saved", obj, via="admin", fields=sorted(form.changed_data))


class RepCodeInline(admin.TabularInline):
    model = RepCode
    extra = 1
    verbose_name = "rep code"
    verbose_name_plural = "rep codes (the ERP's codes for this associate)"


@admin.register(Associate)
class AssociateAdmin(admin.ModelAdmin):
    list_display = ("name", "store", "role", "email", "phone", "active", "has_login", "rep_code_list")
    list_filter = ("store", "role", "active", "store__selling_mode")
    search_fields = ("name", "email", "phone", "referral_code", "rep_code_set__code")
    list_select_related = ("store", "user")
    autocomplete_fields = ("user", "parent")
    inlines = [RepCodeInline]
    readonly_fields = ("created_at",)
    fieldsets = (
        (None, {"fields": ("name", "store", "role", "active")}),
        ("Contact", {"fields": ("email", "phone", "photo")}),
        ("Login and selling", {"fields": ("user", "parent", "referral_code", "created_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("rep_code_set")

    @admin.display(description="login", boolean=True)
    def has_login(self, associate):
        return associate.can_login

    @admin.display(description="rep codes")
    def rep_code_list(self, associate):
        return ", ".join(code.code for code in associate.rep_code_set.all()) or "—"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_event(request.user, "associate.updated" if change else "associate.created", obj, via="admin")


@admin.register(RepCode)
class RepCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "associate", "associate_store")
    list_filter = ("associate__store",)
    search_fields = ("code", "associate__name", "associate__email")
    list_select_related = ("associate__store",)
    autocomplete_fields = ("associate",)

    @admin.display(description="store", ordering="associate__store__name")
    def associate_store(self, rep_code):
        return rep_code.associate.store


# API tokens and the audit log ---------------------------------------------------------------------


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by `shopfloor token create` or in the console; only their hash is stored."""

    list_display = ("prefix_display", "name", "user", "created_at", "last_used_at", "is_active")
    list_filter = ("revoked_at", "created_at")
    search_fields = ("prefix", "name", "user__email")
    list_select_related = ("user",)
    readonly_fields = ("user", "name", "prefix", "token_hash", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke_tokens"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Revoke instead: the record of a token stays, so the audit log's references stay readable.
        return False

    @admin.display(description="token")
    def prefix_display(self, token):
        return f"{token.prefix}…"

    @admin.display(description="active", boolean=True)
    def is_active(self, token):
        return token.revoked_at is None

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke_tokens(self, request, queryset):
        now = timezone.now()
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            # Conditional update: a token revoked meanwhile is not revoked (or audited) twice.
            if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
                record_event(request.user, "api_token.revoked", token, via="admin")
                revoked += 1
        self.message_user(request, f"Revoked {revoked} token{'s' if revoked != 1 else ''}.", messages.SUCCESS)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Who did what, when: nobody can add, change or delete an entry."""

    list_display = ("created_at", "verb", "target_type", "target_id", "actor")
    list_filter = ("verb", "target_type")
    search_fields = ("verb", "target_type", "target_id", "actor__email")
    date_hierarchy = "created_at"
    list_select_related = ("actor",)
    readonly_fields = ("created_at", "actor", "verb", "target_type", "target_id", "data")

    def get_actions(self, request):
        # Not even the bulk "delete selected" action.
        return {}


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    """The first responses replayed for Idempotency-Key retries (kept 24 hours)."""

    list_display = ("created_at", "key", "status_code", "scope")
    list_filter = ("status_code",)
    search_fields = ("key",)
    date_hierarchy = "created_at"
    exclude = ("response_body",)
    readonly_fields = ("scope", "key", "request_hash", "status_code", "content_type", "created_at")

    def get_actions(self, request):
        return {}


# Agents: groups, registration settings, registrations -------------------------------------------------


@admin.register(AgentGroup)
class AgentGroupAdmin(admin.ModelAdmin):
    """Groups of associates; announcements can go to some of them."""

    list_display = ("name", "member_count", "created_at")
    search_fields = ("name",)
    filter_horizontal = ("associates",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(members=Count("associates"))

    @admin.display(description="members", ordering="members")
    def member_count(self, obj):
        return obj.members


@admin.register(AgentSignupSettings)
class AgentSignupSettingsAdmin(admin.ModelAdmin):
    """One row: whether the public agent registration form is open, and where new agents land."""

    list_display = ("__str__", "store", "group", "updated_at")

    def has_add_permission(self, request):
        return not AgentSignupSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if obj.enabled and obj.store_id is None:
            messages.warning(request, "Registration stays closed until you choose the store new agents join.")
        super().save_model(request, obj, form, change)
        record_event(request.user, "agent_signup_settings.saved", obj, enabled=obj.enabled, store_id=obj.store_id)


@admin.register(RecruitLink)
class RecruitLinkAdmin(ReadOnlyAdmin):
    list_display = ("associate", "code", "created_at")
    search_fields = ("associate__name", "code")
