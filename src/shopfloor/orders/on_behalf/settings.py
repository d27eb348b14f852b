"""The on-behalf settings row (kept apart so payment links and sessions both read it without cycles)."""

from shopfloor.orders.models import OnBehalfSettings


def on_behalf_settings() -> OnBehalfSettings:
    """The settings row, or the defaults when nobody has saved settings yet (reading writes nothing)."""
    return OnBehalfSettings.objects.filter(pk=1).first() or OnBehalfSettings(pk=1)
