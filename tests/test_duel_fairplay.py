"""Fair play in duels and challenge links: a pose-reading metronome is held, and what it plays reaches no board.

Real WebSocket clients against gunicorn and a real SQLite file. The server lets scripted answers come at
once (SCRIPTED_PLAYERS: answer clock scale 0) and plays 20-trial duels with short pauses, so a cheater
gives the plausibility check its 20 reactions in one duel within seconds. tests/test_duel_ws.py keeps the
production clock rules (too_early).
"""

from __future__ import annotations

import json
import random
import time
import urllib.request
from collections.abc import Iterator

import pytest
import sqlite_utils
from conftest import SCRIPTED_PLAYERS
from duel_client import DuelClient, read_face, wrong
from harness import LiveServer

TRIALS = 20
PACE = f"countdown_s=0.2,reveal_s=0.05,trials={TRIALS},grace_s=3,answer_limit_s=8"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("duel-fairplay") / "glimpse.db",
                        {**SCRIPTED_PLAYERS, "GLIMPSE_DUEL_PACE": PACE})
    server.start(boot_timeout_s=120)
    yield server
    server.stop()


def get(server: LiveServer, path: str, cookie: str, method: str = "GET") -> dict:
    request = urllib.request.Request(server.url + path, method=method, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=15) as response:
        return json.loads(response.read())


def answer_after(phone: DuelClient, trial: dict, answer: str, reaction_ms: float) -> None:
    """Answer `reaction_ms` after the trial arrived, claiming that reaction time (as the page measures it)."""
    time.sleep(max(0.0, phone.trial_at[trial["trialId"]] + reaction_ms / 1000 - time.monotonic()))
    phone.send({"type": "answer", "trialId": trial["trialId"], "answer": answer, "reactionMs": reaction_ms})


def test_a_metronome_that_reads_every_pose_is_held_and_stays_off_the_boards(server: LiveServer) -> None:
    rng = random.Random(3)
    cheat, honest = DuelClient(server.url), DuelClient(server.url)
    try:
        code = cheat.create()
        honest.join(code)
        cheat.ask({"type": "start"}, "countdown")
        for _ in range(TRIALS):
            trials = {phone: phone.next("trial") for phone in (cheat, honest)}
            answer_after(cheat, trials[cheat], read_face(trials[cheat]), 200.0)  # always right, always 200 ms
            truth = read_face(trials[honest])
            answer_after(honest, trials[honest], truth if rng.random() < 0.7 else wrong(truth), rng.uniform(250, 600))
            honest.next("round")
        done = honest.next("done")
        assert done["winner"] == 1  # in the room, the duel is what it was: the cheat won it
        cheat_id, honest_id = (get(server, "/api/me", phone.cookie)["id"] for phone in (cheat, honest))

        db = sqlite_utils.Database(server.database)
        stored: dict = {}
        for _ in range(100):  # the results are stored just after `done` goes out
            stored = {row["player_id"]: row["unranked"] for row in db.query(
                "SELECT player_id, unranked FROM duel_players JOIN duels ON duels.id = duel_id WHERE code = ?",
                [code])}
            if stored:
                break
            time.sleep(0.05)
        assert stored == {cheat_id: "held", honest_id: None}
        status = dict(db.execute("SELECT player_id, status FROM fairplay").fetchall())
        assert status[cheat_id] == "held" and status[honest_id] == "ok"
        reasons = json.loads(db.execute("SELECT reasons FROM fairplay WHERE player_id = ?", [cheat_id]).fetchone()[0])
        assert "regularity" in reasons
        # Never accused: the held player sees a neutral note where boards show their standing.
        assert get(server, "/api/boards/week", cheat.cookie)["note"] == "checking"

        # Held, the cheat plays the honest player's challenge link: the honest player never sees that play.
        link = get(server, "/api/challenges", honest.cookie, "POST")
        cheat.send({"type": "leave"})
        cheat.next("left")
        assert cheat.ask({"type": "challenge", "code": link["code"], "refreshMs": 16.7}, "joined")["type"] == "joined"
        for _ in range(TRIALS):
            trial = cheat.next("trial")
            answer_after(cheat, trial, read_face(trial), 200.0)
            cheat.next("round")
        assert cheat.next("done")["standings"][0]["correct"] == TRIALS
        for _ in range(100):
            mine = get(server, f"/api/challenges/{link['code']}", cheat.cookie)
            if mine["played"]:
                break
            time.sleep(0.05)
        assert [play["correct"] for play in mine["plays"] if play["me"]] == [TRIALS]  # they see their own
        theirs = get(server, f"/api/challenges/{link['code']}", honest.cookie)
        assert theirs["plays"] == []  # nobody else does
    finally:
        cheat.close()
        honest.close()
