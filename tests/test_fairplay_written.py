"""Fair play's row is written at a drill's end, a hold and when results start to wait, not after every answer; the
rest is replayed from ``trials`` whenever the row is read (game.fairplay). Whatever a player does (answers right,
wrong, voided, sub-human and metronomic; sockets killed mid-drill and the drill resumed, another tab answering in it,
drills left for new ones, duels, operators' clears and bans; checkups started, refused when not due, answered, left,
resumed and completed), every status, hold, score, evidence and board flag is, after every message, what writing the
row after every answer stored (``Reference``: that code's rules)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable

import msgspec
import pytest
from conftest import InProcessSocket, StoppedClock
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from game import checkup_store, create_app, fairplay, plausibility, players, ws
from game.db import pool
from game.emotions import EMOTION_KEYS
from game.plausibility import State

AXES = {"speed": "exposure", "subtle": "intensity", "scene": "leak", "checkup": "exposure"}
REACTIONS = {"right": 900.0, "wrong": 1234.5, "void": 700.0, "fast": 120.0, "metronome": 400.0}
encode = msgspec.json.Encoder().encode  # tells every float's bits apart, as the stored JSON does


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return create_app({"DATABASE": str(tmp_path_factory.mktemp("fairplay") / "fairplay.db"), "TESTING": True})


class Reference:
    """What writing the row after every answer stored (the rules of e01bf4d's game.fairplay, on a copy)."""

    def __init__(self, hidden: int) -> None:
        self.status, self.state_json, self.score, self.reasons, self.hidden = "ok", None, None, [], bool(hidden)

    def _weighed(self, observe: Callable[[State], None]) -> bool:
        state = State.from_json(json.loads(self.state_json)) if self.state_json else State()
        observe(state)
        assessment = plausibility.assess(state)
        if assessment.held and self.status in ("ok", "cleared"):
            self.status, self.reasons = "held", assessment.reasons
        self.score, self.state_json = assessment.score, msgspec.json.encode(state.to_json()).decode()
        return plausibility.waits(state)

    def answered(self, **answer: object) -> None:
        if self._weighed(lambda state: plausibility.observe_answer(state, **answer)) or self.status == "held":
            self.hidden = True

    def drill_completed(self, at: float, points: int, past_probation: bool) -> None:
        """A live drill's end."""
        waits = self._weighed(lambda state: plausibility.observe_drill(state, at=at, points=points))
        self.hidden = not (self.status in ("ok", "cleared") and not waits and past_probation)

    def checkup_completed(self) -> None:
        """A checkup's end. (In e01bf4d it called nothing: ``DrillSession._record`` only stored its score. Its answers
        are weighed one by one, as a drill's; at its end their jump, with no pace, and a board move only off.)"""
        if self._weighed(plausibility.observe_checkup) or self.status == "held":
            self.hidden = True

    def observed(self, answers: list[tuple[float, bool, float]]) -> None:
        def observe(state: State) -> None:
            for stimulus, correct, reaction_ms in answers:
                plausibility.observe_answer(state, axis="exposure", stimulus=stimulus, correct=correct,
                                            reaction_ms=reaction_ms)
        if self._weighed(observe) or self.status == "held":
            self.hidden = True

    def decide(self, verdict: str, past_probation: bool) -> None:
        if verdict == "cleared":
            self.state_json = msgspec.json.encode(State(tested=-plausibility.VETTING_NATS).to_json()).decode()
        self.status = verdict
        self._weighed(lambda state: None)
        waits = plausibility.waits(State.from_json(json.loads(self.state_json)))
        self.hidden = not (self.status in ("ok", "cleared") and not waits and past_probation)


class Player:
    """One player's sockets, in-process, and the reference's row beside the real one."""

    def __init__(self) -> None:
        self.clock = StoppedClock()
        with pool().connection() as db:
            self.id = players.create_player(db, secrets.token_urlsafe(32))[0]["id"]
            self.reference = Reference(db.execute("SELECT board_hidden FROM players WHERE id = ?",
                                                  [self.id]).fetchone()[0])
        self.tabs = [InProcessSocket(self.id, self.clock)]

    def answer(self, tab: int, trial: dict, how: str) -> dict:
        self.clock.now += 3.0
        session = self.tabs[tab].session
        shown = session.open_trial
        truth = shown["emotion"]
        if how == "human":  # sees the longer flashes, not the shortest, at a person's uneven pace
            how, reaction_ms = "right" if shown["exposure_ms"] > 50 else "wrong", 650.0 + 83.0 * (shown["position"] % 7)
        else:
            reaction_ms = REACTIONS[how]
        answer = truth if how in ("right", "fast", "metronome") else next(e for e in EMOTION_KEYS if e != truth)
        own = session.own_fit
        result = self.tabs[tab].send({
            "type": "answer", "trialId": trial["trialId"], "answer": answer,
            "framesShown": shown["exposure_frames"] + (how == "void"), "refreshMs": 16.667, "maxGapMs": 17.0,
            "reactionMs": reaction_ms})[0]
        assert result["scored"] == (how != "void")
        checkup = self.mode == "checkup"
        assert ("correct" in result) != checkup  # a checkup gives no feedback
        if result["scored"]:
            axis = AXES[self.mode]
            stimulus = shown["intensity"] if axis == "intensity" else shown["exposure_ms"]
            correct = answer == truth if checkup else result["correct"]
            self.reference.answered(axis=axis, stimulus=stimulus, correct=correct,
                                    reaction_ms=reaction_ms, own_trials=own.trials if own else 0,
                                    own_p=own.p_correct(stimulus) if own and own.trials >= 60 else None)
        if result["done"] and checkup:
            self.reference.checkup_completed()
        elif result["done"]:
            with pool().connection() as db:
                points = db.execute("SELECT points FROM drills WHERE id = ?", [self.drill_id]).fetchone()[0]
                self.reference.drill_completed(self.clock.now, points, self.past_probation(db))
        return result

    def past_probation(self, db: Database) -> bool:
        return fairplay.live_trials(db, self.id, fairplay.PROBATION_TRIALS) >= fairplay.PROBATION_TRIALS

    def check(self, *, written: bool = False) -> None:
        """Every reader sees the reference's row; the row itself holds the status (and all of it when ``written``)."""
        reference = self.reference
        with pool().connection() as db:
            status, state = fairplay.load(db, self.id)
            assert status == reference.status
            expected = State.from_json(json.loads(reference.state_json)) if reference.state_json else State()
            assert encode(State.from_json(msgspec.json.decode(encode(state)))) == encode(expected)
            assert bool(db.execute("SELECT board_hidden FROM players WHERE id = ?", [self.id]).fetchone()[0]) \
                == reference.hidden
            row = db.execute("SELECT status, score, state, reasons FROM fairplay WHERE player_id = ?",
                             [self.id]).fetchone()
            assert (row[0] if row else "ok") == reference.status  # holds are written at the answer
            if reference.status in ("held", "banned"):
                listed = {held["player_id"]: held for held in fairplay.held_players(db)}
                assert listed[self.id]["score"] == reference.score
            if reference.state_json is not None:
                review = fairplay.review(db, self.id)
                assert (review["status"], review["reasons"]) == (reference.status, reference.reasons)
            if written:
                assert row == (reference.status, reference.score, reference.state_json,
                               json.dumps(reference.reasons))
            assert fairplay.note(db, self.id) == (
                "checking" if reference.status in ("held", "banned") or plausibility.waits(expected)
                else None if self.past_probation(db) else "probation")

    def drill(self, mode: str, steps: list[str], finish: bool, *, days_later: float = 0.0) -> None:
        self.clock.now += 60.0 + days_later * 86_400
        start = {"type": "start", "mode": mode, "refreshMs": 16.667}
        if mode == "checkup":
            with pool().connection() as db:
                due = checkup_store.status(db, self.id, self.clock.now).due
            if not due:  # before a first drill (or within a week of the last checkup): refused, nothing closed
                with pool().connection() as db:
                    session = self.tabs[0].session
                    session.db = db
                    refused = ws._handle(json.dumps(start), self.tabs[0].handlers)
                    session.db = None
                assert [reply.get("code") for reply in refused] == ["checkup_not_due"], refused
                self.check()
                return
        self.mode = mode
        started, trial = self.tabs[0].send(start)
        self.drill_id = started["drillId"]
        self.check()
        tab = 0
        for step in [*steps, *(["right"] * started["total"] if finish else [])]:
            if step in ("drop", "other tab"):  # a new socket resumes (the old one killed, or left open in its tab)
                if step == "drop":
                    self.tabs[tab] = InProcessSocket(self.id, self.clock)
                else:
                    tab = 1 - tab
                    if len(self.tabs) == 1:
                        self.tabs.append(InProcessSocket(self.id, self.clock))
                trial = self.tabs[tab].send({"type": "resume", "drillId": self.drill_id, "refreshMs": 16.667})[1]
                self.check()
                continue
            if step in ("duel", "cleared", "banned"):
                with pool().connection() as db, db.atomic():
                    if step == "duel":
                        answers = [(16.7, True, 400.0), (33.3, False, 950.5), (100.0, True, 400.0)]
                        fairplay.observed(db, self.id, answers)
                        self.reference.observed(answers)
                    else:
                        fairplay.decide(db, self.id, step)
                        self.reference.decide(step, self.past_probation(db))
                self.check(written=True)
                continue
            result = self.answer(tab, trial, step)
            self.check(written=result["done"])
            if result["done"]:
                return
            trial = self.tabs[tab].send({"type": "next"})[0]


STEPS = st.sampled_from(["right", "right", "wrong", "human", "void", "fast", "metronome", "metronome", "drop",
                         "other tab", "duel", "cleared", "banned"])
MODES = st.sampled_from(["speed", "speed", "subtle", "scene", "checkup", "checkup"])  # a checkup, once one is due
DAYS_LATER = st.sampled_from([0.0, 8.0])  # a week on: the next checkup is due
drills = st.lists(st.tuples(MODES, st.lists(STEPS, max_size=24), st.booleans(), DAYS_LATER),
                  min_size=1, max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plays=drills)
def test_every_reader_sees_what_writing_the_row_after_every_answer_stored(app: Flask, plays: list) -> None:
    with app.app_context():
        player = Player()
        for mode, steps, finish, days_later in plays:
            player.drill(mode, steps, finish, days_later=days_later)
        player.clock.now += 60.0
        player.tabs[0].send({"type": "start", "mode": "speed", "refreshMs": 16.667})  # leaves the last drill, if open
        player.check()


def test_a_player_past_probation_plays_like_a_script_and_is_held_at_the_answer_that_crosses_the_line(
        app: Flask) -> None:
    """Three honest drills (past probation, an own fit that can accuse), then a metronome: the hold, its reasons and
    the board flag act at the answer that crosses the line, with the row written there; the drill's end writes
    the rest."""
    with app.app_context():
        player = Player()
        for _ in range(3):
            player.drill("speed", ["right", "wrong"] * 10, finish=True)
        with pool().connection() as db:
            assert fairplay.live_trials(db, player.id) >= 60
        player.drill("speed", ["metronome"] * 12 + ["drop"] + ["metronome"] * 10 + ["other tab", "duel"],
                     finish=True)
        assert player.reference.status == "held" and player.reference.hidden


def test_a_drill_another_tab_left_is_replayed_at_the_next_drills_first_answer(app: Flask) -> None:
    """The first tab's last drill is written; another tab plays most of a drill and the first starts a new one (the
    other's answers never written): its first answer must start from them, not from what it last wrote."""
    with app.app_context():
        player = Player()
        player.drill("speed", ["right"] * 20, finish=True)
        player.drill("speed", ["other tab", *["metronome"] * 19], finish=False)
        player.drill("speed", ["metronome"] * 3, finish=True)
        assert player.reference.status == "held"


def test_a_socket_whose_drill_another_tab_answered_in_starts_from_that_answer(app: Flask) -> None:
    """Two tabs take turns in one drill: each one's next answer starts from the other's, and the drill's end writes
    every answer."""
    with app.app_context():
        player = Player()
        player.drill("speed", ["right", "wrong", "other tab", "right", "other tab", "wrong", "other tab", "other tab"],
                     finish=True)


def test_a_board_flag_an_operator_changed_is_not_trusted(app: Flask) -> None:
    """The socket knows the player is off the boards (its answer hid them); an operator's clear puts them back. The
    next answer that makes their results wait must pull them off again, not trust what the socket last knew."""
    with app.app_context():
        player = Player()
        for _ in range(3):
            player.drill("speed", ["right"] * 20, finish=True)
        player.drill("speed", ["right", "right", "cleared", "right", "right", "right", "banned", "right", "cleared",
                               "right"], finish=True)


def test_a_checkup_weighs_its_answers_as_a_drill_does_and_its_end_puts_nobody_back(app: Flask) -> None:
    """A player who answers like a person, past probation and on the boards, takes a checkup (their own fit, once a
    resume reads it, can accuse), then plays it like a script (killed and resumed, another tab answering in it): the
    answer that makes their results wait takes them off at once, and the checkup's end writes every answer (its score
    known) and their jump, and puts nobody back. A week on, a checkup left half-way is replayed by the next drill, whose
    end decides the boards."""
    with app.app_context():
        player = Player()
        for _ in range(3):
            player.drill("speed", ["human"] * 20, finish=True)
        assert not player.reference.hidden
        player.drill("checkup", ["human"] * 6 + ["drop", "human", "other tab", "human", *["metronome"] * 10,
                                 "fast", "metronome"], finish=True)
        assert player.reference.hidden
        first = player.drill_id
        player.drill("checkup", ["metronome"] * 5 + ["drop", "void"], finish=False, days_later=8)
        assert player.drill_id != first  # a week on, the second checkup opened
        player.drill("speed", ["right", "wrong"] * 10, finish=True)


def test_a_checkup_weighs_its_answers_against_the_players_exposure_fit_whatever_the_socket_played_before(
        app: Flask) -> None:
    """A checkup started on the socket that just played subtle drills: each answer's stored own P(correct), fair play's
    evidence, is the player's exposure fit at its flash, the fit a socket that resumes the checkup reads. It was the fit
    the socket's last drill began with: here the subtle drills' intensity fit on 40 answers, so nothing was weighed
    against the player's own fit; past 60 it would have been read at milliseconds."""
    with app.app_context():
        player = Player()
        for mode in ["speed"] * 3 + ["subtle"] * 3:  # 60 answers on each axis: either fit may accuse
            player.drill(mode, ["human"] * 20, finish=True)
        player.drill("checkup", ["human"] * 4, finish=False)
        resumed = InProcessSocket(player.id, player.clock)
        resumed.send({"type": "resume", "drillId": player.drill_id, "refreshMs": 16.667})
        exposure_fit = resumed.session.own_fit
        assert exposure_fit.trials >= plausibility.SHIFT_MIN_TRIALS
        with pool().connection() as db:
            stored = db.execute("SELECT exposure_ms, fair_own_p FROM trials WHERE drill_id = ? AND scored = 1",
                                [player.drill_id]).fetchall()
        assert len(stored) == 4
        for exposure_ms, own_p in stored:
            assert own_p == pytest.approx(float(exposure_fit.p_correct(exposure_ms)), abs=1e-12)
