"""Leaderboards and friends over HTTP. Others only ever see a nickname and scores."""

from __future__ import annotations

import time

from flask import Blueprint, Flask, Response, jsonify, render_template, request, url_for

from game import boards, challenge, fairplay, friends
from game.db import get_db
from game.limits import limits
from game.throttle import address_key
from game.web import acting_player, player_id, player_token, read_json

bp = Blueprint("social", __name__)
BOARD_NAMES = ("today", "scenes", "week", "skill", "friends")


def _public(rows: list[dict], me: str) -> list[dict]:
    return [{"rank": r["rank"], "nickname": r["nickname"], "score": r["score"], "me": r["playerId"] == me}
            for r in rows]


def _board_key(name: str, now: float) -> str:
    if name in ("today", "scenes"):
        return boards.challenge_board(challenge.today(now), "challenge" if name == "today" else "scene-challenge")
    return boards.week_board(now) if name in ("week", "friends") else boards.SKILL


@bp.get("/api/boards/<name>")
def board(name: str) -> tuple[Response, int] | Response:
    if name not in BOARD_NAMES:
        return jsonify({"error": "unknown_board", "message": f"Boards: {', '.join(BOARD_NAMES)}."}), 404
    db, me = get_db(), player_id()
    key = _board_key(name, time.time())
    # Off the public boards (new, held or banned): you still see yourself, with a neutral note.
    note = fairplay.note(db, me)
    if name == "friends":
        rows = boards.among(db, key, [me, *friends.friend_ids(db, me)], viewer=me)
        return jsonify({"board": name, "top": _public(rows, me), "around": [], "standing": None, "note": note})
    return jsonify({"board": name, "top": _public(boards.top(db, key, viewer=me), me),
                    "around": _public(boards.neighbourhood(db, key, me), me),
                    "standing": boards.standing(db, key, me), "note": note,
                    "histogram": boards.histogram(db, key, viewer=me) if name in ("today", "scenes") else None})


@bp.get("/api/friends")
def friend_list() -> Response:
    db, me = get_db(), acting_player()["id"]  # a friend code is saved: this makes the player
    code = friends.friend_code(db, me)
    return jsonify({"code": code, "inviteUrl": url_for("welcome.invite", code=code, _external=True),
                    "friends": friends.friends(db, me)})


@bp.post("/api/friends")
def add_friend() -> tuple[Response, int] | Response:
    # Per player and per address: new players from one address cannot befriend a victim 200 times.
    held, now = limits(), time.monotonic()
    if not (held.address_friend_requests.allow(address_key(request.remote_addr), now)
            and held.friend_requests.allow(player_id(), now)):
        return jsonify({"error": "rate_limited", "message": "Too many friend requests; wait a little."}), 429
    body = read_json()
    if not isinstance(body, dict):
        return jsonify({"error": "bad_request", "message": "Send JSON like {\"code\": \"ABCD2345\"}."}), 400
    try:
        friend = friends.befriend(get_db(), acting_player()["id"], body.get("code"))
    except friends.FriendError as error:
        return jsonify({"error": error.code, "message": str(error)}), 409 if error.code == "already_friends" else 400
    return jsonify({"friend": friend})


@bp.delete("/api/friends/<friend_id>")
def remove_friend(friend_id: str) -> tuple[Response, int] | Response:
    try:
        friends.unfriend(get_db(), player_id(), friend_id)
    except friends.FriendError as error:
        return jsonify({"error": error.code, "message": str(error)}), 404
    return jsonify({"removed": friend_id})


@bp.get("/boards")
def boards_page() -> str:
    player_token()
    return render_template("boards.html")


@bp.get("/friends")
def friends_page() -> str:
    player_token()
    return render_template("friends.html")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
