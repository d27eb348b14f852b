from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def check_registration_rate_limit(app_configs=None, **kwargs):
    """A malformed AGENT_REGISTRATION_RATE_LIMIT stops the server at start-up, not at a visitor's request."""
    from shopfloor.agents.services import registration_rate_limit

    try:
        registration_rate_limit()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="shopfloor.E101")]
    return []


class AgentsConfig(AppConfig):
    name = "shopfloor.agents"
    verbose_name = "Agents"

    def ready(self):
        checks.register(check_registration_rate_limit)
        from shopfloor import consolekit
        from shopfloor.access import Actor

        def pending_agents(actor: Actor):
            from shopfloor.agents.selectors import pending_registrations

            return pending_registrations(actor).count() if actor.is_admin else None

        consolekit.register_nav("Agents", "agents:index", icon="user-check", order=74, badge=pending_agents,
                                section=consolekit.TEAM)
