"""Turn latency of live duels at scale, next to solo drills measured in the same run.

Starts gunicorn (one gevent worker, as deployed) on a free loopback port with its own SQLite file,
then plays, from this process (gevent greenlets, one per phone, real WebSockets):

1. **solo drills**: N players each play a speed drill on /ws, answering every trial once the face
   has been shown plus a human-like pause (as a person would), the baseline;
2. **duels**: N/4 rooms of 4 players on /ws/duel, all at once, every player answering the same way.

A *turn* is one answer: the time from sending it to receiving the server's reply to it (a drill's
`result`, a duel's `accepted`), on the client's clock. The duel also reports the round latency:
from the last answer of a round leaving a phone to that phone receiving the round's result.
Prints median, p99 and max per mode and the duel/drill ratio.

    .venv/bin/python bench/duels.py [--players 2000] [--trials 5] [--think-ms 250]

The default 2000 players are 500 duels of 4. Both client and server share this machine's cores, so
absolute figures include the client's own load; the ratio is the comparable part.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import gevent.event  # noqa: E402
import gevent.pool  # noqa: E402
import websocket  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from harness import LiveServer  # noqa: E402

PERIOD_MS = 1000 / 60


def shown_s(trial: dict) -> float:
    return (trial["foreperiodFrames"] + trial["exposureFrames"] + trial["maskFrames"]) * PERIOD_MS / 1000


def new_cookie(url: str) -> str:
    with urllib.request.urlopen(url + "/api/me", timeout=60) as response:  # a player, without a page render
        return response.headers["Set-Cookie"].split(";", 1)[0]


def connect(server: LiveServer, path: str, cookie: str) -> websocket.WebSocket:
    for attempt in range(5):
        try:
            # websocket-client checks every text frame's UTF-8 in pure Python: profiled, that was 39% of this
            # client's CPU in the duel phase (duels send more and larger frames), so the bench measured itself.
            return websocket.create_connection(server.url.replace("http", "ws", 1) + path, cookie=cookie,
                                               origin=server.url, timeout=120, skip_utf8_validation=True)
        except (OSError, websocket.WebSocketException):
            gevent.sleep(0.5 * (attempt + 1))
    raise RuntimeError("could not connect")


def receive(ws: websocket.WebSocket, *types: str) -> dict:
    while True:
        message = json.loads(ws.recv())
        if message["type"] == "ping":
            ws.send(json.dumps({"type": "pong", "t": message["t"]}))
        elif message["type"] in types:
            return message
        elif message["type"] == "error":
            raise RuntimeError(message)


def solo_drill(server: LiveServer, cookie: str, trials: int, think_s: float, turns: list[float]) -> None:
    for attempt in range(5):  # a loaded box may close a socket that did not say hello within 5 s: open another
        ws = connect(server, "/ws", cookie)
        ws.send(json.dumps({"type": "hello", "v": 1}))
        try:
            receive(ws, "welcome")
            break
        except (ValueError, OSError, websocket.WebSocketException):
            ws.close()
            gevent.sleep(attempt + 1)
    else:
        raise RuntimeError("no welcome")
    ws.send(json.dumps({"type": "start", "refreshMs": PERIOD_MS}))
    receive(ws, "started")
    trial = receive(ws, "trial")
    for position in range(1, trials + 1):
        arrived = time.monotonic()
        gevent.sleep(shown_s(trial) + think_s * random.uniform(0.8, 1.2))
        sent = time.monotonic()
        ws.send(json.dumps({"type": "answer", "trialId": trial["trialId"], "answer": "happiness",
                            "framesShown": trial["exposureFrames"], "refreshMs": PERIOD_MS, "maxGapMs": 17.0,
                            "reactionMs": round((sent - arrived) * 1000 * 0.5, 1)}))
        receive(ws, "result")
        turns.append(time.monotonic() - sent)
        if position < trials:
            ws.send(json.dumps({"type": "next"}))
            trial = receive(ws, "trial")
    ws.close()


def duel_player(server: LiveServer, cookie: str, code_box: list, host: bool, ready: gevent.event.Event,
                joined: list, think_s: float, turns: list[float], rounds: list[float]) -> None:
    ws = connect(server, "/ws/duel", cookie)
    if host:
        ws.send(json.dumps({"type": "create", "refreshMs": PERIOD_MS}))
        code_box.append(receive(ws, "joined")["code"])
        ready.set()
    else:
        ready.wait()
        ws.send(json.dumps({"type": "join", "code": code_box[0], "refreshMs": PERIOD_MS}))
        receive(ws, "joined")
    joined.append(1)
    if host:
        while len(joined) < 4:
            gevent.sleep(0.05)
        ws.send(json.dumps({"type": "start"}))
    while True:
        message = receive(ws, "trial", "done")
        if message["type"] == "done":
            break
        arrived = time.monotonic()
        gevent.sleep(shown_s(message) + 0.1 + think_s * random.uniform(0.8, 1.2))
        sent = time.monotonic()
        ws.send(json.dumps({"type": "answer", "trialId": message["trialId"], "answer": "happiness",
                            "reactionMs": round((sent - arrived) * 1000 - shown_s(message) * 1000, 1)}))
        receive(ws, "accepted")
        turns.append(time.monotonic() - sent)
        receive(ws, "round")
        rounds.append(time.monotonic() - sent)  # includes waiting for the slowest of the four
    ws.close()


def worker_cpu_s(server: LiveServer) -> float:
    """CPU seconds the gunicorn worker has used (user + system): other loads on the box barely move it."""
    master = server.process.pid if server.process else 0
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    fields = Path(f"/proc/{children[0]}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def summarise(name: str, samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    median = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000
    worst = ordered[-1] * 1000
    print(f"{name:<38} n={len(ordered):>6}  median {median:7.1f} ms  p99 {p99:7.1f} ms  max {worst:7.1f} ms")
    return median, p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=2000, help="phones in each phase (duels: rooms of 4)")
    parser.add_argument("--trials", type=int, default=5, help="trials per drill and per duel")
    parser.add_argument("--think-ms", type=float, default=250, help="mean pause after the face before answering")
    parser.add_argument("--skip-solo", action="store_true", help="duels only, for profiling (no ratio)")
    args = parser.parse_args()
    players = args.players - args.players % 4
    think_s = args.think_ms / 1000
    database = Path(tempfile.mkdtemp()) / "bench.db"
    pace = f"countdown_s=1,reveal_s=0.5,trials={args.trials},answer_limit_s=60,grace_s=60"
    # Every phone comes from loopback: lift the per-address limits (new players, connections); clock rules stay.
    server = LiveServer(database, env={"GLIMPSE_DUEL_PACE": pace, "GLIMPSE_NEW_PLAYERS_PER_MINUTE": "1000000",
                                       "GLIMPSE_MAX_CONNECTIONS_PER_ADDRESS": str(players * 2 + 100),
                                       "GUNICORN_CMD_ARGS": f"--worker-connections {players * 2 + 100}"})
    server.start(boot_timeout_s=120)
    try:
        print(f"{players} phones, {args.trials} trials each, answering {args.think_ms:.0f} ms (mean) after the face")
        cookies = gevent.pool.Pool(50).map(lambda _: new_cookie(server.url), range(players))

        drill_turns: list[float] = []
        cpu = worker_cpu_s(server)
        started = time.monotonic()
        gevent.joinall([gevent.spawn(solo_drill, server, cookie, args.trials, think_s, drill_turns)
                        for cookie in ([] if args.skip_solo else cookies)], raise_error=True)
        solo_cpu, cpu = worker_cpu_s(server) - cpu, worker_cpu_s(server)
        print(f"solo drills: {len(drill_turns) // args.trials} players in {time.monotonic() - started:.1f} s")

        duel_turns: list[float] = []
        duel_rounds: list[float] = []
        started = time.monotonic()
        greenlets = []
        for room in range(players // 4):
            code_box: list = []
            ready = gevent.event.Event()
            joined: list = []
            for seat in range(4):
                greenlets.append(gevent.spawn(duel_player, server, cookies[room * 4 + seat], code_box, seat == 0,
                                              ready, joined, think_s, duel_turns, duel_rounds))
        gevent.joinall(greenlets, raise_error=True)
        duel_cpu = worker_cpu_s(server) - cpu
        print(f"duels: {players // 4} rooms of 4 in {time.monotonic() - started:.1f} s")
        print()
        print(f"worker CPU per duel turn: {1000 * duel_cpu / len(duel_turns):.2f} ms (everything a duel sends and "
              f"receives, pings included, over its answers)")
        _, duel_p99 = summarise("duel turn (answer -> accepted)", duel_turns)
        summarise("duel round (answer -> round result)", duel_rounds)
        if drill_turns:
            _, drill_p99 = summarise("solo drill turn (answer -> result)", drill_turns)
            print(f"worker CPU per solo drill turn: {1000 * solo_cpu / len(drill_turns):.2f} ms; duel/drill CPU ratio "
                  f"{duel_cpu / len(duel_turns) / (solo_cpu / len(drill_turns)):.2f}")
            print(f"duel/drill p99 turn latency ratio: {duel_p99 / drill_p99:.2f}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
