from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "shopfloor.orders"

    def ready(self):
        # Selling on the customer's behalf keeps its admin next to its services.
        from django.contrib import admin

        from shopfloor.orders.on_behalf_admin import register

        register(admin.site)
