"""axe-core on every screen at phone size, dark and light: zero violations."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import SCRIPTED_PLAYERS, LiveServer, become, players_in_mid_drill
from harness import PHONE
from playwright.sync_api import Browser, Page, expect

AXE = Axe()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of this module's own: the trials played here must not show up in other modules' counts."""
    own = LiveServer(tmp_path_factory.mktemp("a11y") / "glimpse.db", SCRIPTED_PLAYERS).start()
    yield own
    own.stop()


@pytest.fixture(params=["dark", "light"])
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    """A phone in the colour scheme the test is parametrised with."""
    context = browser.new_context(**PHONE, color_scheme=request.param)
    yield context.new_page()
    context.close()


def assert_no_violations(page: Page, screen: str, screenshot_dir: Path) -> None:
    scheme = "light" if page.evaluate("matchMedia('(prefers-color-scheme: light)').matches") else "dark"
    screen = f"{screen}-{scheme}"
    page.screenshot(path=screenshot_dir / f"a11y-{screen}.png")
    results = AXE.run(page)
    assert results.violations_count == 0, f"{screen}:\n{results.generate_report()}"


@pytest.fixture(scope="module")
def drills_18_trials_in(server: LiveServer) -> Iterator[dict[str, Future[str]]]:
    """Per colour scheme, a player whose drill waits after 18 answers, so that feedback and summary come quickly."""
    with players_in_mid_drill(server, ["dark", "light"], 18) as ready:
        yield ready


def test_home_drill_feedback_and_summary(page: Page, server: LiveServer, drills_18_trials_in,
                                         screenshot_dir: Path) -> None:
    page.goto(server.url + "/")
    play = page.get_by_role("button", name="Play", exact=True)
    expect(play).to_be_enabled()
    expect(page.locator("#how-to")).to_be_visible()
    assert_no_violations(page, "home-first-visit", screenshot_dir)
    page.get_by_role("button", name="Got it").tap()

    # This browser's player has a drill 18 trials in (played on a socket).
    scheme = "light" if page.evaluate("matchMedia('(prefers-color-scheme: light)').matches") else "dark"
    become(page, server, drills_18_trials_in[scheme].result(timeout=120))
    page.reload()
    resume = page.get_by_role("button", name="Resume")
    expect(resume).to_be_visible()
    assert_no_violations(page, "home-resume", screenshot_dir)
    resume.tap()

    expect(page.locator("#answers button").first).to_be_enabled(timeout=15_000)
    assert_no_violations(page, "drill-answer", screenshot_dir)
    page.locator("#quit").tap()
    expect(page.locator("#quit-dialog")).to_be_visible()
    assert_no_violations(page, "drill-quit-dialog", screenshot_dir)
    page.get_by_role("button", name="Keep playing").tap()
    for _ in range(10):  # until an answer counts: a voided flash brings another face
        expect(page.locator("#answers button").first).to_be_enabled(timeout=15_000)
        page.keyboard.press("4")  # keys 1-7 answer
        expect(page.locator("#feedback:not([hidden]), #answers:not(.waiting)").first).to_be_visible(timeout=15_000)
        if page.locator("#feedback").is_visible():
            break
    assert_no_violations(page, "drill-feedback", screenshot_dir)
    for _ in range(10):  # the last trial, its feedback, then the summary
        ready = page.locator("#summary:not([hidden]), #next:visible, #answers:not([hidden]):not(.waiting)")
        expect(ready.first).to_be_visible(timeout=15_000)
        if page.locator("#summary").is_visible():
            break
        if page.locator("#next").is_visible():
            page.keyboard.press("Enter")  # Enter moves on
            expect(page.locator("#feedback")).to_be_hidden()
        else:
            page.keyboard.press("6")
    expect(page.locator("#summary")).to_be_visible()
    page.evaluate("""() => Promise.race([  // the celebration has settled (at most 5 s)
      Promise.all(document.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => {}))),
      new Promise((resolve) => setTimeout(resolve, 5000))])""")
    assert_no_violations(page, "summary", screenshot_dir)


@pytest.mark.parametrize(("path", "ready"), [("/learn", "#learn[data-ready=true]"), ("/stats", "#app:not(.loading)"),
                                             ("/boards", "#board-top li"), ("/friends", "#friend-list li")])
def test_learn_and_stats(page: Page, server: LiveServer, screenshot_dir: Path, path: str, ready: str) -> None:
    page.goto(server.url + path)
    expect(page.locator(ready)).to_be_attached(timeout=15_000)
    page.wait_for_load_state("networkidle")
    assert_no_violations(page, path.strip("/"), screenshot_dir)
