"""The operators' commands and the database settings."""

import os
import subprocess
import sys
from pathlib import Path

import sqlite_utils

from game.db import connect, migrate
from game.migrations import migrations


def test_flask_migrate_creates_every_table_and_is_safe_to_repeat(tmp_path: Path) -> None:
    database = tmp_path / "ops" / "glimpse.db"
    env = {**os.environ, "GLIMPSE_DATABASE": str(database)}
    command = [sys.executable, "-m", "flask", "--app", "game", "init-db"]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=True)
    second = subprocess.run([*command[:-1], "migrate"], env=env, capture_output=True, text=True, timeout=60,
                            check=True)
    # A fresh file is migrated when the app is created, so the command reports the state, not "applied 0 []".
    assert f"Database {database}: up to date." in first.stdout
    assert second.stdout.strip() == f"Database {database}: up to date."
    db = sqlite_utils.Database(database)
    assert {"players", "drills", "trials", "staircases", "friendships", "board_entries"} <= set(db.table_names())
    assert [m.name for m in migrations.pending(db)] == []


def test_connections_use_wal_and_wait_for_locks(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    migrate(path)
    db = connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
