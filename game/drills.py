"""A player's drill over one connection: picks each trial, accepts answers, adapts exposure.

This is the server's authority: it decides what is shown, records when it sent
it, accepts exactly one answer per trial and scores it. Every method returns
the messages to send; client mistakes raise ``ProtocolError``.
"""

from __future__ import annotations

import binascii
import json
import os
import random
import secrets
import time
from datetime import date

import msgspec
from sqlite_utils import Database

from game import (
    adaptation,
    challenge,
    checkup,
    checkup_store,
    face_version,
    fairplay,
    in_flight,
    plausibility,
    rewards,
    rounds,
    scene_session,
    store,
    streaks,
)
from game.adaptation import OVERALL, PROCEDURES
from game.adaptation import axis_of as _axis
from game.emotions import EMOTION_KEYS
from game.protocol import Answer, Hello, ProtocolError, Resume, Start
from game.staircase import Fit, Staircase

TRIAL_TTL_S = 120.0  # an unanswered trial older than this is void
_encode_json = msgspec.json.Encoder().encode  # a trial's pose, every trial: ~7x faster than json.dumps
_URL_SAFE = bytes.maketrans(b"+/", b"-_")  # base64's alphabet to the URL-safe one (base64.urlsafe_b64encode's)
_FRESH = (True, 0, 0)  # store.next_slot of a drill created by this message: active, nothing scored, nothing sent


class DrillSession:
    def __init__(self, db: Database, player_id: str, *, trial_ttl_s: float = TRIAL_TTL_S, clock=time.time,
                 answer_clock_scale: float = 1.0) -> None:
        """:param answer_clock_scale: share of a trial's display time that must pass before its answer
        (1 in production; tests that script hundreds of answers may lower it)"""
        self.db = db
        self.trial_ttl_s = trial_ttl_s
        self.answer_clock_scale = answer_clock_scale
        self.player_id = player_id
        self.clock = clock
        self.drill: dict | None = None
        self.finished = False  # the last drill on this connection was completed: `next` answers drill_over
        self.open_trial: dict | None = None  # sent, not yet answered
        self.progress = (0, 0)  # the drill's (answered, answer streak) as this socket last wrote or read them
        # (drill id, store.slot_writes, store.next_slot) as this socket's last answer left them
        self._next_slot: tuple[str, int, tuple[bool, int, int]] | None = None
        self.procedures: dict[str, Staircase] = {}
        self._unsaved: set[str] = set()  # procedures this drill answered, written at its end (game.adaptation)
        self._held: tuple[str, dict[str, Staircase]] = ("", {})  # the last procedures loaded, kept over a checkup
        self._level: float | None = None  # the overall procedure's level as this socket last left it (see _adapt)
        self._draws: tuple[str, random.Random, random.Random] | None = None  # see _trial_draws
        self._plan: tuple[str | None, list[str]] = (None, [])  # a drill's stored plan (JSON) and its order, decoded
        self.own_fit: Fit | None = None  # the player's overall fit as the drill began, for fair play
        # the overall procedure as this socket's last drill wrote it, its text and fit (the next own_fit if unchanged)
        self._end_fit: tuple[Staircase, str, Fit] | None = None
        self.fair_play: fairplay.Written | None = None  # the player's fair-play row as this socket last wrote it
        # What this socket committed as the player's best answer streak: a lower bound of the stored best (it only
        # grows), so an answer streak no longer than it need not be written.
        self.best_streak_written = 0

    # -- messages -----------------------------------------------------------------

    def welcome(self, message: Hello | None = None) -> dict:
        if message is not None and message.time_zone:  # written when it changed: a hello rarely moves the player
            zone = streaks.zone(message.time_zone).key
            self.db.execute("UPDATE players SET time_zone = ? WHERE id = ? AND time_zone IS NOT ?",
                            [zone, self.player_id, zone])
        drill = store.active_drill(self.db, self.player_id)
        active = None
        if drill:
            active = {"id": drill["id"], "mode": drill["mode"], "total": drill["trial_count"],
                      "answered": drill["answered"]}
        streak, tz = streaks.load(self.db, self.player_id)
        now = self.clock()
        day = challenge.today(now)
        played = {kind: store.ranked_challenge(self.db, self.player_id, day.isoformat(), kind) is not None
                  for kind in rewards.CHALLENGE_KINDS}
        return {"type": "welcome", "v": 1, "activeDrill": active, "streak": streaks.status(streak, now, tz),
                "challenge": {"number": challenge.number(day), "played": played["challenge"]},
                "sceneChallenge": {"number": challenge.number(day), "played": played["scene-challenge"]},
                "checkup": checkup_store.welcome(self.db, self.player_id, now)}

    def start(self, message: Start) -> list[dict]:
        period = rounds.nominal_period(message.refresh_ms)
        if message.mode == "checkup":
            return self._start_checkup(period)
        self._load_procedures(_axis(message.mode))
        self._close_in_flight("abandoned")  # a new drill abandons the open one, and what its tabs were shown
        if message.mode in rewards.CHALLENGE_KINDS:
            day = challenge.today(self.clock())
            ranked = store.ranked_challenge(self.db, self.player_id, day.isoformat(), message.mode) is None
            seed, plan = ((challenge.seed(day), challenge.plan(day)) if message.mode == "challenge"
                          else (scene_session.challenge_seed(day), scene_session.challenge_plan(day)))
            self.drill = store.create_drill(self.db, self.player_id, mode=message.mode, focus=False, seed=seed,
                                            plan=plan, refresh_ms=period, kind=message.mode,
                                            challenge_day=day.isoformat(), ranked=ranked, now=self.clock())
        else:
            rng = random.Random(secrets.randbits(64))
            weights = self._weakness_weights() if message.focus else None
            plan = (scene_session.plan_drill(rng, weights) if scene_session.is_scene(message.mode)
                    else rounds.plan_emotions(rng, rounds.TRIALS_PER_DRILL, weights))
            self.drill = store.create_drill(self.db, self.player_id, mode=message.mode, focus=message.focus,
                                            seed=rng.getrandbits(53), plan=plan, refresh_ms=period,
                                            now=self.clock())
        self.open_trial, self.finished, self.progress = None, False, (0, 0)
        self._begin_sessions(self.drill["started_at"])
        return [self._started(fresh=True), self._send_trial(_FRESH)]

    def _start_checkup(self, period: float) -> list[dict]:
        """The standard test: refused unless due (after a first drill, then weekly), see game.checkup."""
        due = checkup_store.status(self.db, self.player_id, self.clock())
        if not due.due:
            raise ProtocolError("checkup_not_due", "Play a drill first: the checkup measures where you start."
                                if due.reason == "play_first" else "Your next checkup opens a week after the last.",
                                nextAt=due.next_at)
        # It adapts nothing, but fair play weighs its flashes against the player's own exposure fit, as a resumed
        # checkup's socket does: not whatever fit this socket's last drill left (a subtle drill's, on intensities).
        self._load_procedures(_axis("checkup"))
        self.procedures, self._unsaved = {}, set()
        self._close_in_flight("abandoned")
        self.drill = store.create_drill(self.db, self.player_id, mode="checkup", focus=False, seed=checkup.FORM,
                                        plan=[item.emotion for item in checkup.items()], refresh_ms=period,
                                        kind="checkup", now=self.clock())
        self.open_trial, self.finished, self.progress = None, False, (0, 0)
        return [self._started(fresh=True), self._send_trial(_FRESH)]

    def resume(self, message: Resume) -> list[dict]:
        drill = store.active_drill(self.db, self.player_id, message.drill_id)
        if drill is None:
            raise ProtocolError("no_drill", "That drill is not open any more; start a new one.")
        # The trial in flight when the connection dropped (or in the tab this one takes over) is void.
        self._close_in_flight("disconnected", drill["id"])
        store.void_open_trials(self.db, drill["id"], "disconnected")  # rows stored in flight by older versions
        period = rounds.nominal_period(message.refresh_ms)
        self.db.execute("UPDATE drills SET refresh_ms = ? WHERE id = ?", [period, drill["id"]])
        self.drill = {**drill, "refresh_ms": period}
        self.open_trial, self.progress = None, (drill["answered"], drill["answer_streak"])
        self._load_procedures(_axis(drill["mode"]), drill["id"])
        self._begin_sessions(drill["started_at"])
        return [self._started(), self._send_trial()]

    def next_trial(self) -> list[dict]:
        if self.drill is None and self.finished:
            raise ProtocolError("drill_over", "This drill is over; start a new one.")
        drill = self._require_drill()
        if self.open_trial is not None:
            raise ProtocolError("answer_pending", "Answer the current trial first.",
                                trialId=self.open_trial["id"])
        known = self._next_slot  # what this socket's last answer left, if nothing was written to the drill since
        slot = (known[2] if known is not None and known[0] == drill["id"] and known[1] == store.slot_writes(known[0])
                else store.next_slot(self.db, drill["id"]))
        if slot[1] >= drill["trial_count"]:
            raise ProtocolError("drill_over", "This drill is over; start a new one.")
        return [self._send_trial(slot)]

    def answer(self, message: Answer) -> list[dict]:
        drill = self._require_drill()
        now = self.clock()
        trial = self.open_trial
        if trial is None or trial["id"] != message.trial_id:
            return self._reject_stray_answer(message)
        if now - trial["sent_at"] > self.trial_ttl_s:
            if in_flight.release(self.player_id, trial["id"]):  # only this trial: another tab's stays open
                store.close_trial(self.db, trial, "expired")
            self.open_trial = None
            raise ProtocolError("trial_expired", "That trial timed out; ask for the next one.",
                                trialId=message.trial_id)
        if message.reaction_ms > (now - trial["sent_at"]) * 1000:
            raise ProtocolError("bad_timing", "That reaction time is longer than the trial has existed.",
                                trialId=message.trial_id)
        if now - trial["sent_at"] < rounds.earliest_answer_s(trial["display_ms"], self.answer_clock_scale):
            return self._refuse_early(drill, trial, message, now)
        verdict = rounds.judge(trial["emotion"], trial["refresh_ms"], trial["exposure_frames"],
                               answer=message.answer, frames_shown=message.frames_shown,
                               refresh_ms=message.refresh_ms, stalled=message.stalled)
        try:
            return self._record(drill, trial, message, verdict, now)
        except store.AnswerRejected:
            # Closed meanwhile, e.g. by a drill started in another tab: this drill cannot go on.
            self.drill, self.open_trial = None, None
            raise ProtocolError(*self._rejected(trial), trialId=message.trial_id) from None

    def _refuse_early(self, drill: dict, trial: dict, message: Answer, now: float) -> list[dict]:
        """An answer before the flash and mask could have been shown: stored, voided, never scored."""
        try:
            self._store_answer(trial, {
                "answer": message.answer, "frames_shown": message.frames_shown, "refresh_ms": message.refresh_ms,
                "max_gap_ms": message.max_gap_ms, "reaction_ms": message.reaction_ms, "answered_at": now,
                "scored": 0, "flag": "too_early"})
            in_flight.release(self.player_id, trial["id"])
        except store.AnswerRejected:
            self._rejected(trial)
            self.drill = None
        self.open_trial = None
        raise ProtocolError("too_early", "That answer came before the face could have been shown; it does not "
                            "count. Ask for the next trial.", trialId=trial["id"])

    def _record(self, drill: dict, trial: dict, message: Answer, verdict: rounds.Verdict, now: float) -> list[dict]:
        """Store the answer, its adaptive update, fair-play evidence and the drill's progress (at its end, its banking
        and thresholds) in one transaction."""
        measuring = drill.get("kind") == "checkup"  # a checkup measures: it neither adapts nor earns
        earns = verdict.scored and not measuring
        banked: dict = {}
        summary: dict = {}
        self._next_slot = None
        axis = _axis(drill["mode"])
        stimulus = trial["intensity"] if axis == "intensity" else trial["exposure_ms"]
        own_p = self._own_p(stimulus) if verdict.scored else None
        with self.db.atomic():
            points, answer_streak, progress, advanced = self._count(drill, trial, verdict, earns, {
                "answer": message.answer, "correct": int(verdict.correct), "frames_shown": message.frames_shown,
                "refresh_ms": message.refresh_ms, "max_gap_ms": message.max_gap_ms,
                "reaction_ms": message.reaction_ms, "answered_at": now, "scored": int(verdict.scored),
                "flag": verdict.flag, "fair_own_p": own_p})
            if verdict.scored:
                self._weigh(trial, progress[0], axis, stimulus, verdict.correct, message.reaction_ms, own_p)
            if earns:
                self._adapt(trial, verdict.correct)
                if answer_streak > self.best_streak_written:
                    rewards.bank_best_streak(self.db, self.player_id, answer_streak)
            answered = progress[0]
            done = answered >= drill["trial_count"]
            completed = done and store.complete_drill(self.db, drill["id"], now)
            if completed:
                if measuring:
                    banked = checkup_store.record(self.db, drill, now)
                    self.fair_play = fairplay.drill_completed(self.db, self.player_id, drill["id"], answered,
                                                              written=self.fair_play)
                else:
                    banked, self.fair_play = rewards.finish_drill(self.db, drill, now, self.procedures.get(OVERALL),
                                                                  answered, self.fair_play)
            if done and not measuring:  # its thresholds are stored in this commit, not a second one
                summary = self.summary(drill)
            if completed and not measuring:
                self._save_procedures(_axis(drill["mode"]))
        in_flight.release(self.player_id, trial["id"])  # stored: committed with its answer
        if advanced:  # nothing was sent at the drill's new position yet (see _count): the next `next` need not read
            self._next_slot = (drill["id"], store.slot_writes(drill["id"]), (True, progress[0], 0))
        self.open_trial, self.progress = None, progress
        self.best_streak_written = max(self.best_streak_written, answer_streak)
        if abs(message.refresh_ms - drill["refresh_ms"]) > rounds.REFRESH_TOLERANCE * drill["refresh_ms"]:
            drill["refresh_ms"] = rounds.nominal_period(message.refresh_ms)  # the display changed rate
        # A voided flash is shown again with a fresh emotion: its result tells nothing about either.
        result = {"type": "result", "trialId": trial["id"], "emotion": trial["emotion"] if verdict.scored else None,
                  "answer": message.answer, "correct": verdict.correct if verdict.scored else None,
                  "scored": verdict.scored, "flag": verdict.flag,
                  "replay": not verdict.scored, "answered": answered, "total": drill["trial_count"],
                  "exposureMs": round(trial["exposure_ms"], 1), "points": points, "answerStreak": answer_streak,
                  "done": done}
        if measuring:
            result = checkup.result_message(result)
        if scene_session.is_scene(drill["mode"]):
            result.update(scene_session.result_extras(trial))
        if not done:
            return [result]
        self.drill, self.finished = None, True
        if measuring:
            return [result, checkup.summary_message(drill["id"], banked)]
        for procedure in self.procedures.values():  # the drill's caches: until the next drill, only its beliefs
            procedure.trim()
        return [result, {**summary, **banked}]

    def abandon(self) -> list[dict]:
        drill = self._require_drill()
        self._close_in_flight("abandoned")
        store.abandon_drills(self.db, self.player_id, self.clock())
        self.drill, self.open_trial = None, None
        return [{"type": "abandoned", "drillId": drill["id"]}]

    def summary(self, drill: dict) -> dict:
        axis = _axis(drill["mode"])
        thresholds = {}
        for emotion in PROCEDURES:
            procedure = self.procedures.get(emotion)
            if procedure is not None and procedure.trials:
                estimate = procedure.threshold()
                thresholds[emotion] = {"value": estimate.value, "low": estimate.low, "high": estimate.high,
                                       "trials": procedure.trials}
        store.record_thresholds(self.db, self.player_id, drill["id"], axis, thresholds)
        summary = {"type": "summary", "drillId": drill["id"], "mode": drill["mode"], "axis": axis,
                   **store.drill_summary(self.db, drill["id"]), "thresholds": thresholds}
        if drill.get("kind") in rewards.CHALLENGE_KINDS:
            summary["challenge"] = rewards.challenge_result(self.db, drill)
        return summary

    def disconnect(self) -> None:
        """Keep the drill open for a resume; only this socket's unanswered trial is lost (another tab may have
        resumed the drill meanwhile, and its trial stays open)."""
        if self.open_trial is not None and in_flight.release(self.player_id, self.open_trial["id"]):
            store.close_trial(self.db, self.open_trial, "disconnected")
        self.open_trial = None

    # -- internals ----------------------------------------------------------------

    def _require_drill(self) -> dict:
        if self.drill is None:
            raise ProtocolError("no_drill", "Start a drill first.")
        return self.drill

    def _reject_stray_answer(self, message: Answer) -> list[dict]:
        """An answer for a trial that is not the one in flight: say exactly why."""
        if in_flight.holds(self.player_id, message.trial_id):  # sent to another tab, which still shows it
            raise ProtocolError("trial_expired", "That trial is no longer open.", trialId=message.trial_id)
        code, reason = store.why_not_open(self.db, message.trial_id, self.player_id)
        raise ProtocolError(code, reason, trialId=message.trial_id)

    def _count(self, drill: dict, trial: dict, verdict: rounds.Verdict, earns: bool,
               answer: dict) -> tuple[int, int, tuple[int, int], bool]:
        """Store the answer with its points and, if scored, its place in the drill's count and the answer streak after
        it (the caller holds the transaction); returns the points, the streak, the drill's (answered, answer streak)
        after it, and whether it moved the drill on from the count this socket held.

        Computed from the progress this socket holds; if another tab answered in this drill meanwhile, that answer
        holds this one's place (``seq`` is unique in a drill), nothing is stored, and the progress is read again (the
        lock is held: no one else writes). When this socket's count held, nothing can have been sent at the new
        position: a trial's position is the scored count when it was sent, plus one, and the count only grows.
        """
        if not verdict.scored:  # a voided flash (rare): the drill's progress as stored, another tab's answers included
            self._store_answer(trial, {**answer, "points": 0})
            return 0, 0, store.progress(self.db, drill["id"]), False
        held = True
        while True:  # twice at most: from this socket's count, then from the stored one
            answered, streak = self.progress if held else store.progress(self.db, drill["id"])
            points, after = rewards.points_for(trial, verdict.correct, streak) if earns else (0, streak)
            if self._store_answer(trial, {**answer, "points": points, "seq": answered + 1, "answer_streak": after},
                                  strict=not held):
                return points, after if earns else 0, (answered + 1, after), held
            held = False

    def _store_answer(self, trial: dict, answer: dict, *, strict: bool = True) -> bool:
        """Store the trial in flight with its answer; the caller releases it once committed.

        :param strict: refuse an answer that was not stored; else return False (its ``seq`` may have been taken)
        :raises store.AnswerRejected: another tab closed the trial (a resume, a new drill) or its drill
        """
        if not in_flight.holds(self.player_id, trial["id"]):
            raise store.AnswerRejected("closed", "closed by another tab")
        if store.record_answer(self.db, trial, answer):
            return True
        if strict:
            raise store.AnswerRejected("drill_closed", "That drill is closed (a newer one was started); nothing was "
                                       "stored.")
        return False

    def _rejected(self, trial: dict) -> tuple[str, str]:
        """After a refused answer (its transaction rolled back): keep what was sent, say why it was refused."""
        if in_flight.release(self.player_id, trial["id"]):  # its drill was closed elsewhere
            store.close_trial(self.db, trial, "abandoned")
        return store.why_not_open(self.db, trial["id"], self.player_id)

    def _close_in_flight(self, flag: str, drill_id: str | None = None) -> None:
        """Store as closed the trials this player's sockets have in flight (in one drill, or any): a resume or a new
        drill in this tab ends what the others show."""
        for trial in in_flight.release_all(self.player_id, drill_id):
            store.close_trial(self.db, trial, flag)

    def _own_p(self, stimulus: float) -> float | None:
        """P(correct) at ``stimulus`` by the player's own fit as this socket read it, when it rests on enough answers
        to accuse (fewer: unused by fair play); stored with the answer, for a replay of its evidence (game.fairplay)."""
        own = self.own_fit
        return float(own.p_correct(stimulus)) if own and own.trials >= plausibility.SHIFT_MIN_TRIALS else None

    def _weigh(self, trial: dict, seq: int, axis: str, stimulus: float, correct: bool, reaction_ms: float,
               own_p: float | None) -> None:
        """Fair play: a sub-human reaction keeps the drill off the boards; every answer feeds the evidence (the
        player's row written at the drill's end, or at once when it holds the player or hides them)."""
        if reaction_ms < plausibility.REACTION_FLOOR_MS:
            store.mark_unranked(self.db, trial["drill_id"], "reaction")
        written, self.fair_play = self.fair_play, None  # observed in place: should this raise, the next reads the row
        self.fair_play = fairplay.answered(self.db, self.player_id, trial["drill_id"], seq, axis=axis,
                                           stimulus=stimulus, correct=correct, reaction_ms=reaction_ms, own_p=own_p,
                                           written=written)

    def _started(self, *, fresh: bool = False) -> dict:
        """:param fresh: the drill was created by this message (no trial stored yet: nothing to count)"""
        drill = self.drill
        assert drill is not None
        return {"type": "started", "drillId": drill["id"], "mode": drill["mode"], "total": drill["trial_count"],
                "answered": self.progress[0], "correct": 0 if fresh else store.correct_count(self.db, drill["id"])}

    def _send_trial(self, slot: tuple[bool, int, int] | None = None) -> dict:
        """:param slot: ``store.next_slot`` of the drill, if the caller just read it"""
        drill = self.drill
        assert drill is not None
        active, scored, attempt = slot or store.next_slot(self.db, drill["id"])
        if not active:
            self.drill, self.open_trial = None, None
            raise ProtocolError("drill_closed", "This drill was closed (a newer one was started); start again.")
        position = scored + 1
        attempt += in_flight.count_at(self.player_id, drill["id"], position)  # shown in another tab: a replay
        plan_text, order = self._plan
        if plan_text is not drill["plan"]:  # a new drill, or one read again: its order, decoded once, not per trial
            order = msgspec.json.decode(drill["plan"])
            self._plan = (drill["plan"], order)
        if attempt and drill["mode"] != "checkup":  # a replay: a fresh emotion from the rest of the plan, so a
            # voided flash gives nothing away (a checkup shows its fixed item again and never names it)
            order = rounds.replay_plan(order, position, random.SystemRandom())
            store.set_plan(self.db, drill["id"], order)
            drill["plan"] = json.dumps(order)
            self._plan = (drill["plan"], order)
        emotion = order[position - 1]
        if scene_session.is_scene(drill["mode"]):
            trial, message = scene_session.next_trial(drill, self.procedures[emotion], position, attempt,
                                                      self.player_id, self.clock(),
                                                      self._trial_draws(drill, position, attempt)[0])
            in_flight.hold(trial)
            self.open_trial = trial
            return message
        period = drill["refresh_ms"]
        if drill["mode"] == "checkup":
            return self._open_trial(checkup.plan(position, period), position, attempt)
        procedure = self.procedures[emotion]
        procedure.anchor(self._overall_level())
        if drill["mode"] == "challenge":
            exposure_ms, intensity = challenge.exposure_ms(date.fromisoformat(drill["challenge_day"]), position), 1.0
        elif drill["mode"] == "subtle":
            exposure_ms, intensity = rounds.SUBTLE_EXPOSURE_MS, procedure.next_stimulus(rounds.SUBTLE_INTENSITIES)
        else:
            exposure_ms, intensity = procedure.next_stimulus(rounds.exposure_candidates(period)), 1.0
        # Jittered poses: no table of exact poses names a training trial. (A checkup's items stay identical for
        # everyone: it measures, and never reaches a board.)
        faces, jitter = self._trial_draws(drill, position, attempt)
        plan = rounds.plan_trial(faces, emotion, period, exposure_ms=exposure_ms, intensity=intensity, jitter=jitter)
        return self._open_trial(plan, position, attempt)

    def _trial_draws(self, drill: dict, position: int, attempt: int) -> tuple[random.Random, random.Random]:
        """The generators of a trial's face (identity, foreperiod, variant, traits) and of its pose's jitter.

        Two streams per drill on this socket, seeded from the system's secret randomness, so a trial seeds
        nothing (two string seeds a trial were ~4% of the worker's CPU). Both are new for each drill and each
        replay: a stream serves at most one pass over a drill's positions, far too few draws to learn a Mersenne
        Twister's state from, and a voided flash's replay gets a fresh face. A challenge's faces come from its seed
        (the same for every player that day), its jitter from this socket's secret stream.
        """
        if attempt or self._draws is None or self._draws[0] != drill["id"]:
            self._draws = (drill["id"], random.Random(secrets.randbits(64)), random.Random(secrets.randbits(64)))
        _, faces, jitter = self._draws
        if drill["mode"] in rewards.CHALLENGE_KINDS:
            faces = rounds.trial_rng(drill["seed"], position, attempt)
        return faces, jitter

    def _open_trial(self, plan: rounds.TrialPlan, position: int, attempt: int) -> dict:
        """Store a planned trial as the one in flight and build its message."""
        drill = self.drill
        assert drill is not None
        period = drill["refresh_ms"]
        emotion = plan.emotion
        pose = _encode_json(plan.pose)
        # The trial's id is secrets.token_urlsafe(12) written out (the same text of the same 12 secret bytes): its
        # five Python calls in three modules cost ~0.5 us more a next in situ, where the answers between evict them.
        trial = {"id": binascii.b2a_base64(os.urandom(12), newline=False).translate(_URL_SAFE).decode(),
                 "drill_id": drill["id"], "player_id": self.player_id,
                 "position": position, "attempt": attempt, "emotion": emotion, "pose": pose.decode(),
                 "identity_seed": plan.identity_seed, "intensity": plan.intensity,
                 "exposure_frames": plan.exposure_frames, "exposure_ms": plan.exposure_frames * period,
                 "wanted_ms": plan.wanted_ms, "refresh_ms": period, "display_ms": rounds.display_ms(plan, period),
                 "sent_at": self.clock(), "face_version": face_version.current(), "variant": plan.variant,
                 **plan.traits.columns()}  # what it stores about the face, for the operators' item report
        in_flight.hold(trial)  # stored with its answer, or as closed when it can no longer be answered
        self.open_trial = trial
        message = rounds.trial_message(trial["id"], plan, position, drill["trial_count"])
        message["expression"] = msgspec.Raw(pose)  # the reply's encoder copies the stored JSON: one encode, same bytes
        return message

    def _load_procedures(self, axis: str, open_drill: str | None = None) -> None:
        """The player's procedures as stored, with the answers of drills that did not write theirs (written now,
        except ``open_drill``'s: the drill this socket resumes). One this socket already holds in exactly that
        state (its last drill's) is kept with its computed beliefs: rebuilding eight from JSON was most of a
        `start`."""
        states, written, settled, self._unsaved = adaptation.replayed(
            self.db, self.player_id, axis, store.load_procedure_states(self.db, self.player_id, axis), open_drill)
        if settled:
            with self.db.atomic():
                if written:
                    store.save_procedure_states(self.db, self.player_id, axis, written)
                store.settle_drills(self.db, settled)
        held_axis, held = self._held
        self.procedures = {}
        for emotion in PROCEDURES:
            state, known = states.get(emotion), held.get(emotion) if held_axis == axis else None
            if state is None:
                self.procedures[emotion] = Staircase(axis)
            elif known is not None and known.to_json() == state:  # nobody else changed it since
                self.procedures[emotion] = known
            else:
                self.procedures[emotion] = Staircase.from_json(state)
        self._held, self._level = (axis, self.procedures), None
        overall, end = self.procedures[OVERALL], self._end_fit
        # The fit made at the end of this socket's last drill, if its procedure is the one kept: the same posterior,
        # which the summary computed (a later drill's start computed it again, ~0.04 ms)
        kept = end is not None and end[0] is overall and end[1] == overall.to_json()
        self.own_fit = end[2] if kept else overall.fit()  # type: ignore[index]
        self._end_fit = None

    def _begin_sessions(self, started_at: float) -> None:
        """A drill is a session of every procedure: the player may have changed since the last (see game.staircase)."""
        for procedure in self.procedures.values():
            procedure.begin_session(started_at)
        self._level = None

    def _overall_level(self) -> float:
        """The overall threshold (log10) that each emotion's procedure moves with between drills: as the last answer
        left it (only an answer, a new session or procedures read again change it), else asked of the procedure."""
        level = self._level
        if level is None:
            level = self._level = self.procedures[OVERALL].level()
        return level

    def _adapt(self, trial: dict, correct: bool) -> None:
        """Update the emotion's and the overall procedure with what was actually shown (written at the drill's end:
        until then a resume replays the stored answers, see game.adaptation)."""
        axis = _axis(self.drill["mode"]) if self.drill else "exposure"
        emotion, stimulus = trial["emotion"], adaptation.stimulus_of(axis, trial)
        self._level = None  # should adapt raise part way, the next asks the procedure
        self._level = adaptation.adapt(self.procedures, emotion, stimulus, correct)  # the next trial's anchor
        self._unsaved.update((OVERALL, emotion))
        self.procedures[emotion].trim()  # its next trial steps it by another anchor: keep only what that needs
        self.procedures[OVERALL].trim(keep_posterior=True)

    def _save_procedures(self, axis: str) -> None:
        """Write the procedures this drill answered (the caller holds the transaction that completes the drill). Each
        is as its last answer left it: an emotion whose flash was voided is shown again later in the drill (see
        rounds.replay_plan) and answered there."""
        if self._unsaved:
            store.save_procedure_states(self.db, self.player_id, axis, [
                (emotion, self.procedures[emotion].to_json(), self.procedures[emotion].trials)
                for emotion in sorted(self._unsaved)])
        self._unsaved = set()
        overall = self.procedures[OVERALL]  # its posterior is the summary's: the fit costs nothing now (8 KB held)
        self._end_fit = (overall, overall.to_json(), overall.fit())

    def _weakness_weights(self) -> dict[str, float]:
        """Focus mode: weigh each emotion by how long an exposure the player still needs."""
        weights = {}
        for emotion in EMOTION_KEYS:
            procedure = self.procedures[emotion]
            weights[emotion] = procedure.threshold().value if procedure.trials else 0.0
        known = [w for w in weights.values() if w > 0]
        fallback = max(known) if known else 1.0  # untried emotions count as weak
        return {e: w or fallback for e, w in weights.items()}

