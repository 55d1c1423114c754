"""Shared fixtures: a real gunicorn server on loopback and Debian's Chromium."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("GLIMPSE_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "screenshots"  # pytest-playwright empties test-results/ at every start
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """gunicorn serving wsgi:app on a free loopback port with its own SQLite file."""

    def __init__(self, database: Path, env: dict[str, str] | None = None) -> None:
        self.database = database
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws"
        self.log = database.with_suffix(".log")
        self._env = {**os.environ, "GLIMPSE_DATABASE": str(database), "GLIMPSE_SECRET_KEY": "test", **(env or {})}
        self._env.pop("PORT", None)
        self.process: subprocess.Popen | None = None

    def start(self) -> LiveServer:
        cmd = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--no-control-socket",
               "--bind", f"127.0.0.1:{self.port}", "wsgi:app"]
        with self.log.open("w") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(cmd, cwd=ROOT, env=self._env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer in 30 s: {self.log.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("server") / "glimpse.db").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    return live_server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's chromium is missing at {CHROMIUM}: apt-get install chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, **PHONE}


@pytest.fixture
def screenshot_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class DrillClient:
    """A real WebSocket client holding a player's cookie, as a browser tab would."""

    def __init__(self, server: LiveServer, cookie: str | None = None, origin: str | None = None) -> None:
        import websocket  # websocket-client

        self.server = server
        self.cookie = cookie if cookie is not None else new_player_cookie(server)
        self.ws = websocket.create_connection(
            server.ws_url, cookie=self.cookie, origin=origin or server.url, timeout=10
        )

    def send(self, message: dict | str | bytes) -> None:
        import json

        self.ws.send(message if isinstance(message, str | bytes) else json.dumps(message))

    def receive(self) -> dict:
        import json

        return json.loads(self.ws.recv())

    def ask(self, message: dict | str) -> dict:
        self.send(message)
        return self.receive()

    def close(self) -> None:
        with contextlib.suppress(OSError):  # the server may have hung up already
            self.ws.close(timeout=1)
        self.ws.shutdown()  # close() skips the socket when the server closed first

    def answer(self, trial: dict, answer: str, **overrides: object) -> dict:
        """Answer a trial as a well-behaved browser that showed it exactly as asked."""
        message = {"type": "answer", "trialId": trial["trialId"], "answer": answer,
                   "framesShown": trial["exposureFrames"], "refreshMs": 16.667, "maxGapMs": 17.0,
                   "reactionMs": 1.0, **overrides}
        time.sleep(0.003)  # the reaction time must not exceed the server's own elapsed time
        return self.ask(message)


def new_player_cookie(server: LiveServer) -> str:
    """Visit the home page as a new browser and return its player cookie."""
    with urllib.request.urlopen(server.url + "/", timeout=10) as response:
        cookie = response.headers["Set-Cookie"].split(";", 1)[0]
    assert cookie.startswith("glimpse_player=")
    return cookie


def open_db(server: LiveServer):
    import sqlite_utils

    return sqlite_utils.Database(server.database)


def emotion_of(server: LiveServer, trial_id: str) -> str:
    """The truth, read where the server keeps it (the client is never told before answering)."""
    return open_db(server)["trials"].get(trial_id)["emotion"]


@pytest.fixture
def connect(live_server: LiveServer) -> Iterator:
    """Open as many clients as a test needs; all are closed afterwards."""
    opened: list[DrillClient] = []

    def open_client(**kwargs: object) -> DrillClient:
        opened.append(DrillClient(live_server, **kwargs))
        return opened[-1]

    yield open_client
    for drill_client in opened:
        drill_client.close()


@pytest.fixture
def client(connect) -> DrillClient:
    return connect()
