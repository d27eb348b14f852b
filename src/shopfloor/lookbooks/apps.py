from django.apps import AppConfig


class LookbooksConfig(AppConfig):
    name = "shopfloor.lookbooks"
    verbose_name = "Lookbooks"

    def ready(self):
        from shopfloor.console import nav
        from shopfloor.lookbooks import timeline

        nav.register("My Looks", "lookbooks:looks", icon="heart", order=14, section=nav.SELL)
        nav.register("Lookbooks", "lookbooks:list", icon="link", order=15, section=nav.SELL)
        timeline.register()
