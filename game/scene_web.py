"""The Learn page's leak demonstration over HTTP: one fixed scene, its leak as long as asked."""

from __future__ import annotations

import random

from flask import Blueprint, Flask, Response, jsonify, request

from game.scene_timeline import plan_scene, reveal, scene_message

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


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
