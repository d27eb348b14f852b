from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "shopfloor.lists"
    verbose_name = "Lists"

    def ready(self):
        from shopfloor import consolekit
        from shopfloor.lists import timeline

        consolekit.register_nav("Lists", "lists:index", icon="heart", order=12, section=consolekit.SELL)
        timeline.register()
