"""SQLite access: one sqlite-utils Database per request or WebSocket handler."""

from __future__ import annotations

import sqlite3
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
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=True)
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


def get_db() -> Database:
    """The connection for this request (or WebSocket handler), opened on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


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
    app.teardown_appcontext(close_db)
    app.cli.add_command(migrate_command)
    app.cli.add_command(init_db_command)
