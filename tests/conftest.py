"""Shared fixtures: a real gunicorn server on loopback and Debian's Chromium."""

from __future__ import annotations

import contextlib
import json
import os
import random
import time
import urllib.request
from collections.abc import Hashable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import msgspec
import pytest
from harness import CHROMIUM, CHROMIUM_ARGS, PHONE, ROOT, LiveServer

from game import ws
from game.db import pool
from game.drills import DrillSession

MANY_PLAYERS_FROM_LOOPBACK = {"GLIMPSE_NEW_PLAYERS_PER_MINUTE": "100000",
                              "GLIMPSE_FRIEND_REQUESTS_PER_ADDRESS_MINUTE": "100000"}
# Scripted clients also answer as soon as a person could tap, not after the flash's full display time
# (tests/test_fairplay.py keeps the production clock rules).
SCRIPTED_PLAYERS = {**MANY_PLAYERS_FROM_LOOPBACK, "GLIMPSE_ANSWER_CLOCK_SCALE": "0"}
ARTIFACTS = ROOT / "screenshots"  # pytest-playwright empties test-results/ at every start
# Every server the tests start (LiveServer passes this environment on) brotli-compresses the static files at
# quality 5, not 11: ~4 s less CPU per start on a loaded 2-core box; the bytes still decode the same.
os.environ.setdefault("GLIMPSE_STATIC_BROTLI_QUALITY", "5")

# `make test` runs files on two workers, a file per worker at a time (--dist loadfile), handed out in collection
# order. Heaviest first, so the last files handed out are short and both workers finish together (xdist's own
# order, most tests first, left one worker ~3 minutes alone at the end: pyproject.toml turns it off). Seconds a
# file took in a full run on a loaded 2-core box (load ~13-18; tests-time14's files scaled by what they took alone
# before and after); files not listed follow, in their usual order.
# A new file that takes longer than the last one listed belongs here.
FILE_SECONDS = {
    "test_pwa.py": 302, "test_scene_timing.py": 289, "test_flash_timing.py": 207, "test_fairplay.py": 119,
    "test_challenge_links.py": 136, "test_e2e_drill.py": 114, "test_scene_offline.py": 104, "test_phone.py": 102,
    "test_face_validation.py": 92, "test_js.py": 90, "test_e2e_checkup.py": 60, "test_duel_ws.py": 60,
    "test_rewards_ws.py": 53, "test_a11y.py": 50, "test_checkup.py": 43, "test_e2e_scenes.py": 42, "test_ws.py": 39,
    "test_learn_page.py": 38, "test_properties.py": 27, "test_hostile.py": 25, "test_e2e_duel.py": 24,
    "test_backup.py": 21, "test_duel_fairplay.py": 21, "test_social_loop.py": 18, "test_e2e_social.py": 16,
    "test_staircase.py": 16, "test_item_report.py": 15, "test_scene_learn.py": 14,
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Stable: the tests of a file keep their order (and their module-scoped servers).
    items.sort(key=lambda item: (-FILE_SECONDS.get(item.path.name, 0), str(item.path)))


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # Every test plays new players from 127.0.0.1: lift the per-address creation limit here only
    # (tests/test_hostile.py runs a server with the production limits).
    server = LiveServer(tmp_path_factory.mktemp("server") / "glimpse.db", SCRIPTED_PLAYERS).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def duel_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server whose duels pause briefly between phases (tests/duel_client.py DUEL_PACE); trial rules unchanged."""
    from duel_client import DUEL_PACE

    # The production clock rules (an answer waits for the face to be shown); many players from loopback.
    server = LiveServer(tmp_path_factory.mktemp("duels") / "glimpse.db",
                        env={**MANY_PLAYERS_FROM_LOOPBACK, "GLIMPSE_DUEL_PACE": DUEL_PACE})
    server.start(boot_timeout_s=120)  # a box shared by many test runs can take over 30 s to boot a worker
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    return live_server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's chromium is missing at {CHROMIUM}: apt-get install chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, **PHONE}


@pytest.fixture
def screenshot_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class StoppedClock:
    """A server clock for in-process drill sessions (``DrillSession(clock=...)``): it moves only when a test sets
    ``now``."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class InProcessSocket:
    """A drill socket without the network: the real ``DrillSession`` and ``ws._handle``, a pooled SQLite connection
    lent for each message, as the worker lends it (call inside an app context)."""

    def __init__(self, player_id: str, clock: StoppedClock) -> None:
        session = self.session = DrillSession(None, player_id, clock=clock)  # type: ignore[arg-type]
        self.handlers = {ws.Hello: lambda m: [session.welcome(m)], ws.Start: session.start,
                         ws.Resume: session.resume, ws.Next: lambda _m: session.next_trial(),
                         ws.Answer: session.answer}

    def send(self, message: dict) -> list[dict]:
        """The replies to one message; none may be an error."""
        with pool().connection() as db:
            self.session.db = db
            replies = ws._handle(_encode(message).decode(), self.handlers)
            self.session.db = None
        assert all(reply["type"] != "error" for reply in replies), replies
        return replies


_encode = msgspec.json.Encoder().encode


class DrillClient:
    """A real WebSocket client holding a player's cookie, as a browser tab would."""

    def __init__(self, server: LiveServer, cookie: str | None = None, origin: str | None = None,
                 resume: str | None = None) -> None:
        """:param resume: the unfinished drill this socket comes back to, as a page's reconnect names it"""
        import websocket  # websocket-client

        self.server = server
        self.cookie = cookie if cookie is not None else new_player_cookie(server)
        self.received_at: dict[str, float] = {}  # trial id -> when it arrived (monotonic)
        self.drill_id: str | None = None  # the drill the last `started` named
        self.reactions = random.Random()
        # Under the production clock rules (a server without GLIMPSE_ANSWER_CLOCK_SCALE=0) an answer also waits for
        # the face, flash and mask to have been shown at 60 Hz, as a browser's does.
        self.waits_for_the_face = False
        self.ws = websocket.create_connection(
            server.ws_url + (f"?resume={resume}" if resume else ""), cookie=self.cookie, origin=origin or server.url,
            timeout=10)

    def send(self, message: dict | str | bytes) -> None:
        import json

        self.ws.send(message if isinstance(message, str | bytes) else json.dumps(message))

    def receive(self) -> dict:
        import json

        message = json.loads(self.ws.recv())
        if message.get("type") == "started":
            self.drill_id = message["drillId"]
        if message.get("type") in ("trial", "scene"):
            if message["type"] == "trial":
                self.received_at[message["trialId"]] = time.monotonic()
            if self.drill_id is not None:
                SENT[message["trialId"]] = (self.drill_id, message["position"])
        return message

    def ask(self, message: dict | str) -> dict:
        self.send(message)
        return self.receive()

    def close(self) -> None:
        with contextlib.suppress(OSError):  # the server may have hung up already
            self.ws.close(timeout=1)
        self.ws.shutdown()  # close() skips the socket when the server closed first

    def answer(self, trial: dict, answer: str, **overrides: object) -> dict:
        """Answer a trial as a well-behaved browser that showed it exactly as asked, with a person's quickest
        reaction times (varied, over the 150 ms floor; the shared server does not wait for the display time)."""
        message = {"type": "answer", "trialId": trial["trialId"], "answer": answer,
                   "framesShown": trial["exposureFrames"], "refreshMs": 16.667, "maxGapMs": 17.0,
                   "reactionMs": round(self.reactions.uniform(170, 320), 1), **overrides}
        wait = 0.003
        reaction_ms = message["reactionMs"]
        if isinstance(reaction_ms, int | float) and reaction_ms <= 2000:  # longer ones test the server's check
            elapsed = time.monotonic() - self.received_at.get(trial["trialId"], time.monotonic())
            shown_s = 0.0
            if self.waits_for_the_face:
                frames = trial["foreperiodFrames"] + trial["exposureFrames"] + trial["maskFrames"]
                shown_s = frames * 16.667 / 1000
            wait = max(wait, shown_s + reaction_ms / 1000 - elapsed + 0.003)  # never longer than the trial has existed
        time.sleep(wait)
        return self.ask(message)


    def play_right(self, count: int = 20) -> dict:
        """Start a speed drill and answer its first `count` trials correctly; return the last reply.

        After the 20th answer that reply is the drill's summary.
        """
        self.ask({"type": "hello", "v": 1})
        self.send({"type": "start", "refreshMs": 16.667})
        self.receive()
        trial = self.receive()
        for position in range(1, count + 1):
            reply = self.answer(trial, emotion_of(self.server, trial["trialId"]))
            if position < count:
                trial = self.ask({"type": "next"})
        return self.receive() if reply.get("done") else reply


def page_player(server: LiveServer, page) -> DrillClient:
    """A socket for the player a Playwright page is, by its cookie."""
    cookie = next(c for c in page.context.cookies() if c["name"] == "glimpse_player")
    return DrillClient(server, cookie=f"glimpse_player={cookie['value']}")


@contextlib.contextmanager
def players_in_mid_drill(server: LiveServer, keys: Iterable[Hashable], answered: int) -> Iterator[dict]:
    """For each key, a new player (their cookie, when ready) whose drill waits after `answered` right answers.

    Played over sockets all at once: a scripted player answers at a person's pace, so one after another
    they would take as long as that many drills.
    """
    def prepare() -> str:
        player = DrillClient(server)
        try:
            player.play_right(answered)
        finally:
            player.close()
        return player.cookie

    keys = list(keys)
    with ThreadPoolExecutor(max_workers=len(keys)) as pool:
        yield {key: pool.submit(prepare) for key in keys}


def become(page, server: LiveServer, cookie: str) -> None:
    """The page's browser holds another player's cookie from now on (their other device, say)."""
    name, value = cookie.split("=", 1)
    page.context.add_cookies([{"name": name, "value": value, "url": server.url}])


def play_on_for_the_page(server: LiveServer, page, answer_for, leave: int = 1, clock_rules: bool = False) -> set[str]:
    """Take over the page's unfinished drill on a socket, as the player's other tab would, and answer it up
    to its last `leave` trials; then the page goes home, where Resume brings those last trials. Returns the ids
    of the speed trials the socket answered.

    For browser tests whose point is a drill's first and last screens: the trials between are the same
    screens again at the browser's production pace (seconds each), so a scripted client plays them, each
    answer chosen by ``answer_for(trial message)``; with `clock_rules` (a server with the production clock
    rules) each answer waits for the face to have been shown.
    """
    page.goto("about:blank")  # the page lets go of its socket
    player = page_player(server, page)
    player.waits_for_the_face = clock_rules
    try:
        active = player.ask({"type": "hello", "v": 1})["activeDrill"]
        assert active, "the page left no drill to take over"
        started = player.ask({"type": "resume", "drillId": active["id"], "refreshMs": 16.667})
        assert started["type"] == "started", started
        answered, trial = started["answered"], player.receive()
        while True:
            shown = {**trial, "exposureFrames": trial["window"]["frames"]} if trial["type"] == "scene" else trial
            result = player.answer(shown, answer_for(trial))
            assert result["type"] == "result", result
            answered += bool(result["scored"])
            if answered >= started["total"] - leave:
                break
            trial = player.ask({"type": "next"})
    finally:
        player.close()
    page.goto(server.url + "/")
    resume = page.get_by_role("button", name="Resume")
    from playwright.sync_api import expect

    expect(page.locator("#resume-text")).to_contain_text(f"({started['total'] - leave} of {started['total']} done)")
    resume.tap()
    return set(player.received_at)


def new_player_cookie(server: LiveServer) -> str:
    """Visit the home page as a new browser and return its player cookie."""
    with urllib.request.urlopen(server.url + "/", timeout=10) as response:
        cookie = response.headers["Set-Cookie"].split(";", 1)[0]
    assert cookie.startswith("glimpse_player=")
    return cookie


def open_db(server: LiveServer):
    import sqlite_utils

    return sqlite_utils.Database(server.database)


def stored_trial(db, trial_id: str) -> dict:
    """A stored trial's row by its id (trials have no index by id: a scan, fine for a test's database)."""
    return next(db["trials"].rows_where("id = ?", [trial_id]))


SENT: dict[str, tuple[str, int]] = {}  # trial id -> (drill id, position), as DrillClients received them


def emotion_of(server: LiveServer, trial_id: str) -> str:
    """The truth, read where the server keeps it (the client is never told before answering): the trial's row once
    stored (answered or closed); for a trial in flight, which the server holds in memory, its drill's plan at its
    position (the server rewrites the plan before replaying a voided flash with a fresh emotion)."""
    db = open_db(server)
    row = db.execute("SELECT emotion FROM trials WHERE id = ?", [trial_id]).fetchone()
    if row is not None:
        return row[0]
    drill_id, position = SENT[trial_id]
    return json.loads(db["drills"].get(drill_id)["plan"])[position - 1]


def in_flight_emotion(server: LiveServer, player_id: str) -> str:
    """The emotion of the trial a page shows now (in flight): its player's active drill's plan at the next position."""
    db = open_db(server)
    drill_id, plan = db.execute("SELECT id, plan FROM drills WHERE player_id = ? AND status = 'active'",
                                [player_id]).fetchone()
    scored = db.execute("SELECT COUNT(*) FROM trials WHERE drill_id = ? AND scored = 1", [drill_id]).fetchone()[0]
    return json.loads(plan)[scored]


@pytest.fixture
def connect(live_server: LiveServer) -> Iterator:
    """Open as many clients as a test needs; all are closed afterwards."""
    opened: list[DrillClient] = []

    def open_client(**kwargs: object) -> DrillClient:
        opened.append(DrillClient(live_server, **kwargs))
        return opened[-1]

    yield open_client
    for drill_client in opened:
        drill_client.close()


@pytest.fixture
def client(connect) -> DrillClient:
    return connect()


def play_drill_by_tapping(page, emotion_name: str, limit: int = 200, stop_after: int | None = None) -> int:
    """Tap `emotion_name` for every face until the summary (or `stop_after` taps, once the last one's outcome shows);
    returns the answers given (voided ones included).

    A right answer moves on by itself, a wrong one waits for Next (tapped here), a voided flash brings
    another face without a tap: whichever comes, the loop takes it.
    """
    from playwright.sync_api import expect

    summary = page.locator("#summary")
    answers = 0
    for _ in range(limit):
        ready = page.locator("#summary:not([hidden]), #next:visible, #answers:not([hidden]):not(.waiting)")
        expect(ready.first).to_be_visible(timeout=20_000)
        if summary.is_visible():
            return answers
        if page.locator("#next").is_visible():
            page.locator("#next").tap()
            expect(page.locator("#feedback")).to_be_hidden()  # gone before the loop looks again
            continue
        page.wait_for_timeout(200)  # a person's quickest choice: faster taps never reach a board (fair play)
        page.get_by_role("button", name=emotion_name, exact=True).tap()
        answers += 1
        if answers == stop_after:
            expect(page.locator("#feedback:not([hidden]), #answers:not([hidden]):not(.waiting)").first).to_be_visible()
            return answers
    raise AssertionError(f"the drill did not end within {limit} steps")


def wait_for_scene_verdict(page, timeout_s: float = 20.0) -> None:
    """After an answer: feedback, the summary, or (a voided scene) quietly the next one; the question is gone.

    Polled with page.evaluate (the page's CSP forbids the eval that wait_for_function needs).
    """
    gone = ("document.getElementById('scene-prompt').textContent !== 'What did they really feel?'"
            " || !document.getElementById('summary').hidden")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if page.evaluate(gone):
            return
        page.wait_for_timeout(50)
    raise AssertionError("the scene's answer brought nothing")
