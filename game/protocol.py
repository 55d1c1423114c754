"""The WebSocket protocol: message shapes and their validation. Pure; no I/O.

Every message is a JSON object with a ``type``. ``docs/protocol.md`` documents
each one; this module is what enforces it. Each shape is a msgspec Struct: one
C pass decodes and type-checks a message (ranges, lengths, patterns, strict
bools), and hostile JSON (deep nesting, 400-digit numbers, lone surrogates)
becomes a ``ProtocolError`` with a code instead of an exception from deep inside.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import msgspec

from game.emotions import EMOTION_KEYS
from game.zones import is_time_zone

VERSION = 1
# Larger messages get a `too_large` error; the socket itself closes (1009) past
# HARD_MAX_MESSAGE_BYTES, set in the server options. Both count UTF-8 bytes.
MAX_MESSAGE_BYTES = 2048
HARD_MAX_MESSAGE_BYTES = 65536

MODES = ("speed", "subtle", "challenge", "checkup", "scene", "scene-challenge")
REFRESH_MS_RANGE = (4.0, 60.0)  # 250 Hz (a 240 Hz display, measured with slack) down to a 16 Hz crawl
REACTION_MS_RANGE = (0.0, 120_000.0)
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"  # the ids the server hands out (token_urlsafe) and nothing else


class ProtocolError(ValueError):
    """A message the server cannot accept. ``code`` is machine-readable; the message is for people."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.details = details

    def to_message(self) -> dict:
        return {"type": "error", "code": self.code, "message": str(self), **self.details}


def _range(low: float, high: float) -> msgspec.Meta:
    return msgspec.Meta(ge=low, le=high)


Id = Annotated[str, msgspec.Meta(pattern=ID_PATTERN)]
RefreshMs = Annotated[float, _range(*REFRESH_MS_RANGE)]


class _Message(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", rename="camel", gc=False):
    """Unknown fields are ignored (a newer client may send more); known ones are strictly typed. Scalars only, so
    never in a cycle: untracked by the collector (``gc=False``), which then never walks a message kept by a drill."""


class Hello(_Message, tag="hello", kw_only=True):
    version: int = msgspec.field(name="v")
    time_zone: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = msgspec.field(default=None,
                                                                                                 name="tz")


class Start(_Message, tag="start", kw_only=True):
    mode: Literal[MODES] = "speed"  # type: ignore[valid-type]
    focus: bool = False
    refresh_ms: RefreshMs


class Resume(_Message, tag="resume", kw_only=True):
    drill_id: Id
    refresh_ms: RefreshMs


class Next(_Message, tag="next", kw_only=True):
    pass


class Abandon(_Message, tag="abandon", kw_only=True):
    pass


class Answer(_Message, tag="answer", kw_only=True):
    trial_id: Id
    answer: Literal[tuple(EMOTION_KEYS)]  # type: ignore[valid-type]
    frames_shown: Annotated[int, _range(0, 10_000)]
    refresh_ms: RefreshMs
    max_gap_ms: Annotated[float, _range(0, 600_000)]
    reaction_ms: Annotated[float, _range(*REACTION_MS_RANGE)]
    stalled: bool = False


ClientMessage = Hello | Start | Resume | Next | Abandon | Answer
MESSAGE_TYPES = ("hello", "start", "resume", "next", "abandon", "answer")
_decoder = msgspec.json.Decoder(ClientMessage)

# What a player's client is told about each field when it is out of range or of the wrong type.
FIELD_RULES = {
    "v": f"must be {VERSION}",
    "tz": "must be an IANA time zone name",
    "mode": f"must be one of {', '.join(MODES)}",
    "focus": "must be true or false",
    "refreshMs": f"must be between {REFRESH_MS_RANGE[0]:g} and {REFRESH_MS_RANGE[1]:g}",
    "drillId": "must be an id the server sent",
    "trialId": "must be an id the server sent",
    "answer": f"must be one of {', '.join(EMOTION_KEYS)}",
    "framesShown": "must be a whole number between 0 and 10000",
    "maxGapMs": "must be between 0 and 600000",
    "reactionMs": f"must be between {REACTION_MS_RANGE[0]:g} and {REACTION_MS_RANGE[1]:g}",
    "stalled": "must be true or false",
}
_MISSING = re.compile(r"^Object missing required field `(?P<field>[^`]+)`")
_AT_FIELD = re.compile(r" - at `\$\.(?P<field>[A-Za-z]+)`$")


def parse(raw: str | bytes) -> ClientMessage:
    """Turn one raw WebSocket message into a typed message.

    :raises ProtocolError: for oversized, malformed or ill-typed messages
    """
    # A character is 1-4 UTF-8 bytes: only count bytes when the character count cannot decide.
    if len(raw) > MAX_MESSAGE_BYTES or (isinstance(raw, str) and len(raw) * 4 > MAX_MESSAGE_BYTES
                                        and len(raw.encode("utf-8", "surrogatepass")) > MAX_MESSAGE_BYTES):
        raise ProtocolError("too_large", f"Messages are limited to {MAX_MESSAGE_BYTES} bytes.")
    try:
        message = _decoder.decode(raw)
    except msgspec.ValidationError as error:
        raise explain(str(error)) from None
    except (msgspec.DecodeError, UnicodeEncodeError):  # a str with a lone surrogate cannot even be UTF-8
        raise ProtocolError("bad_json", "That message is not valid JSON.") from None
    except RecursionError:
        raise ProtocolError("bad_json", "That message is nested too deeply.") from None
    if isinstance(message, Hello):
        if message.version != VERSION:
            raise ProtocolError("unsupported_version", f"This server speaks protocol version {VERSION}.",
                                supported=VERSION)
        if message.time_zone is not None and not is_time_zone(message.time_zone):
            raise _bad_field("tz")
    return message


def explain(reason: str, message_types: tuple[str, ...] = MESSAGE_TYPES,
            field_rules: dict[str, str] = FIELD_RULES) -> ProtocolError:
    """A msgspec validation message, as the protocol's error codes (the duel socket shares them)."""
    if reason.startswith("Expected `object`"):
        return ProtocolError("bad_json", "A message must be a JSON object.")
    missing = _MISSING.match(reason)
    if missing:
        field = missing["field"]
        if field == "type":
            return ProtocolError("unknown_type", "A message needs a `type`.")
        return ProtocolError("missing_field", f"`{field}` is required.", field=field)
    at = _AT_FIELD.search(reason)
    if at is None:
        return ProtocolError("bad_json", "That message does not have the shape of any message.")
    field = at["field"]
    if field == "type":
        return ProtocolError("unknown_type", f"Unknown message type; one of {', '.join(message_types)}.")
    return _bad_field(field, field_rules)


def _bad_field(field: str, field_rules: dict[str, str] = FIELD_RULES) -> ProtocolError:
    rule = field_rules.get(field, "has the wrong type")
    return ProtocolError("bad_field", f"`{field}` {rule}.", field=field)
