from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "shopfloor.outreach"
    verbose_name = "Outreach"

    def ready(self):
        from shopfloor.console import nav
        from shopfloor.console.nav import SELLING_ROLES
        from shopfloor.outreach import timeline

        nav.register("Post to social", "outreach:social", icon="send", roles=SELLING_ROLES, order=16,
                     section=nav.CUSTOMERS)
        timeline.register()
