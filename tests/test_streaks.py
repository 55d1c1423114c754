"""Daily streak rules, directly, and the zone a hello keeps for them."""

import secrets
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from conftest import InProcessSocket, StoppedClock

from game import create_app, players
from game.db import pool
from game.streaks import DRILLS_PER_FREEZE, MAX_FREEZES, Streak, credit, status, zone

PARIS, TOKYO, NEW_YORK = ZoneInfo("Europe/Paris"), ZoneInfo("Asia/Tokyo"), ZoneInfo("America/New_York")


def at(day: str, hour: int, tz: ZoneInfo = PARIS) -> float:
    d = date.fromisoformat(day)
    return datetime(d.year, d.month, d.day, hour, tzinfo=tz).timestamp()


def play(streak: Streak, *moments: float, tz: ZoneInfo = PARIS) -> Streak:
    for moment in moments:
        streak = credit(streak, moment, tz)
    return streak


def test_consecutive_days_grow_the_streak_and_a_second_drill_the_same_day_does_not() -> None:
    streak = play(Streak(), at("2026-11-20", 9), at("2026-11-20", 22), at("2026-11-21", 8), at("2026-11-22", 23))
    assert (streak.days, streak.longest, streak.last_day) == (3, 3, date(2026, 11, 22))


def test_a_missed_day_restarts_the_streak_but_keeps_the_longest() -> None:
    streak = play(Streak(), at("2026-11-20", 9), at("2026-11-21", 9), at("2026-11-23", 9))
    assert (streak.days, streak.longest) == (1, 2)


def test_freezes_are_earned_by_play_held_at_most_two_and_spent_on_missed_days() -> None:
    streak = play(Streak(), *[at("2026-11-01", 8 + h) for h in range(DRILLS_PER_FREEZE * 3)])
    assert streak.freezes == MAX_FREEZES and streak.days == 1
    streak = play(streak, at("2026-11-03", 9))  # missed the 2nd: one freeze spent
    assert (streak.days, streak.freezes) == (2, 1)
    streak = play(streak, at("2026-11-06", 9))  # missed two days with one freeze left: restart
    assert (streak.days, streak.freezes) == (1, 1)


def test_changing_zone_cannot_gain_a_day() -> None:
    paris_evening = at("2026-11-20", 20)
    streak = play(Streak(), paris_evening)
    # An hour later "in Tokyo" it is already the 21st there: not a new day.
    streak = credit(streak, paris_evening + 3600, TOKYO)
    assert streak.days == 1
    # The next real day, anywhere, counts.
    streak = credit(streak, at("2026-11-21", 20), NEW_YORK)
    assert streak.days == 2


def test_the_home_screen_status() -> None:
    streak = play(Streak(), at("2026-11-20", 9), at("2026-11-21", 9))
    assert status(streak, at("2026-11-21", 23), PARIS) == {"days": 2, "todayDone": True, "longest": 2,
                                                            "freezes": 0, "freezesNeeded": 0}
    assert status(streak, at("2026-11-22", 10), PARIS)["days"] == 2  # not done yet today, still alive
    assert status(streak, at("2026-11-24", 10), PARIS)["days"] == 0  # broken
    assert status(Streak(), at("2026-11-24", 10), PARIS)["days"] == 0


def test_unknown_zones_fall_back_to_utc() -> None:
    utc = ZoneInfo("UTC")
    assert zone("Mars/Olympus") == utc and zone(None) == utc and zone("../etc") == utc
    assert zone("Asia/Kolkata") == ZoneInfo("Asia/Kolkata")


def test_each_hello_keeps_the_zone_the_home_screens_day_is_counted_in(tmp_path: Path) -> None:
    """A hello that names the same zone as before writes nothing (game.drills ``welcome``); one naming another zone
    moves the player's day there, as the streak on the home screen shows."""
    app = create_app({"DATABASE": str(tmp_path / "zones.db"), "TESTING": True})
    clock = StoppedClock()  # 2027-01-15 08:00 UTC: the 15th at Kiritimati (UTC+14), the 14th at Pago Pago (UTC-11)
    with app.app_context():
        with pool().connection() as db:
            player, _token = players.create_player(db, secrets.token_urlsafe(32))
            db["players"].update(player["id"], {"daily_streak": 3, "longest_streak": 3, "last_play_day": "2027-01-14"})
        socket = InProcessSocket(player["id"], clock)

        def today_done(tz: str) -> bool:
            streak = socket.send({"type": "hello", "v": 1, "tz": tz})[0]["streak"]
            assert streak["days"] == 3
            return streak["todayDone"]

        assert [today_done(tz) for tz in ("Pacific/Kiritimati", "Pacific/Kiritimati", "Pacific/Pago_Pago",
                                          "Pacific/Pago_Pago", "Pacific/Kiritimati")] == [False, False, True, True,
                                                                                          False]
        with pool().connection() as db:
            assert db["players"].get(player["id"])["time_zone"] == "Pacific/Kiritimati"
