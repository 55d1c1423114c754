"""Friends and leaderboards over HTTP against the live server."""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from conftest import DrillClient, LiveServer, new_player_cookie


def call(server: LiveServer, cookie: str, method: str, path: str, body: object = None) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(server.url + path, data=data, method=method,
                                     headers={"Cookie": cookie, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


def named_player(server: LiveServer, nickname: str) -> str:
    cookie = new_player_cookie(server)
    assert call(server, cookie, "POST", "/api/nickname", {"nickname": nickname})[0] == 200
    return cookie


def test_friend_codes_make_mutual_friendships_that_can_be_removed(live_server: LiveServer) -> None:
    ann, bob = named_player(live_server, "Ann Friend"), named_player(live_server, "Bob Friend")
    status, mine = call(live_server, ann, "GET", "/api/friends")
    assert status == 200 and len(mine["code"]) == 8 and mine["inviteUrl"].endswith(f"/i/{mine['code']}")
    spaced = f"{mine['code'][:4].lower()} {mine['code'][4:]}"  # as a person would type it
    status, added = call(live_server, bob, "POST", "/api/friends", {"code": spaced})
    assert status == 200 and added["friend"]["nickname"] == "Ann Friend" and set(added["friend"]) == {"id", "nickname"}
    assert [f["nickname"] for f in call(live_server, ann, "GET", "/api/friends")[1]["friends"]] == ["Bob Friend"]
    assert call(live_server, bob, "POST", "/api/friends", {"code": mine["code"]})[0] == 409
    bob_id = call(live_server, ann, "GET", "/api/friends")[1]["friends"][0]["id"]
    assert call(live_server, ann, "DELETE", f"/api/friends/{bob_id}")[0] == 200
    assert call(live_server, bob, "GET", "/api/friends")[1]["friends"] == []
    assert call(live_server, ann, "DELETE", f"/api/friends/{bob_id}")[0] == 404


def test_friend_requests_that_wait_for_the_write_lock_together_make_one_friendship(live_server: LiveServer) -> None:
    """Requests that wait for the write lock (Litestream holds it while it checkpoints) are checked when they get it,
    not before: two taps on "add" and the friend's own request at once make one friendship, the others are told
    they are already friends; none is a server error."""
    ann, bob = named_player(live_server, "Ann Together"), named_player(live_server, "Bob Together")
    codes = {cookie: call(live_server, cookie, "GET", "/api/friends")[1]["code"] for cookie in (ann, bob)}
    holder = sqlite3.connect(live_server.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with ThreadPoolExecutor(3) as requests:
            asked = [requests.submit(call, live_server, cookie, "POST", "/api/friends", {"code": codes[other]})
                     for cookie, other in ((ann, bob), (ann, bob), (bob, ann))]
            time.sleep(0.5)  # every request in, waiting for the lock
            assert not any(request.done() for request in asked)
            holder.execute("ROLLBACK")
            answers = [request.result(timeout=10) for request in asked]
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
    assert sorted(status for status, _ in answers) == [200, 409, 409], answers
    assert [error["error"] for status, error in answers if status == 409] == ["already_friends"] * 2
    assert [f["nickname"] for f in call(live_server, ann, "GET", "/api/friends")[1]["friends"]] == ["Bob Together"]
    assert [f["nickname"] for f in call(live_server, bob, "GET", "/api/friends")[1]["friends"]] == ["Ann Together"]


def test_two_tabs_starting_the_daily_challenge_while_the_lock_is_held_get_one_ranked_attempt(
        live_server: LiveServer) -> None:
    """The day's challenge counts once, even for two tabs whose starts wait together for the write lock (Litestream
    holds it while it checkpoints): starts take their turn one at a time (game.lanes), lock wait included."""
    cookie = new_player_cookie(live_server)
    tabs = [DrillClient(live_server, cookie=cookie) for _ in range(2)]
    for tab in tabs:
        tab.ask({"type": "hello", "v": 1})
    holder = sqlite3.connect(live_server.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        for tab in tabs:
            tab.send({"type": "start", "refreshMs": 16.667, "mode": "challenge"})
        time.sleep(0.5)  # both starts in, waiting for the lock
    finally:
        holder.execute("ROLLBACK")
    started = [tab.receive() for tab in tabs]
    assert [message["type"] for message in started] == ["started", "started"], started
    ranked = holder.execute("SELECT ranked FROM drills WHERE id IN (?, ?) AND kind = 'challenge'",
                            [message["drillId"] for message in started]).fetchall()
    holder.close()
    for tab in tabs:
        tab.close()
    assert sorted(ranked) == [(0,), (1,)], ranked


def test_bad_friend_requests_get_clear_errors_and_floods_are_limited(live_server: LiveServer) -> None:
    me = new_player_cookie(live_server)
    my_code = call(live_server, me, "GET", "/api/friends")[1]["code"]
    cases = [({"code": "short"}, "bad_code"), ({"code": 12345678}, "bad_code"), ({"code": "UUUUUUUU"}, "bad_code"),
             ({"code": "ZZZZZZZZ"}, "unknown_code"), ({"code": my_code}, "self")]
    for body, code in cases:
        status, error = call(live_server, me, "POST", "/api/friends", body)
        assert status == 400 and error["error"] == code and error["message"], body
    statuses = [call(live_server, me, "POST", "/api/friends", {"code": "ZZZZZZZZ"})[0] for _ in range(10)]
    assert 429 in statuses


def test_boards_show_top_rank_and_percentile_but_never_player_ids(connect, live_server: LiveServer) -> None:
    cookie = named_player(live_server, "Board Topper")
    summary = connect(cookie=cookie).play_right()
    status, week = call(live_server, cookie, "GET", "/api/boards/week")
    assert status == 200
    mine = [row for row in week["top"] if row["me"]]
    assert mine and mine[0]["nickname"] == "Board Topper" and mine[0]["score"] == summary["points"]
    assert week["standing"]["rank"] == mine[0]["rank"] and 0 <= week["standing"]["percentile"] <= 100
    assert all(set(row) == {"rank", "nickname", "score", "me"} for row in week["top"] + week["around"])
    friends = call(live_server, cookie, "GET", "/api/boards/friends")[1]
    assert [row["nickname"] for row in friends["top"]] == ["Board Topper"]
    assert call(live_server, cookie, "GET", "/api/boards/everything")[0] == 404


def test_a_stranger_sees_the_board_without_being_on_it(live_server: LiveServer) -> None:
    stranger = new_player_cookie(live_server)
    status, board = call(live_server, stranger, "GET", "/api/boards/skill")
    assert status == 200 and board["standing"] is None and not any(row["me"] for row in board["top"])


