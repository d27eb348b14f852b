from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "shopfloor.lists"
    verbose_name = "Lists"

    def ready(self):
        from shopfloor.console import nav
        from shopfloor.lists import timeline

        nav.register("Lists", "lists:index", icon="heart", order=12, section=nav.SELL)
        timeline.register()
