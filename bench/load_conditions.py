"""The load conditions the frame benches run under, and the app and phone page they run on.

* ``idle``;
* ``cpu-load``: two busy Python processes on this (2-core) machine for the condition's duration,
  killed at its end;
* ``page-jank``: the page itself runs 5-40 ms busy tasks every 70 ms, as a heavy UI or an ad might.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from harness import CHROMIUM, CHROMIUM_ARGS, PHONE, LiveServer  # noqa: E402

CONDITIONS = ("idle", "cpu-load", "page-jank")
LOAD_PROCESSES = 2
LOAD_BOUND_S = 900  # the busy processes exit on their own after this, even if we die

START_JANK = """
seed => {
  let state = seed >>> 0;
  const random = () => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  window.glimpseJank = setInterval(() => {
    const end = performance.now() + 5 + 35 * random();
    while (performance.now() < end) { /* a long task */ }
  }, 70);
}
"""


def add_conditions_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--conditions", default=",".join(CONDITIONS), help=", ".join(CONDITIONS))


def parse_conditions(parser: argparse.ArgumentParser, text: str) -> list[str]:
    conditions = [c for c in text.split(",") if c]
    unknown = set(conditions) - set(CONDITIONS)
    if unknown:
        parser.error(f"unknown conditions: {', '.join(sorted(unknown))}")
    return conditions


@contextmanager
def cpu_load(processes: int) -> Iterator[None]:
    """Busy Python processes, bounded in time and killed on exit."""
    spin = f"import time\nend = time.monotonic() + {LOAD_BOUND_S}\nwhile time.monotonic() < end:\n    pass\n"
    workers = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(processes)]
    try:
        yield
    finally:
        for worker in workers:
            worker.kill()
            worker.wait(timeout=10)


@contextmanager
def app_and_browser() -> Iterator[tuple[str, Browser]]:
    """The app on its own gunicorn (a fresh database) and a headless Chromium."""
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        server = LiveServer(Path(tmp) / "bench.db").start()
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield server.url, browser
        finally:
            browser.close()
            server.stop()


@contextmanager
def phone_page(browser: Browser) -> Iterator[Page]:
    """A fresh 390x844 page at DPR 3."""
    context = browser.new_context(**PHONE)
    try:
        yield context.new_page()
    finally:
        context.close()


@contextmanager
def under(condition: str, page: Page, seed: int) -> Iterator[None]:
    """Run the block under a condition (the page already set up); print the load average around it."""
    load_before = os.getloadavg()[0]
    with cpu_load(LOAD_PROCESSES) if condition == "cpu-load" else nullcontext():
        if condition == "page-jank":
            page.evaluate(START_JANK, seed)
        try:
            yield
        finally:
            if condition == "page-jank":
                page.evaluate("() => clearInterval(window.glimpseJank)")
    print(f"  {condition}: 1-min load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after "
          f"({os.cpu_count()} CPUs)")
