"""Shopfloor served by a real uvicorn process on the test database, for tests that need a server of their own.

The tests' data must be committed for the server to see it (`transactional_db`).
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def served_database_url() -> str:
    """The URL of the database pytest-django created, for a server process."""
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{database['NAME']}"
    original = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(original._replace(path="/" + database["NAME"]))


class ServerProcess:
    """`uvicorn shopfloor.asgi:application` on a free port of 127.0.0.1, with the lifespan (its task worker)."""

    def __init__(self, log_path: Path, lifespan: bool = True, **environment: str):
        self.log_path = log_path
        self.lifespan = lifespan
        self.environment = {
            **os.environ, "DATABASE_URL": served_database_url(), "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECRET_KEY": settings.SECRET_KEY, **environment,
        }
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> "ServerProcess":
        self.port = free_port()
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "shopfloor.asgi:application", "--host", "127.0.0.1",
                 "--port", str(self.port), "--log-level", "warning",
                 "--lifespan", "on" if self.lifespan else "off"],
                env=self.environment, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.process.kill()
                    raise RuntimeError(f"uvicorn did not start; see {self.log_path}") from None
                time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: the process dies at once, wherever it is (a power cut, as far as the process can tell)."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
