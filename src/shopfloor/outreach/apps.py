from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "shopfloor.outreach"
    verbose_name = "Outreach"
