"""A drill's procedures are written when it completes; until then they are its stored answers replayed
(game.adaptation). Whatever a player does on any axis (answers right and wrong, voided flashes, a socket killed and
the drill resumed, a drill left for a new one), the procedures a socket then reads are, bit for bit, those that
writing after every answer stored: the JSON each procedure had right after its last answer."""

from __future__ import annotations

import json
import secrets

import pytest
from conftest import InProcessSocket, StoppedClock
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game import adaptation, create_app, players, rounds, stats, store
from game.db import pool
from game.emotions import EMOTION_KEYS
from game.staircase import Staircase

AXES = {"speed": "exposure", "subtle": "intensity", "scene": "leak"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return create_app({"DATABASE": str(tmp_path_factory.mktemp("replay") / "replay.db"), "TESTING": True})


class Player:
    """One player's sockets, in-process, and what writing every answer's procedures would have stored."""

    def __init__(self) -> None:
        self.clock = StoppedClock()
        with pool().connection() as db:
            self.id = players.create_player(db, secrets.token_urlsafe(32))[0]["id"]
        self.socket()
        self.stored: dict[str, dict[str, str]] = {axis: {} for axis in AXES.values()}

    def socket(self) -> None:
        """A new socket (the old one gone without a word, as after kill -9)."""
        self.connection = InProcessSocket(self.id, self.clock)
        self.session = self.connection.session

    def send(self, message: dict) -> list[dict]:
        return self.connection.send(message)

    def answer(self, trial: dict, how: str) -> dict:
        self.clock.now += 3.0
        truth, shown = self.session.open_trial["emotion"], self.session.open_trial["exposure_frames"]
        answer = truth if how == "right" else next(e for e in EMOTION_KEYS if e != truth)
        frames = shown + (how == "void")
        result = self.send({"type": "answer", "trialId": trial["trialId"], "answer": answer, "framesShown": frames,
                            "refreshMs": 16.667, "maxGapMs": 17.0, "reactionMs": 900.0})[0]
        assert result["scored"] == (how != "void")
        if result["scored"]:  # what the old code wrote in this answer's transaction
            axis = AXES[self.mode]
            for emotion in (adaptation.OVERALL, result["emotion"]):
                self.stored[axis][emotion] = self.session.procedures[emotion].to_json()
        return result

    def check_pick(self) -> None:
        """The trial just sent shows what its emotion's procedure picks, anchored to the overall's level as the
        drill's answers so far give it: both read again from their JSON (no memo of the socket's), the same bits."""
        trial, procedures = self.session.open_trial, self.session.procedures
        if self.mode == "scene":
            return
        overall = Staircase.from_json(procedures[adaptation.OVERALL].to_json())
        emotion = Staircase.from_json(procedures[trial["emotion"]].to_json())
        assert json.loads(emotion.to_json())["sessions"][-1]["anchor"] == overall.level()
        if self.mode == "subtle":
            assert trial["intensity"] == emotion.next_stimulus(rounds.SUBTLE_INTENSITIES)
        else:
            assert trial["wanted_ms"] == emotion.next_stimulus(rounds.exposure_candidates(trial["refresh_ms"]))

    def check(self) -> None:
        with pool().connection() as db:
            for axis, stored in self.stored.items():
                states = store.load_procedure_states(db, self.id, axis)
                assert adaptation.replayed(db, self.id, axis, states)[0] == stored
                expected = {}
                for emotion, state in sorted(stored.items()):
                    procedure = Staircase.from_json(state)
                    estimate = procedure.threshold()
                    expected[emotion] = {"value": estimate.value, "low": estimate.low, "high": estimate.high,
                                         "trials": procedure.trials}
                assert stats.current_thresholds(db, self.id, axis) == expected

    def drill(self, mode: str, steps: list[str], finish: bool) -> None:
        self.mode = mode
        self.clock.now += 7200.0
        started, trial = self.send({"type": "start", "mode": mode, "refreshMs": 16.667})
        self.check()  # the drill this start left is in the stored procedures now
        # ...and fair play weighs this drill's answers against the stored overall procedure (as it stood after the
        # last drill's last answer: the fit a socket keeps from that drill's end, or one made now)
        state = self.stored[AXES[mode]].get(adaptation.OVERALL)
        fit, own = (Staircase.from_json(state) if state else Staircase(AXES[mode])).fit(), self.session.own_fit
        assert own.trials == fit.trials
        assert (own.posterior is None or own.posterior.tobytes()) == (fit.posterior is None or fit.posterior.tobytes())
        self.check_pick()
        for step in [*steps, *(["right"] * 25 if finish else [])]:
            if step == "drop":
                self.socket()
                trial = self.send({"type": "resume", "drillId": started["drillId"], "refreshMs": 16.667})[1]
                self.check()
                self.check_pick()
                continue
            result = self.answer(trial, step)
            self.check()
            if result["done"]:
                with pool().connection() as db:  # nothing pending: the rows are the procedures
                    assert store.load_procedure_states(db, self.id, AXES[mode]) == self.stored[AXES[mode]]
                return
            trial = self.send({"type": "next"})[0]
            self.check_pick()


drills = st.lists(st.tuples(st.sampled_from(sorted(AXES)),
                            st.lists(st.sampled_from(["right", "wrong", "void", "drop"]), max_size=22),
                            st.booleans()), min_size=1, max_size=4)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plays=drills)
def test_the_procedures_a_socket_reads_are_those_every_answer_used_to_write(app: Flask, plays: list) -> None:
    with app.app_context():
        player = Player()
        for mode, steps, finish in plays:
            player.drill(mode, steps, finish)
        player.clock.now += 7200.0
        player.send({"type": "start", "mode": "speed", "refreshMs": 16.667})  # leaves the last drill, if open
        player.check()
        with pool().connection() as db:
            assert store.load_procedure_states(db, player.id, "exposure") == player.stored["exposure"]


def test_a_drill_left_open_is_written_when_the_player_next_starts(app: Flask) -> None:
    with app.app_context():
        player = Player()
        player.drill("speed", ["right", "wrong", "void", "right"], finish=False)
        with pool().connection() as db:
            assert store.load_procedure_states(db, player.id, "exposure") == {}  # not written yet...
            pending = store.pending_drills(db, player.id)
        assert len(pending) == 1
        player.socket()
        player.clock.now += 60.0
        player.send({"type": "start", "mode": "subtle", "refreshMs": 16.667})  # ...nor by another axis's start
        with pool().connection() as db:
            assert store.load_procedure_states(db, player.id, "exposure") == {}
        player.send({"type": "start", "mode": "speed", "refreshMs": 16.667})
        with pool().connection() as db:
            assert store.load_procedure_states(db, player.id, "exposure") == player.stored["exposure"]
            assert len(player.stored["exposure"]) >= 2
            assert pending[0]["id"] not in [drill["id"] for drill in store.pending_drills(db, player.id)]


def test_a_drill_ending_in_voided_flashes_writes_each_procedure_as_its_last_answer_left_it(app: Flask) -> None:
    """A voided flash's emotion is shown again later in the drill, so what its end writes is each procedure as its
    last answer left it, in both axes."""
    with app.app_context():
        player = Player()
        player.drill("speed", ["right", "wrong"] * 9 + ["right", "void", "void"], finish=True)
        player.drill("subtle", ["wrong", "right"] * 9 + ["right", "void", "void"], finish=True)
        player.check()
