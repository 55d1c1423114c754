"""Points, streaks, the daily challenge and boards, through the live server."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from datetime import date

from conftest import DrillClient, LiveServer, emotion_of, open_db
from harness import ROOT

from game import boards

sys.path.insert(0, str(ROOT / "bench"))
from fairplay import Weibull


def a_person(seed: int, threshold_ms: float = 200) -> Callable[[dict], bool]:
    """Whether a person (right 75% of the time at `threshold_ms`, near chance far below) names a trial's face."""
    rng, sees = random.Random(seed), Weibull(threshold_ms, 2.5, 0.02)
    return lambda trial: sees(rng, trial["exposureFrames"] * 1000 / 60)


def play_drill(client: DrillClient, server: LiveServer, mode: str = "speed", right: bool = True,
               sees: Callable[[dict], bool] | None = None) -> tuple[list, dict]:
    """Play 20 trials, every answer right, every other one, or as `sees` says; return the trials and the summary."""
    client.ask({"type": "hello", "v": 1, "tz": "Europe/Paris"})
    client.send({"type": "start", "refreshMs": 16.667, "mode": mode})
    assert client.receive()["type"] == "started"
    trial, trials = client.receive(), []
    for position in range(1, 21):
        trials.append(trial)
        truth = emotion_of(server, trial["trialId"])
        correct = sees(trial) if sees else right or position % 2
        result = client.answer(trial, truth if correct else ("fear" if truth != "fear" else "anger"))
        if position < 20:
            trial = client.ask({"type": "next"})
    summary = client.receive()
    assert summary["type"] == "summary", summary
    return trials, {**summary, "last": result}


def test_points_grow_with_an_answer_streak_and_reach_the_week_board(connect, live_server: LiveServer) -> None:
    client = connect()
    _, summary = play_drill(client, live_server)
    assert summary["points"] > 20 * 10  # every answer right: the streak bonus kicks in
    assert summary["bestAnswerStreak"] == 20 and summary["last"]["answerStreak"] == 20
    assert summary["streak"]["days"] == 1 and summary["streak"]["todayDone"]
    db = open_db(live_server)
    drill = db["drills"].get(summary["drillId"])
    assert drill["points"] == summary["points"] == db["players"].get(drill["player_id"])["points"]
    trial_points = [t["points"] for t in db["trials"].rows_where("drill_id = ?", [drill["id"]], order_by="position")]
    assert sum(trial_points) == summary["points"]
    week = db.execute("SELECT score FROM board_entries WHERE player_id = ? AND board LIKE 'week:%'",
                      [drill["player_id"]]).fetchone()[0]
    assert week == summary["points"]
    welcome = client.ask({"type": "hello", "v": 1})
    assert welcome["streak"]["days"] == 1 and welcome["streak"]["todayDone"]


def test_an_abandoned_drill_never_reaches_a_board(connect, live_server: LiveServer) -> None:
    client = connect()
    client.ask({"type": "hello", "v": 1})
    client.send({"type": "start", "refreshMs": 16.667})
    started, trial = client.receive(), client.receive()
    assert client.answer(trial, emotion_of(live_server, trial["trialId"]))["points"] > 0
    assert client.ask({"type": "abandon"})["type"] == "abandoned"
    db = open_db(live_server)
    player_id = db["drills"].get(started["drillId"])["player_id"]
    assert db.execute("SELECT COUNT(*) FROM board_entries WHERE player_id = ?", [player_id]).fetchone()[0] == 0


def test_the_daily_challenge_is_the_same_for_everyone_and_ranked_once(connect, live_server: LiveServer) -> None:
    # Ann plays like a person (fair play shows nobody else a player whose answers no person could give), three drills
    # first: new players show on public boards after 60 answers. Bob, new, misses every face.
    ann, ann_sees = connect(), a_person(seed=3)
    for _ in range(3):
        play_drill(ann, live_server, sees=ann_sees)
    ann_trials, ann_summary = play_drill(ann, live_server, mode="challenge", sees=ann_sees)
    assert ann_summary["points"] > 0
    bob = connect()  # now: a socket that says nothing for 5 s is closed
    bob_trials, bob_summary = play_drill(bob, live_server, mode="challenge", sees=lambda trial: False)
    shown = lambda trials: [(t["identitySeed"], t["exposureFrames"], sorted(t["expression"]["au"])) for t in trials]  # noqa: E731
    assert shown(ann_trials) == shown(bob_trials)
    # The same expressions, each jittered per drill a little (no two poses alike, none that reads differently).
    for ann_trial, bob_trial in zip(ann_trials, bob_trials, strict=True):
        for unit, levels in ann_trial["expression"]["au"].items():
            assert all(abs(a - b) <= 0.2 for a, b in zip(levels, bob_trial["expression"]["au"][unit], strict=True))
    result = bob_summary["challenge"]
    assert result["ranked"] and result["standing"]["rank"] == 2 and result["standing"]["players"] >= 2
    assert sum(b["players"] for b in result["histogram"]) == result["standing"]["players"]
    card = result["shareText"]
    assert card.startswith(f"Glimpse #{result['number']}") and card.count("🟩") + card.count("⬛") == 20
    assert not any(emotion in card.lower() for emotion in ("fear", "anger", "happiness", "contempt"))
    assert ann_summary["challenge"]["standing"]["rank"] == 1

    ann = connect(cookie=ann.cookie)  # a new visit: each connection has its own flood budget
    _, again = play_drill(ann, live_server, mode="challenge", right=False)  # practice: the board keeps the first
    assert again["challenge"]["ranked"] is False
    db = open_db(live_server)
    first = db["drills"].get(ann_summary["drillId"])
    board = boards.challenge_board(date.fromisoformat(first["challenge_day"]))
    assert boards.standing(db, board, first["player_id"])["score"] == ann_summary["points"]
    assert ann.ask({"type": "hello", "v": 1})["challenge"]["played"] is True


def test_the_players_best_answer_streak_is_their_longest_run_of_right_answers_across_drills(
        connect, live_server: LiveServer) -> None:
    """A socket writes the player's best only when a run beats what it last wrote: the stored best must not change."""
    client = connect()
    runs = iter([True] * 4 + [False] + [True] * 7 + [False] + [True] * 2 + [False] * 5)
    _, first = play_drill(client, live_server, sees=lambda _trial: next(runs))
    db = open_db(live_server)
    player_id = db["drills"].get(first["drillId"])["player_id"]
    assert first["bestAnswerStreak"] == 7 == db["players"].get(player_id)["best_answer_streak"]
    _, second = play_drill(client, live_server, right=False)  # every other answer right: runs of one
    assert second["bestAnswerStreak"] == 1
    assert db["players"].get(player_id)["best_answer_streak"] == 7
    _, third = play_drill(connect(cookie=client.cookie), live_server)  # another socket of the player: a run of 20
    assert third["bestAnswerStreak"] == 20 == db["players"].get(player_id)["best_answer_streak"]
