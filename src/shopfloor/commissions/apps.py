from django.apps import AppConfig


class CommissionsConfig(AppConfig):
    name = "shopfloor.commissions"
    verbose_name = "Commissions"
