"""The WebSocket endpoint /ws: transport only. Drill logic lives in game.drills."""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request
from flask_sock import ConnectionClosed, Sock

from game import players, protocol
from game.db import get_db
from game.drills import DrillSession
from game.protocol import Abandon, Answer, Hello, Next, ProtocolError, Resume, Start
from game.throttle import TokenBucket
from game.web import COOKIE

sock = Sock()
POLICY_VIOLATION = 1008
IDLE_TIMEOUT_S = 600  # a socket silent this long (no messages; pings keep it open) is closed


def origin_allowed(origin: str | None, host: str, allowed: list[str]) -> bool:
    """Cross-site WebSocket hijacking guard: only our own pages may open the socket."""
    if not origin:
        return False
    return urlsplit(origin).netloc == host or origin in allowed


@sock.route("/ws")
def drill_socket(ws) -> None:
    db = get_db()
    player = players.player_for_token(db, request.cookies.get(COOKIE))
    if player is None:
        ws.send(json.dumps({"type": "error", "code": "no_player", "message": "Reload the page to get a player."}))
        ws.close(reason=POLICY_VIOLATION, message="No player cookie")
        return
    session = DrillSession(db, player["id"], trial_ttl_s=current_app.config["TRIAL_TTL_S"],
                           answer_clock_scale=current_app.config["ANSWER_CLOCK_SCALE"])
    bucket = TokenBucket()
    handlers = {
        Hello: lambda message: [session.welcome(message)],
        Start: session.start,
        Resume: session.resume,
        Next: lambda _m: session.next_trial(),
        Answer: session.answer,
        Abandon: lambda _m: session.abandon(),
    }
    try:
        while True:
            raw = ws.receive(timeout=IDLE_TIMEOUT_S)
            if raw is None:
                ws.close(reason=1000, message="Idle for too long")
                return
            if not bucket.allow(time.monotonic()):
                if bucket.overflowing:
                    ws.send(json.dumps({"type": "error", "code": "flooding",
                                        "message": "Too many messages: closing the connection."}))
                    ws.close(reason=POLICY_VIOLATION, message="Too many messages")
                    return
                ws.send(json.dumps({"type": "error", "code": "rate_limited", "message": "Slow down."}))
                continue
            try:
                message = protocol.parse(raw)
                replies = handlers[type(message)](message)
            except ProtocolError as error:
                replies = [error.to_message()]
            except Exception:  # a bug must not end the player's drill; what was stored stays stored
                current_app.logger.exception("drill socket failed on %.200r", raw)
                replies = [{"type": "error", "code": "server_error", "message": "Something went wrong; try again."}]
            for reply in replies:
                ws.send(json.dumps(reply))
    except ConnectionClosed:
        pass
    finally:
        session.disconnect()


def _check_origin() -> None:
    if request.path == "/ws" and not origin_allowed(
        request.headers.get("Origin"), request.host, current_app.config["ALLOWED_ORIGINS"]
    ):
        abort(403, "Cross-origin WebSocket refused")


def init_app(app: Flask) -> None:
    app.config["SOCK_SERVER_OPTIONS"].setdefault("max_message_size", protocol.HARD_MAX_MESSAGE_BYTES)
    sock.init_app(app)
    app.before_request(_check_origin)
