"""Admin for lookbooks and looks: looked at here; associates make and change them in the console."""

from django.contrib import admin

from shopfloor.adminkit import ReadOnlyAdmin
from shopfloor.lookbooks.models import Look, Lookbook, LookbookItem, LookItem


class LookbookItemInline(admin.TabularInline):
    model = LookbookItem
    fields = ("product", "note", "click_count")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Lookbook)
class LookbookAdmin(ReadOnlyAdmin):
    deletable = True
    list_display = ("title", "customer", "author", "status", "opened_at", "open_count", "click_count", "created_at")
    list_filter = ("status", "store")
    search_fields = ("title", "customer__last_name", "author__name")
    list_select_related = ("customer", "author")
    exclude = ("token",)
    inlines = [LookbookItemInline]


class LookItemInline(admin.TabularInline):
    model = LookItem
    fields = ("product", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Look)
class LookAdmin(ReadOnlyAdmin):
    deletable = True
    list_display = ("title", "author", "store", "updated_at")
    list_filter = ("store",)
    search_fields = ("title", "author__name")
    inlines = [LookItemInline]
