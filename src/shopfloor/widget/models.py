"""Per-store settings of the storefront widget (/widget.js)."""

from django.db import models

from shopfloor.accounts.models import Store
from shopfloor.customers.models import CustomerGroup


class WidgetSettings(models.Model):
    """How the widget behaves on a store's storefronts; a store without a row uses the defaults."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="widget_settings")
    associates_group = models.ForeignKey(
        CustomerGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Associates of this group get the associate panel on this store's storefronts too, "
                  "besides the store's own associates.",
    )
    allowed_origins = models.TextField(
        blank=True,
        help_text="The storefronts that embed the widget, one origin a line (e.g. https://shop.example.com). "
                  "Shopfloor's own demo shop is always allowed.",
    )
    require_verified_identity = models.BooleanField(
        default=False,
        help_text="Only shoppers with a signed identity may use live chat and calls; anonymous visitors "
                  "see no launcher.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The table the storefront app created: the model moved here, its rows stayed where they were.
        db_table = "storefront_widgetsettings"
        verbose_name = "widget settings"
        verbose_name_plural = "widget settings"

    def __str__(self):
        return f"Widget settings of {self.store}"

    @property
    def origins(self) -> list[str]:
        """The allowed origins, normalised: lower-case, without a trailing slash."""
        return [line.strip().rstrip("/").lower() for line in self.allowed_origins.splitlines() if line.strip()]
