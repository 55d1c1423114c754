"""What a player has learned so far: thresholds with intervals and their history, accuracy."""

from __future__ import annotations

from sqlite_utils import Database

from game import store
from game.emotions import EMOTION_KEYS
from game.staircase import Staircase

AXES = ("exposure", "intensity")


def current_thresholds(db: Database, player_id: str, axis: str) -> dict[str, dict]:
    """Each emotion's (and "all") threshold for 75% correct, from the stored procedures."""
    rows = db.execute("SELECT emotion, state FROM staircases WHERE player_id = ? AND axis = ?",
                      [player_id, axis]).fetchall()
    result = {}
    for emotion, state in rows:
        procedure = Staircase.from_json(state)
        if procedure.trials:
            estimate = procedure.threshold()
            result[emotion] = {"value": estimate.value, "low": estimate.low, "high": estimate.high,
                               "trials": procedure.trials}
    return result


def accuracy_by_emotion(db: Database, player_id: str) -> dict[str, dict]:
    rows = db.execute("SELECT emotion, COUNT(*), SUM(correct) FROM trials WHERE player_id = ? AND scored = 1 "
                      "GROUP BY emotion", [player_id]).fetchall()
    found = {emotion: {"shown": shown, "correct": correct} for emotion, shown, correct in rows}
    return {emotion: found.get(emotion, {"shown": 0, "correct": 0}) for emotion in EMOTION_KEYS}


def player_stats(db: Database, player_id: str) -> dict:
    return {
        "axes": {axis: {"current": current_thresholds(db, player_id, axis),
                        "history": store.threshold_history(db, player_id, axis)} for axis in AXES},
        "accuracy": accuracy_by_emotion(db, player_id),
    }
