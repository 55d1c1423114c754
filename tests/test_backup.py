"""Durability: every answer a player was told about survives kill -9, and a wiped disk comes back from Litestream."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import websocket
from conftest import SCRIPTED_PLAYERS, DrillClient
from harness import LiveServer

from game.backup import litestream_binary

LAUNCHER = [sys.executable, "-m", "game.backup", "run", "--"]  # what the Procfile runs


def play(server: LiveServer, players: int, answers: int, told: set[str], stop: threading.Event | None = None) -> None:
    """Players answer trials at once; every trial id whose `result` came back goes into ``told``."""

    def one_player() -> None:
        client = None
        with contextlib.suppress(OSError, ValueError, websocket.WebSocketException):  # a killed server
            client = DrillClient(server)
            client.ask({"type": "hello", "v": 1})
            trial = {}
            for _ in range(answers):
                if stop is not None and stop.is_set():
                    break
                if trial.get("type") != "trial":  # a new drill (the first, or after a summary)
                    client.send({"type": "start", "refreshMs": 16.667})
                    client.receive()
                    trial = client.receive()
                result = client.answer(trial, "fear")
                if result["type"] == "result":
                    told.add(trial["trialId"])
                trial = client.receive() if result.get("done") else client.ask({"type": "next"})
        if client is not None:
            client.close()

    threads = [threading.Thread(target=one_player) for _ in range(players)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)


def answered(database: Path, trial_ids: set[str]) -> set[str]:
    conn = sqlite3.connect(database)
    try:
        rows = conn.execute("SELECT id FROM trials WHERE answer IS NOT NULL").fetchall()
    finally:
        conn.close()
    return {row[0] for row in rows} & trial_ids


def test_kill_9_under_load_loses_no_accepted_answer(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "glimpse.db", SCRIPTED_PLAYERS).start()
    told: set[str] = set()
    stop = threading.Event()
    load = threading.Thread(target=play, args=(server, 16, 400, told, stop))
    try:
        load.start()
        deadline = time.monotonic() + 60
        while len(told) < 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        master = server.process.pid
        workers = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        for pid in [master, *map(int, workers)]:
            os.kill(pid, signal.SIGKILL)  # no shutdown, no final checkpoint: mid-transaction for some
        stop.set()
        load.join(timeout=60)
        server.process.wait(timeout=10)
    finally:
        server.stop()
    assert len(told) >= 200
    assert answered(server.database, told) == told  # recovery from the WAL keeps every committed answer
    again = LiveServer(server.database, SCRIPTED_PLAYERS).start()  # and the server starts on it
    try:
        client = DrillClient(again)
        assert client.ask({"type": "hello", "v": 1})["type"] == "welcome"
        client.close()
    finally:
        again.stop()


def test_answers_arriving_together_are_each_committed_before_their_result_is_sent(tmp_path: Path) -> None:
    """24 players answer at the same moment, round after round: each result a player reads is already in the file
    (a reader's fresh snapshot holds the answer), and a kill -9 right after the first result of a round loses none."""
    server = LiveServer(tmp_path / "glimpse.db", SCRIPTED_PLAYERS).start()
    clients: list[DrillClient] = []
    trials: list[dict] = []
    told: dict[str, str] = {}  # trial id -> the answer its result confirmed
    reader = sqlite3.connect(f"file:{server.database}?mode=ro", uri=True, isolation_level=None)

    def answer_all_at_once(round_: int) -> list[str]:
        answers = [("fear", "anger", "surprise")[(index + round_) % 3] for index in range(len(clients))]
        time.sleep(0.01)  # the declared reaction (5 ms) must be shorter than each trial has existed
        for client, trial, answer in zip(clients, trials, answers, strict=True):  # every answer before any result
            client.send({"type": "answer", "trialId": trial["trialId"], "answer": answer, "reactionMs": 5.0,
                         "framesShown": trial["exposureFrames"], "refreshMs": 16.667, "maxGapMs": 17.0})
        return answers

    try:
        for _ in range(24):
            clients.append(DrillClient(server))
            clients[-1].ask({"type": "hello", "v": 1})
            clients[-1].send({"type": "start", "refreshMs": 16.667})
            assert clients[-1].receive()["type"] == "started"
            trials.append(clients[-1].receive())
        for round_ in range(5):
            answers = answer_all_at_once(round_)
            for client, trial, answer in zip(clients, trials, answers, strict=True):
                result = client.receive()
                assert result["type"] == "result" and result["trialId"] == trial["trialId"], result
                stored = reader.execute("SELECT answer FROM trials WHERE id = ?", [trial["trialId"]]).fetchone()
                assert stored == (answer,), f"result sent before its answer was committed: {stored}"
                told[trial["trialId"]] = answer
            for client in clients:  # every `next` at once too
                client.send({"type": "next"})
            trials = [client.receive() for client in clients]
            assert {trial["type"] for trial in trials} == {"trial"}
        answers = answer_all_at_once(5)
        first = clients[0].receive()
        assert first["type"] == "result"
        told[first["trialId"]] = answers[0]
        master = server.process.pid
        workers = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        for pid in [master, *map(int, workers)]:
            os.kill(pid, signal.SIGKILL)  # whatever the worker was doing with the other answers
        server.process.wait(timeout=10)
        for client, trial, answer in zip(clients[1:], trials[1:], answers[1:], strict=True):
            client.ws.settimeout(2)
            with contextlib.suppress(OSError, ValueError, websocket.WebSocketException):
                result = client.receive()  # sent before the kill: the worker said it was stored
                if result.get("type") == "result":
                    told[trial["trialId"]] = answer
    finally:
        reader.close()
        for client in clients:
            with contextlib.suppress(OSError, websocket.WebSocketException):
                client.close()
        server.stop()
    assert len(told) > 5 * 24
    conn = sqlite3.connect(server.database)  # recovered from the WAL, as the next start would
    try:
        stored = dict(conn.execute(f"SELECT id, answer FROM trials WHERE id IN ({', '.join('?' * len(told))})",
                                   list(told)).fetchall())
    finally:
        conn.close()
    assert stored == told


def test_a_wiped_disk_is_restored_from_the_litestream_replica_with_every_answer(tmp_path: Path) -> None:
    database, replica = tmp_path / "data" / "glimpse.db", tmp_path / "replica"
    env = {**SCRIPTED_PLAYERS, "GLIMPSE_LITESTREAM_REPLICA": f"file://{replica}"}
    database.parent.mkdir()
    server = LiveServer(database, env, launcher=LAUNCHER).start()
    told: set[str] = set()
    try:
        play(server, 8, 20, told)  # eight whole drills, side by side
        assert len(told) == 160
        # Replication is asynchronous (about once a second): wait, boundedly, until a restore holds it all.
        copy = tmp_path / "copy.db"
        for _ in range(60):
            for stale in tmp_path.glob("copy.db*"):
                stale.unlink()
            subprocess.run([litestream_binary(), "restore", "-o", str(copy), f"file://{replica}"], check=True,
                           capture_output=True, timeout=30)
            if answered(copy, told) == told:
                break
            time.sleep(0.5)
        assert answered(copy, told) == told
    finally:
        server.stop()
    for file in database.parent.glob("glimpse.db*"):  # the host's disk is wiped
        if not file.name.endswith(".yml"):
            file.unlink()
    assert not database.exists()
    again = LiveServer(database, env, launcher=LAUNCHER).start()  # restores before serving
    try:
        assert answered(database, told) == told
        client = DrillClient(again)
        assert client.ask({"type": "hello", "v": 1})["type"] == "welcome"
        client.close()
    finally:
        again.stop()


@pytest.mark.parametrize("replica", ["", "file:///backups/glimpse"])
def test_the_launcher_runs_the_command_directly_without_a_replica(tmp_path: Path, replica: str) -> None:
    env = {**os.environ, "GLIMPSE_DATABASE": str(tmp_path / "db.sqlite"), "GLIMPSE_LITESTREAM_REPLICA": replica}
    if replica:  # the generated configuration, checked by Litestream itself
        from game.backup import config

        (tmp_path / "ls.yml").write_text(config(env["GLIMPSE_DATABASE"], replica, "https://s3.example", "auto"))
        listed = subprocess.run([litestream_binary(), "databases", "-config", str(tmp_path / "ls.yml")],
                                capture_output=True, text=True, timeout=30)
        assert listed.returncode == 0 and "db.sqlite" in listed.stdout, listed.stderr
    else:
        done = subprocess.run([*LAUNCHER, sys.executable, "-c", "print('ran')"], env=env, capture_output=True,
                              text=True, timeout=30)
        assert done.stdout.strip() == "ran"


HOLD_S = 1.5


def answer_to(trial: dict) -> dict:
    return {"type": "answer", "trialId": trial["trialId"], "answer": "fear", "framesShown": trial["exposureFrames"],
            "refreshMs": 16.667, "maxGapMs": 17.0, "reactionMs": 350.0}


def test_a_write_lock_held_by_another_process_stalls_only_the_answers_that_wait_for_it(tmp_path: Path) -> None:
    """Litestream takes the write lock while it checkpoints: ~15-20 ms each second at 2,000 players, longer on a slow
    disk. The worker waited for it in SQLite's busy handler, which sleeps in C with the one event loop: every
    player's drill stopped with it. Now an answer waits for the lock and the rest of the game goes on: while another
    process holds the lock, a second player's next face and a page's health check are served, and the answer's
    result comes once the lock is free, with the answer stored."""
    server = LiveServer(tmp_path / "glimpse.db", SCRIPTED_PLAYERS).start()
    try:
        waiting, playing = DrillClient(server), DrillClient(server)
        trials = []
        for client in (waiting, playing):
            client.ask({"type": "hello", "v": 1})
            client.send({"type": "start", "refreshMs": 16.667})
            client.receive()
            trials.append(client.receive())
        trial, other = trials
        time.sleep(0.5)  # the face, flash and mask shown, and a reaction's time
        assert playing.ask(answer_to(other))["type"] == "result"
        holder = sqlite3.connect(server.database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        held_at = time.monotonic()
        try:
            waiting.send(answer_to(trial))
            time.sleep(0.1)  # the answer is in, waiting for the lock
            served = playing.ask({"type": "next"})
            with urllib.request.urlopen(server.url + "/healthz", timeout=HOLD_S / 2) as response:
                assert response.status == 200
            served_in = time.monotonic() - held_at
            waiting.ws.settimeout(max(0.1, HOLD_S - (time.monotonic() - held_at) - 0.1))
            with pytest.raises(websocket.WebSocketTimeoutException):  # no result while its answer cannot be stored
                waiting.ws.recv()
            waiting.ws.settimeout(10)
        finally:
            holder.execute("ROLLBACK")
        result = waiting.receive()
        assert served["type"] == "trial" and served_in < HOLD_S / 2, (served, served_in)
        assert result["type"] == "result" and result["trialId"] == trial["trialId"], result
        stored = holder.execute("SELECT answer FROM trials WHERE id = ?", [trial["trialId"]]).fetchone()
        holder.close()
        assert stored == ("fear",)
        for client in (waiting, playing):
            client.close()
    finally:
        server.stop()
