"""The daily challenge, boards and friends as a phone player sees them."""

from __future__ import annotations

from pathlib import Path

from conftest import LiveServer, play_drill_by_tapping
from playwright.sync_api import Page, expect


def test_daily_challenge_result_streak_boards_and_friends(page: Page, live_server: LiveServer,
                                                          screenshot_dir: Path) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server.url + "/")
    expect(page.locator("#streak")).to_contain_text("Start a daily streak")
    challenge = page.get_by_role("button", name="Daily challenge")
    expect(challenge).to_be_enabled()
    challenge.tap()
    play_drill_by_tapping(page, "Happiness")

    expect(page.locator("#summary-title")).to_contain_text("Daily challenge #")
    expect(page.locator("#challenge-standing")).to_contain_text("You're the first")
    expect(page.locator("#challenge-histogram")).to_be_hidden()  # one player: the rank line says more than a chart
    expect(page.locator("#summary-points")).to_contain_text("1\u2011day streak")  # never broken at its hyphen
    page.screenshot(path=screenshot_dir / "challenge-summary.png", full_page=True)
    page.get_by_role("button", name="Share result").tap()
    page.get_by_role("dialog").get_by_label("Nickname").fill("Sharer")  # a first share asks for a nickname once
    page.get_by_role("dialog").get_by_role("button", name="Save").tap()
    expect(page.locator("#share-status")).to_contain_text("Copied")
    card = page.evaluate("navigator.clipboard.readText()")
    assert card.startswith("Glimpse #") and card.count("🟩") + card.count("⬛") == 20

    page.get_by_role("button", name="Home").tap()
    expect(page.locator("#streak")).to_contain_text("1\u2011day streak · today done ✓")
    expect(page.get_by_role("button", name="Daily challenge")).to_contain_text("practice")
    page.screenshot(path=screenshot_dir / "home-streak.png")

    page.goto(live_server.url + "/boards")
    expect(page.locator("#board-standing")).to_contain_text("You're the first")
    expect(page.locator("#board-top li.me")).to_have_count(1)
    page.screenshot(path=screenshot_dir / "boards.png", full_page=True)
    page.get_by_role("tab", name="Week").tap()
    expect(page.locator("#board-top li.me .points")).to_contain_text("pts")

    page.goto(live_server.url + "/friends")
    expect(page.locator("#my-code")).not_to_have_text("········")
    page.get_by_label("Add a friend by code").fill("nope")
    page.get_by_role("button", name="Add", exact=True).tap()
    expect(page.locator("#add-status")).to_contain_text("8 letters and digits")
    page.screenshot(path=screenshot_dir / "friends.png", full_page=True)
