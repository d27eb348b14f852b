from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "shopfloor.comms"
    verbose_name = "Communications"
