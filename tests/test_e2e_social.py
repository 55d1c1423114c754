"""The daily challenge, boards and friends as a phone player sees them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SCRIPTED_PLAYERS, LiveServer, play_drill_by_tapping, play_on_for_the_page
from playwright.sync_api import Page, expect


@pytest.fixture(scope="module")
def social_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of this module's own: its player is the first on today's challenge board, whatever ran before."""
    own = LiveServer(tmp_path_factory.mktemp("social") / "glimpse.db", SCRIPTED_PLAYERS).start()
    yield own
    own.stop()


def test_daily_challenge_result_streak_boards_and_friends(page: Page, social_server: LiveServer,
                                                          screenshot_dir: Path) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=social_server.url)
    page.goto(social_server.url + "/")
    expect(page.locator("#streak")).to_contain_text("Start a daily streak")
    challenge = page.get_by_role("button", name="Daily challenge")
    expect(challenge).to_be_enabled()
    challenge.tap()
    # The page taps the first face and the last; a socket, as the player's other tab, taps the same between.
    play_drill_by_tapping(page, "Happiness", stop_after=1)
    play_on_for_the_page(social_server, page, lambda trial: "happiness")
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

    page.goto(social_server.url + "/boards")
    expect(page.locator("#board-standing")).to_contain_text("You're the first")
    expect(page.locator("#board-top li.me")).to_have_count(1)
    page.screenshot(path=screenshot_dir / "boards.png", full_page=True)
    page.get_by_role("tab", name="Week").tap()
    expect(page.locator("#board-top li.me .points")).to_contain_text("pts")

    page.goto(social_server.url + "/friends")
    expect(page.locator("#my-code")).not_to_have_text("········")
    page.get_by_label("Add a friend by code").fill("nope")
    page.get_by_role("button", name="Add", exact=True).tap()
    expect(page.locator("#add-status")).to_contain_text("8 letters and digits")
    page.screenshot(path=screenshot_dir / "friends.png", full_page=True)
