from django.apps import AppConfig


class ClientelingConfig(AppConfig):
    name = "shopfloor.clienteling"
    verbose_name = "Clienteling"
