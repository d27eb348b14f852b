"""Browser journeys: a real uvicorn process serving the test database, driven by Debian's Chromium.

Tests here use `transactional_db`, so the data they create is committed and the
server process sees it. Screenshots land in test-artifacts/ for a person to look at.
"""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

import pytest
from django.conf import settings

from tests.browser.server import QUIET_PATH, QUIET_TIMEOUT_SECONDS

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
        # Shopfloor's application, counting what it is handling (server.py): teardowns wait for none.
        [sys.executable, "-m", "uvicorn", "tests.browser.server:application", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--lifespan", "off"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            # Answered once uvicorn listens and Shopfloor is loaded (server.py loads it at the first request).
            wait_until_the_server_is_quiet(url)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"uvicorn did not start; see {ARTIFACTS / 'uvicorn.log'}")
            time.sleep(0.1)
    yield url
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


def wait_until_the_server_is_quiet(server_url: str) -> None:
    """Return once the server handles no request and no socket (tests/browser/server.py says when).

    Call it after closing the browser contexts and before the database is flushed: the server finishes
    with closed pages a moment after they close (their sockets' disconnect handlers write), and a flush
    in that moment deadlocked with those writes on PostgreSQL, or was followed by them.
    """
    try:
        with urlopen(server_url + QUIET_PATH, timeout=QUIET_TIMEOUT_SECONDS + 10) as response:
            answer = json.load(response)
    except HTTPError as error:
        answer = json.load(error)
    if not answer["quiet"]:
        raise RuntimeError(f"The server is still busy with {answer['busy']}; see {ARTIFACTS / 'uvicorn.log'}")


def close_contexts(contexts, server_url: str) -> None:
    """Close browser contexts, then wait until the server has finished what their pages started."""
    for context in contexts:
        context.close()
    wait_until_the_server_is_quiet(server_url)


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
    close_contexts(contexts, live_server_url)


@pytest.fixture
def page(new_page):
    return new_page()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot to test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
