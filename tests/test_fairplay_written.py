"""Fair-play evidence kept by the socket between answers: the same rows and decisions as reading it back each time."""

from __future__ import annotations

import random

import sqlite_utils

from game import fairplay, players
from game.migrations import migrations

COLUMNS = "status, score, state, reasons, held_at IS NULL, reviewed_at IS NULL, board_hidden"  # times differ


def database() -> sqlite_utils.Database:
    db = sqlite_utils.Database(memory=True)
    migrations.apply(db)
    return db


def row(db: sqlite_utils.Database, player_id: str) -> tuple:
    return db.execute(f"SELECT {COLUMNS} FROM fairplay JOIN players ON players.id = player_id "
                      "WHERE player_id = ?", [player_id]).fetchone()


def answers(seed: int, count: int, reader_from: int) -> list[dict]:
    """Honest-looking answers, then a pose reader's (always right, quick and regular): it ends held."""
    rng = random.Random(seed)
    made = []
    for index in range(count):
        reader = index >= reader_from
        stimulus = rng.choice([16.7, 33.3, 50.0, 100.0, 200.0])
        made.append({"axis": "exposure", "stimulus": stimulus,
                     "correct": True if reader else rng.random() < min(0.95, stimulus / 120),
                     "reaction_ms": 400.0 + rng.random() if reader else rng.uniform(500, 2500),
                     "own_p": 0.6 if index >= 30 else None, "own_trials": 80 if index >= 30 else 0})
    return made


def test_answers_weighed_from_what_the_socket_wrote_store_what_reading_the_row_back_stores() -> None:
    """Row by row, the evidence a socket carries over gives the stored state, score, hold and board visibility
    that reading and decoding the row before every answer gives, up to and past a hold."""
    db = database()
    kept, read = players.create_player(db)[0]["id"], players.create_player(db)[0]["id"]
    written, statuses = None, []
    for answer in answers(1, 160, reader_from=70):
        written = fairplay.answered(db, kept, written=written, **answer)
        fairplay.answered(db, read, **answer)
        assert row(db, kept) == row(db, read)
        assert written.status == row(db, kept)[0]
        statuses.append(written.status)
    assert statuses[0] == "ok" and statuses[-1] == "held"  # the hold happened on the way, identically


def test_a_row_written_elsewhere_meanwhile_is_read_again() -> None:
    """Another tab's answer, a drill's end and an operator's clear all write the row: the socket's copy is stale,
    and its next answer must start from what they wrote, as if it had read the row."""
    db = database()
    kept, read = players.create_player(db)[0]["id"], players.create_player(db)[0]["id"]
    written = None
    for index, answer in enumerate(answers(2, 120, reader_from=40)):
        if index == 10:  # another tab of the same player answers
            for player_id in (kept, read):
                fairplay.answered(db, player_id, **answer)
        if index == 20:  # the drill ends (pace evidence)
            for player_id in (kept, read):
                fairplay.drill_completed(db, player_id, 1_800_000_000.0, 300)
        if index == 90:  # held by now; an operator clears both: the evidence starts afresh
            assert row(db, kept)[0] == "held"
            for player_id in (kept, read):
                fairplay.decide(db, player_id, "cleared")
        written = fairplay.answered(db, kept, written=written, **answer)
        fairplay.answered(db, read, **answer)
        assert row(db, kept) == row(db, read)
    assert fairplay.load(db, kept)[1].trials == fairplay.load(db, read)[1].trials == 30  # counted from the clear


def test_a_drills_end_written_from_what_the_socket_holds_stores_what_reading_the_row_back_stores() -> None:
    """A drill's end (pace evidence) starts from the socket's copy and hands it the new one: the same rows, holds and
    board visibility, drill after drill, as reading the row back at every drill's end and answer."""
    db = database()
    kept, read = players.create_player(db)[0]["id"], players.create_player(db)[0]["id"]
    written, statuses = None, []
    for index, answer in enumerate(answers(3, 200, reader_from=100)):
        written = fairplay.answered(db, kept, written=written, **answer)
        fairplay.answered(db, read, **answer)
        if index % 20 == 19:  # a drill every 20 answers, fast enough that pace counts
            at, points = 1_800_000_000.0 + index * 3, 900 + index
            written = fairplay.drill_completed(db, kept, at, points, written)
            fairplay.drill_completed(db, read, at, points)
            assert written.status == row(db, kept)[0]
        assert row(db, kept) == row(db, read)
        statuses.append(written.status)
    assert statuses[0] == "ok" and statuses[-1] == "held"
