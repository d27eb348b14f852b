from django.apps import AppConfig


def _panel_enabled(store, identity) -> bool:
    return identity.is_associate


class WidgetConfig(AppConfig):
    name = "shopfloor.widget"
    verbose_name = "Storefront widget"

    def ready(self):
        from shopfloor.widget.services import register_feature

        # The associate panel: pick a customer and lists, save products from any page that marks them.
        register_feature("panel", _panel_enabled)
