from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "shopfloor.live"
    verbose_name = "Live shopping"

    def ready(self):
        from shopfloor import consolekit
        from shopfloor.widget import services as widget

        consolekit.register_nav("Live", "live:workspace", icon="message", order=5, section=consolekit.SELL)
        # Shoppers (anonymous or signed) get live chat and calls; associates browsing the shop get their panel.
        widget.register_feature("live", lambda store, identity: not identity.is_associate)
        try:
            from shopfloor.clienteling import timeline
        except ImportError:
            return
        from shopfloor.live.selectors import chat_timeline

        timeline.register(chat_timeline)
