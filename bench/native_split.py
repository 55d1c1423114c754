"""Where the worker's CPU goes in C as well as Python, from ``py-spy record --native`` (bench/load.py --native-split).

py-spy --native samples every running thread's C stack merged with its Python frames, so SQLite's C, the system
calls it makes and the sockets' send/recv show, which ``--gil`` (bench/worker_split.py) cannot see: they release the
GIL. A sample is put in the first part its stack matches:

- SQLite: a frame of libsqlite3 or of Python's sqlite3 module (``pysqlite_*``), split by the system call the stack
  ends in: ``pwrite64`` (the WAL's frames at COMMIT, and the checkpoint's pages), ``fcntl64`` (the WAL index's
  locks), another of its file calls (``pread64``, ``fsync``, ...), or none (SQLite's own C, libc's malloc);
- socket send / recv: the stack ends in libc's ``send`` / ``recv`` (the replies, the frames read);
- Python: everything else (the interpreter, and C extensions such as numpy and msgspec).

Threads waiting (gevent's thread pool waiting for work, a thread waiting for a lock or the GIL) are dropped:
py-spy counts them as running. py-spy cannot merge the stacks of the gevent hub's own greenlet (its loop and the
callbacks it runs, the collector's timer among them); those samples are errors, so the split is of the work the
sockets' greenlets and threads do, and the report says how many busy samples it kept of those the worker's CPU
implies.

Run alone on a file load.py wrote: ``.venv/bin/python bench/native_split.py FILE [CPU ms per message]``.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

WAITING = ("Queue.get (gevent/_threading.py", "take_gil", "PyThread_acquire_lock_timed")
SQLITE = ("(libsqlite3", "pysqlite_", "_pysqlite_")
SEND, RECV = {"send", "sendto", "sendmsg", "__send"}, {"recv", "recvfrom", "recvmsg", "__recv"}
PWRITE, FCNTL = {"pwrite64", "pwrite", "__pwrite64"}, {"fcntl64", "fcntl", "__fcntl64_nocancel"}
FILE_CALLS = {"pread64", "pread", "read", "write", "fsync", "fdatasync", "lseek", "lseek64", "fstat", "fstat64",
              "__fstat64", "stat", "stat64", "openat", "open64", "close", "ftruncate", "ftruncate64", "mmap", "mmap64",
              "munmap", "access", "unlink", "getpid"}  # the rest of what SQLite's unix VFS calls (malloc is not one)
PARTS = ("SQLite: WAL writes (pwrite64)", "SQLite: locks (fcntl64)", "SQLite: other system calls",
         "SQLite: its C (libsqlite3 and Python's sqlite3 module)", "socket send", "socket recv",
         "Python (the interpreter and C extensions: numpy, msgspec, ...)")


def system_calls(frames: list[str]) -> set[str]:
    """The named libc functions the stack ends in (its last frames, while they are libc's; system calls among
    them, and libc's own C such as malloc and memcpy)."""
    names = set()
    for frame in reversed(frames):
        if "(libc.so" not in frame:
            break
        names.add(frame.split(" ", 1)[0])
    return names - {name for name in names if name.startswith("0x")}


def part(stack: str) -> str | None:
    """The part one sample's stack (root first, ``;``-separated) belongs to; None for a thread that waits."""
    if any(frame in stack for frame in WAITING):
        return None
    calls = system_calls(stack.split(";"))
    if any(frame in stack for frame in SQLITE):
        if calls & PWRITE:
            return PARTS[0]
        if calls & FCNTL:
            return PARTS[1]
        return PARTS[2] if calls & FILE_CALLS else PARTS[3]
    return PARTS[4] if calls & SEND else PARTS[5] if calls & RECV else PARTS[6]


def split(path: Path) -> tuple[Counter, int]:
    """Busy samples by part, and the samples dropped as waits."""
    parts: Counter = Counter()
    waiting = 0
    for line in path.read_text().splitlines():
        stack, count = line.rsplit(" ", 1)
        name = part(stack)
        if name is None:
            waiting += int(count)
        else:
            parts[name] += int(count)
    return parts, waiting


def errors(path: Path) -> str:
    """py-spy's own count of the samples it could not take (its log beside the samples)."""
    log = path.with_suffix(".log")
    tail = log.read_text().split("Errors:")[-1].split() if log.exists() else []
    return tail[0] if tail else "?"


def report(path: Path, ms_per_message: float | None = None, user: float | None = None, kernel: float | None = None,
           expected: float | None = None) -> None:
    """:param user, kernel: the worker's CPU seconds in user space and in the kernel over the measured window
    :param expected: the busy samples the worker's CPU while sampled would make at py-spy's rate"""
    if user is not None and kernel is not None:
        print(f"    worker CPU (/proc/<pid>/stat, all threads): user {user / (user + kernel):.0%}, sys "
              f"{kernel / (user + kernel):.0%} ({user:.2f} s + {kernel:.2f} s)")
    parts, waiting = split(path)
    total = sum(parts.values())
    if not total:
        print(f"    py-spy --native kept no busy samples ({errors(path)} errors)")
        return
    implied = f" of ~{expected:.0f} the worker's CPU implies" if expected else ""
    print(f"    worker CPU by py-spy --native ({total} busy samples{implied}; {waiting} waits dropped, {errors(path)} "
          f"py-spy errors{'; ms a message = share x CPU a message' if ms_per_message else ''}):")
    sqlite = sum(count for name, count in parts.items() if name.startswith("SQLite"))
    rows = [("SQLite, all", sqlite), *((name, parts[name]) for name in PARTS)]
    for name, count in rows:
        if not count:
            continue  # the echo app has no SQLite
        ms = f"{count / total * ms_per_message:6.3f} ms" if ms_per_message else ""
        print(f"      {'  ' if name.startswith('SQLite:') else ''}{count / total:6.1%} {ms}  {name}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        report(Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else None)
    else:  # `make bench` runs every script without arguments: this one reads what bench/load.py sampled
        print(__doc__.strip().splitlines()[-1])
