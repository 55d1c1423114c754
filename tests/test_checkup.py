"""The checkup: the same standard test for everyone, on faces training never shows, at most once a week.

Pure rules directly; the whole flow against the live server with a real WebSocket client and SQLite file.
"""

from __future__ import annotations

import json
import random
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import DrillClient, InProcessSocket, LiveServer, StoppedClock, emotion_of, open_db

from game import checkup, create_app, players, rounds, ws
from game.db import pool
from game.emotions import EMOTION_KEYS

WEEK = 7 * 86_400


# -- the test's items ---------------------------------------------------------------------------


def test_every_emotion_four_times_twice_at_each_exposure_each_on_its_own_face() -> None:
    items = checkup.items()
    assert len(items) == 28
    for emotion in EMOTION_KEYS:
        mine = [item for item in items if item.emotion == emotion]
        assert sorted(round(item.exposure_ms, 1) for item in mine) == [33.3, 33.3, 100.0, 100.0]
    assert len({item.identity_seed for item in items}) == 28
    assert all(checkup.is_checkup_identity(item.identity_seed) for item in items)


@pytest.mark.parametrize(("hz", "frames"), [(60, (2, 6)), (120, (4, 12)), (30, (1, 3)), (144, (5, 14)), (50, (2, 5))])
def test_the_exposures_keep_their_milliseconds_on_every_display(hz: int, frames: tuple[int, int]) -> None:
    period = 1000 / hz
    shown = {checkup.plan(item.position, period).exposure_frames for item in checkup.items()}
    assert shown == set(frames)
    for wanted, count in zip(checkup.EXPOSURES_MS, frames, strict=True):
        assert abs(count * period - wanted) <= period / 2  # the closest whole number of this display's frames


def test_items_are_the_same_for_everyone_and_every_time_on_a_display_rate() -> None:
    for period in (1000 / 60, 1000 / 120):
        first = [checkup.plan(p, period) for p in range(1, 29)]
        again = [checkup.plan(p, period) for p in range(1, 29)]
        assert first == again
    # Another rate changes the frame counts only: same faces, emotions and poses.
    at_60 = [checkup.plan(p, 1000 / 60) for p in range(1, 29)]
    at_120 = [checkup.plan(p, 1000 / 120) for p in range(1, 29)]
    assert [(a.identity_seed, a.emotion, a.pose) for a in at_60] == [(b.identity_seed, b.emotion, b.pose)
                                                                      for b in at_120]


class AllOnes(random.Random):
    """The worst case for the identity mask: every bit of a 32-bit draw set (other draws as usual)."""

    def getrandbits(self, k: int) -> int:
        return (1 << k) - 1 if k == 32 else super().getrandbits(k)


def test_training_never_draws_a_checkup_face() -> None:
    # By construction: training clears the bit that marks checkup faces, even when every drawn bit is set...
    plan = rounds.plan_trial(AllOnes(1), "fear", 1000 / 60, exposure_ms=50, intensity=1.0)
    assert plan.identity_seed == (1 << 31) - 1 and not checkup.is_checkup_identity(plan.identity_seed)
    # ...and over many ordinary drills.
    seeds = {rounds.plan_trial(rounds.trial_rng(seed, position, 0), "anger", 1000 / 60, exposure_ms=50,
                               intensity=1.0).identity_seed for seed in range(200) for position in range(1, 21)}
    assert len(seeds) == 4000 and not any(checkup.is_checkup_identity(s) for s in seeds)


# -- rules ------------------------------------------------------------------------------------------


def test_due_after_a_first_drill_then_once_a_week() -> None:
    now = 1_800_000_000.0
    assert checkup.due(0, None, now) == checkup.Due(False, "play_first", None)
    assert checkup.due(1, None, now) == checkup.Due(True, "first", None)
    assert checkup.due(9, now - WEEK + 60, now) == checkup.Due(False, "wait", now + 60)
    assert checkup.due(9, now - WEEK, now).due


def test_scores_carry_honest_intervals_and_change_needs_more_than_luck() -> None:
    answers = [("fear", 33.3, True)] * 3 + [("fear", 100.0, False)] + [("anger", 33.3, False)] * 4
    result = checkup.score(answers)
    fear = result["emotions"]["fear"]
    assert (fear["correct"], fear["shown"]) == (3, 4)
    assert fear["low"] < 0.75 < fear["high"] and fear["high"] - fear["low"] > 0.3  # 4 trials say little
    assert result["exposures"]["short"]["shown"] == 7 and result["exposures"]["long"]["shown"] == 1
    assert result["emotions"]["happiness"]["shown"] == 0
    assert checkup.change({"correct": 0, "shown": 4}, {"correct": 4, "shown": 4})["verdict"] == "better"
    assert checkup.change({"correct": 2, "shown": 4}, {"correct": 3, "shown": 4})["verdict"] == "same"
    assert checkup.change({"correct": 20, "shown": 28}, {"correct": 8, "shown": 28})["verdict"] == "worse"


# -- against the live server ------------------------------------------------------------------


def hello(client: DrillClient) -> dict:
    welcome = client.ask({"type": "hello", "v": 1})
    assert welcome["type"] == "welcome"
    return welcome


def take_checkup(client: DrillClient, server: LiveServer, answer_for=None, refresh_ms: float = 16.667) -> tuple:
    """Start and finish a checkup on a fresh socket (a drill's messages count toward the per-socket rate limit);
    return (started, trials seen, results, summary)."""
    client.close()
    client.__init__(server, cookie=client.cookie)
    hello(client)
    client.send({"type": "start", "mode": "checkup", "refreshMs": refresh_ms})
    started, trial = client.receive(), client.receive()
    assert started["type"] == "started" and started["mode"] == "checkup" and started["total"] == 28, started
    trials, results = [], []
    for position in range(1, 29):
        assert trial["type"] == "trial" and trial["position"] == position, trial
        trials.append(trial)
        truth = emotion_of(server, trial["trialId"])
        result = client.answer(trial, answer_for(position, truth) if answer_for else truth, refreshMs=refresh_ms)
        results.append(result)
        if position < 28:
            trial = client.ask({"type": "next"})
    return started, trials, results, client.receive()


def test_a_checkup_is_offered_after_a_first_drill_and_refused_before(client: DrillClient) -> None:
    welcome = hello(client)
    assert welcome["checkup"] == {"due": False, "reason": "play_first", "nextAt": None, "taken": 0}
    refused = client.ask({"type": "start", "mode": "checkup", "refreshMs": 16.667})
    assert refused["type"] == "error" and refused["code"] == "checkup_not_due"
    client.play_right()
    assert hello(client)["checkup"] == {"due": True, "reason": "first", "nextAt": None, "taken": 0}


def test_a_checkup_is_scored_stored_silent_and_not_retaken_within_the_week(
        connect, live_server: LiveServer) -> None:
    client = connect()
    client.play_right()

    def answer_for(position: int, truth: str) -> str:  # right on the long flashes, wrong on the short ones
        return truth if checkup.items()[position - 1].exposure_ms > 50 else next(e for e in EMOTION_KEYS if e != truth)

    started, trials, results, summary = take_checkup(client, live_server, answer_for)
    for trial in trials:
        text = json.dumps(trial)
        assert "emotion" not in text and not any(f'"{key}"' in text for key in EMOTION_KEYS)
        assert checkup.is_checkup_identity(trial["identitySeed"])
    for result in results:  # a test gives no feedback: never the truth, never right or wrong
        assert result["type"] == "result" and result["checkup"] and result["scored"]
        assert "emotion" not in result and "correct" not in result and "points" not in result
    assert summary["type"] == "summary" and summary["mode"] == "checkup"
    assert (summary["correct"], summary["shown"]) == (14, 28)
    for emotion in EMOTION_KEYS:
        assert (summary["checkup"]["emotions"][emotion]["correct"], summary["checkup"]["emotions"][emotion]["shown"]) \
            == (2, 4)
    assert summary["checkup"]["exposures"]["long"]["correct"] == 14
    assert summary["checkup"]["exposures"]["short"]["correct"] == 0

    db = open_db(live_server)
    row = db["checkups"].get(started["drillId"])
    assert (row["correct"], row["shown"], row["form"]) == (14, 28, checkup.FORM)
    assert json.loads(row["score"]) == summary["checkup"]
    player = row["player_id"]
    # A checkup measures: it moves no adaptive procedure and earns no points.
    assert db["staircases"].get((player, "exposure", "all"))["trials"] == 20
    assert db["drills"].get(started["drillId"])["points"] == 0

    welcome = hello(client)
    assert welcome["checkup"]["due"] is False and welcome["checkup"]["taken"] == 1
    assert abs(welcome["checkup"]["nextAt"] - (row["started_at"] + WEEK)) < 1
    refused = client.ask({"type": "start", "mode": "checkup", "refreshMs": 16.667})
    assert refused["code"] == "checkup_not_due" and abs(refused["nextAt"] - (row["started_at"] + WEEK)) < 1

    # The progress page's data shows it as stored.
    request = urllib.request.Request(live_server.url + "/api/stats", headers={"Cookie": client.cookie})
    with urllib.request.urlopen(request, timeout=10) as response:
        progress = json.load(response)["checkups"]
    assert [c["score"] for c in progress["history"]] == [summary["checkup"]]
    assert progress["history"][0]["drillsBefore"] == 1  # the drill before the first checkup
    assert progress["sentence"].startswith("Your starting point: 14 of 28 right")
    assert progress["changes"] is None and progress["status"]["due"] is False

    # Eight days later it opens again.
    db.execute("UPDATE checkups SET started_at = started_at - ? WHERE drill_id = ?", [8 * 86_400, row["drill_id"]])
    db.conn.commit()
    assert hello(client)["checkup"]["due"] is True


def test_everyone_on_the_same_display_rate_sees_the_same_items(connect, live_server: LiveServer) -> None:
    def first_checkup(client: DrillClient, refresh: float) -> list[dict]:
        client.play_right()
        _, trials, _, summary = take_checkup(client, live_server, refresh_ms=refresh)
        assert summary["type"] == "summary"
        return [{k: v for k, v in t.items() if k != "trialId"} for t in trials]

    refreshes = (16.667, 16.667, 8.333)
    with ThreadPoolExecutor(len(refreshes)) as players:  # three people at once, each at a person's pace
        seen = list(players.map(first_checkup, [connect() for _ in refreshes], refreshes))
    assert seen[0] == seen[1]
    assert [t["identitySeed"] for t in seen[2]] == [t["identitySeed"] for t in seen[0]]
    assert [t["exposureFrames"] for t in seen[2]] == [2 * t["exposureFrames"] for t in seen[0]]


def test_a_voided_checkup_flash_comes_back_as_the_same_item_without_the_answer(connect, live_server) -> None:
    client = connect()
    client.play_right()
    hello(client)
    client.send({"type": "start", "mode": "checkup", "refreshMs": 16.667})
    client.receive()
    trial = client.receive()
    voided = client.answer(trial, "anger", framesShown=trial["exposureFrames"] + 1)
    assert voided["scored"] is False and voided["replay"] and "emotion" not in voided and "correct" not in voided
    again = client.ask({"type": "next"})
    assert again["position"] == 1 and again["trialId"] != trial["trialId"]
    assert {k: v for k, v in again.items() if k != "trialId"} == {k: v for k, v in trial.items() if k != "trialId"}


def test_an_unfinished_checkup_resumes_and_does_not_count(connect, live_server: LiveServer) -> None:
    client = connect()
    client.play_right()
    hello(client)
    client.send({"type": "start", "mode": "checkup", "refreshMs": 16.667})
    started, trial = client.receive(), client.receive()
    client.answer(trial, emotion_of(live_server, trial["trialId"]))
    client.close()
    again = connect(cookie=client.cookie)
    welcome = hello(again)
    assert welcome["activeDrill"]["id"] == started["drillId"] and welcome["activeDrill"]["answered"] == 1
    assert welcome["checkup"]["taken"] == 0
    resumed = again.ask({"type": "resume", "drillId": started["drillId"], "refreshMs": 16.667})
    assert resumed["type"] == "started" and resumed["answered"] == 1
    assert again.receive()["position"] == 2
    time.sleep(0.01)


def test_the_progress_sentence_is_plain_and_honest() -> None:
    names = {key: key.capitalize() for key in EMOTION_KEYS}

    def taken(correct_per_emotion: dict[str, int], form: int = 1) -> dict:
        answers = [(e, 33.3, k < correct_per_emotion.get(e, 2)) for e in EMOTION_KEYS for k in range(4)]
        return {"form": form, "score": checkup.score(answers)}

    assert "Take a checkup" in checkup.progress([], names)["sentence"]
    assert checkup.progress([taken({})], names)["sentence"].startswith("Your starting point: 14 of 28 right")
    better = checkup.progress([taken({"fear": 1}), taken({"fear": 4})], names)
    assert better["sentence"].startswith("You recognise fear 75 points better than on day one")
    assert better["changes"]["fear"]["verdict"] == "better" and better["changes"]["anger"]["verdict"] == "same"
    same = checkup.progress([taken({}), taken({"fear": 3})], names)
    assert same["sentence"].startswith("No change yet that luck could not explain")
    worse = checkup.progress([taken({e: 4 for e in EMOTION_KEYS}), taken({e: 1 for e in EMOTION_KEYS})], names)
    assert "lower than on day one" in worse["sentence"]
    other_form = checkup.progress([taken({}), taken({"fear": 4}, form=2)], names)
    assert other_form["changes"] is None  # another item set is not compared


def test_a_checkup_reopens_a_week_later_by_the_servers_clock_whatever_the_date(tmp_path) -> None:
    """A drill is dated by its session's clock, the clock that decides when the next checkup opens: both moved a week
    on, it opens. (Drills were dated by the wall clock while the rule read the session's: on a clock behind the real
    date a checkup never reopened, and the tests' second checkups were lost once the real date passed their clock.)"""
    clock = StoppedClock()
    clock.now = 1_600_000_000.0  # September 2020: far behind any real date this runs on
    with create_app({"DATABASE": str(tmp_path / "checkups.db"), "TESTING": True}).app_context():
        with pool().connection() as db:
            player = players.create_player(db, "c" * 43)[0]["id"]
        socket = InProcessSocket(player, clock)

        def play(mode: str) -> dict:
            started, trial = socket.send({"type": "start", "mode": mode, "refreshMs": 16.667})
            while True:
                clock.now += 3.0
                result = socket.send({"type": "answer", "trialId": trial["trialId"], "answer": "happiness",
                                      "framesShown": socket.session.open_trial["exposure_frames"],
                                      "refreshMs": 16.667, "maxGapMs": 17.0, "reactionMs": 900.0})[0]
                if result["done"]:
                    return started
                trial = socket.send({"type": "next"})[0]

        play("speed")
        clock.now += 60.0
        checkup_started = clock.now
        first = play("checkup")
        with pool().connection() as db:
            assert db.execute("SELECT started_at FROM drills WHERE id = ?", [first["drillId"]]).fetchone()[0] \
                == checkup_started
        clock.now += 3 * 86_400
        with pool().connection() as db:
            socket.session.db = db
            refused = ws._handle(json.dumps({"type": "start", "mode": "checkup", "refreshMs": 16.667}),
                                 socket.handlers)
            socket.session.db = None
        assert refused[0]["code"] == "checkup_not_due" and refused[0]["nextAt"] == checkup_started + WEEK
        clock.now = checkup_started + WEEK
        second = play("checkup")
        assert second["drillId"] != first["drillId"]
