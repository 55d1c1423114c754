"""What a player has learned so far: thresholds with intervals and their history, accuracy."""

from __future__ import annotations

import time

from sqlite_utils import Database

from game import adaptation, checkup, checkup_store, store
from game.emotions import EMOTION_KEYS, EMOTIONS
from game.staircase import Staircase

AXES = ("exposure", "intensity", "leak")  # leak: scenes (game.scene_session)


def current_thresholds(db: Database, player_id: str, axis: str) -> dict[str, dict]:
    """Each emotion's (and "all") threshold for 75% correct, from the stored procedures and the answers of drills
    that have not written theirs yet (game.adaptation), by emotion."""
    states = adaptation.replayed(db, player_id, axis, store.load_procedure_states(db, player_id, axis))[0]
    result = {}
    for emotion, state in sorted(states.items()):  # as the primary key orders the stored rows
        procedure = Staircase.from_json(state)
        if procedure.trials:
            estimate = procedure.threshold()
            result[emotion] = {"value": estimate.value, "low": estimate.low, "high": estimate.high,
                               "trials": procedure.trials}
    return result


def accuracy_by_emotion(db: Database, player_id: str) -> dict[str, dict]:
    rows = db.execute(f"SELECT emotion, COUNT(*), SUM(correct) FROM trials WHERE {store.PLAYERS_TRIALS} AND scored = 1 "
                      "GROUP BY emotion", [player_id]).fetchall()
    found = {emotion: {"shown": shown, "correct": correct} for emotion, shown, correct in rows}
    return {emotion: found.get(emotion, {"shown": 0, "correct": 0}) for emotion in EMOTION_KEYS}


def confusion_matrix(db: Database, player_id: str) -> dict[str, dict[str, int]]:
    """How often each shown emotion (rows) got each answer (columns), over counted trials."""
    matrix = {shown: dict.fromkeys(EMOTION_KEYS, 0) for shown in EMOTION_KEYS}
    for shown, answer, times in db.execute(f"SELECT emotion, answer, COUNT(*) FROM trials WHERE {store.PLAYERS_TRIALS} "
                                           "AND scored = 1 GROUP BY emotion, answer", [player_id]):
        if shown in matrix and answer in matrix[shown]:
            matrix[shown][answer] = times
    return matrix


def most_confused(matrix: dict[str, dict[str, int]]) -> dict | None:
    """The pair of emotions mixed up most often (either way round) and the cue that separates them."""
    pairs = [(matrix[a][b] + matrix[b][a], a, b) for i, a in enumerate(EMOTION_KEYS) for b in EMOTION_KEYS[i + 1:]]
    times, a, b = max(pairs)
    if times == 0:
        return None
    if EMOTIONS[b].lookalike == a and EMOTIONS[a].lookalike != b:
        a, b = b, a
    tip = EMOTIONS[a].tell_apart if EMOTIONS[a].lookalike == b else (
        f"{EMOTIONS[a].name}: {'; '.join(EMOTIONS[a].cues).lower()}. "
        f"{EMOTIONS[b].name}: {'; '.join(EMOTIONS[b].cues).lower()}.")
    return {"pair": [a, b], "times": times, "tip": tip}


def recent_drills(db: Database, player_id: str, limit: int = 10) -> list[dict]:
    rows = db.execute(
        "SELECT d.id, d.kind, d.mode, d.ended_at, d.points, COUNT(t.id), COALESCE(SUM(t.correct), 0) "
        "FROM drills d LEFT JOIN trials t ON t.drill_id = d.id AND t.scored = 1 "
        "WHERE d.player_id = ? AND d.status = 'completed' GROUP BY d.id ORDER BY d.ended_at DESC LIMIT ?",
        [player_id, limit]).fetchall()
    return [{"kind": kind, "mode": mode, "endedAt": ended, "points": points, "shown": shown, "correct": correct}
            for _id, kind, mode, ended, points, shown, correct in rows]


def checkup_progress(db: Database, player_id: str, now: float) -> dict:
    """Checkups over time with their uncertainty, the change since the first, training in between, a sentence."""
    history = checkup_store.history(db, player_id)
    drills, minutes = checkup_store.training_between(db, player_id, history[-1]["at"] if history else 0.0, now)
    return {"history": history, **checkup.progress(history, {key: e.name for key, e in EMOTIONS.items()}),
            "since": {"drills": drills, "minutes": minutes}, "status": checkup_store.welcome(db, player_id, now)}


def player_stats(db: Database, player_id: str, now: float | None = None) -> dict:
    matrix = confusion_matrix(db, player_id)
    return {
        "checkups": checkup_progress(db, player_id, time.time() if now is None else now),
        "confusion": matrix,
        "mostConfused": most_confused(matrix),
        "recent": recent_drills(db, player_id),
        "axes": {axis: {"current": current_thresholds(db, player_id, axis),
                        "history": store.threshold_history(db, player_id, axis)} for axis in AXES},
        "accuracy": accuracy_by_emotion(db, player_id),
    }
