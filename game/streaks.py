"""Daily streaks with freezes. The rules are pure; ``credit_day`` applies them to a player row.

A day counts when the player completes a drill (live or offline) on it, in the
player's own time zone. Changing zone cannot gain a day: a new day counts only
once 24 real hours have passed since the previous counted day began.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlite_utils import Database
from sqlite_utils.db import NotFoundError

from game.zones import zone_or_utc

MAX_FREEZES = 2
DRILLS_PER_FREEZE = 5  # completed drills that earn one freeze
DAY_S = 24 * 3600


@dataclass(frozen=True)
class Streak:
    days: int = 0
    longest: int = 0
    last_day: date | None = None
    last_day_start: float | None = None  # UTC timestamp of the start of last_day in its zone
    freezes: int = 0
    freeze_progress: int = 0


def zone(name: object) -> ZoneInfo:
    """The player's zone, or UTC for anything that is not a known IANA name."""
    return zone_or_utc(name)


def local_day(at: float, tz: ZoneInfo) -> tuple[date, float]:
    """The calendar day of an instant in a zone, and when that day began (UTC timestamp)."""
    day = datetime.fromtimestamp(at, tz).date()
    return day, datetime(day.year, day.month, day.day, tzinfo=tz).timestamp()


def credit(streak: Streak, at: float, tz: ZoneInfo) -> Streak:
    """The streak after a drill completed at ``at``: a new day, a repeat, or a restart."""
    earned = streak.freeze_progress + 1 >= DRILLS_PER_FREEZE
    streak = replace(
        streak,
        freezes=min(MAX_FREEZES, streak.freezes + 1) if earned else streak.freezes,
        freeze_progress=0 if earned else streak.freeze_progress + 1,
    )
    day, day_start = local_day(at, tz)
    if streak.last_day is not None and streak.last_day_start is not None:
        if day <= streak.last_day or at < streak.last_day_start + DAY_S:
            return streak  # today already counts (or a zone change tries to make it tomorrow)
        missed = (day - streak.last_day).days - 1
        if missed <= streak.freezes:
            days, freezes = streak.days + 1, streak.freezes - max(missed, 0)
        else:
            days, freezes = 1, streak.freezes
    else:
        days, freezes = 1, streak.freezes
    return replace(streak, days=days, longest=max(streak.longest, days), last_day=day, last_day_start=day_start,
                   freezes=freezes)


def status(streak: Streak, now: float, tz: ZoneInfo) -> dict:
    """What the home screen shows: the streak as it stands today, whether today is done."""
    today, _ = local_day(now, tz)
    if streak.last_day is None:
        return {"days": 0, "todayDone": False, "longest": streak.longest, "freezes": streak.freezes,
                "freezesNeeded": 0}
    today_done = streak.last_day >= today
    missed = (today - streak.last_day).days - 1
    alive = today_done or missed <= streak.freezes
    return {"days": streak.days if alive else 0, "todayDone": today_done, "longest": streak.longest,
            "freezes": streak.freezes, "freezesNeeded": max(missed, 0) if alive else 0}


def _from_row(row: dict) -> Streak:
    last = row.get("last_play_day")
    return Streak(days=row["daily_streak"], longest=row["longest_streak"],
                  last_day=date.fromisoformat(last) if last else None, last_day_start=row.get("last_play_day_start"),
                  freezes=row["freezes"], freeze_progress=row["freeze_progress"])


_COLUMNS = ("daily_streak", "longest_streak", "last_play_day", "last_play_day_start", "freezes", "freeze_progress",
            "time_zone")
_LOAD = f"SELECT {', '.join(_COLUMNS)} FROM players WHERE id = ?"


def load(db: Database, player_id: str) -> tuple[Streak, ZoneInfo]:
    """:raises NotFoundError: no such player"""
    # Plain SQL: sqlite-utils' get() cost 20 µs where the SELECT costs 5 (every hello and every drill's end).
    values = db.execute(_LOAD, [player_id]).fetchone()
    if values is None:
        raise NotFoundError
    row = dict(zip(_COLUMNS, values, strict=True))
    return _from_row(row), zone(row["time_zone"])


def credit_day(db: Database, player_id: str, played_at: float | None = None,
               time_zone: str | None = None) -> tuple[Streak, ZoneInfo]:
    """Count a completed drill toward the player's daily streak; the caller holds the transaction. Returns the streak
    and the zone it counted the day in.

    :param played_at: when the drill was completed (default: now)
    :param time_zone: the zone the browser reported then (default: the player's stored zone)
    """
    streak, stored_zone = load(db, player_id)
    tz = zone(time_zone) if time_zone else stored_zone
    updated = credit(streak, time.time() if played_at is None else played_at, tz)
    # Plain SQL: sqlite-utils' update() reads the whole row again first (load() above already found it).
    db.execute(
        "UPDATE players SET daily_streak = ?, longest_streak = ?, last_play_day = ?, last_play_day_start = ?, "
        "freezes = ?, freeze_progress = ? WHERE id = ?",
        [updated.days, updated.longest, updated.last_day.isoformat() if updated.last_day else None,
         updated.last_day_start, updated.freezes, updated.freeze_progress, player_id])
    return updated, tz
