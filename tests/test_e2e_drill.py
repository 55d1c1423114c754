"""A whole drill played by tapping in Debian's Chromium at phone size; the trials land in SQLite."""

from __future__ import annotations

from pathlib import Path

from conftest import LiveServer, open_db, page_player, play_drill_by_tapping
from playwright.sync_api import Page, expect

from game import players
from game.emotions import EMOTIONS


def test_a_phone_player_taps_through_a_whole_drill(page: Page, live_server: LiveServer, screenshot_dir: Path) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(live_server.url + "/")
    play = page.get_by_role("button", name="Play", exact=True)
    expect(play).to_be_enabled()
    page.screenshot(path=screenshot_dir / "home.png")
    play.tap()

    expect(page.locator("#answers button").first).to_be_enabled(timeout=10_000)  # after foreperiod, flash and mask
    assert page.locator("#answers button").count() == 7
    page.screenshot(path=screenshot_dir / "drill-answer.png")
    play_drill_by_tapping(page, EMOTIONS["fear"].name)
    expect(page.locator("#summary")).to_be_visible()
    expect(page.locator("#summary-accuracy")).to_contain_text("of 20 right")
    assert page.locator("#summary-rows tr").count() == 7
    page.screenshot(path=screenshot_dir / "summary.png")
    assert errors == []

    token = next(c["value"] for c in page.context.cookies() if c["name"] == "glimpse_player")
    me = players.player_for_token(open_db(live_server), token)  # other tests share this server: only our trials
    assert me is not None
    trials = list(open_db(live_server)["trials"].rows_where("answer IS NOT NULL AND player_id = ?", [me["id"]]))
    assert sum(t["scored"] for t in trials) == 20
    assert all(t["answer"] == "fear" and t["reaction_ms"] > 0 for t in trials)
    assert all(t["frames_shown"] == t["exposure_frames"] for t in trials if t["scored"])
    assert {round(t["refresh_ms"]) for t in trials} == {17}  # headless Chromium runs at 60 Hz


def test_progress_page_shows_thresholds_after_a_drill(page: Page, live_server: LiveServer,
                                                      screenshot_dir: Path) -> None:
    page.goto(live_server.url + "/")
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_enabled()
    player = page_player(live_server, page)
    player.play_right()  # a sharp player: right every time
    player.close()

    page.goto(live_server.url + "/stats")
    overall = page.locator("#threshold-table").get_by_role("row", name="All emotions")
    expect(overall).to_contain_text(" ms to ")
    expect(overall.locator("td").last).to_have_text("20")
    expect(page.locator("#history svg circle")).to_have_count(1)
    expect(page.locator("#confused")).to_contain_text("No mix-ups yet")
    expect(page.locator("#confusion td.hit")).to_have_count(7)  # every answer right: only the diagonal
    expect(page.locator("#recent li")).to_have_count(1)
    page.screenshot(path=screenshot_dir / "stats.png", full_page=True)
    page.locator("#confusion-title").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "stats-confusion.png")
