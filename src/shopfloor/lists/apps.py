from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "shopfloor.lists"
    verbose_name = "Lists"
