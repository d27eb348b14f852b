from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "shopfloor.live"
    verbose_name = "Live shopping"
