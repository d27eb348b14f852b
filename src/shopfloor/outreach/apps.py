from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "shopfloor.outreach"
    verbose_name = "Outreach"

    def ready(self):
        from shopfloor import consolekit
        from shopfloor.outreach import timeline

        consolekit.register_nav("Post to social", "outreach:social", icon="send", roles=consolekit.SELLING_ROLES,
                                order=16, section=consolekit.CUSTOMERS)
        timeline.register()
