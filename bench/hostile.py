"""The hostile clients of issue 12 at full scale, against one worker with the production limits, while
legitimate players keep playing; the same players alone, in the same run just before, are the baseline.

Attacks, each from its own loopback addresses (127.0.1.x; the players are 127.0.0.1): idle sockets that say
hello and answer pings; slow-body POSTs (1 byte every 5 s); one player flooding legal `start`s from many
sockets; a 100 MB chunked POST; hostile messages (malformed, oversized, deep, huge numbers, lone
surrogates: tests/test_hostile.py's list) until --messages have been sent; cookie-less POSTs.

Prints the players' answer->result and next->trial p50/p95/p99 alone and under attack, what each attack got
(HTTP statuses, error codes, how long its sockets lived), every `server_error` and HTTP 500 (must be 0),
tracebacks in the server log (must be 0), the worker's CPU and peak RSS, the players created, and checks that
the database holds exactly the answers the players were told about.

Run: ``.venv/bin/python bench/hostile.py [--players 20] [--seconds 60] [--idle 3000] [--slow 2100]
[--flood 200] [--chunked-mb 100] [--messages 100000]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import resource
import secrets
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "tests")]
from harness import LiveServer  # noqa: E402
from load import (  # noqa: E402
    CLIENT_CPU,
    SERVER_CPU,
    Player,
    Stats,
    check_database,
    cpu_seconds,
    percentiles,
    rss_mb,
    worker_pid,
)
from test_hostile import HOSTILE_MESSAGES  # noqa: E402  (one list for the test and this bench)

IDLE_ADDRESSES = [f"127.0.1.{i}" for i in range(1, 5)]  # 4 x 750 idle sockets: under the 1,000 per address
SLOW_ADDRESSES = [f"127.0.2.{i}" for i in range(1, 4)]
FLOOD_ADDRESS, HOSTILE_ADDRESS, POST_ADDRESS = "127.0.3.1", "127.0.4.1", "127.0.5.1"


class TimedList(list):
    """A latency list that also remembers when each value came (for the timeline under attack)."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def append(self, value: float) -> None:
        super().append(value)
        self.times.append(time.monotonic())


class Tally:
    """What the attacks got, merged into one JSON-able dict at the end."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter] = {}
        self.lifetimes: dict[str, list[float]] = {}

    def count(self, attack: str, outcome: str, n: int = 1) -> None:
        self.counts.setdefault(attack, Counter())[outcome] += n

    def lived(self, attack: str, seconds: float) -> None:
        self.lifetimes.setdefault(attack, []).append(seconds)

    def as_dict(self) -> dict:
        return {"counts": {k: dict(v) for k, v in self.counts.items()},
                "lifetimes": {k: sorted(v) for k, v in self.lifetimes.items()}}


async def connect(url: str, origin: str, address: str, cookie: str | None):
    headers = {"Cookie": f"glimpse_player={cookie}"} if cookie else {}
    return await websockets.connect(url, origin=origin, additional_headers=headers, open_timeout=30,
                                    local_addr=(address, 0), max_queue=None, compression=None)


def refusal(error: BaseException) -> str:
    if isinstance(error, websockets.InvalidStatus):
        return f"HTTP {error.response.status_code}"
    return type(error).__name__


async def idle_socket(url: str, origin: str, address: str, stop: float, tally: Tally) -> None:
    """Says hello, then nothing (the library answers the server's pings)."""
    started = time.monotonic()
    try:
        ws = await connect(url, origin, address, secrets.token_urlsafe(32))
    except Exception as error:
        tally.count("idle", refusal(error))
        return
    tally.count("idle", "accepted")
    try:
        await ws.send(json.dumps({"type": "hello", "v": 1}))
        while time.monotonic() < stop:
            reply = json.loads(await asyncio.wait_for(ws.recv(), timeout=max(0.1, stop - time.monotonic())))
            if reply.get("type") == "error":
                tally.count("idle", f"error {reply.get('code')}")
    except TimeoutError:
        tally.count("idle", "still open at the end")
    except websockets.ConnectionClosed as closed:
        tally.count("idle", f"closed by server {closed.rcvd.code if closed.rcvd else '-'}")
        tally.lived("idle", time.monotonic() - started)
    finally:
        await ws.close()


async def http_request(host: str, port: int, address: str, head: str, body_parts, pause_s: float,
                       stop: float) -> tuple[str, float]:
    """Send a request by hand; return (the status line's code or how it ended, seconds until it ended)."""
    started = time.monotonic()
    reader, writer = await asyncio.open_connection(host, port, local_addr=(address, 0))
    try:
        writer.write(head.encode())
        await writer.drain()
        read = asyncio.create_task(reader.readline())
        for part in body_parts:
            if read.done() or time.monotonic() > stop:
                break
            writer.write(part)
            await writer.drain()
            if pause_s:
                await asyncio.wait([read], timeout=pause_s)
        status_line = await asyncio.wait_for(read, timeout=max(0.1, stop - time.monotonic()))
        outcome = status_line.split()[1].decode() if status_line else "closed without an answer"
    except TimeoutError:
        outcome = "no answer by the end"
    except (ConnectionError, OSError) as error:
        outcome = type(error).__name__
    finally:
        writer.close()
    return outcome, time.monotonic() - started


async def slow_body(host: str, port: int, address: str, stop: float, tally: Tally) -> None:
    head = (f"POST /api/nickname HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            "Content-Length: 4096\r\n\r\n")
    outcome, seconds = await http_request(host, port, address, head, (b"{" for _ in range(4096)), 5.0, stop)
    tally.count("slow body", f"HTTP {outcome}" if outcome.isdigit() else outcome)
    tally.lived("slow body", seconds)


async def chunked_body(host: str, port: int, megabytes: int, stop: float, tally: Tally) -> None:
    head = (f"POST /api/offline/sync HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"100000\r\n" + b" " * 0x100000 + b"\r\n"
    outcome, seconds = await http_request(host, port, POST_ADDRESS, head, (chunk for _ in range(megabytes)), 0.0,
                                          stop)
    tally.count("chunked 100 MB", f"HTTP {outcome}" if outcome.isdigit() else outcome)
    tally.lived("chunked 100 MB", seconds)


async def cookieless_posts(host: str, port: int, n: int, stop: float, tally: Tally) -> None:
    body = b'{"nickname": "spam"}'
    head = (f"POST /api/nickname HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    for _ in range(n):
        outcome, _seconds = await http_request(host, port, POST_ADDRESS, head, [body], 0.0, stop)
        tally.count("cookie-less POST", f"HTTP {outcome}" if outcome.isdigit() else outcome)


async def flood_socket(url: str, origin: str, cookie: str, stop: float, tally: Tally) -> None:
    """One of many sockets of one player, each sending legal `start`s at 19/s."""
    try:
        ws = await connect(url, origin, FLOOD_ADDRESS, cookie)
    except Exception as error:
        tally.count("flood sockets", refusal(error))
        return
    tally.count("flood sockets", "accepted")

    async def drain() -> None:
        async for raw in ws:
            reply = json.loads(raw)
            kind = reply.get("type")
            tally.count("flood replies", f"error {reply.get('code')}" if kind == "error" else kind)

    reader = asyncio.create_task(drain())
    try:
        await ws.send(json.dumps({"type": "hello", "v": 1}))
        while time.monotonic() < stop and not reader.done():
            await ws.send(json.dumps({"type": "start", "refreshMs": 16.667}))
            tally.count("flood sent", "start")
            await asyncio.sleep(1 / 19)
    except websockets.ConnectionClosed:
        pass
    finally:
        tally.count("flood sockets", "closed by server" if reader.done() else "open at the end")
        reader.cancel()
        await ws.close()


async def hostile_socket(url: str, origin: str, cookie: str, budget: list[int], stop: float, tally: Tally) -> None:
    """Sends hostile messages one at a time, reading each reply; reconnects (as the same player) when closed."""
    rng = random.Random()
    for _ in range(10_000):
        if budget[0] <= 0 or time.monotonic() > stop:
            return
        try:
            ws = await connect(url, origin, HOSTILE_ADDRESS, cookie)
        except Exception as error:
            tally.count("hostile sockets", refusal(error))
            await asyncio.sleep(1)
            continue
        tally.count("hostile sockets", "accepted")
        try:
            while budget[0] > 0 and time.monotonic() < stop:
                budget[0] -= 1
                await ws.send(rng.choice(HOSTILE_MESSAGES))
                tally.count("hostile sent", "message")
                reply = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
                tally.count("hostile replies", f"error {reply.get('code')}" if reply.get("type") == "error"
                            else reply.get("type"))
        except TimeoutError:
            tally.count("hostile replies", "no reply in 10 s")
        except websockets.ConnectionClosed as closed:
            tally.count("hostile sockets", f"closed by server {closed.rcvd.code if closed.rcvd else '-'}")
        finally:
            await ws.close()


async def attack(url: str, origin: str, port: int, args: argparse.Namespace) -> dict:
    tally, stop = Tally(), time.monotonic() + args.seconds
    host = "127.0.0.1"
    flood_cookie = secrets.token_urlsafe(32)
    budget = [args.messages]
    tasks = [asyncio.create_task(chunked_body(host, port, args.chunked_mb, stop, tally)),
             asyncio.create_task(cookieless_posts(host, port, args.posts, stop, tally))]
    hostile_players = [secrets.token_urlsafe(32) for _ in range(17)]  # 3 sockets each, the most a player may hold
    tasks += [asyncio.create_task(hostile_socket(url, origin, hostile_players[i % 17], budget, stop, tally))
              for i in range(51)]
    tasks += [asyncio.create_task(flood_socket(url, origin, flood_cookie, stop, tally)) for _ in range(args.flood)]
    for i in range(max(args.idle, args.slow)):  # connect storms, spread over ~10 s
        if i < args.idle:
            tasks.append(asyncio.create_task(idle_socket(url, origin, IDLE_ADDRESSES[i % 4], stop, tally)))
        if i < args.slow:
            tasks.append(asyncio.create_task(slow_body(host, port, SLOW_ADDRESSES[i % 3], stop, tally)))
        if i % 100 == 99:
            await asyncio.sleep(10 * 100 / max(args.idle, args.slow))
    # A client stuck in a kernel connect queue or a half-read reply must not keep the report from coming.
    _done, pending = await asyncio.wait(tasks, timeout=max(0.0, stop - time.monotonic()) + 30)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return tally.as_dict() | {"hostile messages sent": args.messages - max(budget[0], 0),
                              "attack clients cut off 30 s after the attack": len(pending)}


def attacker(url: str, origin: str, port: int, args: argparse.Namespace, results) -> None:
    # The attack shares the client core with the players: yield it to them, so their latencies time the server
    # and not thousands of attacking sockets in this process.
    os.nice(10)
    results.put(asyncio.run(attack(url, origin, port, args)))


async def play(server: LiveServer, players: list[Player], seconds: float, pid: int, attack_start) -> dict:
    """The players: `seconds` alone (the baseline), then `seconds` under attack."""
    stats = players[0].stats
    stop = time.monotonic() + 5 + 2 * seconds + 15
    tasks = [asyncio.create_task(p.play(stop)) for p in players]
    await asyncio.sleep(5)
    phases, peak_rss = {}, 0.0
    for phase in ("alone", "under attack"):
        if phase == "under attack":
            attack_start()
        stats.recording, stats.latencies = True, defaultdict(TimedList)
        cpu0, t0 = cpu_seconds(pid), time.monotonic()
        while time.monotonic() - t0 < seconds:
            await asyncio.sleep(0.5)
            peak_rss = max(peak_rss, rss_mb(pid))
        stats.recording = False
        phases[phase] = {"latencies": stats.latencies, "cpu": (cpu_seconds(pid) - cpu0) / seconds, "t0": t0}
    results = await asyncio.gather(*tasks, return_exceptions=True)
    crashed = Counter(type(r).__name__ for r in results if isinstance(r, BaseException))
    return {"phases": phases, "peak_rss": peak_rss, "crashed": crashed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--players", type=int, default=20, help="legitimate players (all from 127.0.0.1)")
    parser.add_argument("--seconds", type=float, default=60, help="length of each phase, alone and under attack")
    parser.add_argument("--idle", type=int, default=3000)
    parser.add_argument("--slow", type=int, default=2100)
    parser.add_argument("--flood", type=int, default=200, help="sockets of the one flooding player")
    parser.add_argument("--chunked-mb", type=int, default=100)
    parser.add_argument("--messages", type=int, default=100_000, help="hostile messages to send")
    parser.add_argument("--posts", type=int, default=1500, help="cookie-less POSTs")
    args = parser.parse_args()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # thousands of client sockets
    if len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {CLIENT_CPU})
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "hostile.db"
        server = LiveServer(database, {"GLIMPSE_ACCESS_LOG": ""}, cpu=SERVER_CPU).start()
        try:
            pid = worker_pid(server.process.pid)
            results = multiprocessing.get_context("fork").Queue()
            attackers = multiprocessing.get_context("fork").Process(
                target=attacker, args=(server.ws_url, server.url, server.port, args, results))
            stats, rng = Stats(), random.Random(1)
            players = [Player(server.ws_url, server.url, stats, False, random.Random(rng.random()))
                       for _ in range(args.players)]
            run = asyncio.run(play(server, players, args.seconds, pid, attackers.start))
            attacked = results.get(timeout=args.seconds + 120)  # the attack ends 30 s after its phase at most
            attackers.join(timeout=30)
            log = server.log.read_text(errors="replace")
            if os.environ.get("GLIMPSE_KEEP_LOG"):
                Path(os.environ["GLIMPSE_KEEP_LOG"]).write_text(log)
        finally:
            server.stop()
        told, mismatched = check_database(database, {"stats": stats, "tokens": [p.token for p in players]})
        conn = sqlite3.connect(database)
        created = conn.execute("SELECT COUNT(*) FROM players").fetchone()[0]
        conn.close()
    report(args, run, attacked, log, told, mismatched, created)


def report(args, run: dict, attacked: dict, log: str, told: int, mismatched: int, created: int) -> None:
    print(f"{args.players} players, {args.seconds:g} s alone then {args.seconds:g} s under attack "
          f"(idle {args.idle}, slow bodies {args.slow}, flood sockets {args.flood}, chunked {args.chunked_mb} MB, "
          f"hostile messages {args.messages}, cookie-less POSTs {args.posts})")
    p99s = {}
    for phase, figures in run["phases"].items():
        print(f"  {phase}: worker CPU {figures['cpu']:.0%} of a core")
        for kind, values in sorted(figures["latencies"].items()):
            p50, p95, p99 = percentiles(values)
            p99s.setdefault(kind, []).append(p99)
            print(f"    {kind:15s} n={len(values):5d}  p50 {p50:7.1f}  p95 {p95:7.1f}  p99 {p99:7.1f} ms")
    attacked_phase = run["phases"]["under attack"]
    answers = attacked_phase["latencies"].get("answer->result", TimedList())
    slices: dict[int, list[float]] = defaultdict(list)
    for at, value in zip(answers.times, answers, strict=True):
        slices[int((at - attacked_phase["t0"]) // 5)].append(value)
    print("  answer->result under attack, by 5 s from the attack's start (n, p50, max ms): " + ", ".join(
        f"{5 * k}s {len(v)}/{percentiles(v)[0]:.0f}/{max(v):.0f}" for k, v in sorted(slices.items())))
    for kind, (alone, attacked_p99) in ((k, v) for k, v in p99s.items() if len(v) == 2):
        print(f"  {kind}: p99 under attack / alone = {attacked_p99 / alone:.2f}x")
    print(f"  worker peak RSS {run['peak_rss']:.0f} MB; players' sockets that failed: {dict(run['crashed']) or 0}")
    print("  what the attacks got:")
    for attack_name, counts in sorted(attacked["counts"].items()):
        print(f"    {attack_name}: {counts}")
    for attack_name, lifetimes in sorted(attacked["lifetimes"].items()):
        p50, _p95, p99 = percentiles(lifetimes)
        print(f"    {attack_name}: ended after p50 {p50:.1f} s, p99 {p99:.1f} s (n={len(lifetimes)})")
    server_errors = sum(n for counts in attacked["counts"].values() for k, n in counts.items()
                        if "server_error" in str(k))
    http_500 = sum(n for counts in attacked["counts"].values() for k, n in counts.items() if str(k) == "HTTP 500")
    tracebacks = log.count("Traceback")
    print(f"  attack clients still running 30 s after the attack, cut off: "
          f"{attacked['attack clients cut off 30 s after the attack']}")
    print(f"  hostile messages sent {attacked['hostile messages sent']}; server_error replies {server_errors}; "
          f"HTTP 500 {http_500}; tracebacks in the server log {tracebacks}")
    print(f"  players in the database: {created} ({args.players} legitimate)")
    print(f"  database: {told} answers told to the players; players whose stored answers differ: {mismatched}")
    if server_errors or http_500 or tracebacks or mismatched:
        sys.exit("FAIL: a server error, an HTTP 500, a traceback or a lost answer")


if __name__ == "__main__":
    main()
