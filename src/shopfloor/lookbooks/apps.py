from django.apps import AppConfig


class LookbooksConfig(AppConfig):
    name = "shopfloor.lookbooks"
    verbose_name = "Lookbooks"

    def ready(self):
        from shopfloor import consolekit
        from shopfloor.lookbooks import services, timeline
        from shopfloor.outreach import services as outreach

        consolekit.register_nav("My Looks", "lookbooks:looks", icon="heart", order=14, section=consolekit.SELL)
        consolekit.register_nav("Lookbooks", "lookbooks:list", icon="link", order=15, section=consolekit.SELL)
        timeline.register()
        outreach.register_link_field("lookbook_link", services.latest_public_path)
