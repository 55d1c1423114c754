"""WAL pages an answer's staircase write costs under three layouts, by the size of a player's states.

An answer rewrites two procedures' states: the overall one and the answered emotion's. Layouts: today's rowid table
(one row per player, axis and emotion), the same table WITHOUT ROWID (a player's rows side by side, but rows over
~1,000 bytes spill to overflow pages), and one row per player and axis holding all eight states. States are random
text of the sizes a player's states reach after N drills (a simulated player; see docs/scaling-log.md). 200 players,
rows created interleaved as players first play, then 2,000 answers, each its own transaction; pages are the WAL
frames the answers' commits wrote (``PRAGMA wal_checkpoint`` counts them).

Run: ``.venv/bin/python bench/staircase_pages.py``
"""

from __future__ import annotations

import os
import random
import sqlite3
import tempfile
from pathlib import Path

# (drills played, the overall state's bytes, an emotion's mean state bytes): a simulated regular at d3fe1bf
SIZES = ((3, 476, 313), (10, 1128, 900), (20, 1988, 1724), (40, 3738, 3348))
EMOTIONS = ("all", *(f"emotion{i}" for i in range(7)))
LAYOUTS = ("rowid", "without rowid", "one row a player")


def text(size: int) -> str:
    return os.urandom(size // 2).hex()


def pages_per_answer(layout: str, overall: int, emotion: int, players: int = 200, answers: int = 2000) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(Path(tmp) / "pages.db", isolation_level=None)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA wal_autocheckpoint = 0")
        rng = random.Random(1)
        ids = [os.urandom(16).hex() for _ in range(players)]
        db.execute("BEGIN")
        if layout == "one row a player":
            db.execute("CREATE TABLE s (player_id TEXT, axis TEXT, states TEXT, PRIMARY KEY (player_id, axis))")
            for player in ids:
                db.execute("INSERT INTO s VALUES (?, 'exposure', ?)", [player, text(overall + 7 * emotion)])
        else:
            db.execute("CREATE TABLE s (player_id TEXT, axis TEXT, emotion TEXT, state TEXT, trials INTEGER, "
                       "updated_at REAL, PRIMARY KEY (player_id, axis, emotion))"
                       + (" WITHOUT ROWID" if layout == "without rowid" else ""))
            created = [(player, name) for name in EMOTIONS for player in ids]
            rng.shuffle(created)
            for player, name in created:
                db.execute("INSERT INTO s VALUES (?, 'exposure', ?, ?, 1, 0)",
                           [player, name, text(overall if name == "all" else emotion)])
        db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for index in range(answers):
            player, name = rng.choice(ids), rng.choice(EMOTIONS[1:])
            grown = 2 * (index % 3)  # a state's text changes length as its tallies do (an overwrite of the same
            # length rewrites overflow pages in place; one of another length frees and allocates them)
            db.execute("BEGIN IMMEDIATE")
            if layout == "one row a player":
                db.execute("UPDATE s SET states = ? WHERE player_id = ? AND axis = 'exposure'",
                           [text(overall + 7 * emotion + grown), player])
            else:
                for which, size in (("all", overall), (name, emotion)):
                    db.execute("UPDATE s SET state = ?, updated_at = ? WHERE player_id = ? AND axis = 'exposure' "
                               "AND emotion = ?", [text(size + grown), index, player, which])
            db.execute("COMMIT")
        frames = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
        db.close()
    return frames / answers


def main() -> None:
    print("WAL pages per answer for the two staircase states, by layout:")
    for drills, overall, emotion in SIZES:
        cells = ", ".join(f"{layout} {pages_per_answer(layout, overall, emotion):.2f}" for layout in LAYOUTS)
        print(f"  after {drills:2d} drills (overall {overall} B, an emotion {emotion} B): {cells}")


if __name__ == "__main__":
    main()
