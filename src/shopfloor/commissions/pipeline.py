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
"""

import contextlib
import functools
import logging
import multiprocessing
import time
import traceback

from django.db import connection

logger = logging.getLogger(__name__)

# Seconds the helper is given to finish when told to stop, before it is terminated.
STOP_TIMEOUT = 10


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

    def rows(self, batch):
        """The rows to write for `batch`, inside its transaction: the helper's, unless another
        connection committed since the helper was asked for it. Asks for the next batch."""
        from shopfloor.commissions.services import batch_rows, current_settlement

        now = _data_version()
        # The helper reads the next batch while this one is written.
        self.ask(batch.ids[-1])
        if now != self.seen:
            batch = batch_rows(batch.ids, current_settlement())
        self.seen = now
        return batch

    def ask(self, after: int) -> None:
        """Have the helper read and evaluate the next batch above pk `after`."""
        try:
            self.pipe.send(after)
        except OSError as exc:
            raise HelperFailed("The helper process went away.") from exc

    def receive(self):
        """The helper's next batch (`BatchRows`), or None when no order is left."""
        try:
            message = self.pipe.recv()
        except (EOFError, OSError) as exc:
            raise HelperFailed("The helper process went away.") from exc
        if isinstance(message, str):
            raise HelperFailed(message)
        return message

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
    """The helper: for each pk it is sent, the next batch above it, read and evaluated (None: stop)."""
    import django

    django.setup()
    from django.db import connection as helper_connection

    from shopfloor.commissions.services import batch_rows, current_settlement, next_unaccrued

    helper_connection.settings_dict["NAME"] = database
    pipe.send("ready")
    try:
        while (after := pipe.recv()) is not None:
            ids = next_unaccrued(after, batch_size)
            pipe.send(batch_rows(ids, current_settlement()) if ids else None)
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
