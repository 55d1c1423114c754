"""Per-player and per-address limits that hold across every socket and request of this worker.

One worker holds all live state (see gunicorn.conf.py), so plain dictionaries suffice. Each limit
is configurable (``GLIMPSE_*`` variables, see README) so a test server can play many players from
one loopback address; the defaults are the production ones.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from flask import Response, current_app, jsonify
from sqlite_utils import Database

from game import players
from game.throttle import Counter, KeyedBuckets, address_key


class TooManyPlayers(Exception):
    """This address made too many new players lately."""


@dataclass
class Limits:
    sockets_per_player: int = 3
    new_players_per_minute: float = 30.0  # per address: a classroom behind one NAT still fits
    message_rate: float = 20.0  # per player, all sockets together
    message_burst: float = 120.0  # two whole drills played back to back by a fast script
    friend_rate: float = 0.1  # friend requests per player: a handful at once, then one per 10 s
    friend_burst: float = 5.0
    address_friend_requests_per_minute: float = 60.0  # and per address, for many players behind one address
    sockets: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.new_players = KeyedBuckets(rate=self.new_players_per_minute / 60, burst=self.new_players_per_minute)
        self.messages = KeyedBuckets(rate=self.message_rate, burst=self.message_burst)
        self.friend_requests = KeyedBuckets(rate=self.friend_rate, burst=self.friend_burst, patience=1_000_000)
        self.address_friend_requests = KeyedBuckets(rate=self.address_friend_requests_per_minute / 60,
                                                    burst=self.address_friend_requests_per_minute, patience=1_000_000)

    def admit_new_player(self, db: Database, token: str, address: str | None) -> dict:
        """Create the player for a token, if this address has not made too many lately.

        :raises TooManyPlayers: past ``new_players_per_minute`` from one address
        """
        if not self.new_players.allow(address_key(address), time.monotonic()):
            raise TooManyPlayers
        return players.create_player(db, token)[0]


def flooding_refusal(player_id: str) -> tuple[Response, int] | None:
    """HTTP 429 ``flooding`` with Retry-After for a player closed for flooding whose budget has not refilled (checked
    before any socket's upgrade: the drill and the duel socket share the budget), else None."""
    cooling = limits().messages.get(player_id).cooling(time.monotonic())
    if cooling <= 0:
        return None
    response = jsonify({"error": "flooding", "message": "Too many messages: wait before reconnecting."})
    response.headers["Retry-After"] = str(math.ceil(cooling))
    return response, 429


def limits() -> Limits:
    return current_app.extensions["glimpse_limits"]


def from_config(config: dict) -> Limits:
    return Limits(sockets_per_player=int(config["SOCKETS_PER_PLAYER"]),
                  new_players_per_minute=float(config["NEW_PLAYERS_PER_MINUTE"]),
                  address_friend_requests_per_minute=float(config["FRIEND_REQUESTS_PER_ADDRESS_MINUTE"]))
