"""Background jobs of the lists app; each is idempotent and safe to run twice."""

from django_tasks import task

from shopfloor.lists.services import purge_deleted_lists, send_comment_alert_emails


@task()
def send_comment_alert_emails_task() -> int:
    """Email collaborators their new comments, batched per list; schedule it every minute."""
    return send_comment_alert_emails()


@task()
def purge_deleted_lists_task() -> int:
    """Remove lists deleted more than 30 days ago; schedule it hourly or daily."""
    return purge_deleted_lists()
