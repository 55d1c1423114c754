"""Same secrets, same answers: do two revisions send the same bytes and store the same rows?

bench/answer_path.py's players play whole drills in-process with every secret made a seeded generator (ids, the
drills' streams, replays' shuffles) and a clock that only moves when played; each mode prints a digest (SHA-256) of
every reply the sockets sent, of every stored trial row and of every stored procedure. With ``--against REV`` the
same players are played by the code of git revision REV (its tree extracted to a temporary folder) and the digests
compared: an exact speed-up of the drill path must leave them identical. (Voided flashes and resumes are not
played: tests/test_drill_replay.py and test_ws.py cover those.)

Run: ``.venv/bin/python bench/drill_identity.py --players 20 --drills 3 --against e01bf4d``
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import random
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODES = ("speed", "subtle", "challenge")


def deterministic(seed: int) -> None:
    """Every secret the drill path draws, from one seeded generator; time.time() moves a millisecond a call."""
    source = random.Random(seed)
    secrets.randbits = source.getrandbits
    secrets.token_urlsafe = lambda n=32: base64.urlsafe_b64encode(source.randbytes(n)).rstrip(b"=").decode()
    secrets.token_hex = lambda n=32: source.randbytes(n).hex()
    os.urandom = source.randbytes
    random.SystemRandom = lambda: random.Random(source.random())  # type: ignore[assignment, misc]
    now = [1_800_000_000.0]

    def clock() -> float:
        now[0] += 0.001
        return now[0]

    time.time = clock


def digests(players: int, drills: int, mode: str) -> str:
    """One line: the mode, and the digests of what its drills sent and stored, in this process's ``game``."""
    deterministic(12345)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import answer_path
    import msgspec

    from game import ws

    sent, count = hashlib.sha256(), [0]
    send = ws._send

    def captured(server, replies):
        sent.update(msgspec.json.encode(replies))
        count[0] += 1
        return send(server, replies)

    handle = ws._handle

    def in_mode(raw: str, handlers: dict) -> list[dict]:  # answer_path's players start speed drills
        return handle(raw.replace('{"type":"start",', f'{{"type":"start","mode":"{mode}",'), handlers)

    ws._send, ws._handle = captured, in_mode
    keep: list[Path] = []
    answer_path.play(players, drills, False, keep)
    db = sqlite3.connect(keep[0])
    rows, procedures = hashlib.sha256(), hashlib.sha256()
    columns = [row[1] for row in db.execute("PRAGMA table_info(trials)")]
    stored = db.execute(f"SELECT {', '.join(columns)} FROM trials ORDER BY rowid").fetchall()
    for row in stored:
        rows.update(repr(row).encode())
    for row in db.execute("SELECT * FROM staircases ORDER BY 1, 2, 3"):
        procedures.update(repr(row).encode())
    return (f"{mode}: {count[0]} sends {sent.hexdigest()[:16]}, {len(stored)} trial rows {rows.hexdigest()[:16]}, "
            f"procedures {procedures.hexdigest()[:16]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--players", type=int, default=20)
    parser.add_argument("--drills", type=int, default=3)
    parser.add_argument("--mode", choices=MODES, help=argparse.SUPPRESS)  # one mode in this process
    parser.add_argument("--against", metavar="REV", help="also play the code of this git revision and compare")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)  # the tree whose game/ runs
    args = parser.parse_args()
    if args.mode:
        sys.path.insert(0, str(args.root))
        print(digests(args.players, args.drills, args.mode))
        return

    def run(root: Path, mode: str) -> str:
        return subprocess.run([sys.executable, __file__, "--root", str(root), "--players", str(args.players),
                               "--drills", str(args.drills), "--mode", mode], check=True, capture_output=True,
                              text=True, env={**os.environ, "PYTHONHASHSEED": "0"}).stdout.splitlines()[-1]

    ours = {mode: run(ROOT, mode) for mode in MODES}
    for line in ours.values():
        print(f"this tree: {line}")
    if args.against:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from answer_path import extract

        with tempfile.TemporaryDirectory() as tmp:
            root = extract(args.against, Path(tmp))
            theirs = {mode: run(root, mode) for mode in MODES}
        for line in theirs.values():
            print(f"{args.against}: {line}")
        print(f"modes whose replies or rows differ from {args.against}'s: "
              f"{sum(ours[mode] != theirs[mode] for mode in MODES)}")


if __name__ == "__main__":
    main()
