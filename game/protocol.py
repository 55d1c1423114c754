"""The WebSocket protocol: message shapes and their validation. Pure; no I/O.

Every message is a JSON object with a ``type``. ``docs/protocol.md`` documents
each one; this module is what enforces it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from game.emotions import EMOTION_KEYS

VERSION = 1
# Larger messages get a `too_large` error; the socket itself closes (1009) past
# HARD_MAX_MESSAGE_BYTES, set in the server options.
MAX_MESSAGE_BYTES = 2048
HARD_MAX_MESSAGE_BYTES = 65536

MODES = ("speed", "subtle", "challenge", "scene", "scene-challenge")
REFRESH_MS_RANGE = (3.0, 60.0)  # 333 Hz down to a 16 Hz crawl
REACTION_MS_RANGE = (0.0, 120_000.0)


class ProtocolError(ValueError):
    """A message the server cannot accept. ``code`` is machine-readable; the message is for people."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.details = details

    def to_message(self) -> dict:
        return {"type": "error", "code": self.code, "message": str(self), **self.details}


@dataclass(frozen=True)
class Hello:
    version: int
    time_zone: str | None = None  # IANA name from the browser, for the daily streak


@dataclass(frozen=True)
class Start:
    mode: str
    focus: bool
    refresh_ms: float


@dataclass(frozen=True)
class Resume:
    drill_id: str
    refresh_ms: float


@dataclass(frozen=True)
class Next:
    pass


@dataclass(frozen=True)
class Abandon:
    pass


@dataclass(frozen=True)
class Answer:
    trial_id: str
    answer: str
    frames_shown: int
    refresh_ms: float
    max_gap_ms: float
    reaction_ms: float
    stalled: bool


ClientMessage = Hello | Start | Resume | Next | Abandon | Answer


def _field(body: dict, name: str, kind: type | tuple[type, ...], *, required: bool = True, default: Any = None):
    if name not in body:
        if required:
            raise ProtocolError("missing_field", f"`{name}` is required.", field=name)
        return default
    value = body[name]
    # bool is an int in Python; never accept true where a number is expected.
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise ProtocolError("bad_field", f"`{name}` has the wrong type.", field=name)
    if not isinstance(value, kind):
        raise ProtocolError("bad_field", f"`{name}` has the wrong type.", field=name)
    return value


def _number(body: dict, name: str, low: float, high: float) -> float:
    value = float(_field(body, name, (int, float)))
    if not (math.isfinite(value) and low <= value <= high):
        raise ProtocolError("bad_field", f"`{name}` must be between {low:g} and {high:g}.", field=name)
    return value


def _integer(body: dict, name: str, low: int, high: int) -> int:
    value = _field(body, name, int)
    if not low <= value <= high:
        raise ProtocolError("bad_field", f"`{name}` must be between {low} and {high}.", field=name)
    return value


def _short_text(body: dict, name: str, max_length: int = 64) -> str:
    value = _field(body, name, str)
    if not 0 < len(value) <= max_length:
        raise ProtocolError("bad_field", f"`{name}` must be 1-{max_length} characters.", field=name)
    return value


def parse(raw: str | bytes) -> ClientMessage:
    """Turn one raw WebSocket message into a typed message.

    :raises ProtocolError: for oversized, malformed or ill-typed messages
    """
    if len(raw) > MAX_MESSAGE_BYTES:
        raise ProtocolError("too_large", f"Messages are limited to {MAX_MESSAGE_BYTES} bytes.")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ProtocolError("bad_json", "That message is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ProtocolError("bad_json", "A message must be a JSON object.")
    kind = body.get("type")
    parser = _PARSERS.get(kind) if isinstance(kind, str) else None
    if parser is None:
        raise ProtocolError("unknown_type", f"Unknown message type {str(kind)[:32]!r}.")
    return parser(body)


def _hello(body: dict) -> Hello:
    version = _field(body, "v", int)
    if version != VERSION:
        raise ProtocolError("unsupported_version", f"This server speaks protocol version {VERSION}.",
                            supported=VERSION)
    time_zone = _field(body, "tz", str, required=False)
    if time_zone is not None and not 0 < len(time_zone) <= 64:
        raise ProtocolError("bad_field", "`tz` must be a time zone name.", field="tz")
    return Hello(version, time_zone)


def _start(body: dict) -> Start:
    mode = _field(body, "mode", str, required=False, default="speed")
    if mode not in MODES:
        raise ProtocolError("bad_field", f"`mode` must be one of {', '.join(MODES)}.", field="mode")
    return Start(mode, _field(body, "focus", bool, required=False, default=False),
                 _number(body, "refreshMs", *REFRESH_MS_RANGE))


def _resume(body: dict) -> Resume:
    return Resume(_short_text(body, "drillId"), _number(body, "refreshMs", *REFRESH_MS_RANGE))


def _answer(body: dict) -> Answer:
    answer = _field(body, "answer", str)
    if answer not in EMOTION_KEYS:
        raise ProtocolError("bad_field", f"`answer` must be one of {', '.join(EMOTION_KEYS)}.", field="answer")
    return Answer(
        trial_id=_short_text(body, "trialId"),
        answer=answer,
        frames_shown=_integer(body, "framesShown", 0, 10_000),
        refresh_ms=_number(body, "refreshMs", *REFRESH_MS_RANGE),
        max_gap_ms=_number(body, "maxGapMs", 0, 600_000),
        reaction_ms=_number(body, "reactionMs", *REACTION_MS_RANGE),
        stalled=_field(body, "stalled", bool, required=False, default=False),
    )


_PARSERS = {
    "hello": _hello,
    "start": _start,
    "resume": _resume,
    "next": lambda _body: Next(),
    "abandon": lambda _body: Abandon(),
    "answer": _answer,
}
MESSAGE_TYPES = tuple(_PARSERS)
