"""What a phone downloads to open Glimpse: a first visit and a repeat visit, in bytes and requests.

Starts gunicorn on a free loopback port, loads the home page in Debian's Chromium at phone size and
records every request the page makes through the DevTools protocol (Network events), until the Play
button is ready and the service worker controls the page. It prints, for each visit:

- the page's requests by kind, with the compressed bytes each response carried (body, no headers);
- the bytes the home screen needs to paint (the HTML and its render-blocking CSS: budget 14 KB, the
  first TCP round trip of a new connection);
- the budget total (HTML, CSS, JS, manifest: 50 KB) and, as the baseline, the same files uncompressed;
- what reached the server at all, from gunicorn's access log (which adds the service worker's
  background precache on a first visit, and shows how little a repeat visit fetches).

    .venv/bin/python bench/first_load.py
"""

from __future__ import annotations

import re
import sys
import tempfile
import urllib.request
from collections import defaultdict
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from harness import CHROMIUM, CHROMIUM_ARGS, PHONE, LiveServer  # noqa: E402

FIRST_VISIT_BUDGET = 50 * 1024
PAINT_BUDGET = 14 * 1024
BUDGET_KINDS = ("Document", "Stylesheet", "Script", "Manifest")
ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) (?P<bytes>\d+|-)')


class NetworkLog:
    """Every response the page received, with its kind and the compressed body size."""

    def __init__(self, page: Page) -> None:
        self.responses: dict[str, dict] = {}
        self.session = page.context.new_cdp_session(page)
        self.session.send("Network.enable")
        self.session.on("Network.responseReceived", self._received)
        self.session.on("Network.loadingFinished", self._finished)

    def _received(self, event: dict) -> None:
        response = event["response"]
        self.responses[event["requestId"]] = {
            "url": response["url"], "status": response["status"],
            "kind": "Manifest" if response["url"].endswith(".webmanifest") else event["type"],
            "from_worker": response.get("fromServiceWorker", False), "headers_bytes": response["encodedDataLength"],
            "body_bytes": 0, "encoding": {k.lower(): v for k, v in response["headers"].items()}.get(
                "content-encoding", ""),
        }

    def _finished(self, event: dict) -> None:
        entry = self.responses.get(event["requestId"])
        if entry is not None:
            entry["body_bytes"] = max(0, int(event["encodedDataLength"] - entry["headers_bytes"]))

    def take(self) -> list[dict]:
        taken = list(self.responses.values())
        self.responses.clear()
        return taken


def access_log_lines(server: LiveServer, start: int) -> tuple[list[dict], int]:
    lines = server.log.read_text().splitlines()
    found = [m.groupdict() for m in map(ACCESS_LINE.search, lines[start:]) if m]
    return found, len(lines)


def uncompressed_size(url: str) -> int:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return len(response.read())


def compressed_size(url: str) -> int:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "br, gzip"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return len(response.read())


def visit(page: Page, url: str) -> float:
    page.goto(url)
    page.get_by_role("button", name="Play", exact=True).wait_for(state="visible")
    page.wait_for_function("() => !document.getElementById('play').disabled", timeout=20_000)
    page.wait_for_function("() => navigator.serviceWorker.controller?.state === 'activated'", timeout=20_000)
    page.wait_for_load_state("networkidle")
    return page.evaluate("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? 0")


def report(name: str, responses: list[dict], server_lines: list[dict], fcp_ms: float) -> None:
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for response in responses:
        by_kind[response["kind"]][0] += 1
        by_kind[response["kind"]][1] += response["body_bytes"]
    print(f"\n== {name}: {len(responses)} requests from the page, first contentful paint {fcp_ms:.0f} ms")
    for kind, (count, size) in sorted(by_kind.items()):
        urls = ", ".join(r["url"].split("/")[-1].split("?")[0] for r in responses if r["kind"] == kind)
        print(f"  {kind:<12} {count:>3} requests {size:>8,} bytes  {urls if count < 4 else ''}")
    from_network = [r for r in responses if not r["from_worker"]]
    print(f"  served by the service worker: {len(responses) - len(from_network)} of {len(responses)}")
    paint = sum(r["body_bytes"] for r in responses if r["kind"] in ("Document", "Stylesheet"))
    budget = sum(r["body_bytes"] for r in responses if r["kind"] in BUDGET_KINDS)
    print(f"  to paint the home screen (HTML + CSS): {paint:,} bytes (budget {PAINT_BUDGET:,})")
    print(f"  HTML, CSS, JS, manifest: {budget:,} bytes compressed (budget {FIRST_VISIT_BUDGET:,})")
    hits = [line for line in server_lines if line["path"] != "/healthz"]
    total = sum(int(line["bytes"]) for line in hits if line["bytes"] != "-")
    statuses = defaultdict(int)
    for line in hits:
        statuses[line["status"]] += 1
    print(f"  reached the server: {len(hits)} requests, {total:,} bytes ({dict(sorted(statuses.items()))})")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        server = LiveServer(Path(folder) / "bench.db").start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                context = browser.new_context(**PHONE)
                page = context.new_page()
                log = NetworkLog(page)
                _, mark = access_log_lines(server, 0)

                fcp = visit(page, server.url + "/")
                page.wait_for_timeout(500)  # let the worker's precache finish
                first = log.take()
                first_server, mark = access_log_lines(server, mark)
                report("first visit", first, first_server, fcp)
                precache = [line for line in first_server if line["path"] not in {r["url"].removeprefix(server.url)
                                                                                  for r in first}]
                print(f"  of which the service worker's background precache: {len(precache)} requests, "
                      f"{sum(int(p['bytes']) for p in precache if p['bytes'] != '-'):,} bytes")
                page.goto("about:blank")
                fcp = visit(page, server.url + "/")
                repeat = log.take()
                repeat_server, _ = access_log_lines(server, mark)
                report("repeat visit", repeat, repeat_server, fcp)

                budgeted = [r for r in first if r["kind"] in BUDGET_KINDS]
                raw = sum(uncompressed_size(r["url"]) for r in budgeted)
                compressed = sum(r["body_bytes"] for r in budgeted)
                if not any(r["kind"] == "Manifest" for r in first):
                    # Chromium fetches the manifest only when something asks for it (an install prompt).
                    manifest = compressed_size(server.url + "/manifest.webmanifest")
                    raw += uncompressed_size(server.url + "/manifest.webmanifest")
                    compressed += manifest
                    print(f"\nthe manifest, not fetched during the visit: {manifest:,} bytes compressed; "
                          f"first visit with it: {compressed:,} bytes (budget {FIRST_VISIT_BUDGET:,})")
                print(f"\nbaseline: the first visit's {len(budgeted)} HTML, CSS, JS and manifest files uncompressed: "
                      f"{raw:,} bytes; compressed they are {compressed:,} bytes, {compressed / raw:.0%} of it")

                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
