"""The visitor sockets' page views and heartbeats, written in batches off the hot path.

A busy store sends a page view per visitor every few seconds; written one by one they would queue
on Channels' single database thread (each 5-10 ms) and hold every other socket's work behind them.
So a visitor socket checks the page view, sends the change to the workspaces at once (from the
frame, not re-read from the database: consumers.VisitorConsumer.on_page), and leaves the write
here: every FLUSH_SECONDS, or sooner when MAX_ROWS are waiting, one trip to the database thread
writes them all (visitors.record_page_views, one transaction) with the pings' heartbeats.

What can be lost: a socket that closes flushes first (VisitorConsumer.disconnect), and a server
that stops closes its sockets, so a graceful stop or restart loses nothing. A hard kill (SIGKILL,
a power cut) loses at most the last FLUSH_SECONDS of page views and heartbeats of that process.
That is accepted: the live list is repaired by the next page view and the presence window, and the
history misses a fraction of a second of browsing, which no report or attribution depends on
(attribution comes from chats, calls and orders, which are written at once).

One buffer per event loop (a server has one; the tests run several loops one after another).
"""

import asyncio
import contextlib
import logging

from channels.db import database_sync_to_async

from shopfloor.live import events, visitors

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 0.2
MAX_ROWS = 500


class PendingWrites:
    def __init__(self):
        self.reports: list[visitors.PageViewReport] = []
        self.heartbeats: set[int] = set()
        self.full = asyncio.Event()
        self.lock = asyncio.Lock()
        self.worker: asyncio.Task | None = None

    def add_page_view(self, report: visitors.PageViewReport) -> None:
        self.reports.append(report)
        if len(self.reports) >= MAX_ROWS:
            self.full.set()
        self._wake()

    def add_heartbeat(self, visitor_id: int) -> None:
        self.heartbeats.add(visitor_id)
        self._wake()

    def __len__(self) -> int:
        return len(self.reports) + len(self.heartbeats)

    def _wake(self) -> None:
        if self.worker is None or self.worker.done():
            self.worker = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while len(self):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.full.wait(), FLUSH_SECONDS)
            await self.flush()

    async def flush(self) -> None:
        """Write what is waiting now (and wait for a write in progress): after this, the database has every
        page view and heartbeat this loop's sockets reported before the call."""
        async with self.lock:
            reports, self.reports = self.reports, []
            heartbeats, self.heartbeats = self.heartbeats, set()
            self.full.clear()
            if not reports and not heartbeats:
                return
            try:
                pending = await database_sync_to_async(_write)(reports, heartbeats)
            except Exception:
                # A failed batch is dropped rather than retried forever: page views are the least valuable
                # writes here (see the module's note), and a retry loop would hold the sockets' writes behind it.
                logger.exception("Could not write %d page views and %d heartbeats", len(reports), len(heartbeats))
                return
            from channels.layers import get_channel_layer

            await events.deliver(get_channel_layer(), pending)


def _write(reports, heartbeats) -> list:
    def write():
        visitors.record_page_views(reports, already_live=True)
        # Visitors with a page view in the batch have their heartbeat from it already.
        visitors.record_heartbeats(heartbeats - {report.visitor_id for report in reports})

    _, pending = events.collecting(write)
    return pending


# This event loop's buffer.
pending_writes = events.per_event_loop(PendingWrites)


async def flush() -> None:
    """Write every waiting page view and heartbeat of this event loop now."""
    await pending_writes().flush()
