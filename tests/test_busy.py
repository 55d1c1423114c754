"""A full worker refuses newcomers' sockets so those playing keep their latency (game/busy.py, game/gate.py).

What a saturated worker looks like (7,000+ playing players on the 2-core box) is measured by bench/load.py; here the
rule, the gate that applies it, and the watcher feeding it in a real gunicorn worker.
"""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

import pytest
import websocket
from conftest import SCRIPTED_PLAYERS, DrillClient, emotion_of, play_drill_by_tapping
from harness import PHONE, LiveServer
from playwright.sync_api import Browser, expect

from game import create_app, duel_ws, players
from game.busy import Load
from game.db import pool
from game.gate import RESUMING_WHILE_FULL
from game.web import COOKIE

UPGRADE = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
           "Sec-WebSocket-Version": "13"}


def ticks(load: Load, lag_s: float, cpu: float, count: int) -> Load:
    for _ in range(count):
        load.observe(lag_s, cpu)
    return load


def test_a_worker_is_full_when_it_uses_most_of_a_core_for_seconds() -> None:
    load = ticks(Load(), 0.3, 0.98, 10)  # a second of a saturated loop: not yet
    assert not load.full
    assert ticks(load, 0.3, 0.98, 30).full


def test_one_slow_message_does_not_fill_the_worker() -> None:
    load = ticks(Load(), 0.001, 0.7, 100)
    load.observe(0.7, 1.0)  # a full collection (every ten minutes, game/collector.py)
    assert not load.full
    assert not ticks(load, 0.001, 0.7, 100).full


def test_a_loop_late_because_other_processes_hold_the_core_refuses_nobody() -> None:
    """Refusing players would free nothing: the worker itself is not using the core."""
    assert not ticks(Load(), 0.3, 0.3, 200).full


def test_a_full_worker_takes_newcomers_again_once_its_cpu_falls_well_under_the_line() -> None:
    load = ticks(Load(), 0.2, 0.98, 100)
    assert ticks(load, 0.001, 0.8, 100).full  # under the line it crossed, above the calm one: still full
    assert not ticks(load, 0.001, 0.6, 100).full


def test_an_operator_can_turn_refusals_off() -> None:
    assert not ticks(Load(full_cpu=0), 5.0, 1.0, 200).full


def test_a_full_worker_refuses_new_sockets_with_503_and_still_serves_pages(tmp_path: Path) -> None:
    app = create_app({"DATABASE": str(tmp_path / "glimpse.db"), "SECRET_KEY": "test"})
    http = app.test_client()
    load = app.extensions["glimpse_gate"].load
    load.full = True
    refused = http.get("/ws", headers=UPGRADE)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "5"
    assert refused.get_json()["error"] == "over_capacity"
    assert http.get("/").status_code == 200  # the page, then its offline practice (static/js/offline/mode.js)
    assert http.get("/healthz").get_json()["full"] is True
    load.full = False
    assert http.get("/ws", headers=UPGRADE).status_code != 503  # on to the socket's own checks (here: no cookie)


def test_the_real_worker_measures_its_load(tmp_path: Path) -> None:
    """The watcher runs in gunicorn's worker: /healthz shows the loop's lag and the worker's CPU, not the zeros of a
    load nobody feeds; an idle worker is not full."""
    server = LiveServer(tmp_path / "glimpse.db").start()
    try:
        health: dict = {}
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for _ in range(20):
                with urllib.request.urlopen(server.url + "/", timeout=10) as response:
                    response.read()
            with urllib.request.urlopen(server.url + "/healthz", timeout=10) as response:
                health = json.load(response)
            if health["loopLagMs"] > 0 and health["cpu"] > 0:
                break
            time.sleep(0.2)
    finally:
        server.stop()
    assert health["ok"] is True
    assert health["loopLagMs"] > 0 and health["cpu"] > 0, health
    assert health["full"] is False


def wait_until_full(server: LiveServer) -> None:
    deadline = time.monotonic() + 10
    while not json.load(urllib.request.urlopen(server.url + "/healthz", timeout=10))["full"]:
        assert time.monotonic() < deadline, "the worker never became full"
        time.sleep(0.1)


def test_a_full_worker_still_lets_a_player_back_into_their_unfinished_drill(tmp_path: Path) -> None:
    """A phone that lost its signal mid-drill comes back while the worker is full: its socket names the drill
    (static/js/drill.js) and is let on, while newcomers, and claims of a drill that is not the player's own and
    unfinished, get 503. Played on one server, then on the same database served by a worker full from its first
    tick of load."""
    database = tmp_path / "glimpse.db"
    server = LiveServer(database, SCRIPTED_PLAYERS).start()
    try:
        player, other = DrillClient(server), DrillClient(server)
        player.play_right(5)
        player.close()
        other.close()
    finally:
        server.stop()
    drill_id = player.drill_id
    assert drill_id
    server = LiveServer(database, {**SCRIPTED_PLAYERS, "GLIMPSE_FULL_CPU": "1e-9"}).start()
    try:
        wait_until_full(server)
        for cookie, resume in ((None, None), (player.cookie, None), (player.cookie, "not-a-drill"),
                               (other.cookie, drill_id), (None, drill_id)):
            with pytest.raises(websocket.WebSocketBadStatusException) as refused:
                DrillClient(server, cookie=cookie, resume=resume)
            assert refused.value.status_code == 503
            assert json.loads(refused.value.resp_body)["error"] == "over_capacity"
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:  # a duel has no drill to come back to
            websocket.create_connection(f"{server.url.replace('http', 'ws')}/ws/duel?resume={drill_id}",
                                        cookie=player.cookie, origin=server.url, timeout=10)
        assert refused.value.status_code == 503
        back = DrillClient(server, cookie=player.cookie, resume=drill_id)
        try:
            assert back.ask({"type": "hello", "v": 1})["activeDrill"]["id"] == drill_id
            started = back.ask({"type": "resume", "drillId": drill_id, "refreshMs": 16.667})
            assert (started["type"], started["answered"]) == ("started", 5)
            trial = back.receive()
            result = back.answer(trial, emotion_of(server, trial["trialId"]))
            assert (result["type"], result["scored"], result["correct"]) == ("result", True, True)
        finally:
            back.close()
    finally:
        server.stop()


def test_a_phone_page_reloaded_mid_drill_gets_back_into_it_while_the_worker_is_full(browser: Browser,
                                                                                   tmp_path: Path) -> None:
    """The phone discarded the tab mid-drill and reloads it while the worker is full: the page named its unfinished
    drill when it connected (static/js/main.js), so it is offered the drill and plays on, not sent to offline
    practice. Played in Chromium on one server, then on the same database and port (one origin, so the page keeps
    its storage) served by a worker full from its first tick."""
    database = tmp_path / "glimpse.db"
    server = LiveServer(database, SCRIPTED_PLAYERS).start()
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        page.goto(server.url + "/")
        page.get_by_role("button", name="Got it").tap()
        page.get_by_role("button", name="Play", exact=True).tap()
        play_drill_by_tapping(page, "Happiness", stop_after=3)
        server.stop()
        server = LiveServer(database, {**SCRIPTED_PLAYERS, "GLIMPSE_FULL_CPU": "1e-9"}, port=server.port).start()
        wait_until_full(server)
        page.reload()
        expect(page.locator("#resume-text")).to_contain_text("of 20 done")
        expect(page.locator("body")).to_have_attribute("data-offline", "false")  # the server's drill, not practice
        page.get_by_role("button", name="Resume").tap()
        expect(page.locator("#answers:not([hidden]):not(.waiting)")).to_be_visible(timeout=20_000)
        page.wait_for_timeout(200)
        page.get_by_role("button", name="Happiness", exact=True).tap()
        expect(page.locator("#feedback")).to_be_visible()
    finally:
        context.close()
        server.stop()


def test_a_full_worker_lets_a_duel_player_back_to_their_seat(tmp_path: Path) -> None:
    """A phone dropped from a live duel comes back while the worker is full: its socket names the room
    (static/js/duel/socket.js) and the duel socket's admission lets it on only if the player holds a seat there. (The
    gate's part, letting such claims through, is the drill socket's test above; a room lives in the worker's memory,
    so it cannot outlive the restart that test uses.)"""
    app = create_app({"DATABASE": str(tmp_path / "glimpse.db"), "SECRET_KEY": "test"})
    seated, other = (f"{COOKIE}={players.new_token()}" for _ in range(2))
    hub = app.extensions["glimpse_duels"]
    with app.app_context(), pool().connection() as db:
        seated_id = players.create_player(db, seated.split("=", 1)[1])[0]["id"]
        players.create_player(db, other.split("=", 1)[1])
    room = hub.open_room(time.monotonic()).room
    room.join(seated_id, "Ann", 16.667, time.monotonic())

    def admitted(cookie: str, claim: str) -> bool:
        with app.test_request_context(f"/ws/duel?resume={claim}", headers={**UPGRADE, "Cookie": cookie,
                                      "Origin": "http://localhost"}, environ_base={RESUMING_WHILE_FULL: True}):
            refused = duel_ws._admit()
            duel_ws._release()
        if refused is not None:
            assert refused[1] == 503 and refused[0].get_json()["error"] == "over_capacity"
            assert refused[0].headers["Retry-After"] == "5"
        return refused is None

    assert admitted(seated, room.code)
    assert admitted(seated, room.code.lower())
    assert not admitted(other, room.code)  # not theirs
    assert not admitted(seated, "ZZZZZ")  # no such room
    assert not admitted(seated, "%ED%A0%80" * 4)  # not even a code


def test_a_newcomer_refused_by_a_full_worker_practises_offline_and_is_told_why(browser: Browser,
                                                                              tmp_path: Path) -> None:
    """A new player opens Glimpse while the worker is full: the page is served, its socket refused (503), and it
    says the server is full (not unreachable) while practice drills still play in the browser."""
    server = LiveServer(tmp_path / "glimpse.db", {**SCRIPTED_PLAYERS, "GLIMPSE_FULL_CPU": "1e-9"}).start()
    context = browser.new_context(**PHONE)
    try:
        wait_until_full(server)
        page = context.new_page()
        page.goto(server.url + "/")
        expect(page.locator("body")).to_have_attribute("data-offline", "true")
        page.get_by_role("button", name="Got it").tap()
        page.get_by_role("button", name="Play", exact=True).tap()
        expect(page.locator("#sync-status")).to_contain_text("Glimpse is full right now")
        assert play_drill_by_tapping(page, "Happiness", stop_after=1) == 1  # a practice face, answered
    finally:
        context.close()
        server.stop()
