"""Storage of checkups: whether one is due, recording a finished one, reading a player's history."""

from __future__ import annotations

import json

from sqlite_utils import Database

from game import checkup
from game.crowd import History

TRAINING = "kind != 'checkup' AND status = 'completed'"  # the drills that count as training
MAX_DRILL_MINUTES = 15.0  # a drill left open longer was not 15 minutes of practice


def status(db: Database, player_id: str, now: float) -> checkup.Due:
    """Whether the player may take a checkup now (the server's rule, see :func:`game.checkup.due`)."""
    drills = db.execute(f"SELECT COUNT(*) FROM drills WHERE player_id = ? AND {TRAINING}", [player_id]).fetchone()[0]
    last = db.execute("SELECT MAX(started_at) FROM checkups WHERE player_id = ?", [player_id]).fetchone()[0]
    return checkup.due(drills, last, now)


def welcome(db: Database, player_id: str, now: float) -> dict:
    """The `welcome` message's checkup line: due or not, why, when the next opens, how many taken."""
    due = status(db, player_id, now)
    taken = db.execute("SELECT COUNT(*) FROM checkups WHERE player_id = ?", [player_id]).fetchone()[0]
    return {"due": due.due, "reason": due.reason, "nextAt": due.next_at, "taken": taken}


def record(db: Database, drill: dict, now: float) -> dict:
    """Score a finished checkup from its scored trials and store it; the caller holds the transaction."""
    rows = db.execute("SELECT emotion, exposure_ms, correct FROM trials WHERE drill_id = ? AND scored = 1 "
                      "ORDER BY position", [drill["id"]]).fetchall()
    result = checkup.score([(emotion, ms, bool(correct)) for emotion, ms, correct in rows])
    db["checkups"].insert({"drill_id": drill["id"], "player_id": drill["player_id"], "form": checkup.FORM,
                           "refresh_ms": drill["refresh_ms"], "started_at": drill["started_at"], "completed_at": now,
                           "correct": result["overall"]["correct"], "shown": result["overall"]["shown"],
                           "score": json.dumps(result)})
    return result


def history(db: Database, player_id: str) -> list[dict]:
    """The player's checkups, oldest first, each with the training done since the one before."""
    rows = list(db["checkups"].rows_where("player_id = ?", [player_id], order_by="started_at"))
    result, since = [], 0.0
    for row in rows:
        drills, minutes = training_between(db, player_id, since, row["started_at"])
        result.append({"at": row["started_at"], "form": row["form"], "refreshMs": row["refresh_ms"],
                       "score": json.loads(row["score"]), "drillsBefore": drills, "minutesBefore": minutes})
        since = row["started_at"]
    return result


def training_between(db: Database, player_id: str, start: float, end: float) -> tuple[int, float]:
    """Completed training drills started in [start, end), and their minutes (each capped at 15)."""
    count, seconds = db.execute(
        f"SELECT COUNT(*), COALESCE(SUM(MIN(ended_at - started_at, ?)), 0) FROM drills WHERE player_id = ? AND "
        f"{TRAINING} AND started_at >= ? AND started_at < ?",
        [MAX_DRILL_MINUTES * 60, player_id, start, end]).fetchone()
    return count, round(seconds / 60, 1)


def crowd_histories(db: Database) -> list[History]:
    """Every player's checkups (first form only) and training drill starts, without who they are."""
    checkups: dict[str, list[tuple[float, float, int]]] = {}
    for player, at, correct, shown, form in db.execute(
            "SELECT player_id, started_at, correct, shown, form FROM checkups ORDER BY player_id, started_at"):
        checkups.setdefault(player, []).append((at, correct / shown if shown else 0.0, form))
    drills: dict[str, list[float]] = {}
    for player, at in db.execute(f"SELECT player_id, started_at FROM drills WHERE {TRAINING} AND player_id IN "
                                 "(SELECT player_id FROM checkups)"):
        drills.setdefault(player, []).append(at)
    return [History(tuple((at, rate) for at, rate, form in rows if form == rows[0][2]), tuple(drills.get(player, ())))
            for player, rows in checkups.items()]
