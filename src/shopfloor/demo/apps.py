from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "shopfloor.demo"
    verbose_name = "Demo data"
