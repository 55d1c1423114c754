"""Hostile clients against a real gunicorn with the production limits, while a legitimate player plays.

Malformed, oversized, deep, huge-number and surrogate messages; one player flooding from every socket
it may hold; sockets that never say hello; idle sockets up to the server's capacity; a slow body; a
chunked body far over the limit; cookie-less POST floods. The player finishes their drill, every
answer stored once, and the server never answers server_error or HTTP 500 nor logs a traceback.
"""

from __future__ import annotations

import contextlib
import gc
import json
import socket
import statistics
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import websocket
from conftest import DrillClient, emotion_of, new_player_cookie, open_db, stored_trial
from harness import LiveServer

# websocket-client leaves the socket of a refused upgrade (429/503) to the garbage collector.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
CAPACITY = 60  # GLIMPSE_MAX_CONNECTIONS for this server: small, so the test can fill it
HOSTILE_MESSAGES = [
    "{not json", "[1, 2]", "null", '"\\ud800"', "x" * 3000, "é" * 1500,  # 1,500 characters, 3,000 bytes
    '{"type": "hello", "v": 1, "x": ' + "[" * 1000 + "]" * 1000 + "}",
    '{"type": "hello", "v": ' + "9" * 400 + "}",
    '{"type": "hello", "v": 1, "tz": "America"}', '{"type": "hello", "v": 1, "tz": "__pycache__"}',
    '{"type": "hello", "v": 1, "tz": "\\udfff"}',
    '{"type": "start", "refreshMs": ' + "1" * 400 + "}",
    '{"type": "start", "refreshMs": 1e400}',
    '{"type": "resume", "drillId": "\\ud800\\ud800", "refreshMs": 16.7}',
    '{"type": "answer", "trialId": "\\udc00", "answer": "fear", "framesShown": ' + "7" * 400
    + ', "refreshMs": 16.7, "maxGapMs": 1, "reactionMs": 1}',
    '{"type": "answer", "trialId": "abc", "answer": "fear", "framesShown": 1, "refreshMs": 16.7, "maxGapMs": '
    + "-" + "9" * 400 + ', "reactionMs": 1}',
    '{"type": "' + "\\ud800" * 10 + '"}', '{"type": {"a": [[[[[]]]]]}}', '{"type": "next", "type": "abandon"}',
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    live = LiveServer(tmp_path_factory.mktemp("hostile") / "glimpse.db",
                      {"GLIMPSE_MAX_CONNECTIONS": str(CAPACITY), "GLIMPSE_BODY_DEADLINE_S": "2",
                       # the legitimate player is a script answering at once (the clock rules are tested elsewhere)
                       "GLIMPSE_ANSWER_CLOCK_SCALE": "0"}).start()
    yield live
    live.stop()


def post(server: LiveServer, path: str, body: bytes, cookie: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json", **({"Cookie": cookie} if cookie else {})}
    try:
        with urllib.request.urlopen(urllib.request.Request(server.url + path, data=body, headers=headers,
                                                           method="POST"), timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


def raw_http(server: LiveServer, head: str, chunks: list[bytes], pause_s: float = 0.0) -> bytes:
    """Send a request by hand (slow or chunked bodies); return what the server answered."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as conn:
        conn.sendall(head.encode())
        with contextlib.suppress(OSError):  # the server may hang up mid-body: that is the point
            for chunk in chunks:
                conn.sendall(chunk)
                time.sleep(pause_s)
        answer = b""
        with contextlib.suppress(OSError):
            while part := conn.recv(65536):
                answer += part
        return answer


def refused_status(server: LiveServer, cookie: str) -> int | None:
    try:
        ws = websocket.create_connection(server.ws_url, cookie=cookie, origin=server.url, timeout=10)
    except websocket.WebSocketBadStatusException as refused:
        return refused.status_code
    ws.close()
    return None


class Player(threading.Thread):
    """A legitimate player: a whole drill at a human pace, timing each answer and next."""

    def __init__(self, server: LiveServer) -> None:
        super().__init__(daemon=True)
        self.server, self.latencies, self.summary, self.error = server, [], None, None
        self.client = DrillClient(server)

    def timed(self, message: dict) -> dict:
        started = time.perf_counter()
        reply = self.client.ask(message) if message.get("type") == "next" else self.client.answer(self.trial, **message)
        self.latencies.append(time.perf_counter() - started)
        return reply

    def run(self) -> None:
        try:
            self.client.ask({"type": "hello", "v": 1})
            self.client.send({"type": "start", "refreshMs": 16.667})
            self.client.receive()
            self.trial = self.client.receive()
            for position in range(1, 21):
                time.sleep(0.15)
                result = self.timed({"answer": emotion_of(self.server, self.trial["trialId"])})
                assert result["type"] == "result" and result["correct"], result
                if position < 20:
                    self.trial = self.timed({"type": "next"})
            self.summary = self.client.receive()
        except Exception as error:  # reported by the test
            self.error = error


def test_hostile_clients_leave_a_legitimate_player_playing(server: LiveServer) -> None:
    player = Player(server)
    replies: list[dict] = []
    held: list[DrillClient] = []
    try:
        player.start()
        # Malformed, oversized, deep, huge-number and surrogate messages: documented codes only.
        attacker = DrillClient(server)
        held.append(attacker)
        attacker.ask({"type": "hello", "v": 1})
        for _ in range(3):
            for raw in HOSTILE_MESSAGES:
                replies.append(attacker.ask(raw))
        codes = {reply.get("code") for reply in replies}
        assert codes <= {"bad_json", "bad_field", "too_large", "unknown_type", "missing_field",
                         "unsupported_version", "no_drill", "rate_limited"}, codes

        # One player floods from every socket it may hold; a fourth socket is refused before the upgrade.
        flooder = new_player_cookie(server)
        sockets = [DrillClient(server, cookie=flooder) for _ in range(3)]
        held.extend(sockets)
        assert refused_status(server, flooder) == 429
        flood_codes = []
        for _ in range(80):
            for flood in sockets:
                with contextlib.suppress(OSError, ValueError, websocket.WebSocketException):  # closed: flooding
                    flood_codes.append(flood.ask({"type": "hello", "v": 1}).get("code"))
        assert "rate_limited" in flood_codes or "flooding" in flood_codes

        # A socket that never says hello is closed.
        silent = DrillClient(server)
        held.append(silent)
        opcode, data = silent.ws.recv_data(control_frame=True)
        assert opcode == websocket.ABNF.OPCODE_CLOSE and int.from_bytes(data[:2], "big") == 1008

        # Slow bodies: 20 from one address at once are cut off at the deadline, the rest refused at once,
        # and meanwhile the same address still loads pages.
        head = ("POST /api/nickname HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Content-Length: 100\r\n\r\n")
        answers: list[bytes] = []
        slow = [threading.Thread(target=lambda: answers.append(raw_http(server, head, [b"{"] * 8, pause_s=0.5)))
                for _ in range(30)]
        for thread in slow:
            thread.start()
        time.sleep(0.5)
        with urllib.request.urlopen(server.url + "/", timeout=10) as page:
            assert page.status == 200
        for thread in slow:
            thread.join(timeout=30)
        firsts = sorted(answer.split(b"\r\n", 1)[0] for answer in answers)
        assert firsts.count(b"HTTP/1.1 408 Request Timeout") == 20, firsts
        assert firsts.count(b"HTTP/1.1 429 Too Many Requests") == 10, firsts
        # A chunked body over the limit is refused and its connection closed.
        chunk = b"%x\r\n%s\r\n" % (65536, b"[" * 65536)
        head = "POST /api/offline/sync HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        assert raw_http(server, head, [chunk] * 40).startswith(b"HTTP/1.1 413")

        # Idle sockets fill the server: newcomers get 503 with Retry-After at once, never a hang.
        statuses, idlers, cookie = [], [], ""
        for count in range(CAPACITY):
            cookie = cookie if count % 3 else new_player_cookie(server)  # each player holds its 3 sockets
            try:
                idle = DrillClient(server, cookie=cookie)
            except websocket.WebSocketBadStatusException as refused:
                statuses.append(refused.status_code)
                if refused.status_code == 503:
                    break
                continue
            idle.ask({"type": "hello", "v": 1})
            idlers.append(idle)
        assert statuses and statuses[-1] == 503
        with pytest.raises(urllib.error.HTTPError) as full:
            urllib.request.urlopen(server.url + "/", timeout=10)
        assert full.value.code == 503 and full.value.headers["Retry-After"]
        full.value.close()
        for idle in idlers:
            idle.close()

        # Cookie-less POSTs make at most the per-address allowance of players.
        before = open_db(server)["players"].count
        statuses = [post(server, "/api/nickname", b'{"nickname": "Spam"}')[0] for _ in range(60)]
        assert 429 in statuses and open_db(server)["players"].count - before <= 30
        time.sleep(0.5)  # the idle sockets' closes reach the server

        player.join(timeout=120)
        assert not player.is_alive() and player.error is None, player.error
        assert player.summary["type"] == "summary" and player.summary["correct"] == 20
        latencies = sorted(player.latencies)
        print(f"legitimate player under attack: {len(latencies)} replies, median "
              f"{statistics.median(latencies) * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")
    finally:
        for client in held:
            client.close()
        player.client.close()
        gc.collect()  # the refused upgrades' sockets, inside this test's warning filter
    player_id = stored_trial(open_db(server), player.trial["trialId"])["player_id"]
    scored = open_db(server).execute("SELECT COUNT(*) FROM trials WHERE player_id = ? AND scored = 1",
                                     [player_id]).fetchone()[0]
    assert scored == 20
    log = Path(server.log).read_text()
    assert "Traceback" not in log and '" 500 ' not in log and "server_error" not in log


def test_a_huge_chunked_body_is_cut_off_not_read_to_its_end(server: LiveServer) -> None:
    """The server answers 413 past the limit and hangs up: it must not read the other 255 MB (reading them kept
    the one worker busy, every drill frozen, for as long as the sender kept sending)."""
    megabyte = b"%x\r\n%s\r\n" % (1 << 20, b" " * (1 << 20))
    sent, answer = 0, b""
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as conn:
        conn.sendall(b"POST /api/offline/sync HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        with contextlib.suppress(OSError):  # the hang-up, as the server stops reading
            for _ in range(256):
                conn.sendall(megabyte)
                sent += 1
        with contextlib.suppress(OSError):
            while part := conn.recv(65536):
                answer += part
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 32, f"the server read {sent} MB of a body refused after 0.5 MB"


def test_a_socket_with_no_drill_is_closed_when_idle_and_one_in_a_drill_is_not(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "idle.db", {"GLIMPSE_IDLE_TIMEOUT_S": "2"}).start()
    idle, playing = DrillClient(server), DrillClient(server)
    try:
        idle.ask({"type": "hello", "v": 1})
        playing.ask({"type": "hello", "v": 1})
        playing.send({"type": "start", "refreshMs": 16.667})
        playing.receive(), playing.receive()
        opcode, data = idle.ws.recv_data(control_frame=True)  # within the client's 10 s timeout
        assert opcode == websocket.ABNF.OPCODE_CLOSE and data[2:] == b"Idle for too long"
        assert playing.ask({"type": "hello", "v": 1})["type"] == "welcome"  # 2 s on, the drill's socket lives
    finally:
        idle.close()
        playing.close()
        server.stop()


def test_a_socket_that_answers_pings_stays_and_one_that_does_not_is_closed(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "pings.db", {"GLIMPSE_PING_INTERVAL_S": "0.3"}).start()
    deaf, lively = DrillClient(server), DrillClient(server)
    try:
        deaf.ask({"type": "hello", "v": 1})
        lively.ask({"type": "hello", "v": 1})
        pings, until = 0, time.monotonic() + 1.5
        while time.monotonic() < until:  # reading, so websocket-client answers each ping with a pong
            opcode, _ = lively.ws.recv_data(control_frame=True)
            pings += opcode == websocket.ABNF.OPCODE_PING
        assert pings >= 3
        assert lively.ask({"type": "hello", "v": 1})["type"] == "welcome"
        ping, close = deaf.ws.recv_frame(), deaf.ws.recv_frame()  # raw frames: no pong sent, ever
        assert ping.opcode == websocket.ABNF.OPCODE_PING and close.opcode == websocket.ABNF.OPCODE_CLOSE
        assert int.from_bytes(close.data[:2], "big") == 1008 and close.data[2:] == b"Ping/Pong timeout"
    finally:
        deaf.close()
        lively.close()
        server.stop()


def test_a_playing_socket_is_not_pinged_and_a_silent_one_is(tmp_path: Path) -> None:
    """Pings are for sockets that went quiet: one sending messages is alive, so it is not pinged (nor its pongs read)
    while it plays; once it falls silent, pings resume."""
    server = LiveServer(tmp_path / "pings.db", {"GLIMPSE_PING_INTERVAL_S": "1.0"}).start()
    player = DrillClient(server)
    try:
        player.ask({"type": "hello", "v": 1})
        pings, until = 0, time.monotonic() + 3.0
        while time.monotonic() < until:  # a message every 0.1 s, far inside the interval
            player.ws.send(json.dumps({"type": "hello", "v": 1}))
            while True:
                opcode, _ = player.ws.recv_data(control_frame=True)
                pings += opcode == websocket.ABNF.OPCODE_PING
                if opcode == websocket.ABNF.OPCODE_TEXT:
                    break
            time.sleep(0.1)
        assert pings == 0
        until = time.monotonic() + 2.5
        while time.monotonic() < until and not pings:  # silent now: reading only
            opcode, _ = player.ws.recv_data(control_frame=True)
            pings += opcode == websocket.ABNF.OPCODE_PING
        assert pings == 1
    finally:
        player.close()
        server.stop()
