"""What every browser test, bench and script shares: Debian's Chromium and a live gunicorn on loopback.

Plain Python (no pytest), so bench/ and scripts/ import it too:
``sys.path.insert(0, str(ROOT / "tests")); from harness import LiveServer, ...``.
"""

from __future__ import annotations

import functools
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("GLIMPSE_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling out, which this sandbox refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
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

    def __init__(self, database: Path, env: dict[str, str] | None = None, *, app: str = "wsgi:app",
                 cpu: int | None = None, launcher: list[str] | None = None, root: Path = ROOT,
                 port: int | None = None) -> None:
        """:param app: the WSGI app (bench/load.py also serves a bare echo app); :param cpu: pin to this core;
        :param launcher: run gunicorn through this (e.g. the Procfile's ``python -m game.backup run --``);
        :param root: the checkout to serve (bench/load.py --baseline serves another commit's);
        :param port: a stopped server's, for a restart that pages (one origin, its storage) see as the same site"""
        self.root = root
        self.launcher = launcher or []
        self.app = app
        self.cpu = cpu
        self.database = database
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws"
        self.log = database.with_suffix(".log")
        self._env = {**os.environ, "GLIMPSE_DATABASE": str(database), "GLIMPSE_SECRET_KEY": "test", **(env or {})}
        self._env.pop("PORT", None)
        self.process: subprocess.Popen | None = None

    def start(self, boot_timeout_s: float = 120) -> LiveServer:
        """Boot and wait for /healthz; a box shared by many test runs can take over 30 s to boot a worker."""
        cmd = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--no-control-socket",
               "--bind", f"127.0.0.1:{self.port}", self.app]
        cmd = [*self.launcher, *cmd]
        if self.cpu is not None:
            cmd = ["taskset", "-c", str(self.cpu), *cmd]
        with self.log.open("w") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(cmd, cwd=self.root, env=self._env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + boot_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer in {boot_timeout_s:g} s: {self.log.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_static() -> Iterator[str]:
    """Serve static/ on a free loopback port (as the app serves it under /static) for the block."""
    handler = functools.partial(_QuietHandler, directory=str(ROOT / "static"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
