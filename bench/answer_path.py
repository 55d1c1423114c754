"""The drill messages' CPU in-process: the real handler code on a real SQLite file, no network.

Many players play drills round-robin through ``game.ws._handle`` (protocol parsing, the drill logic,
the pooled connection) and ``game.ws._send`` (the replies' encoding and framing, sent on a socket pair; in
trees without ``_send``, simple-websocket's ``send`` as game.ws used it), as bench/load.py's players do but without
the network and with a clock that moves 3 s per trial, so every answer is on time and humanly paced. Each player
answers as a person with their own threshold would (bench/observer.py; ``--answers random``: right 1 time in 7, as
before session 16); the run says how often they were right and what fair play made of them.
Prints the CPU per message kind (median, p99 and mean ms) and, with ``--profile``, the top entries of cProfile.
cProfile inflates code made of many small calls several times over; ``--time FUNCTION...`` instead times named
functions (``game.drills.DrillSession:_adapt``, ``game.store.record_answer``) with the CPU clock and prints each
one's share of all messages' CPU. ``--wal`` prints how many WAL pages each answer's commit writes, by table or index
(the commit's cost is about two write() calls per page). ``--sql`` times every SQL statement (BEGIN and COMMIT
included) with the CPU clock, by its text: SQLite drops the GIL, so py-spy under-counts what this shows.

With ``--against REV`` the same players are also played by the code as it was at git revision REV (its
tree extracted to a temporary folder), in alternating runs (``--rounds``), so a shared, loaded machine slows
both alike; the ratio of the means says whether a change made the drill messages cheaper.

Run: ``.venv/bin/python bench/answer_path.py [--players 50] [--drills 3] [--profile] [--against ce097fe]``
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import secrets
import select
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("hello", "start", "answer", "next", "answer (last)")


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def new_players(players_count: int, clock: Clock) -> tuple[list, list[dict]]:
    """New players' drill sessions and, for each, its handler per message type (as game.ws dispatches them).
    Call inside the app's context."""
    from game import players, ws
    from game.db import pool
    from game.drills import DrillSession

    sessions = []
    with pool().connection() as db:
        for _ in range(players_count):
            player, _token = players.create_player(db, secrets.token_urlsafe(32))
            sessions.append(DrillSession(None, player["id"], clock=clock))  # type: ignore[arg-type]
    handlers = [{
        ws.Hello: lambda m, s=s: [s.welcome(m)], ws.Start: s.start, ws.Resume: s.resume,
        ws.Next: lambda _m, s=s: s.next_trial(), ws.Answer: s.answer, ws.Abandon: lambda _m, s=s: s.abandon(),
    } for s in sessions]
    return sessions, handlers


def play(players_count: int, drills: int, profile: bool, keep: list[Path] | None = None,
         answers: str = "observer") -> dict[str, list[float]]:
    """CPU ms per message, by kind, of the code importable as ``game`` (this tree's, or ``--root``'s).

    :param keep: the database file is appended here and kept (the caller deletes it)
    :param answers: "observer": each player answers as a person with their own threshold would (bench/observer.py);
        "random": right 1 time in 7
    """
    import msgspec
    from observer import Observer, fair_play

    from game import create_app, ws
    from game.db import pool
    from game.emotions import EMOTION_KEYS

    encode = msgspec.json.Encoder().encode
    with _folder(keep) as tmp:
        app = create_app({"DATABASE": str(Path(tmp) / "bench.db"), "TESTING": True})
        if keep is not None:
            keep.append(Path(tmp) / "bench.db")
        clock, rng, draws = Clock(), random.Random(1), random.Random(2)
        observers = [Observer.draw(draws) for _ in range(players_count)] if answers == "observer" else None
        server, peer = open_socket()

        def reply(replies: list[dict]) -> None:
            """As game.ws sends replies (``_send``), or, in trees without it, as it did: ``ws.send(str)``."""
            if hasattr(ws, "_send"):
                ws._send(server, replies)
            else:
                for message in replies:
                    server.send(encode(message).decode())
        costs: dict[str, list[float]] = defaultdict(list)
        right: list[bool] = []
        profiler = cProfile.Profile(time.process_time) if profile else None  # CPU time: the box is shared
        with app.app_context():
            sessions, handlers = new_players(players_count, clock)

            def send(index: int, kind: str, message: dict) -> list[dict]:
                raw = encode(message).decode()
                if profiler:
                    profiler.enable()
                started = time.process_time()
                with pool().connection() as db:
                    sessions[index].db = db
                    replies = ws._handle(raw, handlers[index])
                    sessions[index].db = None
                reply(replies)
                costs[kind].append((time.process_time() - started) * 1000)
                if profiler:
                    profiler.disable()
                while peer.recv(1 << 16, socket.MSG_DONTWAIT) if select.select([peer], [], [], 0)[0] else b"":
                    pass  # what the socket sent, read by its "browser" outside the measured time
                assert replies and all(r.get("type") != "error" for r in replies), replies
                return replies

            for index in range(players_count):
                send(index, "hello", {"type": "hello", "v": 1, "tz": "Europe/Paris"})
            for _ in range(drills):
                trials = [send(i, "start", {"type": "start", "refreshMs": 16.667})[-1] for i in range(players_count)]
                for _position in range(20):
                    clock.now += 3.0
                    results = []
                    for i, trial in enumerate(trials):
                        named = observers[i].answer(msgspec.json.decode(encode(trial)), 16.667) if observers \
                            else rng.choice(EMOTION_KEYS)  # the observer reads the trial as the browser gets it
                        replies = send(i, "answer", {
                            "type": "answer", "trialId": trial["trialId"], "answer": named,
                            "framesShown": trial["exposureFrames"], "refreshMs": 16.667, "maxGapMs": 17.0,
                            "reactionMs": round(rng.uniform(600, 1500), 1)})
                        if replies[0]["done"]:
                            costs["answer (last)"].append(costs["answer"].pop())
                        if replies[0]["correct"] is not None:
                            right.append(replies[0]["correct"])
                        results.append(replies[0])
                    clock.now += 1.0
                    trials = [None if r["done"] else send(i, "next", {"type": "next"})[0]
                              for i, r in enumerate(results)]
                    if all(t is None for t in trials):
                        break
                clock.now += 3600.0  # the next drill is a new session of every procedure
        print(f"players answer: {answers}, right {statistics.fmean(right):.0%} of {len(right)}; "
              f"{fair_play(str(Path(tmp) / 'bench.db'))[1]}")
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)
    return dict(costs)


def open_socket():
    """A drill socket's server end past its handshake (wsproto open, no extension) on a socket pair, and the peer."""
    from flask_sock import Server
    from wsproto import Connection, ConnectionType

    ours, peer = socket.socketpair()
    server = Server.__new__(Server)
    server.connected, server.ws, server.sock = True, Connection(ConnectionType.SERVER), ours
    return server, peer


def _folder(keep: list[Path] | None):
    """A temporary folder, deleted at the end unless ``keep`` asks for its database."""
    import contextlib

    return tempfile.TemporaryDirectory() if keep is None else contextlib.nullcontext(tempfile.mkdtemp())


def timed(names: list[str], players_count: int, drills: int, answers: str) -> None:
    """CPU spent in each named function (``module.function`` or ``module.Class:method``), and its share."""
    import importlib

    spent: dict[str, list[float]] = defaultdict(list)
    for name in names:
        module_name, _, attribute = name.rpartition(".")
        owner: object = importlib.import_module(module_name)
        if ":" in attribute:
            class_name, attribute = attribute.split(":")
            owner = getattr(owner, class_name)
        function = getattr(owner, attribute)

        def wrapper(*args, _function=function, _name=name, **kwargs):
            started = time.process_time()
            try:
                return _function(*args, **kwargs)
            finally:
                spent[_name].append(time.process_time() - started)

        setattr(owner, attribute, wrapper)
    costs = play(players_count, drills, False, answers=answers)
    show(costs)
    total = sum(sum(values) for values in costs.values()) / 1000
    for name, values in spent.items():
        print(f"  {name}: {len(values)} calls, mean {statistics.fmean(values) * 1000:.4f} ms, "
              f"{sum(values) / total:.1%} of all messages' CPU")


def split(module_name: str, players_count: int, drills: int, answers: str) -> None:
    """CPU per message spent inside the classes of one module (``game.staircase``: QUEST+) and outside them.

    Every method and property of the module's own classes is wrapped; a call made from inside another one is
    not counted again, so "inside" is the time from entering the module's objects until leaving them.
    """
    import importlib

    module = importlib.import_module(module_name)
    depth, inside = [0], [0.0]

    def wrapped(function):
        def wrapper(*args, **kwargs):
            if depth[0]:
                return function(*args, **kwargs)
            depth[0] = 1
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                inside[0] += time.process_time() - started
                depth[0] = 0
        return wrapper

    for owner in vars(module).values():
        if not isinstance(owner, type) or owner.__module__ != module_name or issubclass(owner, BaseException):
            continue
        for name, attribute in list(vars(owner).items()):
            if isinstance(attribute, property) and attribute.fget is not None:
                setattr(owner, name, property(wrapped(attribute.fget)))
            elif isinstance(attribute, classmethod):
                setattr(owner, name, classmethod(wrapped(attribute.__func__)))
            elif isinstance(attribute, staticmethod):
                setattr(owner, name, staticmethod(wrapped(attribute.__func__)))
            elif callable(attribute) and getattr(attribute, "__module__", None) == module_name \
                    and name not in ("__new__", "__init_subclass__", "__class_getitem__"):
                setattr(owner, name, wrapped(attribute))
    from game import ws

    handle, by_kind = ws._handle, defaultdict(list)

    def counted(raw, handlers, message=None):
        before = inside[0]
        replies = handle(raw, handlers, message)
        kind = json.loads(raw)["type"]
        by_kind["answer (last)" if kind == "answer" and replies[-1].get("type") == "summary" else kind].append(
            (inside[0] - before) * 1000)
        return replies

    ws._handle = counted
    costs = play(players_count, drills, False, answers=answers)
    show(costs)
    for kind in KINDS:
        if costs.get(kind):
            print(f"  {kind:14s} outside {module_name}'s classes: mean "
                  f"{statistics.fmean(costs[kind]) - statistics.fmean(by_kind[kind]):.3f} ms")
    count = sum(len(values) for values in costs.values())
    total = sum(sum(values) for values in costs.values())
    print(f"  inside {module_name}'s classes: mean {inside[0] * 1000 / count:.3f} ms a message "
          f"({inside[0] * 1000 / total:.1%}); outside: mean {(total - inside[0] * 1000) / count:.3f} ms")


def sql_statements(players_count: int, drills: int, answers: str) -> None:
    """CPU in each SQL statement the game's connections run (by its text), and its share of all messages' CPU."""
    import sqlite3

    spent: dict[str, list[float]] = defaultdict(list)

    def timed(run, sql, args):
        started = time.process_time()
        try:
            return run(sql, *args)
        finally:
            spent[" ".join(sql.split())[:110]].append(time.process_time() - started)

    class Timed(sqlite3.Connection):
        def execute(self, sql, *args):
            return timed(super().execute, sql, args)

        def executemany(self, sql, *args):
            return timed(super().executemany, sql, args)

    connect = sqlite3.connect
    sqlite3.connect = lambda *args, **kwargs: connect(*args, factory=Timed, **kwargs)  # type: ignore[misc]
    costs = play(players_count, drills, False, answers=answers)
    show(costs)
    total = sum(sum(values) for values in costs.values()) / 1000
    every = sum(sum(values) for values in spent.values())
    print(f"  all SQL: {every / total:.1%} of all messages' CPU")
    for sql, values in sorted(spent.items(), key=lambda item: -sum(item[1]))[:30]:
        print(f"  {sum(values) / total:5.1%} {len(values):6d} x {statistics.fmean(values) * 1000:.4f} ms  {sql}")


def wal_pages(players_count: int, drills: int, answers: str) -> None:
    """WAL pages each answer's commit writes, by table or index (``dbstat``), over the players' answers."""
    import sqlite3
    import struct
    from contextlib import contextmanager

    from game import db as game_db
    from game import drills as game_drills

    frames: list[list[int]] = []
    atomic = game_db.GameDatabase.atomic

    @contextmanager
    def record(self):  # the answer's transaction: remember the WAL frames its commit appended
        self.conn.execute("PRAGMA wal_autocheckpoint = 0")  # the WAL only grows: its new frames are this commit's
        wal = Path(self.conn.execute("PRAGMA database_list").fetchone()[2] + "-wal")
        before = wal.stat().st_size if wal.exists() else 0
        with atomic(self) as db:
            yield db
        with wal.open("rb") as file:
            file.seek(before)
            appended = file.read()
        frames.append([struct.unpack(">I", appended[at:at + 4])[0] for at in range(0, len(appended), 4096 + 24)])

    original = game_drills.DrillSession._record

    def answer(self, *args, **kwargs):
        game_db.GameDatabase.atomic = record
        try:
            return original(self, *args, **kwargs)
        finally:
            game_db.GameDatabase.atomic = atomic

    game_drills.DrillSession._record = answer
    kept: list[Path] = []
    play(players_count, drills, False, keep=kept, answers=answers)
    conn = sqlite3.connect(kept[0])
    owner = dict(conn.execute("SELECT pageno, name FROM dbstat").fetchall())
    conn.close()
    for file in kept[0].parent.iterdir():
        file.unlink()
    kept[0].parent.rmdir()
    pages = defaultdict(int)
    for pages_written in frames:
        for page in pages_written:
            pages[owner.get(page, "(freed since)")] += 1
    print(f"{len(frames)} answers: {sum(pages.values()) / len(frames):.2f} WAL pages per answer's commit")
    for name, count in sorted(pages.items(), key=lambda item: -item[1]):
        print(f"  {count / len(frames):5.2f}  {name}")


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) > 1 else values[0]


def paced(costs: dict[str, list[float]]) -> list[float]:
    """The answers and `next`s: what a drill mostly sends."""
    return [v for kind in ("answer", "answer (last)", "next") for v in costs.get(kind, [])]


def show(costs: dict[str, list[float]]) -> None:
    for kind in KINDS:
        values = costs.get(kind, [])
        if values:
            print(f"  {kind:14s} n={len(values):6d}  median {statistics.median(values):6.3f}  p99 {p99(values):6.3f}  "
                  f"mean {statistics.fmean(values):6.3f}")
    every = [v for values in costs.values() for v in values]
    print(f"  all messages: mean {statistics.fmean(every):.3f} ms; answer+next (what a drill mostly sends): "
          f"mean {statistics.fmean(paced(costs)):.3f} ms")


def extract(revision: str, folder: Path) -> Path:
    """The repository's tree at ``revision``, written under ``folder``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def run_in(root: Path, players_count: int, drills: int, answers: str) -> tuple[dict[str, list[float]], str]:
    """One run of this script on the code under ``root``, in a fresh process: its costs, and what it said of its
    players."""
    done = subprocess.run([sys.executable, __file__, "--root", str(root), "--players", str(players_count),
                           "--drills", str(drills), "--answers", answers, "--json"], check=True, capture_output=True,
                          text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    *said, costs = done.stdout.splitlines()
    return json.loads(costs), "\n".join(said)


def against(revision: str | None, players_count: int, drills: int, rounds: int, answers: list[str]) -> None:
    """This tree against ``revision``'s with the same players, or, without one, this tree's two kinds of players."""
    with tempfile.TemporaryDirectory() as tmp:
        if revision:
            compare({"this tree": (ROOT, answers[0]), revision: (extract(revision, Path(tmp)), answers[0])},
                    players_count, drills, rounds)
        else:
            compare({f"{kind} players": (ROOT, kind) for kind in answers}, players_count, drills, rounds)


def compare(runners: dict[str, tuple[Path, str]], players_count: int, drills: int, rounds: int) -> None:
    """Two runners (a tree and its kind of players) in alternating runs; the first's costs over the second's."""
    runs: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in runners}
    players: dict[str, str] = {}
    for index in range(rounds):
        order = list(runners) if index % 2 == 0 else list(reversed(runners))
        for name in order:
            root, kind = runners[name]
            costs, players[name] = run_in(root, players_count, drills, kind)
            for kind, values in costs.items():
                runs[name][kind].extend(values)
    print(f"{players_count} players x {drills} drills x {rounds} alternating rounds, in-process CPU per message (ms):")
    for name, costs in runs.items():
        print(f"{name}: ({players[name]})")
        show(costs)
    first, second = runs
    mine, theirs = paced(runs[first]), paced(runs[second])
    print(f"answer+next, {first} / {second}: mean {statistics.fmean(mine) / statistics.fmean(theirs):.2f}x, "
          f"median {statistics.median(mine) / statistics.median(theirs):.2f}x, p99 {p99(mine) / p99(theirs):.2f}x")
    every = {name: [v for values in costs.values() for v in values] for name, costs in runs.items()}
    ratio = statistics.fmean(every[first]) / statistics.fmean(every[second])
    print(f"all messages, {first} / {second}: mean {ratio:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--players", type=int, default=50)
    parser.add_argument("--drills", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--time", nargs="+", metavar="FUNCTION", help="CPU in these functions, e.g. "
                        "game.drills.DrillSession:_adapt game.store.record_answer")
    parser.add_argument("--split", metavar="MODULE", help="CPU inside this module's classes and outside them, "
                        "e.g. game.staircase (QUEST+)")
    parser.add_argument("--sql", action="store_true", help="CPU in each SQL statement, by its text")
    parser.add_argument("--wal", action="store_true", help="WAL pages per answer's commit, by table or index")
    parser.add_argument("--answers", choices=("observer", "random"), nargs="+", default=["observer"],
                        help="observer (default): each player names what a person with their own threshold would see "
                        "in the trial's face (bench/observer.py); random: right 1 time in 7. Two kinds (--answers "
                        "observer random): the same players of each kind in alternating runs, as --against")
    parser.add_argument("--against", metavar="REV", help="also run the code of this git revision, alternating")
    parser.add_argument("--rounds", type=int, default=4, help="alternating runs of each tree with --against")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)  # the tree whose game/ runs
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one line of costs, for --against
    args = parser.parse_args()
    if args.against or len(args.answers) > 1:
        against(args.against, args.players, args.drills, args.rounds, args.answers)
        return
    args.answers = args.answers[0]
    sys.path.insert(0, str(args.root))
    if args.time:
        timed(args.time, args.players, args.drills, args.answers)
        return
    if args.split:
        split(args.split, args.players, args.drills, args.answers)
        return
    if args.sql:
        sql_statements(args.players, args.drills, args.answers)
        return
    if args.wal:
        wal_pages(args.players, args.drills, args.answers)
        return
    costs = play(args.players, args.drills, args.profile, answers=args.answers)
    if args.json:
        print(json.dumps(costs))
        return
    print(f"{args.players} players x {args.drills} drills, in-process CPU per message (ms):")
    show(costs)


if __name__ == "__main__":
    main()
