"""Live duel rooms: who is in, what everyone is shown, who won. Pure; no I/O, no clock of its own.

A room is a short code friends type or tap; up to 8 players race through one plan of
trials (the same faces, emotions and exposures for everyone). The transport
(``game.duel_ws``) feeds every event in with the server's clock reading (``now``, seconds
on a monotonic clock) and sends out what each call returns: a list of
``(seat, message)`` pairs, seat ``None`` meaning everyone connected.

Rounds run in lockstep: every player gets trial k at the same moment; the round closes
when every player still in has answered (or at its deadline), the truth is revealed
to all, and after a short pause trial k+1 goes out. Until a round closes nobody learns
whether any answer was right, not even their own: progress says only who has answered,
and standings move only with closed rounds.

Speed is measured on the server's clock, from sending a player the trial to receiving
the answer, minus the time the face was on screen, minus that player's network delay
credited back up to a lichess-style quota (see ``LagQuota``): a slow phone line is not
punished, and a script faking lag gains at most the small allowance.

Fair play is the drills' (docs/fair-play.md): a trial names nothing and each phone's pose is
jittered from a secret per duel; an answer sooner than the face could have been shown is
``too_early`` and loses the trial; one under the human reaction floor keeps that player's
result off every board; each answer is kept as evidence (``Evidence``) for the plausibility
check, which the transport runs when the duel ends, before anything is stored.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

import msgspec

from game import plausibility, rounds
from game.emotions import EMOTION_KEYS

# No look-alikes to misread from a friend's screen: no 0/O, 1/I/L, U/V.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
CODE_LENGTH = 5
MAX_PLAYERS = 8
MAX_SPECTATORS = 24
MIN_PLAYERS = 2
DUEL_TRIALS = 10
# A duel gets harder as it goes: exposures step down from 200 ms to 33 ms (whole frames at 60 Hz).
EXPOSURE_RAMP_MS = (200.0, 150.0, 100.0, 66.7, 50.0, 33.3)
REACTION_FLOOR_MS = plausibility.REACTION_FLOOR_MS  # after the buttons appear; no time counts as faster
LAG_QUOTA_GAIN_MS = 80.0  # lichess credits lag up to a quota that grows each move; ours grows per trial

Seat = int | None  # None: everyone connected
Outbox = list[tuple[Seat, dict]]


class RoomError(ValueError):
    """A request the room refuses; ``code`` is machine-readable (docs/protocol.md), the message for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Pace:
    """How long each phase lasts, in seconds. Tests shorten the pauses; the trial rules never change."""

    countdown_s: float = 3.0
    answer_limit_s: float = 20.0  # after a trial is sent; an unanswered trial counts wrong at this time
    reveal_s: float = 2.5  # the truth stays up this long before the next trial
    grace_s: float = 20.0  # a dropped player may come back this long with nothing lost
    idle_s: float = 1800.0  # a room nobody is connected to closes after this
    trials: int = DUEL_TRIALS


@dataclass(frozen=True)
class DuelTrial:
    """One trial of a room's plan: each phone turns it into its own whole frames (``plan_for``)."""

    emotion: str
    exposure_ms: float
    key: str  # seeds the face, its pose and its foreperiod in ms: the same for every phone of the room


@dataclass(frozen=True)
class Evidence:
    """One answer, for the fair-play check (``game.fairplay.observed``)."""

    player_id: str
    stimulus_ms: float  # the exposure as this phone showed it (its frames x its period)
    correct: bool
    reaction_ms: float  # as the phone measured it, as in drills; else the server's, no lag credited


def new_code(taken: Callable[[str], bool], rng: random.Random | None = None) -> str:
    """A fresh room code not ``taken``; bounded attempts (29^5 = 20 million codes)."""
    choose = (rng or secrets.SystemRandom()).choice
    for _ in range(50):
        code = "".join(choose(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not taken(code):
            return code
    raise RuntimeError("no free room code")


def normalise_code(raw: object) -> str:
    """Upper-case, drop spaces and dashes; refuse anything that cannot be a code.

    :raises RoomError: ``bad_code``
    """
    if not isinstance(raw, str) or len(raw) > 16:
        raise RoomError("bad_code", f"A room code is {CODE_LENGTH} letters and digits.")
    code = raw.upper().replace("-", "").replace(" ", "")
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise RoomError("bad_code", f"A room code is {CODE_LENGTH} letters and digits.")
    return code


def plan_trials(seed: int, count: int) -> list[DuelTrial]:
    """The same trials for everyone who plays this seed: emotions balanced, exposures getting shorter."""
    emotions = rounds.plan_emotions(random.Random(seed), count)
    return [DuelTrial(emotion=emotion, key=f"{seed}:duel:{position}",
                      exposure_ms=EXPOSURE_RAMP_MS[min(len(EXPOSURE_RAMP_MS) - 1,
                                                       (position - 1) * len(EXPOSURE_RAMP_MS) // count)])
            for position, emotion in enumerate(emotions, start=1)]


def plan_for(trial: DuelTrial, period_ms: float) -> rounds.TrialPlan:
    """A trial on one display: the drills' planning (face, traits, foreperiod), in this display's frames.

    The draws do not depend on the period, so every phone of the room gets the same face, emotion and
    exposure in ms; only the rounding to whole frames differs.
    """
    return rounds.plan_trial(random.Random(trial.key), trial.emotion, period_ms, exposure_ms=trial.exposure_ms,
                             intensity=1.0)


def trial_message(trial_id: str, plan: rounds.TrialPlan, position: int, total: int, answer_limit_s: float) -> dict:
    """The drills' `trial` message (never the emotion or its variant) plus the time allowed to answer."""
    return {**rounds.trial_message(trial_id, plan, position, total), "answerLimitMs": round(answer_limit_s * 1000)}


class LagQuota:
    """lichess's lag compensation, per player: credit min(lag, quota); the quota refills a little each trial.

    It starts at 3 gains and is capped at 7, so a player can be credited a couple of slow trials in a
    row but never more than about ``LAG_QUOTA_GAIN_MS`` per trial over a whole duel.
    """

    def __init__(self, gain_ms: float = LAG_QUOTA_GAIN_MS) -> None:
        self.gain_ms = gain_ms
        self.quota_ms = 3 * gain_ms

    def credit(self, lag_ms: float) -> float:
        credited = max(0.0, min(lag_ms, self.quota_ms))
        self.quota_ms = min(self.quota_ms - credited + self.gain_ms, 7 * self.gain_ms)
        return credited


@dataclass
class Answered:
    position: int
    answer: str | None  # None: no answer before the deadline
    correct: bool
    reaction_ms: float  # server clock, after the mask, with lag credited; never under REACTION_FLOOR_MS
    lag_credit_ms: float = 0.0
    flag: str | None = None  # "too_early": a false start, the trial lost


@dataclass
class Member:
    player_id: str
    seat: int
    name: str
    role: str  # "player" or "spectator"
    period_ms: float
    joined_at: float
    rejoin_token: str = ""
    connected: bool = True
    dropped_at: float | None = None
    out: bool = False  # gone for good: the duel went on without them
    rtt_ms: float | None = None  # smoothed round trip of pings
    lag: LagQuota = field(default_factory=LagQuota)
    answers: dict[int, Answered] = field(default_factory=dict)
    too_early: int = 0  # answers refused for coming before the face could have been seen
    unranked: str | None = None  # why this player's result stays off every board ("reaction"), as drills.unranked
    wants_rematch: bool = False

    @property
    def correct(self) -> int:
        return sum(a.correct for a in self.answers.values())

    @property
    def total_ms(self) -> float:
        return sum(a.reaction_ms for a in self.answers.values())

    @property
    def in_play(self) -> bool:
        return self.role == "player" and not self.out

    def reset_score(self) -> None:
        self.answers, self.lag, self.too_early, self.wants_rematch = {}, LagQuota(), 0, False
        self.unranked = None

    def outcomes(self) -> list[dict]:
        """Trial by trial, in order: for a challenge link's side-by-side."""
        return [{"answer": a.answer, "correct": a.correct, "reactionMs": round(a.reaction_ms), "flag": a.flag}
                for _, a in sorted(self.answers.items())]

    def public(self) -> dict:
        return {"seat": self.seat, "name": self.name or f"Player {self.seat}", "role": self.role,
                "connected": self.connected, "out": self.out, "correct": self.correct, "totalMs": round(self.total_ms),
                "answered": len(self.answers)}


@dataclass
class OpenTrial:
    """A trial sent to one player and not yet answered."""

    trial_id: str
    seat: int
    position: int
    sent_at: float
    plan: rounds.TrialPlan  # in this phone's frames
    period_ms: float

    @property
    def display_ms(self) -> float:
        """Foreperiod, flash and mask on this phone: no answer can come sooner."""
        return rounds.display_ms(self.plan, self.period_ms)


class Room:
    """One duel room. Every method takes the server's ``now`` and returns what to send."""

    def __init__(self, code: str, *, pace: Pace = Pace(), seed: int | None = None, solo: bool = False,
                 new_id: Callable[[], str] = lambda: secrets.token_urlsafe(9), now: float = 0.0,
                 answer_clock_scale: float = 1.0) -> None:
        """:param solo: one player against a fixed seed (a "beat my score" challenge link), no waiting for others
        :param answer_clock_scale: share of a trial's display time that must pass before its answer (1 in
            production, as for drills; tests that script many answers may lower it)"""
        self.code = code
        self.answer_clock_scale = answer_clock_scale
        self.jitter_seed = secrets.randbits(64)  # secret: each phone's pose nudges, new for every duel
        self.evidence: list[Evidence] = []  # answers not yet weighed by the fair-play check
        self._plans: dict[tuple[int, float], rounds.TrialPlan] = {}  # (position, period): planned once per display
        self.min_players = 1 if solo else MIN_PLAYERS
        self.pace = pace
        self.new_id = new_id
        self.seed = seed if seed is not None else secrets.randbits(53)
        self.state = "lobby"  # lobby -> countdown -> playing -> done (-> countdown on a rematch)
        self.members: dict[str, Member] = {}  # by player id, in joining order
        self.host: str | None = None
        self.plan: list[DuelTrial] = []
        self.position = 0  # the trial in play (1-based), 0 before the first
        self.round_open = False
        self.open_trials: dict[str, OpenTrial] = {}  # trial id -> the player it was sent to
        self.sent_at: dict[int, float] = {}  # seat -> when this round's trial went to them
        self.deadline: float | None = None  # the next moment tick() has something to do
        self.round_deadline = 0.0
        self.last_activity = now
        self.answered_ids: dict[str, int] = {}  # trial id -> the seat that answered it
        self.closed_ids: dict[str, int] = {}  # trial id -> seat, for trials whose round closed unanswered
        self.duels_played = 0
        self.started_at: float | None = None
        self._next_seat = 1

    # -- joining and leaving ----------------------------------------------------------

    def join(self, player_id: str, name: str, period_ms: float, now: float, rejoin: str | None = None) -> Outbox:
        """A player opens the room: a seat in the lobby, a spectator's place later, or their own seat back.

        :param rejoin: the token this player's ``joined`` carried: a phone whose old connection has not been
            seen to drop yet may take its seat back with it (a second tab without it is refused)
        :raises RoomError: ``already_joined``, ``room_full``
        """
        period_ms = rounds.nominal_period(period_ms)  # as drills: phones of one rate get identical frames
        self.last_activity = now
        member = self.members.get(player_id)
        if member is not None and not member.out:
            if member.connected and (rejoin is None or rejoin != member.rejoin_token):
                raise RoomError("already_joined", "You are already in this room (in another tab?).")
            return self._rejoin(member, period_ms, now)
        if member is not None and member.out and self.state in ("countdown", "playing"):
            member.connected, member.period_ms = True, period_ms  # back after being marked out: watch
            return [(member.seat, self._joined(member)), (None, self.snapshot())]
        players = sum(m.role == "player" for m in self.members.values())
        if self.state == "lobby":
            if players >= MAX_PLAYERS:
                raise RoomError("room_full", f"This room already has {MAX_PLAYERS} players.")
            role = "player"
        else:  # late: watch this duel, play the rematch
            if sum(m.role == "spectator" for m in self.members.values()) >= MAX_SPECTATORS:
                raise RoomError("room_full", "This room is full.")
            role = "spectator"
        member = Member(player_id=player_id, seat=self._next_seat, name=name, role=role,
                        period_ms=period_ms, joined_at=now, rejoin_token=self.new_id())
        self._next_seat += 1
        self.members[player_id] = member
        if self.host is None:
            self.host = player_id
        return [(member.seat, self._joined(member)), (None, self.snapshot())]

    def _rejoin(self, member: Member, period_ms: float, now: float) -> Outbox:
        """Back within the grace period: same seat, same score, and the trial in play if not answered yet."""
        member.connected, member.dropped_at, member.period_ms = True, None, period_ms
        self._drop_open_trials(member.seat)  # a trial sent to the old connection is sent again, timed from now
        out: Outbox = [(member.seat, self._joined(member)), (None, self.snapshot())]
        if self.state == "playing" and self.round_open and self.position not in member.answers \
                and member.role == "player":
            out.append((member.seat, self._send_trial(member, now)))
        self._schedule(now)
        return out

    def disconnect(self, player_id: str, now: float) -> Outbox:
        """The connection dropped: keep the seat for the grace period (the lobby too, for a reload)."""
        member = self.members.get(player_id)
        if member is None or not member.connected:
            return []
        member.connected, member.dropped_at = False, now
        self._drop_open_trials(member.seat)  # a rejoin gets the trial again, timed from then
        out: Outbox = []
        if self.host == player_id:
            out += self._pass_host()
        out.append((None, self.snapshot()))
        self._schedule(now)
        return out

    def leave(self, player_id: str, now: float) -> Outbox:
        """Gone on purpose: out of the lobby at once; out of a duel in play, which goes on without them."""
        member = self.members.get(player_id)
        if member is None:
            raise RoomError("not_in_room", "You are not in this room.")
        self.last_activity = now
        member.connected, member.dropped_at = False, None
        self._drop_open_trials(member.seat)
        if self.state in ("lobby", "done") or member.role == "spectator":
            del self.members[player_id]
        else:
            member.out = True
        out: Outbox = []
        if self.host == player_id:
            out += self._pass_host()
        out.append((None, self.snapshot()))
        out += self._close_round_if_complete(now)
        out += self._end_if_alone(now)
        self._schedule(now)
        return out

    def _pass_host(self) -> Outbox:
        """The next player by joining order who is still here becomes host."""
        candidates = [m for m in self.members.values() if m.connected and not m.out]
        players = [m for m in candidates if m.role == "player"] or candidates
        self.host = players[0].player_id if players else None
        if self.host is None:
            return []
        return [(None, {"type": "host", "seat": self.members[self.host].seat})]

    # -- the duel ------------------------------------------------------------------------

    def start(self, player_id: str, now: float) -> Outbox:
        """The host starts the countdown.

        :raises RoomError: ``not_host``, ``already_started``, ``not_enough_players``
        """
        self._require_member(player_id)
        if player_id != self.host:
            raise RoomError("not_host", "Only the host can start the duel.")
        if self.state != "lobby":
            raise RoomError("already_started", "This duel has already started.")
        return self._begin(now)

    def rematch(self, player_id: str, now: float) -> Outbox:
        """After a duel: the host's tap starts a new one at once (spectators join in); anyone else's asks for it.

        :raises RoomError: ``not_over``
        """
        member = self._require_member(player_id)
        if self.state != "done":
            raise RoomError("not_over", "The duel is still on.")
        self.last_activity = now
        if player_id != self.host:
            member.wants_rematch = True
            return [(None, {"type": "rematchWanted", "seat": member.seat}), (None, self.snapshot())]
        for someone in list(self.members.values()):
            if not someone.connected:
                del self.members[someone.player_id]  # gone for good by now
                continue
            someone.out = False
            someone.reset_score()
        seats = [m for m in self.members.values() if m.role == "player"]
        for late in [m for m in self.members.values() if m.role == "spectator"]:
            if len(seats) < MAX_PLAYERS:
                late.role = "player"
                seats.append(late)
        self.seed = secrets.randbits(53)
        return self._begin(now)

    def _begin(self, now: float) -> Outbox:
        ready = [m for m in self.members.values() if m.role == "player" and m.connected]
        if len(ready) < self.min_players:
            raise RoomError("not_enough_players", f"A duel needs at least {self.min_players} players here.")
        for member in self.members.values():
            if member.role == "player" and not member.connected:
                member.out = True  # left the lobby and never came back
        self.plan = plan_trials(self.seed, self.pace.trials)
        self.jitter_seed, self.evidence, self._plans = secrets.randbits(64), [], {}
        self.open_trials, self.answered_ids, self.closed_ids, self.sent_at = {}, {}, {}, {}
        self.state, self.position, self.round_open = "countdown", 0, False
        self.started_at = now
        self.deadline = now + self.pace.countdown_s
        self.last_activity = now
        return [(None, self.snapshot()),
                (None, {"type": "countdown", "startsInMs": round(self.pace.countdown_s * 1000),
                        "total": len(self.plan)})]

    def answer(self, player_id: str, trial_id: str, answer: str, now: float,
               reaction_ms: float | None = None) -> Outbox:
        """A player's answer to the trial in play; scored only when the round closes.

        The drills' fair-play rules: one answer per trial, by the player it was sent to, while its round is
        open; one sooner than the face could have been shown is a false start that loses the trial
        (``too_early``, sent back in the outbox); one under the human reaction floor keeps the player's result
        off the boards. Every answer becomes ``Evidence``.

        :param reaction_ms: from the buttons appearing to the tap, as the phone measured it (as in drills)
        :raises RoomError: ``not_playing``, ``duel_over``, ``unknown_trial``, ``already_answered``,
            ``trial_closed``, ``bad_answer``, ``bad_timing``
        """
        member = self._require_member(player_id)
        self.last_activity = now
        if answer not in EMOTION_KEYS:
            raise RoomError("bad_answer", "That is not one of the seven emotions.")
        if self.state == "done":
            raise RoomError("duel_over", "This duel is over.")
        if self.state != "playing" or member.role != "player" or member.out:
            raise RoomError("not_playing", "You are not playing in this duel.")
        trial = self.open_trials.get(trial_id)
        if trial is None or trial.seat != member.seat:
            if self.answered_ids.get(trial_id) == member.seat:
                raise RoomError("already_answered", "You already answered that trial; the first answer stands.")
            if self.closed_ids.get(trial_id) == member.seat:
                raise RoomError("trial_closed", "That trial's round is over.")
            raise RoomError("unknown_trial", "That trial was never sent to you.")
        if reaction_ms is not None and reaction_ms > (now - trial.sent_at) * 1000:
            raise RoomError("bad_timing", "That reaction time is longer than the trial has existed.")
        del self.open_trials[trial_id]
        self.answered_ids[trial_id] = member.seat
        elapsed_s = now - trial.sent_at
        if elapsed_s < rounds.earliest_answer_s(trial.display_ms, self.answer_clock_scale):
            member.too_early += 1
            member.answers[trial.position] = Answered(trial.position, None, False, self.pace.answer_limit_s * 1000,
                                                      flag="too_early")
            early = {"type": "error", "code": "too_early", "trialId": trial_id,
                     "message": "That answer came before the face could have been shown: this trial is lost."}
            return [(member.seat, early), (None, self._progress()), *self._close_round_if_complete(now)]
        # Network delays only lengthen the server's measure: under the floor, the person was faster than a person.
        after_buttons_ms = elapsed_s * 1000 - trial.display_ms * self.answer_clock_scale
        if min(after_buttons_ms, after_buttons_ms if reaction_ms is None else reaction_ms) < REACTION_FLOOR_MS:
            member.unranked = "reaction"
        lag_ms = member.lag.credit(member.rtt_ms or 0.0)
        reaction = max(REACTION_FLOOR_MS, after_buttons_ms - lag_ms)  # nobody gains by beating a person's floor
        correct = answer == self.plan[trial.position - 1].emotion
        member.answers[trial.position] = Answered(trial.position, answer, correct, reaction, lag_ms)
        self.evidence.append(Evidence(player_id, trial.plan.exposure_frames * trial.period_ms, correct,
                                      max(0.0, after_buttons_ms) if reaction_ms is None else reaction_ms))
        out: Outbox = [(member.seat, {"type": "accepted", "trialId": trial_id, "position": trial.position}),
                       (None, self._progress())]
        return out + self._close_round_if_complete(now)

    def take_evidence(self) -> list[Evidence]:
        """The answers to weigh, once: the transport runs the fair-play check on them when the duel ends."""
        taken, self.evidence = self.evidence, []
        return taken

    def pong(self, player_id: str, sent_ms: float, now: float) -> None:
        """A reply to our ping: smooth the round trip (only pings we could have sent count)."""
        member = self.members.get(player_id)
        if member is None:
            return
        rtt = now * 1000 - sent_ms
        if not 0 <= rtt <= 10_000:
            return
        member.rtt_ms = rtt if member.rtt_ms is None else 0.75 * member.rtt_ms + 0.25 * rtt

    def tick(self, now: float) -> Outbox:
        """Whatever is due at ``now``: the end of a countdown, a round's deadline or reveal, a grace running out."""
        out: Outbox = []
        for member in self.members.values():
            if not member.connected and member.dropped_at is not None \
                    and now - member.dropped_at >= self.pace.grace_s:
                out += self._mark_out(member, now)
        if self.state == "playing" and self.round_open:
            if now >= self._round_deadline():
                out += self._close_round(now)
        elif self.deadline is not None and now >= self.deadline:
            if self.state == "countdown":
                self.state = "playing"
                out += self._open_round(1, now)
            elif self.state == "playing":
                out += self._open_round(self.position + 1, now) if self.position < len(self.plan) \
                    else self._finish(now)
        self._schedule(now)
        return out

    def _mark_out(self, member: Member, now: float) -> Outbox:
        member.dropped_at = None
        if self.state in ("lobby", "done"):
            del self.members[member.player_id]
            out: Outbox = [(None, self.snapshot())]
        else:
            member.out = True
            out = [(None, self.snapshot())]
            out += self._close_round_if_complete(now)
            out += self._end_if_alone(now)
        if self.host == member.player_id:
            out[:0] = self._pass_host()
        return out

    def _end_if_alone(self, now: float) -> Outbox:
        """A duel with one player left in it is over: they win."""
        if self.state in ("countdown", "playing") and sum(m.in_play for m in self.members.values()) < self.min_players:
            return self._finish(now)
        return []

    def _open_round(self, position: int, now: float) -> Outbox:
        self.position, self.round_open = position, True
        self.round_deadline = now + self.pace.answer_limit_s
        self.sent_at = {}
        out: Outbox = []
        for member in self.members.values():
            if member.in_play and member.connected:
                out.append((member.seat, self._send_trial(member, now)))
        out.append((None, self._progress()))
        return out

    def _send_trial(self, member: Member, now: float) -> dict:
        key = (self.position, member.period_ms)
        plan = self._plans.get(key)
        if plan is None:  # the same for every phone of this rate: plan it once (bench/duels.py profile)
            plan = self._plans[key] = plan_for(self.plan[self.position - 1], member.period_ms)
        # Jittered per phone and per duel from a secret: no table of exact poses names a duel's trial either.
        jitter = random.Random(f"{self.jitter_seed}:{member.seat}:{self.position}")
        plan = msgspec.structs.replace(plan, pose=rounds.jitter_pose(plan.pose, jitter))
        trial_id = self.new_id()
        self.open_trials[trial_id] = OpenTrial(trial_id, member.seat, self.position, now, plan, member.period_ms)
        self.sent_at[member.seat] = now
        return trial_message(trial_id, plan, self.position, len(self.plan), self.pace.answer_limit_s)

    def _close_round_if_complete(self, now: float) -> Outbox:
        if self.state != "playing" or not self.round_open:
            return []
        waiting = [m for m in self.members.values() if m.in_play and self.position not in m.answers]
        return [] if waiting else self._close_round(now)

    def _close_round(self, now: float) -> Outbox:
        """Reveal the truth and everyone's verdict; whoever did not answer in time is wrong at the limit."""
        trial = self.plan[self.position - 1]
        for member in self.members.values():
            if member.in_play and self.position not in member.answers:
                member.answers[self.position] = Answered(self.position, None, False,
                                                         self.pace.answer_limit_s * 1000)
        for trial_id, open_trial in list(self.open_trials.items()):
            if open_trial.position == self.position:
                del self.open_trials[trial_id]
                self.closed_ids[trial_id] = open_trial.seat
        self.round_open = False
        self.deadline = now + self.pace.reveal_s
        results = []
        for member in self.members.values():
            answered = member.answers.get(self.position)
            if member.role == "player" and answered is not None:
                results.append({"seat": member.seat, "answer": answered.answer, "correct": answered.correct,
                                "reactionMs": round(answered.reaction_ms)})
        return [(None, {"type": "round", "position": self.position, "total": len(self.plan),
                        "emotion": trial.emotion, "results": results, "standings": self.standings()})]

    def _finish(self, now: float) -> Outbox:
        self.state, self.round_open, self.deadline = "done", False, None
        self.open_trials.clear()
        self.duels_played += 1
        standings = self.standings()
        return [(None, self.snapshot()), (None, {"type": "done", "standings": standings,
                                                 "winner": standings[0]["seat"] if standings else None})]

    def standings(self) -> list[dict]:
        """Players ranked: most right answers, then least total time; those marked out last."""
        players = [m for m in self.members.values() if m.role == "player"]
        players.sort(key=lambda m: (m.out, -m.correct, m.total_ms, m.seat))
        return [{**m.public(), "rank": rank} for rank, m in enumerate(players, start=1)]

    def results(self) -> list[dict]:
        """For storage: each player's id with their standing and why it stays off the boards, if it does."""
        by_seat = {m.seat: m for m in self.members.values()}
        return [{**s, "playerId": by_seat[s["seat"]].player_id, "unranked": by_seat[s["seat"]].unranked}
                for s in self.standings()]

    # -- what is due next ----------------------------------------------------------------

    def _schedule(self, now: float) -> None:
        """Work out the next moment ``tick`` must run (a round deadline may wait for a dropped player)."""
        if self.state == "playing" and self.round_open:
            self.deadline = self._round_deadline()
        elif self.state in ("lobby", "done"):
            self.deadline = None

    def _round_deadline(self) -> float:
        """A round waits for the answer limit, for a rejoiner's own limit, and for a dropped player's grace."""
        moments = [self.round_deadline]
        for member in self.members.values():
            if member.in_play and self.position not in member.answers:
                if member.connected and member.seat in self.sent_at:
                    moments.append(self.sent_at[member.seat] + self.pace.answer_limit_s)
                elif member.dropped_at is not None:
                    moments.append(member.dropped_at + self.pace.grace_s)
        return max(moments)

    def next_deadline(self) -> float | None:
        """The earliest moment ``tick`` has work: a phase ending or a dropped player's grace running out."""
        moments = [m.dropped_at + self.pace.grace_s for m in self.members.values()
                   if not m.connected and m.dropped_at is not None]
        if self.deadline is not None:
            moments.append(self.deadline)
        return min(moments) if moments else None

    def abandoned(self, now: float) -> bool:
        """Nobody connected for a long while: the room can go."""
        if not self.members:
            return True
        return not any(m.connected for m in self.members.values()) and now - self.last_activity >= self.pace.idle_s

    # -- messages ------------------------------------------------------------------------

    def snapshot(self) -> dict:
        host = self.members.get(self.host) if self.host else None
        return {"type": "room", "code": self.code, "state": self.state, "host": host.seat if host else None,
                "position": self.position, "total": len(self.plan) or self.pace.trials,
                "maxPlayers": MAX_PLAYERS,
                "players": [m.public() for m in self.members.values() if m.role == "player"],
                "spectators": [m.public() for m in self.members.values() if m.role == "spectator"],
                "rematch": [m.seat for m in self.members.values() if m.wants_rematch]}

    def _joined(self, member: Member) -> dict:
        return {"type": "joined", "code": self.code, "seat": member.seat, "role": member.role,
                "host": self.host == member.player_id, "rejoin": member.rejoin_token}

    def _progress(self) -> dict:
        """Who has answered the trial in play: never whether they were right."""
        answered = [m.seat for m in self.members.values() if m.in_play and self.position in m.answers]
        return {"type": "progress", "position": self.position, "answered": answered}

    def _require_member(self, player_id: str) -> Member:
        member = self.members.get(player_id)
        if member is None:
            raise RoomError("not_in_room", "Join the room first.")
        return member

    def _drop_open_trials(self, seat: int) -> None:
        for trial_id in [t for t, o in self.open_trials.items() if o.seat == seat]:
            del self.open_trials[trial_id]
            self.closed_ids[trial_id] = seat

    def seat_of(self, player_id: str) -> int | None:
        member = self.members.get(player_id)
        return member.seat if member else None
