"""Scenes over HTTP: the Learn page's leak demonstration, and a pack of scenes for offline practice."""

from __future__ import annotations

import random
import secrets

from flask import Blueprint, Flask, Response, jsonify, request

from game import rounds
from game.scene_session import TRIALS_PER_SCENE_DRILL
from game.scene_timeline import leak_candidates, plan_scene, reveal, scene_message

bp = Blueprint("scene_web", __name__)
DEMO = ("weekend", "polite-smile", "after")  # "It was fine," she smiles; just before the smile, sadness
DEMO_SEED = 20261130


@bp.get("/api/scene-demo")
def scene_demo() -> tuple[Response, int] | Response:
    """A scene for teaching: the truth is part of the answer (nothing is scored here)."""
    frames = request.args.get("frames", type=int)
    period = request.args.get("periodMs", type=float)
    if frames is None or not 2 <= frames <= 60 or period is None or not 3.0 <= period <= 60.0:
        return jsonify({"error": "bad_field", "message": "frames must be 2-60 and periodMs 3-60."}), 400
    plan = plan_scene(random.Random(DEMO_SEED), "sadness", period, leak_ms=frames * period, chosen=DEMO)
    leak = reveal(plan.record(), period, "sadness")
    return jsonify({"scene": scene_message("demo", plan, 1, 1), "leak": leak})


PACK_SPARES = 4  # scenes beyond a drill's ten, to replace voided ones


@bp.get("/api/scene-pack")
def scene_pack() -> tuple[Response, int] | Response:
    """Scenes with their answers, for offline practice (never scored, never on a board).

    The browser fetches a pack when it plays scenes online; the service worker keeps the
    latest copy, which the offline LocalServer plays when the network is gone.
    """
    period = request.args.get("periodMs", type=float)
    if period is None or not 3.0 <= period <= 60.0:
        return jsonify({"error": "bad_field", "message": "periodMs must be 3-60."}), 400
    rng = random.Random(secrets.randbits(64))
    emotions = rounds.plan_emotions(rng, TRIALS_PER_SCENE_DRILL + PACK_SPARES)
    durations = leak_candidates(period)
    pack = []
    for emotion in emotions:
        plan = plan_scene(random.Random(rng.getrandbits(64)), emotion, period, leak_ms=rng.choice(durations))
        pack.append({"scene": scene_message("", plan, 0, TRIALS_PER_SCENE_DRILL), "emotion": emotion,
                     "leak": reveal(plan.record(), period, emotion), "leakMs": round(plan.leak_ms, 1)})
    return jsonify({"periodMs": period, "scenes": pack})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
