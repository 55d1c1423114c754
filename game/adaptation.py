"""A player's adaptive procedures as stored, and the answers not yet in them.

A drill's answers update its procedures in memory; their states are written once, with the drill's completion, not
after every answer (that was two JSON texts, an upsert and ~2 WAL pages an answer). A drill that does not complete
(abandoned, its socket gone, the server killed) keeps ``drills.adapt_pending`` set, and whoever next reads the
player's procedures on its axis replays its scored answers from the ``trials`` rows, as the socket took them: each
procedure read from its stored JSON at the drill's start, the drill's session begun, then per answer the overall and
the emotion updated and the emotion anchored to the overall's level. The JSON that gives is the JSON that writing
after every answer stored (``tests/test_drill_replay.py`` compares them after every answer).
"""

from __future__ import annotations

from sqlite_utils import Database

from game import scene_session, store
from game.emotions import EMOTION_KEYS
from game.staircase import Staircase

OVERALL = "all"
PROCEDURES = (OVERALL, *EMOTION_KEYS)


def axis_of(mode: str) -> str:
    """The axis a drill's mode adapts."""
    if scene_session.is_scene(mode):
        return scene_session.AXIS
    return "intensity" if mode == "subtle" else "exposure"


def stimulus_of(axis: str, trial: dict) -> float:
    """What a procedure on ``axis`` learns from a trial: the stimulus as shown."""
    if axis == scene_session.AXIS:
        return scene_session.adaptive_stimulus(trial)
    return trial["intensity"] if axis == "intensity" else trial["exposure_ms"]


def adapt(procedures: dict[str, Staircase], emotion: str, stimulus: float, correct: bool) -> float:
    """One scored answer into the overall procedure and the emotion's, anchored to the overall's level after it
    (returned: the next trial's emotion is anchored to it too)."""
    procedures[OVERALL].update(stimulus, correct)
    procedure = procedures[emotion]
    procedure.update(stimulus, correct)
    level = procedures[OVERALL].level()
    procedure.anchor(level)
    return level


def replayed(db: Database, player_id: str, axis: str, states: dict[str, str], open_drill: str | None = None
             ) -> tuple[dict[str, str], list[tuple[str, str, int]], list[str], set[str]]:
    """The stored ``states`` with the answers of the player's drills on ``axis`` whose procedures were not written.

    Returns the states with every such drill's answers, the states to write for all of them but ``open_drill`` (the
    drill a socket resumes: it keeps its answers in memory and writes them when it completes), the ids of the drills
    those writes settle, and the procedures ``open_drill`` answered.
    """
    drills = sorted((drill for drill in store.pending_drills(db, player_id) if axis_of(drill["mode"]) == axis),
                    key=lambda drill: (drill["id"] == open_drill, drill["started_at"]))  # the open one last
    states, written, settled, unsaved = dict(states), {}, [], set()
    for drill in drills:
        answers = store.adaptive_answers(db, drill["id"])
        if answers:
            procedures = {emotion: Staircase.from_json(states[emotion]) if emotion in states else Staircase(axis)
                          for emotion in PROCEDURES}  # as a socket reads them at a start or a resume
            for procedure in procedures.values():
                procedure.begin_session(drill["started_at"])
            answered = {OVERALL}
            for trial in answers:
                adapt(procedures, trial["emotion"], stimulus_of(axis, trial), bool(trial["correct"]))
                answered.add(trial["emotion"])
            for emotion in answered:
                states[emotion] = procedures[emotion].to_json()
            if drill["id"] == open_drill:
                unsaved = answered
                continue
            written.update({emotion: (emotion, states[emotion], procedures[emotion].trials) for emotion in answered})
        if drill["id"] != open_drill:
            settled.append(drill["id"])
    return states, list(written.values()), settled, unsaved
