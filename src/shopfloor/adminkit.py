"""What several apps' Django admins share."""

from django.contrib import admin


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
