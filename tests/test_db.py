"""The operators' commands and the database settings."""

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlite_utils

import game.db
from game.db import RESTART_BUSY_MS, checkpoint, connect, migrate
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


COMMITS = 4000  # a row of 3,000 bytes and its b-tree's pages each: ~50 MB of WAL if nothing restarts it


def largest_wal_under_steady_commits(path: Path, restart_frames: int) -> int:
    """The WAL's largest size while one thread makes COMMITS commits steadily (as thousands of players do) and
    the worker's checkpoint round runs every 200 ms on its own connection (as game.db runs it in a native thread)."""
    migrate(path)
    writer = connect(path)
    writer.execute("PRAGMA wal_autocheckpoint = 0")  # as the worker's pool: its checkpoints run beside it
    writer.execute("CREATE TABLE answers (body BLOB)")
    checkpointer = sqlite3.connect(str(path), timeout=RESTART_BUSY_MS / 1000, isolation_level=None,
                                   check_same_thread=False)
    committed, largest = [0], 0

    def commit_steadily() -> None:
        while committed[0] < COMMITS:
            with writer.atomic():
                writer.execute("INSERT INTO answers VALUES (randomblob(3000))")
            committed[0] += 1
            time.sleep(0.0003)  # the next player's answer: a few thousand a second, not one unbroken transaction

    thread = threading.Thread(target=commit_steadily, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    try:
        while thread.is_alive():
            assert time.monotonic() < deadline, f"only {committed[0]} commits in 120 s"
            time.sleep(0.2)
            checkpoint(checkpointer, restart_frames)
            largest = max(largest, Path(f"{path}-wal").stat().st_size)
    finally:
        committed[0] = COMMITS
        thread.join()
        checkpointer.close()
        writer.close()
    return largest


def test_the_wal_is_restarted_while_answers_are_committed_without_a_pause(tmp_path: Path) -> None:
    """A PASSIVE checkpoint never restarts the WAL: the next writer does, only if it finds every frame copied, and
    commits kept coming while it copied. Under steady play the WAL grew without end (445 MB after 70 s at 2,000
    players: a full disk in hours), every commit writing into new pages. Past its line the round restarts it."""
    grown = largest_wal_under_steady_commits(tmp_path / "passive.db", restart_frames=2**31)
    kept = largest_wal_under_steady_commits(tmp_path / "restarted.db", restart_frames=256)  # 1 MiB
    assert grown > 8 * 1024 * 1024, f"passive checkpoints alone: the WAL grew to {grown:,} bytes only"
    assert kept < grown / 4, f"restarted, the WAL still reached {kept:,} bytes (passive only: {grown:,})"


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
        assert store.complete_drill(db, "d", 5.0)
    row = db["drills"].get("d")
    assert (row["answered"], row["points"], row["answer_streak"], row["best_answer_streak"]) == (4, 70, 2, 2)


def test_trials_across_m014_keep_every_row_and_are_still_found_by_id_and_counted_once_per_place(
        tmp_path: Path) -> None:
    """m014 rebuilds trials without their index by id: every row (open and closed drills, replays, unscored and
    offline trials) is kept as it was and in its order, an open drill resumes and banks from where it stood, a
    trial is still found by its id, and a drill's place in its count and an offline result are still stored once."""
    from game import store

    db = sqlite_utils.Database(tmp_path / "old.db")
    migrations.apply(db, stop_before="m014_trials_without_id_index")
    db["players"].insert_all([{"id": p, "token_hash": p, "created_at": 0.0} for p in ("p", "q")])
    drill = {"player_id": "p", "mode": "speed", "seed": 1, "trial_count": 20, "kind": "drill", "plan": "[]",
             "refresh_ms": 16.7, "focus": 0}
    for row in ({**drill, "id": "open", "started_at": 2.0, "status": "active"},
                {**drill, "id": "done", "started_at": 1.0, "status": "completed", "answered": 2, "points": 20,
                 "answer_streak": 2, "best_answer_streak": 2},
                {**drill, "id": "offline-1", "started_at": 0.0, "status": "abandoned", "kind": "offline"}):
        db["drills"].insert(row)
    trial = {"player_id": "p", "emotion": "fear", "identity_seed": 1, "exposure_frames": 1, "pose": "{}"}
    # (id, drill, position, attempt, scored, flag, seq, streak, answered): a replayed voided flash, a too-early
    # answer, a trial closed unanswered, answers counted in order, an offline result
    rows = [("d1", "done", 1, 0, 1, None, 1, 1, 1.5), ("d2", "done", 2, 0, 0, "frames", None, None, 2.5),
            ("d3", "done", 2, 1, 1, None, 2, 2, 3.5), ("o1", "open", 1, 0, 1, None, 1, 1, 4.5),
            ("o2", "open", 2, 0, 0, "too_early", None, None, 5.5), ("o3", "open", 2, 1, 0, "disconnected", None,
                                                                        None, None),
            ("o4", "open", 2, 2, 1, None, 2, 0, 6.5)]
    db["trials"].insert_all([{**trial, "id": id_, "drill_id": drill_id, "position": position, "attempt": attempt,
                              "scored": scored, "flag": flag, "seq": seq, "answer_streak": streak, "sent_at": n,
                              "answered_at": answered, "answer": "fear" if answered else None,
                              "correct": int(scored == 1), "points": 10 * scored}
                             for n, (id_, drill_id, position, attempt, scored, flag, seq, streak, answered)
                             in enumerate(rows)])
    db["trials"].insert({**trial, "id": "offline-x", "drill_id": "offline-1", "position": 1, "attempt": 0,
                         "scored": 1, "sent_at": 9.0, "answered_at": 9.5, "source": "offline", "client_id": "c1"})
    columns = ", ".join(f'"{column.name}"' for column in db["trials"].columns)  # later migrations add columns
    before = [tuple(row) for row in db.execute(f"SELECT {columns} FROM trials ORDER BY rowid").fetchall()]
    migrations.apply(db)

    assert [tuple(row) for row in db.execute(f"SELECT {columns} FROM trials ORDER BY rowid").fetchall()] == before
    assert {index.name for index in db["trials"].indexes} >= {"idx_trials_client_id", "idx_trials_drill_id_seq"}
    assert not any(index.columns == ["id"] for index in db["trials"].indexes)
    assert store.progress(db, "open") == (2, 0)
    assert store.next_slot(db, "open") == (True, 2, 0)
    assert store.why_not_open(db, "d3", "p")[0] == "already_answered"
    assert store.why_not_open(db, "o3", "p")[0] == "trial_expired"  # closed, in a drill still open
    assert store.why_not_open(db, "o1", "q")[0] == "unknown_trial"  # another player's
    assert store.why_not_open(db, "nope", "p")[0] == "unknown_trial"
    with db.conn:
        answer = {"answered_at": 7.5, "scored": 1, "correct": 1, "points": 10, "seq": 3, "answer_streak": 1}
        assert store.record_answer(db, {**trial, "drill_id": "open", "id": "o5", "position": 3, "sent_at": 7.0},
                                   answer)
        assert not store.record_answer(db, {**trial, "drill_id": "open", "id": "o6", "position": 3, "attempt": 1,
                                            "sent_at": 7.1}, answer)  # another tab's answer at the same count
        store.close_trial(db, {**trial, "drill_id": "open", "id": "o5", "position": 3, "sent_at": 7.0}, "expired")
        assert store.complete_drill(db, "open", 8.0)
    assert store.why_not_open(db, "o3", "p")[0] == "drill_closed"
    assert db.execute("SELECT COUNT(*), SUM(scored) FROM trials WHERE drill_id = 'open'").fetchone() == (5, 3)
    row = db["drills"].get("open")
    assert (row["answered"], row["points"], row["answer_streak"], row["best_answer_streak"]) == (3, 30, 1, 1)
    # an offline result already synced is not stored again (game.pwa's INSERT)
    assert db.execute("INSERT INTO trials (id, drill_id, player_id, emotion, identity_seed, exposure_frames, sent_at, "
                      "client_id) VALUES ('offline-y', 'offline-1', 'p', 'fear', 1, 1, 9.0, 'c1') "
                      "ON CONFLICT DO NOTHING").rowcount == 0


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


def test_a_connection_with_a_cooperative_wait_tries_again_until_the_write_lock_is_free(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker's connections wait for the write lock by sleeping their greenlet (``wait``), not in SQLite's busy
    handler, which would stop every drill with it: a write made while another connection (Litestream checkpointing)
    holds the lock lands once it is released; past the busy timeout it fails as before; a transaction that read an
    older snapshot cannot start over and fails at once, as before."""
    path = tmp_path / "g.db"
    migrate(path)
    ours, holder = connect(path), connect(path)
    ours.execute("PRAGMA busy_timeout = 0")
    naps: list[float] = []
    ours.wait = lambda seconds: (naps.append(seconds), time.sleep(seconds))  # the worker's: gevent's sleep
    ours.lock_queue = threading.Semaphore()  # and its semaphore
    ours.execute("CREATE TABLE answers (n INTEGER)")

    def held_for(seconds: float) -> tuple[threading.Event, threading.Timer]:
        """Holds the write lock for ``seconds``; the event is set just before the lock is let go (after would race
        with our write, which may land before the releasing thread returns)."""
        holder.execute("BEGIN IMMEDIATE")
        releasing = threading.Event()
        release = threading.Timer(seconds, lambda: (releasing.set(), holder.execute("ROLLBACK")))
        release.start()
        return releasing, release

    releasing, _ = held_for(0.3)
    ours.execute("INSERT INTO answers VALUES (1)")  # a write outside a transaction
    assert releasing.is_set() and len(naps) >= 10, "it waited for the release"
    releasing, _ = held_for(0.3)
    with ours.atomic():  # a transaction: its BEGIN IMMEDIATE waits
        ours.execute("INSERT INTO answers VALUES (2)")
    assert releasing.is_set()
    assert sorted(n for (n,) in ours.execute("SELECT n FROM answers")) == [1, 2]

    monkeypatch.setattr(game.db, "BUSY_TIMEOUT_MS", 200)
    releasing, release = held_for(2.0)
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="locked"), ours.atomic():
        pass
    assert 0.2 <= time.monotonic() - started < 1.5
    assert not releasing.is_set()
    release.join()

    naps.clear()
    ours.execute("BEGIN")  # read first (deferred), then another connection commits, then write: the snapshot is stale
    ours.execute("SELECT COUNT(*) FROM answers").fetchone()
    with holder.atomic():
        holder.execute("INSERT INTO answers VALUES (3)")
    with pytest.raises(sqlite3.OperationalError):
        ours.execute("INSERT INTO answers VALUES (4)")
    assert naps == [], "a stale snapshot is not waited for"
    ours.conn.rollback()
