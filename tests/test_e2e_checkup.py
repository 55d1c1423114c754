"""A phone player takes the checkup in Debian's Chromium, then reads their progress after a second one a week on."""

from __future__ import annotations

from pathlib import Path

from conftest import DrillClient, LiveServer, emotion_of, open_db, page_player, play_on_for_the_page
from playwright.sync_api import Page, expect

from game import checkup
from game.emotions import EMOTION_KEYS, EMOTIONS

WEEK = 7 * 86_400


def open_checkup_trial(server: LiveServer) -> dict:
    """The checkup trial the page shows now. The server holds a trial in flight in memory; what it shows is fixed
    by the form: the item at the position after the drill's scored trials."""
    db = open_db(server)
    drill = db.execute("SELECT id FROM drills WHERE kind = 'checkup' AND status = 'active' "
                       "ORDER BY started_at DESC LIMIT 1").fetchone()
    assert drill, "no checkup in progress"
    scored = db.execute("SELECT COUNT(*) FROM trials WHERE drill_id = ? AND scored = 1", [drill[0]]).fetchone()[0]
    item = checkup.items()[scored]
    return {"emotion": item.emotion, "exposure_ms": item.exposure_ms}


def wrong(emotion: str) -> str:
    return next(e for e in EMOTION_KEYS if e != emotion)


def test_a_phone_player_takes_a_checkup_and_sees_progress_a_week_later(
        page: Page, live_server: LiveServer, screenshot_dir: Path) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(live_server.url + "/")
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_enabled()
    expect(page.locator("#checkup-offer")).to_be_hidden()  # nothing to measure before a first drill
    player = page_player(live_server, page)
    player.play_right()
    player.close()

    page.reload()
    offer = page.locator("#checkup-offer")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("Find your starting point")
    # The first visit's how-to has done its job once a drill was played: Play stays above the fold with the offer.
    expect(page.locator("#how-to")).to_be_hidden()
    play = page.get_by_role("button", name="Play", exact=True).bounding_box()
    assert play and play["y"] + play["height"] <= page.viewport_size["height"], play
    page.screenshot(path=screenshot_dir / "checkup-offer.png")
    page.set_viewport_size({"width": 320, "height": 568})  # the smallest phone: the offer replaces the face
    expect(page.locator("#home-face")).to_be_hidden()
    play = page.get_by_role("button", name="Play", exact=True).bounding_box()
    assert play and play["y"] + play["height"] <= 568, play
    page.screenshot(path=screenshot_dir / "checkup-offer-320x568.png")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("#home-face")).to_be_visible()  # room for it again
    page.get_by_role("button", name="Take the checkup").tap()
    expect(page.locator("#score")).to_have_text("Checkup")

    # Right on the 100 ms flashes, wrong on the 33 ms ones: 2 of 4 for every emotion. The page answers the first
    # trials and, resumed, the last; a socket in between (the same screens, seconds each in a browser).
    summary = page.locator("#checkup-summary")
    ready = page.locator("#answers button:not([disabled]), #checkup-summary:not([hidden])").first

    def tap_answers(taps: int) -> None:
        for tap in range(taps + 10):  # plus any flash a loaded machine voided and replayed
            expect(ready).to_be_visible(timeout=15_000)  # after foreperiod, flash and mask
            if summary.is_visible() or int(page.locator("#progress-bar").get_attribute("value") or 0) >= taps:
                return
            trial = open_checkup_trial(live_server)
            if tap == 0:
                page.screenshot(path=screenshot_dir / "checkup-trial.png")
            answer = trial["emotion"] if trial["exposure_ms"] > 50 else wrong(trial["emotion"])
            page.get_by_role("button", name=EMOTIONS[answer].name).tap()
            expect(page.locator("#feedback")).to_be_hidden()  # a test gives no feedback
        raise AssertionError(f"{taps} answers did not count")

    expect(ready).to_be_visible(timeout=15_000)
    expect(page.locator("#progress")).to_have_text("Trial 1 of 28")
    expect(page.locator("#score")).to_have_text("Checkup")  # still, once the server's "started" has come
    tap_answers(3)

    def policy(trial: dict) -> str:
        truth = emotion_of(live_server, trial["trialId"])
        return truth if checkup.items()[trial["position"] - 1].exposure_ms > 50 else wrong(truth)

    play_on_for_the_page(live_server, page, policy, leave=1)
    expect(page.locator("#progress")).to_have_text("Trial 28 of 28", timeout=15_000)
    tap_answers(28)
    expect(summary).to_be_visible()
    expect(page.locator("#checkup-score")).to_have_text("14 of 28 right")
    expect(page.locator("#checkup-rows tr")).to_have_count(7)
    expect(page.locator("#checkup-rows tr").first).to_contain_text("2 of 4")
    page.screenshot(path=screenshot_dir / "checkup-summary.png")

    db = open_db(live_server)
    first = next(db["checkups"].rows)
    trials = list(db["trials"].rows_where("drill_id = ? AND scored = 1", [first["drill_id"]]))
    assert len(trials) == 28 and all(checkup.is_checkup_identity(t["identity_seed"]) for t in trials)
    assert (first["correct"], first["shown"]) == (14, 28)

    page.get_by_role("link", name="See your progress").tap()
    sentence = page.locator("#checkup-sentence")
    expect(sentence).to_contain_text("Your starting point: 14 of 28 right")
    expect(page.locator("#checkup-chart svg circle")).to_have_count(1)
    expect(page.locator("#checkup-next")).to_contain_text("Your next checkup opens on")
    page.screenshot(path=screenshot_dir / "progress-one-checkup.png")

    # A week and two drills later, a second checkup: every answer right.
    db.execute("UPDATE checkups SET started_at = started_at - ?", [8 * 86_400])
    db.execute("UPDATE drills SET started_at = started_at - ?, ended_at = ended_at - ?", [8 * 86_400, 8 * 86_400])
    db.conn.commit()
    cookie = player.cookie
    for _ in range(2):
        drill = DrillClient(live_server, cookie=cookie)
        drill.play_right()
        drill.close()
    second = DrillClient(live_server, cookie=cookie)
    second.ask({"type": "hello", "v": 1})
    second.send({"type": "start", "mode": "checkup", "refreshMs": 16.667})
    assert second.receive()["type"] == "started"
    trial = second.receive()
    for position in range(1, 29):
        reply = second.answer(trial, emotion_of(live_server, trial["trialId"]))
        if position < 28:
            trial = second.ask({"type": "next"})
    assert reply["done"] and second.receive()["correct"] == 28
    second.close()

    page.reload()  # the same address: only a reload fetches the new progress
    expect(sentence).to_contain_text("points better than on day one")
    expect(page.locator("#checkup-chart svg circle")).to_have_count(2)
    rows = page.locator("#checkup-table tbody tr")
    expect(rows).to_have_count(7)
    expect(rows.first).to_contain_text("50%")
    expect(rows.first).to_contain_text("100%")
    expect(rows.first).to_contain_text("+50 points")
    expect(page.locator("#checkup-training")).to_contain_text("Between checkups 1 and 2: 2 drills, under a minute")
    page.screenshot(path=screenshot_dir / "progress-two-checkups.png")
    page.locator("#checkup-table").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "progress-two-checkups-table.png")

    page.goto(live_server.url + "/crowd")  # one player: the crowd page shows no figure yet
    expect(page.locator("#crowd-gains tbody tr")).to_have_count(5)
    expect(page.locator("#crowd-gains")).not_to_contain_text("points")
    expect(page.locator("#crowd-fade")).to_contain_text("Not enough players")
    page.screenshot(path=screenshot_dir / "crowd.png", full_page=True)
    assert errors == []
