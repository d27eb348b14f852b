"""Browser journeys: a real uvicorn process serving the test database, driven by Debian's Chromium.

Tests here use `transactional_db`, so the data they create is committed and the
server process sees it. Screenshots land in test-artifacts/ for a person to look at.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the
# test body are still synchronous, so the async-safety guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _test_database_url() -> str:
    """The URL of the database pytest-django created, for the server process."""
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith(("sqlite3", "sqlite")):
        return f"sqlite:///{database['NAME']}"
    original = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(original._replace(path="/" + database["NAME"]))


@pytest.fixture(scope="session")
def live_server_url(django_db_setup, django_db_blocker):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_URL": "file://" + str(ARTIFACTS / "mail"),
        "SECRET_KEY": settings.SECRET_KEY,
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
    }
    log = open(ARTIFACTS.mkdir(exist_ok=True) or ARTIFACTS / "uvicorn.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "shopfloor.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--lifespan", "off"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"uvicorn did not start; see {ARTIFACTS / 'uvicorn.log'}")
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("SHOPFLOOR_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait as long as actions do (10 s, `new_page`): CI runs the SQLite and PostgreSQL
    # suites side by side on two cores, and a request there has taken more than the default 5 s.
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def wait_until_the_server_is_quiet(timeout: float = 5.0) -> None:
    """Wait until the server process holds no open transaction on the test database.

    Closing a page makes the server run its socket disconnect handlers (a visit ends, a
    presence is cleared) a moment later. If pytest-django's flush (TRUNCATE) ran in that
    moment, PostgreSQL could pick the flush as the victim of a deadlock and fail the test
    at teardown. SQLite serialises writers itself, so only PostgreSQL needs to wait.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    quiet_in_a_row = 0
    deadline = time.monotonic() + timeout
    while quiet_in_a_row < 3 and time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND state NOT IN ('idle')"
            )
            busy = cursor.fetchone()[0]
        quiet_in_a_row = 0 if busy else quiet_in_a_row + 1
        time.sleep(0.05)


def close_contexts(contexts) -> None:
    """Close browser contexts, then let the server finish what their sockets started."""
    for context in contexts:
        context.close()
    wait_until_the_server_is_quiet()


@pytest.fixture
def new_page(browser, live_server_url, transactional_db):
    """new_page() → a page in a fresh browser context (its own cookies), based at the live server.

    It asks for `transactional_db` itself so that its teardown (closing the pages) runs
    before the database is flushed, whatever order a test lists its fixtures in.
    """
    contexts = []

    def factory(viewport=None):
        context = browser.new_context(base_url=live_server_url, viewport=viewport or {"width": 1280, "height": 860})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield factory
    close_contexts(contexts)


@pytest.fixture
def page(new_page):
    return new_page()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot to test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
