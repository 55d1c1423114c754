"""What the worker keeps for a player and for a socket stays bounded: memory that does not grow drill after drill,
and a closed socket freed at once (not left for a full collection of the whole heap, which stalls every drill)."""

from __future__ import annotations

import gc
import random
import secrets
import socket
import subprocess
import sys
import threading
import types
import weakref
from pathlib import Path

import numpy as np
from conftest import InProcessSocket, StoppedClock
from flask import Blueprint, Flask

from game import collector, create_app, players, websocket
from game.db import pool
from game.emotions import EMOTION_KEYS
from game.staircase import ANCHORED, Staircase


def held(*roots: object) -> tuple[int, int]:
    """Bytes of numpy arrays and count of other objects reachable from ``roots`` (not through classes, modules,
    functions or the database)."""
    seen: set[int] = set()
    stack, array_bytes, objects = list(roots), 0, 0
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, (type, types.ModuleType, types.FunctionType, types.MethodType)):
            continue
        seen.add(id(item))
        if isinstance(item, np.ndarray):
            array_bytes += item.nbytes
            continue
        objects += 1
        stack.extend(gc.get_referents(item))
    return array_bytes, objects


def test_a_players_drill_state_does_not_grow_with_the_drills_they_play(tmp_path: Path) -> None:
    app = create_app({"DATABASE": str(tmp_path / "memory.db"), "TESTING": True})
    clock, rng = StoppedClock(), random.Random(7)
    with app.app_context():
        with pool().connection() as db:
            player, _token = players.create_player(db, secrets.token_urlsafe(32))
        socket = InProcessSocket(player["id"], clock)
        session, send = socket.session, socket.send

        def drill() -> None:
            trial = send({"type": "start", "refreshMs": 16.667})[-1]
            while True:
                clock.now += 3.0
                result = send({"type": "answer", "trialId": trial["trialId"], "answer": rng.choice(EMOTION_KEYS),
                               "framesShown": trial["exposureFrames"], "refreshMs": 16.667, "maxGapMs": 17.0,
                               "reactionMs": 900.0})[0]
                if result["done"]:
                    break
                trial = send({"type": "next"})[0]
            clock.now += 3600.0

        send({"type": "hello", "v": 1})
        sizes = []
        for played in range(1, 13):
            drill()
            if played in (3, 12):
                sizes.append(held(session))
    (bytes_after_3, objects_after_3), (bytes_after_12, objects_after_12) = sizes
    # Each drill is a new session of all nine procedures: the state kept a 28 KB log-likelihood per session and
    # procedure (and the fair-play copy of the overall one), 2.5 MB more over these nine drills.
    assert bytes_after_12 <= bytes_after_3 + 50_000, (bytes_after_3, bytes_after_12)
    # Between drills each of the eight procedures keeps one set of its drift models' beliefs (at most 8 x 4 x 990
    # floats, 253 KB; 893 KB on the grid of 3,488 points before cap-qp9; an emotion's one model since cap-qp11)
    # and their average: 9c7614d kept 2.6 MB
    # (the beliefs settled and carried, posteriors, the open sessions' log-likelihoods and a copy of the overall
    # procedure for fair play).
    assert bytes_after_12 <= 1_250_000, bytes_after_12
    # What grows is the stored state: each session's tallies (stimulus, trials, correct), ~40 objects a drill.
    assert objects_after_12 - objects_after_3 <= 9 * 60, (objects_after_3, objects_after_12)


def test_a_trimmed_procedure_holds_one_set_of_beliefs_and_plays_on_exactly_as_an_untrimmed_one() -> None:
    rng = random.Random(3)
    kept, trimmed = Staircase("exposure"), Staircase("exposure")
    candidates = [frames * 1000 / 60 for frames in range(1, 31)]
    at = 1_800_000_000.0
    for _drill in range(4):
        at += 86_400.0
        for procedure in (kept, trimmed):
            procedure.begin_session(at)
        for _trial in range(6):
            anchor = rng.uniform(1.2, 1.8)  # the overall level, as game.drills anchors an emotion before its trial
            kept.anchor(anchor)
            trimmed.anchor(anchor)
            stimulus = kept.next_stimulus(candidates)
            assert trimmed.next_stimulus(candidates) == stimulus
            correct = rng.random() < 0.6
            kept.update(stimulus, correct)
            trimmed.update(stimulus, correct)
            trimmed.trim()  # as game.drills does once an emotion's trial is answered
        assert kept.posterior().tobytes() == trimmed.posterior().tobytes()
        assert kept.to_json() == trimmed.to_json() and kept.drift_weights() == trimmed.drift_weights()
        trimmed.trim()
    beliefs_kept, _ = held(kept)
    beliefs_trimmed, _ = held(trimmed)
    # One set of the anchored drift's per-model beliefs (an emotion's: one model since cap-qp11) and their average.
    # Of the thresholds alone since cap-qp12: 55 floats, not 990.
    anchored = Staircase("exposure")
    anchored.anchor(1.5)
    one_array = anchored.posterior().size * 8  # float64
    assert beliefs_trimmed < (len(ANCHORED.session_sds) + 1.5) * one_array < beliefs_kept, (beliefs_trimmed,
                                                                                          beliefs_kept)


def test_a_closed_socket_is_freed_without_the_garbage_collector() -> None:
    """A real WebSocket handshake and close on a socket pair; with the collector off, the connection is gone."""
    app = Flask(__name__)
    blueprint = Blueprint("memory_probe", __name__)
    servers: list[weakref.ref] = []
    threads: list[threading.Thread] = []

    @websocket.route(blueprint, "/probe")
    def serve(connection) -> None:
        servers.append(weakref.ref(connection))
        threads.append(connection.thread)
        assert connection.receive(timeout=5) is None  # the client closes

    app.register_blueprint(blueprint)
    server_end, client_end = socket.socketpair()
    environ = {"gunicorn.socket": server_end, "HTTP_CONNECTION": "Upgrade", "HTTP_UPGRADE": "websocket",
               "HTTP_SEC_WEBSOCKET_KEY": "dGhlIHNhbXBsZSBub25jZQ==", "HTTP_SEC_WEBSOCKET_VERSION": "13",
               "HTTP_HOST": "localhost"}
    gc.collect()
    gc.disable()
    try:
        with app.test_request_context("/probe", environ_overrides=environ):
            view = app.view_functions["memory_probe.serve"]
            reader = threading.Thread(target=lambda: (client_end.recv(4096), client_end.close()))
            reader.start()  # reads the 101 answer, then hangs up
            response = view()
            reader.join(5)
            assert response.status_code == 200 and servers
        threads[0].join(5)
        del response, view, threads[:]
        assert servers[0]() is None, "the closed connection waits for a collection"
    finally:
        gc.enable()
        server_end.close()


def test_what_survives_young_collections_is_frozen_and_thaw_collects_it(monkeypatch) -> None:
    # A process up for longer than the thaw period before freezing starts (a test worker, a slow start) must
    # still freeze first: the period counts from freeze_survivors, not from the import.
    monkeypatch.setattr(collector, "_thawed_at", collector._thawed_at - collector.THAW_EVERY_S - 1)
    collector.freeze_survivors()
    try:
        frozen = gc.get_freeze_count()
        kept = [[index] for index in range(5_000)]  # survives: moved out of the collector's sight
        gc.collect(1)
        assert gc.get_freeze_count() >= frozen + len(kept) and not gc.get_objects(2)
        cycle: list = []
        cycle.append(cycle)
        gc.collect(1)  # frozen before it becomes garbage: only thaw can free it
        del cycle
    finally:
        assert collector.thaw() >= 1
    assert gc.get_freeze_count() == 0 and gc.callbacks.count(collector._freeze_survivors) == 0


class Node:
    def __init__(self) -> None:
        self.itself = self  # a cycle: only the collector frees it


def test_the_periodic_thaw_collects_garbage_the_frozen_heap_holds(monkeypatch) -> None:
    collector.freeze_survivors()
    try:
        node = Node()
        gc.collect(1)  # survived: frozen
        gone = weakref.ref(node)
        del node
        gc.collect(1)
        assert gone() is not None  # frozen garbage: the young collections never see it
        monkeypatch.setattr(collector, "THAW_EVERY_S", 0.0)
        gc.collect(1)  # due: the frozen heap goes back to the collector...
        assert gc.get_freeze_count() == 0
        gc.collect(1)
        assert gc.get_freeze_count() == 0  # ...until a full collection has walked it
        gc.collect(2)
        assert gone() is None
        monkeypatch.setattr(collector, "THAW_EVERY_S", 600.0)
        gc.collect(1)
        assert gc.get_freeze_count() > 0  # freezing again
    finally:
        collector.thaw()


def test_young_objects_are_collected_on_a_clock_without_allocations_to_trigger_it() -> None:
    gc.collect()
    threshold = gc.get_threshold()
    gc.set_threshold(10**9, threshold[1], threshold[2])  # allocations alone would never start a collection now
    stop = collector.collect_young_on_a_clock(every_s=0.01)
    try:
        young = [[index] for index in range(5_000)]
        for _ in range(200):  # bounded: 2 s
            if len(gc.get_objects(0)) < len(young):
                break
            threading.Event().wait(0.01)
        assert len(gc.get_objects(0)) < len(young)  # moved on by a young collection
    finally:
        stop.set()
        gc.set_threshold(*threshold)


def test_under_gevent_young_objects_are_collected_on_the_loops_clock() -> None:
    """In the gevent worker the clock is a timer of gevent's loop (no green thread): it must still collect."""
    script = """
from gevent import monkey
monkey.patch_all()
import gc, gevent, threading
from game import collector
gc.collect()
gc.set_threshold(10**9, *gc.get_threshold()[1:])  # allocations alone would never start a collection now
stop = collector.collect_young_on_a_clock(every_s=0.01)
assert not any(thread.name == "young-collections" for thread in threading.enumerate())
young = [[index] for index in range(5_000)]
for _ in range(200):
    if len(gc.get_objects(0)) < len(young):
        break
    gevent.sleep(0.01)
assert len(gc.get_objects(0)) < len(young), len(gc.get_objects(0))
stop.set()
gevent.sleep(0.05)
print("collected")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.stdout.strip() == "collected", done.stderr
