"""What the crowd learned, anonymously: checkup gains by amount of training, and what fades after a break.

Pure: takes each player's checkups and training drills (no ids) and returns only aggregates. A cell
is shown only when at least ``MIN_PLAYERS`` different players are in it, and each player counts at
most once per cell, so no figure describes a person.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

MIN_PLAYERS = 20
BREAK_S = 14 * 86_400.0  # "without play": no drill and no checkup for two weeks
# Training drills between a player's first checkup and a later one.
TRAINING_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 0), (1, 4), (5, 14), (15, 39), (40, None))


@dataclass(frozen=True)
class History:
    """One player's checkups ``(started_at, share right 0-1)`` (one form, oldest first) and training drill starts."""

    checkups: tuple[tuple[float, float], ...]
    drills: tuple[float, ...]


def bucket_label(low: int, high: int | None) -> str:
    if high == low:
        return "no drills" if low == 0 else f"{low} drills"
    return f"{low}+ drills" if high is None else f"{low}–{high} drills"


def _cell(values: list[float], min_players: int) -> dict:
    """Median and quartiles in points, or only the count when too few players to show."""
    if len(values) < min_players:
        return {"players": len(values), "shown": False}
    q1, median, q3 = statistics.quantiles(values * 2 if len(values) == 1 else values, n=4, method="inclusive")
    return {"players": len(values), "shown": True, "median": round(median, 1), "q1": round(q1, 1),
            "q3": round(q3, 1)}


def report(histories: list[History], min_players: int = MIN_PLAYERS) -> dict:
    """The crowd's figures, JSON-ready.

    ``gains``: per training bucket, the change in points from a player's first checkup to their latest
    checkup with that much training since the first. ``fade``: for players who came back after two
    weeks or more without play, the change from their last checkup before the break to the first after
    it, next to the gain they had before the break.

    :param histories: one per player who took at least one checkup
    :param min_players: smallest number of players a shown cell may have
    """
    by_bucket: dict[tuple[int, int | None], list[float]] = {b: [] for b in TRAINING_BUCKETS}
    faded, gained_before = [], []
    for history in histories:
        if len(history.checkups) < 2:
            continue
        first_at, first_rate = history.checkups[0]
        latest_in_bucket: dict[tuple[int, int | None], float] = {}
        for at, rate in history.checkups[1:]:
            drills = sum(first_at <= d < at for d in history.drills)
            for low, high in TRAINING_BUCKETS:
                if drills >= low and (high is None or drills <= high):
                    latest_in_bucket[(low, high)] = 100 * (rate - first_rate)
        for key, gain in latest_in_bucket.items():
            by_bucket[key].append(gain)
        for (before_at, before_rate), (after_at, after_rate) in zip(history.checkups, history.checkups[1:],
                                                                    strict=False):
            last_play = max([before_at, *(d for d in history.drills if d < after_at)])
            if after_at - last_play >= BREAK_S:
                faded.append(100 * (after_rate - before_rate))
                gained_before.append(100 * (before_rate - first_rate))
                break  # one break per player
    return {
        "minPlayers": min_players,
        "players": len(histories),
        "gains": [{"training": bucket_label(*b), **_cell(values, min_players)} for b, values in by_bucket.items()],
        "fade": {"change": _cell(faded, min_players), "gainBefore": _cell(gained_before, min_players)},
    }


def lines(figures: dict) -> list[str]:
    """The report as plain text for the operator's terminal."""
    out = [f"Checkup gains, {figures['players']} players with a checkup (cells need >= {figures['minPlayers']} "
           "players)", f"{'training since first checkup':<30} {'players':>7} {'median':>8} {'q1':>7} {'q3':>7}"]
    for row in figures["gains"]:
        tail = (f"{row['median']:+8.1f} {row['q1']:+7.1f} {row['q3']:+7.1f}" if row["shown"]
                else f"{'too few players to show':>24}")
        out.append(f"{row['training']:<30} {row['players']:>7} {tail}")
    change, before = figures["fade"]["change"], figures["fade"]["gainBefore"]
    if change["shown"]:
        out.append(f"after 2+ weeks without play ({change['players']} players): median change {change['median']:+.1f} "
                   f"points since the last checkup before the break (gain before the break: {before['median']:+.1f})")
    else:
        out.append(f"after 2+ weeks without play: {change['players']} players, too few to show")
    return out
