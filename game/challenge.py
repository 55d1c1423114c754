"""The daily challenge: one fixed set of 20 trials a day, the same for everyone. Pure."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

from game import rounds

FIRST_DAY = date(2026, 11, 1)  # challenge #1
CHALLENGE_EXPOSURES_MS = (33.3, 50.0, 66.7, 100.0, 150.0, 200.0)  # whole frames at 60 Hz; rounded on other rates


def today(at: float) -> date:
    """Challenges turn over at 00:00 UTC, so everyone plays the same one at the same moment."""
    return datetime.fromtimestamp(at, UTC).date()


def number(day: date) -> int:
    return (day - FIRST_DAY).days + 1


def seed(day: date) -> int:
    return int(day.strftime("%Y%m%d")) * 7919


def plan(day: date) -> list[str]:
    """The emotion of each of the day's 20 trials."""
    return rounds.plan_emotions(random.Random(seed(day)), rounds.TRIALS_PER_DRILL)


def exposure_ms(day: date, position: int) -> float:
    """The day's fixed exposure at a position: shuffled, the same for everyone."""
    rng = random.Random(f"{seed(day)}:exposure:{position}")
    return rng.choice(CHALLENGE_EXPOSURES_MS)


def share_text(day: date, outcomes: list[bool], score: int, title: str = "Glimpse", *,
               fastest_ms: float | None = None, friends_beaten: int = 0, url: str | None = None) -> str:
    """A spoiler-free card: which trials were right, never which emotion they showed.

    :param fastest_ms: the shortest flash caught (the speed reached), if any was
    :param friends_beaten: friends who scored less on this challenge (said only when true)
    :param url: the link back to the game
    """
    squares = "".join("🟩" if right else "⬛" for right in outcomes)
    rows = "\n".join(squares[i:i + 10] for i in range(0, max(len(squares), 1), 10))
    card = f"{title} #{number(day)} · {sum(outcomes)}/{len(outcomes)} · {score} pts\n{rows}"
    brag = []
    if fastest_ms is not None:
        brag.append(f"⚡ caught a {round(fastest_ms)} ms flash")
    if friends_beaten > 0:
        brag.append(f"you beat {friends_beaten} friend{'s' if friends_beaten > 1 else ''} today")
    if brag:
        card += "\n" + " · ".join(brag)
    return card + (f"\n{url}" if url else "")
