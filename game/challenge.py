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


def share_text(day: date, outcomes: list[bool], score: int, title: str = "Glimpse") -> str:
    """A spoiler-free card: which trials were right, never which emotion they showed."""
    squares = "".join("🟩" if right else "⬛" for right in outcomes)
    rows = "\n".join(squares[i:i + 10] for i in range(0, max(len(squares), 1), 10))
    return f"{title} #{number(day)} · {sum(outcomes)}/{len(outcomes)} · {score} pts\n{rows}"
