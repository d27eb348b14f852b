from django.apps import AppConfig


class LookbooksConfig(AppConfig):
    name = "shopfloor.lookbooks"
    verbose_name = "Lookbooks"
