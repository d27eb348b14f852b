from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "shopfloor.site"
    verbose_name = "Site"
