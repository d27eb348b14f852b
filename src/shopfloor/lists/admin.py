"""Admin for collaborative lists: read-only, because every change goes through the lists' services
(the console and the API), which check visibility and alert collaborators."""

from django.contrib import admin

from shopfloor.adminkit import ReadOnlyAdmin
from shopfloor.lists.models import CustomerList, ListComment, ListItem


class ListItemInline(admin.TabularInline):
    model = ListItem
    extra = 0
    fields = ("room", "product", "quantity", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CustomerList)
class CustomerListAdmin(ReadOnlyAdmin):
    list_display = ("name", "customer", "created_by", "updated_at", "notified_at", "deleted_at")
    list_filter = ("deleted_at",)
    search_fields = ("name", "customer__last_name", "customer__email")
    list_select_related = ("customer", "created_by")
    inlines = [ListItemInline]
    exclude = ("collaboration_secret",)


@admin.register(ListComment)
class ListCommentAdmin(ReadOnlyAdmin):
    list_display = ("list", "author_name", "item", "created_at")
    search_fields = ("body", "author_name")
    list_select_related = ("list", "item__product")
