"""A real WebSocket client for the duel socket, as a phone would be, shared by tests and bench/duels.py."""

from __future__ import annotations

import contextlib
import json
import random
import time
import urllib.request

import websocket  # websocket-client

from game.emotions import EMOTIONS

# A perfect eye: which emotion a pose shows, by the action units it moves (each variant's set is unique).
_BY_UNITS = {frozenset(str(u) for u in variant.units): key for key, e in EMOTIONS.items() for variant in e.variants}
PERIOD_MS = 1000 / 60
DUEL_TRIALS = 3
# Test servers: short pauses so a duel takes seconds; the trial rules (foreperiod, flash, mask, earliest answer)
# are the real ones. A challenge link keeps its own 20 trials.
DUEL_PACE = f"countdown_s=0.6,reveal_s=0.5,trials={DUEL_TRIALS},grace_s=3,answer_limit_s=8"


def read_face(trial: dict) -> str:
    """What a player who caught the flash would answer (the trial never names it)."""
    moved = frozenset(au for au, sides in trial["expression"]["au"].items() if max(sides) > 0)
    return _BY_UNITS[moved]


def wrong(emotion: str) -> str:
    return next(key for key in EMOTIONS if key != emotion)


def shown_s(trial: dict) -> float:
    """How long the face takes to show on a 60 Hz screen, to the moment the answer buttons appear."""
    return (trial["foreperiodFrames"] + trial["exposureFrames"] + trial["maskFrames"]) * PERIOD_MS / 1000


def new_player_cookie(base_url: str) -> str:
    with urllib.request.urlopen(base_url + "/healthz", timeout=10):
        pass
    with urllib.request.urlopen(base_url + "/", timeout=10) as response:
        return response.headers["Set-Cookie"].split(";", 1)[0]


class DuelClient:
    """One phone in a duel: answers pings like the browser does and keeps every message it got."""

    def __init__(self, base_url: str, cookie: str | None = None, *, origin: str | None = None) -> None:
        self.base_url = base_url
        self.cookie = cookie or new_player_cookie(base_url)
        self.ws = websocket.create_connection(base_url.replace("http", "ws", 1) + "/ws/duel", cookie=self.cookie,
                                              origin=origin or base_url, timeout=15)
        self.seen: list[dict] = []
        self.trial_at: dict[str, float] = {}  # when each trial arrived, on our clock
        self.rng = random.Random()

    def send(self, message: dict | str) -> None:
        self.ws.send(message if isinstance(message, str) else json.dumps(message))

    def next(self, *types: str, timeout: float = 15) -> dict:
        """The next message of one of these types (pings answered, everything kept in ``seen``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv())
            self.seen.append(message)
            if message["type"] == "ping":
                self.send({"type": "pong", "t": message["t"]})
            if message["type"] == "trial":
                self.trial_at[message["trialId"]] = time.monotonic()
            if message["type"] in types:
                return message
        raise AssertionError(f"no {types} within {timeout} s; got {[m['type'] for m in self.seen[-10:]]}")

    def ask(self, message: dict, *types: str) -> dict:
        self.send(message)
        return self.next(*types, "error")

    def create(self) -> str:
        joined = self.ask({"type": "create", "refreshMs": PERIOD_MS}, "joined")
        assert joined["type"] == "joined", joined
        return joined["code"]

    def join(self, code: str, **extra: object) -> dict:
        return self.ask({"type": "join", "code": code, "refreshMs": PERIOD_MS, **extra}, "joined")

    def answer(self, trial: dict, answer: str, *, think_s: float = 0.2) -> dict:
        """Answer as a person would: after the face has been shown, plus a moment to decide (at least
        ``think_s``, up to 150 ms more: a person's quickest is over the 150 ms floor and never the same
        twice, or the fair-play check holds them as a metronome), saying how long it took."""
        think_s += self.rng.uniform(0, 0.15)
        ready_at = self.trial_at.get(trial["trialId"], time.monotonic()) + shown_s(trial) + think_s
        time.sleep(max(0.0, ready_at - time.monotonic()))
        return self.ask({"type": "answer", "trialId": trial["trialId"], "answer": answer,
                         "reactionMs": round(think_s * 1000)}, "accepted")

    def close(self) -> None:
        with contextlib.suppress(OSError, websocket.WebSocketException):
            self.ws.close(timeout=1)
        self.ws.shutdown()
