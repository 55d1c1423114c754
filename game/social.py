"""Leaderboards and friends over HTTP. Others only ever see a nickname and scores."""

from __future__ import annotations

import time

from flask import Blueprint, Flask, Response, jsonify, render_template, request, url_for

from game import boards, challenge, friends
from game.db import get_db
from game.throttle import TokenBucket
from game.web import current_player

bp = Blueprint("social", __name__)
BOARD_NAMES = ("today", "week", "skill", "friends")
# Friend requests per player: a handful at once, then one every 10 s. One worker, so memory is enough.
_friend_buckets: dict[str, TokenBucket] = {}


def _public(rows: list[dict], me: str) -> list[dict]:
    return [{"rank": r["rank"], "nickname": r["nickname"], "score": r["score"], "me": r["playerId"] == me}
            for r in rows]


def _board_key(name: str, now: float) -> str:
    if name == "today":
        return boards.challenge_board(challenge.today(now))
    return boards.week_board(now) if name in ("week", "friends") else boards.SKILL


@bp.get("/api/boards/<name>")
def board(name: str) -> tuple[Response, int] | Response:
    if name not in BOARD_NAMES:
        return jsonify({"error": "unknown_board", "message": f"Boards: {', '.join(BOARD_NAMES)}."}), 404
    db, me = get_db(), current_player()["id"]
    key = _board_key(name, time.time())
    if name == "friends":
        rows = boards.among(db, key, [me, *friends.friend_ids(db, me)])
        return jsonify({"board": name, "top": _public(rows, me), "around": [], "standing": None})
    return jsonify({"board": name, "top": _public(boards.top(db, key), me),
                    "around": _public(boards.neighbourhood(db, key, me), me),
                    "standing": boards.standing(db, key, me),
                    "histogram": boards.histogram(db, key) if name == "today" else None})


@bp.get("/api/friends")
def friend_list() -> Response:
    db, me = get_db(), current_player()["id"]
    code = friends.friend_code(db, me)
    return jsonify({"code": code, "inviteUrl": url_for("welcome.invite", code=code, _external=True),
                    "friends": friends.friends(db, me)})


@bp.post("/api/friends")
def add_friend() -> tuple[Response, int] | Response:
    me = current_player()["id"]
    bucket = _friend_buckets.setdefault(me, TokenBucket(rate=0.1, burst=5, patience=1_000_000))
    if not bucket.allow(time.monotonic()):
        return jsonify({"error": "rate_limited", "message": "Too many friend requests; wait a little."}), 429
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify({"error": "bad_request", "message": "Send JSON like {\"code\": \"ABCD2345\"}."}), 400
    try:
        friend = friends.befriend(get_db(), me, body.get("code"))
    except friends.FriendError as error:
        return jsonify({"error": error.code, "message": str(error)}), 409 if error.code == "already_friends" else 400
    return jsonify({"friend": friend})


@bp.delete("/api/friends/<friend_id>")
def remove_friend(friend_id: str) -> tuple[Response, int] | Response:
    try:
        friends.unfriend(get_db(), current_player()["id"], friend_id)
    except friends.FriendError as error:
        return jsonify({"error": error.code, "message": str(error)}), 404
    return jsonify({"removed": friend_id})


@bp.get("/boards")
def boards_page() -> str:
    current_player()
    return render_template("boards.html")


@bp.get("/friends")
def friends_page() -> str:
    current_player()
    return render_template("friends.html")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
