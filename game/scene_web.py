"""Scenes over HTTP: the Learn page's leak demonstration, and a pack of scenes for offline practice."""

from __future__ import annotations

import random
import secrets
import time

from flask import Blueprint, Flask, Response, jsonify, request

from game import rounds
from game.scene_session import TRIALS_PER_SCENE_DRILL
from game.scene_timeline import leak_candidates, plan_scene, reveal, scene_message
from game.throttle import TokenBucket

bp = Blueprint("scene_web", __name__)
# Planning scenes costs CPU (a pack ~0.5 s): per client address, a few at once, then slowly.
# One worker, so memory is enough; the table is cleared if it ever grows large.
_buckets: dict[tuple[str, str], TokenBucket] = {}
LIMITS = {"demo": (2.0, 20.0), "pack": (0.1, 4.0)}  # (per second, burst)


def _allowed(kind: str) -> bool:
    if len(_buckets) > 10_000:
        _buckets.clear()
    rate, burst = LIMITS[kind]
    key = (kind, request.remote_addr or "")
    bucket = _buckets.setdefault(key, TokenBucket(rate=rate, burst=burst, patience=1_000_000))
    return bucket.allow(time.monotonic())


def _slow_down() -> tuple[Response, int]:
    return jsonify({"error": "rate_limited", "message": "Too many requests; wait a little."}), 429
DEMO = ("weekend", "polite-smile", "after")  # "It was fine," she smiles; just before the smile, sadness
DEMO_SEED = 20261130


@bp.get("/api/scene-demo")
def scene_demo() -> tuple[Response, int] | Response:
    """A scene for teaching: the truth is part of the answer (nothing is scored here)."""
    if not _allowed("demo"):
        return _slow_down()
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
    if not _allowed("pack"):
        return _slow_down()
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
