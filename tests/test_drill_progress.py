"""A drill's count lives in its scored trials (each stores its place in the count and the streak after it) and is
written on the drill's row once, when the drill closes (game.store). Whatever two tabs of one player do (answers
right, wrong and voided, a tab taking the drill over, a tab playing on from where it left the drill, a socket killed
and the drill resumed), every result says the count, points and streak the player earned, a resume starts from them,
and the closed drill's row holds what updating it after every answer stored."""

from __future__ import annotations

import secrets

import pytest
from conftest import InProcessSocket, StoppedClock
from flask import Flask
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from game import create_app, in_flight, players, rewards, store
from game.db import pool
from game.emotions import EMOTION_KEYS


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return create_app({"DATABASE": str(tmp_path_factory.mktemp("progress") / "progress.db"), "TESTING": True})


class Tab(InProcessSocket):
    def __init__(self, player_id: str, clock: StoppedClock) -> None:
        super().__init__(player_id, clock)
        self.trial: dict | None = None  # the trial message this tab shows


class Player:
    """Two tabs, and the drill's count as updating its row after every answer kept it."""

    def __init__(self) -> None:
        self.clock = StoppedClock()
        with pool().connection() as db:
            self.id = players.create_player(db, secrets.token_urlsafe(32))[0]["id"]
        self.tabs = [Tab(self.id, self.clock), Tab(self.id, self.clock)]
        self.active = 0

    def start(self, mode: str) -> None:
        self.clock.now += 7200.0
        tab = self.tabs[self.active]
        started, tab.trial = tab.send({"type": "start", "mode": mode, "refreshMs": 16.667})
        self.drill_id = started["drillId"]
        self.answered = self.points = self.streak = self.best = 0

    def resume(self, index: int, *, fresh: bool = False) -> None:
        if fresh:  # the old socket gone without a word, as after kill -9
            self.tabs[index] = Tab(self.id, self.clock)
        tab = self.tabs[index]
        started, tab.trial = tab.send({"type": "resume", "drillId": self.drill_id, "refreshMs": 16.667})
        assert started["answered"] == self.answered
        self.active = index

    def play_on_in_the_other_tab(self) -> None:
        """The other tab goes on from where it left the drill (a `next`, no resume), or resumes if it cannot."""
        index = 1 - self.active
        session = self.tabs[index].session
        if session.drill is None or session.drill["id"] != self.drill_id or (
                session.open_trial is not None and not in_flight.holds(self.id, session.open_trial["id"])):
            self.resume(index)
        self.active = index

    def answer(self, how: str) -> dict:
        tab = self.tabs[self.active]
        if tab.trial is None:
            tab.trial = tab.send({"type": "next"})[0]
        self.clock.now += 3.0
        trial = tab.session.open_trial
        assert trial is not None and trial["id"] == tab.trial["trialId"]
        answer = trial["emotion"] if how == "right" else next(e for e in EMOTION_KEYS if e != trial["emotion"])
        result = tab.send({"type": "answer", "trialId": trial["id"], "answer": answer,
                           "framesShown": trial["exposure_frames"] + (how == "void"), "refreshMs": 16.667,
                           "maxGapMs": 17.0, "reactionMs": 900.0})[0]
        tab.trial = None
        assert result["scored"] == (how != "void")
        if result["scored"]:
            points, self.streak = rewards.points_for(trial, how == "right", self.streak)
            self.answered, self.points, self.best = self.answered + 1, self.points + points, max(self.best,
                                                                                                 self.streak)
            assert (result["points"], result["answerStreak"]) == (points, self.streak)
        assert result["answered"] == self.answered
        with pool().connection() as db:
            assert store.progress(db, self.drill_id) == (self.answered, self.streak)
            assert store.active_drill(db, self.id, self.drill_id) is None if result["done"] else True
        return result

    def check_closed(self) -> None:
        with pool().connection() as db:
            row = db["drills"].get(self.drill_id)
        assert row["status"] != "active"
        assert (row["answered"], row["points"], row["answer_streak"], row["best_answer_streak"]) == (
            self.answered, self.points, self.streak, self.best)


steps = st.lists(st.sampled_from(["right", "right", "wrong", "void", "other", "other", "resume", "drop"]), max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(plays=[("speed", ["right", "other", "right", "wrong", "other", "right", "void", "other", "right"], True)])
@given(plays=st.lists(st.tuples(st.sampled_from(["speed", "subtle"]), steps, st.booleans()), min_size=1, max_size=3))
def test_every_result_resume_and_closed_drill_counts_what_was_earned(app: Flask, plays: list) -> None:
    with app.app_context():
        player = Player()
        for mode, moves, finish in plays:
            player.start(mode)
            done = False
            for move in [*moves, *(["right"] * 25 if finish else [])]:
                if move == "other":
                    player.play_on_in_the_other_tab()
                elif move in ("resume", "drop"):
                    player.resume(1 - player.active if move == "resume" else player.active, fresh=move == "drop")
                elif player.answer(move)["done"]:
                    done = True
                    break
            if done:
                player.check_closed()
        if not done:  # the last drill was left open: a new one abandons it
            left = (player.drill_id, player.answered, player.points, player.streak, player.best)
            player.start("speed")
            player.drill_id, player.answered, player.points, player.streak, player.best = left
            player.check_closed()
        with pool().connection() as db:  # each trial stored once: trials have no unique id since m014
            assert db.execute("SELECT id FROM trials WHERE player_id = ? GROUP BY id HAVING COUNT(*) > 1",
                              [player.id]).fetchall() == []
