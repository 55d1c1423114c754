"""The worker's process as gunicorn.conf.py sets it up: its allocator (docs/scaling.md, "Why the worker is built this
way")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from harness import LiveServer

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
