"""Scheduled jobs: what `shopfloor worker` enqueues on a timer.

Every job here is idempotent (a second run finds nothing left to do), so two
workers enqueuing the same job, or a job that runs late, never does harm.
"""

import logging
import threading

from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# (dotted path of a django-tasks task taking no arguments, seconds between runs)
SCHEDULE = [
    ("shopfloor.commissions.tasks.approve_due_earnings_task", 3600),
    # The daily task rules, looked at hourly so a new day's occasions show early; a rerun adds nothing.
    ("shopfloor.clienteling.tasks.run_task_rules_task", 3600),
    ("shopfloor.live.tasks.purge_old_visitors_task", 86400),
    ("shopfloor.lists.tasks.send_comment_alert_emails_task", 60),
    ("shopfloor.lists.tasks.purge_deleted_lists_task", 3600),
    ("shopfloor.orders.tasks.send_payment_reminders_task", 900),
    ("shopfloor.comms.tasks.deliver_due_announcements_task", 60),
    ("shopfloor.comms.tasks.send_unread_message_emails_task", 300),
]


def enqueue_scheduled(schedule=None) -> list[str]:
    """Enqueue every scheduled job once; returns their paths."""
    enqueued = []
    for path, _interval in schedule or SCHEDULE:
        import_string(path).enqueue()
        enqueued.append(path)
    return enqueued


def start_scheduler(stop: threading.Event, schedule=None) -> threading.Thread:
    """A daemon thread that enqueues each job at once and then every `interval` seconds."""

    def loop(path, interval):
        task = import_string(path)
        while not stop.is_set():
            try:
                task.enqueue()
            except Exception:  # a failed enqueue (database away) is retried at the next tick
                logger.exception("Could not enqueue %s", path)
            stop.wait(interval)

    threads = []
    for path, interval in schedule or SCHEDULE:
        thread = threading.Thread(target=loop, args=(path, interval), name=f"schedule:{path}", daemon=True)
        thread.start()
        threads.append(thread)
    return threads
