from django.apps import AppConfig


class CommissionsConfig(AppConfig):
    name = "shopfloor.commissions"
    verbose_name = "Commissions"

    def ready(self):
        # Coupons' admin lives in its own module next to the coupons' services.
        from django.contrib import admin

        from shopfloor.commissions.coupons_admin import register

        register(admin.site)
