from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def check_registration_rate_limit(app_configs=None, **kwargs):
    """A malformed AGENT_REGISTRATION_RATE_LIMIT stops the server at start-up, not at a visitor's request."""
    from shopfloor.accounts.onboarding import registration_rate_limit

    try:
        registration_rate_limit()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="shopfloor.E101")]
    return []


class CommsConfig(AppConfig):
    name = "shopfloor.comms"
    verbose_name = "Communications"

    def ready(self):
        checks.register(check_registration_rate_limit)
        from shopfloor import consolekit
        from shopfloor.access import Actor

        def unread_announcements(actor: Actor):
            from shopfloor.comms.selectors import unread_announcements

            return unread_announcements(actor)

        def unread_messages(actor: Actor):
            from shopfloor.comms.selectors import unread_messages

            return unread_messages(actor)

        def pending_agents(actor: Actor):
            from shopfloor.accounts.onboarding import pending_registrations

            return pending_registrations(actor).count() if actor.is_admin else None

        def unread_notifications(actor: Actor):
            from shopfloor.comms.selectors import unread_count

            return unread_count(actor.user)

        consolekit.register_nav("Announcements", "comms:announcements", icon="send", order=70,
                                badge=unread_announcements, section=consolekit.TEAM)
        consolekit.register_nav("Messages", "comms:threads", icon="message", order=72, badge=unread_messages,
                                section=consolekit.TEAM)
        consolekit.register_nav("Agents", "comms:agents", icon="user-check", order=74, badge=pending_agents,
                                section=consolekit.TEAM)
        # The bell in every console page's header.
        consolekit.register_frame_value("unread_notifications", unread_notifications)
