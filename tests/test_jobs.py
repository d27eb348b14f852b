"""Side effects are tasks (shopfloor.jobs): written with the write that asked for them, run by a worker
after COMMIT, retried when they fail; a serving process runs its worker."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from shopfloor import jobs, outbox
from shopfloor.jobs import ServerWorker, run_queued_tasks

calls: list = []


@task()
def note_call(value: str) -> str:
    calls.append(value)
    return value


flaky_failures = {"left": 0}


@jobs.retried(delays=(5, 60))
def flaky(value: str) -> str:
    if flaky_failures["left"]:
        flaky_failures["left"] -= 1
        raise ConnectionError("the mail server is away")
    calls.append(value)
    return value


@pytest.fixture(autouse=True)
def _reset():
    calls.clear()
    flaky_failures["left"] = 0


def results(task_path_end: str) -> list[DBTaskResult]:
    return [result for result in DBTaskResult.objects.order_by("enqueued_at")
            if result.task_path.endswith(task_path_end)]


def test_a_deferred_task_is_written_with_the_transaction_and_vanishes_with_its_rollback(db):
    with transaction.atomic():
        jobs.defer(note_call, "kept")
    try:
        with transaction.atomic():
            jobs.defer(note_call, "rolled back")
            raise RuntimeError("the request failed")
    except RuntimeError:
        pass
    assert [result.args_kwargs["args"] for result in results(".note_call")] == [["kept"]]
    assert calls == []  # nothing runs inside the request
    assert run_queued_tasks() == 1
    assert calls == ["kept"]


def test_a_failing_task_is_enqueued_again_later_with_the_same_arguments_until_the_delays_run_out(db):
    flaky_failures["left"] = 5
    jobs.defer(flaky, "hello")
    assert run_queued_tasks() == 1  # the retry waits for its time
    first, retry = results(".flaky")
    assert first.status == TaskResultStatus.FAILED and "mail server is away" in first.traceback
    assert retry.status == TaskResultStatus.READY
    assert retry.args_kwargs == {"args": ["hello"], "kwargs": {"attempt": 2}}
    assert timedelta(seconds=4) < retry.run_after - timezone.now() <= timedelta(seconds=5)

    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_queued_tasks()
    third = results(".flaky")[-1]
    assert third.args_kwargs["kwargs"] == {"attempt": 3}
    assert timedelta(seconds=55) < third.run_after - timezone.now() <= timedelta(seconds=60)

    DBTaskResult.objects.filter(pk=third.pk).update(run_after=timezone.now())
    run_queued_tasks()
    # Two delays, three attempts: the failure stands and nothing is queued any more.
    assert [result.status for result in results(".flaky")] == [TaskResultStatus.FAILED] * 3
    assert calls == []


def test_a_task_that_succeeds_on_a_retry_does_its_work_once(db):
    flaky_failures["left"] = 1
    jobs.defer(flaky, "hello")
    run_queued_tasks()
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
    run_queued_tasks()
    assert calls == ["hello"]
    assert [result.status for result in results(".flaky")] == [TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL]


class BrokenMailServer:
    """An email backend whose server refuses every message."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")


def test_an_email_whose_server_is_down_is_retried_and_sent_when_it_is_back(db, settings):
    with transaction.atomic():
        outbox.send_email("kim@example.com", "Your list", "Here it is.")
    settings.EMAIL_BACKEND = f"{__name__}.BrokenMailServer"
    run_queued_tasks()
    assert mail.outbox == []
    failed, retry = results(".send_email_task")
    assert failed.status == TaskResultStatus.FAILED and "SMTP server down" in failed.traceback
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_queued_tasks()
    [sent] = mail.outbox
    assert (sent.to, sent.subject, sent.body) == (["kim@example.com"], "Your list", "Here it is.")


def test_the_server_worker_runs_a_task_as_soon_as_its_transaction_commits(transactional_db):
    # An interval far longer than the test's patience: only the wake-up on COMMIT can run it in time.
    worker = ServerWorker([jobs.DEFAULT_QUEUE], interval=60).start()
    try:
        time.sleep(0.2)  # the worker is waiting
        with transaction.atomic():
            jobs.defer(note_call, "woken")
        deadline = time.monotonic() + 10
        while not calls and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        worker.stop()
    assert calls == ["woken"]
    assert results(".note_call")[0].status == TaskResultStatus.SUCCESSFUL


def _notify_through(server, world, token: str) -> int:
    """Ask the server to email Alice her list; the server's status."""
    import http.client

    from shopfloor.access import actor_for
    from shopfloor.lists import services as lists

    customer_list = lists.create_list(actor_for(world.ana.user), world.anas_customer, "For the terrace")
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("POST", f"/api/v1/lists/{customer_list.pk}/notify", "",
                       {"Authorization": f"Bearer {token}"})
    return connection.getresponse().status


def _written_mail(mail_dir) -> bool:
    return mail_dir.exists() and any("alice" in path.read_text().lower() for path in mail_dir.iterdir())


@pytest.mark.slow
@pytest.mark.parametrize("worker", [True, False])
def test_a_serving_process_sends_email_itself_unless_separate_workers_do(world, transactional_db, tmp_path, worker):
    from shopfloor.accounts.services import create_api_token
    from tests.servers import ServerProcess

    _, token = create_api_token(world.ana.user)
    mail_dir = tmp_path / "mail"
    server = ServerProcess(tmp_path / "server.log", EMAIL_URL=f"file://{mail_dir}",
                           SHOPFLOOR_WORKER="true" if worker else "false").start()
    try:
        assert _notify_through(server, world, token) == 200
        deadline = time.monotonic() + 15
        # Django's file backend creates the file before it writes the message: wait for the message.
        while worker and not _written_mail(mail_dir) and time.monotonic() < deadline:
            time.sleep(0.05)
        sent = list(mail_dir.iterdir()) if mail_dir.exists() else []
        waiting = DBTaskResult.objects.filter(task_path__endswith=".send_email_task", status=TaskResultStatus.READY)
        if worker:
            assert len(sent) == 1 and "alice" in sent[0].read_text().lower()
            assert not waiting.exists()
        else:
            # Queued for a `shopfloor worker`, which takes it later.
            assert sent == [] and waiting.count() == 1
    finally:
        server.stop()
