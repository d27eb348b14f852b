from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "shopfloor.comms"
    verbose_name = "Communications"

    def ready(self):
        from shopfloor.access import Actor
        from shopfloor.console import nav

        def unread_announcements(actor: Actor):
            from shopfloor.comms.selectors import unread_announcements

            return unread_announcements(actor)

        def unread_messages(actor: Actor):
            from shopfloor.comms.selectors import unread_messages

            return unread_messages(actor)

        def pending_agents(actor: Actor):
            from shopfloor.accounts.onboarding import pending_registrations

            return pending_registrations(actor).count() if actor.is_admin else None

        nav.register("Announcements", "comms:announcements", icon="send", order=70, badge=unread_announcements)
        nav.register("Messages", "comms:threads", icon="message", order=72, badge=unread_messages)
        nav.register("Agents", "comms:agents", icon="user-check", order=74, badge=pending_agents)
