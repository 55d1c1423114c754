"""Offline results synced later: validation, exactly-once storage, stats and streaks but never boards."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid

import pytest
from conftest import DrillClient, LiveServer, new_player_cookie, open_db

from game import offline
from game.emotions import EMOTION_KEYS

NOW = 1_800_000_000.0


def result(drill_id: str, position: int, **overrides: object) -> dict:
    """One answered offline trial as static/js/offline/local-server.js queues it."""
    emotion = EMOTION_KEYS[position % len(EMOTION_KEYS)]
    return {"id": str(uuid.uuid4()), "drillId": drill_id, "drillTotal": 20, "mode": "speed", "position": position,
            "attempt": 0, "emotion": emotion, "answer": emotion if position % 2 else "fear", "identitySeed": 12345,
            "intensity": 1, "exposureFrames": 6, "exposureMs": 100.0, "framesShown": 6, "refreshMs": 16.67,
            "maxGapMs": 17.2, "reactionMs": 850.5, "playedAt": time.time() - 60 + position, "scored": True,
            "flag": None, "timeZone": "Europe/Paris", **overrides}


def whole_drill() -> list[dict]:
    drill_id = str(uuid.uuid4())
    return [result(drill_id, position) for position in range(1, 21)]


def post(server: LiveServer, body: object, cookie: str | None) -> tuple[int, dict]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", **({"Cookie": cookie} if cookie else {})}
    request = urllib.request.Request(server.url + "/api/offline/sync", data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def get_json(server: LiveServer, path: str, cookie: str) -> dict:
    request = urllib.request.Request(server.url + path, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def player_id(server: LiveServer, cookie: str) -> str:
    return get_json(server, "/api/me", cookie)["id"]


# -- validation (pure) -------------------------------------------------------------------------------------------

def test_a_well_formed_batch_parses() -> None:
    parsed = offline.parse_batch({"results": [result("drill-abcdefgh", 1, playedAt=NOW - 10)]}, NOW)
    assert len(parsed) == 1 and parsed[0].position == 1 and parsed[0].counts


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"emotion": "boredom"}, "emotion", "must be one of"),
    ({"answer": None}, "answer", "must be one of"),
    ({"position": 21}, "position", "from 1 to 20"),
    ({"framesShown": 2.5}, "framesShown", "whole number"),
    ({"scored": "yes"}, "scored", "true or false"),
    ({"refreshMs": 3}, "refreshMs", "from 4 to 60"),
    ({"reactionMs": float("nan")}, "reactionMs", "number"),
    ({"id": "short"}, "id", "8-64"),
    ({"playedAt": NOW + 3600}, "playedAt", "not in the future"),
    ({"playedAt": NOW - 31 * 24 * 3600}, "playedAt", "last 30 days"),
    ({"timeZone": "Mars/Olympus"}, "timeZone", "IANA"),
    ({"flag": "bored"}, "flag", "must be one of"),
    ({"identitySeed": True}, "identitySeed", "whole number"),
])
def test_bad_fields_are_refused_by_name(overrides: dict, field: str, words: str) -> None:
    second = {**result("drill-abcdefgh", 2, playedAt=NOW - 5), **overrides}
    batch = {"results": [result("drill-abcdefgh", 1, playedAt=NOW - 10), second]}
    with pytest.raises(offline.OfflineBatchError, match=words) as refused:
        offline.parse_batch(batch, NOW)
    assert refused.value.field == f"results[1].{field}"


def test_missing_fields_and_bad_shapes_are_refused() -> None:
    incomplete = result("drill-abcdefgh", 1, playedAt=NOW)
    del incomplete["exposureFrames"]
    for body, field in [({"results": [incomplete]}, "results[0].exposureFrames"), ([], "results"),
                        ({"results": "all"}, "results"), ({"results": [3]}, "results[0]")]:
        with pytest.raises(offline.OfflineBatchError) as refused:
            offline.parse_batch(body, NOW)
        assert refused.value.field == field


def test_batches_are_bounded_and_ids_unique() -> None:
    too_many = [result("drill-abcdefgh", 1, playedAt=NOW) for _ in range(offline.MAX_RESULTS + 1)]
    with pytest.raises(offline.OfflineBatchError, match="At most 200"):
        offline.parse_batch({"results": too_many}, NOW)
    twice = result("drill-abcdefgh", 1, playedAt=NOW)
    with pytest.raises(offline.OfflineBatchError, match="twice"):
        offline.parse_batch({"results": [twice, twice]}, NOW)


def test_a_flash_the_browser_miscounted_never_scores() -> None:
    claimed = offline.parse_batch({"results": [result("drill-abcdefgh", 1, playedAt=NOW, framesShown=7)]}, NOW)[0]
    assert not claimed.counts


# -- over HTTP ---------------------------------------------------------------------------------------------------

def test_bad_batches_get_a_clear_400_and_store_nothing(live_server: LiveServer) -> None:
    cookie = new_player_cookie(live_server)
    bad = [*whole_drill()[:3], result("drill-abcdefgh", 4, emotion="boredom")]
    status, body = post(live_server, {"results": bad}, cookie)
    assert status == 400
    assert body == {"error": "bad_batch", "field": "results[3].emotion",
                    "message": "emotion must be one of " + ", ".join(EMOTION_KEYS) + "."}
    status, body = post(live_server, b"not json", cookie)
    assert status == 400 and body["error"] == "bad_json" and body["message"]
    pid = player_id(live_server, cookie)
    assert open_db(live_server).execute("SELECT COUNT(*) FROM trials WHERE player_id = ?", [pid]).fetchone()[0] == 0


def test_a_sync_needs_a_player(live_server: LiveServer) -> None:
    status, body = post(live_server, {"results": whole_drill()}, None)
    assert status == 401 and body["error"] == "no_player"


def test_the_same_batch_twice_is_stored_once(live_server: LiveServer) -> None:
    cookie = new_player_cookie(live_server)
    batch = whole_drill()
    ids = [r["id"] for r in batch]
    first = post(live_server, {"results": batch}, cookie)
    again = post(live_server, {"results": batch}, cookie)
    assert first == (200, {"held": ids, "stored": 20})
    assert again == (200, {"held": ids, "stored": 0})
    # and in two overlapping halves, as a sync cut off mid-way would send it
    assert post(live_server, {"results": batch[5:]}, cookie) == (200, {"held": ids[5:], "stored": 0})

    db = open_db(live_server)
    pid = player_id(live_server, cookie)
    trials = list(db["trials"].rows_where("player_id = ?", [pid]))
    assert len(trials) == 20
    assert {t["source"] for t in trials} == {"offline"} and sorted(t["client_id"] for t in trials) == sorted(ids)
    assert all(t["scored"] == 1 and t["answered_at"] is not None for t in trials)
    drills = list(db["drills"].rows_where("player_id = ?", [pid]))
    summary = [(d["kind"], d["status"], d["trial_count"], d["ranked"]) for d in drills]
    assert summary == [("offline", "completed", 20, 0)]
    assert drills[0]["local_day"] is not None


def test_one_players_ids_never_block_anothers(live_server: LiveServer) -> None:
    batch = whole_drill()
    for _ in range(2):
        cookie = new_player_cookie(live_server)
        assert post(live_server, {"results": batch}, cookie)[1]["stored"] == 20


def test_offline_results_count_for_stats_and_streak_never_for_boards(live_server: LiveServer) -> None:
    cookie = new_player_cookie(live_server)
    batch = whole_drill()
    assert post(live_server, {"results": batch}, cookie)[0] == 200

    accuracy = get_json(live_server, "/api/stats", cookie)["accuracy"]
    assert sum(e["shown"] for e in accuracy.values()) == 20
    assert sum(e["correct"] for e in accuracy.values()) == sum(r["answer"] == r["emotion"] for r in batch)
    db = open_db(live_server)
    pid = player_id(live_server, cookie)
    assert db.execute("SELECT COUNT(*) FROM board_entries WHERE player_id = ?", [pid]).fetchone()[0] == 0
    player = db["players"].get(pid)
    assert player["points"] == 0
    assert player["daily_streak"] == 1 and player["last_play_day"] is not None


def test_an_unfinished_offline_drill_is_kept_but_not_completed(live_server: LiveServer) -> None:
    cookie = new_player_cookie(live_server)
    batch = whole_drill()
    replayed = result(batch[0]["drillId"], 3, scored=False, flag="frames", framesShown=5)
    post(live_server, {"results": [*batch[:10], replayed]}, cookie)
    db = open_db(live_server)
    pid = player_id(live_server, cookie)
    drill = next(db["drills"].rows_where("player_id = ?", [pid]))
    assert drill["status"] == "abandoned"  # never offered to resume as a live drill
    assert db["players"].get(pid)["daily_streak"] == 0
    post(live_server, {"results": batch[10:]}, cookie)
    assert db["drills"].get(drill["id"])["status"] == "completed"
    counts = db.execute("SELECT scored, COUNT(*) FROM trials WHERE player_id = ? GROUP BY scored", [pid]).fetchall()
    assert dict(counts) == {0: 1, 1: 20}


def test_a_drill_claimed_offline_while_a_live_trial_was_on_screen_earns_no_streak_day(live_server: LiveServer) -> None:
    """A live trial counts as contact from the moment it is sent, although its row waits for its answer."""
    cookie = new_player_cookie(live_server)
    pid = player_id(live_server, cookie)
    db = open_db(live_server)
    tab = DrillClient(live_server, cookie)
    try:
        assert tab.ask({"type": "hello", "v": 1})["type"] == "welcome"
        with db.conn:
            db.execute("UPDATE players SET created_at = ? WHERE id = ?", [time.time() - 3600, pid])  # an hour ago
        tab.send({"type": "start", "refreshMs": 16.667})
        assert tab.receive()["type"] == "started" and tab.receive()["type"] == "trial"  # on screen, unanswered
        drill_id = str(uuid.uuid4())
        claimed = [result(drill_id, position, playedAt=time.time() - 1800 + position) for position in range(1, 21)]
        assert post(live_server, {"results": claimed}, cookie)[1]["stored"] == 20
        assert db["players"].get(pid)["daily_streak"] == 0  # "played offline" half an hour before being online
    finally:
        tab.close()
