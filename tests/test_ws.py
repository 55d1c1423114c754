"""The drill protocol against a live gunicorn server, with a real WebSocket client and SQLite file."""

from __future__ import annotations

import json
import time

import pytest
import websocket
from conftest import DrillClient, LiveServer, emotion_of, new_player_cookie, open_db, stored_trial

from game import adaptation, stats, store
from game.emotions import EMOTION_KEYS


def start(client: DrillClient, **fields: object) -> tuple[dict, dict]:
    assert client.ask({"type": "hello", "v": 1})["type"] == "welcome"
    client.send({"type": "start", "refreshMs": 16.667, **fields})
    started, trial = client.receive(), client.receive()
    assert started["type"] == "started" and trial["type"] == "trial"
    return started, trial


def wrong(emotion: str) -> str:
    return next(e for e in EMOTION_KEYS if e != emotion)


def test_full_drill_is_scored_stored_and_summarised(client: DrillClient, live_server: LiveServer) -> None:
    started, trial = start(client)
    expected_correct = 0
    for position in range(1, 21):
        assert trial["position"] == position and trial["total"] == 20
        assert "emotion" not in json.dumps(trial)  # the answer never leaves the server early
        truth = emotion_of(live_server, trial["trialId"])
        answer = truth if position % 3 else wrong(truth)
        expected_correct += answer == truth
        result = client.answer(trial, answer)
        assert result["type"] == "result", result
        assert result["emotion"] == truth
        assert result["correct"] == (answer == truth) and result["scored"]
        if position < 20:
            trial = client.ask({"type": "next"})
    summary = client.receive()
    assert summary["type"] == "summary" and summary["shown"] == 20
    assert summary["correct"] == expected_correct
    assert set(summary["perEmotion"]) == set(EMOTION_KEYS)  # balanced: every emotion shows up
    assert "all" in summary["thresholds"]

    db = open_db(live_server)
    rows = list(db["trials"].rows_where("drill_id = ?", [started["drillId"]]))
    assert len(rows) == 20 and all(r["scored"] == 1 and r["answer"] for r in rows)
    assert sum(r["correct"] for r in rows) == expected_correct
    assert db["drills"].get(started["drillId"])["status"] == "completed"
    assert all(r["frames_shown"] == r["exposure_frames"] and r["sent_at"] < r["answered_at"] for r in rows)
    staircase = db["staircases"].get((rows[0]["player_id"], "exposure", "all"))
    assert staircase["trials"] == 20


def test_exposure_adapts_to_a_perfect_player(client: DrillClient, live_server: LiveServer) -> None:
    _, trial = start(client)
    exposures = []
    for position in range(1, 21):
        exposures.append(trial["exposureFrames"])
        client.answer(trial, emotion_of(live_server, trial["trialId"]))
        if position < 20:
            trial = client.ask({"type": "next"})
    assert sum(exposures[-5:]) < sum(exposures[:5])  # always right -> shorter flashes


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_json"),
        (json.dumps({"type": "teleport"}), "unknown_type"),
        (json.dumps({"no": "type"}), "unknown_type"),
        (json.dumps({"type": "hello"}), "missing_field"),
        (json.dumps({"type": "hello", "v": 99}), "unsupported_version"),
        (json.dumps({"type": "start", "refreshMs": "fast"}), "bad_field"),
        (json.dumps({"type": "start", "refreshMs": True}), "bad_field"),
        (json.dumps({"type": "start", "refreshMs": 1e9}), "bad_field"),
        (json.dumps({"type": "answer", "trialId": "x" * 5, "answer": "joy", "framesShown": 1, "refreshMs": 16.7,
                     "maxGapMs": 1, "reactionMs": 1}), "bad_field"),
        (json.dumps({"type": "answer", "trialId": "abc", "answer": "fear", "framesShown": 1.5, "refreshMs": 16.7,
                     "maxGapMs": 1, "reactionMs": 1}), "bad_field"),
        (json.dumps({"type": "hello", "v": 1, "pad": "x" * 3000}), "too_large"),
    ],
)
def test_bad_messages_get_an_error_and_the_drill_goes_on(client: DrillClient, live_server: LiveServer,
                                                          raw: str, code: str) -> None:
    _, trial = start(client)
    error = client.ask(raw)
    assert error["type"] == "error" and error["code"] == code and error["message"]
    truth = emotion_of(live_server, trial["trialId"])
    result = client.answer(trial, truth)
    assert result["correct"] and result["answered"] == 1


def test_replayed_unknown_and_early_answers_are_refused_without_double_counting(
    client: DrillClient, live_server: LiveServer
) -> None:
    early = client.ask({"type": "answer", "trialId": "not-sent-yet", "answer": "fear", "framesShown": 1,
                        "refreshMs": 16.7, "maxGapMs": 1, "reactionMs": 1})
    assert early["code"] == "no_drill"
    started, trial = start(client)
    assert client.answer({**trial, "trialId": "forged-id"}, "fear")["code"] == "unknown_trial"
    assert client.ask({"type": "next"})["code"] == "answer_pending"
    first = client.answer(trial, "fear")
    assert first["type"] == "result"
    replay = client.answer(trial, emotion_of(live_server, trial["trialId"]))
    assert replay["code"] == "already_answered"
    second = client.ask({"type": "next"})
    assert client.answer(trial, "anger")["code"] == "already_answered"  # out of order: an older trial
    assert client.answer(second, "anger")["answered"] == 2
    rows = list(open_db(live_server)["trials"].rows_where("drill_id = ?", [started["drillId"]]))
    assert len(rows) == 2 and [r["answer"] for r in rows] == ["fear", "anger"]


def test_reaction_time_longer_than_the_trial_existed_is_rejected(client: DrillClient) -> None:
    _, trial = start(client)
    error = client.answer(trial, "fear", reactionMs=60_000)
    assert error["code"] == "bad_timing"
    assert client.answer(trial, "fear")["type"] == "result"  # the trial stays open for an honest answer


def test_a_flash_shown_for_the_wrong_number_of_frames_is_stored_unscored_and_replayed(
    client: DrillClient, live_server: LiveServer
) -> None:
    started, trial = start(client)
    result = client.answer(trial, emotion_of(live_server, trial["trialId"]),
                           framesShown=trial["exposureFrames"] + 1)
    assert result["scored"] is False and result["replay"] and result["flag"] == "frames"
    assert result["emotion"] is None and result["correct"] is None  # a voided flash gives nothing away
    replay = client.ask({"type": "next"})
    assert replay["position"] == 1 and replay["identitySeed"] != trial["identitySeed"]
    stalled = client.answer(replay, "fear", stalled=True)
    assert stalled["flag"] == "stall" and stalled["answered"] == 0
    flags = [r["flag"] for r in open_db(live_server)["trials"].rows_where("drill_id = ?", [started["drillId"]])]
    assert flags == ["frames", "stall"]


def test_a_drill_with_voided_flashes_still_shows_each_emotion_of_its_plan_once_per_slot(
    client: DrillClient, live_server: LiveServer
) -> None:
    """A voided flash swaps its emotion with a later one (the stored plan changes); the socket goes on from the
    swapped plan, so the scored trials show exactly the stored plan and the drill stays balanced."""
    started, trial = start(client)
    for position in range(1, 21):
        truth = emotion_of(live_server, trial["trialId"])
        if position in (3, 7, 12):  # a bad flash: stored unscored, replayed with the plan's emotion swapped
            assert client.answer(trial, truth, framesShown=trial["exposureFrames"] + 1)["replay"]
            trial = client.ask({"type": "next"})
            assert trial["position"] == position
            truth = emotion_of(live_server, trial["trialId"])
        result = client.answer(trial, truth)
        assert result["correct"] and result["emotion"] == truth
        if position < 20:
            trial = client.ask({"type": "next"})
    db = open_db(live_server)
    plan = json.loads(db["drills"].get(started["drillId"])["plan"])
    scored = sorted((r["position"], r["emotion"]) for r in db["trials"].rows_where(
        "drill_id = ? AND scored = 1", [started["drillId"]]))
    assert [emotion for _, emotion in scored] == plan
    counts = [plan.count(emotion) for emotion in EMOTION_KEYS]
    assert min(counts) >= 1 and max(counts) - min(counts) <= 1


def test_a_dropped_connection_loses_nothing_answered_and_can_resume(connect, live_server: LiveServer) -> None:
    first = connect()
    started, trial = start(first)
    for _ in range(5):
        first.answer(trial, emotion_of(live_server, trial["trialId"]))
        trial = first.ask({"type": "next"})
    first.close()  # mid-trial

    again = connect(cookie=first.cookie)
    welcome = again.ask({"type": "hello", "v": 1})
    assert welcome["activeDrill"] == {"id": started["drillId"], "mode": "speed", "total": 20, "answered": 5}
    again.send({"type": "resume", "drillId": started["drillId"], "refreshMs": 16.667})
    resumed, trial = again.receive(), again.receive()
    assert resumed["answered"] == 5 and trial["position"] == 6
    assert again.answer(trial, "fear")["answered"] == 6
    again.close()
    rows = list(open_db(live_server)["trials"].rows_where("drill_id = ?", [started["drillId"]], order_by="sent_at"))
    assert [r["scored"] for r in rows] == [1] * 5 + [0, 1]
    assert rows[5]["flag"] == "disconnected"


def test_an_old_tab_closing_after_another_resumed_does_not_void_the_new_tabs_trial(
        connect, live_server: LiveServer) -> None:
    old = connect()
    started, _ = start(old)
    new = connect(cookie=old.cookie)
    new.ask({"type": "hello", "v": 1})
    new.send({"type": "resume", "drillId": started["drillId"], "refreshMs": 16.667})
    new.receive()
    trial = new.receive()
    old.close()  # the page that left goes away after the other tab took over
    time.sleep(1.0)  # the server notices the old socket's close
    result = new.answer(trial, emotion_of(live_server, trial["trialId"]))
    assert result["type"] == "result" and result["correct"], result


def test_a_tab_answering_after_another_tab_played_on_counts_from_where_that_tab_left_the_drill(
        connect, live_server: LiveServer) -> None:
    """A socket keeps its drill's progress (answered, answer streak) instead of counting trials on every answer; the
    drill's row decides when another tab played meanwhile."""
    first = connect()
    started, trial = start(first)
    assert first.answer(trial, emotion_of(live_server, trial["trialId"]))["answerStreak"] == 1
    second = connect(cookie=first.cookie)  # the player goes on in another tab; the first stays between trials
    second.ask({"type": "hello", "v": 1})
    second.send({"type": "resume", "drillId": started["drillId"], "refreshMs": 16.667})
    assert second.receive()["answered"] == 1
    trial = second.receive()
    for _ in range(2):
        result = second.answer(trial, emotion_of(live_server, trial["trialId"]))
        trial = second.ask({"type": "next"})
    assert (result["answered"], result["answerStreak"]) == (3, 3)
    shown = trial
    trial = first.ask({"type": "next"})  # back in the first tab
    assert trial["position"] == 4 and trial["identitySeed"] != shown["identitySeed"]  # not the other tab's flash
    result = first.answer(trial, emotion_of(live_server, trial["trialId"]))
    assert (result["answered"], result["answerStreak"]) == (4, 4)
    assert store.progress(open_db(live_server), started["drillId"]) == (4, 4)  # from its trials while it is open
    assert first.ask({"type": "abandon"})["type"] == "abandoned"  # its row is counted when it closes
    drill = open_db(live_server)["drills"].get(started["drillId"])
    points = open_db(live_server).execute("SELECT SUM(points) FROM trials WHERE drill_id = ?",
                                          [started["drillId"]]).fetchone()[0]
    counted = (drill["answered"], drill["answer_streak"], drill["best_answer_streak"], drill["points"])
    assert counted == (4, 4, 4, points)


def test_a_tab_between_trials_sees_what_another_tab_did_to_the_drill_at_its_next(
        connect, live_server: LiveServer) -> None:
    """A socket that answered last knows its drill's next slot without reading it, until anyone writes to the drill: a
    trial another tab showed and dropped makes the next one there a replay; a new drill there closes this one."""
    first = connect()
    started, trial = start(first)
    first.answer(trial, emotion_of(live_server, trial["trialId"]))
    second = connect(cookie=first.cookie)
    second.ask({"type": "hello", "v": 1})
    second.send({"type": "resume", "drillId": started["drillId"], "refreshMs": 16.667})
    second.receive()
    shown = second.receive()
    second.close()  # its trial at position 2 is stored as disconnected
    time.sleep(1.0)  # the server notices the close
    trial = first.ask({"type": "next"})
    assert trial["position"] == 2 and trial["identitySeed"] != shown["identitySeed"]  # a replay, not the same flash
    first.answer(trial, emotion_of(live_server, trial["trialId"]))
    third = connect(cookie=first.cookie)
    start(third)  # a new drill in another tab: the first tab's drill is abandoned
    assert first.ask({"type": "next"})["code"] == "drill_closed"
    assert open_db(live_server)["drills"].get(started["drillId"])["status"] == "abandoned"


def test_starting_anew_abandons_the_old_drill(connect, live_server: LiveServer) -> None:
    first = connect()
    old, _ = start(first)
    first.close()
    again = connect(cookie=first.cookie)
    new, _ = start(again)
    again.close()
    drills = open_db(live_server)["drills"]
    assert drills.get(old["drillId"])["status"] == "abandoned"
    assert drills.get(new["drillId"])["status"] == "active"


def test_cross_site_origin_is_refused(connect, live_server: LiveServer) -> None:
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        connect(origin="https://evil.example")
    assert refused.value.status_code == 403


@pytest.mark.parametrize("cookie", ["", "glimpse_player=forged", "glimpse_player=" + "\u00e9" * 43])
def test_a_socket_without_a_player_cookie_is_refused_before_the_upgrade(connect, cookie: str) -> None:
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        connect(cookie=cookie)
    assert refused.value.status_code == 403


def close_frame_after(client: DrillClient, limit: int = 400) -> tuple[list[dict], int | None, bytes]:
    """Read messages until the server closes; return them, the close code and its reason.

    A server that closes with our unread messages still queued resets the stream,
    which can swallow its close frame: then the code is None.
    """
    messages = []
    for _ in range(limit):
        try:
            opcode, data = client.ws.recv_data(control_frame=True)
        except ConnectionResetError:
            return messages, None, b""
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            return messages, int.from_bytes(data[:2], "big"), data[2:]
        if opcode == websocket.ABNF.OPCODE_TEXT:
            messages.append(json.loads(data))
    raise AssertionError("the server never closed the socket")


def test_a_flood_is_throttled_then_closed_and_other_players_are_unaffected(connect, live_server: LiveServer) -> None:
    flooder, bystander = connect(), connect()
    _, trial = start(bystander)
    codes = []
    for _ in range(400):  # as fast as the replies come back: far beyond any player's pace
        reply = flooder.ask({"type": "hello", "v": 1})
        codes.append(reply.get("code"))
        if reply.get("code") == "flooding":
            break
    assert codes[:60] == [None] * 60  # a burst a real client could send is never refused
    assert "rate_limited" in codes and codes[-1] == "flooding"
    _, code, reason = close_frame_after(flooder)
    assert (code, reason) == (1008, b"Too many messages")
    assert bystander.answer(trial, emotion_of(live_server, trial["trialId"]))["correct"]
    # Closed for flooding, it may not reconnect at once (each reconnect cost a handshake for a message or two), to
    # either socket: HTTP 429 before the upgrade, until its budget has refilled; then it plays again.
    waits = []
    for url in (live_server.ws_url, live_server.ws_url + "/duel"):
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            websocket.create_connection(url, cookie=flooder.cookie, origin=live_server.url, timeout=10)
        assert refused.value.status_code == 429
        assert json.loads(refused.value.resp_body)["error"] == "flooding"
        waits.append(int(refused.value.resp_headers["retry-after"]))
    assert 1 <= waits[-1] <= waits[0] <= 6  # a full budget: 120 messages at 20 a second
    time.sleep(waits[0])
    assert connect(cookie=flooder.cookie).ask({"type": "hello", "v": 1})["type"] == "welcome"


def test_an_oversized_frame_closes_the_socket_but_keeps_what_was_answered(connect, live_server: LiveServer) -> None:
    client = connect()
    started, trial = start(client)
    client.answer(trial, "fear")
    client.send("x" * 65_600)
    _, code, _ = close_frame_after(client)
    assert code in (1009, None)
    again = connect(cookie=client.cookie)
    assert again.ask({"type": "hello", "v": 1})["activeDrill"]["answered"] == 1
    rows = list(open_db(live_server)["trials"].rows_where("drill_id = ? AND scored = 1", [started["drillId"]]))
    assert len(rows) == 1


def test_a_drill_started_in_another_tab_closes_this_one_without_scoring_its_answers(
    connect, live_server: LiveServer
) -> None:
    first = connect()
    _, trial = start(first)
    second = connect(cookie=first.cookie)
    start(second)
    late = first.answer(trial, emotion_of(live_server, trial["trialId"]))
    assert late["code"] == "drill_closed"
    assert first.ask({"type": "next"})["code"] == "no_drill"
    row = stored_trial(open_db(live_server), trial["trialId"])
    assert (row["scored"], row["flag"], row["answer"]) == (0, "abandoned", None)


def test_next_after_the_last_trial_says_the_drill_is_over_and_a_new_player_sees_every_streak_field(
    client: DrillClient,
) -> None:
    welcome = client.ask({"type": "hello", "v": 1})
    assert welcome["streak"] == {"days": 0, "todayDone": False, "longest": 0, "freezes": 0, "freezesNeeded": 0}
    assert client.play_right()["type"] == "summary"
    assert client.ask({"type": "next"})["code"] == "drill_over"


@pytest.mark.parametrize("tz", ["America", "__pycache__", "../../../etc/passwd", "\ud800", "Europe"])
def test_a_time_zone_that_is_no_zone_is_a_bad_field(client: DrillClient, tz: str) -> None:
    reply = client.ask(json.dumps({"type": "hello", "v": 1, "tz": tz}))
    assert (reply["code"], reply.get("field")) in {("bad_field", "tz"), ("bad_json", None)}
    assert client.ask({"type": "hello", "v": 1, "tz": "Europe/Paris"})["type"] == "welcome"


def test_a_player_holds_three_sockets_and_a_closed_one_frees_its_place(connect) -> None:
    tabs = [connect()]
    tabs += [connect(cookie=tabs[0].cookie) for _ in range(2)]
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        connect(cookie=tabs[0].cookie)
    assert refused.value.status_code == 429
    tabs[0].close()
    for _ in range(50):  # the server notices the close within a moment
        try:
            again = connect(cookie=tabs[1].cookie)
            break
        except websocket.WebSocketBadStatusException:
            time.sleep(0.1)
    else:
        raise AssertionError("the closed socket still counts")
    assert again.ask({"type": "hello", "v": 1})["type"] == "welcome"


def test_a_procedure_kept_by_one_tab_takes_in_what_another_tab_played(connect, live_server: LiveServer) -> None:
    """A socket keeps its procedures from drill to drill (rebuilding them cost most of a start), but the database
    decides: answers given meanwhile in another tab are never dropped from the adaptive estimate."""
    first = connect()
    assert first.play_right()["type"] == "summary"
    second = connect(cookie=first.cookie)
    assert second.play_right()["type"] == "summary"
    first.send({"type": "start", "refreshMs": 16.667})
    assert first.receive()["type"] == "started"
    trial = first.receive()
    assert first.answer(trial, emotion_of(live_server, trial["trialId"]))["type"] == "result"
    db = open_db(live_server)
    player_id = stored_trial(db, trial["trialId"])["player_id"]
    # The open drill's answers are written at its end: until then they are replayed onto the stored procedures.
    overall = adaptation.replayed(db, player_id, "exposure", store.load_procedure_states(db, player_id, "exposure"))[0]
    assert sum(n for s in json.loads(overall["all"])["sessions"] for _, n, _ in s["counts"]) == 41  # both tabs' + 1
    assert stats.current_thresholds(db, player_id, "exposure")["all"]["trials"] == 41


@pytest.fixture(scope="module")
def hasty_server(tmp_path_factory: pytest.TempPathFactory):
    """A server whose trials expire after one second (production: two minutes)."""
    from conftest import SCRIPTED_PLAYERS

    server = LiveServer(tmp_path_factory.mktemp("hasty") / "glimpse.db",
                        {**SCRIPTED_PLAYERS, "GLIMPSE_TRIAL_TTL_S": "1"}).start()
    yield server
    server.stop()


def test_an_answer_after_the_trial_expired_is_refused_and_the_drill_goes_on(hasty_server) -> None:
    player = DrillClient(hasty_server)
    try:
        started, trial = start(player)
        time.sleep(1.3)
        late = player.answer(trial, emotion_of(hasty_server, trial["trialId"]))
        assert late["code"] == "trial_expired", late
        again = player.ask({"type": "next"})
        assert again["type"] == "trial" and again["position"] == 1, again  # the voided position is played again
        assert player.answer(again, emotion_of(hasty_server, again["trialId"]))["correct"]
    finally:
        player.close()
    rows = list(open_db(hasty_server)["trials"].rows_where("drill_id = ?", [started["drillId"]], order_by="sent_at"))
    assert [(row["flag"], row["scored"]) for row in rows] == [("expired", 0), (None, 1)]


def test_a_browser_offering_compression_gets_plain_frames(live_server: LiveServer) -> None:
    """Browsers offer permessage-deflate; the server declines it (its zlib state would cost each player ~180 KB)."""
    ws = websocket.create_connection(
        live_server.ws_url, cookie=new_player_cookie(live_server), origin=live_server.url, timeout=10,
        header=["Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"],
    )
    try:
        assert "sec-websocket-extensions" not in {name.lower() for name in ws.getheaders()}
        ws.send(json.dumps({"type": "hello", "v": 1, "tz": "Europe/Paris"}))
        assert json.loads(ws.recv())["type"] == "welcome"  # a compressed frame would not decode here
    finally:
        ws.close()


@pytest.mark.parametrize("size", [0, 125, 126, 2001, 65535, 65536, 70001])
def test_replies_are_framed_byte_for_byte_as_wsproto_frames_them(size: int) -> None:
    """Replies skip wsproto's framing: each must still reach the browser as one whole text frame (short, 16-bit and
    64-bit lengths, multi-byte characters), the bytes wsproto would have sent."""
    from flask_sock import Server
    from wsproto import Connection, ConnectionType
    from wsproto.events import TextMessage

    from game.websocket import send_text

    class Wire:
        def __init__(self) -> None:
            self.sent = b""

        def send(self, data: bytes) -> int:
            self.sent += data
            return len(data)

    ws = Server.__new__(Server)  # an open server socket, without a handshake
    ws.connected, ws.ws, ws.sock = True, Connection(ConnectionType.SERVER), Wire()
    text = "a" * (size % 2) + "é" * (size // 2)  # exactly ``size`` bytes: each length's edge
    assert len(text.encode()) == size
    send_text(ws, text.encode())
    assert ws.sock.sent == Connection(ConnectionType.SERVER).send(TextMessage(data=text))


def test_a_reply_larger_than_the_sockets_buffer_arrives_whole() -> None:
    """A reply the socket cannot take at once (a slow phone's full buffer) is sent whole once it drains, never cut."""
    import gevent
    from flask_sock import Server
    from gevent import socket as green
    from wsproto import Connection, ConnectionType
    from wsproto.events import TextMessage

    from game.websocket import send_text

    ours, peer = green.socketpair()
    ws = Server.__new__(Server)  # an open server socket, without a handshake
    ws.connected, ws.ws, ws.sock = True, Connection(ConnectionType.SERVER), ours
    text = "é" * 1_500_000  # 3 MB: many times a socket's buffer
    expected = Connection(ConnectionType.SERVER).send(TextMessage(data=text))
    sender = gevent.spawn(send_text, ws, text.encode())
    received = bytearray()
    with gevent.Timeout(20):
        while len(received) < len(expected):
            received += peer.recv(1 << 16)
        sender.get()
    assert bytes(received) == expected
    ours.close()
    peer.close()


def test_a_clients_ping_is_answered_and_its_fragmented_message_and_close_are_read(connect) -> None:
    client = connect()
    client.ws.ping(b"are you there")
    opcode, data = client.ws.recv_data(control_frame=True)
    assert (opcode, data) == (websocket.ABNF.OPCODE_PONG, b"are you there")
    text = json.dumps({"type": "hello", "v": 1}).encode()
    client.ws.send_frame(websocket.ABNF.create_frame(text[:5], websocket.ABNF.OPCODE_TEXT, fin=0))
    client.ws.ping(b"between")
    client.ws.send_frame(websocket.ABNF.create_frame(text[5:], websocket.ABNF.OPCODE_CONT, fin=1))
    assert client.ws.recv_data(control_frame=True) == (websocket.ABNF.OPCODE_PONG, b"between")
    assert json.loads(client.ws.recv())["type"] == "welcome"
    client.ws.send_close(4000, b"bye")
    opcode, data = client.ws.recv_data(control_frame=True)
    assert (opcode, int.from_bytes(data[:2], "big"), data[2:]) == (websocket.ABNF.OPCODE_CLOSE, 4000, b"bye")


def test_text_that_is_not_utf8_closes_the_socket_with_1007(connect) -> None:
    client = connect()
    client.ws.send(b"\xff\xfe", opcode=websocket.ABNF.OPCODE_TEXT)
    _, code, _ = close_frame_after(client)
    assert code in (1007, None)
