"""A long settlement on two cores: a helper process reads and evaluates the next batch while this one writes.

A batch's time in `settle_orders` splits about evenly between reading and evaluating its orders
(Python) and writing its rows (SQLite), and one process keeps one core busy. On SQLite, a long
settlement therefore starts a helper process (spawned: a fresh interpreter that inherits no thread,
lock or connection of a server) that reads and evaluates batch k+1 while this process writes batch
k. The database takes one writer at a time, and this process stays the only one writing; the
helper only reads.

What the helper read is written only if nobody else wrote to the database in between. SQLite's
`PRAGMA data_version` changes when another connection commits, never for the connection's own
commits. This process reads it before it tells the helper to read a batch, and again inside the
transaction that will write that batch, which begins IMMEDIATE (nobody else can commit during it).
The same value means the helper saw what this transaction sees, apart from this process's own
earlier batches, which touch no order of a later one. Another value (an order, a refund, a rule or an
associate written meanwhile, by anyone) and the batch is read and evaluated again inside the
transaction, as a settlement without a helper does. If the helper fails or goes away, the
settlement goes on without it. On PostgreSQL, settlements keep to one process.

The two halves are not equal: evaluating a batch costs more than writing it, so a helper that
evaluated whole batches kept this process waiting (at 1,000,000 orders, about a fifth of its time).
The helper therefore evaluates the head of each batch and leaves its tail, `share` orders, to this
process, which evaluates it inside the batch's transaction while the helper works on the next one.
The share follows the waits: it grows while this process waits for the helper, and shrinks while
the helper's batches wait for this process.
"""

import contextlib
import functools
import logging
import multiprocessing
import time
import traceback
from typing import NamedTuple

from django.db import connection

logger = logging.getLogger(__name__)

# Seconds the helper is given to finish when told to stop, before it is terminated.
STOP_TIMEOUT = 10
# The tail this process evaluates moves by this fraction of a batch at a time, up to half a batch.
SHARE_STEP = 1 / 50
MAX_SHARE = 1 / 2


class Batch(NamedTuple):
    """One batch from the helper: the head's rows, evaluated there, and the tail's pks, left to this process."""

    head: object  # services.BatchRows
    tail: list

    @property
    def ids(self) -> list:
        return self.head.ids + self.tail


class Helper:
    """A settlement's helper process, seen from the process that writes."""

    @classmethod
    def start(cls, batch_size: int) -> "Helper | None":
        """A helper being started, or None where it cannot help (not a SQLite file, not IMMEDIATE)."""
        if (connection.vendor != "sqlite" or connection.is_in_memory_db()
                or getattr(connection, "transaction_mode", None) != "IMMEDIATE"):
            return None
        return cls(connection.settings_dict["NAME"], batch_size)

    def __init__(self, database: str, batch_size: int):
        context = multiprocessing.get_context("spawn")
        self.pipe, theirs = context.Pipe()
        self.process = context.Process(target=work, args=(theirs, database, batch_size), daemon=True,
                                       name="settlement-helper")
        self.process.start()
        theirs.close()
        self.started = self.failed = False
        # PRAGMA data_version when the helper was last asked for a batch.
        self.seen = None
        # How many orders of each batch this process evaluates, and by how many that changes.
        self.share, self.step, self.max_share = 0, max(1, round(batch_size * SHARE_STEP)), int(batch_size * MAX_SHARE)

    def ready(self) -> bool:
        """Whether the helper has started (it says so once Django is set up), without waiting."""
        if not self.started and not self.failed and self.pipe.poll():
            try:
                self.started = self.pipe.recv() == "ready"
            except (EOFError, OSError):
                self.failed = True
                logger.warning("The settlement's helper process did not start; going on without it.")
        return self.started

    def settle(self, after: int) -> tuple[int, int]:
        """Settle the orders above pk `after` with the helper: (orders accrued, last pk settled).

        Stops when nothing is left, or early, without raising, when the helper fails.
        """
        from shopfloor.commissions.services import settle_batch

        settled, last = 0, after
        self.seen = _data_version()
        try:
            self.ask(after)
            while (batch := self.receive()) is not None:
                settled += settle_batch(batch.ids, functools.partial(self.rows, batch))
                last = batch.ids[-1]
        except HelperFailed as failure:
            logger.warning("The settlement's helper process failed; going on without it.\n%s", failure)
        return settled, last

    def rows(self, batch: Batch):
        """The rows to write for `batch`, inside its transaction: the helper's head and the tail
        evaluated here, or the whole batch evaluated here if another connection committed since
        the helper was asked for it. Asks for the next batch first."""
        from shopfloor.commissions.services import BatchRows, batch_rows, current_settlement

        now = _data_version()
        # The helper reads the next batch while this one is written.
        self.ask(batch.ids[-1])
        changed, self.seen = now != self.seen, now
        if changed:
            return batch_rows(batch.ids, current_settlement())
        if not batch.tail:
            return batch.head
        tail = batch_rows(batch.tail, current_settlement())
        return BatchRows(*(head + tail for head, tail in zip(batch.head, tail, strict=True)))

    def ask(self, after: int) -> None:
        """Have the helper read the next batch above pk `after` and evaluate all but its tail."""
        try:
            self.pipe.send((after, self.share))
        except OSError as exc:
            raise HelperFailed("The helper process went away.") from exc

    def receive(self) -> Batch | None:
        """The helper's next batch, or None when no order is left."""
        self.balance(waited=not self.pipe.poll())
        try:
            message = self.pipe.recv()
        except (EOFError, OSError) as exc:
            raise HelperFailed("The helper process went away.") from exc
        if isinstance(message, str):
            raise HelperFailed(message)
        return message and Batch(*message)

    def balance(self, waited: bool) -> None:
        """Move work to this process while it waits for the helper, back while the helper's batches wait."""
        self.share = min(self.max_share, self.share + self.step) if waited else max(0, self.share - self.step)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.pipe.send(None)
        deadline = time.monotonic() + STOP_TIMEOUT
        # A batch the helper is still sending (the settlement stopped on an error) is read and dropped,
        # so that the helper gets to the None.
        while self.process.is_alive() and time.monotonic() < deadline:
            try:
                if self.pipe.poll(0.05):
                    self.pipe.recv()
            except (EOFError, OSError):
                break
        self.process.join(max(0.0, deadline - time.monotonic()))
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()
        self.pipe.close()


class HelperFailed(Exception):
    pass


def work(pipe, database: str, batch_size: int) -> None:
    """The helper: for each (pk, share) it is sent, the next batch above the pk, its head read and
    evaluated and its tail of `share` pks left to the writing process (None: stop)."""
    import django

    django.setup()
    from django.db import connection as helper_connection

    from shopfloor.commissions.services import batch_rows, current_settlement, next_unaccrued

    helper_connection.settings_dict["NAME"] = database
    pipe.send("ready")
    try:
        while (asked := pipe.recv()) is not None:
            after, share = asked
            ids = next_unaccrued(after, batch_size)
            # The tail is this process's to evaluate, but never the whole batch.
            head = ids[:max(1, len(ids) - share)]
            pipe.send((batch_rows(head, current_settlement()), ids[len(head):]) if ids else None)
    except EOFError:
        pass  # the writing process went away
    except Exception:
        pipe.send(traceback.format_exc())
    finally:
        helper_connection.close()


def _data_version() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA data_version")
        return cursor.fetchone()[0]
