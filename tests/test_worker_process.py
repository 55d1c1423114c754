"""The worker's process as gunicorn.conf.py and wsgi.py set it up: its allocator and its event loop (docs/scaling.md,
"Why the worker is built this way")."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from conftest import DrillClient
from harness import LiveServer

from game import create_app, loop_batch

THP = Path("/sys/kernel/mm/transparent_hugepage/enabled")


def worker_pid(server: LiveServer) -> int:
    assert server.process is not None
    master = server.process.pid
    return int(Path(f"/proc/{master}/task/{master}/children").read_text().split()[0])


def environ(pid: int) -> dict[str, str]:
    items = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode(errors="replace").split("=", 1) for item in items if b"=" in item)


def huge_pages_kb(pid: int) -> int:
    found = re.search(r"AnonHugePages:\s+(\d+) kB", Path(f"/proc/{pid}/smaps_rollup").read_text())
    assert found
    return int(found.group(1))


def uses_huge_pages(pid: int) -> bool:
    """Whether the process has memory in transparent huge pages (skips where the kernel offers none). glibc asked for
    them if it holds any: the kernel's default mode (madvise) gives them only to memory a process asks them for."""
    if not THP.exists() or "[never]" in THP.read_text():
        pytest.skip("this kernel offers no transparent huge pages")
    return huge_pages_kb(pid) > 0


def test_the_worker_keeps_its_objects_on_glibcs_malloc_in_huge_pages(live_server: LiveServer) -> None:
    pid = worker_pid(live_server)
    assert environ(pid)["PYTHONMALLOC"] == "malloc"
    assert uses_huge_pages(pid)  # the app's own start-up (numpy, the faces' tables) already fills some


def test_an_operators_own_tunables_do_not_stop_the_huge_pages(tmp_path: Path) -> None:
    # glibc rewrites GLIBC_TUNABLES in the process's environment block as it reads it: the effect is what is checked.
    server = LiveServer(tmp_path / "glimpse.db", {"GLIBC_TUNABLES": "glibc.malloc.arena_max=2"}).start()
    try:
        pid = worker_pid(server)
        assert environ(pid)["PYTHONMALLOC"] == "malloc"
        assert uses_huge_pages(pid)
    finally:
        server.stop()


def test_an_operators_own_allocator_is_left_alone(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "glimpse.db", {"PYTHONMALLOC": "pymalloc"}).start()
    try:
        assert environ(worker_pid(server))["PYTHONMALLOC"] == "pymalloc"
    finally:
        server.stop()


def round_trips_s(server: LiveServer, count: int) -> float:
    """Seconds for ``count`` messages, each sent as the last one's reply arrives; every reply must come."""
    client = DrillClient(server)
    try:
        assert client.ask({"type": "hello", "v": 1})["type"] == "welcome"
        started = time.monotonic()
        for _ in range(count):
            assert client.ask({"type": "next"})["code"] == "no_drill"
        return time.monotonic() - started
    finally:
        client.close()


def test_the_worker_takes_messages_in_batches_at_the_interval_it_is_given(tmp_path: Path) -> None:
    # A reply is sent at once; the loop then waits out the interval before it polls again (or less, up to its next
    # timer: the collector's every 50 ms): a client that answers each reply at once is served about once an interval.
    # Unbatched, 12 such round trips take a few ms in all; batched at 30 ms, 100 ms or more.
    timings = {}
    for interval_ms in ("0", "30"):
        server = LiveServer(tmp_path / f"glimpse-{interval_ms}.db", {"GLIMPSE_LOOP_BATCH_MS": interval_ms}).start()
        try:
            timings[interval_ms] = round_trips_s(server, 12)
        finally:
            server.stop()
    assert timings["30"] >= 12 * 0.003
    assert timings["0"] < timings["30"]
    assert create_app({"DATABASE": str(tmp_path / "other.db")}).config["LOOP_BATCH_MS"] == 5  # what players get


def test_messages_are_not_batched_outside_the_gevent_worker() -> None:
    assert not loop_batch.batch_messages(0.005)  # this test process: no gevent loop to set
