from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "shopfloor.lists"
    verbose_name = "Lists"

    def ready(self):
        from shopfloor import consolekit
        from shopfloor.lists import services, timeline
        from shopfloor.outreach import services as outreach

        consolekit.register_nav("Lists", "lists:index", icon="heart", order=12, section=consolekit.SELL)
        timeline.register()
        outreach.register_link_field("list_link", services.latest_collaboration_path)
