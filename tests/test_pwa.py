"""The installable app: static file caching and compression, the service worker, an offline drill synced later."""

from __future__ import annotations

import gzip
import json
import re
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SCRIPTED_PLAYERS, LiveServer, open_db, play_drill_by_tapping
from playwright.sync_api import Browser, BrowserContext, Page, expect
from werkzeug.serving import make_server

from game import create_app, pwa
from game.assets import Assets
from game.emotions import EMOTIONS


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of this module's own: the trials played here must not show up in other modules' counts."""
    own = LiveServer(tmp_path_factory.mktemp("pwa") / "glimpse.db", SCRIPTED_PLAYERS).start()
    yield own
    own.stop()


def fetch(server: LiveServer, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(server.url + path, headers={"Accept-Encoding": "gzip", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


# -- static files ------------------------------------------------------------------------------------------------

def test_module_imports_carry_the_imported_files_version(tmp_path: Path) -> None:
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text('import { b } from "./b.js";\nconst c = () => import("./c.js");\n'
                                          'const w = () => new Worker(new URL("./w.js", import.meta.url));\n')
    (tmp_path / "js" / "b.js").write_text("export const b = 1;\n")
    (tmp_path / "js" / "c.js").write_text("export const c = 1;\n")
    (tmp_path / "js" / "w.js").write_text("onmessage = () => {};\n")
    assets = Assets(tmp_path, watch=True)  # development: edits show up
    assets.WATCH_INTERVAL_S = 0.0
    frozen = Assets(tmp_path)  # production: read once per process
    frozen_version = frozen.version("js/a.js")
    a = assets.get("js/a.js")
    assert a is not None
    assert f'from "./b.js?v={assets.version("js/b.js")}"' in a.body.decode()
    assert f'import("./c.js?v={assets.version("js/c.js")}")' in a.body.decode()
    assert f'new URL("./w.js?v={assets.version("js/w.js")}", import.meta.url)' in a.body.decode(), "a worker too"
    assert a.imports == ("js/b.js",) and a.dynamic_imports == ("js/c.js", "js/w.js")
    before = a.version
    (tmp_path / "js" / "b.js").write_text("export const b = 2;\n")
    assert assets.version("js/a.js") != before, "a change below a module changes its version"
    assert frozen.version("js/a.js") == frozen_version == before, "production never re-reads a file"
    assert assets.module_graph(["js/a.js"]) == ["js/a.js", "js/b.js"]
    assert assets.get("../secret.txt") is None


def test_versioned_static_files_are_gzipped_and_cached_for_a_year(server: LiveServer) -> None:
    _, _, page = fetch(server, "/", {"Accept-Encoding": "identity"})
    url = re.search(rb'src="(/static/js/main\.js\?v=[0-9a-f]{10})"', page)
    assert url, "pages link static files with their version"
    status, headers, body = fetch(server, url[1].decode())
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Accept-Encoding" in headers["Vary"]
    source = gzip.decompress(body).decode()
    assert re.search(r'from "\./view\.js\?v=[0-9a-f]{10}"', source)
    assert re.search(r'import\("\./drill\.js\?v=[0-9a-f]{10}"\)', source), "dynamic imports are versioned too"
    assert fetch(server, url[1].decode(), {"If-None-Match": headers["ETag"]})[0] == 304
    status, headers, _ = fetch(server, "/static/js/main.js")
    assert status == 200 and headers["Cache-Control"] == "no-cache", "an unversioned URL is revalidated"
    assert fetch(server, "/static/js/nothing.js")[0] == 404


def test_pages_and_json_are_compressed(server: LiveServer) -> None:
    status, headers, body = fetch(server, "/api/catalogue.json")
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert "emotions" in json.loads(gzip.decompress(body))


def test_service_worker_and_manifest_are_served_from_the_root(server: LiveServer) -> None:
    status, headers, body = fetch(server, "/sw.js", {"Accept-Encoding": "identity"})
    assert status == 200 and headers["Service-Worker-Allowed"] == "/" and headers["Cache-Control"] == "no-cache"
    assert headers["Content-Type"].startswith("text/javascript")
    shell = json.loads(body.decode().split("\n", 1)[0].removeprefix("self.GLIMPSE_SHELL = ").rstrip(";"))
    assert "/" in shell["urls"] and any(u.startswith("/static/js/offline/local-server.js?v=") for u in shell["urls"])
    assert any(u.startswith("/static/js/scene/render-worker.js?v=") for u in shell["urls"]), "scenes draw offline"
    for url in shell["urls"]:
        assert fetch(server, url)[0] == 200, url
    status, headers, body = fetch(server, "/manifest.webmanifest", {"Accept-Encoding": "identity"})
    assert status == 200 and headers["Content-Type"] == "application/manifest+json"
    manifest = json.loads(body)
    assert manifest["display"] == "standalone" and manifest["id"] == "/"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert fetch(server, icon["src"])[0] == 200


# -- in Chromium -------------------------------------------------------------------------------------------------

def wait_for_service_worker(page: Page) -> None:
    page.evaluate("navigator.serviceWorker.ready")
    page.wait_for_function("() => navigator.serviceWorker.controller?.state === 'activated'", timeout=15_000)


def test_chromium_finds_the_manifest_and_an_active_service_worker(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/")
    wait_for_service_worker(page)
    cdp = page.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [] and manifest["url"].endswith("/manifest.webmanifest")
    assert json.loads(manifest["data"])["short_name"] == "Glimpse"
    errors = [e["errorId"] for e in cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]]
    # Playwright's contexts are incognito-like, which Chromium reports on its own; nothing else may be missing.
    assert [e for e in errors if e != "in-incognito"] == []


def test_an_offline_drill_syncs_once_when_the_network_returns(page: Page, context: BrowserContext,
                                                             server: LiveServer, screenshot_dir: Path) -> None:
    syncs: list[str] = []
    page.on("request", lambda r: r.url.endswith("/api/offline/sync") and syncs.append(r.method))
    page.goto(server.url + "/")
    wait_for_service_worker(page)
    player = page.evaluate("fetch('/api/me').then((r) => r.json())")["id"]

    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_enabled(timeout=15_000)
    expect(page.locator("body")).to_have_attribute("data-offline", "true")
    expect(page.locator("#sync-status")).to_contain_text("offline")  # the home screen says so
    page.get_by_role("button", name="Got it").tap()  # the first visit's how-to
    page.get_by_role("button", name="Play", exact=True).tap()
    answers = play_drill_by_tapping(page, EMOTIONS["anger"].name)
    expect(page.locator("#summary-points")).to_contain_text("no points for offline drills")
    expect(page.locator("#summary-points")).not_to_contain_text("+0 points")
    expect(page.locator("#summary-accuracy")).to_contain_text("of 20 right")
    page.screenshot(path=screenshot_dir / "offline-summary.png")
    page.get_by_role("button", name="Home").tap()
    expect(page.locator("#sync-status")).to_contain_text(f"{answers} results waiting to sync")
    page.screenshot(path=screenshot_dir / "offline-home-waiting.png")
    db = open_db(server)
    assert db.execute("SELECT COUNT(*) FROM trials WHERE player_id = ?", [player]).fetchone()[0] == 0

    context.set_offline(False)  # the `online` event starts the sync
    expect(page.locator("#sync-status")).to_be_hidden(timeout=15_000)
    rows = db.execute("SELECT scored, source, COUNT(*), COUNT(DISTINCT client_id) FROM trials WHERE player_id = ? "
                      "GROUP BY scored, source", [player]).fetchall()
    assert sorted(rows) == sorted([(1, "offline", 20, 20), *([(0, "offline", answers - 20, answers - 20)]
                                                           if answers > 20 else [])])
    drills = db.execute("SELECT kind, status FROM drills WHERE player_id = ?", [player]).fetchall()
    assert drills == [("offline", "completed")]
    sent = len(syncs)
    assert sent >= 1

    page.reload()  # a startup sync with an empty queue sends nothing
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_enabled(timeout=15_000)
    expect(page.locator("body")).to_have_attribute("data-offline", "false")
    page.wait_for_timeout(500)
    assert len(syncs) == sent
    assert db.execute("SELECT COUNT(*) FROM trials WHERE player_id = ?", [player]).fetchone()[0] == answers


def test_static_files_are_brotli_compressed_when_the_browser_takes_it(server: LiveServer) -> None:
    brotli = pytest.importorskip("brotli")
    status, headers, body = fetch(server, "/static/css/app.css", {"Accept-Encoding": "br, gzip"})
    assert status == 200 and headers["Content-Encoding"] == "br"
    assert b"/* PWA and offline */" in brotli.decompress(body)


@pytest.mark.parametrize(("width", "height"), [(320, 568), (375, 667), (430, 932)])  # iPhone SE 1st and 3rd, Pro Max
def test_fits_a_phone_one_handed(browser: Browser, server: LiveServer, screenshot_dir: Path, width: int,
                                 height: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(server.url + "/")
    play = page.get_by_role("button", name="Play", exact=True)
    expect(play).to_be_enabled()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("button", name="Got it").tap()
    play.tap()
    expect(page.locator("#answers button").first).to_be_enabled(timeout=15_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for box in (page.locator("#answers button").nth(i).bounding_box() for i in range(7)):
        assert box and box["height"] >= 48 and box["width"] >= 48
    lowest = page.locator("#answers button").last.bounding_box()
    assert lowest and lowest["y"] + lowest["height"] <= height, "every answer is within thumb reach, no scrolling"
    page.screenshot(path=screenshot_dir / f"drill-{width}px.png")
    context.close()


@pytest.fixture
def app_server(tmp_path: Path) -> Iterator[str]:
    """The app in this process (Werkzeug, threaded), so a test can change what the next deploy would serve."""
    app = create_app({"DATABASE": str(tmp_path / "glimpse.db"), "SECRET_KEY": "test"})
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(timeout=5)


def test_a_new_version_waits_until_the_player_reloads(page: Page, app_server: str, monkeypatch: pytest.MonkeyPatch,
                                                      screenshot_dir: Path) -> None:
    page.goto(app_server + "/")
    wait_for_service_worker(page)
    old_caches = page.evaluate("caches.keys()")
    assert len(old_caches) >= 1

    monkeypatch.setattr(pwa, "SHELL_PAGES", (*pwa.SHELL_PAGES, "/healthz"))  # a deploy that changes the shell
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    prompt = page.locator("#pwa-update")
    expect(prompt).to_be_visible(timeout=15_000)
    expect(prompt).to_contain_text("A new version of Glimpse is ready.")
    page.screenshot(path=screenshot_dir / "update-ready.png")
    assert page.evaluate("caches.keys()") != [], "the running version keeps working until the player chooses"

    with page.expect_navigation():
        page.get_by_role("button", name="Reload").tap()
    wait_for_service_worker(page)
    expect(page.locator("#pwa-update")).to_be_hidden()
    current = page.evaluate("caches.keys()")
    assert not set(current) & {name for name in old_caches if "shell" in name}, "the old version's caches are gone"
