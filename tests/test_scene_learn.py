"""The Learn page's leak demonstration: a slider for the leak's duration, a toggle that marks it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import LiveServer
from playwright.sync_api import Page, expect


@pytest.mark.parametrize("query", ["", "frames=1&periodMs=16.7", "frames=61&periodMs=16.7", "frames=5&periodMs=0",
                                   "frames=x&periodMs=16.7", "frames=5&periodMs=nan"])
def test_the_demo_endpoint_refuses_bad_input(live_server: LiveServer, query: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{live_server.url}/api/scene-demo?{query}", timeout=10)
    assert refused.value.code == 400 and json.load(refused.value)["error"] == "bad_field"


def test_the_demo_scene_keeps_its_face_as_the_leak_changes_length(live_server: LiveServer) -> None:
    def get(frames: int) -> dict:
        with urllib.request.urlopen(f"{live_server.url}/api/scene-demo?frames={frames}&periodMs=16.667",
                                    timeout=10) as response:
            return json.load(response)

    short, long = get(3), get(24)
    assert short["leak"]["frames"] == 3 and long["leak"]["frames"] == 24
    assert short["scene"]["identitySeed"] == long["scene"]["identitySeed"]
    assert "polite smile" in short["leak"]["cue"]


def test_a_learner_shortens_a_leak_and_marks_it(page: Page, live_server: LiveServer, screenshot_dir: Path) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/learn")
    demo = page.locator("#leak-demo")
    demo.scroll_into_view_if_needed()
    expect(demo).to_have_attribute("data-ready", "true", timeout=20_000)
    slider = page.locator("#leak-demo-frames")
    slider.fill("6")
    expect(page.locator("#leak-demo-ms")).to_have_text("100 ms")
    page.locator("#leak-demo-slow").click()
    flag = page.locator("#leak-demo-flag")
    expect(flag).to_be_visible(timeout=20_000)  # marked while the leak's frames are on the face
    demo.screenshot(path=screenshot_dir / "learn-leak-demo.png")
    expect(page.locator("#leak-demo-timeline rect.apex, #leak-demo-timeline rect.onset, "
                        "#leak-demo-timeline rect.offset")).to_have_count(6)
    expect(page.locator("#leak-demo-play")).to_be_enabled(timeout=20_000)
    page.locator("#leak-demo-mark").uncheck()
    expect(page.locator("#leak-demo-timeline rect.apex")).to_have_count(0)
    page.locator("#leak-demo-play").click()
    expect(page.locator("#leak-demo-caption.speaking")).to_have_count(1, timeout=10_000)
    assert flag.is_hidden()
    expect(page.locator("#leak-demo-play")).to_be_enabled(timeout=20_000)
    assert errors == []
