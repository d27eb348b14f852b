"""Background jobs of live shopping; each is idempotent and safe to run twice."""

from django_tasks import task

from shopfloor.live.visitors import purge_old_visitors


@task()
def purge_old_visitors_task() -> int:
    """Delete visitor data older than each store's retention (default 90 days); scheduled daily."""
    return purge_old_visitors()
