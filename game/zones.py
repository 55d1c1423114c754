"""IANA time zone names, checked against the installed tz database. Pure; no I/O after import.

``ZoneInfo(name)`` is not a safe check on its own: a folder of the database ("America",
"__pycache__") raises IsADirectoryError, and odd strings reach the file system. A
membership test against the list of real zones answers every string without an exception.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, available_timezones

_ZONES = frozenset(available_timezones()) | {"UTC"}


def is_time_zone(name: object) -> bool:
    return isinstance(name, str) and name in _ZONES


def zone_or_utc(name: object) -> ZoneInfo:
    """The zone of that name, or UTC for anything that is not one (ZoneInfo caches each zone)."""
    return ZoneInfo(name if is_time_zone(name) else "UTC")  # type: ignore[arg-type]
