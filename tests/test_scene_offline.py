"""Scenes offline: a pack fetched while online (kept by the service worker) plays with no network."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

from conftest import LiveServer, wait_for_scene_verdict
from playwright.sync_api import BrowserContext, Page, expect
from test_pwa import wait_for_service_worker

from game.emotions import EMOTIONS
from game.scene_session import TRIALS_PER_SCENE_DRILL


def test_a_scene_pack_carries_answers_only_for_practice(live_server: LiveServer) -> None:
    with urllib.request.urlopen(live_server.url + "/api/scene-pack?periodMs=16.667", timeout=30) as response:
        pack = json.load(response)
    assert len(pack["scenes"]) == TRIALS_PER_SCENE_DRILL + 4
    assert {entry["emotion"] for entry in pack["scenes"]} == set(EMOTIONS)
    for entry in pack["scenes"]:
        leak, window = entry["leak"], entry["scene"]["window"]
        assert window["start"] < leak["start"] and leak["start"] + leak["frames"] < window["start"] + window["frames"]


def test_scenes_play_offline_from_the_last_pack(page: Page, context: BrowserContext, live_server: LiveServer,
                                                screenshot_dir: Path) -> None:
    packs: list[str] = []
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("request", lambda r: "/api/scene-pack" in r.url and packs.append(r.url))
    page.goto(live_server.url + "/")
    wait_for_service_worker(page)
    with page.expect_response(lambda r: "/api/scene-pack" in r.url, timeout=60_000) as response:
        page.locator("#scenes").tap()
    assert response.value.ok and packs
    expect(page.locator("#scene-context")).not_to_be_empty(timeout=15_000)
    page.wait_for_timeout(500)  # the service worker stores the copy

    context.set_offline(True)
    page.reload()
    expect(page.locator("#scenes")).to_be_enabled(timeout=15_000)
    expect(page.locator("body")).to_have_attribute("data-offline", "true")
    page.locator("#scenes").tap()
    summary = page.locator("#summary")
    for _ in range(3 * TRIALS_PER_SCENE_DRILL):
        ready = page.locator("#scene-answers button:enabled, #summary:not([hidden])")
        expect(ready.first).to_be_visible(timeout=20_000)
        if summary.is_visible():
            break  # the last answer's feedback led to the summary
        page.get_by_role("button", name=EMOTIONS["sadness"].name, exact=True).tap()
        wait_for_scene_verdict(page)
        if summary.is_visible():
            break
        if page.locator("#scene-feedback").is_hidden():
            continue  # voided: another scene comes without a tap
        expect(page.get_by_role("button", name="Next")).to_be_enabled(timeout=30_000)
        page.get_by_role("button", name="Next").tap()
    expect(summary).to_be_visible()
    expect(page.locator("#summary-accuracy")).to_contain_text(f"of {TRIALS_PER_SCENE_DRILL} right")
    page.screenshot(path=screenshot_dir / "scene-offline-summary.png")
    assert errors == []
    context.set_offline(False)


def test_scene_packs_are_rate_limited_per_client(tmp_path: Path) -> None:
    """Planning a pack costs CPU: a client gets a few at once, then 429 rate_limited (own server: the
    shared one's budget for this address stays for the other tests)."""
    server = LiveServer(tmp_path / "glimpse.db").start()
    codes = []
    try:
        for _ in range(8):
            try:
                with urllib.request.urlopen(server.url + "/api/scene-pack?periodMs=16.667", timeout=30) as response:
                    codes.append(response.status)
            except urllib.error.HTTPError as error:
                codes.append(error.code)
                assert json.load(error)["error"] == "rate_limited"
    finally:
        server.stop()
    assert codes[:4] == [200] * 4 and 429 in codes
