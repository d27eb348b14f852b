from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "shopfloor.storefront"
