"""The Learn page as a player sees it on a phone: seven emotions, live faces, working controls."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

EMOTIONS = ["happiness", "sadness", "surprise", "fear", "anger", "disgust", "contempt"]


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    errors: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", record)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture
def learn(page: Page, base_url: str, console_errors: list[str]) -> Page:
    page.goto(base_url + "/learn")
    expect(page.locator("#learn[data-ready=true]")).to_be_attached(timeout=15_000)
    return page


def canvas_pixels(page: Page, selector: str) -> str:
    """The face's pixels once drawn for the current seed (faces are drawn as they come near the screen)."""
    canvas = page.locator(selector)
    canvas.scroll_into_view_if_needed()
    expect(canvas).to_have_attribute("data-drawn", page.locator("#learn").get_attribute("data-seed") or "")
    return canvas.evaluate("canvas => canvas.toDataURL('image/png')")


def test_shows_all_seven_emotions_with_a_face_each(learn: Page) -> None:
    cards = learn.locator("article.emotion")
    expect(cards).to_have_count(7)
    assert [cards.nth(i).get_attribute("data-emotion") for i in range(7)] == EMOTIONS
    for key in EMOTIONS:
        card = learn.locator(f"article[data-emotion={key}]")
        expect(card.locator("canvas.learn-face")).to_have_attribute("aria-label", f"Face showing {key} at 100%")
        expect(card.locator("ul.cues li").first).not_to_be_empty()
        expect(card.get_by_role("slider", name="Intensity")).to_be_visible()


def test_each_face_sits_inside_its_card_above_the_controls(learn: Page) -> None:
    for key in EMOTIONS:
        card = learn.locator(f"article[data-emotion={key}]")
        card.scroll_into_view_if_needed()
        face = card.locator("canvas.learn-face").bounding_box()
        box = card.bounding_box()
        slider = card.get_by_role("slider", name="Intensity").bounding_box()
        assert face and box and slider
        assert face["width"] >= 300, "the face should fill a phone-width card"
        assert box["y"] <= face["y"] and face["y"] + face["height"] <= slider["y"] + 1
        assert box["x"] <= face["x"] and face["x"] + face["width"] <= box["x"] + box["width"], "face overflows"


def test_compare_faces_fit_side_by_side_on_a_phone(learn: Page) -> None:
    section = learn.locator("#compare")
    section.scroll_into_view_if_needed()
    box = section.bounding_box()
    faces = [section.locator("canvas.learn-face").nth(i).bounding_box() for i in range(2)]
    assert box and all(faces)
    left, right = faces
    assert left["x"] + left["width"] <= right["x"], "side by side, not overlapping"
    assert right["x"] + right["width"] <= box["x"] + box["width"], "second face overflows the card"
    assert abs(left["y"] - right["y"]) < 1


def test_faces_are_drawn_not_blank(learn: Page) -> None:
    blank = learn.evaluate("() => { const c = document.createElement('canvas'); c.width = c.height = 8; "
                           "return c.toDataURL('image/png'); }")
    for key in EMOTIONS:
        assert canvas_pixels(learn, f"article[data-emotion={key}] canvas.learn-face") != blank


def test_intensity_slider_changes_the_drawn_face(learn: Page) -> None:
    face = "article[data-emotion=happiness] canvas.learn-face"
    full = canvas_pixels(learn, face)
    learn.locator("#intensity-happiness").fill("20")
    expect(learn.locator("article[data-emotion=happiness] output")).to_have_text("20%")
    faint = canvas_pixels(learn, face)
    learn.locator("#intensity-happiness").fill("0")
    neutral = canvas_pixels(learn, face)
    assert len({full, faint, neutral}) == 3


def test_neutral_intensity_looks_the_same_for_every_emotion(learn: Page) -> None:
    """At 0% every emotion is the same neutral face: intensity really scales the expression."""
    for key in ("happiness", "anger"):
        learn.locator(f"#intensity-{key}").fill("0")
    assert canvas_pixels(learn, "article[data-emotion=happiness] canvas.learn-face") == canvas_pixels(
        learn, "article[data-emotion=anger] canvas.learn-face")


def test_new_face_changes_every_face(learn: Page) -> None:
    face = "article[data-emotion=surprise] canvas.learn-face"
    before = canvas_pixels(learn, face)
    seed_before = learn.locator("#learn").get_attribute("data-seed")
    learn.get_by_role("button", name="New face").click()
    expect(learn.locator("#learn")).not_to_have_attribute("data-seed", seed_before or "")
    expect(learn.locator("#learn[data-ready=true]")).to_be_attached()  # faces are redrawn one per frame
    assert canvas_pixels(learn, face) != before


def test_flash_shows_neutral_around_the_expression_then_restores_it(learn: Page) -> None:
    card = learn.locator("article[data-emotion=fear]")
    face = "article[data-emotion=fear] canvas.learn-face"
    expression = canvas_pixels(learn, face)
    learn.locator("label[for=frames-2]").click()
    button = card.get_by_role("button", name="Flash it")
    button.click()
    expect(button).to_have_text("Flash it · 2 frames")
    expect(button).to_be_disabled()
    assert canvas_pixels(learn, face) != expression  # neutral lead-in on screen
    expect(button).to_be_enabled(timeout=10_000)
    assert canvas_pixels(learn, face) == expression


def test_compare_puts_two_emotions_on_the_same_face(learn: Page) -> None:
    learn.locator("article[data-emotion=anger]").get_by_role("button", name="Compare with disgust").click()
    section = learn.locator("#compare")
    expect(section.locator("select").nth(0)).to_have_value("anger")
    expect(section.locator("select").nth(1)).to_have_value("disgust")
    expect(section.locator(".tell")).to_contain_text("nose")
    faces = section.locator("canvas.learn-face")
    assert faces.nth(0).evaluate("c => c.toDataURL()") != faces.nth(1).evaluate("c => c.toDataURL()")


def test_tap_targets_are_large_enough(learn: Page) -> None:
    for control in learn.locator("#learn button, #learn select, #learn .speed label, #learn nav a").all():
        if not control.is_visible():
            continue
        box = control.bounding_box()
        assert box is not None
        assert box["height"] >= 47.5, control.evaluate("e => e.outerHTML")


def test_no_console_errors_and_screenshot(learn: Page, console_errors: list[str], screenshot_dir: Path) -> None:
    learn.locator("#intensity-sadness").fill("70")
    learn.get_by_role("button", name="New face").click()
    expect(learn.locator("#learn[data-ready=true]")).to_be_attached()
    learn.screenshot(path=str(screenshot_dir / "learn.png"))
    assert console_errors == []


FRAME_LOG = """
(() => {
  window.__frame = 0;
  const tick = () => { window.__frame += 1; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  window.__shown = [];
  const ids = new WeakMap();
  let next = 0;
  const drawImage = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (source, ...rest) {
    if (!ids.has(source)) ids.set(source, next++);
    const card = this.canvas.closest && this.canvas.closest("article");
    if (card) window.__shown.push([window.__frame, ids.get(source), card.dataset.emotion]);
    return drawImage.call(this, source, ...rest);
  };
})();
"""


@pytest.mark.parametrize("frames", [1, 3, 12])
def test_flash_shows_the_expression_for_exactly_the_chosen_number_of_frames(
    page: Page, base_url: str, frames: int
) -> None:
    page.add_init_script(FRAME_LOG)
    page.goto(base_url + "/learn")
    expect(page.locator("#learn[data-ready=true]")).to_be_attached(timeout=15_000)
    page.locator(f"label[for=frames-{frames}]").click()
    canvas_pixels(page, "article[data-emotion=surprise] canvas.learn-face")  # drawn before we start logging
    page.evaluate("() => { window.__shown = []; }")
    button = page.locator("article[data-emotion=surprise]").get_by_role("button", name="Flash it")
    button.click()
    expect(button).to_be_enabled(timeout=10_000)
    shown = [(frame, source) for frame, source, key in page.evaluate("() => window.__shown") if key == "surprise"]
    expression = shown[-1][1]  # the card ends on the expression again
    neutral = shown[0][1]
    assert neutral != expression
    onsets = [i for i, (_, source) in enumerate(shown) if source == expression]
    first = onsets[0]
    offset = next(i for i in range(first, len(shown)) if shown[i][1] == neutral)
    assert shown[offset][0] - shown[first][0] == frames

