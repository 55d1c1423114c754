"""axe-core on every screen at phone size: zero violations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import SCRIPTED_PLAYERS, LiveServer, page_player
from playwright.sync_api import Page, expect

AXE = Axe()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of this module's own: the trials played here must not show up in other modules' counts."""
    own = LiveServer(tmp_path_factory.mktemp("a11y") / "glimpse.db", SCRIPTED_PLAYERS).start()
    yield own
    own.stop()


def assert_no_violations(page: Page, screen: str, screenshot_dir: Path) -> None:
    page.screenshot(path=screenshot_dir / f"a11y-{screen}.png")
    results = AXE.run(page)
    assert results.violations_count == 0, f"{screen}:\n{results.generate_report()}"


def answer_on_the_server(server: LiveServer, page: Page, count: int) -> None:
    """Play the first `count` trials of a drill over the socket as the page's player, leaving it unfinished."""
    player = page_player(server, page)
    player.play_right(count)
    player.close()


def test_home_drill_feedback_and_summary(page: Page, server: LiveServer, screenshot_dir: Path) -> None:
    page.goto(server.url + "/")
    play = page.get_by_role("button", name="Play", exact=True)
    expect(play).to_be_enabled()
    expect(page.locator("#flash-note")).to_be_visible()
    assert_no_violations(page, "home-first-visit", screenshot_dir)
    page.get_by_role("button", name="Got it").tap()

    # Resume a drill 18 trials in, so that the feedback and summary screens come quickly.
    answer_on_the_server(server, page, 18)
    page.reload()
    resume = page.get_by_role("button", name="Resume")
    expect(resume).to_be_visible()
    assert_no_violations(page, "home-resume", screenshot_dir)
    resume.tap()

    expect(page.locator("#answers button").first).to_be_enabled(timeout=15_000)
    assert_no_violations(page, "drill-answer", screenshot_dir)
    page.keyboard.press("4")  # keys 1-7 answer
    expect(page.locator("#feedback")).to_be_visible()
    assert_no_violations(page, "drill-feedback", screenshot_dir)
    page.keyboard.press("Enter")  # and Enter moves on
    expect(page.locator("#answers button").first).to_be_enabled(timeout=15_000)
    for _ in range(5):  # the last trial, and any replay of it
        page.get_by_role("button", name="Fear").tap()
        expect(page.locator("#feedback:not([hidden]), #summary:not([hidden])")).to_have_count(1)
        if page.locator("#summary").is_visible():
            break
        page.get_by_role("button", name="Next").tap()
        expect(page.locator("#answers button").first).to_be_enabled(timeout=15_000)
    expect(page.locator("#summary")).to_be_visible()
    assert_no_violations(page, "summary", screenshot_dir)


@pytest.mark.parametrize(("path", "ready"), [("/learn", "#learn[data-ready=true]"), ("/stats", "#threshold-table")])
def test_learn_and_stats(page: Page, server: LiveServer, screenshot_dir: Path, path: str, ready: str) -> None:
    page.goto(server.url + path)
    expect(page.locator(ready)).to_be_attached(timeout=15_000)
    page.wait_for_load_state("networkidle")
    assert_no_violations(page, path.strip("/"), screenshot_dir)
