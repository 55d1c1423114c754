"""Fair play against the real server: cheating bots end up refused or off the public boards, people never do.

Two servers: the shared one (conftest ``live_server``) lets scripted clients answer as soon as a person
could tap, so bots can play many drills quickly; ``strict_server`` runs the production clock rules
(no answer before the face, flash and mask could have been shown).
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import random
import sqlite3
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
import sqlite_utils
from conftest import (
    MANY_PLAYERS_FROM_LOOPBACK,
    DrillClient,
    LiveServer,
    emotion_of,
    new_player_cookie,
    open_db,
    play_drill_by_tapping,
    play_on_for_the_page,
)
from flask import Flask
from harness import ROOT

from game import boards, create_app, plausibility, rounds
from game.emotions import EMOTION_KEYS, catalogue, pose
from game.migrations import migrations

sys.path.insert(0, str(ROOT / "bench"))
from fairplay import Weibull, cheaters, honest, play  # bench/fairplay.py: the simulated population


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("strict") / "glimpse.db", MANY_PLAYERS_FROM_LOOPBACK).start()
    yield server
    server.stop()


def get_json(server: LiveServer, path: str, cookie: str) -> dict:
    request = urllib.request.Request(server.url + path, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def post_json(server: LiveServer, path: str, body: object, cookie: str) -> tuple[int, dict]:
    request = urllib.request.Request(server.url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Cookie": cookie, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def me(server: LiveServer, cookie: str) -> str:
    return get_json(server, "/api/me", cookie)["id"]


def named(server: LiveServer, nickname: str) -> str:
    cookie = new_player_cookie(server)
    assert post_json(server, "/api/nickname", {"nickname": nickname}, cookie)[0] == 200
    return cookie


def public_nicknames(server: LiveServer, board: str) -> set[str]:
    """Who a stranger sees on a board: top and around."""
    view = get_json(server, f"/api/boards/{board}", new_player_cookie(server))
    return {row["nickname"] for row in view["top"] + view["around"]}


def read_pose(expression: dict) -> str:
    """A nearest-prototype reader: what any script can do with the pose the browser must draw."""
    best, best_distance = "", math.inf
    for emotion in catalogue()["emotions"]:
        for variant in emotion["variants"]:
            units = set(variant["units"]) | set(expression["au"])
            distance = sum((max(expression["au"].get(u, [0, 0])) - variant["units"].get(u, 0.0)) ** 2 for u in units)
            if distance < best_distance:
                best, best_distance = emotion["key"], distance
    return best


def play_drill(client: DrillClient, answer_for, refresh_ms: float = 16.667, **overrides) -> dict:
    """Play a speed drill to its summary, answering each trial with ``answer_for(trial)``."""
    client.send({"type": "start", "refreshMs": refresh_ms})
    assert client.receive()["type"] == "started"
    trial = client.receive()
    for _ in range(60):
        reply = client.answer(trial, answer_for(trial), refreshMs=refresh_ms, **overrides)
        assert reply["type"] == "result", reply
        if reply["done"]:
            summary = client.receive()
            assert summary["type"] == "summary"
            return summary
        trial = client.ask({"type": "next"})
    raise AssertionError("the drill never ended")


# -- leak nothing before the answer ---------------------------------------------------------------------------------

def test_a_trial_names_no_emotion_and_no_two_poses_are_alike(client: DrillClient) -> None:
    client.ask({"type": "hello", "v": 1})
    client.send({"type": "start", "refreshMs": 16.667})
    client.receive()
    trial = client.receive()
    assert set(trial) == {"type", "trialId", "position", "total", "identitySeed", "identity", "neutral", "expression",
                          "foreperiodFrames", "exposureFrames", "maskFrames"}
    text = json.dumps(trial).lower()
    assert not any(key in text for key in EMOTION_KEYS) and "variant" not in text
    # Server-side jitter: one expression (same emotion, variant, side) almost never comes out the same twice,
    # and never moves any unit by more than 10% + 0.015 of what the face shows.
    base = pose("contempt", 1.0, random.Random(3))
    jittered = [rounds.jitter_pose(base, random.Random(seed)) for seed in range(2000)]
    assert len({json.dumps(p, sort_keys=True) for p in jittered}) >= 1990
    for shown in jittered:
        for unit, (left, right) in shown["au"].items():
            base_left, base_right = base["au"][unit]
            assert (left == 0) == (base_left == 0) and (right == 0) == (base_right == 0)  # contempt stays one-sided
            assert abs(left - base_left) <= 0.1 * base_left + 0.016
            assert abs(right - base_right) <= 0.1 * base_right + 0.016


def test_a_voided_flash_reveals_nothing_and_its_replay_draws_a_fresh_emotion(client: DrillClient,
                                                                             live_server: LiveServer) -> None:
    """The void-and-replay bot: void every flash, then answer its replay with what the void revealed."""
    client.ask({"type": "hello", "v": 1})
    client.send({"type": "start", "refreshMs": 16.667})
    started, trial = client.receive(), client.receive()
    db = open_db(live_server)
    planned = Counter(json.loads(db["drills"].get(started["drillId"])["plan"]))
    same = voids = 0
    for _ in range(20):
        voided = client.answer(trial, "fear", framesShown=trial["exposureFrames"] - 1)
        assert voided["scored"] is False and voided["emotion"] is None and voided["correct"] is None
        assert not any(key in json.dumps(voided) for key in set(EMOTION_KEYS) - {"fear"})
        replay = client.ask({"type": "next"})
        assert replay["position"] == trial["position"]
        voids += 1
        same += emotion_of(live_server, replay["trialId"]) == emotion_of(live_server, trial["trialId"])
        result = client.answer(replay, "fear")
        assert result["scored"]
        if result["done"]:
            client.receive()
            break
        trial = client.ask({"type": "next"})
    assert voids == 20 and same < 15  # kept only by the luck of the draw (about 1 in 4), not by rule
    shown = Counter(row["emotion"] for row in db["trials"].rows_where("drill_id = ? AND scored = 1",
                                                                      [started["drillId"]]))
    assert shown == planned  # still balanced: every emotion as often as planned


# -- server clock rules ---------------------------------------------------------------------------------------------

def test_an_instant_answer_is_refused_voided_and_the_position_replayed(strict_server: LiveServer) -> None:
    bot = DrillClient(strict_server)
    try:
        bot.ask({"type": "hello", "v": 1})
        bot.send({"type": "start", "refreshMs": 16.667})
        started, trial = bot.receive(), bot.receive()
        for _ in range(3):
            truth = emotion_of(strict_server, trial["trialId"])
            refused = bot.answer(trial, truth, reactionMs=1.0)  # ~10 ms after the trial was sent
            assert refused["type"] == "error" and refused["code"] == "too_early"
            assert refused["trialId"] == trial["trialId"]
            assert bot.ask({"type": "answer", **{k: v for k, v in refused.items() if k == "trialId"},
                            "answer": truth, "framesShown": trial["exposureFrames"], "refreshMs": 16.667,
                            "maxGapMs": 17, "reactionMs": 1})["code"] == "already_answered"
            trial = bot.ask({"type": "next"})
            assert trial["type"] == "trial" and trial["position"] == 1
        rows = list(open_db(strict_server)["trials"].rows_where("drill_id = ? AND answer IS NOT NULL",
                                                                [started["drillId"]]))
        assert [(r["scored"], r["flag"]) for r in rows] == [(0, "too_early")] * 3
        # Answered once the face, flash and mask could have been shown: accepted.
        wait = (trial["foreperiodFrames"] + trial["exposureFrames"] + trial["maskFrames"]) * 16.667 / 1000
        time.sleep(wait)
        accepted = bot.answer(trial, "fear", reactionMs=400.0)
        assert accepted["type"] == "result" and accepted["scored"] and accepted["answered"] == 1
    finally:
        bot.close()


def test_sub_human_reaction_times_are_stored_but_never_ranked(connect, live_server: LiveServer) -> None:
    cookie = named(live_server, "Quick Draw")
    bot = connect(cookie=cookie)
    bot.ask({"type": "hello", "v": 1})
    summary = play_drill(bot, lambda t: emotion_of(live_server, t["trialId"]), reactionMs=60.0)
    db = open_db(live_server)
    drill = db["drills"].get(summary["drillId"])
    assert drill["status"] == "completed" and drill["unranked"] == "reaction" == summary["unranked"]
    assert summary["points"] > 0  # the player's own progress counts
    assert db.execute("SELECT COUNT(*) FROM board_entries WHERE player_id = ?", [drill["player_id"]]).fetchone()[0] == 0
    assert {t["reaction_ms"] for t in db["trials"].rows_where("drill_id = ?", [drill["id"]])} == {60.0}


def test_one_active_drill_per_player_across_tabs_enforced_by_the_database(connect, live_server: LiveServer) -> None:
    """The two-tab player: tab A's drill stops scoring the moment tab B starts one."""
    tab_a = connect()
    tab_b = connect(cookie=tab_a.cookie)
    tab_a.ask({"type": "hello", "v": 1})
    tab_a.send({"type": "start", "refreshMs": 16.667})
    started_a, trial = tab_a.receive(), tab_a.receive()
    assert tab_a.answer(trial, emotion_of(live_server, trial["trialId"]))["scored"]  # between trials now
    tab_b.ask({"type": "hello", "v": 1})
    tab_b.send({"type": "start", "refreshMs": 16.667})
    tab_b.receive(), tab_b.receive()
    assert tab_a.ask({"type": "next"})["code"] == "drill_closed"  # no new trial for the closed drill
    assert tab_a.ask({"type": "next"})["code"] == "no_drill"
    db = open_db(live_server)
    player_id = db["drills"].get(started_a["drillId"])["player_id"]
    assert db.execute("SELECT COUNT(*) FROM drills WHERE player_id = ? AND status = 'active'",
                      [player_id]).fetchone()[0] == 1
    assert db.execute("SELECT COUNT(*) FROM board_entries WHERE player_id = ?", [player_id]).fetchone()[0] == 0
    with pytest.raises(sqlite3.IntegrityError):  # the database itself refuses a second active drill
        db.execute("UPDATE drills SET status = 'active' WHERE id = ?", [started_a["drillId"]])


def test_many_sockets_cannot_bank_drills_in_parallel(connect, live_server: LiveServer) -> None:
    """Every socket a player may hold starting a drill: only the last one is open; the others' answers never count.

    (A player holds at most three sockets at once: tests/test_hostile.py shows a fourth refused.)"""
    first = connect()
    tabs = [first, *(connect(cookie=first.cookie) for _ in range(2))]
    trials = []
    for tab in tabs:
        tab.ask({"type": "hello", "v": 1})
        tab.send({"type": "start", "refreshMs": 16.667})
        tab.receive()
        trials.append(tab.receive())
    codes = [tab.answer(trial, emotion_of(live_server, trial["trialId"])).get("code")
             for tab, trial in zip(tabs, trials, strict=True)]
    assert codes == ["drill_closed"] * 2 + [None]


# -- plausible displays ---------------------------------------------------------------------------------------------

def test_a_refresh_rate_faster_than_any_real_display_is_refused(client: DrillClient) -> None:
    """The fast-refresh liar: a 3 ms 'frame' (333 Hz) is refused; 240 Hz is a real phone."""
    client.ask({"type": "hello", "v": 1})
    refused = client.ask({"type": "start", "refreshMs": 3})
    assert refused["code"] == "bad_field" and refused["field"] == "refreshMs"
    client.send({"type": "start", "refreshMs": 4.167})
    assert client.receive()["type"] == "started"
    trial = client.receive()
    lying = client.answer(trial, "fear", refreshMs=2.0)
    assert lying["code"] == "bad_field" and lying["field"] == "refreshMs"
    # Nothing ranks below one 60 Hz frame: a 240 Hz eye is no sharper on the skill board.
    assert boards.skill_score(2.2) == boards.skill_score(1000 / 60) == boards.skill_score(16.7)
    assert boards.skill_score(33.3) < boards.skill_score(16.7)


# -- plausibility scoring -------------------------------------------------------------------------------------------

BOTS: dict[str, Callable[..., None]] = {}
Bots = dict[str, Future[None]]  # a @bot's name -> how its drills ended


def bot(play: Callable[..., None]) -> Callable[..., None]:
    """A player below, played beside the others by ``bots_playing``; its test waits for how it ended."""
    BOTS[play.__name__] = play
    return play


@pytest.fixture(scope="module")
def bots_playing(live_server: LiveServer) -> Iterator[Bots]:
    """Every @bot's drills over sockets, side by side from the first test that asks on: one after another they took
    ~90 s on a loaded box, nearly all of it waiting a person's reaction time before each answer. Each raises what
    its own checks found when its test asks."""
    def play(body: Callable[..., None]) -> None:
        with contextlib.ExitStack() as opened:
            def connect(**kwargs: object) -> DrillClient:
                client = DrillClient(live_server, **kwargs)
                opened.callback(client.close)
                return client

            body(connect, live_server)

    with ThreadPoolExecutor(max_workers=len(BOTS)) as pool:
        yield {name: pool.submit(play, body) for name, body in BOTS.items()}


@bot
def pose_reader(connect, live_server: LiveServer) -> None:
    cookie = named(live_server, "Pose Reader")
    bot = connect(cookie=cookie)
    bot.ask({"type": "hello", "v": 1})
    right = total = 0
    for _ in range(5):
        def answer_for(trial: dict) -> str:
            nonlocal right, total
            guess = read_pose(trial["expression"])
            total += 1
            right += guess == emotion_of(live_server, trial["trialId"])
            return guess

        play_drill(bot, answer_for)
        assert "Pose Reader" not in public_nicknames(live_server, "week")
        assert "Pose Reader" not in public_nicknames(live_server, "skill")
        if open_db(live_server)["fairplay"].get(me(live_server, cookie))["status"] == "held":
            break
    assert right / total > 0.95  # jitter does not stop a reader; that is expected (the browser draws the face)
    db = open_db(live_server)
    player_id = me(live_server, cookie)
    assert db["fairplay"].get(player_id)["status"] == "held"
    assert "accuracy" in json.loads(db["fairplay"].get(player_id)["reasons"])
    own = get_json(live_server, "/api/boards/week", cookie)
    assert own["note"] == "checking" and any(row["me"] for row in own["top"])  # they still see themselves


def public_on_any_board(server: LiveServer, nickname: str) -> bool:
    return any(nickname in public_nicknames(server, board) for board in ("week", "skill"))


@bot
def careful_reader(connect, live_server: LiveServer) -> None:
    """Right 90% of the time whatever the flash: a stranger never sees it, before or after the hold."""
    rng = random.Random(12)
    cookie = named(live_server, "Careful Reader")
    bot = connect(cookie=cookie)
    bot.ask({"type": "hello", "v": 1})
    for _ in range(10):
        def answer_for(trial: dict) -> str:
            truth = emotion_of(live_server, trial["trialId"])
            return truth if rng.random() < 0.9 else next(e for e in EMOTION_KEYS if e != truth)

        play_drill(bot, answer_for)
        assert not public_on_any_board(live_server, "Careful Reader")
        if open_db(live_server)["fairplay"].get(me(live_server, cookie))["status"] == "held":
            break
    assert open_db(live_server)["fairplay"].get(me(live_server, cookie))["status"] == "held"
    own = get_json(live_server, "/api/boards/week", cookie)
    assert own["note"] == "checking" and any(row["me"] for row in own["top"])


@bot
def sleeper(connect, live_server: LiveServer) -> None:
    """Four drills as a person who needs long flashes (shown on the boards), then reading every answer: its
    reading results never show, its earlier ones are pulled with them, and a hold follows."""
    rng = random.Random(13)
    sees = Weibull(200, 2.5, 0.02)
    cookie = named(live_server, "Sleeper Cell")
    bot = connect(cookie=cookie)
    bot.ask({"type": "hello", "v": 1})
    for _ in range(4):
        def as_a_person(trial: dict) -> str:
            truth = emotion_of(live_server, trial["trialId"])
            shown_ms = trial["exposureFrames"] * 1000 / 60
            return truth if sees(rng, shown_ms) else next(e for e in EMOTION_KEYS if e != truth)

        play_drill(bot, as_a_person)
    assert "Sleeper Cell" in public_nicknames(live_server, "week")
    player_id = me(live_server, cookie)
    for _ in range(8):
        play_drill(bot, lambda trial: emotion_of(live_server, trial["trialId"]))
        assert not public_on_any_board(live_server, "Sleeper Cell")
        assert get_json(live_server, "/api/boards/week", cookie)["note"] == "checking"
        if open_db(live_server)["fairplay"].get(player_id)["status"] == "held":
            break
    assert open_db(live_server)["fairplay"].get(player_id)["status"] == "held"


@bot
def honest_novice_and_expert(connect, live_server: LiveServer) -> None:
    """Real drills over the real server: a novice and a fast, accurate expert at the model's limit. The expert's
    results rest on one- and two-frame flashes, so they may wait a few drills to be vetted, never longer."""
    rng = random.Random(7)
    people = {"Novice Nell": Weibull(250, 2.0, 0.04), "Expert Eve": Weibull(plausibility.HUMAN_BEST["exposure"], 5, 0)}
    for nickname, sees in people.items():
        cookie = named(live_server, nickname)
        person = connect(cookie=cookie)
        person.ask({"type": "hello", "v": 1})
        player_id = me(live_server, cookie)
        for drill in range(8):
            def answer_for(trial: dict, sees=sees) -> str:
                truth = emotion_of(live_server, trial["trialId"])
                return truth if sees(rng, trial["exposureFrames"] * 1000 / 60) else rng.choice(EMOTION_KEYS)

            play_drill(person, answer_for)
            assert open_db(live_server)["fairplay"].get(player_id)["status"] == "ok"
            if drill >= 2 and nickname in public_nicknames(live_server, "week"):
                break
        assert nickname in public_nicknames(live_server, "week")
        assert get_json(live_server, "/api/boards/week", cookie)["note"] is None


def test_a_pose_reading_bot_is_held_before_any_public_board_shows_it(bots_playing: Bots) -> None:
    bots_playing["pose_reader"].result(timeout=600)


def test_a_careful_reader_that_misses_on_purpose_never_appears_on_a_public_board(bots_playing: Bots) -> None:
    bots_playing["careful_reader"].result(timeout=600)


def test_a_sleeper_is_pulled_from_the_boards_by_its_first_reading_drill_and_then_held(bots_playing: Bots) -> None:
    bots_playing["sleeper"].result(timeout=600)


def test_honest_players_from_novice_to_fast_expert_are_never_held(bots_playing: Bots) -> None:
    bots_playing["honest_novice_and_expert"].result(timeout=600)


def test_simulated_honest_players_of_every_skill_are_never_held() -> None:
    """The pure rules over 240 simulated drills (bench/fairplay.py runs 10,000+)."""
    rng = random.Random(11)
    players = [honest(rng, 20) for _ in range(9)] + [honest(rng, 30, expert=True) for _ in range(2)]
    outcomes = [play(player, rng.getrandbits(32)) for player in players]
    assert sum(o.drills for o in outcomes) >= 240
    assert all(o.held_after is None and o.public_drills > 0 for o in outcomes), [o.peaks for o in outcomes]


def test_no_simulated_cheater_ever_shows_on_a_public_board() -> None:
    """One of each of bench/fairplay.py's cheaters, 12 drills each: held, and never shown after it began to cheat."""
    rng = random.Random(12)
    outcomes = [play(player, rng.getrandbits(32)) for player in cheaters(rng, 12)]
    assert [o.cheat_public_drills for o in outcomes] == [0] * len(outcomes), [o.kind for o in outcomes]
    assert all(o.held_after is not None for o in outcomes if not o.kind.startswith("refresh liar"))


# -- operator tools -------------------------------------------------------------------------------------------------

@functools.cache
def operators_app(database: str) -> Flask:
    return create_app({"DATABASE": database, "SECRET_KEY": "test"})


def flask_fairplay(server: LiveServer, *args: str) -> str:
    """``flask --app game fairplay ARGS`` on the server's database, the command run in this process by Flask's CLI
    runner: a new Python per command took 5-13 s on a loaded box. (tests/test_db.py and tests/test_item_report.py
    run ``python -m flask --app game`` itself.)"""
    app = operators_app(str(server.database))
    with app.app_context():  # as the `flask` command pushes one for every command
        result = app.test_cli_runner().invoke(args=["fairplay", *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_operators_list_show_clear_and_ban(connect, live_server: LiveServer) -> None:
    cookie = named(live_server, "Under Review")
    friend = named(live_server, "Loyal Friend")
    code = get_json(live_server, "/api/friends", cookie)["code"]
    assert post_json(live_server, "/api/friends", {"code": code}, friend)[0] == 200
    person = connect(cookie=cookie)
    person.ask({"type": "hello", "v": 1})
    rng, sees = random.Random(14), Weibull(200, 2.5, 0.02)  # a person who needs long flashes: nothing to vet
    for _ in range(3):  # past probation
        play_drill(person, lambda t: emotion_of(live_server, t["trialId"])
                   if sees(rng, t["exposureFrames"] * 1000 / 60) else rng.choice(EMOTION_KEYS))
    player_id = me(live_server, cookie)
    assert "Under Review" in public_nicknames(live_server, "week")

    db = open_db(live_server)
    state = plausibility.State(accuracy={"reader": 40.0})  # as if a reader had been caught
    # Written as every writer of the row writes it, with a new updated_at: a socket then weighs its next answer on
    # this evidence, not on its own copy of the row (game.fairplay.Written).
    db["fairplay"].update(player_id, {"state": json.dumps(state.to_json()), "updated_at": time.time()})
    play_drill(person, lambda t: "fear")  # the next answer re-weighs the evidence and holds them
    assert "Under Review" not in public_nicknames(live_server, "week")
    listed = flask_fairplay(live_server, "list")
    assert player_id in listed and "held" in listed and "accuracy" in listed
    shown = flask_fairplay(live_server, "show", "under review")
    assert "held" in shown and "accuracy" in shown and "over the limit" in shown and "in doubt" in shown

    flask_fairplay(live_server, "clear", "--", player_id)  # ids may start with "-": end the options first
    assert open_db(live_server)["fairplay"].get(player_id)["status"] == "cleared"
    assert "Under Review" in public_nicknames(live_server, "week")

    flask_fairplay(live_server, "ban", "Under Review")
    assert "Under Review" not in public_nicknames(live_server, "week")
    friends_board = get_json(live_server, "/api/boards/friends", friend)
    assert [row["nickname"] for row in friends_board["top"]] == ["Loyal Friend"]  # gone from every board
    assert get_json(live_server, "/api/boards/week", cookie)["note"] == "checking"


# -- offline results ------------------------------------------------------------------------------------------------

def offline_drill(played_at: float) -> list[dict]:
    drill_id = f"forged-{int(played_at)}"
    return [{"id": f"{drill_id}-{position:02d}", "drillId": drill_id, "drillTotal": 20, "mode": "speed",
             "position": position, "attempt": 0, "emotion": "fear", "answer": "fear", "identitySeed": 1,
             "intensity": 1, "exposureFrames": 1, "exposureMs": 16.7, "framesShown": 1, "refreshMs": 16.67,
             "maxGapMs": 17, "reactionMs": 500, "playedAt": played_at + position, "scored": True, "flag": None,
             "timeZone": "UTC"} for position in range(1, 21)]


def test_a_forged_offline_streak_earns_at_most_one_day_and_no_board(live_server: LiveServer) -> None:
    cookie = new_player_cookie(live_server)
    now = time.time()
    for days_ago in range(29, -1, -3):  # ten one-request batches of drills, one per past day
        days = range(days_ago, max(days_ago - 3, -1), -1)
        batch = [r for day in days for r in offline_drill(now - day * 86400 - 600)]
        status, _ = post_json(live_server, "/api/offline/sync", {"results": batch[:200]}, cookie)
        assert status == 200
    db = open_db(live_server)
    player = db["players"].get(me(live_server, cookie))
    assert player["daily_streak"] <= 1 and player["longest_streak"] <= 1
    assert db.execute("SELECT COUNT(*) FROM board_entries WHERE player_id = ?", [player["id"]]).fetchone()[0] == 0
    later = offline_drill(time.time() + 1)
    assert post_json(live_server, "/api/offline/sync", {"results": later}, cookie)[0] == 200
    assert db["players"].get(player["id"])["daily_streak"] <= 1  # one streak day per sync day, at most


def test_offline_days_really_spent_offline_count_once_a_sync(live_server: LiveServer) -> None:
    """An honest trip: the account was online, then played offline; the sync brings one streak day."""
    cookie = new_player_cookie(live_server)
    later = time.time() + 30
    status, _ = post_json(live_server, "/api/offline/sync", {"results": offline_drill(later)}, cookie)
    assert status == 200
    player = open_db(live_server)["players"].get(me(live_server, cookie))
    assert player["daily_streak"] == 1 and player["points"] == 0


# -- the browser under the strict rules ------------------------------------------------------------------------------

def test_a_phone_browser_plays_a_whole_drill_under_the_clock_rules(page, strict_server: LiveServer,
                                                                   screenshot_dir) -> None:
    from playwright.sync_api import expect

    from game.emotions import EMOTIONS

    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(strict_server.url + "/")
    page.get_by_role("button", name="Play", exact=True).tap()
    anger = EMOTIONS["anger"].name
    # The browser answers the drill's first faces and its last two; the faces between are the same screens again,
    # answered on a socket that keeps the same clock rules (the page's pace, mostly flashes voided by a loaded box's
    # stalls, took ~4 minutes for a whole drill).
    play_drill_by_tapping(page, anger, stop_after=6)  # each tap a person's quickest choice after the mask
    by_socket = play_on_for_the_page(strict_server, page, lambda trial: "anger", leave=2, clock_rules=True)
    play_drill_by_tapping(page, anger)
    expect(page.locator("#summary")).to_be_visible()
    assert errors == []
    latest = "drill_id = (SELECT id FROM drills ORDER BY started_at DESC LIMIT 1)"  # other tests share the server
    trials = list(open_db(strict_server)["trials"].rows_where(f"answer IS NOT NULL AND {latest}"))
    assert sum(t["scored"] for t in trials) == 20 and not any(t["flag"] == "too_early" for t in trials)
    by_browser = [t for t in trials if t["id"] not in by_socket]
    assert len(by_browser) >= 8 and sum(t["scored"] for t in by_browser) >= 2, "the browser answered first and last"
    assert all((t["answered_at"] - t["sent_at"]) * 1000 >= t["display_ms"] - rounds.ANSWER_ALLOWANCE_MS
               for t in by_browser)
    # A new player sees themselves on the week board, told (neutrally) why nobody else does yet.
    page.goto(strict_server.url + "/boards?board=week")
    expect(page.locator("#board-note")).to_contain_text("Only you see your results")
    expect(page.locator("#board-top li.me")).to_have_count(1)
    page.screenshot(path=screenshot_dir / "boards-probation.png", full_page=True)


def test_the_migration_keeps_each_players_latest_active_drill_only() -> None:
    """A database from before fair play, with a player holding two active drills (the two-tab bug)."""
    db = sqlite_utils.Database(memory=True)
    migrations.apply(db, stop_before="m004_fair_play")
    db["players"].insert({"id": "p", "token_hash": "h", "created_at": 0})
    for name, started in (("old", 1.0), ("new", 2.0)):
        db["drills"].insert({"id": name, "player_id": "p", "mode": "speed", "seed": 1, "trial_count": 20,
                             "status": "active", "started_at": started})
    migrations.apply(db)
    assert {row["id"]: row["status"] for row in db["drills"].rows} == {"old": "abandoned", "new": "active"}
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE drills SET status = 'active' WHERE id = 'old'")
