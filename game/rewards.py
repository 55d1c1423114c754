"""Points, answer streaks, daily streaks and boards, written in the transaction of the trial that earns them."""

from __future__ import annotations

from datetime import date

from flask import has_request_context, request
from sqlite_utils import Database

from game import boards, challenge, fairplay, inbox, rounds, scoring, streaks
from game.staircase import Staircase

CHALLENGE_KINDS = ("challenge", "scene-challenge")


def points_for(trial: dict, correct: bool, streak: int) -> tuple[int, int]:
    """A counted answer's points and the answer streak after it, from the streak before it."""
    # A 240 Hz screen shows shorter flashes than a 60 Hz one; points do not reward the hardware.
    exposure_ms = max(trial["exposure_ms"], rounds.RANKED_EXPOSURE_FLOOR_MS)
    return scoring.score_answer(correct, streak, exposure_ms, trial["intensity"])


def bank_best_streak(db: Database, player_id: str, streak: int) -> None:
    """The player's best answer streak, if this one beats it; the caller holds the transaction."""
    if streak:  # a missed answer (streak 0) can beat no best
        db.execute("UPDATE players SET best_answer_streak = MAX(best_answer_streak, ?) WHERE id = ?",
                   [streak, player_id])


def finish_drill(db: Database, drill: dict, at: float, overall: Staircase | None, answered: int,
                 fair_play: fairplay.Written | None = None) -> tuple[dict, fairplay.Written]:
    """A drill was completed: bank its points, count the day, update the boards. Returns what the summary shows
    and the player's fair-play row as written (``fairplay.drill_completed``; ``answered``: the drill's scored answers,
    ``fair_play``: the row as the socket holds it).

    Only completed live drills reach a board; offline practice never calls this. A drill with an
    inhumanly fast answer (``drills.unranked``) counts for the player alone; the fair-play check
    runs first, so a player it holds is hidden before anything is banked.
    """
    player_id = drill["player_id"]
    points, best, unranked = db.execute("SELECT points, best_answer_streak, unranked FROM drills WHERE id = ?",
                                        [drill["id"]]).fetchone()
    db.execute("UPDATE players SET points = points + ? WHERE id = ?", [points, player_id])
    written = fairplay.drill_completed(db, player_id, drill["id"], answered, at, points, fair_play)
    if unranked is None:
        boards.add_points(db, boards.week_board(at), player_id, points)
        if drill.get("kind") in CHALLENGE_KINDS and drill.get("ranked"):
            boards.set_score(db, boards.challenge_board(date.fromisoformat(drill["challenge_day"]), drill["kind"]),
                             player_id, points, at)
        if overall is not None and overall.axis == "exposure" and overall.trials >= boards.SKILL_MIN_TRIALS:
            boards.set_score(db, boards.SKILL, player_id, boards.skill_score(overall.threshold().value), at)
    streak, tz = streaks.credit_day(db, player_id, at)  # in the player's stored zone
    local_day = streak.last_day.isoformat() if streak.last_day else None
    db.execute("UPDATE drills SET local_day = ? WHERE id = ?", [local_day, drill["id"]])
    return {"points": points, "bestAnswerStreak": best, "unranked": unranked,
            "streak": streaks.status(streak, at, tz)}, written


def challenge_result(db: Database, drill: dict) -> dict:
    """Rank, percentile, histogram and share card of a finished daily challenge."""
    day = date.fromisoformat(drill["challenge_day"])
    board = boards.challenge_board(day, drill["kind"])
    rows = db.execute("SELECT correct, exposure_ms FROM trials WHERE drill_id = ? AND scored = 1 ORDER BY position",
                      [drill["id"]]).fetchall()
    outcomes = [bool(correct) for correct, _ in rows]
    caught = [exposure_ms for correct, exposure_ms in rows if correct]
    points, unranked = db.execute("SELECT points, unranked FROM drills WHERE id = ?", [drill["id"]]).fetchone()
    ranked = bool(drill.get("ranked")) and unranked is None
    flashes = drill["kind"] == "challenge"
    beaten = inbox.friends_beaten_today(db, drill["player_id"], day) if ranked and flashes else 0
    url = request.host_url if has_request_context() else None  # the card links back to the game
    return {"number": challenge.number(day), "ranked": ranked,
            "unranked": unranked if drill.get("ranked") else None,
            "standing": boards.standing(db, board, drill["player_id"]),
            "histogram": boards.histogram(db, board, viewer=drill["player_id"]),
            "shareText": challenge.share_text(day, outcomes, points, "Glimpse" if flashes else "Glimpse Scenes",
                                              fastest_ms=min(caught, default=None) if flashes else None,
                                              friends_beaten=beaten, url=url)}
