"""How likely a player's answers are for a human: a running score per player. Pure; no I/O.

No client-drawn face can be hidden from its own client, so a script can read every pose. What the
server can judge is whether the answers look like a person's. Each component is a number compared
with its limit; the score is the largest ratio, and a player whose score reaches 1 is held from
public boards until an operator looks (``game.fairplay``). docs/fair-play.md has the reasoning and
the false-positive rates measured by ``bench/fairplay.py``.

- ``accuracy``: CUSUMs of the log-likelihood ratio of "too good" against "the best plausible human"
  (a 7AFC log-Weibull whose 75% threshold is ``HUMAN_BEST`` with the kindest slope at each stimulus).
  "Too good" is each of ``ALTERNATIVES``: a pose reader right 99% of the time, or a person who sees
  every flash 2 or 4 times longer than the server thinks (a display lying about its refresh rate).
  For an honest player no better than the ceiling each ratio is a non-negative supermartingale, so by
  Ville's inequality the chance one ever climbs to ``ACCURACY_LIMIT_NATS`` is at most exp(-limit)
  per excursion (the limit carries ln 3 for the three alternatives).
- ``shift``: the same ratio against the player's *own* fitted psychometric function (as it stood
  before the drill), on every trial once that fit rests on enough answers: an account that plays like
  its own history and then suddenly answers like a reader (a "sleeper").
- ``regularity``: reaction times of a person spread by hundreds of ms; a script's barely move. Only
  times over the human floor count: faster answers keep their drill off the boards already, and a person
  tapping blindly at once after a flash they missed should not look like a metronome.
- ``drills_per_hour`` and ``points_per_minute``: pace beyond what the display times allow a person.

Short of a hold, a player's results **wait** off the public boards (``waits``) while they are in doubt
(``in_doubt``: for ``DOUBT_ANSWERS`` answers after any evidence reaches ``DOUBT_SHARE`` of its line, or
after a drill whose answers alone carry ``JUMP_NATS`` against the player's own fit), or while results
resting on short flashes are not yet vetted (``vetted``). Waiting costs an honest player a short delay at
worst, never a hold; it is what keeps a cheater's results off the boards while the evidence for a hold
is still building.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

GUESS = 1 / 7
# The best plausible 75%-correct threshold per axis; a scene's leak (ms x intensity) inside a moving,
# talking face is no easier to catch than a flash between still faces, so it shares the flash's ceiling.
HUMAN_BEST = {"exposure": 30.0, "intensity": 0.04, "leak": 30.0}
HUMAN_SLOPES = tuple(1.2 * (5.0 / 1.2) ** (k / 39) for k in range(40))  # log-Weibull slopes people show
READER_P = 0.99  # how often a pose reader is right, whatever the flash
LONGER = (2.0, 4.0)  # "sees the flash this many times longer than claimed"
BEST_P = 0.97  # no alternative is surer than this: a person still slips
ALTERNATIVES = ("reader", *(f"longer{k:g}" for k in LONGER))
ACCURACY_LIMIT_NATS = 11.5 + math.log(len(ALTERNATIVES))  # ~ln(100,000) each
SHIFT_LIMIT_NATS = 30.0  # learners outgrow their own past fit: simulated ones reach 11 nats (bench/fairplay.py)
SHIFT_MIN_TRIALS = 60  # the player's own fit must rest on this many answers before it can accuse
DOUBT_SHARE = 0.4  # evidence at this share of its line: results wait off public boards (not a hold)
JUMP_NATS = 3.5  # one drill this far beyond the player's own fit: results wait (a sleeper's first drill as a reader)
DOUBT_ANSWERS = 60  # a doubt lasts this many answers after what raised it (three drills)
SHORT_CEILING = 0.9  # a "short" flash: the best person is right less often than this (1-2 frames at 60 Hz)
SHORT_SHARE = 0.25  # results rest on short flashes once this share of a player's answers were at them...
VETTING_ALTERNATIVE = "longer2"  # ...and show once the answers favour a person over one who sees each flash twice
VETTING_NATS = 11.5  # as long by this much: the hold line's weight, the other way (ln 100,000)
REACTION_FLOOR_MS = 150.0  # from the answer buttons appearing to a tap: faster is not a human choosing
REGULARITY_WINDOW = 20
REGULARITY_SD_MS = 20.0  # people's 7-choice reaction times spread by 100s of ms; scripts by a few
HOUR_S, TEN_MINUTES_S = 3600.0, 600.0
DRILLS_PER_HOUR_LIMIT = 90  # a person needs 45 s or more a drill (flashes, masks, taps); a script ~30 s
POINTS_PER_MINUTE_LIMIT = 3000  # above a perfect player at one 60 Hz frame at a human's fastest pace


def _weibull_p(log_ratio: float, slope: float) -> float:
    """P(correct) at log10(x / threshold75) for a lapse-free 7AFC log-Weibull of this slope."""
    at_threshold = -math.log1p(-(0.75 - GUESS) / (1 - GUESS))  # 10 ** (slope * (log t - alpha))
    exponent = at_threshold * 10 ** (slope * log_ratio)
    return GUESS + (1 - GUESS) * -math.expm1(-exponent)


@functools.lru_cache(maxsize=4096)  # stimuli are whole frames at a few display rates: few distinct values
def human_ceiling(axis: str, stimulus: float) -> float:
    """The best P(correct) any plausible person has at a stimulus (the envelope over slopes)."""
    log_ratio = math.log10(max(stimulus, 1e-6) / HUMAN_BEST[axis])
    return max(_weibull_p(log_ratio, slope) for slope in HUMAN_SLOPES)


def evidence(correct: bool, human_p: float, cheat_p: float) -> float:
    """Log-likelihood ratio (nats) of one answer: a cheat right with ``cheat_p`` against a human with ``human_p``."""
    human_p = min(max(human_p, 1e-6), 1 - 1e-6)
    cheat_p = min(max(cheat_p, human_p), 1 - 1e-6)  # never evidence against being as good as a person may be
    return math.log(cheat_p / human_p) if correct else math.log((1 - cheat_p) / (1 - human_p))


def reader_evidence(correct: bool, human_p: float) -> float:
    """Log-likelihood ratio (nats) of one answer: a pose reader against a human with ``human_p``."""
    return evidence(correct, human_p, READER_P)


def alternatives(axis: str, stimulus: float) -> dict[str, float]:
    """P(correct) under each "too good" alternative at a stimulus."""
    return dict(_alternatives(axis, stimulus))


@functools.lru_cache(maxsize=4096)
def _alternatives(axis: str, stimulus: float) -> tuple[tuple[str, float], ...]:
    longer = tuple((f"longer{k:g}", min(BEST_P, human_ceiling(axis, stimulus * k))) for k in LONGER)
    return (("reader", READER_P), *longer)


@functools.lru_cache(maxsize=8192)
def _answer_evidence(axis: str, stimulus: float, correct: bool) -> tuple[tuple[tuple[str, float], ...], float, bool]:
    """One answer's evidence for each alternative (nats), the vetting alternative's, and whether the flash was short:
    the same for every answer at a stimulus, and stimuli are few (``human_ceiling``)."""
    human_p = human_ceiling(axis, stimulus)
    llrs = tuple((name, evidence(correct, human_p, cheat_p)) for name, cheat_p in _alternatives(axis, stimulus))
    return llrs, dict(llrs)[VETTING_ALTERNATIVE], human_p < SHORT_CEILING


@dataclass
class State:
    """A player's running evidence (serialised with ``to_json``/``from_json``).

    ``observe_*`` give its lists new values rather than change them in place, so a ``copy`` may share them.
    """

    accuracy: dict[str, float] = field(default_factory=dict)  # CUSUM per alternative, nats
    shift: float = 0.0  # CUSUM against the player's own fit, nats
    drill_shift: float = 0.0  # the same evidence summed since the last completed drill (no floor), nats
    doubt_until: int = 0  # in doubt until ``trials`` reaches this
    short: int = 0  # answers at short flashes
    tested: float = 0.0  # evidence for VETTING_ALTERNATIVE over all answers, nats (no floor: it can be negative)
    reactions: list[float] = field(default_factory=list)  # the last REGULARITY_WINDOW over the floor, ms
    drills: list[float] = field(default_factory=list)  # completion times within the last hour
    banked: list[list[float]] = field(default_factory=list)  # [time, points] within the last ten minutes
    trials: int = 0

    def to_json(self) -> dict:
        return {"accuracy": {name: round(value, 4) for name, value in self.accuracy.items()},
                "shift": round(self.shift, 4), "drill_shift": round(self.drill_shift, 4),
                "doubt_until": self.doubt_until, "short": self.short, "tested": round(self.tested, 4),
                "reactions": self.reactions, "drills": self.drills, "banked": self.banked, "trials": self.trials}

    def copy(self) -> State:
        """A copy that ``observe_*`` can change without changing this one (every field, the lists shared)."""
        copied = object.__new__(State)
        copied.__dict__.update(self.__dict__)
        copied.accuracy = dict(self.accuracy)
        return copied

    def settle(self) -> None:
        """Round in place as ``to_json`` rounds. Encoded as a dataclass (msgspec: its fields, in order), the state is
        then ``to_json()``'s JSON byte for byte."""
        self.accuracy = {name: round(value, 4) for name, value in self.accuracy.items()}
        self.shift, self.drill_shift = round(self.shift, 4), round(self.drill_shift, 4)
        self.tested = round(self.tested, 4)

    def reread(self) -> None:
        """After ``settle``: what ``from_json`` reads back from the state's JSON, so that the next observation may
        start from this state instead. ``observe_*`` append the time and reaction they are given, and a caller may
        give an int (stored as such) where ``from_json`` reads a float; everything before the last of each list
        was read or made a float already."""
        reactions, drills, banked = self.reactions, self.drills, self.banked
        if reactions and type(reactions[-1]) is not float:
            self.reactions = [*reactions[:-1], float(reactions[-1])]
        if drills and type(drills[-1]) is not float:
            self.drills = [*drills[:-1], float(drills[-1])]
        if banked and (type(banked[-1][0]) is not float or type(banked[-1][1]) is not float):
            self.banked = [*banked[:-1], [float(banked[-1][0]), float(banked[-1][1])]]

    @classmethod
    def from_json(cls, data: dict) -> State:
        accuracy = data.get("accuracy", {})
        return cls(accuracy={str(k): float(v) for k, v in accuracy.items()} if isinstance(accuracy, dict) else {},
                   shift=float(data.get("shift", 0.0)), drill_shift=float(data.get("drill_shift", 0.0)),
                   doubt_until=int(data.get("doubt_until", 0)), short=int(data.get("short", 0)),
                   tested=float(data.get("tested", 0.0)),
                   reactions=[float(r) for r in data.get("reactions", [])],
                   drills=[float(t) for t in data.get("drills", [])],
                   banked=[[float(t), float(p)] for t, p in data.get("banked", [])], trials=int(data.get("trials", 0)))


@dataclass(frozen=True)
class Assessment:
    score: float  # the largest component / limit; held at >= 1
    components: dict[str, float]  # each component / its limit
    reasons: list[str]  # components at or over their limit

    @property
    def held(self) -> bool:
        return self.score >= 1.0


def observe_answer(state: State, *, axis: str, stimulus: float, correct: bool, reaction_ms: float,
                   own_p: float | None = None, own_trials: int = 0) -> None:
    """Take one scored live answer into account.

    :param stimulus: the exposure (ms, as the display really showed it) or intensity of the flash
    :param own_p: P(correct) at this stimulus by the player's own fit before the drill, if known
    :param own_trials: how many answers that fit rests on
    """
    state.trials += 1
    llrs, tested, short = _answer_evidence(axis, stimulus, correct)
    accuracy = state.accuracy
    for name, llr in llrs:
        accuracy[name] = max(0.0, accuracy.get(name, 0.0) + llr)
    state.tested += tested
    state.short += short
    if own_p is not None and own_trials >= SHIFT_MIN_TRIALS:
        llr = reader_evidence(correct, own_p)
        state.shift, state.drill_shift = max(0.0, state.shift + llr), state.drill_shift + llr
    if reaction_ms >= REACTION_FLOOR_MS:
        state.reactions = [*state.reactions[1 - REGULARITY_WINDOW:], round(reaction_ms, 1)]  # the last WINDOW
    evidence_share = max(max(state.accuracy.values(), default=0.0) / ACCURACY_LIMIT_NATS,
                         state.shift / SHIFT_LIMIT_NATS)
    if evidence_share >= DOUBT_SHARE:
        _doubt(state)


def observe_drill(state: State, *, at: float, points: int) -> None:
    """A live drill was completed at ``at`` (server clock) and banked ``points``."""
    state.drills = [t for t in state.drills if t > at - HOUR_S] + [at]
    state.banked = [[t, p] for t, p in state.banked if t > at - TEN_MINUTES_S] + [[at, float(points)]]
    _weigh_jump(state)


def observe_checkup(state: State) -> None:
    """A checkup was completed: its answers' jump against the player's own fit is weighed as a drill's, so that they
    do not count in the next drill's. It banks nothing and is paced by the test, not the player: no pace."""
    _weigh_jump(state)


def _weigh_jump(state: State) -> None:
    if state.drill_shift >= JUMP_NATS:
        _doubt(state)
    state.drill_shift = 0.0


def _doubt(state: State) -> None:
    state.doubt_until = state.trials + DOUBT_ANSWERS


def in_doubt(state: State) -> bool:
    """Whether some evidence is building, short of a hold."""
    return state.trials < state.doubt_until


def vetted(state: State) -> bool:
    """Whether the short flashes a player's results rest on have been checked enough to show them.

    Results that rest on short flashes are the ones that top boards, and the ones a script or a lying
    display fakes; there, a cheater's evidence builds by a fraction of a nat an answer. So they wait
    until the answers favour a person over one who sees every flash twice as long by ``VETTING_NATS``.
    For an honest player that sum drifts down from the first short flash (a few drills); for a
    cheater it drifts up, and a hold comes first.
    """
    return state.short <= SHORT_SHARE * state.trials or state.tested <= -VETTING_NATS


def waits(state: State) -> bool:
    """Whether the player's results wait off the public boards (not a hold: nothing is held against them)."""
    return in_doubt(state) or not vetted(state)


def assess(state: State) -> Assessment:
    components = {name: round(value, 3) for name, value in _components(state).items()}
    reasons = [name for name, value in components.items() if value >= 1.0]
    return Assessment(max(components.values()), components, reasons)


def may_hold(state: State) -> bool:
    """False when ``score(state)`` is surely under 1 (it rounds to 3 places: under 0.9995), without the reaction times'
    spread: n times whose range is r spread by at least r / sqrt(2n) (the two extremes alone, the rest at the mean),
    so a range that wide keeps the regularity under 1 (20 / 20.01). A margin covers the float rounding of each."""
    reactions = state.reactions
    if len(reactions) >= REGULARITY_WINDOW and \
            (max(reactions) - min(reactions)) / math.sqrt(2 * len(reactions)) <= REGULARITY_SD_MS * 1.001:
        return True
    return max(_readings(state)) >= 0.999


def score(state: State) -> float:
    """``assess(state).score`` without its reasons or a dict (a hold's check asks): rounding never reorders, so the
    rounded largest component is the largest rounded one. The components as ``_components`` has them, in its order."""
    regularity = REGULARITY_SD_MS / max(_pstdev(state.reactions), 0.1) \
        if len(state.reactions) >= REGULARITY_WINDOW else 0.0
    accuracy, shift, drills_per_hour, points_per_minute = _readings(state)
    return round(max(accuracy, shift, regularity, drills_per_hour, points_per_minute), 3)


def _readings(state: State) -> tuple[float, float, float, float]:
    """Every rule's reading but the regularity's (which needs the reaction times' spread) as a share of its limit:
    accuracy, shift, drills per hour, points per minute."""
    return (max(state.accuracy.values(), default=0.0) / ACCURACY_LIMIT_NATS, state.shift / SHIFT_LIMIT_NATS,
            len(state.drills) / DRILLS_PER_HOUR_LIMIT,
            sum(p for _, p in state.banked) / (TEN_MINUTES_S / 60) / POINTS_PER_MINUTE_LIMIT)


def _components(state: State) -> dict[str, float]:
    """Each rule's reading as a share of its limit (1.0: at the limit), unrounded."""
    accuracy, shift, drills_per_hour, points_per_minute = _readings(state)
    components = {"accuracy": accuracy, "shift": shift, "regularity": 0.0, "drills_per_hour": drills_per_hour,
                  "points_per_minute": points_per_minute}
    if len(state.reactions) >= REGULARITY_WINDOW:
        spread = _pstdev(state.reactions)
        components["regularity"] = REGULARITY_SD_MS / max(spread, 0.1)
    return components


def _pstdev(values: list[float]) -> float:
    """Population standard deviation in plain floats (statistics.pstdev works in exact fractions: 0.3 ms a call)."""
    mean = math.fsum(values) / len(values)
    return math.sqrt(math.fsum([(v - mean) ** 2 for v in values]) / len(values))  # a list: quicker than a generator
