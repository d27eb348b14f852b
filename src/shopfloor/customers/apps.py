from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "shopfloor.customers"

    def ready(self):
        from shopfloor.customers import checks  # noqa: F401  (registers the database check)
