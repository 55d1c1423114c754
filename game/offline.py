"""Results played offline and synced later: validation of a sync batch. Pure; no I/O.

The browser plays practice drills on its own when it cannot reach the server
(``static/js/offline/local-server.js``) and queues each answered trial with an
id it generated. A batch is a JSON object ``{"results": [...]}``; each result
names the offline drill it belongs to. The server stores each result once,
keyed on the browser's id, so a batch may be sent any number of times.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from game.emotions import EMOTION_KEYS
from game.protocol import REFRESH_MS_RANGE
from game.zones import is_time_zone

MAX_RESULTS = 200  # ten drills' worth; the browser sends bigger queues in several batches
MAX_AGE_S = 30 * 24 * 3600  # older results are refused: too stale to count for a streak
FUTURE_SKEW_S = 300  # clocks disagree a little; a result from further ahead is forged or broken
TRIALS_PER_DRILL_MAX = 50
MODES = ("speed", "subtle")
FLAGS = (None, "frames", "stall", "refresh")
_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def may_credit_streak(played_at: float, *, last_online: float, credited_on: str | None, sync_day: str) -> bool:
    """Whether an offline drill completed at ``played_at`` may count for the daily streak.

    Offline results are personal progress; a streak is the one thing they could inflate. So a drill counts
    only if it was played after the device's last contact with the server (the account's creation, its
    last live trial or its last sync: the device was really offline then, give or take clock skew), and
    one day of syncing adds at most one streak day (``credited_on`` is the UTC day of the last such credit).
    A forged batch of a month of drills thus earns at most today's day, and only if nothing was online since.
    """
    return played_at > last_online - FUTURE_SKEW_S and credited_on != sync_day


class OfflineBatchError(ValueError):
    """A batch the server refuses whole; ``field`` points at the first bad value."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    def to_json(self) -> dict:
        body = {"error": "bad_batch", "message": str(self)}
        if self.field:
            body["field"] = self.field
        return body


@dataclass(frozen=True)
class OfflineResult:
    """One answered trial as the browser judged it."""

    id: str
    drill_id: str
    drill_total: int
    mode: str
    position: int
    attempt: int
    emotion: str
    answer: str
    identity_seed: int
    intensity: float
    exposure_frames: int
    exposure_ms: float
    frames_shown: int
    refresh_ms: float
    max_gap_ms: float
    reaction_ms: float
    played_at: float  # seconds since the epoch, the browser's clock
    scored: bool
    flag: str | None
    time_zone: str | None

    @property
    def correct(self) -> bool:
        return self.answer == self.emotion

    @property
    def counts(self) -> bool:
        """Scored only if the browser judged the flash valid and its own numbers agree."""
        return self.scored and self.flag is None and self.frames_shown == self.exposure_frames


def parse_batch(body: object, now: float) -> list[OfflineResult]:
    """Check a whole sync batch and return its results.

    :param body: the decoded JSON request body
    :param now: the server's clock, seconds since the epoch
    :raises OfflineBatchError: naming the first bad field; nothing is stored then
    """
    if not isinstance(body, Mapping) or not isinstance(body.get("results"), list):
        raise OfflineBatchError('Send JSON like {"results": [...]}.', "results")
    results = body["results"]
    if len(results) > MAX_RESULTS:
        raise OfflineBatchError(f"At most {MAX_RESULTS} results per batch.", "results")
    parsed = [_parse_result(item, f"results[{index}]", now) for index, item in enumerate(results)]
    ids = [result.id for result in parsed]
    if len(set(ids)) != len(ids):
        raise OfflineBatchError("A result id appears twice in this batch.", "results")
    return parsed


def _parse_result(item: object, where: str, now: float) -> OfflineResult:
    if not isinstance(item, Mapping):
        raise OfflineBatchError("Each result must be an object.", where)
    field = _Fields(item, where)
    total = field.integer("drillTotal", 1, TRIALS_PER_DRILL_MAX)
    played_at = field.number("playedAt", now - MAX_AGE_S, now + FUTURE_SKEW_S,
                             "must be a time within the last 30 days, not in the future")
    return OfflineResult(
        id=field.identifier("id"), drill_id=field.identifier("drillId"), drill_total=total,
        mode=field.choice("mode", MODES), position=field.integer("position", 1, total),
        attempt=field.integer("attempt", 0, 100), emotion=field.choice("emotion", EMOTION_KEYS),
        answer=field.choice("answer", EMOTION_KEYS), identity_seed=field.integer("identitySeed", 0, 2**32 - 1),
        intensity=field.number("intensity", 0.0, 1.0), exposure_frames=field.integer("exposureFrames", 1, 240),
        exposure_ms=field.number("exposureMs", 0.0, 2000.0), frames_shown=field.integer("framesShown", 0, 10_000),
        refresh_ms=field.number("refreshMs", *REFRESH_MS_RANGE), max_gap_ms=field.number("maxGapMs", 0.0, 600_000.0),
        reaction_ms=field.number("reactionMs", 0.0, 600_000.0), played_at=played_at,
        scored=field.boolean("scored"), flag=field.choice("flag", FLAGS), time_zone=field.time_zone("timeZone"),
    )


class _Fields:
    """Typed reads of one result's fields, each raising with the field's full path."""

    def __init__(self, item: Mapping[str, Any], where: str) -> None:
        self.item = item
        self.where = where

    def _get(self, name: str) -> Any:
        if name not in self.item:
            raise OfflineBatchError(f"{name} is missing.", f"{self.where}.{name}")
        return self.item[name]

    def _bad(self, name: str, what: str) -> OfflineBatchError:
        return OfflineBatchError(f"{name} {what}.", f"{self.where}.{name}")

    def identifier(self, name: str) -> str:
        value = self._get(name)
        if not isinstance(value, str) or not _ID.match(value):
            raise self._bad(name, "must be an id of 8-64 letters, digits, - or _")
        return value

    def integer(self, name: str, low: int, high: int) -> int:
        value = self._get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self._bad(name, f"must be a whole number from {low} to {high}")
        return value

    def number(self, name: str, low: float, high: float, what: str | None = None) -> float:
        value = self._get(name)
        if (isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
                or not low <= value <= high):
            raise self._bad(name, what or f"must be a number from {low:g} to {high:g}")
        return float(value)

    def boolean(self, name: str) -> bool:
        value = self._get(name)
        if not isinstance(value, bool):
            raise self._bad(name, "must be true or false")
        return value

    def choice(self, name: str, allowed: tuple) -> Any:
        value = self.item.get(name)
        if value not in allowed or (value is None and None not in allowed):
            shown = ", ".join("null" if a is None else a for a in allowed)
            raise self._bad(name, f"must be one of {shown}")
        return value

    def time_zone(self, name: str) -> str | None:
        value = self.item.get(name)
        if value is None:
            return None
        if not is_time_zone(value):  # a folder such as "America" is no zone (ZoneInfo would raise OSError)
            raise self._bad(name, "must be an IANA time zone name")
        return value
