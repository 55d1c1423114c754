"""Issue 13 on a phone: every screen at 390x844, 320x568 and 844x390, dark and light.

Each check is something a player notices: a screen that opens scrolled, a face off-screen during the
flash, a target too small for a thumb, text under 12 px, sideways scrolling, a one-frame blink. The loop of a
whole tapped drill (right answers move on, wrong ones wait for Next, the 20th answer's feedback before the summary)
is checked on the whole drill tests/test_e2e_drill.py taps at 390x844, dark.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest
from conftest import SCRIPTED_PLAYERS, DrillClient, LiveServer, become, open_db, page_player, players_in_mid_drill
from playwright.sync_api import Browser, BrowserContext, Page, expect

from game import boards, challenge, players

SIZES = {"portrait": (390, 844), "small": (320, 568), "landscape": (844, 390)}
SCHEMES = ("dark", "light")

# Runs in the page: what a player would trip over on the current screen.
LAYOUT_PROBLEMS = """
() => {
  const problems = [];
  const page = document.scrollingElement;
  if (page.scrollWidth > innerWidth) problems.push(`scrolls sideways by ${page.scrollWidth - innerWidth} px`);
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden" && !el.closest("[hidden]");
  };
  for (const el of document.querySelectorAll("a, button, input, select, [role=tab]")) {
    if (!shown(el) || el.closest(".visually-hidden")) continue;
    let r = el.getBoundingClientRect();
    const label = el.closest("label");
    if (label && (el.type === "radio" || el.type === "checkbox")) r = label.getBoundingClientRect();
    if (r.height < 47.5 || r.width < 47.5) {
      problems.push(`target ${Math.round(r.width)}x${Math.round(r.height)}: ${el.outerHTML.slice(0, 70)}`);
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || !el || !shown(el)) continue;
    if (el.closest(".visually-hidden, [aria-hidden=true], title")) continue;
    let px = parseFloat(getComputedStyle(el).fontSize);
    const svg = el.closest("svg");
    const box = svg?.viewBox.baseVal;
    if (box && box.width) px *= svg.getBoundingClientRect().width / box.width;
    if (px < 11.95) problems.push(`text ${px.toFixed(1)} px: ${walker.currentNode.textContent.trim().slice(0, 40)}`);
  }
  return problems;
}
"""


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of this module's own: its many drills must not show up in other modules' counts."""
    own = LiveServer(tmp_path_factory.mktemp("phone") / "glimpse.db", SCRIPTED_PLAYERS).start()
    yield own
    own.stop()


@pytest.fixture(scope="module")
def drills_at_their_last_trial(live_server: LiveServer) -> Iterator[dict[tuple[str, str], Future[str]]]:
    """For each size and scheme, a player whose drill waits at its 20th trial."""
    with players_in_mid_drill(live_server, [(size, scheme) for size in SIZES for scheme in SCHEMES], 19) as ready:
        yield ready


@pytest.fixture
def phone(browser: Browser) -> Iterator[Callable[..., Page]]:
    contexts: list[BrowserContext] = []

    def open_phone(size: str = "portrait", scheme: str = "dark", **extra: object) -> Page:
        width, height = SIZES[size]
        options = {"viewport": {"width": width, "height": height}, "device_scale_factor": 2, "is_mobile": True,
                   "has_touch": True, "color_scheme": scheme, **extra}
        contexts.append(browser.new_context(**options))
        return contexts[-1].new_page()

    yield open_phone
    for context in contexts:
        context.close()


def assert_fits(page: Page, where: str) -> None:
    problems = page.evaluate(LAYOUT_PROBLEMS)
    assert problems == [], f"{where}: {problems}"


def in_viewport(page: Page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    viewport = page.viewport_size
    assert box is not None and viewport is not None
    return box["y"] >= -0.5 and box["y"] + box["height"] <= viewport["height"] + 0.5 and box["x"] >= -0.5


def open_home(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/")
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_enabled(timeout=15_000)


def wait_for_answers(page: Page) -> None:
    expect(page.locator("#answers button").first).to_be_enabled(timeout=20_000)


def answer(page: Page, name: str | None = None, index: int = 0) -> None:
    """Answer until the answer counts: a voided flash ("One more face") brings another face to answer."""
    for _ in range(15):
        wait_for_answers(page)
        buttons = page.locator("#answers button")
        (page.get_by_role("button", name=name, exact=True) if name else buttons.nth(index)).tap()
        counted = page.locator("#feedback:not([hidden]), #summary:not([hidden]), #answers:not(.waiting)")
        expect(counted.first).to_be_visible(timeout=20_000)
        if page.locator("#feedback").is_visible() or page.locator("#summary").is_visible():
            return
    pytest.fail("15 flashes in a row were voided")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", SIZES)
def test_every_screen_fits_the_phone(phone, live_server: LiveServer, drills_at_their_last_trial, screenshot_dir: Path,
                                     size: str, scheme: str) -> None:
    page = phone(size, scheme)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    shot = lambda name: page.screenshot(path=screenshot_dir / f"phone-{size}-{scheme}-{name}.png")  # noqa: E731

    # First visit: a how-to in the page (not over the title), the Learn link and Play above the fold.
    page.mouse.wheel(0, 0)
    open_home(page, live_server)
    expect(page.locator("#how-to")).to_be_visible()
    expect(page.locator("#how-to")).to_contain_text("never a strobe or flicker")
    assert in_viewport(page, "#home-title") and in_viewport(page, ".learn-link")
    title = page.locator("#home-title").bounding_box()
    assert title is not None
    covering = page.evaluate("([x, y]) => document.elementFromPoint(x, y)?.id", [title["x"] + title["width"] / 2,
                                                                                  title["y"] + title["height"] / 2])
    assert covering == "home-title"
    assert in_viewport(page, "#play")
    shot("home-first-visit")
    assert_fits(page, "home, first visit")
    page.get_by_role("button", name="Got it").tap()
    expect(page.locator("#how-to")).to_be_hidden()
    assert_fits(page, "home")
    # The home face fills its disc to the fraction of a pixel (drawn a whole pixel narrower, the page showed through).
    page.wait_for_function("() => document.getElementById('home-face').style.width !== ''")
    canvas, disc = page.evaluate("() => [document.getElementById('home-face').getBoundingClientRect().width, "
                                 "document.querySelector('.home-face').getBoundingClientRect().width]")
    assert abs(canvas - disc) < 0.01, (canvas, disc)

    # The drill opens at its top, the face wholly on screen during the flash, however far home was scrolled.
    page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")
    page.get_by_role("button", name="Play", exact=True).tap()
    expect(page.locator("#drill")).to_be_visible()
    assert page.evaluate("window.scrollY") == 0
    assert in_viewport(page, "#stage")
    wait_for_answers(page)
    assert in_viewport(page, "#stage")
    for button in page.locator("#answers button").all():
        box = button.bounding_box()
        assert box is not None and box["y"] + box["height"] <= page.viewport_size["height"] + 0.5, "answers in reach"
    shot("drill")
    assert_fits(page, "drill")
    answer(page, index=6)
    expect(page.locator("#feedback, #summary").first).to_be_visible()
    assert_fits(page, "feedback")
    shot("feedback")

    # The summary opens at its top too (a drill resumed at its last trial, answered by the page).
    become(page, live_server, drills_at_their_last_trial[size, scheme].result(timeout=120))
    open_home(page, live_server)
    page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")
    page.get_by_role("button", name="Resume").tap()
    answer(page)
    expect(page.locator("#feedback")).to_be_visible()  # the last answer gets its feedback too
    if page.get_by_role("button", name="See results").is_visible():
        page.get_by_role("button", name="See results").tap()
    expect(page.locator("#summary")).to_be_visible(timeout=20_000)
    assert page.evaluate("window.scrollY") == 0
    assert_fits(page, "summary")
    shot("summary")

    for path, ready in (("/learn", "#learn[data-ready=true]"), ("/stats", "#app:not(.loading)"),
                        ("/boards", "#board-top li"), ("/friends", "#friend-list li")):
        page.goto(live_server.url + path)
        expect(page.locator(ready).first).to_be_attached(timeout=15_000)
        assert_fits(page, path)
        shot(path.strip("/"))
    assert errors == []


def test_resume_shows_the_score_and_quitting_asks_first(phone, live_server: LiveServer) -> None:
    page = phone("small")
    open_home(page, live_server)
    player = page_player(live_server, page)
    player.play_right(3)
    player.close()
    page.reload()
    page.get_by_role("button", name="Resume").tap()
    wait_for_answers(page)
    expect(page.locator("#progress")).to_have_text("Trial 4 of 20")
    expect(page.locator("#score")).to_have_text("3 ✓")
    assert page.locator("#progress-bar").get_attribute("value") == "3"

    page.get_by_role("button", name="Quit drill").tap()
    dialog = page.locator("#quit-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Leave this drill?")
    page.get_by_role("button", name="Keep playing").tap()
    expect(dialog).to_be_hidden()
    expect(page.locator("#drill")).to_be_visible()
    page.get_by_role("button", name="Quit drill").tap()
    page.get_by_role("button", name="Leave", exact=True).tap()
    expect(page.locator("#home")).to_be_visible()
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_enabled()
    expect(page.locator("#resume-offer")).to_be_hidden()


def test_replay_slowly_ends_without_a_blink(phone, live_server: LiveServer) -> None:
    """The expression's opacity, frame by frame, through a slow replay: every phase lasts many frames."""
    page = phone()
    open_home(page, live_server)
    page.get_by_role("button", name="Got it").tap()
    page.get_by_role("button", name="Play", exact=True).tap()
    for _ in range(40):  # answer until a wrong one (its feedback keeps Replay slowly)
        ready = page.locator("#next:visible, #answers:not([hidden]):not(.waiting)")
        expect(ready.first).to_be_visible(timeout=20_000)
        if page.locator("#next").is_visible():
            break
        page.get_by_role("button", name="Contempt", exact=True).tap()
    expect(page.get_by_role("button", name="Replay slowly")).to_be_visible()
    page.evaluate("""() => {
      window.opacityLog = [];
      const expression = document.getElementById("face-expression");
      const tick = (now) => {
        window.opacityLog.push([expression.style.opacity, now]);
        if (window.opacityLog.length < 150) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    }""")
    page.get_by_role("button", name="Replay slowly").tap()
    expect(page.locator("#next")).to_be_disabled()
    expect(page.locator("#next")).to_be_enabled(timeout=10_000)
    page.wait_for_timeout(600)
    log = page.evaluate("window.opacityLog")
    # Runs of one opacity and how long each lasted on screen (to the next run's first frame): durations, not
    # frame counts, since a loaded machine drops frames.
    runs: list[tuple[str, float]] = []
    starts: list[float] = []
    for opacity, now in log:
        if not runs or runs[-1][0] != opacity:
            runs.append((opacity, 0.0))
            starts.append(now)
        runs[-1] = (opacity, now - starts[-1])
    for i in range(len(runs) - 1):
        runs[i] = (runs[i][0], starts[i + 1] - starts[i])
    shown = [ms for opacity, ms in runs if opacity == "1"]
    assert any(ms >= 450 for ms in shown), runs  # the slow flash itself, about 600 ms
    assert runs[-1][0] != "1", f"it ends on the neutral face: {runs}"
    assert all(ms >= 150 for _, ms in runs[1:-1]), f"no blink: {runs}"


def test_offline_pages_say_so(phone, live_server: LiveServer) -> None:
    page = phone()
    open_home(page, live_server)
    page.evaluate("navigator.serviceWorker.ready")
    page.wait_for_function("() => navigator.serviceWorker.controller?.state === 'activated'", timeout=15_000)
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#sync-status")).to_contain_text("offline", timeout=15_000)
    assert_fits(page, "home offline")
    for path in ("/boards", "/friends"):
        page.goto(live_server.url + path)
        expect(page.get_by_text("offline", exact=False).first).to_be_visible()
        expect(page.locator("#home-title")).to_have_count(0)  # not the home page under another URL
        assert_fits(page, f"{path} offline")


def test_key_badges_only_where_there_are_keys(phone, live_server: LiveServer) -> None:
    for touch_only, visible in ((True, False), (False, True)):
        page = phone(is_mobile=touch_only, has_touch=touch_only)
        open_home(page, live_server)
        page.get_by_role("button", name="Got it").click()
        page.get_by_role("button", name="Play", exact=True).click()
        badge = page.locator("#answers .key").first
        expect(badge).to_be_visible() if visible else expect(badge).to_be_hidden()


def test_nickname_and_friend_removal_speak_plainly(phone, live_server: LiveServer) -> None:
    page = phone("small", "light")
    open_home(page, live_server)
    page.get_by_role("button", name="Got it").tap()
    page.locator("#nickname").fill("A")
    page.get_by_role("button", name="Save").tap()
    expect(page.locator("#nickname-status")).to_have_text("Nickname must be 2–20 characters.")
    expect(page.locator("#nickname")).to_have_attribute("aria-invalid", "true")

    friend = DrillClient(live_server)
    code = friend_code(live_server, friend.cookie)
    friend.close()
    page.goto(live_server.url + "/friends")
    page.locator("#friend-code").fill(code)
    page.get_by_role("button", name="Add", exact=True).tap()
    expect(page.locator("#add-status")).to_contain_text("now friends")
    remove = page.locator("#friend-list button")
    remove.tap()
    expect(page.locator("#remove-dialog")).to_be_visible()
    page.get_by_role("button", name="Keep", exact=True).tap()
    expect(page.locator("#friend-list button")).to_have_count(1)
    remove.tap()
    page.locator("#remove-confirm").tap()
    expect(page.locator("#friend-list")).to_contain_text("No friends yet")


def friend_code(server: LiveServer, cookie: str) -> str:
    import json
    import urllib.request

    request = urllib.request.Request(server.url + "/api/friends", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["code"]


@pytest.mark.parametrize(("motion", "animated"), [("no-preference", True), ("reduce", False)])
def test_the_celebration_respects_reduced_motion(phone, live_server: LiveServer, motion: str, animated: bool) -> None:
    page = phone(reduced_motion=motion)
    open_home(page, live_server)
    page.evaluate("document.getElementById('summary').classList.add('celebrate')")  # as after a good drill
    style = page.evaluate("""() => {
      const piece = document.querySelector('.confetti i');
      return [getComputedStyle(piece.parentElement).display, getComputedStyle(piece).animationName];
    }""")
    assert (style == ["block", "confetti"]) is animated, style
    if not animated:
        assert style[0] == "none"


def test_the_board_histogram_marks_your_score_on_its_bar(phone, live_server: LiveServer, screenshot_dir: Path) -> None:
    page = phone()
    open_home(page, live_server)
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "glimpse_player")
    db = open_db(live_server)
    board = boards.challenge_board(challenge.today(time.time()))
    with db.conn:
        me, _ = players.create_player(db, token)
        for score in (40, 75, 110, 150, 230, 260):
            other, _ = players.create_player(db)
            boards.set_visibility(db, other["id"], True)
            boards.set_score(db, board, other["id"], score)
        boards.set_score(db, board, me["id"], 190)  # a new player: off the public board, still on their own chart
    db.conn.close()

    page.goto(live_server.url + "/boards")
    chart = page.locator("#board-histogram svg")
    expect(chart).to_be_visible(timeout=15_000)
    expect(chart).to_have_attribute("aria-label", re.compile(r"you scored 190\b"))
    expect(chart.locator("text.you-label")).to_have_text("you")
    marker = float(chart.locator("line.you").get_attribute("x1") or "nan")
    bars = chart.locator("rect").evaluate_all(
        "rects => rects.map(r => [r.x.baseVal.value, r.width.baseVal.value, r.textContent])")
    spans = [(left, width, [int(n) for n in re.findall(r"\d+", title)[:2]]) for left, width, title in bars]
    (left, width, (low, high)), = [span for span in spans if span[2][0] <= 190 <= span[2][1]]
    assert left - 1 <= marker <= left + width + 1, f"'you' at x={marker}; the {low}-{high} bar is {left}+{width}"
    assert_fits(page, "/boards with a histogram")
    page.screenshot(path=screenshot_dir / "phone-boards-histogram.png")
