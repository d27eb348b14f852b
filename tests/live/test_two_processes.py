"""Two ASGI processes of the same app on Redis: a visitor on process A is live to an associate on process B,
and chat, call signalling and Navigate cross between them. Runs whenever REDIS_URL is set (CI sets it)."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid

import pytest
import websockets
from asgiref.sync import sync_to_async
from django.conf import settings
from django.test import Client

from tests.live.conftest import runs_in_own_loop, visitor_key

pytestmark = [
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: the processes share Redis"),
    pytest.mark.django_db(transaction=True),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    from tests.browser.conftest import _test_database_url

    return _test_database_url()


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    env = {
        **os.environ, "DATABASE_URL": _database_url(), "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECRET_KEY": settings.SECRET_KEY, "CHANNEL_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
    }
    servers = []
    for name in ("a", "b"):
        port = _free_port()
        log = open(tmp_path / f"uvicorn-{name}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "shopfloor.asgi:application", "--host", "127.0.0.1", "--port",
             str(port), "--log-level", "warning", "--lifespan", "off"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        servers.append((process, port, log))
    for process, port, _ in servers:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"uvicorn did not start; see {tmp_path}")
                time.sleep(0.1)
    yield [port for _, port, _ in servers]
    for process, _, log in servers:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


async def frame_matching(socket_, predicate, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError("no matching frame")
        frame = json.loads(await asyncio.wait_for(socket_.recv(), remaining))
        if predicate(frame):
            return frame


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@runs_in_own_loop
async def test_visitor_on_one_process_chats_with_an_associate_on_another(world, two_servers):
    port_a, port_b = two_servers
    cookie = await sync_to_async(session_cookie)(world.ana.user)
    origin_a, origin_b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    async with websockets.connect(f"ws://127.0.0.1:{port_b}/ws/live/associate/", origin=origin_b,
                                  additional_headers={"Cookie": f"sessionid={cookie}"}) as associate:
        snapshot = json.loads(await associate.recv())
        assert snapshot["type"] == "snapshot"
        await associate.send(json.dumps({"type": "availability", "value": "available"}))
        async with websockets.connect(f"ws://127.0.0.1:{port_a}/ws/live/visitor/", origin=origin_a) as visitor:
            await visitor.send(json.dumps({"type": "hello", "store": world.north.widget_key, "visitor": visitor_key()}))
            welcome = await frame_matching(visitor, lambda f: f["type"] == "welcome")
            assert welcome["talk_to_us"] is True
            seen = await frame_matching(associate, lambda f: f["type"] == "visitor")
            visitor_id = seen["visitor"]["id"]
            await visitor.send(json.dumps({"type": "page", "url": f"{origin_a}/shop/bag/", "title": "Bag"}))
            page = await frame_matching(associate, lambda f: f["type"] == "visitor_page" and
                                        f["visitor"]["current_url"] == f"{origin_a}/shop/bag/")
            assert page["visitor"]["id"] == visitor_id

            await visitor.send(json.dumps({"type": "say", "body": "Hello from process A"}))
            request = await frame_matching(associate, lambda f: f["type"] == "message")
            assert request["message"]["body"] == "Hello from process A"
            await associate.send(json.dumps({"type": "take", "chat_id": request["chat_id"]}))
            opened = await frame_matching(associate, lambda f: f["type"] == "chat_opened")
            assert opened["chat"]["visitor_id"] == visitor_id
            chat_id = opened["chat"]["id"]
            await associate.send(json.dumps({"type": "say", "chat_id": chat_id, "body": "Hello from process B"}))
            reply = await frame_matching(visitor, lambda f: f["type"] == "message" and
                                         f["message"]["sender"] == "associate")
            assert reply["message"]["body"] == "Hello from process B"

            await associate.send(json.dumps({"type": "call", "chat_id": chat_id}))
            assert (await frame_matching(visitor, lambda f: f["type"] == "call"))["state"] == "offer"
            await visitor.send(json.dumps({"type": "signal", "data": {"ready": True}}))
            assert (await frame_matching(associate, lambda f: f["type"] == "signal"))["data"] == {"ready": True}

            await associate.send(json.dumps({"type": "navigate", "chat_id": chat_id, "url": f"{origin_b}/shop/"}))
            moved = await frame_matching(visitor, lambda f: f["type"] == "navigate")
            assert moved["url"] == f"{origin_b}/shop/"
        gone = await frame_matching(associate, lambda f: f["type"] == "visitor" and f["visitor"]["status"] == "offline")
        assert gone["visitor"]["id"] == visitor_id
