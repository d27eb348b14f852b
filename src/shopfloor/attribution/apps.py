from django.apps import AppConfig


class AttributionConfig(AppConfig):
    name = "shopfloor.attribution"
    verbose_name = "Attribution"
