"""'Beat my score' links: the same 20 trials for whoever opens one, results side by side, one try each."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from duel_client import PERIOD_MS, DuelClient, read_face, wrong
from harness import LiveServer


@pytest.fixture
def server(duel_server: LiveServer) -> LiveServer:
    return duel_server


@pytest.fixture(scope="module", autouse=True)
def played_links(duel_server: LiveServer) -> Iterator[tuple[Future[dict], Future[dict]]]:
    """Two links played over sockets from the module's first test on, side by side with the browser's (a link's 20
    faces at a person's pace take ~45 s, nearly all of it waiting for flashes and reveals): one Ana made and played
    with 12 right, for the browser test; another Ana played with 14 right and Ben then opened and played
    (test_the_same_twenty_trials_for_whoever_opens_the_link checks what they saw)."""
    def make_and_play() -> dict:
        ana = DuelClient(duel_server.url)
        try:
            _, link, _ = http(duel_server, "/api/challenges", ana.cookie, "POST")
            play_link(ana, link["code"], right=set(range(1, 13)))
        finally:
            ana.close()
        return link

    def ana_then_ben() -> dict:
        seen: dict = {}
        ana = DuelClient(duel_server.url)
        try:
            seen["made"] = http(duel_server, "/api/challenges", ana.cookie, "POST")
            code = seen["made"][1]["code"]
            seen["ana"] = play_link(ana, code, right=set(range(1, 15)))
            # Ben is new: he opens the link straight from a chat app and gets a player there.
            seen["invited"] = http(duel_server, f"/c/{code}")
            seen["before"] = http(duel_server, f"/api/challenges/{code}", seen["invited"][2])
            ben = DuelClient(duel_server.url, cookie=seen["invited"][2])
            try:
                seen["ben"] = play_link(ben, code, right=set(range(1, 17)))
                seen["after"] = http(duel_server, f"/api/challenges/{code}", ben.cookie)
                seen["result page"] = http(duel_server, f"/c/{code}", ben.cookie)
                seen["again"] = ben.ask({"type": "challenge", "code": code, "refreshMs": PERIOD_MS}, "joined")
            finally:
                ben.close()
        finally:
            ana.close()
        return seen

    with ThreadPoolExecutor(max_workers=2) as pool:
        yield pool.submit(make_and_play), pool.submit(ana_then_ben)


def http(server: LiveServer, path: str, cookie: str | None = None, method: str = "GET") -> tuple[int, dict | str, str]:
    request = urllib.request.Request(server.url + path, method=method, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            body = response.read().decode()
            set_cookie = (response.headers.get("Set-Cookie") or "").split(";", 1)[0]
            kind = response.headers.get("Content-Type", "")
            return response.status, json.loads(body) if "json" in kind else body, set_cookie
    except urllib.error.HTTPError as error:
        body = error.read().decode()
        return error.code, json.loads(body) if "json" in error.headers.get("Content-Type", "") else body, ""


def play_link(phone: DuelClient, code: str, right: set[int]) -> tuple[list[dict], dict]:
    """Play a link's 20 trials, right on the positions in `right`; return the trials and `done`."""
    started = phone.ask({"type": "challenge", "code": code, "refreshMs": PERIOD_MS}, "joined")
    assert started["type"] == "joined", started
    trials = []
    for _ in range(20):
        trial = phone.next("trial")
        trials.append(trial)
        truth = read_face(trial)
        phone.answer(trial, truth if trial["position"] in right else wrong(truth), think_s=0.2)
        phone.next("round")
    return trials, phone.next("done")


# The browser's test first: it plays while the sockets' second link is still being played.
def test_a_new_player_opens_a_challenge_link_plays_and_sees_both_results(
        browser, played_links: tuple[Future[dict], Future[dict]], screenshot_dir) -> None:
    from harness import PHONE
    from playwright.sync_api import expect

    from game.emotions import EMOTIONS

    link = played_links[0].result(timeout=180)
    context = browser.new_context(**PHONE)  # a brand-new phone, from a chat app's link
    trials: list[dict] = []
    try:
        page = context.new_page()
        page.on("websocket", lambda socket: socket.on(
            "framereceived", lambda payload: trials.append(json.loads(payload))))
        page.goto(link["url"])
        expect(page.locator("#challenge-target")).to_contain_text("12/20")
        page.screenshot(path=screenshot_dir / "challenge-invited.png")
        page.get_by_role("button", name="Play the 20 faces").tap()
        for position in range(1, 21):
            expect(page.locator("#play-progress")).to_have_text(f"Face {position} of 20", timeout=20_000)
            expect(page.locator("#answers button").first).to_be_enabled(timeout=20_000)
            trial = [m for m in trials if m.get("type") == "trial"][-1]
            truth = read_face(trial)
            page.get_by_role("button", name=EMOTIONS[truth if position <= 15 else wrong(truth)].name).tap()
            if position == 3:
                expect(page.locator("#answers .truth")).to_have_count(1)
                page.screenshot(path=screenshot_dir / "challenge-playing.png")
        expect(page.locator("#versus")).to_be_visible(timeout=20_000)
        expect(page.locator("#challenge-score")).to_contain_text("15/20")
        expect(page.locator("#challenge-verdict")).to_contain_text("You beat")
        expect(page.locator("#versus tbody tr")).to_have_count(20)
        page.screenshot(path=screenshot_dir / "challenge-side-by-side.png", full_page=True)
    finally:
        context.close()


def test_the_same_twenty_trials_for_whoever_opens_the_link(played_links: tuple[Future[dict], Future[dict]]) -> None:
    seen = played_links[1].result(timeout=300)
    status, link, _ = seen["made"]
    assert status == 200 and link["trials"] == 20 and link["url"].endswith(f"/c/{link['code']}")
    ana_trials, ana_done = seen["ana"]
    assert ana_done["standings"][0]["correct"] == 14

    # Ben is new: he opened the link straight from a chat app, got a player there, and saw Ana's score.
    status, page, ben_cookie = seen["invited"]
    assert status == 200 and ben_cookie.startswith("glimpse_player=")
    assert "challenges you" in page and "14/20" in page and "Play the 20 faces" in page
    status, before, _ = seen["before"]
    assert before["played"] is False and before["emotions"] is None
    assert all("outcomes" not in play for play in before["plays"])  # nothing to peek at before playing

    ben_trials, _ = seen["ben"]
    same = lambda trials: [(t["identitySeed"], t["identity"], read_face(t), t["exposureFrames"]) for t in trials]  # noqa: E731
    assert same(ben_trials) == same(ana_trials)  # the same faces, emotions and flashes...
    assert ben_trials[0]["expression"] != ana_trials[0]["expression"]  # ...each attempt's poses jittered

    status, after, _ = seen["after"]
    assert after["played"] and len(after["emotions"]) == 20
    plays = {("me" if p["me"] else p["name"] or "ana"): p for p in after["plays"]}
    assert plays["me"]["correct"] == 16 and len(plays["me"]["outcomes"]) == 20
    status, page, _ = seen["result page"]
    assert "You beat" in page and page.count("<tr>") >= 21  # side by side, trial by trial
    assert seen["again"]["code"] == "already_played"


def test_a_dropped_attempt_resumes_where_it_was(server: LiveServer) -> None:
    ana = DuelClient(server.url)
    _, link, _ = http(server, "/api/challenges", ana.cookie, "POST")
    ana.ask({"type": "challenge", "code": link["code"], "refreshMs": PERIOD_MS}, "joined")
    first = ana.next("trial")
    ana.answer(first, read_face(first))
    ana.next("round")
    ana.next("trial")
    ana.close()
    back = DuelClient(server.url, cookie=ana.cookie)
    assert back.ask({"type": "challenge", "code": link["code"], "refreshMs": PERIOD_MS}, "joined")["type"] == "joined"
    assert back.next("trial")["position"] == 2
    back.close()


def test_unknown_links(server: LiveServer) -> None:
    status, page, _ = http(server, "/c/ZZZZ2345")
    assert status == 404 and "No such challenge" in page
    assert http(server, "/api/challenges/ZZZZ2345")[1]["error"] == "unknown_challenge"
    assert http(server, "/api/challenges/0000")[1]["error"] == "bad_code"
