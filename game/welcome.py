"""The social loop over HTTP: an invite link's welcome page, and friends compared on today's challenge."""

from __future__ import annotations

import time

from flask import Blueprint, Flask, Response, jsonify, render_template

from game import challenge, friends, inbox
from game.db import get_db
from game.web import current_player, player_id

bp = Blueprint("welcome", __name__)


@bp.get("/i/<code>")
def invite(code: str) -> tuple[str, int] | str:
    """An invite link from a chat app: "Ana invited you", one tap to be friends, one to play. New players welcome."""
    player, me = current_player() or {}, player_id()  # a new player's row is made by the tap that befriends
    db = get_db()
    inviter, state = None, "unknown"
    try:
        clean = friends.normalise_code(code)
    except friends.FriendError:
        clean = None
    if clean is not None:
        row = db.execute("SELECT id, nickname FROM players WHERE friend_code = ?", [clean]).fetchone()
        if row is not None:
            inviter = {"id": row[0], "name": row[1] or "A friend", "code": clean}
            if row[0] == me:
                state = "self"
            elif row[0] in friends.friend_ids(db, me):
                state = "friends"
            else:
                state = "invited"
    return render_template("welcome.html", player=player, inviter=inviter, state=state), (
        404 if state == "unknown" else 200)


@bp.get("/api/friends/today")
def friends_today() -> Response:
    """Today's daily challenge among the player and their friends."""
    db, me = get_db(), player_id()
    day = challenge.today(time.time())
    return jsonify({"number": challenge.number(day), "players": [
        {"nickname": row["nickname"], "score": row["score"], "rank": row["rank"], "me": row["me"]}
        for row in inbox.today_among_friends(db, me, day)]})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
