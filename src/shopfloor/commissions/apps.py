from django.apps import AppConfig


class CommissionsConfig(AppConfig):
    name = "shopfloor.commissions"
    verbose_name = "Commissions"

    def ready(self):
        # Earnings follow orders: connect to the orders' signals.
        from shopfloor.commissions import receivers  # noqa: F401
