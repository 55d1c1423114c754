"""The duel socket ``/ws/duel``: live rooms and challenge links over WebSocket. Transport only.

The rules live in ``game.rooms``; this module keeps the per-process registry of rooms and
their connections (flask-sock has no broadcast), feeds the rooms the server's clock, and
sends what they return. One gevent worker holds every room in memory, so a room's players
must reach the same process (see gunicorn.conf.py). Each room has a driver greenlet that
wakes at the room's next deadline; each connection has a writer greenlet, so a slow phone
never holds up the room.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass, field, replace

import msgspec
from flask import Blueprint, Flask, Response, current_app, g, jsonify, request

from game import duel_protocol, duel_store, fairplay, players, rooms, websocket
from game.db import Pool, pool
from game.duel_protocol import Answer, Create, Join, Leave, PlayChallenge, Pong, Rematch, Start
from game.limits import TooManyPlayers, flooding_refusal, limits
from game.rooms import Room, RoomError
from game.web import COOKIE
from game.websocket import ConnectionClosed
from game.ws import POLICY_VIOLATION, origin_allowed, refused_while_full

bp = Blueprint("duel_socket", __name__)
log = logging.getLogger("glimpse.duels")
SOCKET_PATH = "/ws/duel"
PING_INTERVAL_S = 4.0  # round trips feed the lag credit
IDLE_TIMEOUT_S = 600.0
REMEMBER_CLOSED_S = 6 * 3600.0  # a code that closed this recently is "expired", not "unknown"
MAX_ROOMS = 5000
MAX_DRIVER_SLEEP_S = 30.0
MIN_DRIVER_SLEEP_S = 0.005
_encoder = msgspec.json.Encoder()


def _encode(message: dict) -> str:
    """JSON text for a text frame (msgspec: several times faster than json.dumps, as on /ws)."""
    return _encoder.encode(message).decode()


class Connection:
    """One socket, with its own writer so that a broadcast never waits on a slow phone."""

    def __init__(self, ws, player_id: str) -> None:
        self.ws = ws
        self.player_id = player_id
        self.outbox: queue.Queue[str | None] = queue.Queue()
        self.open = True
        threading.Thread(target=self._write, daemon=True).start()

    def send(self, message: dict | str) -> None:
        if self.open:
            self.outbox.put(message if isinstance(message, str) else _encode(message))

    def _write(self) -> None:
        while (text := self.outbox.get()) is not None:
            try:
                self.ws.send(text)
            except (ConnectionClosed, OSError):
                self.open = False
                return

    def close(self) -> None:
        self.outbox.put(None)


@dataclass
class RoomHandle:
    room: Room
    kind: str = "duel"  # or "challenge": one player against a challenge link's fixed trials
    link_code: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    wake: threading.Event = field(default_factory=threading.Event)
    connections: dict[str, Connection] = field(default_factory=dict)  # by player id
    driven: bool = False


class Hub:
    """Every live room of this process, by code (challenge plays by code and player)."""

    def __init__(self, db_pool: Pool, pace: rooms.Pace, answer_clock_scale: float = 1.0) -> None:
        self.pool = db_pool
        self.pace = pace
        self.answer_clock_scale = answer_clock_scale
        self.rooms: dict[str, RoomHandle] = {}
        self.closed: dict[str, float] = {}
        self.lock = threading.Lock()

    # -- rooms ---------------------------------------------------------------------------

    def open_room(self, now: float) -> RoomHandle:
        with self.lock:
            self._forget_old_codes(now)
            if len(self.rooms) >= MAX_ROOMS:
                raise RoomError("busy", "Too many duels right now; try again in a minute.")
            code = rooms.new_code(lambda c: c in self.rooms or c in self.closed)
            return self._add(code, RoomHandle(Room(code, pace=self.pace, now=now,
                                                   answer_clock_scale=self.answer_clock_scale)))

    def find(self, raw_code: str) -> RoomHandle:
        code = rooms.normalise_code(raw_code)
        handle = self.rooms.get(code)
        if handle is None:
            if code in self.closed:
                raise RoomError("room_expired", "That duel room has closed; open a new one.")
            raise RoomError("unknown_room", "No duel room has that code.")
        return handle

    def has_seat(self, code: str, player_id: str) -> bool:
        """Whether the player holds a seat in the live room with this code, or is playing the challenge link with this
        code (a socket coming back to it is let on by a full worker)."""
        code = code.upper()
        handle = self.rooms.get(code) or self.rooms.get(f"{code}:{player_id}")
        return handle is not None and handle.room.seat_of(player_id) is not None

    def challenge_room(self, link: dict, player_id: str, now: float) -> tuple[RoomHandle, bool]:
        """The player's attempt at a challenge link: their dropped one, or a new one (their only one)."""
        key = f"{link['code']}:{player_id}"
        with self.lock:
            handle = self.rooms.get(key)
            if handle is not None:
                return handle, False
            # Alone, nobody to wait for: a shorter countdown and pause after each reveal.
            pace = replace(self.pace, trials=link["trials"], countdown_s=min(self.pace.countdown_s, 1.5),
                           reveal_s=self.pace.reveal_s / 2)
            room = Room(key, pace=pace, seed=link["seed"], solo=True, now=now,
                        answer_clock_scale=self.answer_clock_scale)
            return self._add(key, RoomHandle(room, kind="challenge", link_code=link["code"])), True

    def _add(self, key: str, handle: RoomHandle) -> RoomHandle:
        self.rooms[key] = handle
        return handle

    def keep_time(self, handle: RoomHandle) -> None:
        """Start the room's clock once someone is in it (an empty room is over)."""
        if not handle.driven:
            handle.driven = True
            threading.Thread(target=self._drive, args=(handle.room.code, handle), daemon=True).start()

    def _forget_old_codes(self, now: float) -> None:
        for code in [c for c, at in self.closed.items() if now - at > REMEMBER_CLOSED_S]:
            del self.closed[code]

    def open_lobbies_hosted_by(self, player_ids: set[str]) -> dict[str, str]:
        """Friends waiting in a lobby: host player id -> room code (for notifications and the friends list)."""
        found = {}
        for code, handle in list(self.rooms.items()):
            room = handle.room
            if handle.kind == "duel" and room.state == "lobby" and room.host in player_ids:
                found[room.host] = code
        return found

    # -- the clock -----------------------------------------------------------------------

    def act(self, handle: RoomHandle, action, *, wake: bool = True) -> None:
        """Run one room action under the room's lock and send what it returns; wake the driver to re-plan."""
        with handle.lock:
            outbox = action(handle.room)
        self.deliver(handle, outbox)
        if wake:
            handle.wake.set()

    def _drive(self, key: str, handle: RoomHandle) -> None:
        """Tick the room at each of its deadlines until it is abandoned."""
        while True:
            with handle.lock:
                now = time.monotonic()
                if handle.room.abandoned(now):
                    break
                deadline = handle.room.next_deadline()
            sleep = MAX_DRIVER_SLEEP_S if deadline is None else deadline - now
            # Never 0: a wait that returns at once never yields, and a stuck deadline would starve the worker.
            handle.wake.wait(min(max(sleep, MIN_DRIVER_SLEEP_S), MAX_DRIVER_SLEEP_S))
            handle.wake.clear()
            try:
                self.act(handle, lambda room: room.tick(time.monotonic()), wake=False)
            except Exception:  # a bug in one room must not stop its clock for good
                log.exception("duel room %s failed to tick", key)
                time.sleep(1)
        with self.lock:
            self.rooms.pop(key, None)
            if handle.kind == "duel":
                self.closed[key] = time.monotonic()

    # -- sending -------------------------------------------------------------------------

    def deliver(self, handle: RoomHandle, outbox: rooms.Outbox) -> None:
        by_seat = {m.seat: m.player_id for m in handle.room.members.values() if m.connected}
        for seat, message in outbox:
            if message["type"] == "done":  # stored first: a page asking for the results right after sees them
                self._keep_results(handle)
            text = _encode(message)  # once per message, whatever the number of recipients
            targets = by_seat.values() if seat is None else [by_seat.get(seat)]
            for player_id in targets:
                connection = handle.connections.get(player_id) if player_id else None
                if connection is not None:
                    connection.send(text)

    def _keep_results(self, handle: RoomHandle) -> None:
        """Weigh every answer for fair play, then store the results: a player it holds stays off the boards."""
        room = handle.room
        with handle.lock:
            evidence = room.take_evidence()
            results = room.results()
            outcomes = {m.player_id: m.outcomes() for m in room.members.values()}
        try:
            with self.pool.connection() as db, db.atomic():
                held = {player_id for player_id, answers in _by_player(evidence).items()
                        if fairplay.observed(db, player_id, answers) in ("held", "banned")}
                held |= {r["playerId"] for r in results if r["playerId"] not in held
                         and fairplay.load(db, r["playerId"])[0] in ("held", "banned")}
                for result in results:
                    if result["playerId"] in held:
                        result["unranked"] = "held"
                if handle.kind == "challenge":
                    for result in results:
                        duel_store.finish_play(db, handle.link_code or "", result["playerId"], result,
                                               outcomes[result["playerId"]])
                else:
                    lasted_s = time.monotonic() - (room.started_at or time.monotonic())
                    duel_store.record_duel(db, room.code, room.seed, len(room.plan), time.time() - lasted_s, results)
        except Exception:
            log.exception("could not store the results of duel room %s", room.code)
        if handle.kind == "challenge":
            with self.lock:  # over: a new attempt is refused from the database, not resumed
                self.rooms.pop(room.code, None)


def _by_player(evidence: list[rooms.Evidence]) -> dict[str, list[tuple[float, bool, float]]]:
    answers: dict[str, list[tuple[float, bool, float]]] = {}
    for item in evidence:
        answers.setdefault(item.player_id, []).append((item.stimulus_ms, item.correct, item.reaction_ms))
    return answers


# -- the socket ------------------------------------------------------------------------------


class Session:
    """One connection's player and the room it is in (at most one)."""

    def __init__(self, hub: Hub, connection: Connection, player: dict) -> None:
        self.hub = hub
        self.connection = connection
        self.player_id = player["id"]
        self.name = player.get("nickname") or ""
        self.handle: RoomHandle | None = None
        self.rtt_ms: float | None = None  # measured before joining, so the first trial already has it

    def handle_message(self, message: duel_protocol.DuelMessage) -> None:
        now = time.monotonic()
        if self.handle is not None and self.handle.connections.get(self.player_id) is not self.connection:
            self.handle = None  # the player took their seat back from a newer connection
        if isinstance(message, Create | Join | PlayChallenge) and self.handle is not None:
            if self.handle.room.state != "done":
                raise RoomError("already_in_room", "Leave this room first.")
            self._leave_finished_room(now)
        if isinstance(message, Create):
            self._enter(self.hub.open_room(now), message.refresh_ms)
        elif isinstance(message, Join):
            self._enter(self.hub.find(message.code), message.refresh_ms, message.rejoin)
        elif isinstance(message, PlayChallenge):
            self._play_challenge(message, now)
        elif isinstance(message, Pong):
            rtt = now * 1000 - message.t
            if 0 <= rtt <= 10_000:  # only pings we could have sent
                self.rtt_ms = rtt if self.rtt_ms is None else 0.75 * self.rtt_ms + 0.25 * rtt
            if self.handle is not None:
                with self.handle.lock:
                    self.handle.room.pong(self.player_id, message.t, now)
        elif isinstance(message, Start):
            self.hub.act(self._room(), lambda room: room.start(self.player_id, now))
        elif isinstance(message, Answer):
            self.hub.act(self._room(), lambda room: room.answer(self.player_id, message.trial_id, message.answer,
                                                                now, message.reaction_ms))
        elif isinstance(message, Rematch):
            self.hub.act(self._room(), lambda room: room.rematch(self.player_id, now))
        elif isinstance(message, Leave):
            handle = self._room()
            self.hub.act(handle, lambda room: room.leave(self.player_id, now))
            handle.connections.pop(self.player_id, None)
            self.handle = None
            self.connection.send({"type": "left"})

    def _leave_finished_room(self, now: float) -> None:
        """On to something else after a duel or challenge is over: that room no longer holds this connection."""
        handle = self.handle
        assert handle is not None
        self.hub.act(handle, lambda room: room.leave(self.player_id, now))  # the last one out closes it
        handle.connections.pop(self.player_id, None)
        self.handle = None

    def _enter(self, handle: RoomHandle, refresh_ms: float, rejoin: str | None = None) -> None:
        def join(room: Room) -> rooms.Outbox:
            outbox = room.join(self.player_id, self.name, refresh_ms, time.monotonic(), rejoin)
            stale = handle.connections.get(self.player_id)
            if stale is not None and stale is not self.connection:
                stale.send({"type": "error", "code": "replaced", "message": "You joined from somewhere else."})
            handle.connections[self.player_id] = self.connection  # registered before anything is sent
            if self.rtt_ms is not None:
                room.members[self.player_id].rtt_ms = self.rtt_ms
            return outbox

        self.hub.act(handle, join)
        self.handle = handle
        self.hub.keep_time(handle)

    def _play_challenge(self, message: PlayChallenge, now: float) -> None:
        with self.hub.pool.connection() as db:
            link = duel_store.get_link(db, message.code)
            handle, fresh = self.hub.challenge_room(link, self.player_id, now)
            if fresh:
                try:
                    duel_store.start_play(db, link["code"], self.player_id, time.time())
                except RoomError:
                    with self.hub.lock:
                        self.hub.rooms.pop(handle.room.code, None)
                    raise
        self._enter(handle, message.refresh_ms)
        if fresh:
            self.hub.act(handle, lambda room: room.start(self.player_id, time.monotonic()))

    def _room(self) -> RoomHandle:
        if self.handle is None:
            raise RoomError("not_in_room", "Open or join a room first.")
        return self.handle

    def disconnect(self) -> None:
        handle = self.handle
        if handle is not None and handle.connections.get(self.player_id) is self.connection:
            del handle.connections[self.player_id]
            self.hub.act(handle, lambda room: room.disconnect(self.player_id, time.monotonic()))


def _error(error: RoomError) -> dict:
    return {"type": "error", "code": error.code, "message": str(error)}


def _admit() -> tuple[Response, int] | None:
    """As the drill socket (game.ws): decided before the upgrade, refused with an HTTP status, never a socket."""
    if request.path != SOCKET_PATH:
        return None
    if not origin_allowed(request.headers.get("Origin"), request.host, current_app.config["ALLOWED_ORIGINS"]):
        return jsonify({"error": "bad_origin", "message": "Cross-origin WebSocket refused."}), 403
    token = request.cookies.get(COOKIE)
    if not players.valid_token(token):
        return jsonify({"error": "no_player", "message": "Reload the page to get a player."}), 403
    held = limits()
    with pool().connection() as db:
        player = players.player_for_token(db, token)
        if (refused := refused_while_full(player, current_app.extensions["glimpse_duels"].has_seat)) is not None:
            return refused  # back to their seat in a live room
        try:  # a challenge link opened straight from a chat app: the player is made by this socket
            player = player or held.admit_new_player(db, token, request.remote_addr)
        except TooManyPlayers:
            return jsonify({"error": "too_many_players",
                            "message": "Too many new players from your address; try again later."}), 429
    if (flooding := flooding_refusal(player["id"])) is not None:
        return flooding
    key = f"duel:{player['id']}"  # counted apart from drill sockets: a phone may hold both
    if held.sockets[key] >= held.sockets_per_player:
        return jsonify({"error": "too_many_sockets",
                        "message": f"At most {held.sockets_per_player} duel connections per player."}), 429
    held.sockets.add(key)  # counted now, before the handshake can yield to the player's next socket
    g.duel_player, g.duel_socket_key = player, key
    return None


def _release(_exc: BaseException | None = None) -> None:
    """The socket's request is over: it no longer counts for its player."""
    key = g.pop("duel_socket_key", None)
    if key is not None:
        limits().sockets.remove(key)


@websocket.route(bp, SOCKET_PATH)
def duel_socket(ws) -> None:
    player: dict = g.duel_player
    connection = Connection(ws, player["id"])
    session = Session(current_app.extensions["glimpse_duels"], connection, player)
    bucket = limits().messages.get(player["id"])  # one budget per player, shared with their drill sockets
    last_ping = last_message = time.monotonic()
    connection.send({"type": "ping", "t": round(last_ping * 1000, 1)})
    try:
        while True:
            raw = ws.receive(timeout=max(0.05, PING_INTERVAL_S - (time.monotonic() - last_ping)))
            now = time.monotonic()
            if now - last_ping >= PING_INTERVAL_S:
                connection.send({"type": "ping", "t": round(now * 1000, 1)})
                last_ping = now
            if raw is None:
                if now - last_message > IDLE_TIMEOUT_S:
                    ws.close(reason=1000, message="Idle for too long")
                    return
                continue
            last_message = now
            if not bucket.allow(now):
                if bucket.overflowing:
                    connection.send({"type": "error", "code": "flooding",
                                     "message": "Too many messages: closing the connection."})
                    time.sleep(0.05)  # let the writer send it
                    ws.close(reason=POLICY_VIOLATION, message="Too many messages")
                    return
                connection.send({"type": "error", "code": "rate_limited", "message": "Slow down."})
                continue
            try:
                session.handle_message(duel_protocol.parse(raw))
            except RoomError as error:
                connection.send(_error(error))
            except Exception:  # a bug must not end the duel for everyone
                current_app.logger.exception("duel socket failed on %.200r", raw)
                connection.send({"type": "error", "code": "server_error", "message": "Something went wrong."})
    except (ConnectionClosed, OSError):
        pass
    finally:
        session.disconnect()
        connection.close()


def pace_from_config(text: str) -> rooms.Pace:
    """``GLIMPSE_DUEL_PACE``, e.g. ``countdown_s=1,reveal_s=0.5,trials=5``: shorter pauses for tests and benches."""
    pace = rooms.Pace()
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = item.partition("=")
        if name not in rooms.Pace.__dataclass_fields__:
            raise ValueError(f"GLIMPSE_DUEL_PACE: unknown setting {name!r}")
        pace = replace(pace, **{name: int(value) if name == "trials" else float(value)})
    return pace


def init_app(app: Flask) -> None:
    app.extensions["glimpse_duels"] = Hub(app.extensions["glimpse_db_pool"], pace_from_config(app.config["DUEL_PACE"]),
                                          app.config["ANSWER_CLOCK_SCALE"])
    app.register_blueprint(bp)
    app.before_request(_admit)
    app.teardown_request(_release)
