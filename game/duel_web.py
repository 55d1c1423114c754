"""Duel and challenge-link pages and their small JSON API. The live play itself goes over /duel (game.duel_ws)."""

from __future__ import annotations

import time

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, url_for

from game import duel_store, friends, rooms
from game.db import get_db
from game.emotions import EMOTIONS
from game.rooms import RoomError
from game.throttle import TokenBucket
from game.web import acting_player, current_player, player_id, player_token

bp = Blueprint("duel_web", __name__)
_link_buckets: dict[str, TokenBucket] = {}  # challenge links made per player: one worker, memory is enough


def _error(error: RoomError, status: int = 400) -> tuple[Response, int]:
    return jsonify({"error": error.code, "message": str(error)}), status


@bp.get("/duel")
@bp.get("/duel/<code>")
def duel_page(code: str | None = None) -> str:
    """The lobby; with a code (a shared link), the page joins that room as soon as it opens."""
    player_token()
    player = current_player() or {}
    try:
        code = rooms.normalise_code(code) if code else None
    except RoomError:
        code = None
    return render_template("duel.html", player=player, code=code or "")


@bp.post("/api/challenges")
def new_challenge() -> tuple[Response, int] | Response:
    me = acting_player()["id"]  # a saved link: this makes the player
    bucket = _link_buckets.setdefault(me, TokenBucket(rate=0.2, burst=5, patience=1_000_000))
    if not bucket.allow(time.monotonic()):
        return jsonify({"error": "rate_limited", "message": "Too many challenges at once; wait a little."}), 429
    try:
        link = duel_store.create_link(get_db(), me)
    except RoomError as error:
        return _error(error, 429)
    return jsonify({"code": link["code"], "url": url_for("duel_web.challenge_page", code=link["code"],
                                                         _external=True), "trials": link["trials"]})


def _plan_emotions(link: dict) -> list[str]:
    return [trial.emotion for trial in rooms.plan_trials(link["seed"], link["trials"])]


@bp.get("/api/challenges/<code>")
def challenge_api(code: str) -> tuple[Response, int] | Response:
    db = get_db()
    try:
        link = duel_store.get_link(db, code)
    except RoomError as error:
        return _error(error, 404)
    return jsonify(duel_store.challenge_view(db, link, player_id(), _plan_emotions(link)))


@bp.get("/c/<code>")
def challenge_page(code: str) -> tuple[str, int] | str:
    """A "beat my score" link, straight from a chat app: works for a brand-new player (the cookie is made here)."""
    player = current_player() or {}
    db = get_db()
    try:
        link = duel_store.get_link(db, code)
    except RoomError:
        player_token()
        return render_template("challenge.html", player=player, view=None, code=""), 404
    view = duel_store.challenge_view(db, link, player_id(), _plan_emotions(link))
    return render_template("challenge.html", player=player, view=view, code=link["code"],
                           names={key: emotion.name for key, emotion in EMOTIONS.items()})


@bp.get("/api/duels/friends")
def friends_in_lobbies() -> Response:
    """Friends waiting in a duel room right now: join them from the friends list."""
    db, me = get_db(), player_id()
    hub = current_app.extensions["glimpse_duels"]
    waiting = hub.open_lobbies_hosted_by(set(friends.friend_ids(db, me)))
    return jsonify({"rooms": [{"friendId": friend_id, "code": code} for friend_id, code in waiting.items()]})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
