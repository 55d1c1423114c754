"""Scenes as a way to play over the drill protocol: what differs from a flash drill. Pure; no I/O.

``game.drills.DrillSession`` runs scene drills like flash drills (one trial in
flight, one answer, voided trials replayed, points, streaks, boards) and asks this
module for the parts that differ: the plan of a scene drill and of the daily scene
challenge, each scene trial, the adaptive stimulus and what the result reveals.

The adaptive axis ("leak") is the leak's duration in milliseconds at full
intensity. Below the shortest leak the display can show (1/25 s), the leak gets
fainter instead: for very brief stimuli duration and intensity trade off (Bloch's
law of temporal summation), so the stimulus is ``duration x intensity`` in
millisecond-equivalents, one psychometric dimension for QUEST+.
"""

from __future__ import annotations

import json
import random
import secrets
from datetime import date

from game import challenge, face_version, rounds
from game.scene_timeline import leak_candidates, plan_scene, reveal, scene_message

MODES = ("scene", "scene-challenge")
AXIS = "leak"
TRIALS_PER_SCENE_DRILL = 10  # a scene lasts ~4 s: ten make a session of about two minutes
SUBTLE_INTENSITIES = (0.85, 0.7, 0.55, 0.45, 0.35, 0.27, 0.2)  # at the shortest leak only
CHALLENGE_LEAKS_MS = (50.0, 83.3, 116.7, 166.7, 250.0, 333.3)  # whole frames at 60 Hz
CHALLENGE_KIND = "scene-challenge"


def is_scene(mode: str) -> bool:
    return mode in MODES


def candidates(period_ms: float) -> list[tuple[float, float]]:
    """(leak ms, intensity) pairs the procedure can pick, as its single stimulus ms x intensity."""
    durations = leak_candidates(period_ms)
    return [(ms, 1.0) for ms in durations] + [(durations[0], i) for i in SUBTLE_INTENSITIES]


def stimulus(leak_ms: float, intensity: float) -> float:
    return round(leak_ms * intensity, 4)


def plan_drill(rng: random.Random, weights: dict[str, float] | None = None) -> list[str]:
    return rounds.plan_emotions(rng, TRIALS_PER_SCENE_DRILL, weights)


def challenge_seed(day: date) -> int:
    return challenge.seed(day) * 31 + 7  # not the flash challenge's faces


def challenge_plan(day: date) -> list[str]:
    return rounds.plan_emotions(random.Random(challenge_seed(day)), TRIALS_PER_SCENE_DRILL)


def challenge_leak_ms(day: date, position: int) -> float:
    return random.Random(f"{challenge_seed(day)}:leak:{position}").choice(CHALLENGE_LEAKS_MS)


def next_trial(drill: dict, procedure, position: int, attempt: int, player_id: str,
               now: float, rng: random.Random) -> tuple[dict, dict]:
    """Plan the scene at a position: the trial row to store and the `scene` message to send.

    :param procedure: the emotion's Staircase on the leak axis
    :param rng: draws the face (a scene challenge's: ``rounds.trial_rng`` of its seed, the same for every player)
    """
    period = drill["refresh_ms"]
    emotion = json.loads(drill["plan"])[position - 1]
    if drill["mode"] == "scene-challenge":
        leak_ms, intensity = challenge_leak_ms(date.fromisoformat(drill["challenge_day"]), position), 1.0
    else:
        by_stimulus = {stimulus(ms, i): (ms, i) for ms, i in candidates(period)}
        leak_ms, intensity = by_stimulus[procedure.next_stimulus(sorted(by_stimulus))]
    plan = plan_scene(rng, emotion, period, leak_ms=leak_ms, intensity=intensity)
    trial = {"id": secrets.token_urlsafe(12), "drill_id": drill["id"], "player_id": player_id,
             "position": position, "attempt": attempt, "emotion": emotion, "pose": json.dumps(plan.record()),
             "identity_seed": plan.identity_seed, "intensity": intensity,
             # The browser measures the window around the leak: that is what must be exact.
             "exposure_frames": plan.window[1], "exposure_ms": plan.leak_ms,
             "wanted_ms": stimulus(plan.leak_ms, intensity), "refresh_ms": period, "sent_at": now,
             # Fair play: no answer counts before the measured window (the leak) has been shown.
             "display_ms": (plan.window[0] + plan.window[1]) * period,
             # The face's traits, as drill trials store them, so the item report covers scenes.
             "face_version": face_version.current(), **plan.traits.columns()}
    return trial, scene_message(trial["id"], plan, position, drill["trial_count"])


def adaptive_stimulus(trial: dict) -> float:
    """What the leak procedure learns from: the leak as shown, in ms x intensity."""
    return stimulus(trial["exposure_ms"], trial["intensity"])


def result_extras(trial: dict) -> dict:
    """What the result adds for a scene: where the leak was and its cues, for the slow replay."""
    return {"leak": reveal(json.loads(trial["pose"]), trial["refresh_ms"], trial["emotion"]),
            "intensity": trial["intensity"]}
