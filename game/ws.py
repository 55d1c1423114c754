"""The WebSocket endpoint /ws: admission and transport only. Drill logic lives in game.drills.

Before the upgrade, a socket must come from our own pages (Origin), carry a player cookie, and its
player must hold fewer than ``SOCKETS_PER_PLAYER`` sockets; otherwise HTTP 403/429, never an upgrade. While the
worker is full (game.busy) only a socket that comes back to its player's unfinished drill is let on (503 otherwise).
After it, the socket must say ``hello`` within ``HELLO_TIMEOUT_S``; one with no drill is closed after
``IDLE_TIMEOUT_S`` of silence (90 s; pings do not count). Messages are limited per player across all their sockets.
"""

from __future__ import annotations

import contextlib
import json
import math
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import gevent
import msgspec
from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from wsproto.events import Ping

from game import lanes, players, protocol, store, websocket
from game.db import Pool, pool
from game.drills import DrillSession
from game.gate import FULL_MESSAGE, RESUMING_WHILE_FULL, RETRY_AFTER_S
from game.limits import TooManyPlayers, flooding_refusal, limits
from game.protocol import Abandon, Answer, Hello, Next, ProtocolError, Resume, Start
from game.web import COOKIE
from game.websocket import ConnectionClosed

bp = Blueprint("drill_socket", __name__)
_encode = msgspec.json.Encoder().encode  # several times faster than json.dumps for these replies
POLICY_VIOLATION = 1008
HELLO_TIMEOUT_S = 5.0  # a socket that has not said hello by then is closed
DRILL_IDLE_TIMEOUT_S = 300.0  # in a drill: a trial is void after 120 s anyway
SERVER_ERROR = {"type": "error", "code": "server_error", "message": "Something went wrong; try again."}
SLOW = (Start, Resume)  # a drill's planning (1-6 ms): these wait for a quiet moment of the loop (game.lanes)
_slow_lane = lanes.Lane()


def origin_allowed(origin: str | None, host: str, allowed: list[str]) -> bool:
    """Cross-site WebSocket hijacking guard: only our own pages may open the socket."""
    if not origin:
        return False
    return urlsplit(origin).netloc == host or origin in allowed


def _refuse(status: int, code: str, message: str) -> tuple[Response, int]:
    return jsonify({"error": code, "message": message}), status


def refused_while_full(player: dict | None, comes_back: Callable[[str, str], bool]) -> tuple[Response, int] | None:
    """While the worker is full, the gate lets on only upgrades that claim a place to come back to (game.gate): 503,
    as the gate refuses a newcomer, unless ``comes_back(claim, player id)`` holds for this (known) player."""
    if not request.environ.get(RESUMING_WHILE_FULL) or \
            (player is not None and comes_back(request.args.get("resume", ""), player["id"])):
        return None
    refused, status = _refuse(503, "over_capacity", FULL_MESSAGE)
    refused.headers["Retry-After"] = str(RETRY_AFTER_S)
    return refused, status


def _admit() -> tuple[Response, int] | None:
    """Decide before the upgrade (a refused client gets an HTTP status, not a socket that closes)."""
    if request.path != "/ws":
        return None
    if not origin_allowed(request.headers.get("Origin"), request.host, current_app.config["ALLOWED_ORIGINS"]):
        return _refuse(403, "bad_origin", "Cross-origin WebSocket refused.")
    token = request.cookies.get(COOKIE)
    if not players.valid_token(token):
        return _refuse(403, "no_player", "Reload the page to get a player.")
    held = limits()
    with pool().connection() as db:
        player = players.player_for_token(db, token)
        if (refused := refused_while_full(  # back to their unfinished drill
                player, lambda drill_id, player_id: store.is_active_drill(db, player_id, drill_id))) is not None:
            return refused
        try:
            player = player or held.admit_new_player(db, token, request.remote_addr)
        except TooManyPlayers:
            return _refuse(429, "too_many_players", "Too many new players from your address; try again later.")
    if (flooding := flooding_refusal(player["id"])) is not None:
        return flooding
    if held.sockets[player["id"]] >= held.sockets_per_player:
        return _refuse(429, "too_many_sockets", f"At most {held.sockets_per_player} open drills per player.")
    held.sockets.add(player["id"])  # counted now, before the handshake can yield to the player's next socket
    g.ws_player_id = player["id"]
    return None


def _release(_exc: BaseException | None = None) -> None:
    """The socket's request is over (closed, or its upgrade failed): it no longer counts for its player."""
    player_id = g.pop("ws_player_id", None)
    if player_id is not None:
        limits().sockets.remove(player_id)


@websocket.route(bp, "/ws", reader=True)  # read by its own greenlet (websocket.Reader); _Watch pings
def drill_socket(ws) -> None:
    player_id: str = g.ws_player_id
    session = DrillSession(None, player_id, trial_ttl_s=current_app.config["TRIAL_TTL_S"],  # type: ignore[arg-type]
                           answer_clock_scale=current_app.config["ANSWER_CLOCK_SCALE"])
    try:
        _serve(ws, session, player_id)
    except (ConnectionClosed, OSError):  # the client went away, maybe with replies still queued
        pass
    finally:
        with pool().connection() as db:
            session.db = db
            session.disconnect()


class _Watch:
    """Pings the client and closes a silent socket, with one timer per socket that fires only when one is due.

    Closed: no hello within ``HELLO_TIMEOUT_S`` of connecting (1008), no message for ``DRILL_IDLE_TIMEOUT_S`` in a
    drill or the app's IDLE_TIMEOUT_S out of one (1000), no pong to the last ping (1008, as simple-websocket does).
    simple-websocket's own pings wait in a selector with a timeout before every read, and ``ws.receive(timeout)``
    armed a gevent Timeout for every message: two timers a message, and ~15 objects for the collector to walk.
    Here the socket's greenlet reads it itself (``websocket.Reader``), blocking in recv without a timer.
    """

    def __init__(self, reader: websocket.Reader, session: DrillSession, idle_timeout_s: float,
                 ping_interval_s: float) -> None:
        now = time.monotonic()
        self.reader, self.ws, self.session = reader, reader.ws, session
        self.idle_timeout_s, self.ping_interval_s = idle_timeout_s, ping_interval_s
        self.hello_by = now + HELLO_TIMEOUT_S  # 0.0 once the socket said hello
        self.last = now  # when its last message arrived
        self.next_ping = now + ping_interval_s
        self._timer = None
        self._arm(now)

    def deadline(self) -> float:
        if self.hello_by:
            return self.hello_by
        return self.last + (DRILL_IDLE_TIMEOUT_S if self.session.drill is not None else self.idle_timeout_s)

    def _arm(self, now: float) -> None:
        self._timer = gevent.get_hub().loop.timer(max(0.0, min(self.deadline(), self.next_ping) - now))
        self._timer.start(self._fire)

    def _fire(self) -> None:  # in the hub, which must not block: sending is left to a greenlet of its own
        self._timer.close()
        self._timer = None
        now = time.monotonic()
        if now >= self.deadline():
            said_hello = not self.hello_by
            gevent.spawn(self._close, 1000 if said_hello else POLICY_VIOLATION,
                         "Idle for too long" if said_hello else "Say hello first")
            return
        if now >= self.next_ping:
            self.next_ping = now + self.ping_interval_s
            # A ping is for a silent socket: one whose client sent a message within the interval is alive (its
            # replies keep the path warm too), so playing players are not pinged, and their pongs not read. One
            # still unanswered is checked all the same (``_ping`` closes the socket).
            if now - self.last >= self.ping_interval_s or not self.ws.pong_received:
                gevent.spawn(self._ping)
        self._arm(now)

    def _ping(self) -> None:
        ws = self.ws
        if not ws.pong_received:
            self._close(POLICY_VIOLATION, "Ping/Pong timeout")
            return
        ws.pong_received = False
        with contextlib.suppress(OSError):
            ws.sock.send(ws.ws.send(Ping()))

    def _close(self, code: int, reason: str) -> None:
        with contextlib.suppress(ConnectionClosed, OSError):
            self.ws.close(reason=code, message=reason)
        self.reader.wake()  # the socket's receive returns what it has already read, then raises ConnectionClosed

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.close()
            self._timer = None


def _serve(ws, session: DrillSession, player_id: str) -> None:
    reader = websocket.Reader(ws)
    watch = _Watch(reader, session, current_app.config["IDLE_TIMEOUT_S"],
                   current_app.config["SOCK_SERVER_OPTIONS"].get("ping_interval") or math.inf)
    try:
        _serve_messages(ws, reader.receive, session, player_id, watch)
    finally:
        watch.stop()
        reader.close()


def _serve_messages(ws, receive: Callable[[], str | bytes], session: DrillSession, player_id: str,
                    watch: _Watch) -> None:
    handlers = {
        Hello: lambda message: [session.welcome(message)],
        Start: session.start,
        Resume: session.resume,
        Next: lambda _m: session.next_trial(),
        Answer: session.answer,
        Abandon: lambda _m: session.abandon(),
    }
    bucket = limits().messages.get(player_id)  # shared by the player's sockets
    connections = pool()
    monotonic, parse = time.monotonic, protocol.parse
    while True:
        raw = receive()  # a silent socket is closed by ``watch``: receive then raises ConnectionClosed
        arrived = watch.last = monotonic()
        if not bucket.allow(arrived):
            if bucket.overflowing:
                ws.send(json.dumps({"type": "error", "code": "flooding",
                                    "message": "Too many messages: closing the connection."}))
                ws.close(reason=POLICY_VIOLATION, message="Too many messages")
                return
            ws.send(json.dumps({"type": "error", "code": "rate_limited", "message": "Slow down."}))
            continue
        try:
            message = parse(raw)
        except Exception as error:  # ``_handle`` answers it, without parsing it again
            message = error
        if isinstance(message, SLOW):
            with _slow_lane.turn(arrived):
                replies = _handle_lent(connections, session, raw, handlers, message)
        else:
            replies = _handle_lent(connections, session, raw, handlers, message)
        if watch.hello_by and any(reply.get("type") == "welcome" for reply in replies):
            watch.hello_by = 0.0
        _send(ws, replies)


def _handle_lent(connections: Pool, session: DrillSession, raw: str | bytes, handlers: dict,
                 message: protocol.ClientMessage | Exception) -> list[dict]:
    """``_handle`` with a connection lent for this message only (sockets do not pin connections). Borrowed and
    given back by hand: the pool's context manager and a ``nullcontext`` for the lane cost a few µs a message."""
    db = connections.borrow()
    try:
        session.db = db
        return _handle(raw, handlers, message)
    finally:
        session.db = None
        connections.give_back(db)


def _send(ws, replies: list[dict]) -> None:
    """Each reply, as a text frame."""
    for reply in replies:
        websocket.send_text(ws, _encode(reply))


def _handle(raw: str | bytes, handlers: dict, message: protocol.ClientMessage | Exception | None = None) -> list[dict]:
    """The replies to one message (``message``: ``raw`` already parsed by ``_serve_messages``)."""
    try:
        if message is None:
            message = protocol.parse(raw)
        elif isinstance(message, Exception):
            raise message
        return handlers[type(message)](message)
    except ProtocolError as error:
        return [error.to_message()]
    except Exception:  # a bug must not end the player's drill; what was stored stays stored
        current_app.logger.exception("drill socket failed on %.200r", raw)
        return [SERVER_ERROR]


def init_app(app: Flask) -> None:
    app.config["SOCK_SERVER_OPTIONS"].setdefault("max_message_size", protocol.HARD_MAX_MESSAGE_BYTES)
    app.register_blueprint(bp)
    app.before_request(_admit)
    app.teardown_request(_release)
