"""Scenes over the real WebSocket: a live gunicorn, a real client, a real SQLite file."""

from __future__ import annotations

import json
import urllib.request

from conftest import emotion_of, open_db, stored_trial

from game import face_version
from game.emotions import EMOTION_KEYS
from game.item_report import load_rows, report
from game.scene_session import TRIALS_PER_SCENE_DRILL


def start_scenes(client, mode: str = "scene") -> dict:
    client.ask({"type": "hello", "v": 1})
    started = client.ask({"type": "start", "mode": mode, "refreshMs": 16.667})
    assert started["type"] == "started" and started["mode"] == mode
    assert started["total"] == TRIALS_PER_SCENE_DRILL
    return client.receive()


def answer_scene(client, scene: dict, answer: str, **overrides) -> dict:
    """As a browser that showed the scene's window exactly (a scene's `exposureFrames` is its window)."""
    return client.answer({**scene, "exposureFrames": scene["window"]["frames"]}, answer, **overrides)


def test_a_scene_arrives_as_keyframes_without_the_answer(client) -> None:
    scene = start_scenes(client)
    assert scene["type"] == "scene" and scene["position"] == 1
    assert scene["context"] and scene["line"] and scene["frames"] > 100
    assert len(scene["keyframes"][0]) == len(scene["channels"]) + 1
    assert "43L" in scene["channels"]  # blinks
    text = json.dumps(scene).lower()
    for word in (*EMOTION_KEYS, "leak", "mask", "smile", "variant"):
        assert word not in text.replace(scene["context"].lower(), "").replace(scene["line"].lower(), ""), word
    start, frames = scene["window"]["start"], scene["window"]["frames"]
    assert start > 0 and start + frames < scene["frames"]


def test_a_right_answer_scores_and_reveals_the_leak_and_its_cues(client, live_server) -> None:
    scene = start_scenes(client)
    truth = emotion_of(live_server, scene["trialId"])
    result = answer_scene(client, scene, truth)
    assert result["type"] == "result" and result["correct"] and result["scored"] and result["points"] > 0
    leak = result["leak"]
    window = scene["window"]
    assert window["start"] < leak["start"] and leak["start"] + leak["frames"] < window["start"] + window["frames"]
    assert leak["onset"] + leak["apex"] + leak["offset"] == leak["frames"]
    assert f"for {leak['ms']} ms" in leak["cue"] and leak["mask"]
    assert 40 <= leak["ms"] <= 500


def test_a_scene_face_carries_the_server_chosen_traits_and_the_item_report_counts_it(client, live_server) -> None:
    scene = start_scenes(client)
    traits = scene["identity"]
    assert traits["fitzpatrick"] in range(1, 7) and isinstance(traits["glasses"], bool) and traits["facialHair"]
    truth = emotion_of(live_server, scene["trialId"])
    answer_scene(client, scene, truth)
    db = open_db(live_server)
    row = stored_trial(db, scene["trialId"])
    assert (row["fitzpatrick"], bool(row["glasses"]), row["facial_hair"]) == (
        traits["fitzpatrick"], traits["glasses"], traits["facialHair"])
    assert row["face_version"] == face_version.current()
    rows, _ = load_rows(db, min_exposure_ms=0, face_version=face_version.current())
    # The server is shared with other tests: this answer is one of the report's scene rows.
    assert ("scene", truth, traits["fitzpatrick"], traits["facialHair"], 1) in [
        (r["play"], r["emotion"], r["fitzpatrick"], r["facial_hair"], r["correct"]) for r in rows]
    assert "| scene | " in report(rows, {})


def test_a_window_not_shown_exactly_is_voided_and_replaced_with_a_new_face(client, live_server) -> None:
    scene = start_scenes(client)
    truth = emotion_of(live_server, scene["trialId"])
    result = answer_scene(client, scene, truth, framesShown=scene["window"]["frames"] + 1)
    assert not result["scored"] and result["flag"] == "frames" and result["replay"] and result["points"] == 0
    again = client.ask({"type": "next"})
    assert again["type"] == "scene" and again["position"] == 1 and again["identitySeed"] != scene["identitySeed"]
    stalled = answer_scene(client, again, "anger", stalled=True)
    assert stalled["flag"] == "stall" and not stalled["scored"]


def test_a_scene_drill_adapts_the_leak_credits_the_day_and_summarises(client, live_server) -> None:
    scene = start_scenes(client)
    for position in range(1, TRIALS_PER_SCENE_DRILL + 1):
        result = answer_scene(client, scene, emotion_of(live_server, scene["trialId"]))
        assert result["correct"]
        if position < TRIALS_PER_SCENE_DRILL:
            scene = client.ask({"type": "next"})
    summary = client.receive()
    assert summary["type"] == "summary" and summary["axis"] == "leak" and summary["shown"] == 10
    assert summary["thresholds"]["all"]["trials"] == 10 and summary["points"] > 0
    assert summary["streak"]["todayDone"]
    db = open_db(live_server)
    rows = list(db.query("SELECT emotion, exposure_ms * intensity AS leak FROM trials WHERE drill_id = ? "
                         "ORDER BY sent_at", [summary["drillId"]]))
    # Each emotion has its own procedure: every emotion seen twice or more got a briefer (or fainter) leak.
    by_emotion: dict[str, list[float]] = {}
    for row in rows:
        by_emotion.setdefault(row["emotion"], []).append(row["leak"])
    repeated = {e: leaks for e, leaks in by_emotion.items() if len(leaks) > 1}
    assert repeated and all(leaks[-1] < leaks[0] for leaks in repeated.values()), repeated
    states = {r["axis"] for r in db.query("SELECT axis FROM staircases")}
    assert "leak" in states


def test_the_daily_scene_challenge_is_the_same_for_everyone_and_ranks_the_first_attempt(connect, live_server) -> None:
    first, second = connect(), connect()
    a, b = start_scenes(first, "scene-challenge"), start_scenes(second, "scene-challenge")
    assert a["identitySeed"] == b["identitySeed"] and a["keyframes"] == b["keyframes"] and a["line"] == b["line"]
    welcome = first.ask({"type": "hello", "v": 1})
    assert welcome["sceneChallenge"]["played"] and not welcome["challenge"]["played"]
    # first plays it through
    started = first.ask({"type": "start", "mode": "scene-challenge", "refreshMs": 16.667})  # a second attempt
    scene = first.receive()
    drill_id = started["drillId"]  # practice
    assert not open_db(live_server)["drills"].get(drill_id)["ranked"]
    scene = b
    for position in range(1, TRIALS_PER_SCENE_DRILL + 1):
        answer_scene(second, scene, emotion_of(live_server, scene["trialId"]))
        if position < TRIALS_PER_SCENE_DRILL:
            scene = second.ask({"type": "next"})
    summary = second.receive()
    assert summary["challenge"]["ranked"] and summary["challenge"]["standing"]["rank"] == 1
    share = summary["challenge"]["shareText"]
    assert share.startswith("Glimpse Scenes #") and "10/10" in share
    assert not any(emotion in share.lower() for emotion in EMOTION_KEYS)
    request = urllib.request.Request(live_server.url + "/api/boards/scenes", headers={"Cookie": second.cookie})
    with urllib.request.urlopen(request, timeout=10) as response:
        board = json.load(response)
    assert board["top"][0]["me"] and board["top"][0]["score"] == summary["points"]
    with urllib.request.urlopen(urllib.request.Request(live_server.url + "/api/boards/today",
                                                       headers={"Cookie": second.cookie}), timeout=10) as response:
        assert not any(row["me"] for row in json.load(response)["top"]), "the flash challenge's board is another"
