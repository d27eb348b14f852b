#!/usr/bin/env python3
"""Live visitors at load: N WebSocket visitors, a page view every 5 s each plus heartbeats, while 5
associates watch the live workspace; against a floor measured in the same run.

    python bench/live_load.py [--visitors 1000] [--seconds 30] [--ramp 200] [--database-url URL]
                              [--redis-url URL] [--processes 1]

Shopfloor: `uvicorn shopfloor.asgi:application` (one process, or --processes 2 with --redis-url) on a
fresh database (a SQLite file under a temporary data dir unless --database-url), one store, 5 associates
signed in on /ws/live/associate/. Each visitor opens /ws/live/visitor/, says hello, then sends a page view
every 5 s (staggered) and a ping every 20 s, as the widget does. Measured: visitors connected and still
connected at the end (held), page views sent, and the latency from sending a page view to each
associate's receiving the visitor update that shows it (p50, p99), and the rate of associate updates.

Floor: the same clients against a bare ASGI WebSocket app (`bench.live_load:floor_app`, one uvicorn
process, no Django, no database) that fans each page view out to the 5 associates in memory.

Figures print as a table and go to bench/results/live_load.json.
"""

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
ASSOCIATES = 5
PAGE_EVERY = 5.0
PING_EVERY = 20.0


# The floor: a bare ASGI WebSocket server doing the same fan-out ----------------------------------------

_watchers: set = set()


async def floor_app(scope, receive, send):
    if scope["type"] != "websocket":
        return
    is_associate = scope["path"].startswith("/ws/live/associate/")
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    queue: asyncio.Queue | None = None
    if is_associate:
        queue = asyncio.Queue()
        _watchers.add(queue)
        await send({"type": "websocket.send", "text": json.dumps({"type": "snapshot", "visitors": []})})

        async def pump():
            while True:
                await send({"type": "websocket.send", "text": await queue.get()})

        pumping = asyncio.ensure_future(pump())
    try:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                break
            if is_associate:
                continue
            frame = json.loads(message.get("text") or "{}")
            kind = frame.get("type")
            if kind == "hello":
                await send({"type": "websocket.send", "text": json.dumps({"type": "welcome"})})
            elif kind == "page":
                update = json.dumps({"type": "visitor_page", "visitor": {
                    "id": 1, "store_id": 1, "current_url": frame.get("url"), "current_title": frame.get("title"),
                    "page_started_at": "2026-01-01T00:00:00+00:00", "page_at": frame.get("at")}})
                for watcher in list(_watchers):
                    watcher.put_nowait(update)
            elif kind == "ping":
                await send({"type": "websocket.send", "text": json.dumps({"type": "pong"})})
    finally:
        if queue is not None:
            _watchers.discard(queue)
            pumping.cancel()


# Servers ---------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(app: str, env: dict, log_path: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    log = open(log_path, "w")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port), "--log-level",
         "warning", "--lifespan", "off", "--ws-max-queue", "256", "--backlog", "4096",
         # Compressing every small JSON frame costs a fan-out server more CPU than it saves bandwidth (a third of
         # the event loop at 1,000 visitors): off for Shopfloor and the floor alike.
         "--ws-per-message-deflate", "false"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=str(ROOT),
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, port
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{app} did not start; see {log_path}")
            time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def prepare_shopfloor(env: dict) -> tuple[str, list[str]]:
    """Migrate a fresh database, make a store and 5 signed-in associates; (store key, session cookies)."""
    script = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from shopfloor.accounts.models import Associate, Store, User
from shopfloor.live.models import AssociateLive
store, _ = Store.objects.get_or_create(code="bench", defaults={"name": "Bench Store"})
cookies = []
for n in range(5):
    user = User.objects.filter(email=f"bench{n}@example.com").first() or User.objects.create_user(
        email=f"bench{n}@example.com", password="bench-password-9")
    associate, _ = Associate.objects.get_or_create(user=user, defaults={"store": store, "name": f"Bench {n}"})
    AssociateLive.objects.update_or_create(associate=associate, defaults={"availability": "available"})
    client = Client()
    client.force_login(user)
    cookies.append(client.cookies["sessionid"].value)
print(json.dumps({"store": store.widget_key, "cookies": cookies}))
"""
    output = subprocess.run([sys.executable, "-c", script], env={**env, "DJANGO_SETTINGS_MODULE": "shopfloor.settings"},
                            capture_output=True, text=True, check=True, cwd=str(ROOT))
    data = json.loads(output.stdout.strip().splitlines()[-1])
    return data["store"], data["cookies"]


# The load --------------------------------------------------------------------------------------------------


class Load:
    def __init__(self, ports: list[int], store_key: str, cookies: list[str], visitors: int, seconds: float,
                 ramp: int):
        self.ports, self.store_key, self.cookies = ports, store_key, cookies
        self.visitors, self.seconds, self.ramp = visitors, seconds, ramp
        self.sent_at: dict[str, float] = {}
        self.latencies: list[float] = []
        self.timeline: list[tuple[float, float]] = []
        self.updates = 0
        self.connected = 0
        self.failed = 0
        self.page_views = 0
        self.measuring = False
        self.stop = asyncio.Event()

    def origin(self, port: int) -> str:
        return f"http://127.0.0.1:{port}"

    async def associate(self, index: int, ready: asyncio.Event):
        import websockets

        port = self.ports[index % len(self.ports)]
        headers = {"Cookie": f"sessionid={self.cookies[index]}"} if self.cookies else {}
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws/live/associate/", origin=self.origin(port),
                                      additional_headers=headers, max_size=None, open_timeout=60,
                                      ping_interval=None) as ws:
            await ws.recv()  # the snapshot
            ready.set()
            while not self.stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), 1)
                except TimeoutError:
                    continue
                received = time.perf_counter()
                frame = json.loads(raw)
                if frame.get("type") not in ("visitor", "visitor_page"):
                    continue
                url = frame["visitor"].get("current_url")
                started = self.sent_at.get(url)
                if started is not None and self.measuring:
                    self.latencies.append(received - started)
                    self.timeline.append((received, received - started))
                    self.updates += 1

    async def visitor(self, index: int):
        import websockets

        port = self.ports[index % len(self.ports)]
        origin = self.origin(port)
        try:
            ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws/live/visitor/", origin=origin,
                                          open_timeout=180, ping_interval=None)
        except Exception:
            self.failed += 1
            return
        counted = False
        try:
            hello = {"type": "hello", "store": self.store_key, "visitor": f"bench-visitor-{index:08d}"}
            await ws.send(json.dumps(hello))
            await asyncio.wait_for(ws.recv(), 180)  # the welcome: hellos queue on the database thread while ramping
            self.connected += 1
            counted = True
            drain = asyncio.ensure_future(self._drain(ws))
            await asyncio.sleep(random.uniform(0, PAGE_EVERY))
            next_ping = time.monotonic() + random.uniform(0, PING_EVERY)
            seq = 0
            while not self.stop.is_set():
                seq += 1
                url = f"{origin}/shop/p/{index}/{seq}"
                self.sent_at[url] = time.perf_counter()
                await ws.send(json.dumps({"type": "page", "url": url, "title": f"Page {seq}",
                                          "at": int(time.time() * 1000)}))
                if self.measuring:
                    self.page_views += 1
                if time.monotonic() >= next_ping:
                    await ws.send(json.dumps({"type": "ping"}))
                    next_ping += PING_EVERY
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), PAGE_EVERY)
            drain.cancel()
        except Exception:
            if counted:
                self.connected -= 1
            self.failed += 1
        finally:
            await ws.close()

    async def _drain(self, ws):
        async for _ in ws:
            pass

    async def run(self) -> dict:
        ready = [asyncio.Event() for _ in range(ASSOCIATES)]
        watchers = [asyncio.ensure_future(self.associate(i, ready[i])) for i in range(ASSOCIATES)]
        await asyncio.wait_for(asyncio.gather(*(event.wait() for event in ready)), 60)
        tasks = []
        ramp_started = time.monotonic()
        for index in range(self.visitors):
            tasks.append(asyncio.ensure_future(self.visitor(index)))
            if (index + 1) % self.ramp == 0:
                await asyncio.sleep(1)
        # Let the last connections settle, then measure.
        settle = max(120.0, 3 * self.visitors / self.ramp)
        while self.connected + self.failed < self.visitors and time.monotonic() - ramp_started < settle:
            await asyncio.sleep(0.5)
        await asyncio.sleep(PAGE_EVERY)
        self.measuring = True
        started = time.monotonic()
        await asyncio.sleep(self.seconds)
        self.measuring = False
        elapsed = time.monotonic() - started
        held = self.connected
        self.stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*watchers, return_exceptions=True)
        latencies = sorted(self.latencies)

        def percentile(p):
            if not latencies:
                return None
            return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000, 1)

        expected = self.page_views * ASSOCIATES
        # p99 per 5-second slice of the window: tells a steady tail from a few stalls.
        slices: dict[int, list[float]] = {}
        if self.timeline:
            first = self.timeline[0][0]
            for at, latency in self.timeline:
                slices.setdefault(int((at - first) // 5), []).append(latency)
        slice_p99 = [round(sorted(v)[min(len(v) - 1, int(0.99 * len(v)))] * 1000) for _, v in sorted(slices.items())]
        return {
            "p99_ms_per_5s": slice_p99, "p90_ms": percentile(90),
            "visitors": self.visitors, "held": held, "failed": self.failed,
            "page_views_per_s": round(self.page_views / elapsed, 1),
            "updates_per_s": round(self.updates / elapsed, 1),
            "delivered": round(self.updates / expected, 3) if expected else None,
            "p50_ms": percentile(50), "p99_ms": percentile(99),
            "mean_ms": round(statistics.mean(latencies) * 1000, 1) if latencies else None,
        }


def raise_file_limit(visitors: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, visitors * 2 + 1000))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visitors", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--ramp", type=int, default=200, help="new visitors per second while ramping up")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""))
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--skip-floor", action="store_true")
    args = parser.parse_args()
    if args.processes > 1 and not args.redis_url:
        parser.error("several processes share their live events through Redis: give --redis-url")
    raise_file_limit(args.visitors)
    data_dir = Path(tempfile.mkdtemp(prefix="shopfloor-live-bench-"))
    env = {**os.environ, "SHOPFLOOR_DATA_DIR": str(data_dir), "ALLOWED_HOSTS": "127.0.0.1,localhost",
           "LOG_LEVEL": "WARNING", "SHOPFLOOR_FAST_PASSWORD_HASHING": "true",
           # One database thread serves every socket: keep its connection instead of reopening it per call.
           "DB_CONN_MAX_AGE": os.environ.get("DB_CONN_MAX_AGE", "600"),
           "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    env.pop("REDIS_URL", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    # The load average before and after: a shared machine's other work shows in every figure (compare ratios).
    results = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                           "load_average_at_start": [round(value, 2) for value in os.getloadavg()]},
               "settings": vars(args)}

    store_key, cookies = prepare_shopfloor(env)
    servers = [start_server("shopfloor.asgi:application", env, data_dir / f"uvicorn-{n}.log")
               for n in range(args.processes)]
    try:
        results["shopfloor"] = asyncio.run(
            Load([port for _, port in servers], store_key, cookies, args.visitors, args.seconds, args.ramp).run())
    finally:
        for process, _ in servers:
            stop(process)

    if not args.skip_floor:
        floor, port = start_server("bench.live_load:floor_app", env, data_dir / "uvicorn-floor.log")
        try:
            results["floor"] = asyncio.run(Load([port], "floor", [], args.visitors, args.seconds, args.ramp).run())
        finally:
            stop(floor)
        shop, base = results["shopfloor"], results["floor"]
        if base["updates_per_s"]:
            results["throughput_vs_floor"] = round(shop["updates_per_s"] / base["updates_per_s"], 3)

    print(f"{'':12} {'visitors':>8} {'held':>6} {'failed':>6} {'views/s':>8} {'updates/s':>10} "
          f"{'delivered':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for name in ("shopfloor", "floor"):
        row = results.get(name)
        if row:
            print(f"{name:12} {row['visitors']:>8} {row['held']:>6} {row['failed']:>6} {row['page_views_per_s']:>8} "
                  f"{row['updates_per_s']:>10} {row['delivered']!s:>9} {row['p50_ms']!s:>8} {row['p99_ms']!s:>8}")
    if "throughput_vs_floor" in results:
        print(f"associate updates per second, Shopfloor / floor: {results['throughput_vs_floor']}")
    results["machine"]["load_average_at_end"] = [round(value, 2) for value in os.getloadavg()]
    print(f"load average (1, 5, 15 min) at start {results['machine']['load_average_at_start']}, "
          f"at end {results['machine']['load_average_at_end']} on {os.cpu_count()} CPUs")
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "live_load.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
