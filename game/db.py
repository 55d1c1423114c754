"""SQLite access: a small per-process pool of connections, lent to one request or one WebSocket message at a time.

A WebSocket that held its own connection for its whole life pinned three file descriptors (the
database, its WAL and shared-memory files): 1,024 descriptors ran out near 340 players. A lease
lasts only while a request or message is handled, so a few connections serve thousands of sockets,
and each keeps its prepared-statement cache warm. Greenlets are cooperative and SQLite calls do not
yield, so a lease is rarely held while another greenlet runs; the pool grows past ``keep`` only then.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app, g
from sqlite_utils import Database
from sqlite_utils.db import Column, Table

from game.migrations import migrations

BUSY_TIMEOUT_MS = 5000
LOCK_POLL_S = 0.001  # how often a greenlet waiting for the write lock tries again


class _Table(Table):
    @property
    def columns(self) -> list[Column]:
        cache = self.db.schema_cache
        if ("columns", self.name) not in cache:
            cache["columns", self.name] = Table.columns.fget(self)  # type: ignore[attr-defined]
        return cache["columns", self.name]


class GameDatabase(Database):
    """sqlite-utils whose transactions take the write lock when they begin.

    A transaction that reads first (BEGIN DEFERRED) and then writes cannot wait for the lock: if another
    connection (Litestream keeping its position, an operator command) committed meanwhile, SQLite fails the
    write at once with "database is locked", busy timeout or not. BEGIN IMMEDIATE waits its turn instead.

    In the gevent worker the wait must not be SQLite's own: its busy handler sleeps in C, and the one event loop
    with it, every drill of every player. Litestream holds the write lock ~15-20 ms once a second at 2,000 players
    while it checkpoints (bench/load.py --litestream): the loop stalled that long each second, and at 4,000
    players answers and nexts reached p99 77 ms. There (``Pool``) connections have no busy timeout and ``wait``
    sleeps the greenlet instead: only the ones that write wait, as long as the lock is held.
    """

    wait: Callable[[float], object] | None = None  # a cooperative sleep: lock waits yield to the other greenlets
    lock_queue: Any = None  # a semaphore of that concurrency (gevent's), shared by a pool's connections

    def atomic(self) -> contextlib.AbstractContextManager[Database]:
        if self.conn.in_transaction:  # nested: sqlite-utils' savepoint
            return super().atomic()
        return _Immediate(self)

    def execute(self, sql: str, parameters: Sequence | dict[str, Any] | None = None) -> sqlite3.Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.OperationalError as error:
            return self.when_unlocked(error, lambda: super(GameDatabase, self).execute(sql, parameters))

    def when_unlocked(self, error: sqlite3.OperationalError, attempt: Callable[[], sqlite3.Cursor]) -> sqlite3.Cursor:
        """After ``error``, ``attempt`` the statement again until the write lock is free, waiting cooperatively;
        or raise: not a lock, no cooperative wait here, a transaction under way (it cannot start over), or
        BUSY_TIMEOUT_MS of waiting already. One greenlet at a time tries every LOCK_POLL_S; the others queue in
        order behind it (``lock_queue``), so the waits of many cost one poll."""
        if not self._may_wait(error):
            raise error
        assert self.wait is not None and self.lock_queue is not None
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        if not self.lock_queue.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
            raise error
        try:
            while True:
                try:
                    return attempt()  # the first in the queue has just failed: no matter, one attempt more
                except sqlite3.OperationalError as again:
                    if not self._may_wait(again) or time.monotonic() >= deadline:
                        raise
                self.wait(LOCK_POLL_S)
        finally:
            self.lock_queue.release()

    def _may_wait(self, error: sqlite3.OperationalError) -> bool:
        # A stale snapshot (SQLITE_BUSY_SNAPSHOT) never becomes writable by waiting: only a plain lock does.
        return (self.wait is not None and error.sqlite_errorcode == sqlite3.SQLITE_BUSY
                and not self.conn.in_transaction)


class _Immediate:
    """``GameDatabase.atomic()``'s outer transaction: a class, not a generator (every answer opens one, and a
    generator's context manager costs a few µs more)."""

    __slots__ = ("db",)

    def __init__(self, db: GameDatabase) -> None:
        self.db = db

    def __enter__(self) -> GameDatabase:
        conn = self.db.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            self.db.when_unlocked(error, lambda: conn.execute("BEGIN IMMEDIATE"))
        return self.db

    def __exit__(self, kind: type[BaseException] | None, *_exc: object) -> None:
        conn = self.db.conn
        if kind is None:
            conn.execute("COMMIT")
        elif conn.in_transaction:
            conn.execute("ROLLBACK")


class AppDatabase(GameDatabase):
    """sqlite-utils with its schema look-ups cached for the connection's life.

    Plain sqlite-utils asks sqlite_master for the view and table names on every ``db[name]`` and
    PRAGMA table_info on every insert or update: about 3 of the 11 statements an answer cost.
    The schema only changes in migrations, which run on their own connection before the pool opens any.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        super().__init__(conn)
        self.schema_cache: dict[tuple[str, str], Any] = {}

    def table_names(self, fts4: bool = False, fts5: bool = False) -> list[str]:
        if fts4 or fts5:
            return super().table_names(fts4=fts4, fts5=fts5)
        if ("tables", "") not in self.schema_cache:
            self.schema_cache["tables", ""] = super().table_names()
        return self.schema_cache["tables", ""]

    def view_names(self) -> list[str]:
        if ("views", "") not in self.schema_cache:
            self.schema_cache["views", ""] = super().view_names()
        return self.schema_cache["views", ""]

    def table(self, table_name: str, **kwargs: Any) -> Table:
        if table_name in self.view_names():
            return super().table(table_name, **kwargs)  # raises NoTable, as sqlite-utils does
        kwargs.setdefault("strict", self.strict)
        return _Table(self, table_name, **kwargs)


def connect(path: str | Path, *, cached_schema: bool = False) -> Database:
    """Open the database file with the pragmas every connection needs.

    :param path: the SQLite file; its folder is created if missing
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    db = AppDatabase(conn) if cached_schema else GameDatabase(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def migrate(path: str | Path) -> list[str]:
    """Switch the file to WAL and apply pending migrations; return the names applied."""
    db = connect(path)
    try:
        db.enable_wal()
        pending = [m.name for m in migrations.pending(db)]
        migrations.apply(db)
        return pending
    finally:
        db.close()


CHECKPOINT_INTERVAL_S = 1.0
# Frames in the WAL (4 KiB pages: 64 MiB) past which a checkpoint also restarts it (see _start_checkpoints)
RESTART_FRAMES = 16384
RESTART_BUSY_MS = 10  # how long a restart waits for readers to leave the WAL, writers waiting behind it
CACHE_KIB = 64 * 1024
MMAP_BYTES = 1 << 30


def _start_checkpoints(path: str | Path, restart_frames: int) -> bool:
    """Under gevent, run WAL checkpoints in a native thread every second; say whether they run.

    A checkpoint copies the WAL into the database and fsyncs both: tens to hundreds of ms on a busy
    disk. Run by SQLite's auto-checkpoint inside a commit, it would stall every drill of the one
    worker (SQLite calls do not yield). In a native thread the event loop keeps serving (sqlite3
    releases the GIL while it works). Litestream, when it runs, checkpoints too; PASSIVE ones coexist.

    A PASSIVE checkpoint never restarts the WAL: the next writer does, only if it finds every frame copied, and
    under steady play answers are committed while the checkpoint copies. So the WAL grew without end (6 MB a second
    at 2,000 players, bench/load.py), and every commit wrote past its end into new pages, which the kernel zeroed
    first (9.5% of the worker's perf samples; restarted, a message costs 3-4% less). Past ``restart_frames`` a RESTART
    checkpoint follows: it copies what came in during the PASSIVE one and holds writers until readers have left the
    WAL (at most RESTART_BUSY_MS, else it tries again next time), so the next commit writes from the WAL's start,
    over pages the kernel still holds.
    """
    try:
        import gevent
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent comes with gunicorn[gevent]
        return False
    if not monkey.is_module_patched("socket"):
        return False
    conn = sqlite3.connect(str(path), timeout=RESTART_BUSY_MS / 1000, check_same_thread=False,
                           isolation_level=None)

    def every_second() -> None:
        pool_of_threads = gevent.get_hub().threadpool
        while True:
            gevent.sleep(CHECKPOINT_INTERVAL_S)
            with contextlib.suppress(sqlite3.Error):  # busy or locked this time: the next round catches up
                pool_of_threads.apply(checkpoint, (conn, restart_frames))

    gevent.spawn(every_second)
    return True


def checkpoint(conn: sqlite3.Connection, restart_frames: int) -> None:
    """One round of the background checkpoints (``_start_checkpoints``), on a connection of its own whose busy timeout
    bounds how long a restart waits for readers."""
    _busy, frames, _copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    if frames >= restart_frames:
        conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()


class Pool:
    """Connections to one file, each lent to one borrower at a time (never shared mid-transaction)."""

    def __init__(self, path: str | Path, keep: int = 8, restart_frames: int = RESTART_FRAMES) -> None:
        self.path = path
        self.keep = keep
        self.restart_frames = restart_frames  # see _start_checkpoints
        self._idle: list[Database] = []
        self._background_checkpoints: bool | None = None  # decided in the serving process, after the fork
        self._lock_queue: Any = None  # the gevent worker's writers waiting for the lock (GameDatabase.when_unlocked)

    def borrow(self) -> Database:
        if self._idle:
            return self._idle.pop()
        if self._background_checkpoints is None:
            self._background_checkpoints = _start_checkpoints(self.path, self.restart_frames)
            if self._background_checkpoints:
                from gevent.lock import Semaphore

                self._lock_queue = Semaphore()
        db = connect(self.path, cached_schema=True)
        # A few long-lived connections serve everyone: give each a page cache that holds the hot tables,
        # and read through a memory map (no read() system call per page).
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        db.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        if self._background_checkpoints:  # the gevent worker
            from gevent import sleep

            db.execute("PRAGMA wal_autocheckpoint = 0")
            db.execute("PRAGMA busy_timeout = 0")  # lock waits yield to the loop instead (GameDatabase)
            db.wait, db.lock_queue = sleep, self._lock_queue
        return db

    def give_back(self, db: Database) -> None:
        if db.conn.in_transaction:  # a borrower that failed mid-way: never hand its half-transaction on
            db.conn.rollback()
        if len(self._idle) < self.keep:
            self._idle.append(db)
        else:
            db.close()

    @contextmanager
    def connection(self) -> Iterator[Database]:
        db = self.borrow()
        try:
            yield db
        finally:
            self.give_back(db)


def pool() -> Pool:
    return current_app.extensions["glimpse_db_pool"]


def get_db() -> Database:
    """The connection lent to this request until it ends. WebSocket handlers use ``pool().connection()``."""
    if "db" not in g:
        g.db = pool().borrow()
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        pool().give_back(db)


@click.command("migrate")
def migrate_command() -> None:
    """Create the database or bring it up to date."""
    applied = migrate(current_app.config["DATABASE"])
    # The app migrates when it is created (before this command runs), so "nothing applied" is the usual case.
    state = f"applied {', '.join(applied)}" if applied else "up to date"
    click.echo(f"Database {current_app.config['DATABASE']}: {state}.")


@click.command("init-db")
def init_db_command() -> None:
    """Same as migrate: creates the file and every table (safe to run twice)."""
    migrate_command.callback()


def init_app(app: Flask) -> None:
    app.extensions["glimpse_db_pool"] = Pool(app.config["DATABASE"], restart_frames=app.config["WAL_RESTART_FRAMES"])
    app.teardown_appcontext(close_db)
    app.cli.add_command(migrate_command)
    app.cli.add_command(init_db_command)
