"""The duel socket's client messages and their validation. Pure; no I/O.

Documented in docs/protocol.md ("Duel rooms"). Every refusal is a ``RoomError`` with a
machine-readable code, sent back as ``{"type": "error", "code", "message"}``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from game.emotions import EMOTION_KEYS
from game.rooms import RoomError

MAX_MESSAGE_BYTES = 1024
REFRESH_MS_RANGE = (3.0, 60.0)


@dataclass(frozen=True)
class Create:
    refresh_ms: float


@dataclass(frozen=True)
class Join:
    code: str  # as typed; rooms.normalise_code checks it
    refresh_ms: float
    rejoin: str | None = None  # the token of an earlier `joined`: take the seat back from a stale connection


@dataclass(frozen=True)
class Start:
    pass


@dataclass(frozen=True)
class Answer:
    trial_id: str
    answer: str


@dataclass(frozen=True)
class Pong:
    t: float


@dataclass(frozen=True)
class Rematch:
    pass


@dataclass(frozen=True)
class Leave:
    pass


@dataclass(frozen=True)
class PlayChallenge:
    code: str
    refresh_ms: float


DuelMessage = Create | Join | Start | Answer | Pong | Rematch | Leave | PlayChallenge


def _field(body: dict, name: str, kind: type | tuple[type, ...]) -> object:
    if name not in body:
        raise RoomError("missing_field", f"`{name}` is required.")
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, kind):
        raise RoomError("bad_field", f"`{name}` has the wrong type.")
    return value


def _number(body: dict, name: str, low: float, high: float) -> float:
    value = float(_field(body, name, (int, float)))  # type: ignore[arg-type]
    if not (math.isfinite(value) and low <= value <= high):
        raise RoomError("bad_field", f"`{name}` must be between {low:g} and {high:g}.")
    return value


def _text(body: dict, name: str, max_length: int = 32) -> str:
    value = _field(body, name, str)
    assert isinstance(value, str)
    if not 0 < len(value) <= max_length:
        raise RoomError("bad_field", f"`{name}` must be 1-{max_length} characters.")
    return value


def _answer(body: dict) -> Answer:
    answer = _text(body, "answer")
    if answer not in EMOTION_KEYS:
        raise RoomError("bad_answer", f"`answer` must be one of {', '.join(EMOTION_KEYS)}.")
    return Answer(_text(body, "trialId"), answer)


_PARSERS = {
    "create": lambda b: Create(_number(b, "refreshMs", *REFRESH_MS_RANGE)),
    "join": lambda b: Join(_text(b, "code"), _number(b, "refreshMs", *REFRESH_MS_RANGE),
                           _text(b, "rejoin") if "rejoin" in b else None),
    "start": lambda b: Start(),
    "answer": _answer,
    "pong": lambda b: Pong(_number(b, "t", 0, 1e12)),
    "rematch": lambda b: Rematch(),
    "leave": lambda b: Leave(),
    "challenge": lambda b: PlayChallenge(_text(b, "code"), _number(b, "refreshMs", *REFRESH_MS_RANGE)),
}


def parse(raw: str | bytes) -> DuelMessage:
    """One raw socket message to a typed one.

    :raises RoomError: too_large, bad_json, unknown_type, missing_field, bad_field, bad_answer
    """
    if len(raw) > MAX_MESSAGE_BYTES:
        raise RoomError("too_large", f"Messages are limited to {MAX_MESSAGE_BYTES} bytes.")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise RoomError("bad_json", "That message is not valid JSON.") from None
    if not isinstance(body, dict):
        raise RoomError("bad_json", "A message must be a JSON object.")
    kind = body.get("type")
    parser = _PARSERS.get(kind) if isinstance(kind, str) else None
    if parser is None:
        raise RoomError("unknown_type", f"Unknown message type {str(kind)[:32]!r}.")
    return parser(body)
