"""The operators' commands and the database settings."""

import json
import os
import subprocess
import sys
import threading
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


def test_a_transaction_that_reads_first_waits_for_another_writer_instead_of_failing(tmp_path: Path) -> None:
    """An answer reads the player's evidence, then writes: a commit by another connection in between (Litestream
    keeping its position) made SQLite refuse the write at once ("database is locked") and the player got an error."""
    path = tmp_path / "glimpse.db"
    migrate(path)
    ours, theirs = connect(path), connect(path)
    ours.execute("CREATE TABLE answers (n INTEGER)")
    ours.conn.commit()
    failures: list[BaseException] = []

    def another_writer() -> None:
        try:
            with theirs.atomic():
                theirs.execute("INSERT INTO answers VALUES (2)")
        except BaseException as error:
            failures.append(error)

    with ours.atomic():
        ours.execute("SELECT COUNT(*) FROM answers").fetchone()
        writer = threading.Thread(target=another_writer)
        writer.start()
        writer.join(0.5)  # it commits now, or waits for our transaction to end
        ours.execute("INSERT INTO answers VALUES (1)")
    writer.join(10)
    assert failures == [] and sorted(n for (n,) in ours.execute("SELECT n FROM answers")) == [1, 2]


def test_drills_in_progress_before_the_answered_column_keep_their_count(tmp_path: Path) -> None:
    """m008 keeps each drill's scored answers on its row; drills played before it get theirs from their trials."""
    db = sqlite_utils.Database(tmp_path / "old.db")
    migrations.apply(db, stop_before="m008_drill_answered")
    db["players"].insert({"id": "p", "token_hash": "h", "created_at": 0.0})
    for drill in ("live", "offline"):
        db["drills"].insert({"id": drill, "player_id": "p", "mode": "speed", "started_at": 0.0,
                             "status": "active" if drill == "live" else "abandoned", "seed": 1,
                             "trial_count": 20, "kind": drill, "plan": "[]", "refresh_ms": 16.7, "focus": 0})
    for n, scored in enumerate((1, 1, 0, 1)):
        for drill in ("live", "offline"):
            db["trials"].insert({"id": f"{drill}{n}", "drill_id": drill, "player_id": "p", "emotion": "fear",
                                 "identity_seed": 1, "exposure_frames": 1, "sent_at": float(n), "scored": scored})
    migrations.apply(db)
    assert {row["id"]: row["answered"] for row in db["drills"].rows} == {"live": 3, "offline": 0}


def test_a_drill_in_progress_across_m013_resumes_at_its_count_and_is_counted_exactly_when_it_ends(
        tmp_path: Path) -> None:
    """m013 moves an open drill's count from its row to its trials: the count, streak and points a player had before
    the upgrade are what the drill shows and banks after it, with the answers played since."""
    from game import store

    db = sqlite_utils.Database(tmp_path / "old.db")
    migrations.apply(db, stop_before="m013_trials_count_their_drill")
    db["players"].insert({"id": "p", "token_hash": "h", "created_at": 0.0})
    db["drills"].insert({"id": "d", "player_id": "p", "mode": "speed", "started_at": 0.0, "status": "active",
                         "seed": 1, "trial_count": 20, "kind": "drill", "plan": "[]", "refresh_ms": 16.7, "focus": 0,
                         "answered": 3, "points": 30, "answer_streak": 1, "best_answer_streak": 1})
    trial = {"drill_id": "d", "player_id": "p", "emotion": "fear", "identity_seed": 1, "exposure_frames": 1}
    # right, voided, wrong, right, right: answered in that order (positions 1, 2, 2, 3, 4)
    for n, (position, scored, correct, points) in enumerate(((1, 1, 1, 10), (2, 0, 0, 0), (2, 1, 0, 0),
                                                             (3, 1, 1, 20), (4, 1, 1, 40))):
        if n < 4:  # the last is answered after the upgrade
            db["trials"].insert({**trial, "id": f"t{n}", "position": position, "sent_at": float(n),
                                 "answered_at": n + 0.5, "scored": scored, "correct": correct, "points": points})
    migrations.apply(db)
    assert store.progress(db, "d") == (3, 1)
    assert store.next_slot(db, "d") == (True, 3, 0)
    with db.conn:
        assert store.record_answer(db, {**trial, "id": "t4", "position": 4, "sent_at": 4.0},
                                   {"answered_at": 4.5, "scored": 1, "correct": 1, "points": 40, "seq": 4,
                                    "answer_streak": 2})
        assert not store.record_answer(db, {**trial, "id": "t5", "position": 4, "attempt": 1, "sent_at": 4.1},
                                       {"answered_at": 4.6, "scored": 1, "correct": 1, "points": 40, "seq": 4,
                                        "answer_streak": 2})  # another tab's answer at the same count
        assert store.complete_drill(db, "d")
    row = db["drills"].get("d")
    assert (row["answered"], row["points"], row["answer_streak"], row["best_answer_streak"]) == (4, 70, 2, 2)


def test_a_drill_in_progress_across_m015_keeps_the_evidence_its_answers_wrote_and_weighs_the_next(
        tmp_path: Path) -> None:
    """Before m015 every answer wrote fair play's row; after it, an open drill's answers are replayed from its
    trials. The answers a drill had before the upgrade are in the row once, and the next one is weighed on top."""
    from game import fairplay, plausibility
    from game.plausibility import State

    db = sqlite_utils.Database(tmp_path / "old.db")
    migrations.apply(db, stop_before="m015_fairplay_folded")
    db["players"].insert({"id": "p", "token_hash": "h", "created_at": 0.0})
    db["drills"].insert({"id": "d", "player_id": "p", "mode": "speed", "started_at": 0.0, "status": "active",
                         "seed": 1, "trial_count": 20, "kind": "drill", "plan": "[]", "refresh_ms": 16.7, "focus": 0})
    trial = {"drill_id": "d", "player_id": "p", "emotion": "fear", "identity_seed": 1, "exposure_frames": 2,
             "exposure_ms": 33.4, "intensity": 1.0, "scored": 1, "correct": 1, "reaction_ms": 800.0}
    state = State()
    for seq in (1, 2):  # stored, and weighed into the row, by the old code
        db["trials"].insert({**trial, "id": f"t{seq}", "position": seq, "seq": seq, "sent_at": float(seq),
                             "answered_at": seq + 0.5})
        plausibility.observe_answer(state, axis="exposure", stimulus=33.4, correct=True, reaction_ms=800.0)
        state = State.from_json(state.to_json())
    db["fairplay"].insert({"player_id": "p", "status": "ok", "score": plausibility.score(state),
                           "state": json.dumps(state.to_json()), "updated_at": 1.0})
    migrations.apply(db)
    assert fairplay.load(db, "p")[1] == state  # not weighed twice
    with db.conn:
        db["trials"].insert({**trial, "id": "t3", "position": 3, "seq": 3, "sent_at": 3.0, "answered_at": 3.5})
        fairplay.answered(db, "p", "d", 3, axis="exposure", stimulus=33.4, correct=True, reaction_ms=800.0,
                          own_p=None)
    plausibility.observe_answer(state, axis="exposure", stimulus=33.4, correct=True, reaction_ms=800.0)
    assert fairplay.load(db, "p")[1].trials == state.trials == 3
    assert fairplay.load(db, "p")[1].accuracy == {name: round(value, 4) for name, value in state.accuracy.items()}
