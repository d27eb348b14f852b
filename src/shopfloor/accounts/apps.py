from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shopfloor.accounts"
    verbose_name = "Stores and associates"
