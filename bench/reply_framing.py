"""A drill reply's trip from dict to socket: simple-websocket's ``send(str)`` (wsproto frames it) against
``game.websocket.send_text`` (the same bytes, framed here), on a real open server socket.

Replies are the drill's own (a trial, a result, a drill's summary), encoded by msgspec as game.ws does. The other end
of a socket pair drains what is sent. CPU clock, alternating rounds; prints each path's median µs a reply and
the ratio.

Run: ``.venv/bin/python bench/reply_framing.py [--replies 20000] [--rounds 5]``
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import msgspec
from flask_sock import Server
from wsproto import Connection, ConnectionType

from game.websocket import send_text

TRIAL = {"type": "trial", "trialId": "k3J9x0aQ-mZ2bT7c", "position": 7, "total": 20, "emotion": None,
         "pose": {f"AU{i}": round(i * 0.0731, 3) for i in range(1, 28)}, "identitySeed": 2_147_483_647,
         "variant": 2, "fitzpatrick": 4, "glasses": False, "facialHair": "stubble", "exposureFrames": 3,
         "exposureMs": 50.0, "maskFrames": 12, "fixationMs": 600, "refreshMs": 16.667}
RESULT = {"type": "result", "trialId": "k3J9x0aQ-mZ2bT7c", "emotion": "fear", "answer": "surprise", "correct": False,
          "scored": True, "flag": None, "replay": False, "answered": 7, "total": 20, "exposureMs": 50.0,
          "points": 0, "answerStreak": 0, "done": False}


def open_server() -> tuple[Server, socket.socket]:
    """A server socket past its handshake (wsproto OPEN, no extension), and the peer end, drained by a thread."""
    ours, peer = socket.socketpair()
    ws = Server.__new__(Server)
    ws.connected, ws.ws, ws.sock = True, Connection(ConnectionType.SERVER), ours

    def drain() -> None:
        while peer.recv(1 << 16):
            pass

    threading.Thread(target=drain, daemon=True).start()
    return ws, peer


def run(path: str, ws: Server, replies: int) -> float:
    encode = msgspec.json.Encoder().encode
    messages = [TRIAL, RESULT]
    started = time.process_time()
    if path == "wsproto":
        for i in range(replies):
            ws.send(encode(messages[i & 1]).decode())
    else:
        for i in range(replies):
            send_text(ws, encode(messages[i & 1]))
    return (time.process_time() - started) / replies * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replies", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    ws, _peer = open_server()
    costs: dict[str, list[float]] = {"wsproto": [], "send_text": []}
    for _ in range(args.rounds):
        for path in costs:
            costs[path].append(run(path, ws, args.replies))
    for path, values in costs.items():
        print(f"  {path:9} median {statistics.median(values):.2f} µs a reply (CPU, incl. the drain thread's share)")
    ratio = statistics.median(costs["send_text"]) / statistics.median(costs["wsproto"])
    print(f"  ratio send_text / wsproto: {ratio:.2f}x")


if __name__ == "__main__":
    main()
