"""Persistence of drills, trials and adaptive state. Each function is one short unit of work."""

from __future__ import annotations

import json
import secrets
import time
from array import array
from contextlib import nullcontext
from functools import lru_cache

from sqlite_utils import Database

# A player's trials, reached through their drills (a trial is its drill's player's): trials have no index by player,
# which every answer would write (migration m011). Takes the player's id as its one parameter.
PLAYERS_TRIALS = "drill_id IN (SELECT id FROM drills WHERE player_id = ?)"

# A drill's counters from its scored trials, written on its row once, when it closes: each answer stores its place in
# the drill's count (``seq``, unique per drill) and the answer streak after it, instead of updating the drill's row
# (a page of every answer's commit). ``best_answer_streak`` keeps what drills from before migration m013 counted.
_COUNTED = (
    "answered = COALESCE((SELECT MAX(seq) FROM trials WHERE drill_id = drills.id), answered), "
    "points = (SELECT COALESCE(SUM(points), 0) FROM trials WHERE drill_id = drills.id AND scored = 1), "
    "answer_streak = COALESCE((SELECT answer_streak FROM trials WHERE drill_id = drills.id AND seq IS NOT NULL "
    "ORDER BY seq DESC LIMIT 1), answer_streak), "
    "best_answer_streak = MAX(best_answer_streak, COALESCE((SELECT MAX(answer_streak) FROM trials "
    "WHERE drill_id = drills.id AND seq IS NOT NULL), 0))")

# How many times this worker wrote what ``next_slot`` reads of a drill (its status, its scored count, a trial stored
# at one of its positions), by a bucket of drill ids: a socket that made the last such write knows the slot without
# reading it (game.drills). Every writer of a live drill is in this module and in this worker (one worker per box,
# sticky per player, as game.in_flight's register). A count only grows, so an unchanged count means no write to that
# drill; another drill sharing the bucket only costs a read.
_SLOT_WRITES = array("Q", bytes(8 * 16384))  # 128 KB, whatever the players


def slot_writes(drill_id: str) -> int:
    """A count that changes whenever this worker writes what ``next_slot`` would read of the drill."""
    return _SLOT_WRITES[hash(drill_id) & 16383]


def _slot_written(drill_id: str) -> None:
    _SLOT_WRITES[hash(drill_id) & 16383] += 1


class AnswerRejected(Exception):
    """An answer the server will not record; ``code`` names why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def create_drill(db: Database, player_id: str, *, mode: str, focus: bool, seed: int, plan: list[str],
                 refresh_ms: float, kind: str = "drill", challenge_day: str | None = None,
                 ranked: bool = False, now: float | None = None) -> dict:
    """Start a drill, abandoning any the player left unfinished.

    :param now: the drill session's clock (its start, and the abandoned drills' end)
    """
    now = time.time() if now is None else now
    row = {"id": secrets.token_urlsafe(12), "player_id": player_id, "mode": mode, "focus": int(focus),
           "seed": seed, "plan": json.dumps(plan), "trial_count": len(plan), "refresh_ms": refresh_ms,
           "status": "active", "started_at": now, "kind": kind, "challenge_day": challenge_day, "ranked": int(ranked),
           "adapt_pending": int(kind != "checkup"),  # its answers adapt; written at its end (game.adaptation)
           "fair_pending": 1}  # its answers feed fair play's row, written at its end (game.fairplay)
    # One active drill per player: a unique index on (player_id) WHERE status = 'active' backs this up.
    with db.atomic():
        if db.execute("SELECT 1 FROM drills WHERE player_id = ? AND status = 'active'", [player_id]).fetchone():
            abandon_drills(db, player_id, now)  # (mostly none: one read of that index, not two updates)
        _insert(db, "drills", row)
    return row


def ranked_challenge(db: Database, player_id: str, day: str, kind: str = "challenge") -> dict | None:
    """The player's one ranked attempt at a day's challenge (or scene challenge), if started."""
    rows = list(db["drills"].rows_where("player_id = ? AND kind = ? AND challenge_day = ? AND ranked = 1",
                                        [player_id, kind, day], limit=1))
    return rows[0] if rows else None


def abandon_drills(db: Database, player_id: str, now: float) -> None:
    """Close the player's unfinished drills; a trial still in flight in another tab can no longer be answered."""
    with nullcontext() if db.conn.in_transaction else db.atomic():  # RETURNING: sqlite-utils would not commit it
        db.execute("UPDATE trials SET scored = 0, flag = 'abandoned' WHERE answered_at IS NULL AND flag IS NULL AND "
                   "drill_id IN (SELECT id FROM drills WHERE player_id = ? AND status = 'active')", [player_id])
        for (drill_id,) in db.execute(f"UPDATE drills SET status = 'abandoned', ended_at = ?, {_COUNTED} "
                                      "WHERE player_id = ? AND status = 'active' RETURNING id",
                                      [now, player_id]).fetchall():
            _slot_written(drill_id)


def active_drill(db: Database, player_id: str, drill_id: str | None = None) -> dict | None:
    """The player's unfinished drill (a given one, or the latest)."""
    where, params = "player_id = ? AND status = 'active'", [player_id]
    if drill_id is not None:
        where, params = where + " AND id = ?", [*params, drill_id]
    rows = list(db["drills"].rows_where(where, params, order_by="started_at DESC", limit=1))
    if not rows:
        return None
    answered, streak = progress(db, rows[0]["id"])  # an open drill's row counts nothing yet (see _COUNTED)
    return {**rows[0], "answered": answered, "answer_streak": streak}


def is_active_drill(db: Database, player_id: str, drill_id: str) -> bool:
    """Whether ``drill_id`` is the player's, and unfinished (a socket coming back to it is let on by a full worker)."""
    return db.execute("SELECT 1 FROM drills WHERE id = ? AND player_id = ? AND status = 'active'",
                      [drill_id, player_id]).fetchone() is not None


def correct_count(db: Database, drill_id: str) -> int:
    return db.execute("SELECT COUNT(*) FROM trials WHERE drill_id = ? AND scored = 1 AND correct = 1",
                      [drill_id]).fetchone()[0]


def next_slot(db: Database, drill_id: str) -> tuple[bool, int, int]:
    """Where a drill stands before its next trial: whether it is still active, how many trials were scored, and
    how many were already sent at the next position (voided flashes to replay)."""
    answered = progress(db, drill_id)[0]
    row = db.execute("SELECT status = 'active', (SELECT COUNT(*) FROM trials WHERE drill_id = drills.id AND "
                     "position = ?) FROM drills WHERE id = ?", [answered + 1, drill_id]).fetchone()
    return (row[0], answered, row[1]) if row else (False, 0, 0)


def progress(db: Database, drill_id: str) -> tuple[int, int]:
    """A drill's (answered, answer streak) as its scored trials stand: the last one's ``seq`` and streak."""
    row = db.execute("SELECT seq, answer_streak FROM trials WHERE drill_id = ? AND seq IS NOT NULL "
                     "ORDER BY seq DESC LIMIT 1", [drill_id]).fetchone()
    return row or (0, 0)



def _insert(db: Database, table: str, row: dict) -> None:
    """Plain SQL (``row``'s keys are our own column names): sqlite-utils' insert() spent more CPU building the
    statement than SQLite spent running it."""
    db.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def set_plan(db: Database, drill_id: str, plan: list[str]) -> None:
    db.execute("UPDATE drills SET plan = ? WHERE id = ?", [json.dumps(plan), drill_id])


def mark_unranked(db: Database, drill_id: str, reason: str) -> None:
    """Keep a drill off the boards (it still counts for the player's own progress); the first reason stays."""
    db.execute("UPDATE drills SET unranked = COALESCE(unranked, ?) WHERE id = ?", [reason, drill_id])


def void_open_trials(db: Database, drill_id: str, flag: str) -> None:
    """Close trials stored unanswered (rows written when sending, before trials in flight were held in memory)."""
    db.execute("UPDATE trials SET scored = 0, flag = ? WHERE drill_id = ? AND answered_at IS NULL AND flag IS NULL",
               [flag, drill_id])


# How many of a player's latest drills a stray answer's trial is looked for in: trials have no index by id (migration
# m014), so each drill costs a read of its ~20 rows; a tab can only show a trial of a recent drill, and a client sending
# made-up ids costs at most this many (~0.4 ms), however many drills it played.
STRAY_DRILLS = 100


def why_not_open(db: Database, trial_id: str, player_id: str) -> tuple[str, str]:
    """Why a trial cannot take an answer now, as an error code and a sentence (``STRAY_DRILLS``: where it is looked
    for)."""
    row = db.execute("SELECT t.answered_at, d.status FROM (SELECT id, status FROM drills WHERE player_id = ? "
                     "ORDER BY started_at DESC LIMIT ?) d JOIN trials t ON t.drill_id = d.id AND t.id = ? LIMIT 1",
                     [player_id, STRAY_DRILLS, trial_id]).fetchone()
    if row is None:
        return "unknown_trial", "No such trial was sent to you."
    answered_at, status = row
    if answered_at is not None:
        return "already_answered", "That trial was already answered."
    if status != "active":
        return "drill_closed", "That drill is closed (a newer one was started); nothing was stored."
    return "trial_expired", "That trial is no longer open."


def record_answer(db: Database, trial: dict, answer: dict) -> bool:
    """Store a trial that was held in flight (``game.in_flight``) with the one answer it accepts, in one INSERT;
    the caller holds the transaction. A scored answer's ``seq`` is the drill's scored count with it.

    Stored once: the caller holds the trial in flight (``game.in_flight``), and whoever releases a held trial stores
    it; trials have no index by id (migration m014), so nothing here looks for an earlier row with its id.

    :return: False if nothing was stored: its drill was closed, or another answer took its ``seq`` (another tab
        answered in the drill)
    """
    row = {**trial, **answer}
    _slot_written(trial["drill_id"])
    return db.execute(_answer_insert(tuple(row)), [*row.values(), trial["drill_id"]]).rowcount == 1


@lru_cache(maxsize=64)
def _answer_insert(columns: tuple[str, ...]) -> str:
    """``record_answer``'s statement for a trial's columns (our own names): built once, not per answer."""
    return (f"INSERT INTO trials ({', '.join(columns)}) SELECT {', '.join('?' * len(columns))} "
            "WHERE EXISTS (SELECT 1 FROM drills WHERE id = ? AND status = 'active') ON CONFLICT DO NOTHING")


def close_trial(db: Database, trial: dict, flag: str) -> None:
    """Store a trial that was sent and will never be answered (its socket dropped, it expired, another tab took
    the drill over); nothing if it is stored already."""
    row = {**trial, "scored": 0, "flag": flag}
    _slot_written(trial["drill_id"])
    db.execute(f"INSERT INTO trials ({', '.join(row)}) SELECT {', '.join('?' * len(row))} WHERE NOT EXISTS "
               "(SELECT 1 FROM trials WHERE drill_id = ? AND id = ?)", [*row.values(), trial["drill_id"], trial["id"]])


def complete_drill(db: Database, drill_id: str, now: float) -> bool:
    """Close an active drill as completed, its counters counted from its trials; False if it was no longer active
    (nothing may be banked then). The caller writes its procedures in the same transaction (game.adaptation)."""
    _slot_written(drill_id)
    cursor = db.execute(f"UPDATE drills SET status = 'completed', ended_at = ?, adapt_pending = 0, {_COUNTED} "
                        "WHERE id = ? AND status = 'active'", [now, drill_id])
    return cursor.rowcount == 1


def pending_drills(db: Database, player_id: str) -> list[dict]:
    """The player's drills whose answers are not in the stored procedures yet (game.adaptation), oldest first."""
    return [{"id": id_, "mode": mode, "started_at": started_at} for id_, mode, started_at in db.execute(
        "SELECT id, mode, started_at FROM drills WHERE player_id = ? AND adapt_pending = 1 ORDER BY started_at",
        [player_id]).fetchall()]


def adaptive_answers(db: Database, drill_id: str) -> list[dict]:
    """A drill's scored answers in the order they were given (a drill moves to its next position at each)."""
    cursor = db.execute("SELECT emotion, correct, exposure_ms, intensity FROM trials WHERE drill_id = ? AND scored = 1 "
                        "ORDER BY position, answered_at", [drill_id])
    return [dict(zip(("emotion", "correct", "exposure_ms", "intensity"), row, strict=True)) for row in cursor]


def fair_pending_answers(db: Database, player_id: str) -> list[tuple]:
    """The scored answers of the player's drills whose fair-play evidence is not all stored yet (game.fairplay), in the
    order they were committed (drills in the order they started, one active at a time; answers by ``seq``):
    ``(drill id, drill active, mode, seq, exposure_ms, intensity, correct, reaction_ms, fair_own_p, answered_at)``.
    A pending drill without a scored answer comes as one row of NULLs after its first three."""
    return db.execute(
        "SELECT d.id, d.status = 'active', d.mode, t.seq, t.exposure_ms, t.intensity, t.correct, t.reaction_ms, "
        "t.fair_own_p, t.answered_at FROM drills d LEFT JOIN trials t ON t.drill_id = d.id AND t.seq IS NOT NULL "
        "WHERE d.player_id = ? AND d.fair_pending = 1 ORDER BY d.started_at, d.rowid, t.seq", [player_id]).fetchall()


def fair_pending_drills(db: Database, player_id: str) -> list[str]:
    return [row[0] for row in db.execute("SELECT id FROM drills WHERE player_id = ? AND fair_pending = 1",
                                         [player_id])]


def settle_drills(db: Database, drill_ids: list[str]) -> None:
    """The drills' answers are in the stored procedures now."""
    db.execute(f"UPDATE drills SET adapt_pending = 0 WHERE id IN ({', '.join('?' * len(drill_ids))})", drill_ids)


def load_procedure_states(db: Database, player_id: str, axis: str) -> dict[str, str]:
    """The player's stored procedures on an axis, by emotion (``"all"`` for the overall one)."""
    return dict(db.execute("SELECT emotion, state FROM staircases WHERE player_id = ? AND axis = ?",
                           [player_id, axis]).fetchall())


def save_procedure_states(db: Database, player_id: str, axis: str, states: list[tuple[str, str, int]]) -> None:
    """Store procedures' states, ``(emotion, state, trials)`` each, in one statement (an answer writes two)."""
    now = time.time()
    db.execute(
        "INSERT INTO staircases (player_id, axis, emotion, state, trials, updated_at) VALUES "
        + ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(states))
        + " ON CONFLICT (player_id, axis, emotion) DO UPDATE SET state = excluded.state, trials = excluded.trials, "
        "updated_at = excluded.updated_at",
        [value for emotion, state, trials in states for value in (player_id, axis, emotion, state, trials, now)],
    )


def record_thresholds(db: Database, player_id: str, drill_id: str, axis: str, thresholds: dict[str, dict]) -> None:
    """Keep each estimate as it stood at the end of a drill, for the history chart."""
    now = time.time()
    # Plain SQL: sqlite-utils' insert_all cost more than the rows. In the caller's transaction (a drill's last answer)
    # without a savepoint: sqlite-utils names each one afresh, a statement SQLite prepares once and throws away.
    with nullcontext() if db.conn.in_transaction else db.atomic():
        db.conn.executemany(
            "INSERT OR REPLACE INTO thresholds (player_id, drill_id, axis, emotion, at, value, low, high, trials) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(player_id, drill_id, axis, emotion, now, e["value"], e["low"], e["high"], e["trials"])
             for emotion, e in thresholds.items()])


def threshold_history(db: Database, player_id: str, axis: str) -> list[dict]:
    return list(db["thresholds"].rows_where("player_id = ? AND axis = ?", [player_id, axis], order_by="at",
                                            select="drill_id, emotion, value, low, high, trials, at"))


def drill_summary(db: Database, drill_id: str) -> dict:
    """Accuracy overall and per emotion over a drill's scored trials."""
    rows = db.execute(
        "SELECT emotion, COUNT(*), SUM(correct), AVG(exposure_ms) FROM trials "
        "WHERE drill_id = ? AND scored = 1 GROUP BY emotion", [drill_id]).fetchall()
    per_emotion = {emotion: {"shown": shown, "correct": correct, "meanExposureMs": round(mean_ms, 1)}
                   for emotion, shown, correct, mean_ms in rows}
    shown = sum(e["shown"] for e in per_emotion.values())
    correct = sum(e["correct"] for e in per_emotion.values())
    return {"shown": shown, "correct": correct, "accuracy": correct / shown if shown else 0.0,
            "perEmotion": per_emotion}
