"""The duel socket's client messages and their validation. Pure; no I/O.

Documented in docs/protocol.md ("Duel rooms"). Shapes are msgspec Structs, as on the drill socket
(``game.protocol``): one C pass decodes and type-checks a message, and hostile JSON becomes an error
code. Every refusal is a ``RoomError``, sent back as ``{"type": "error", "code", "message"}``.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from game import protocol
from game.emotions import EMOTION_KEYS
from game.protocol import ID_PATTERN, REACTION_MS_RANGE, ProtocolError, RefreshMs
from game.rooms import RoomError

MAX_MESSAGE_BYTES = 1024

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]  # as typed; rooms.normalise_code checks it
Id = Annotated[str, msgspec.Meta(pattern=ID_PATTERN)]


class _Message(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", rename="camel"):
    """Unknown fields are ignored (a newer client may send more); known ones are strictly typed."""


class Create(_Message, tag="create", kw_only=True):
    refresh_ms: RefreshMs


class Join(_Message, tag="join", kw_only=True):
    code: Code
    refresh_ms: RefreshMs
    rejoin: Id | None = None  # the token of an earlier `joined`: take the seat back from a stale connection


class Start(_Message, tag="start", kw_only=True):
    pass


class Answer(_Message, tag="answer", kw_only=True):
    trial_id: Id
    answer: Literal[tuple(EMOTION_KEYS)]  # type: ignore[valid-type]
    # From the answer buttons appearing to the tap, as the phone measured it (fair-play evidence, as in drills).
    reaction_ms: Annotated[float, msgspec.Meta(ge=REACTION_MS_RANGE[0], le=REACTION_MS_RANGE[1])] | None = None


class Pong(_Message, tag="pong", kw_only=True):
    t: Annotated[float, msgspec.Meta(ge=0, le=1e12)]


class Rematch(_Message, tag="rematch", kw_only=True):
    pass


class Leave(_Message, tag="leave", kw_only=True):
    pass


class PlayChallenge(_Message, tag="challenge", kw_only=True):
    code: Code
    refresh_ms: RefreshMs


DuelMessage = Create | Join | Start | Answer | Pong | Rematch | Leave | PlayChallenge
MESSAGE_TYPES = ("create", "join", "start", "answer", "pong", "rematch", "leave", "challenge")
_decoder = msgspec.json.Decoder(DuelMessage)
FIELD_RULES = {**protocol.FIELD_RULES, "code": "must be 1-32 characters", "rejoin": "must be a token the server sent",
               "t": "must be the `t` of a ping"}


def parse(raw: str | bytes) -> DuelMessage:
    """One raw socket message to a typed one.

    :raises RoomError: too_large, bad_json, unknown_type, missing_field, bad_field
    """
    if len(raw) > MAX_MESSAGE_BYTES or (isinstance(raw, str) and len(raw) * 4 > MAX_MESSAGE_BYTES
                                        and len(raw.encode("utf-8", "surrogatepass")) > MAX_MESSAGE_BYTES):
        raise RoomError("too_large", f"Messages are limited to {MAX_MESSAGE_BYTES} bytes.")
    try:
        return _decoder.decode(raw)
    except msgspec.ValidationError as error:
        raise _room_error(protocol.explain(str(error), MESSAGE_TYPES, FIELD_RULES)) from None
    except (msgspec.DecodeError, UnicodeEncodeError):
        raise RoomError("bad_json", "That message is not valid JSON.") from None
    except RecursionError:
        raise RoomError("bad_json", "That message is nested too deeply.") from None


def _room_error(error: ProtocolError) -> RoomError:
    return RoomError(error.code, str(error))
