"""What several apps' Django admins share."""

from django import forms
from django.contrib import admin

from shopfloor.access import actor_for
from shopfloor.errors import InvalidInput


def add_service_errors(form: forms.Form, error: InvalidInput, field_names: dict | None = None) -> None:
    """Show a service's InvalidInput on the form: on the field it names (renamed by `field_names`, e.g.
    the API's "associate_id" to the form's "associate"), else on the whole form."""
    for loc, message in error.errors:
        name = loc[1] if len(loc) > 1 else None
        name = (field_names or {}).get(name, name)
        form.add_error(name if name in form.fields else None, message)


class SettingsForm(forms.ModelForm):
    """A settings row saved through `save_settings(actor, values)`, the service that checks and audits it.

    Subclasses set `save_settings` (a staticmethod) and `Meta`; the service's InvalidInput errors are shown
    on their fields.
    """

    user = None
    save_settings = None

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            self.instance = self.save_settings(actor_for(self.user), dict(self.cleaned_data))
        except InvalidInput as error:
            add_service_errors(self, error)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records only services write (audit events, registrations, lookbooks...): looked at here, never added or
    changed by hand. Nor deleted, unless the subclass sets `deletable = True`; then the user's delete
    permission decides, as in any admin."""

    deletable = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.deletable and super().has_delete_permission(request, obj)


class ServiceFormAdmin(admin.ModelAdmin):
    """An admin whose form saves through a service: the form gets the user, the admin saves nothing itself."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        pass  # the form's service call saved it

    def save_related(self, request, form, formsets, change):
        pass  # relations too


class SingletonSettingsAdmin(ServiceFormAdmin):
    """One row of settings: added once, then only changed, never deleted."""

    def has_add_permission(self, request):
        return not self.model.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class StoreSettingsForm(forms.ModelForm):
    """A store's settings row (OneToOne to Store) saved through `save_settings(user, store, values)`.

    The service checks and audits the change; its InvalidInput errors are shown on their fields.
    Subclasses set `save_settings` (a staticmethod) and `Meta.fields`, with "store" first.
    """

    user = None
    save_settings = None

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        store = self.cleaned_data.get("store") or self.instance.store
        try:
            self.instance = self.save_settings(self.user, store, {
                name: self.cleaned_data.get(name) for name in self._meta.fields if name != "store"
            })
        except InvalidInput as error:
            for loc, message in error.errors:
                name = loc[-1] if loc else None
                self.add_error(name if name in self.fields else None, message)


class StoreSettingsAdmin(ServiceFormAdmin):
    """Settings kept per store: the store is chosen once, when the row is added."""

    def get_readonly_fields(self, request, obj=None):
        return ("store",) if obj else ()
