"""Two phones duel in headless Chromium at 390x844: lobby by link, countdown, rounds, results, rematch."""

from __future__ import annotations

import json
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from duel_client import DUEL_TRIALS, read_face, wrong
from harness import PHONE, LiveServer
from playwright.sync_api import Browser, Page, expect

from game.emotions import EMOTIONS

TRIALS = DUEL_TRIALS
AXE = Axe()


def accessible(page: Page, screen: str) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, f"{screen}:\n{results.generate_report()}"


class Phone:
    """A browser context playing as one person; it watches its own socket to know what the face showed."""

    def __init__(self, browser: Browser, server: LiveServer, name: str) -> None:
        self.context = browser.new_context(**PHONE)
        self.page: Page = self.context.new_page()
        self.name = name
        self.trials: list[dict] = []
        self.page.on("websocket", self._watch)
        self.server = server

    def _watch(self, socket) -> None:
        def received(payload: str | bytes) -> None:
            message = json.loads(payload)
            if message.get("type") == "trial":
                self.trials.append(message)

        socket.on("framereceived", received)

    def name_yourself(self) -> None:
        dialog = self.page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        dialog.get_by_label("Nickname").fill(self.name)
        dialog.get_by_role("button", name="Save").tap()
        expect(dialog).to_have_count(0)

    def answer(self, position: int, right: bool) -> None:
        expect(self.page.locator("#play-progress")).to_have_text(f"Trial {position} of {TRIALS}", timeout=15_000)
        expect(self.page.locator("#answers button").first).to_be_enabled(timeout=15_000)
        truth = read_face(self.trials[-1])
        choice = truth if right else wrong(truth)
        self.page.get_by_role("button", name=EMOTIONS[choice].name).tap()


def test_two_phones_duel_from_a_shared_link(browser: Browser, duel_server: LiveServer, screenshot_dir: Path) -> None:
    ana, ben = Phone(browser, duel_server, "Ana"), Phone(browser, duel_server, "Ben")
    try:
        ana.page.goto(duel_server.url + "/duel")
        ana.page.screenshot(path=screenshot_dir / "duel-start.png")
        accessible(ana.page, "duel-start")
        ana.page.get_by_role("button", name="Open a duel room").tap()
        ana.name_yourself()
        code_box = ana.page.locator("#lobby-code")
        expect(code_box).to_have_text(_five_characters(), timeout=15_000)
        code = code_box.inner_text()
        expect(ana.page.locator("#lobby-hint")).to_contain_text("Waiting for a friend")
        ana.page.screenshot(path=screenshot_dir / "duel-lobby-alone.png")

        ben.page.goto(f"{duel_server.url}/duel/{code}")  # the link Ana shared
        ben.name_yourself()
        expect(ben.page.locator("#lobby-players li")).to_have_count(2, timeout=15_000)
        expect(ben.page.locator("#lobby-hint")).to_contain_text("Waiting for Ana to start")
        expect(ben.page.locator("#lobby-start")).to_be_hidden()
        start = ana.page.get_by_role("button", name="Start the duel")
        expect(start).to_be_enabled()
        expect(ana.page.locator("#lobby-players")).to_contain_text("Ben")
        ana.page.screenshot(path=screenshot_dir / "duel-lobby.png")
        accessible(ana.page, "duel-lobby")
        start.tap()

        expect(ben.page.locator("#countdown")).to_be_visible()
        ben.page.screenshot(path=screenshot_dir / "duel-countdown.png")
        for position in range(1, TRIALS + 1):
            ana.answer(position, right=True)
            ben.answer(position, right=position == 1)
            expect(ben.page.locator("#answers .truth")).to_have_count(1, timeout=10_000)
            if position == 2:
                expect(ben.page.locator("#play-prompt")).to_contain_text("you missed it")
                expect(ben.page.locator("#play-strip .leader")).to_contain_text("Ana")
                ben.page.screenshot(path=screenshot_dir / "duel-round.png")
                accessible(ben.page, "duel-round")

        expect(ana.page.locator("#results-title")).to_have_text("You win!", timeout=15_000)
        expect(ben.page.locator("#results-title")).to_have_text("Ana wins · you're #2")
        expect(ana.page.locator("#results-list li").first).to_contain_text("Ana (you)")
        expect(ana.page.locator("#results-list li").first).to_contain_text(f"{TRIALS} right")
        ana.page.screenshot(path=screenshot_dir / "duel-results-winner.png")
        ben.page.screenshot(path=screenshot_dir / "duel-results.png")
        accessible(ben.page, "duel-results")
        assert [t["identitySeed"] for t in ana.trials] == [t["identitySeed"] for t in ben.trials]

        ben.page.set_viewport_size({"width": 320, "height": 568})  # the rematch on a small phone, and on its side
        ana.page.set_viewport_size({"width": 844, "height": 390})
        ben.page.get_by_role("button", name="Ask for a rematch").tap()
        expect(ana.page.locator("#results-rematch-status")).to_contain_text("Ben wants a rematch")
        ana.page.get_by_role("button", name="Rematch").tap()
        expect(ben.page.locator("#play-progress")).to_have_text(f"Trial 1 of {TRIALS}", timeout=15_000)
        expect(ben.page.locator("#play-me")).to_have_text("")  # the new duel starts from nothing
        for phone, size in ((ben, "320x568"), (ana, "844x390")):
            expect(phone.page.locator("#answers button").first).to_be_enabled(timeout=15_000)
            phone.page.screenshot(path=screenshot_dir / f"duel-play-{size}.png")
            answers = phone.page.locator("#answers button").last.bounding_box()
            assert answers and answers["y"] + answers["height"] <= phone.page.viewport_size["height"] + 1
    finally:
        ana.context.close()
        ben.context.close()


def _five_characters():
    import re

    return re.compile(r"^[A-Z2-9]{5}$")
