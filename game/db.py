"""SQLite access: a small per-process pool of connections, lent to one request or one WebSocket message at a time.

A WebSocket that held its own connection for its whole life pinned three file descriptors (the
database, its WAL and shared-memory files): 1,024 descriptors ran out near 340 players. A lease
lasts only while a request or message is handled, so a few connections serve thousands of sockets,
and each keeps its prepared-statement cache warm. Greenlets are cooperative and SQLite calls do not
yield, so a lease is rarely held while another greenlet runs; the pool grows past ``keep`` only then.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask, current_app, g
from sqlite_utils import Database

from game.migrations import migrations

BUSY_TIMEOUT_MS = 5000


def connect(path: str | Path) -> Database:
    """Open the database file with the pragmas every connection needs.

    :param path: the SQLite file; its folder is created if missing
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    db = Database(conn)
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


class Pool:
    """Connections to one file, each lent to one borrower at a time (never shared mid-transaction)."""

    def __init__(self, path: str | Path, keep: int = 8) -> None:
        self.path = path
        self.keep = keep
        self._idle: list[Database] = []

    def borrow(self) -> Database:
        return self._idle.pop() if self._idle else connect(self.path)

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
    click.echo(f"{current_app.config['DATABASE']}: applied {len(applied)} migration(s) {applied}")


@click.command("init-db")
def init_db_command() -> None:
    """Same as migrate: creates the file and every table (safe to run twice)."""
    migrate_command.callback()


def init_app(app: Flask) -> None:
    app.extensions["glimpse_db_pool"] = Pool(app.config["DATABASE"])
    app.teardown_appcontext(close_db)
    app.cli.add_command(migrate_command)
    app.cli.add_command(init_db_command)
