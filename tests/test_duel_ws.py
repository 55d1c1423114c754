"""Live duels: real WebSocket clients against gunicorn, a real SQLite file, the real clock."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator

import pytest
import sqlite_utils
from duel_client import DUEL_TRIALS, DuelClient, read_face, wrong
from harness import LiveServer

from game.emotions import EMOTION_KEYS

TRIALS = DUEL_TRIALS


@pytest.fixture
def server(duel_server: LiveServer) -> LiveServer:
    return duel_server


@pytest.fixture
def phones(server: LiveServer) -> Iterator:
    opened: list[DuelClient] = []

    def phone(**kwargs: object) -> DuelClient:
        opened.append(DuelClient(server.url, **kwargs))
        return opened[-1]

    yield phone
    for client in opened:
        client.close()


def play_round(players: dict[DuelClient, bool]) -> list[dict]:
    """Every phone answers the trial it got (right or wrong as asked); returns each phone's `round` message."""
    trials = {client: client.next("trial") for client in players}
    for client, right in players.items():
        truth = read_face(trials[client])
        assert client.answer(trials[client], truth if right else wrong(truth))["type"] == "accepted"
    return [client.next("round") for client in players]


def test_three_phones_play_a_whole_duel_on_the_same_trials(phones, server: LiveServer) -> None:
    ana, ben, cy = phones(), phones(), phones()
    code = ana.create()
    assert ben.join(code)["seat"] == 2 and cy.join(code)["seat"] == 3
    assert ben.ask({"type": "start"}, "countdown")["code"] == "not_host"
    assert ana.ask({"type": "start"}, "countdown")["type"] == "countdown"
    for position in range(1, TRIALS + 1):
        rounds = play_round({ana: True, ben: position != 2, cy: position == 1})
        assert len({json.dumps(r) for r in rounds}) == 1  # everyone sees the same verdicts
        assert rounds[0]["position"] == position
    trials = [[m for m in phone.seen if m["type"] == "trial"] for phone in (ana, ben, cy)]
    faces = {tuple((t["identitySeed"], json.dumps(t["identity"]), read_face(t), t["exposureFrames"]) for t in mine)
             for mine in trials}
    assert len(faces) == 1  # same faces, emotions and exposures for the whole room
    assert len({json.dumps(mine[0]["expression"]) for mine in trials}) == 3  # each phone's pose jittered
    for trial in trials[0]:
        assert "variant" not in trial and not any(emotion in json.dumps(trial) for emotion in EMOTION_KEYS)
    done = ana.next("done")
    assert [s["seat"] for s in done["standings"]] == [1, 2, 3] and done["winner"] == 1
    assert [s["correct"] for s in done["standings"]] == [3, 2, 1]
    assert ben.next("done") == done

    db = sqlite_utils.Database(server.database)
    stored = list(db.query("SELECT rank, correct FROM duel_players JOIN duels ON duels.id = duel_id "
                           "WHERE duels.code = ? ORDER BY rank", [code]))
    assert stored == [{"rank": 1, "correct": 3}, {"rank": 2, "correct": 2}, {"rank": 3, "correct": 1}]


def test_equal_scores_go_to_the_quicker_phone(phones) -> None:
    quick, slow = phones(), phones()
    code = quick.create()
    slow.join(code)
    quick.ask({"type": "start"}, "countdown")
    for _ in range(TRIALS):
        trials = {phone: phone.next("trial") for phone in (quick, slow)}
        quick.answer(trials[quick], read_face(trials[quick]), think_s=0.2)
        slow.answer(trials[slow], read_face(trials[slow]), think_s=0.9)
        quick.next("round")
    done = slow.next("done")
    assert done["winner"] == 1
    assert done["standings"][0]["totalMs"] + 1500 < done["standings"][1]["totalMs"]


def test_live_progress_never_gives_away_an_answer(phones) -> None:
    ana, ben = phones(), phones()
    code = ana.create()
    ben.join(code)
    ana.ask({"type": "start"}, "countdown")
    trial = ana.next("trial")
    ben.next("trial")
    ana.answer(trial, read_face(trial))
    progress = ben.next("progress")
    while progress["answered"] != [1]:
        progress = ben.next("progress")
    before_round = json.dumps(ben.seen)
    assert '"correct": true' not in before_round and read_face(trial) not in before_round


def test_a_phone_that_drops_rejoins_mid_duel_with_nothing_lost(phones, server: LiveServer) -> None:
    ana, ben = phones(), phones()
    code = ana.create()
    joined = ben.join(code)
    ana.ask({"type": "start"}, "countdown")
    play_round({ana: True, ben: True})
    ana.next("trial")
    ben.next("trial")
    ben.close()  # the phone loses its connection mid-trial
    back = phones(cookie=ben.cookie)
    rejoined = back.join(code, rejoin=joined["rejoin"])
    assert rejoined["seat"] == joined["seat"]
    again = back.next("trial")
    assert again["position"] == 2  # the trial in play, sent again
    for client in (ana, back):
        trial = again if client is back else next(m for m in reversed(ana.seen) if m["type"] == "trial")
        client.answer(trial, read_face(trial))
    assert back.next("round")["position"] == 2
    play_round({ana: True, back: True})
    done = back.next("done")
    assert [s["correct"] for s in done["standings"]] == [3, 3]  # nothing lost


def test_a_stale_connection_is_taken_over_only_with_the_rejoin_token(phones) -> None:
    ana, ben = phones(), phones()
    code = ana.create()
    joined = ben.join(code)
    second_tab = phones(cookie=ben.cookie)
    assert second_tab.join(code)["code"] == "already_joined"
    assert second_tab.join(code, rejoin="guess")["code"] == "already_joined"
    assert second_tab.join(code, rejoin=joined["rejoin"])["seat"] == joined["seat"]
    assert ben.next("error")["code"] == "replaced"


def test_a_player_who_never_comes_back_is_marked_out_and_the_duel_goes_on(phones) -> None:
    ana, ben, cy = phones(), phones(), phones()
    code = ana.create()
    ben.join(code)
    cy.join(code)
    ana.ask({"type": "start"}, "countdown")
    play_round({ana: True, ben: True, cy: True})
    trials = {phone: phone.next("trial") for phone in (ana, ben, cy)}
    cy.close()
    for phone in (ana, ben):
        phone.answer(trials[phone], read_face(trials[phone]))
    assert ana.next("round", timeout=10)["position"] == 2  # after cy's grace (3 s)
    play_round({ana: True, ben: False})
    done = ana.next("done")
    assert done["standings"][-1]["seat"] == 3 and done["standings"][-1]["out"]
    assert done["winner"] == 1


def test_a_late_joiner_watches_then_plays_the_rematch(phones) -> None:
    ana, ben, late = phones(), phones(), phones()
    code = ana.create()
    ben.join(code)
    ana.ask({"type": "start"}, "countdown")
    assert late.join(code)["role"] == "spectator"
    for _ in range(TRIALS):
        play_round({ana: True, ben: True})
    late.next("done")
    assert not any(m["type"] == "trial" for m in late.seen)
    assert any(m["type"] == "progress" for m in late.seen) and any(m["type"] == "round" for m in late.seen)
    assert ben.ask({"type": "rematch"}, "rematchWanted")["seat"] == 2
    ana.ask({"type": "rematch"}, "countdown")
    assert late.next("trial")["position"] == 1  # a player now
    room = next(m for m in reversed(late.seen) if m["type"] == "room")
    assert len(room["players"]) == 3 and room["state"] == "countdown"


def test_the_host_leaves_and_another_player_hosts(phones) -> None:
    ana, ben, cy = phones(), phones(), phones()
    code = ana.create()
    ben.join(code)
    cy.join(code)
    ana.ask({"type": "leave"}, "left")
    assert ben.next("host")["seat"] == 2
    assert ben.ask({"type": "start"}, "countdown")["type"] == "countdown"
    assert cy.next("trial")["position"] == 1


def test_a_cheater_answering_before_the_face_is_shown_loses_the_trial(phones) -> None:
    honest, cheat = phones(), phones()
    code = honest.create()
    cheat.join(code)
    honest.ask({"type": "start"}, "countdown")
    trial = cheat.next("trial")
    honest_trial = honest.next("trial")
    refused = cheat.ask({"type": "answer", "trialId": trial["trialId"], "answer": read_face(trial)}, "accepted")
    assert refused["code"] == "too_early"
    assert cheat.ask({"type": "answer", "trialId": trial["trialId"], "answer": read_face(trial)},
                     "accepted")["code"] == "already_answered"  # no second try: the clock cannot be probed
    honest.answer(honest_trial, read_face(honest_trial))
    verdicts = {r["seat"]: r for r in honest.next("round")["results"]}
    assert verdicts[2]["correct"] is False and verdicts[1]["correct"] is True


@pytest.mark.parametrize(("message", "code"), [
    ({"type": "join", "code": "ZZZZZ", "refreshMs": 16.7}, "unknown_room"),
    ({"type": "join", "code": "00000", "refreshMs": 16.7}, "bad_code"),
    ({"type": "join", "code": 12345, "refreshMs": 16.7}, "bad_field"),
    ({"type": "join", "code": "ABCDE"}, "missing_field"),
    ({"type": "create", "refreshMs": 1e9}, "bad_field"),
    ({"type": "start"}, "not_in_room"),
    ({"type": "answer", "trialId": "x", "answer": "boredom"}, "bad_field"),
    ({"type": "answer", "trialId": "x", "answer": "anger", "reactionMs": -5}, "bad_field"),
    ({"type": "create", "refreshMs": 3}, "bad_field"),  # a 333 Hz "display": refused, as in drills
    ({"type": "teleport"}, "unknown_type"),
    ("[1]", "bad_json"),
    ("{nope", "bad_json"),
    ("[" * 5000, "too_large"),
    ({"type": "challenge", "code": "ABCDEFGH", "refreshMs": 16.7}, "unknown_challenge"),
])
def test_bad_input_gets_a_clear_error(phones, message: dict | str, code: str) -> None:
    phone = phones()
    phone.send(message)
    assert phone.next("error")["code"] == code


def test_a_full_room_a_double_join_and_answers_after_the_end(phones) -> None:
    host = phones()
    code = host.create()
    assert host.ask({"type": "create", "refreshMs": 16.7}, "joined")["code"] == "already_in_room"
    assert host.join(code)["code"] == "already_in_room"
    guests = [phones() for _ in range(7)]
    for guest in guests:
        assert guest.join(code)["type"] == "joined"
    assert phones().join(code)["code"] == "room_full"
    for guest in guests[1:]:
        guest.ask({"type": "leave"}, "left")
    host.ask({"type": "start"}, "countdown")
    last: dict = {}
    for _ in range(TRIALS):
        trials = {phone: phone.next("trial") for phone in (host, guests[0])}
        for phone, trial in trials.items():
            phone.answer(trial, read_face(trial))
            last[phone] = trial
        host.next("round")
    host.next("done")
    late = host.ask({"type": "answer", "trialId": last[host]["trialId"], "answer": "anger"}, "accepted")
    assert late["code"] == "duel_over"


def test_closed_rooms_say_expired(phones) -> None:
    phone, other = phones(), phones()
    code = phone.create()
    phone.ask({"type": "leave"}, "left")  # the last one out: the room closes
    for _ in range(40):
        reply = other.join(code)
        if reply.get("code") == "room_expired":
            break
        time.sleep(0.05)
    assert reply["code"] == "room_expired"


def test_foreign_pages_cannot_open_the_duel_socket(server: LiveServer) -> None:
    import websocket

    with pytest.raises(websocket.WebSocketBadStatusException):
        DuelClient(server.url, origin="https://evil.example")


def test_no_player_cookie_is_refused_before_the_upgrade(server: LiveServer) -> None:
    import websocket

    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        DuelClient(server.url, cookie="glimpse_player=forged")
    assert refused.value.status_code == 403


def test_a_player_holds_a_few_duel_sockets_at_most(server: LiveServer, phones) -> None:
    import websocket

    first = phones()
    first.create()
    more = [phones(cookie=first.cookie) for _ in range(2)]  # GLIMPSE_SOCKETS_PER_PLAYER: 3
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        DuelClient(server.url, cookie=first.cookie)
    assert refused.value.status_code == 429
    more[0].close()
    for _ in range(50):  # the server sees the close, then counts one fewer
        try:
            phones(cookie=first.cookie)
            break
        except websocket.WebSocketBadStatusException:
            time.sleep(0.1)
    else:
        raise AssertionError("a closed socket still counted")


def test_the_duel_page_opens_for_any_link(server: LiveServer) -> None:
    for path in ("/duel", "/duel/ABCDE", "/duel/not-a-code"):
        with urllib.request.urlopen(server.url + path, timeout=10) as response:
            assert response.status == 200
