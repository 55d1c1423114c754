"""A whole drill played by tapping in Debian's Chromium at phone size; the trials land in SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import LiveServer, open_db, page_player
from playwright.sync_api import Page, expect

from game import players
from game.emotions import EMOTIONS


@pytest.mark.browser_context_args(color_scheme="dark")
def test_a_phone_player_taps_through_a_whole_drill(page: Page, live_server: LiveServer, screenshot_dir: Path) -> None:
    """Issue 2's whole drill by tapping, and the phone loop's flow through it (issue 13): no empty box before
    the first face; right answers move on by themselves, wrong ones wait for Next; the progress bar follows the
    drill; the 20th answer gets its feedback before the summary; the trials land in SQLite."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(live_server.url + "/")
    play = page.get_by_role("button", name="Play", exact=True)
    expect(play).to_be_enabled()
    page.screenshot(path=screenshot_dir / "home.png")
    page.get_by_role("button", name="Got it").tap()
    play.tap()
    expect(page.locator("#prompt")).to_have_text("Get ready…")
    drawn = False
    for _ in range(20):  # the drill's modules load on this first Play; the stand-in face comes with them
        drawn = page.evaluate("""() => {
          const c = document.getElementById("face-neutral");
          const probe = document.createElement("canvas").getContext("2d");  // the stage canvas is a bitmaprenderer
          if (c.width) probe.drawImage(c, -c.width / 2, -c.height / 2);
          const middle = c.width ? probe.getImageData(0, 0, 1, 1) : null;
          const ready = document.getElementById("prompt").textContent === "Get ready…";
          const [red, green, blue, alpha] = middle ? middle.data : [0, 0, 0, 0];
          return alpha > 0 && red + green + blue > 30 && ready;  // skin, not an empty (black or clear) canvas
        }""")
        if drawn:
            break
        page.wait_for_timeout(50)
    assert drawn, "a face is on the stage while the refresh rate is measured (before the first trial)"

    expect(page.locator("#answers button").first).to_be_enabled(timeout=10_000)  # after foreperiod, flash and mask
    assert page.locator("#answers button").count() == 7
    page.screenshot(path=screenshot_dir / "drill-answer.png")
    fear = EMOTIONS["fear"].name
    right_moved_on = wrong_waited = 0
    last_feedback = ""
    for _ in range(100):  # voided flashes come back without a tap
        ready = page.locator("#summary:not([hidden]), #next:visible, #answers:not([hidden]):not(.waiting)")
        expect(ready.first).to_be_visible(timeout=20_000)
        if page.locator("#summary").is_visible():
            break
        if page.locator("#next").is_visible():
            if not wrong_waited:
                page.wait_for_timeout(2500)  # longer than a right answer's pause: a wrong one waits for the player
                expect(page.locator("#next")).to_be_visible()
            wrong_waited += 1
            page.locator("#next").tap()
            expect(page.locator("#feedback")).to_be_hidden()  # gone before the loop looks again
            continue
        page.wait_for_timeout(200)  # a person's quickest choice: faster taps never reach a board (fair play)
        page.get_by_role("button", name=fear, exact=True).tap()
        outcome = page.locator("#feedback:not([hidden]), #answers:not([hidden]):not(.waiting)").first
        expect(outcome).to_be_visible(timeout=20_000)
        if page.locator("#verdict[data-outcome=right]").is_visible():
            last_feedback = page.locator("#progress").inner_text()
            done = page.locator("#progress-bar").get_attribute("value")
            assert page.locator("#next").is_hidden()
            expect(page.locator("#tap-on")).to_be_visible()
            right_moved_on += 1
            assert done is not None and int(done) >= 1
        elif page.locator("#verdict[data-outcome=wrong]").is_visible():
            last_feedback = page.locator("#progress").inner_text()
    expect(page.locator("#summary")).to_be_visible()
    assert right_moved_on >= 1 and wrong_waited >= 1, (right_moved_on, wrong_waited)
    assert last_feedback == "Trial 20 of 20", "the last answer got its feedback before the summary"
    expect(page.locator("#summary-accuracy")).to_contain_text("of 20 right")
    assert page.locator("#summary-rows tr").count() == 7
    expect(page.locator("#summary-moment")).not_to_be_empty()
    expect(page.locator("#summary")).not_to_contain_text("needs more play")
    assert page.locator("#summary .progress-bar").get_attribute("value") == "1"
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
