from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "shopfloor.console"

    def ready(self):
        from shopfloor.console.pages import register_pages

        register_pages()
