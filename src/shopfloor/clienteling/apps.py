from django.apps import AppConfig


class ClientelingConfig(AppConfig):
    name = "shopfloor.clienteling"
    verbose_name = "Clienteling"

    def ready(self):
        from shopfloor.clienteling import sources, timeline
        from shopfloor.clienteling.pages import register_pages

        timeline.register(sources.order_entries)
        timeline.register(sources.note_entries)
        timeline.register(sources.task_entries)
        register_pages()
