import threading

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from shopfloor.jobs import enqueue_scheduled, start_scheduler


class Command(DatabaseWorker):
    help = (
        "Run background tasks, and enqueue the scheduled jobs (earning approval…) on their timers. "
        "With --batch: enqueue the scheduled jobs once, run everything queued, then exit."
    )

    def handle(self, *args, **options):
        stop = threading.Event()
        if options.get("batch"):
            enqueue_scheduled()
        else:
            start_scheduler(stop)
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
