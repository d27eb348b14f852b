from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "shopfloor.comms"
    verbose_name = "Communications"

    def ready(self):
        from shopfloor import consolekit
        from shopfloor.access import Actor

        def unread_announcements(actor: Actor):
            from shopfloor.comms.selectors import unread_announcements

            return unread_announcements(actor)

        def unread_messages(actor: Actor):
            from shopfloor.comms.selectors import unread_messages

            return unread_messages(actor)

        def unread_notifications(actor: Actor):
            from shopfloor.comms.selectors import unread_count

            return unread_count(actor.user)

        consolekit.register_nav("Announcements", "comms:announcements", icon="send", order=70,
                                badge=unread_announcements, section=consolekit.TEAM)
        consolekit.register_nav("Messages", "comms:threads", icon="message", order=72, badge=unread_messages,
                                section=consolekit.TEAM)
        # The bell in every console page's header.
        consolekit.register_frame_value("unread_notifications", unread_notifications)
