"""Daily streak rules, directly."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

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
