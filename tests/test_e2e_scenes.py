"""Scenes played end to end by tapping in Chromium at 390x844: context, speaking face, answer, slow replay."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import LiveServer, emotion_of, in_flight_emotion, open_db, play_on_for_the_page, wait_for_scene_verdict
from playwright.sync_api import Page, expect

from game import players
from game.emotions import EMOTIONS
from game.scene_session import TRIALS_PER_SCENE_DRILL


def latest_trial(server: LiveServer) -> dict:
    return next(open_db(server).query("SELECT * FROM trials ORDER BY sent_at DESC LIMIT 1"))


def player_id(server: LiveServer, page: Page) -> str:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "glimpse_player")
    player = players.player_for_token(open_db(server), token)
    assert player is not None
    return player["id"]


def test_a_phone_player_plays_a_whole_scene_drill(page: Page, live_server: LiveServer, screenshot_dir: Path) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    scripts: list[str] = []
    page.on("request", lambda request: scripts.append(request.url) if "/scene/" in request.url else None)
    page.goto(live_server.url + "/")
    scenes = page.locator("#scenes")
    expect(scenes).to_be_enabled()
    assert not scripts, "the first visit loads no scene code"
    scenes.tap()

    context = page.locator("#scene-context")
    expect(context).not_to_be_empty(timeout=15_000)
    expect(page.locator("#scene-caption.speaking")).to_have_count(1, timeout=10_000)
    page.screenshot(path=screenshot_dir / "scene-context.png")
    stage, said = page.locator("#scene-stage").bounding_box(), page.locator("#scene-caption").bounding_box()
    assert stage and said and said["y"] >= stage["y"] + stage["height"], "the spoken line never covers the face"
    caption, shown_context = page.locator("#scene-caption").text_content(), context.text_content()
    assert scripts, "scene code arrived when chosen"
    me = player_id(live_server, page)

    summary = page.locator("#summary")
    right, voided, scored = 0, 0, 0
    for tap in range(3 * TRIALS_PER_SCENE_DRILL):  # voided scenes come back with a new face
        buttons = page.locator("#scene-answers button")
        ready = page.locator("#scene-answers button:enabled, #summary:not([hidden])")
        expect(ready.first).to_be_visible(timeout=20_000)
        if summary.is_visible():
            break  # the last answer's feedback led to the summary
        assert buttons.count() == 7
        expect(page.locator("#scene-prompt")).to_have_text("What did they really feel?")
        if tap == 0:
            page.screenshot(path=screenshot_dir / "scene-question.png")
        # Answer the first scored scene right, the second wrong, to see both feedbacks.
        truth = in_flight_emotion(live_server, me)
        wrong = next(e for e in EMOTIONS if e != truth)
        choice = wrong if scored == 1 else truth
        page.get_by_role("button", name=EMOTIONS[choice].name, exact=True).tap()
        wait_for_scene_verdict(page)
        if tap == 0:  # the first scene, stored with its answer: the line and situation shown were its own
            record = json.loads(latest_trial(live_server)["pose"])
            assert caption == f"“{record['line']}”" and shown_context == record["context"]
        if summary.is_visible():
            break
        if page.locator("#scene-feedback").is_hidden():
            voided += 1  # another scene comes without a tap
            continue
        verdict = page.locator("#scene-verdict").text_content() or ""
        right += choice == truth
        scored += 1
        record = json.loads(latest_trial(live_server)["pose"])
        cue = page.locator("#scene-cue").text_content() or ""
        assert " ms " in cue and EMOTIONS[truth].name in verdict
        assert "not proof of a lie" in (page.locator(".scene-reminder").text_content() or "")
        leak_frames = record["leak"]["onset"] + record["leak"]["apex"] + record["leak"]["offset"]
        marked = page.locator("#scene-timeline rect.onset, #scene-timeline rect.apex, #scene-timeline rect.offset")
        assert marked.count() == leak_frames, "every leaked frame is marked, no other"
        if scored in (1, 2):
            page.screenshot(path=screenshot_dir / f"scene-answer-{'right' if scored == 1 else 'wrong'}.png")
            expect(page.get_by_role("button", name="Next")).to_be_disabled()  # the slow replay runs
            page.wait_for_timeout(600)
            page.screenshot(path=screenshot_dir / f"scene-slow-replay-{scored}.png")
        expect(page.get_by_role("button", name="Next")).to_be_enabled(timeout=20_000)
        if scored == 1:
            # The replay rests on the leak's apex, the playhead on it: the face mid-leak.
            page.locator("#scene-stage").screenshot(path=screenshot_dir / "scene-mid-leak.png")
            page.screenshot(path=screenshot_dir / "scene-replay-end.png")
        if scored == 2:  # both feedbacks seen: a socket plays the scenes between, the page resumes for the last
            play_on_for_the_page(live_server, page, lambda scene: emotion_of(live_server, scene["trialId"]))
            expect(page.locator("#scene-progress")).to_have_text(
                f"Scene {TRIALS_PER_SCENE_DRILL} of {TRIALS_PER_SCENE_DRILL}", timeout=15_000)
            continue
        page.get_by_role("button", name="Next").tap()
    expect(summary).to_be_visible()
    expect(page.locator("#summary-title")).to_have_text("Scenes complete")
    page.screenshot(path=screenshot_dir / "scene-summary.png")
    db = open_db(live_server)
    drill = next(db.query("SELECT * FROM drills WHERE mode = 'scene' AND status = 'completed' AND player_id = ?",
                          [player_id(live_server, page)]))
    assert drill["points"] >= 0 and right >= 1
    assert next(db.query("SELECT COUNT(*) AS n FROM trials WHERE drill_id = ? AND scored = 1",
                         [drill["id"]]))["n"] == TRIALS_PER_SCENE_DRILL
    assert errors == []
    print(f"{voided} scenes voided and replaced")
