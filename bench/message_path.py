"""What a drill message costs the worker outside the drill logic, server CPU per message, two trees side by side.

Each tree's server is a gevent process that serves sockets with that tree's ``game.ws._serve`` (``Reader``, the
per-socket ``_Watch``, ``_serve_messages``: the rate limit, parsing, the lane, the pooled lease, the replies'
encoding and framing), inside its real app (limits, pool) and with its collector on its clock (as wsgi.py runs
it), but with a stand-in drill session that answers at once with replies shaped as the game's (a trial with its
pose as ``msgspec.Raw``, a result). So its CPU per message is the part game.ws, game.websocket, game.frames,
game.protocol, game.throttle and game.collector own, plus gevent's hub; the drill logic is not in it.

This process is the clients: ``--sockets`` sockets (each a player: hello, start, then answer and next in turn),
each sending its next message ``--think`` seconds (±20%) after the last reply, as players do, so the server mostly
waits between messages and wakes for each one as the worker does at 1,000-2,000 players. The WebSocket handshake is
skipped (the socket starts open). Rounds alternate between the trees; the server's CPU is read from /proc.

Run: ``.venv/bin/python bench/message_path.py --against COMMIT [--sockets 1000] [--seconds 10] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import contextlib
import heapq
import json
import os
import random
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_CPU, CLIENT_CPU = 0, 1  # as bench/load.py pins them
POSE = json.dumps({f"AU{unit}": {"left": 0.4, "right": 0.38} for unit in range(1, 28)})  # ~1 KB, as a trial's


def serve(root: str, ports_file: str, database: str) -> None:
    """The server process: ``root``'s game.ws serving every accepted socket."""
    from gevent import monkey

    monkey.patch_all()
    sys.path.insert(0, root)
    os.environ["GLIMPSE_DATABASE"] = database
    import gevent
    import msgspec
    from flask_sock import Server
    from gevent.event import Event
    from wsproto import Connection, ConnectionType

    from game import collector, create_app
    from game import ws as game_ws

    app = create_app()
    pose = msgspec.Raw(POSE.encode())

    class Session:
        """Answers as a drill does, without the drill logic."""

        def __init__(self) -> None:
            self.db, self.drill, self.trials = None, None, 0

        def welcome(self, message=None) -> dict:
            return {"type": "welcome", "v": 1, "player": {"id": "p", "name": "Quick Fox"}, "resumable": None}

        def _trial(self) -> list[dict]:
            self.trials += 1
            return [{"type": "trial", "trialId": f"k3J9x0aQ-mZ2bT7c{self.trials:06d}", "position": self.trials % 20,
                     "total": 20, "expression": pose, "identity": {"seed": 1234, "tone": 3, "hair": "short"},
                     "foreperiodFrames": 60, "exposureFrames": 6, "maskFrames": 30, "choices": 7}]

        def start(self, message) -> list[dict]:
            self.drill = {"id": "d"}
            return self._trial()

        resume = start

        def next_trial(self) -> list[dict]:
            return self._trial()

        def answer(self, message) -> list[dict]:
            return [{"type": "result", "trialId": message.trial_id, "emotion": "fear", "answer": message.answer,
                     "correct": False, "scored": True, "flag": None, "replay": False, "answered": 7, "total": 20,
                     "exposureMs": 50.0, "points": 0, "answerStreak": 0, "done": False}]

        def abandon(self) -> list[dict]:
            self.drill = None
            return []

    def open_server(sock: socket.socket) -> Server:
        """A server socket past its handshake, as simple-websocket leaves it (wsproto OPEN, no extension)."""
        ws = Server.__new__(Server)
        ws.sock, ws.ws, ws.connected, ws.event = sock, Connection(ConnectionType.SERVER), True, Event()
        ws.receive_bytes, ws.ping_interval, ws.max_message_size, ws.pong_received = 4096, None, 65536, True
        ws.input_buffer, ws.incoming_message, ws.incoming_message_len, ws.is_server = [], None, 0, True
        ws.close_reason, ws.close_message, ws.mode = 1005, None, "gunicorn"
        return ws

    players = iter(range(10**9))

    def handle(sock: socket.socket) -> None:
        with app.app_context(), contextlib.suppress(game_ws.ConnectionClosed, OSError):
            game_ws._serve(open_server(sock), Session(), f"player-{next(players)}")
        sock.close()

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4096)

    def accept() -> None:
        while True:
            sock, _ = listener.accept()
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            gevent.spawn(handle, sock)

    collector.freeze_survivors()
    collector.collect_young_on_a_clock()
    gevent.spawn(accept)
    Path(ports_file).write_text(str(listener.getsockname()[1]))
    gevent.wait()


def server_cpu_s(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of the process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) / os.sysconf("SC_CLK_TCK"), int(fields[12]) / os.sysconf("SC_CLK_TCK")


def masked_frame(payload: bytes, rng: random.Random) -> bytes:
    key = rng.randbytes(4)
    masked = (int.from_bytes(payload, "little") ^ int.from_bytes((key * (len(payload) // 4 + 1))[:len(payload)],
                                                                   "little")).to_bytes(len(payload), "little")
    if len(payload) > 125:
        return bytes((0x81, 0x80 | 126)) + len(payload).to_bytes(2, "big") + key + masked
    return bytes((0x81, 0x80 | len(payload))) + key + masked


def frames_in(buffer: bytearray) -> int:
    """Whole server frames at the start of ``buffer`` (removed from it)."""
    count = 0
    while len(buffer) >= 2:
        length, start = buffer[1] & 0x7F, 2
        if length == 126:
            if len(buffer) < 4:
                break
            length, start = int.from_bytes(buffer[2:4], "big"), 4
        elif length == 127:
            if len(buffer) < 10:
                break
            length, start = int.from_bytes(buffer[2:10], "big"), 10
        if len(buffer) < start + length:
            break
        opcode = buffer[0] & 0x0F
        del buffer[:start + length]
        if opcode in (0x1, 0x2):
            count += 1
    return count


class Client:
    """One player's socket: hello, start, then answer and next in turn."""

    def __init__(self, port: int, rng: random.Random) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.rng, self.buffer, self.sent, self.waiting = rng, bytearray(), 0, 0

    def message(self) -> bytes:
        if self.sent == 0:
            text = {"type": "hello", "v": 1, "tz": "Europe/Paris"}
        elif self.sent == 1:
            text = {"type": "start", "refreshMs": 16.667}
        elif self.sent % 2:
            text = {"type": "next"}
        else:
            text = {"type": "answer", "trialId": f"k3J9x0aQ-mZ2bT7c{self.sent // 2:06d}",
                    "answer": self.rng.choice(("anger", "fear", "happiness", "sadness")), "framesShown": 6,
                    "refreshMs": 16.667, "maxGapMs": 17.0, "reactionMs": round(self.rng.uniform(600, 1500), 1)}
        self.sent += 1
        return masked_frame(json.dumps(text).encode(), self.rng)

    def send(self) -> None:
        self.sock.sendall(self.message())
        self.waiting += 1


def measured_round(server: subprocess.Popen, port: int, sockets: int, seconds: float, think_s: float,
                   seed: int) -> tuple[float, float, int]:
    """(server CPU µs a message, of it in the kernel, messages) over the window after every socket's warm-up."""
    rng = random.Random(seed)
    selector = selectors.DefaultSelector()
    clients = [Client(port, random.Random(rng.random())) for _ in range(sockets)]
    due: list[tuple[float, int]] = []
    start = time.monotonic()
    for index, client in enumerate(clients):
        selector.register(client.sock, selectors.EVENT_READ, index)
        heapq.heappush(due, (start + think_s * index / sockets, index))
    warm_until, stop = start + think_s * 3, start + think_s * 3 + seconds
    replies, cpu_at = 0, None
    while True:
        now = time.monotonic()
        if cpu_at is None and now >= warm_until:
            cpu_at, replies = server_cpu_s(server.pid), 0
        if now >= stop:
            break
        while due and due[0][0] <= now:
            _at, index = heapq.heappop(due)
            clients[index].send()
        timeout = max(0.0, min(due[0][0] if due else stop, stop) - now)
        for key, _ in selector.select(timeout):
            client = clients[key.data]
            data = client.sock.recv(65536)
            if not data:
                raise SystemExit("the server closed a socket")
            client.buffer += data
            got = frames_in(client.buffer)
            client.waiting -= got
            replies += got
            if got and not client.waiting:
                heapq.heappush(due, (time.monotonic() + think_s * rng.uniform(0.8, 1.2), key.data))
    user, system = (after - before for after, before in zip(server_cpu_s(server.pid), cpu_at, strict=True))
    for client in clients:
        selector.unregister(client.sock)
        client.sock.close()
    return (user + system) / replies * 1e6, system / replies * 1e6, replies


def start_server(root: Path, folder: Path, name: str) -> tuple[subprocess.Popen, int]:
    ports_file = folder / f"{name}.port"
    server = subprocess.Popen(["taskset", "-c", str(SERVER_CPU), sys.executable, __file__, "--serve", str(root),
                               str(ports_file), str(folder / f"{name}.db")])
    while not ports_file.exists() or not ports_file.read_text():
        time.sleep(0.05)
        if server.poll() is not None:
            raise SystemExit(f"the {name} server failed to start")
    return server, int(ports_file.read_text())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--against", help="a commit to serve beside this tree (git archive of its game/)")
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--think", type=float, default=1.0, help="seconds between a reply and the next message")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--py-spy", help="sample this tree's server in its first round into this file (raw)")
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(*args.serve)
        return
    os.sched_setaffinity(0, {CLIENT_CPU})
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        trees = {"this tree": ROOT}
        if args.against:
            base = folder / "base"
            base.mkdir()
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.against, "game"], check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
            trees = {args.against: base, **trees}
        servers = {name: start_server(root, folder, name.replace(" ", "-")) for name, root in trees.items()}
        costs: dict[str, list[float]] = {name: [] for name in trees}
        users: dict[str, list[float]] = {name: [] for name in trees}  # outside the kernel
        try:
            for turn in range(args.rounds):
                for name, (server, port) in servers.items():
                    spy = None
                    if args.py_spy and turn == 0 and name == "this tree":
                        spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "--gil",
                                                "--format", "raw", "-r", "250", "-o", args.py_spy, "-p",
                                                str(server.pid), "-d", str(int(args.seconds + 3 * args.think))],
                                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    cost, system, replies = measured_round(server, port, args.sockets, args.seconds, args.think,
                                                           turn)
                    costs[name].append(cost)
                    users[name].append(cost - system)
                    if spy is not None:
                        spy.wait()
                    print(f"  round {turn + 1} {name:12} {cost:6.1f} µs server CPU a message ({system:.1f} of it "
                          f"in the kernel; {replies} messages, load {os.getloadavg()[0]:.1f})", flush=True)
        finally:
            for server, _port in servers.values():
                server.kill()
        for name, values in costs.items():
            print(f"  {name:12} median {statistics.median(values):.1f} µs server CPU a message "
                  f"({', '.join(f'{v:.1f}' for v in values)}); outside the kernel {statistics.median(users[name]):.1f}")
        if args.against:
            ratio = statistics.median(costs["this tree"]) / statistics.median(costs[args.against])
            user_ratio = statistics.median(users["this tree"]) / statistics.median(users[args.against])
            pairs = [new / old for new, old in zip(costs["this tree"], costs[args.against], strict=True)]
            print(f"  this tree / {args.against}: {ratio:.2f}x (outside the kernel {user_ratio:.2f}x; round by round "
                  f"{', '.join(f'{p:.2f}' for p in pairs)})")


if __name__ == "__main__":
    main()
