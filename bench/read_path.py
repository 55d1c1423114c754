"""A drill socket's read path, server CPU per message: simple-websocket's (a reader greenlet per socket doing recv,
wsproto's parser, an Event hand-off and a switch into the handling greenlet; no pings, as game.ws had it) against
``game.websocket.Reader`` (the handling greenlet reads and parses its own frames, game.frames).

A gevent server process serves both paths on two loopback ports; each socket answers every message with a drill
result framed by ``send_text``, as game.ws does. This process is the clients: ``--sockets`` sockets, each sending a
masked answer-sized text frame and waiting for the reply, ``--messages`` each, alternating the paths round by round.
The server's CPU comes from /proc (its utime + stime), so the clients' own CPU is not counted.

Run: ``.venv/bin/python bench/read_path.py [--sockets 200] [--messages 100] [--rounds 5]``
"""

from __future__ import annotations

import argparse
import os
import selectors
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANSWER = (b'{"type":"answer","trialId":"k3J9x0aQ-mZ2bT7c","emotion":"fear","reactionMs":812.5,'
          b'"refreshMs":16.667,"shownFrames":3,"focusLost":false}')
RESULT = (b'{"type":"result","trialId":"k3J9x0aQ-mZ2bT7c","emotion":"fear","answer":"surprise","correct":false,'
          b'"scored":true,"flag":null,"replay":false,"answered":7,"total":20,"exposureMs":50.0,"points":0,'
          b'"answerStreak":0,"done":false}')
PATHS = ("simple-websocket", "Reader")


def serve(ports_file: str) -> None:
    """The server process: one listener per path, each accepted socket served until its client leaves."""
    from gevent import monkey

    monkey.patch_all()
    import gevent
    from flask_sock import Server
    from gevent.event import Event
    from wsproto import Connection, ConnectionType

    sys.path.insert(0, str(ROOT))
    from game.websocket import ConnectionClosed, Reader, send_text

    def open_server(sock: socket.socket) -> Server:
        """A server socket past its handshake, as simple-websocket leaves it (wsproto OPEN, no extension)."""
        ws = Server.__new__(Server)
        ws.sock, ws.ws, ws.connected, ws.event = sock, Connection(ConnectionType.SERVER), True, Event()
        ws.receive_bytes, ws.ping_interval, ws.max_message_size, ws.pong_received = 4096, None, 65536, True
        ws.input_buffer, ws.incoming_message, ws.incoming_message_len, ws.is_server = [], None, 0, True
        ws.close_reason, ws.close_message = 1005, None
        return ws

    def handle(sock: socket.socket, path: str) -> None:
        ws = open_server(sock)
        if path == "Reader":
            receive = Reader(ws).receive
        else:
            gevent.spawn(ws._thread)
            receive = ws.receive
        try:
            while True:
                if receive() is None:
                    break
                send_text(ws, RESULT)
        except (ConnectionClosed, OSError):
            pass
        sock.close()

    def listen(path: str) -> int:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1024)

        def accept() -> None:
            while True:
                sock, _ = listener.accept()
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                gevent.spawn(handle, sock, path)

        gevent.spawn(accept)
        return listener.getsockname()[1]

    ports = [listen(path) for path in PATHS]
    Path(ports_file).write_text(" ".join(map(str, ports)))
    gevent.wait()


def server_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def masked_frame(payload: bytes, key: bytes = b"\x1f\x2e\x3d\x4c") -> bytes:
    masked = bytes(byte ^ key[i % 4] for i, byte in enumerate(payload))
    return bytes((0x81, 0x80 | 126)) + len(payload).to_bytes(2, "big") + key + masked if len(payload) > 125 else \
        bytes((0x81, 0x80 | len(payload))) + key + masked


def play_round(port: int, sockets: int, messages: int) -> int:
    """Each socket sends ``messages`` answers, one at a time, each after the previous reply is whole."""
    frame, reply_size = masked_frame(ANSWER), len(RESULT) + (2 if len(RESULT) < 126 else 4)
    selector = selectors.DefaultSelector()
    left = {}
    for _ in range(sockets):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        left[sock] = [messages, 0]
        selector.register(sock, selectors.EVENT_READ)
        sock.sendall(frame)
    done = 0
    while left:
        for key, _ in selector.select():
            sock = key.fileobj
            state = left[sock]
            state[1] += len(sock.recv(65536))
            while state[1] >= reply_size:
                state[1] -= reply_size
                state[0] -= 1
                done += 1
                if state[0]:
                    sock.sendall(frame)
            if not state[0]:
                selector.unregister(sock)
                sock.close()
                del left[sock]
    return done


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    ports_file = Path(f"/tmp/read_path_ports.{os.getpid()}")
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(ports_file)])
    try:
        while not ports_file.exists() or not ports_file.read_text():
            time.sleep(0.05)
        ports = dict(zip(PATHS, map(int, ports_file.read_text().split()), strict=True))
        costs: dict[str, list[float]] = {path: [] for path in PATHS}
        play_round(ports["Reader"], args.sockets, 5)  # warm both up
        play_round(ports["simple-websocket"], args.sockets, 5)
        for _ in range(args.rounds):
            for path in PATHS:
                before = server_cpu_s(server.pid)
                done = play_round(ports[path], args.sockets, args.messages)
                costs[path].append((server_cpu_s(server.pid) - before) / done * 1e6)
        for path, values in costs.items():
            print(f"  {path:16} median {statistics.median(values):.1f} µs server CPU a message "
                  f"({', '.join(f'{v:.1f}' for v in values)})")
        ratio = statistics.median(costs["Reader"]) / statistics.median(costs["simple-websocket"])
        print(f"  ratio Reader / simple-websocket: {ratio:.2f}x")
    finally:
        server.kill()
        ports_file.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
