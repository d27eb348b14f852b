"""Background work: side effects deferred to tasks, the scheduled jobs, and the worker a server runs.

A write never sends anything itself. Email, text messages and live broadcasts are tasks (`defer`): with
the database queue (django-tasks-db, the default) the task's row is written in the transaction that
asked for it, so it exists exactly when the write does — a rolled-back request sends nothing, and a
process that dies after COMMIT leaves the task queued for a worker. A task that fails is enqueued again
later (`retried`), so a mail server that is down for an hour delays a message instead of losing it.

Queues:
- `default`: email, text messages and the scheduled jobs, run by `shopfloor worker` processes and by the
  worker inside `shopfloor serve` (unless `--no-worker`);
- `live`: broadcasts to live sockets, run only inside serving processes (`ServerWorker`), which hold the
  event loop that the sockets and the in-memory channel layer live on.

Every scheduled job is idempotent (a second run finds nothing left to do), so two workers enqueuing the
same job, or a job that runs late, never does harm.
"""

import functools
import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import OperationalError, close_old_connections, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks import task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

logger = logging.getLogger(__name__)

DEFAULT_QUEUE = "default"
LIVE_QUEUE = "live"

# Seconds before each retry of a failed task: about 5 s, 1 min, 5 min, 30 min, 2 h, 6 h (≈ 9 hours in all).
RETRY_DELAYS = (5, 60, 300, 1800, 7200, 21600)

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
    ("shopfloor.jobs.prune_finished_tasks_task", 3600),
]

# How long the results of finished tasks are kept (the admin shows them: what was sent, what failed).
KEEP_FINISHED_TASKS = timedelta(days=7)


# Deferring side effects ---------------------------------------------------------------------------


def defer(task_to_run, *args, **kwargs) -> None:
    """Run `task_to_run(*args, **kwargs)` in the background once the current transaction commits.

    The database queue takes the task inside the transaction (its row commits with the write, or not at
    all); a queue outside the database (the immediate backend of some tests) is handed it after COMMIT.
    Outside a transaction both happen at once.
    """
    if isinstance(task_to_run.get_backend(), DatabaseBackend):
        task_to_run.enqueue(*args, **kwargs)
        transaction.on_commit(wake_server_workers, robust=True)
    else:
        transaction.on_commit(functools.partial(task_to_run.enqueue, *args, **kwargs), robust=True)


def retried(*, queue_name: str = DEFAULT_QUEUE, delays: tuple = RETRY_DELAYS):
    """A task that, when it raises, is enqueued again after the next of `delays` with the same arguments.

    Each attempt is its own task result (the failed one keeps its traceback); after the last delay the
    failure stands. Only for side effects that are safe to repeat after a failure.
    """

    def decorate(function):
        @functools.wraps(function)
        def attempt(*args, attempt: int = 1, **kwargs):
            try:
                return function(*args, **kwargs)
            except Exception:
                this = import_string(f"{function.__module__}.{function.__qualname__}")
                if attempt <= len(delays) and this.get_backend().supports_defer:
                    delay = delays[attempt - 1]
                    logger.warning("%s failed (attempt %d); retrying in %d s", this.module_path, attempt, delay)
                    this.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
                        *args, attempt=attempt + 1, **kwargs)
                raise

        return task(queue_name=queue_name)(attempt)

    return decorate


# Running tasks ------------------------------------------------------------------------------------


def run_next_task(queue_names: list[str], worker: Worker) -> bool:
    """Claim the next ready task of `queue_names` and run it; False when none was ready.

    As django-tasks-db's worker claims a task: the row locked and marked running in one short transaction
    (exclusive on SQLite, SKIP LOCKED on PostgreSQL), so two workers never run the same task.
    """
    ready = DBTaskResult.objects.ready().filter(queue_name__in=queue_names)
    try:
        with exclusive_transaction(ready.db):
            claimed = ready.get_locked()
            if claimed is not None:
                claimed.claim(worker.worker_id)
    except OperationalError as error:
        if is_locked_database_exception(error):
            return False
        raise
    if claimed is None:
        return False
    worker.run_task(claimed)
    return True


def run_queued_tasks(queue_names=(DEFAULT_QUEUE, LIVE_QUEUE)) -> int:
    """Run every task that is ready now, in this thread, until none is left; returns how many ran.

    For tests and one-off commands: what a worker would do next, without waiting for one.
    """
    worker = _worker(list(queue_names), interval=0)
    count = 0
    while run_next_task(worker.queue_names, worker):
        count += 1
    return count


def _worker(queue_names: list[str], interval: float) -> Worker:
    return Worker(queue_names=queue_names, interval=interval, batch=False, backend_name="default",
                  startup_delay=False, max_tasks=None, worker_id=get_random_string(32),
                  excluded_queue_names=[])


def server_queues() -> list[str]:
    """The queues a serving process works on: always its live broadcasts, and the default queue unless
    separate `shopfloor worker` processes take it (SHOPFLOOR_WORKER=false, `shopfloor serve --no-worker`)."""
    return [DEFAULT_QUEUE, LIVE_QUEUE] if settings.SHOPFLOOR["SERVER_WORKER"] else [LIVE_QUEUE]


class ServerWorker:
    """The worker inside a serving process: a thread that runs queued tasks, woken when a write that
    deferred one commits in this process (and every `interval` seconds, for tasks other processes
    queued or that became due). With `schedule` it also enqueues the scheduled jobs on their timers."""

    def __init__(self, queue_names: list[str], interval: float = 1.0, schedule: bool = False):
        self.worker = _worker(queue_names, interval)
        self.schedule = schedule
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, name="shopfloor-worker", daemon=True)

    def start(self) -> "ServerWorker":
        _server_workers.add(self)
        self.thread.start()
        if self.schedule:
            start_scheduler(self.stopping)
        return self

    def stop(self, timeout: float = 10) -> None:
        self.stopping.set()
        self.wake.set()
        self.thread.join(timeout)
        _server_workers.discard(self)

    def run(self) -> None:
        while not self.stopping.is_set():
            self.wake.clear()
            try:
                ran = run_next_task(self.worker.queue_names, self.worker)
            except Exception:  # the database went away: try again at the next tick
                logger.exception("The server's worker could not claim a task")
                ran = False
            finally:
                close_old_connections()
            if not ran:
                self.wake.wait(self.worker.interval)


_server_workers: set[ServerWorker] = set()


def wake_server_workers() -> None:
    for worker in list(_server_workers):
        worker.wake.set()


# Scheduled jobs -----------------------------------------------------------------------------------


@task()
def prune_finished_tasks_task() -> int:
    """Forget the results of tasks that finished more than KEEP_FINISHED_TASKS ago."""
    deleted, _ = DBTaskResult.objects.finished().filter(
        finished_at__lt=timezone.now() - KEEP_FINISHED_TASKS).delete()
    return deleted


def enqueue_scheduled(schedule=None) -> list[str]:
    """Enqueue every scheduled job once; returns their paths."""
    enqueued = []
    for path, _interval in schedule or SCHEDULE:
        import_string(path).enqueue()
        enqueued.append(path)
    return enqueued


def start_scheduler(stop: threading.Event, schedule=None) -> list[threading.Thread]:
    """Daemon threads that enqueue each job at once and then every `interval` seconds."""

    def loop(path, interval):
        scheduled = import_string(path)
        while not stop.is_set():
            try:
                scheduled.enqueue()
            except Exception:  # a failed enqueue (database away) is retried at the next tick
                logger.exception("Could not enqueue %s", path)
            finally:
                close_old_connections()
            stop.wait(interval)

    threads = []
    for path, interval in schedule or SCHEDULE:
        thread = threading.Thread(target=loop, args=(path, interval), name=f"schedule:{path}", daemon=True)
        thread.start()
        threads.append(thread)
    return threads
