"""Bayesian adaptive procedure (QUEST+) for a player's exposure or intensity threshold.

Pure computation: no Flask, no I/O. One :class:`Staircase` tracks one player on one
axis (and, at the caller's choice, one emotion).

Model, for a 7-alternative forced choice on ``x = log10(stimulus)``::

    P(correct | x) = g + (1 - g - lapse) * F(x),   F(x) = 1 - exp(-10 ** (slope * (x - alpha)))

with ``g = 1/7``: a log-Weibull, the same parametrisation as ``questplus.psychometric_function.weibull``
with ``scale="log10"``. Both axes are "easier when larger": longer exposures (milliseconds) and
stronger expressions (intensity 0-1).

The posterior lives on a grid over threshold ``alpha`` (log10 units), ``slope`` and ``lapse``.
The next stimulus is the caller's candidate with the minimum expected posterior entropy
(QUEST+, Watson 2017), computed exactly as the maximum mutual information between the
response and the parameters: ``h(sum_t w_t P_t(x)) - sum_t w_t h(P_t(x))`` where ``h`` is
the binary entropy. That is two matrix-vector products per call.

Players change: they improve over a few drills and get rusty after a break. The threshold is
therefore a hidden state that may move between sessions (a session is one drill): before each
session the belief about ``alpha`` is blurred by a Gaussian random walk (a Kalman-style forward
filter on the grid). How far it may move is itself unknown, so a few drift sizes are weighed by
how well each explains the player's own history (Bayesian model averaging): a steady player's
history keeps the no-drift model in charge, hence today's precision; a learner's history hands
it to a drifting model, and the estimate follows. A long break adds drift in every model.

Persistence stores only the sufficient statistics: per session, its start time and the trials
and correct answers per distinct stimulus. Within a session log-likelihoods are rounded to
multiples of 2**-30 so that summing them is exact in float64 and does not depend on order; the
filter then runs over sessions in a fixed order, so a state rebuilt from JSON has a posterior
that is bit-for-bit the one it was saved from, hence the same next stimulus. The stored state
does not depend on the grid, so a later grid, prior or drift change still reads old states;
version 1 states (one undated tally) read as a single session.

The same exactness lets players share work: what a first session computes (its carried beliefs are the prior's) and an
emotion's likelihood of a few answers are functions of the tallies alone, kept in module tables by tallies
(``Staircase._shared``, ``_Session.likelihood``); tests/test_staircase_exact.py compares them with the plain way.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

import numpy as np

FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
GUESS = 1 / 7  # seven emotions to choose from
# The grid: 55 thresholds x 6 slopes x 3 lapses = 990 points on the exposure axis. Every posterior, pick, drift step
# and threshold costs in proportion; bench/staircase_sim.py measured estimates as good as on the finer grid of
# session 7 (109 x 8 x 4 = 3,488 points; docs/scaling-log.md, cap-qp9). Stored states do not depend on the grid.
LAPSES = (0.0, 0.03, 0.06)
LAPSE_PRIOR = (0.5, 0.35, 0.15)  # mean lapse 2%, as before
SLOPES = tuple(float(s) for s in np.geomspace(0.8, 8.0, 6))
SLOPE_PRIOR_MEDIAN, SLOPE_PRIOR_SD_LN = 2.5, 0.6
# (slope, lapse) of a procedure that believes in thresholds alone (Drift.thresholds_only): the prior's median slope
# and its mean lapse.
FIXED_SHAPE = (SLOPE_PRIOR_MEDIAN, 0.02)
CREDIBLE_MASS = 0.68  # central credible interval reported by Staircase.threshold
_TAILS = ((1 - CREDIBLE_MASS) / 2, (1 + CREDIBLE_MASS) / 2)
_TAILS_ARRAY = np.array(_TAILS)

_FIXED_POINT = 2.0**30  # log-likelihoods are multiples of 2**-30: exact, order-free sums
_MIN_PROBABILITY = 1e-26  # log floor ~ -60 nats per trial; exact sums for > 100 000 trials
_MAX_TRIALS = 100_000
MAX_SESSIONS = 40  # older sessions are merged into the first: the state stays small, the filter fast
_DAY_S = 86_400.0


@dataclass(frozen=True)
class Drift:
    """How far a player's threshold may move between sessions (log10 units), and our prior belief in each size.

    ``session_sds[k]`` is model k's random-walk step per session; the models are averaged with
    weights ``prior[k]`` times how well each explains the player's answers. A break longer than
    ``break_grace_days`` adds ``break_sd_per_week`` of drift per week away to every model.
    """

    session_sds: tuple[float, ...]
    prior: tuple[float, ...]
    break_sd_per_week: float = 0.0
    break_grace_days: float = 2.0
    max_break_days: float = 180.0
    follows_anchor: bool = False  # move with the anchor (the overall estimate) between sessions, see Staircase.anchor
    session_means: tuple[float, ...] | None = None  # mean step into the 2nd session (negative: improving)
    share: float = 0.0  # at each session, this share of belief in the models returns to the prior (fixed share)
    power_law: bool = False  # the mean step shrinks with practice: log10(n / (n - 1)) / log10(2) into session n
    anchored: Drift | None = None  # the drift a procedure follows instead once it has an anchor (Staircase.anchor)
    thresholds_only: bool = False  # believe in thresholds alone, slope and lapse fixed at FIXED_SHAPE (see ANCHORED)

    def step_mean(self, model: int, session: int) -> float:
        """Mean random-walk step of model ``model`` into session number ``session`` (1-based; log10).

        With ``power_law`` the expected gain follows the power law of practice (threshold ~ n ** -b), so a
        model of a learner expects most of the gain in the first few sessions and little after.
        """
        if not self.session_means or session < 2:
            return 0.0
        scale = math.log10(session / (session - 1)) / math.log10(2) if self.power_law else 1.0
        return self.session_means[model] * scale

    def step_sd(self, model: int, gap_days: float) -> float:
        """Random-walk step before a session that starts ``gap_days`` after the previous one.

        :param model: index into ``session_sds``
        :param gap_days: days between the two sessions' starts (0 when unknown)
        """
        away = min(max(gap_days - self.break_grace_days, 0.0), self.max_break_days)
        return math.sqrt(self.session_sds[model] ** 2 + self.break_sd_per_week**2 * away / 7)


STEADY = Drift(session_sds=(0.0,), prior=(1.0,))  # the procedure before tracking: every trial weighs the same forever
# An emotion's procedure moves with the overall estimate (its anchor), which carries the player's learning; what
# drifts on its own is only the emotion's offset from the overall, seen through 2-3 answers a drill: too few to
# tell drift models apart. One small random walk, then: bench/staircase_sim.py measured the emotions' and the
# overall's estimates as good as with the four models below (docs/scaling-log.md, cap-qp11), for a third of the work.
# Product decision (docs/scaling-log.md, cap-qp12): it also believes in thresholds alone (55 points, not 990), with the
# slope and lapse fixed at FIXED_SHAPE: 2-3 answers a drill at one exposure cannot tell slopes or lapses apart, and
# the estimate the drill shows, its anchor and its pick need the threshold. Every posterior, move and pick is 18x
# smaller.
ANCHORED = Drift(session_sds=(0.05,), prior=(1.0,), break_sd_per_week=0.05, follows_anchor=True,
                 thresholds_only=True)
# Chosen by measurement (bench/staircase_sim.py): no drift, two random walks, and a learner whose gain follows
# the power law of practice (-0.2 log10 into the 2nd drill, -0.12 into the 3rd, ...); the emotions move with
# the overall estimate (their anchor, see ANCHORED). Steady players keep today's precision; learners are followed.
TRACKING = Drift(session_sds=(0.0, 0.1, 0.25, 0.07), session_means=(0.0, 0.0, 0.0, -0.2), power_law=True,
                 prior=(0.65, 0.1, 0.1, 0.15), break_sd_per_week=0.05, follows_anchor=True, anchored=ANCHORED)


class StaircaseError(ValueError):
    """Base class for bad input to the procedure."""


class UnknownAxisError(StaircaseError):
    """An axis other than ``"exposure"`` or ``"intensity"``."""


class NoCandidatesError(StaircaseError):
    """``next_stimulus`` was given an empty candidate list."""


class InvalidStimulusError(StaircaseError):
    """A stimulus or candidate that is not a finite positive number."""


class InvalidProbabilityError(StaircaseError):
    """A threshold criterion outside what the model can reach (between 1/7 and 0.94)."""


class InvalidStateError(StaircaseError):
    """A stored state that cannot be read (malformed JSON, wrong fields, unknown version)."""


@dataclass(frozen=True, eq=False)
class Axis:
    """One stimulus dimension: its threshold grid (log10 units) and a broad prior on it.

    The grid reaches beyond the stimuli the game can show so that thresholds near the
    ends of the range are estimated without piling up on the grid edge. One object per axis (:data:`AXES`),
    hashed by identity: the caches' keys hash it ~10 times a trial, and a dataclass's hash of seven fields cost
    ~0.5 us each time.
    """

    name: str
    unit: str
    alpha_low: float
    alpha_high: float
    alpha_step: float
    prior_mean: float
    prior_sd: float
    shape: tuple[float, float] | None = None  # (slope, lapse) fixed, the grid over thresholds alone (_shaped_axis)


AXES: dict[str, Axis] = {
    # 2 ms .. 1 s; typical untrained recognition threshold ~60 ms, very broad prior.
    "exposure": Axis("exposure", "ms", math.log10(2.0), 3.0, 0.05, math.log10(60.0), 0.6),
    # 0.01 .. 2 (intensity tops out at 1; higher means "not reached").
    "intensity": Axis("intensity", "fraction", -2.0, math.log10(2.0), 0.05, math.log10(0.25), 0.6),
    # Scenes: a leak's duration x intensity in ms (game.scene_session), 3 ms .. 2 s; a leak inside a
    # moving, talking face is harder to catch than a still flash, so the prior sits higher.
    "leak": Axis("leak", "ms", math.log10(3.0), math.log10(2000.0), 0.05, math.log10(120.0), 0.6),
}


_AXIS_JSON = {name: json.dumps(name) for name in AXES}  # to_json runs twice an answer: json.dumps cost ~1 us


class Estimate(NamedTuple):
    """A threshold in stimulus units: posterior mean (geometric) and a 68% credible interval."""

    value: float
    low: float
    high: float


class _Grid(NamedTuple):
    alpha: np.ndarray  # flattened parameter grid, one entry per (alpha, slope, lapse)
    slope: np.ndarray
    lapse: np.ndarray
    log_prior: np.ndarray


@cache
def _grid(axis: Axis) -> _Grid:
    """Build the flattened parameter grid and log prior for ``axis`` (cached, read-only).

    :param axis: the stimulus dimension
    """
    alphas = np.arange(axis.alpha_low, axis.alpha_high + axis.alpha_step / 2, axis.alpha_step)
    slopes, lapses = ((axis.shape[0],), (axis.shape[1],)) if axis.shape else (SLOPES, LAPSES)
    a, s, lapse = (v.ravel() for v in np.meshgrid(alphas, slopes, lapses, indexing="ij"))
    log_prior = -0.5 * ((a - axis.prior_mean) / axis.prior_sd) ** 2
    if not axis.shape:
        lapse_weight = dict(zip(LAPSES, LAPSE_PRIOR, strict=True))
        log_prior = (log_prior - 0.5 * (np.log(s / SLOPE_PRIOR_MEDIAN) / SLOPE_PRIOR_SD_LN) ** 2
                     + np.log([lapse_weight[v] for v in lapse]))
    grid = _Grid(a, s, lapse, log_prior - np.logaddexp.reduce(log_prior))
    for array in grid:
        array.setflags(write=False)
    return grid


@cache
def _shaped_axis(axis: Axis) -> Axis:
    """``axis`` with its slope and lapse fixed at :data:`FIXED_SHAPE`: one object per axis (the caches hash it by
    identity), the same name (a stored state names its axis; the grid is the code's)."""
    return axis if axis.shape else dataclasses.replace(axis, shape=FIXED_SHAPE)


def _p_correct(grid: _Grid, log_x: np.ndarray) -> np.ndarray:
    """Probability of a correct answer for each stimulus (rows) and parameter point (columns).

    :param grid: the parameter grid
    :param log_x: log10 stimuli, shape ``(n,)``
    """
    weibull = -np.expm1(-np.power(10.0, grid.slope * (log_x[:, None] - grid.alpha)))
    return GUESS + (1 - GUESS - grid.lapse) * weibull


_P_FLOOR = 1e-12  # probabilities are clipped to [_P_FLOOR, 1 - _P_FLOOR] before their entropy


def _binary_entropy(p: np.ndarray) -> np.ndarray:
    """Entropy in nats of a correct/incorrect outcome with probability ``p`` of correct.

    :param p: probabilities, any shape
    """
    p = np.clip(p, _P_FLOOR, 1 - _P_FLOOR)
    return -(p * np.log(p) + (1 - p) * np.log1p(-p))


@lru_cache(maxsize=4096)
def _log_likelihood(axis: Axis, stimulus: float) -> tuple[np.ndarray, np.ndarray]:
    """Fixed-point log-likelihoods of a correct and of a wrong answer at ``stimulus``.

    Rounded to multiples of 2**-30 so that any sum of them is exact (see module docstring).

    :param axis: the stimulus dimension
    :param stimulus: a finite positive stimulus value
    """
    grid = _grid(axis)
    p = _p_correct(grid, np.array([math.log10(stimulus)]))[0]
    q = (1 - GUESS - grid.lapse) * np.exp(-np.power(10.0, grid.slope * (math.log10(stimulus) - grid.alpha)))
    q = q + grid.lapse  # 1 - p computed without cancellation
    rows = []
    for prob in (p, q):
        row = np.round(np.log(np.maximum(prob, _MIN_PROBABILITY)) * _FIXED_POINT) / _FIXED_POINT
        row.setflags(write=False)
        rows.append(row)
    return rows[0], rows[1]


@lru_cache(maxsize=16)
def _candidate_table(axis: Axis, candidates: tuple[float, ...]) -> np.ndarray:
    """P(correct) for each (candidate, parameter point), then its binary entropy, one row per candidate in each half
    (float32, cached: one product with the posterior gives both).

    :param axis: the stimulus dimension
    :param candidates: validated stimulus values
    """
    p = _p_correct(_grid(axis), np.log10(np.array(candidates)))
    table = np.vstack((p, _binary_entropy(p)))
    if not axis.shape:  # a fixed shape's 55 points: float64, the posterior as it is (see next_stimulus)
        table = table.astype(np.float32)
    table.setflags(write=False)
    return table


@lru_cache(maxsize=8)
def _threshold_table(axis: Axis, p: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """log10 stimulus giving ``p`` correct at each parameter point, its sort order and the sorted values.

    :param axis: the stimulus dimension
    :param p: criterion probability of a correct answer
    """
    grid = _grid(axis)
    weibull = (p - GUESS) / (1 - GUESS - grid.lapse)
    values = grid.alpha + np.log10(-np.log1p(-weibull)) / grid.slope
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    for array in (values, order, ordered):
        array.setflags(write=False)
    return values, order, ordered


@lru_cache(maxsize=4096)
def _p_correct_row(axis: Axis, stimulus: float) -> np.ndarray:
    """P(correct) at one stimulus for each parameter point (cached: stimuli are whole display frames)."""
    row = _p_correct(_grid(axis), np.array([math.log10(stimulus)]))[0]
    row.setflags(write=False)
    return row


def _checked_candidates(candidates: Sequence[float]) -> tuple[float, ...]:
    """The candidates as floats, each checked by :func:`_check_stimulus` (a list of floats seen before: at once)."""
    values = tuple(candidates)
    if all(type(value) is float for value in values):  # bools and ints hash like floats: never from the cache
        return _checked_floats(values)
    return tuple(_check_stimulus(value) for value in values)


@lru_cache(maxsize=64)
def _checked_floats(values: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(_check_stimulus(value) for value in values)


def _check_stimulus(value: object) -> float:
    """Return ``value`` as a float, or raise if it is not a finite positive number.

    :param value: a stimulus from the caller
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidStimulusError(f"stimulus must be a number, got {value!r}")
    number = float(value)
    if not (math.isfinite(number) and number > 0):
        raise InvalidStimulusError(f"stimulus must be finite and positive, got {value!r}")
    return number


def _axis(name: object) -> Axis:
    """Look up an axis configuration by name.

    :param name: ``"exposure"`` or ``"intensity"``
    """
    if not isinstance(name, str) or name not in AXES:
        raise UnknownAxisError(f"unknown axis {name!r}; expected one of {sorted(AXES)}")
    return AXES[name]


def _alpha_count(axis: Axis) -> int:
    """How many threshold values the grid has (the grid's slowest-varying dimension)."""
    return _grid(axis).alpha.size // (1 if axis.shape else len(SLOPES) * len(LAPSES))


@lru_cache(maxsize=1024)
def _drift_kernel(axis: Axis, sd: float, shift: float) -> np.ndarray:
    """Column-stochastic Gaussian step over the threshold grid: ``new = kernel @ old``.

    Each column sums to one, so no belief leaks off the grid's ends. A pure shift is blurred by
    half a grid step (the grid cannot shift by a fraction of a step otherwise).

    The step only depends on ``i - j``: its 2n - 1 values are computed once and laid out as the
    n x n matrix (a shift is rarely the same twice, so this runs before most trials). A shift so
    far off the grid that a whole column underflows falls back on each column's own maximum.

    :param axis: the stimulus dimension
    :param sd: step standard deviation, log10 units
    :param shift: mean step, log10 units
    """
    count = _alpha_count(axis)
    sd = max(sd, axis.alpha_step / 2)
    exponent = -0.5 * ((np.arange(1 - count, count) * axis.alpha_step - shift) / sd) ** 2
    index = _by_difference(count)
    kernel = np.exp(exponent - exponent.max())[index]
    totals = kernel.sum(axis=0, keepdims=True)
    if totals.min() < 1e-200:  # a shift off the grid piles up at its end
        exponent = exponent[index]
        kernel = np.exp(exponent - exponent.max(axis=0, keepdims=True))
        totals = kernel.sum(axis=0, keepdims=True)
    kernel /= totals
    kernel.setflags(write=False)
    return kernel


@cache
def _by_difference(count: int) -> np.ndarray:
    """Index ``i - j + count - 1`` at row i, column j: lays a function of ``i - j`` out as a matrix."""
    index = np.arange(count)[:, None] - np.arange(count)[None, :] + count - 1
    index.setflags(write=False)
    return index


@lru_cache(maxsize=16)
def _start(axis: Axis, models: int) -> np.ndarray:
    """Every drift model's belief before any answer: the prior, shaped ``(models, alphas, slopes x lapses)``."""
    grid = _grid(axis)
    start = np.exp(grid.log_prior - grid.log_prior.max())
    start = (start / start.sum()).reshape(_alpha_count(axis), -1)
    beliefs = np.repeat(start[None], models, axis=0)
    beliefs.setflags(write=False)
    return beliefs


def _step_kernel(sd: float, shift: float) -> tuple[float, float] | None:
    """The :func:`_drift_kernel` parameters of a random-walk step (None: a nil step leaves the belief as it is)."""
    if sd == 0 and shift == 0:
        return None
    return round(sd, 4), round(shift, 3)


def _translate(beliefs: np.ndarray, steps: float, *, normalise: bool = True) -> np.ndarray:
    """Each model's belief moved along the threshold axis by ``steps`` grid steps (any real number; positive: to
    higher thresholds), by linear interpolation between grid points, then normalised per model. What moves in at
    an end of the grid is that end's belief: it stays positive wherever it was.

    :param beliefs: each model's belief, shape ``(models, alphas, slopes x lapses)``
    """
    whole = math.floor(steps)
    fraction = steps - whole
    if len(beliefs) == 1 and fraction:  # one belief (the models' average, at each move): see _interpolated
        moved = _interpolated(beliefs[0], whole, fraction)[None]
    else:
        moved = _shifted(beliefs, whole)
        if fraction:
            moved *= 1 - fraction
            moved += fraction * _shifted(beliefs, whole + 1)
    if normalise:  # flat per model: see _absorb
        flat = moved.reshape(len(moved), -1)
        flat /= flat.sum(axis=1)[:, None]
    return moved


def _interpolated(belief: np.ndarray, whole: int, fraction: float) -> np.ndarray:
    """``_translate`` of one belief (``(alphas, slopes x lapses)``) by ``whole + fraction`` steps, ``0 < fraction < 1``.

    Row i is row i - whole times 1 - fraction plus row i - whole - 1 times fraction, each index held at the grid's
    ends: the same products and sums as two shifted copies, so the same bits, in fewer array operations. (Not for
    several models: on a 3-d array the row slices are strided, and numpy is then slower than the copies.)
    """
    count = len(belief)
    moved = np.empty_like(belief)
    low, high = max(0, min(count, whole + 1)), max(0, min(count, count + whole))  # rows where neither index is held
    if low < high:
        inside = moved[low:high]
        np.multiply(belief[low - whole:high - whole], 1 - fraction, out=inside)
        inside += fraction * belief[low - whole - 1:high - whole - 1]
    if low:
        moved[:low] = belief[0] * (1 - fraction) + fraction * belief[0]
    if high < count:
        moved[high:] = belief[-1] * (1 - fraction) + fraction * belief[-1]
    return moved


# One model's blurred belief is a view into rows with _PAD copies of its first row before it and of its last after
# (Staircase._step_into). Row i of _interpolated's move by whole + fraction steps, -_PAD <= whole < _PAD, is then
# padded[_PAD - whole + i] * (1 - fraction) + fraction * padded[_PAD - whole - 1 + i] for every i, the held ends
# included: the same products and sums, in two slices instead of up to five stretches. A blurred belief is moved
# after almost every answer (by less than 8 grid steps, 0.4 log10, but for a rare leap), and padded once.
_PAD = 8


def _masses_moved(beliefs: np.ndarray, steps: float, memo: dict | None = None) -> np.ndarray:
    """Each model's total after ``_translate(beliefs, steps, normalise=False)``, from the rows at the grid's ends
    (each model's total before taken as 1): what leaves at one end, less what its value repeated adds at the other.

    :param memo: :attr:`_Step.memo` of ``beliefs``: each whole move's totals, kept (the anchor moves after almost
        every answer, mostly by the same few whole steps; the same sums, so the same bits)
    """
    count = beliefs.shape[1]

    def mass(whole: int) -> np.ndarray:
        whole = max(-count, min(count, whole))
        known = memo.get(whole) if memo is not None else None
        if known is not None:
            return known
        models = len(beliefs)  # each model's rows at an end are contiguous: summed flat (see _absorb)
        if whole >= 0:
            known = 1 + whole * beliefs[:, 0].sum(axis=1) - beliefs[:, count - whole:].reshape(models, -1).sum(axis=1)
        else:
            known = 1 - whole * beliefs[:, -1].sum(axis=1) - beliefs[:, :-whole].reshape(models, -1).sum(axis=1)
        if memo is not None and len(memo) < _MEMO_SIZE:
            memo[whole] = known
        return known

    whole = math.floor(steps)
    fraction = steps - whole
    return (1 - fraction) * mass(whole) + fraction * mass(whole + 1) if fraction else mass(whole)


_MEMO_SIZE = 12  # whole moves kept per blurred belief: moves are mostly within a step or two


def _shifted(beliefs: np.ndarray, steps: int) -> np.ndarray:
    """``beliefs`` moved along the threshold axis by whole grid steps, the end it leaves repeating its value there
    (slices: a gather of indices costs several times more)."""
    count = beliefs.shape[1]
    steps = max(-count, min(count, steps))
    moved = np.empty_like(beliefs)
    if steps >= 0:
        moved[:, steps:] = beliefs[:, :count - steps]
        moved[:, :steps] = beliefs[:, :1]
    else:
        moved[:, :count + steps] = beliefs[:, -steps:]
        moved[:, count + steps:] = beliefs[:, -1:]
    return moved


def _absorb(beliefs: np.ndarray, session: _Session, axis: Axis) -> tuple[np.ndarray, np.ndarray]:
    """Bayes' rule on the grid for every drift model at once: the normalised products, and the log of each
    one's normaliser (its evidence). One array for all models: a few large numpy calls, not many small ones.

    :param beliefs: each model's normalised belief, shape ``(models, alphas, slopes x lapses)``
    :param session: whose answers (:meth:`_Session.likelihood`)
    """
    # Flat per model (models x 990): numpy broadcasts a per-model factor over a 3-d array in loops of one row of
    # 18, ~4x slower; a C-ordered array's sum over its last two axes runs as over one, so the bits are the same.
    likelihood, top = session.likelihood(axis)
    flat = beliefs.reshape(len(beliefs), -1)
    product = flat * likelihood
    if len(beliefs) == 1:  # an anchored emotion's one model: a float, not arrays of one (the same sums)
        total = float(product.sum())
        if total > 0:
            product /= total
            return product.reshape(beliefs.shape), np.array([math.log(total) + top])
    totals = product.sum(axis=1)
    if totals.min() > 0:
        product /= totals[:, None]
        return product.reshape(beliefs.shape), np.log(totals) + top
    # Answers a model calls impossible under all it still believes: that model keeps its belief.
    possible = totals > 0
    product[~possible] = flat[~possible]
    totals = np.where(possible, totals, 1.0)
    product /= totals[:, None]
    return product.reshape(beliefs.shape), np.where(possible, np.log(totals) + top, top + math.log(_MIN_PROBABILITY))


def _share(log_weights: np.ndarray, drift: Drift) -> np.ndarray:
    """Return a share of belief to the prior over models (fixed share), so no model is ruled out forever."""
    if not drift.share:
        return log_weights
    weights = np.exp(log_weights - log_weights.max())
    weights = (1 - drift.share) * weights / weights.sum() + drift.share * np.asarray(drift.prior)
    return np.log(weights)


class _Session:
    """One session's answers: when it started, tallies per stimulus and their exact log-likelihood sum.

    Only the open session keeps its log-likelihood array (990 floats), and only while it is in use: it is built
    from the tallies when the posterior first needs it, answers then add to it, and it is folded (:meth:`fold`)
    when the session closes (its evidence is in the staircase's carried beliefs) or the procedure is trimmed. It
    is rebuilt from the tallies when needed again (a state read from JSON, sessions merged, a trimmed procedure's
    next trial); the fixed-point sums make the rebuilt array bit-for-bit the one it replaces. A player's memory
    then does not grow with drills.
    """

    __slots__ = ("_log_likelihood", "_texts", "anchor", "at", "counts", "trials")

    def __init__(self, at: float | None, anchor: float | None = None) -> None:
        self.at = at
        self.anchor = anchor  # the anchor (log10 overall estimate) when this session last answered
        self.counts: dict[float, tuple[int, int]] = {}  # stimulus -> (trials, correct); tuples: no GC tracking
        self._log_likelihood: np.ndarray | None = None  # built when first needed
        self._texts: dict[float, str] | None = None  # the open session's tallies as to_json writes them (see there)
        self.trials = 0

    def add(self, axis: Axis, stimulus: float, trials: int, correct: int) -> None:
        if self._log_likelihood is not None:
            hit, miss = _log_likelihood(axis, stimulus)
            if trials == 1:  # one answer (every live one): no products; the sums are exact either way
                self._log_likelihood += hit if correct else miss
            else:
                self._log_likelihood += correct * hit + (trials - correct) * miss
        known_trials, known_correct = self.counts.get(stimulus, (0, 0))
        self.counts[stimulus] = (known_trials + trials, known_correct + correct)
        self.trials += trials
        if self._texts is not None:
            self._texts[stimulus] = _tally_json(stimulus, known_trials + trials, known_correct + correct)

    def log_likelihood(self, axis: Axis, *, keep: bool = False) -> np.ndarray:
        """The session's log-likelihood over the grid (rebuilt from the tallies if folded, and then kept, so that
        answers add to it, if ``keep``)."""
        if self._log_likelihood is not None:
            return self._log_likelihood
        total = None
        for stimulus, (trials, correct) in self.counts.items():
            hit, miss = _log_likelihood(axis, stimulus)
            # Most tallies in a session are one answer: one add, the same bits as the products.
            term = (hit if correct else miss) if trials == 1 else correct * hit + (trials - correct) * miss
            if total is None:
                total = term + 0.0  # the bits of a sum started from zeros (-0.0 becomes 0.0), one call fewer
            else:
                total += term
        if total is None:
            total = np.zeros_like(_grid(axis).log_prior)
        if keep:
            self._log_likelihood = total
        return total

    def likelihood(self, axis: Axis, *, keep: bool = False) -> tuple[np.ndarray, float]:
        """``exp(log_likelihood - top)`` (read-only) and ``top``, the log-likelihood's maximum: what Bayes' rule
        multiplies by.

        On a grid of thresholds alone, a session of a few answers is shared by tallies: an emotion sees 2-3 answers a
        drill, a handful of whole frames, and every player with the same tallies has the same array (its sum is
        exact, whatever the order). Otherwise computed, with the log-likelihood kept if ``keep`` (see
        :meth:`log_likelihood`).
        """
        if axis.shape is None or self.trials > _SHARED_TRIALS:
            log_likelihood = self.log_likelihood(axis, keep=keep)
            top = float(log_likelihood.max())
            return np.exp(log_likelihood - top), top
        key = (axis, tuple(sorted(self.counts.items())))
        known = _LIKELIHOODS.get(key)
        if known is None:
            log_likelihood = self.log_likelihood(axis)
            top = float(log_likelihood.max())
            likelihood = np.exp(log_likelihood - top)
            likelihood.setflags(write=False)
            if len(_LIKELIHOODS) >= _SHARED_SIZE:
                _LIKELIHOODS.clear()  # at once (threads share it)
            known = _LIKELIHOODS[key] = (likelihood, top)
        return known

    def fold(self) -> None:
        """Drop the log-likelihood array: the session is closed and its evidence absorbed."""
        self._log_likelihood = None

    def copy(self) -> _Session:
        twin = _Session.__new__(_Session)
        twin.at, twin.anchor, twin.trials = self.at, self.anchor, self.trials
        twin.counts, twin._texts = dict(self.counts), None
        twin._log_likelihood = None if self._log_likelihood is None else self._log_likelihood.copy()
        return twin


class Staircase:
    """QUEST+ over (threshold, slope, lapse) for one player on one axis, following a threshold that moves.

    Usage: ``s.begin_session(now)`` when a drill starts, then per trial ``x = s.next_stimulus(candidates)``,
    show ``x``, ``s.update(x, correct)``. Save with :meth:`to_json` and restore with :meth:`from_json`.
    """

    __slots__ = ("_axis", "_closed_json", "_closing", "_drift", "_estimates", "_json", "_levels", "_posterior",
                 "_predicted", "_sessions", "_stepped", "_trials", "_weighted")

    def __init__(self, axis: str = "exposure", drift: Drift = TRACKING) -> None:
        """Start from the prior, with one open session of unknown date.

        :param axis: ``"exposure"`` (milliseconds) or ``"intensity"`` (0-1)
        :param drift: how far the threshold may move between sessions (:data:`STEADY` never moves it)
        """
        self._axis = _shaped_axis(_axis(axis)) if drift.thresholds_only else _axis(axis)
        self._drift = drift
        self._sessions = [_Session(None)]
        self._trials = 0  # all sessions' answers: asked for several times an answer, over up to 40 sessions
        self._predicted: tuple[np.ndarray, np.ndarray] | None = None  # beliefs after the closed sessions
        # ...or, until first needed, what closing the last session takes (see _settled): a new drill closes eight
        # procedures, most of which are not asked anything for a while.
        self._closing: tuple | None = None
        # ...carried into the open session (see _Step)
        self._stepped: _Step | None = None
        # for the carried beliefs it was computed from, and their _shared entry (None after a session closed)
        self._posterior: tuple[object, np.ndarray, list | None] | None = None
        self._estimates: dict[float, Estimate] = {}  # threshold() of the current posterior, by criterion
        self._levels: dict[float, tuple] = {}  # level() by criterion, with the carried beliefs and answers it is of
        self._weighted: tuple | None = None  # (carried beliefs, criterion, their average times its thresholds)
        self._closed_json: str | None = None  # to_json()'s closed sessions: written twice per answer, never changed
        # to_json()'s whole text and its open session's, until the state changes: a drill writes it at its end, the
        # next start compares the procedure it holds with the stored row by it, then closes that session
        self._json: tuple[str, str] | None = None

    def copy(self) -> Staircase:
        """An independent staircase in the same state (as ``from_json(to_json())``, without refiltering)."""
        if self._closing is not None:
            self._settled()
        twin = Staircase.__new__(Staircase)
        twin._axis, twin._drift, twin._closing = self._axis, self._drift, None
        twin._sessions, twin._trials = [session.copy() for session in self._sessions], self._trials
        # Cached beliefs are never changed in place: the twin may share them.
        twin._predicted, twin._stepped, twin._posterior = self._predicted, self._stepped, self._posterior
        twin._estimates, twin._levels, twin._weighted = dict(self._estimates), dict(self._levels), self._weighted
        twin._closed_json, twin._json = self._closed_json, self._json
        return twin

    @property
    def axis(self) -> str:
        """The axis name, ``"exposure"`` or ``"intensity"``."""
        return self._axis.name

    @property
    def trials(self) -> int:
        """Number of answers taken into account."""
        return self._trials

    @property
    def sessions(self) -> int:
        """Number of sessions in the state (the open one included, even when empty)."""
        return len(self._sessions)

    def begin_session(self, at: float) -> None:
        """Open a new session starting at ``at`` (seconds since the epoch), e.g. when a drill starts.

        Calling it again with the same ``at`` (a resumed drill) keeps the open session. An open
        session with no answers yet is re-dated instead of left empty.

        :param at: the session's start time
        """
        at = float(at)
        if not math.isfinite(at):
            raise StaircaseError(f"session start must be a finite time, got {at!r}")
        current = self._sessions[-1]
        if current.at == at:
            return
        written, self._json = self._json, None
        if current.trials == 0:
            current.at = at  # the closed sessions' beliefs still hold
        else:
            # The open session closes: carry the beliefs through it rather than refilter every session (a
            # player of many drills has up to MAX_SESSIONS); the arithmetic is the same, so is every bit. The
            # product with its answers waits until the beliefs are needed (see _settled): a start stays short.
            filtered = (self._predicted is not None or self._closing is not None or self._stepped is not None
                        or len(self._sessions) == 1)
            closing = None
            if filtered:
                carried, step = self._carried(), self._stepped
                if carried.beliefs is None and step is not None and step.blurred is not None:
                    if len(carried.log_weights) == 1:  # one model: its moved belief is the average (see _moved)
                        closing = (carried.average.reshape(step.blurred.shape), carried.log_weights, current, 0.0)
                    else:
                        closing = (step.blurred, carried.log_weights, current, step.move)  # moved when needed
                else:
                    closing = (self._carried_beliefs(carried), carried.log_weights, current, 0.0)
            if self._closed_json is not None:  # what to_json writes of the closed sessions: one more, as it will be
                self._closed_json += f"{written[1] if written is not None else _session_json(current)},"
            current._texts = None  # closed: its text is in _closed_json when needed
            self._sessions.append(_Session(at))
            if len(self._sessions) > MAX_SESSIONS:
                self._merge_oldest()
                closing = None
            self._predicted, self._closing = None, closing
        self._stepped, self._posterior = None, None

    def _merge_oldest(self) -> None:
        self._closed_json = self._json = None
        first, second = self._sessions[0], self._sessions.pop(1)
        for stimulus, (n, k) in second.counts.items():
            first.add(self._axis, stimulus, n, k)
        first.at, first.anchor = second.at, second.anchor

    def update(self, stimulus: float, correct: bool) -> None:
        """Take one answer into account, in the open session.

        :param stimulus: the stimulus actually shown (need not be one of the candidates)
        :param correct: whether the player picked the right emotion
        """
        x = _check_stimulus(stimulus)
        if self._trials >= _MAX_TRIALS:
            raise StaircaseError(f"at most {_MAX_TRIALS} trials per staircase")
        self._sessions[-1].add(self._axis, x, 1, int(bool(correct)))
        self._trials += 1
        self._posterior = self._json = None

    def anchor(self, log_value: float) -> None:
        """Tie the open session to a reference level: the overall threshold (log10) as it stands now.

        An emotion's own procedure sees two or three trials per drill, too few to notice that the
        player improved. With an anchor, its belief moves between sessions by as much as the anchor
        moved, as well as by its own drift: what the overall procedure learns about the player's
        progress carries over to each emotion, whose offset from the overall stays its own.
        Only drift models with ``follows_anchor`` use it. A drift with ``anchored`` hands over to that drift at the
        first anchor (a state read back with anchors starts with it).

        :param log_value: the reference level, log10 stimulus units
        """
        value = float(log_value)
        if not math.isfinite(value):
            raise StaircaseError(f"anchor must be finite, got {log_value!r}")
        if self._drift.anchored is not None:  # from now on the anchored drift: what the other computed is dropped
            self._drift = self._drift.anchored
            self._predicted, self._closing, self._stepped, self._posterior = None, None, None, None
            self._estimates, self._levels = {}, {}
            if self._drift.thresholds_only and not self._axis.shape:  # its grid too: the sessions' arrays go
                self._axis = _shaped_axis(self._axis)
                for session in self._sessions:
                    session.fold()
        self._sessions[-1].anchor = value  # the posterior follows if the step it makes changes (see posterior)
        self._json = None

    def _gap(self, index: int) -> float:
        """Days between session ``index`` and the one before (0 when unknown)."""
        before, after = self._sessions[index - 1], self._sessions[index]
        return (after.at - before.at) / _DAY_S if after.at is not None and before.at is not None else 0.0

    def _move(self, index: int) -> float:
        """How far the anchor moved between session ``index`` and the one before (log10, to 0.001; 0 if either
        has none)."""
        before, after = self._sessions[index - 1], self._sessions[index]
        if not (self._drift.follows_anchor and after.anchor is not None and before.anchor is not None):
            return 0.0
        return round(after.anchor - before.anchor, 3)

    def _moved(self, blurred: np.ndarray, move: float) -> np.ndarray:
        """Beliefs stepped into a session by :meth:`_step_into`, moved by the anchor's move (:meth:`_move`).

        One model's belief is not normalised (what follows normalises it): it is then its moved average
        (:meth:`_Carried.of`), bit for bit, which a session's close takes instead of moving it again.
        """
        return _translate(blurred, move / self._axis.alpha_step, normalise=len(blurred) > 1) if move else blurred

    def _step_into(self, index: int, beliefs: np.ndarray, kernels: tuple | None = None) -> np.ndarray:
        """Each model's belief carried from session ``index - 1`` into session ``index`` (0-based), before the
        anchor's move (:meth:`_moved`): its random walk, a Gaussian blur.

        An anchored session moves by the anchor's move, which already carries the expected learning: the
        models' own mean step applies only to a procedure without an anchor (the overall one). The move is a
        translation of the blurred beliefs (:func:`_translate`): the anchor moves after almost every answer, and a
        translation costs a few array operations where a blur costs a matrix product per model.

        :param kernels: ``self._steps_into(index)``, if the caller has it

        One model's blurred belief is a view into its padded rows (see :data:`_PAD`), made as it is blurred.
        """
        models, count = len(beliefs), beliefs.shape[1]
        if models == 1:
            padded = np.empty((1, count + 2 * _PAD, *beliefs.shape[2:]))
            stepped = padded[:, _PAD:_PAD + count]
        else:
            stepped = np.empty_like(beliefs)
        for model, kernel in enumerate(kernels or self._steps_into(index)):
            if kernel is None:
                stepped[model] = beliefs[model]
            else:
                np.matmul(_drift_kernel(self._axis, *kernel), beliefs[model], out=stepped[model])
        if models == 1:
            padded[:, :_PAD] = stepped[:, :1]
            padded[:, _PAD + count:] = stepped[:, -1:]
            stepped.setflags(write=False)  # the pad copies its ends: neither may change alone
        return stepped

    def _steps_into(self, index: int) -> tuple[tuple[float, float] | None, ...]:
        """Each model's step kernel into session ``index`` (see :meth:`_step_into`)."""
        gap = self._gap(index)
        anchored = self._drift.follows_anchor and self._sessions[index].anchor is not None
        return tuple(_step_kernel(self._drift.step_sd(model, gap),
                                  0.0 if anchored else self._drift.step_mean(model, index + 1))
                     for model in range(len(self._drift.session_sds)))

    def _settled(self) -> tuple[np.ndarray, np.ndarray]:
        """Each drift model's belief after every closed session (one array, models first), and its log weight
        (prior x evidence)."""
        if self._predicted is None and self._closing is not None:  # as _through_open did before the session closed
            beliefs, log_weights, session, move = self._closing  # the blurred beliefs and the move, or the carried
            beliefs = self._moved(beliefs, move)
            beliefs, log_evidence = _absorb(beliefs, session, self._axis)
            session.fold()  # its evidence is in the settled beliefs
            self._predicted, self._closing = (beliefs, log_weights + log_evidence), None
        if self._predicted is None:
            drift = self._drift
            beliefs = _start(self._axis, len(drift.session_sds))
            log_weights = np.log(np.asarray(drift.prior, dtype=float))
            for index, session in enumerate(self._sessions[:-1]):
                if index:
                    beliefs = self._moved(self._step_into(index, beliefs), self._move(index))
                    log_weights = _share(log_weights, drift)
                beliefs, log_evidence = _absorb(beliefs, session, self._axis)
                session.fold()
                log_weights = log_weights + log_evidence
            self._predicted = (beliefs, log_weights)
        return self._predicted

    def _current(self) -> tuple[np.ndarray, np.ndarray]:
        """Each drift model's belief after the open session's answers too, and its weight (normalised)."""
        beliefs, log_weights = self._through_open()
        weights = np.exp(log_weights - log_weights.max())
        return beliefs, weights / weights.sum()

    def _carried(self) -> _Carried:
        """Each drift model's belief carried into the open session, before its answers, their log weights and
        average.

        The same object as long as the step is the same: the anchor moves after every answer, but mostly by
        less than the move's rounding once the overall estimate settles; when it moves, the blurred beliefs are
        only translated again.
        """
        if len(self._sessions) == 1:  # nothing closed: the prior, one object for every procedure on the axis
            known = _PRIORS.get((id(self._axis), id(self._drift)))  # a Drift's hash of its fields costs ~0.6 us
            if known is None or known[0] is not self._axis or known[1] is not self._drift:
                if len(_PRIORS) >= 64:  # drifts made on the fly (benches, tests)
                    _PRIORS.clear()
                known = _PRIORS[id(self._axis), id(self._drift)] = (self._axis, self._drift,
                                                                     _prior_carried(self._axis, self._drift))
            return known[2]
        step, index = self._stepped, len(self._sessions) - 1
        anchor = self._sessions[-1].anchor  # with the sessions before, all the step depends on
        if step is not None and step.anchor == anchor:
            return step.carried
        # The blur depends on the sessions' dates (a new or re-dated session starts a new step) and on whether the
        # open one has an anchor: an anchor that only moved keeps it.
        same_blur = step is not None and (step.anchor is None) == (anchor is None)
        kernels = step.kernels if same_blur else self._steps_into(index)  # type: ignore[union-attr]
        move = self._move(index)
        if step is not None and step.kernels == kernels and step.move == move:
            blurred, carried, memo = step.blurred, step.carried, step.memo
        elif step is not None and step.kernels == kernels and step.blurred is not None:
            blurred, memo = step.blurred, step.memo
            carried = _Carried.of(blurred, step.carried.log_weights, move / self._axis.alpha_step, memo)
        else:
            beliefs, log_weights = self._settled()
            blurred = self._step_into(index, beliefs, kernels)
            memo = {"padded": blurred} if len(blurred) == 1 else {}  # a view into its padded rows (see _step_into)
            carried = _Carried.of(blurred, _share(log_weights, self._drift), move / self._axis.alpha_step, memo)
        self._stepped = _Step(anchor, kernels, move, blurred, carried, memo)
        return carried

    def _carried_beliefs(self, carried: _Carried) -> np.ndarray:
        """``carried``'s beliefs per model (``self._carried()``), moved again from the blurred ones, or stepped
        again from the settled ones, if :meth:`trim` dropped them: the same arithmetic on the same arrays, so the
        same bits."""
        if carried.beliefs is not None:
            return carried.beliefs
        step, index = self._stepped, len(self._sessions) - 1
        assert step is not None and step.carried is carried
        blurred = step.blurred if step.blurred is not None else self._step_into(index, self._settled()[0], step.kernels)
        return self._moved(blurred, step.move)

    def _through_open(self) -> tuple[np.ndarray, np.ndarray]:
        """Each drift model's belief after the open session's answers too, and its log weight (as ``_settled``)."""
        carried = self._carried()
        beliefs, log_evidence = _absorb(self._carried_beliefs(carried), self._sessions[-1], self._axis)
        return beliefs, carried.log_weights + log_evidence

    def posterior(self) -> np.ndarray:
        """The normalised posterior over the flattened parameter grid (read-only array), drift models averaged."""
        carried = self._carried()
        if self._posterior is None or self._posterior[0] is not carried:  # answered, or the step moved
            shared = self._shared(carried)
            if shared is not None and shared[1] is not None:
                self._posterior, self._estimates, self._levels = (carried, shared[1], shared), {}, {}
                return shared[1]
            likelihood = self._sessions[-1].likelihood(self._axis, keep=True)[0]
            if carried.positive or carried.surely_possible(likelihood):
                mixed = carried.average
            else:  # as it always was: each model's evidence, from its beliefs
                beliefs = self._carried_beliefs(carried).reshape(len(carried.log_weights), -1)
                mixed = carried.average if (beliefs @ likelihood).min() > 0 else None
            if mixed is not None:
                # Bayes' rule per model, then averaging by evidence, is Bayes' rule on the models' average: one
                # product with the average instead of one per model.
                post = mixed * likelihood
            else:  # an answer impossible under a model's every belief: that model keeps its belief (see _absorb)
                beliefs, weights = self._current()
                post = weights @ beliefs.reshape(len(weights), -1)
            post /= post.sum()
            post.setflags(write=False)
            if shared is not None and self._axis.shape:  # 55 floats: a full grid's 990 would hold 8 KB an entry
                shared[1] = post
            self._posterior, self._estimates, self._levels = (carried, post, shared), {}, {}
        return self._posterior[1]

    def _shared(self, carried: _Carried) -> list | None:
        """What every procedure in this state computes alike, if nothing closed yet: ``[carried, posterior or None,
        {criterion: level}, {id(candidate table): (table, pick)}, {criterion: estimate}]``, filled as they are computed.

        Before a session closes, the carried beliefs are the prior's (one object per axis and drift) and the
        posterior is a function of the open session's tallies alone (their log-likelihoods' sum is exact, whatever
        the order). Every new player's first drill starts from there: each emotion's first trial is the same
        posterior and pick for everyone, its next ones branch on right or wrong, and a few thousand states cover
        most of a first drill's emotions.
        """
        if len(self._sessions) != 1 or self._trials > _SHARED_TRIALS:
            return None
        key = (id(carried), tuple(sorted(self._sessions[0].counts.items())))
        shared = _SHARED.get(key)
        if shared is None or shared[0] is not carried:  # the carried beliefs held: their id is not reused
            if len(_SHARED) >= _SHARED_SIZE:
                _SHARED.clear()  # at once (threads share it): the few states every first drill passes come back first
            shared = _SHARED[key] = [carried, None, {}, {}, {}]
        return shared

    def trim(self, *, keep_posterior: bool = False) -> None:
        """Let go of what is cheap to compute again (changes nothing a caller can see), e.g. once an emotion's trial
        is answered or a drill is over. A procedure then holds one set of per-model beliefs (4 x 990 floats), not
        two: the settled ones and those carried into the open session.

        - Once the open session has answers (it will close, not be re-dated) and its blur is the one its beliefs
          were stepped by, the settled beliefs are not needed again (a blur changed later, e.g. by a first anchor,
          refilters the sessions, as a state read from JSON does). The blurred beliefs are kept, and the carried
          ones dropped: the anchor moves them by a translation (their average is all the posterior needs; they are
          moved again when the session closes, or, rarely, when an answer may be impossible under a model).
        - Otherwise (no answers yet: a new drill re-dates the session, which changes its blur), the settled beliefs
          are kept and the others dropped.
        - The posterior and its estimates, and the open session's log-likelihood (990 floats, rebuilt from its
          tallies when next needed: the fixed-point sums make it the same bits), unless ``keep_posterior``.
        """
        if not keep_posterior:
            self._posterior, self._estimates, self._levels = None, {}, {}
            self._sessions[-1].fold()  # a few tallies (an emotion sees 2-3 answers a drill): rebuilt in microseconds
        step = self._stepped
        if step is None:
            return
        current = self._sessions[-1]
        # The blur depends on the session's date, fixed once it has answers, and on whether it has an anchor.
        if not (current.trials and (step.anchor is None) == (current.anchor is None)):
            if self._predicted is not None:
                self._stepped = step._replace(blurred=None, carried=step.carried._replace(beliefs=None), memo={})
            return
        if step.blurred is None:
            return
        if step.carried.beliefs is not None and step.carried.beliefs is not step.blurred:
            self._stepped = step._replace(carried=step.carried._replace(beliefs=None))
        self._predicted = None

    def fit(self) -> Fit:
        """What the procedure says now, frozen: its posterior (8 KB) without the beliefs behind it (~70 KB)."""
        return Fit(self._axis, self.trials, self.posterior() if self.trials else None)

    def p_correct(self, stimulus: float) -> float:
        """The posterior predictive probability of a correct answer at ``stimulus``.

        :param stimulus: a finite positive stimulus
        """
        return float(_p_correct_row(self._axis, _check_stimulus(stimulus)) @ self.posterior())

    def drift_weights(self) -> tuple[float, ...]:
        """How much each drift model is believed now (sums to 1): what this player's history says about change."""
        return tuple(float(w) for w in self._current()[1])

    def next_stimulus(self, candidates: Sequence[float]) -> float:
        """Pick the candidate with the minimum expected posterior entropy.

        Ties go to the earliest candidate in the caller's order.

        :param candidates: stimuli the game can show, e.g. whole display frames in ms
        :raises NoCandidatesError: if ``candidates`` is empty
        :raises InvalidStimulusError: if a candidate is not a finite positive number
        """
        known = _PICK_TABLES.get(id(candidates))
        if known is not None and known[0] is candidates and known[1] is self._axis:  # a tuple seen before
            values, table = known[2], known[3]
        else:
            if len(candidates) == 0:
                raise NoCandidatesError("next_stimulus needs at least one candidate")
            values = _checked_candidates(candidates)
            table = _candidate_table(self._axis, values)
            if type(candidates) is tuple and len(_PICK_TABLES) < 64:  # immutable: it cannot change under its id
                _PICK_TABLES[id(candidates)] = (candidates, self._axis, values, table)  # the tuple held: id not reused
        post = self.posterior()
        shared = self._posterior[2]  # type: ignore[index]
        if shared is not None:
            known = shared[3].get(id(table))
            if known is not None and known[0] is table:  # held: its id is not reused
                return known[1]
        value = self._pick(values, table, post)
        if shared is not None:
            shared[3][id(table)] = (table, value)
        return value

    def _pick(self, values: tuple[float, ...], table: np.ndarray, post: np.ndarray) -> float:
        """The candidate with the least expected posterior entropy (the first of equals), given the posterior."""
        count = len(values)
        if self._axis.shape:  # a fixed lapse: every p is in [1/7, 0.98], each entropy above 0.09, nothing to clip
            both = table.dot(post)  # the same gemv as @ (the same bits), ~0.3 us less dispatch
            p = both[:count]
        else:
            weights = post.astype(np.float32)
            # Weights this small change no sum of float32 terms near 1e-3, but their products with small entropies
            # are subnormal, which the processor handles ~100x slower: the pick took 4-8x as long.
            weights[weights < _NEGLIGIBLE_WEIGHT] = 0.0
            both = table.dot(weights).astype(np.float64)
            p = np.minimum(np.maximum(both[:count], _P_FLOOR), 1 - _P_FLOOR)  # np.clip, at a third of its call cost
        # The most information, h(p) - E[h], is the least E[h] - h(p): the same bits negated (rounding is symmetric),
        # the same first index, for fewer array operations (each costs ~1 us on a few dozen floats). In place, the
        # products' operands swapped (IEEE products commute): the same bits, without five temporaries.
        loss = np.log(p)
        loss *= p
        other = np.negative(p)
        np.log1p(other, out=other)
        other *= 1 - p
        loss += other  # -h(p), as _binary_entropy sums it
        loss += both[count:]
        return values[loss.argmin()]

    def threshold(self, p: float = 0.75) -> Estimate:
        """Stimulus at which the player answers correctly with probability ``p``.

        ``value`` is ``10 ** E[log10 x_p]`` (the posterior mean on the log axis); ``low`` and
        ``high`` bound the central 68% credible interval. All in stimulus units.

        :param p: criterion proportion correct, between 1/7 and 1 - max lapse (0.94)
        :raises InvalidProbabilityError: if ``p`` is outside that range
        """
        _check_probability(p)
        post = self.posterior()
        estimate = self._estimates.get(p)
        if estimate is None:  # asked for twice per trial by the drill: once is enough per posterior
            shared = self._posterior[2]  # type: ignore[index]
            estimate = None if shared is None else shared[4].get(p)
            if estimate is None:
                values, order, ordered = _threshold_table(self._axis, float(p))
                # ndarray methods, not np functions, and Python ints and floats: the same sums and picks for half
                # the calls' overhead (nine thresholds end every drill)
                low, high = post.take(order).cumsum().searchsorted(_TAILS_ARRAY).tolist()
                last = len(order) - 1
                estimate = Estimate(10 ** float(post.dot(values)), 10 ** ordered.item(min(low, last)),
                                    10 ** ordered.item(min(high, last)))
                if shared is not None:
                    shared[4][p] = estimate
            self._estimates[p] = estimate
        return estimate

    def level(self, p: float = 0.75) -> float:
        """``log10(threshold(p).value)`` without the credible interval: what an anchor needs, for less work.

        :raises InvalidProbabilityError: as :meth:`threshold`
        """
        _check_probability(p)
        carried = self._carried()
        known = self._levels.get(p)
        if known is not None and known[0] is carried and known[1] == self._trials:  # asked for twice a trial
            return known[2]
        shared = self._shared(carried)
        level = None if shared is None else shared[2].get(p)
        if level is not None:
            self._levels[p] = (carried, self._trials, level)
            return level
        # The posterior's mean without the posterior: after every answer the overall's level is the emotions'
        # anchor, and nothing else needs its posterior until the drill's summary. Two products with the carried
        # average (and with it times the thresholds, kept for the step) instead of the eight calls that normalise a
        # posterior of 990 points, the same value within a few ulps (always computed this way: the same bits live
        # and read from JSON).
        values = _threshold_table(self._axis, float(p))[0]
        likelihood = np.exp(self._sessions[-1].log_likelihood(self._axis, keep=True))
        weighted = self._weighted
        if weighted is None or weighted[0] is not carried or weighted[1] != p:
            if len(self._sessions) == 1:  # the prior's: one array for every first session (8 KB a player otherwise)
                weighted = _PRIOR_WEIGHTED.get((id(carried), p))
                if weighted is None or weighted[0] is not carried:
                    weighted = _PRIOR_WEIGHTED[id(carried), p] = (carried, p, carried.average * values)
                    if len(_PRIOR_WEIGHTED) > 64:  # drifts or criteria made on the fly (benches, tests)
                        _PRIOR_WEIGHTED.clear()
                self._weighted = weighted
            else:
                weighted = self._weighted = (carried, p, carried.average * values)
        # ndarray.dot: the same ddot as @ on two vectors (the same bits), without matmul's ~0.25 us of dispatch
        total = float(likelihood.dot(carried.average))
        if total > _LEVEL_FLOOR and (carried.positive or carried.surely_possible(likelihood)):
            level = float(likelihood.dot(weighted[2])) / total
        else:  # answers far from every belief (or one a model calls impossible): the posterior's way
            level = float(self.posterior() @ values)
        self._levels[p] = (carried, self._trials, level)
        if shared is not None:
            shared[2][p] = level
        return level

    def to_json(self) -> str:
        """Serialise the state: axis and, per session, its start and tallies (a few hundred bytes to ~10 KB).

        Format ``{"v": 2, "axis": ..., "sessions": [{"at": seconds or null, "anchor": log10 or null,
        "counts": [[stimulus, trials, correct], ...]}, ...]}``, tallies sorted by stimulus. Floats are written
        with ``repr`` so they read back exactly. The drift model is not stored: it is the code's. The text is
        ``json.dumps`` of that object with compact separators; the closed sessions' part is kept between calls.
        """
        if self._json is not None:
            return self._json[0]
        if self._closed_json is None:
            self._closed_json = "".join(f"{_session_json(session)}," for session in self._sessions[:-1])
        session = _session_json(self._sessions[-1], keep=True)
        self._json = (f'{{"v":{FORMAT_VERSION},"axis":{_AXIS_JSON[self._axis.name]},"sessions":[{self._closed_json}'
                      f"{session}]}}", session)
        return self._json[0]

    @classmethod
    def from_json(cls, text: str, drift: Drift = TRACKING) -> Staircase:
        """Rebuild a staircase saved by :meth:`to_json` (or a version 1 state); its next stimulus is identical.

        :param text: the JSON state
        :param drift: the drift model to follow with
        :raises InvalidStateError: if the state is malformed or of an unknown version
        """
        axis, sessions = _parse_state(text)
        if drift.anchored is not None and any(anchor is not None for _, anchor, _ in sessions):
            drift = drift.anchored  # as Staircase.anchor switched it
        staircase = cls(axis, drift)
        staircase._sessions = []
        for at, anchor, counts in sessions:  # log-likelihoods built when the filter runs
            session = _Session(at, anchor)
            for stimulus, n, k in counts:
                session.add(staircase._axis, float(stimulus), n, k)
            staircase._sessions.append(session)
            staircase._trials += session.trials
        while len(staircase._sessions) > MAX_SESSIONS:
            staircase._merge_oldest()
        return staircase


class _Step(NamedTuple):
    """How the open session's carried beliefs were made: the session's anchor then, each model's blur
    (:meth:`Staircase._steps_into`), the anchor's move (log10, rounded), the settled beliefs blurred (None once
    :meth:`Staircase.trim` dropped them) and the carried beliefs (the blurred ones moved; the same object when
    the anchor did not move)."""

    anchor: float | None
    kernels: tuple
    move: float
    blurred: np.ndarray | None
    carried: _Carried
    memo: dict  # what each move of ``blurred`` computes alike (:meth:`_Carried.of`)


_SHARED: dict[tuple, list] = {}  # (id of the prior's carried beliefs, tallies) -> Staircase._shared's entry
_SHARED_SIZE = 4096  # entries (~0.6 KB each with an emotion's posterior), then it starts again
# (axis on thresholds alone, a session's tallies) -> _Session.likelihood's (exp(log-likelihood - top), top)
_LIKELIHOODS: dict[tuple, tuple[np.ndarray, float]] = {}
_SHARED_TRIALS = 12  # answers in a first session beyond which its state is rarely anyone else's (and its key longer)
_PICK_TABLES: dict[int, tuple] = {}  # id of a candidates tuple -> (it, its axis, its checked values, their table)
_NEGLIGIBLE_WEIGHT = 2.0**-80  # times the smallest entropy in a candidate table (~2**-35): a normal float32
_LEVEL_FLOOR = 1e-200  # a level's normaliser below this (answers far from every belief): the posterior's way
_SURE = 2.0**-537  # a belief and a likelihood both at least this have a product that rounds above 0 (2**-1074)


class _Carried(NamedTuple):
    """The drift models' beliefs carried into a session: ``beliefs`` (None once :meth:`Staircase.trim` dropped
    them), their log weights, their average by weight (it changes only with the step, not with each answer), and
    which grid points each model surely believes (``_SURE``, bit-packed per model): what :meth:`Staircase.posterior`
    needs to know that no model calls the answers impossible, without the beliefs. The average is in proportion
    to the weighted beliefs (the posterior normalises it): one moved model's is not normalised."""

    beliefs: np.ndarray | None
    log_weights: np.ndarray
    average: np.ndarray
    positive: bool  # no model's belief is 0 anywhere: no answer can be impossible under a model
    support: np.ndarray | None  # None when positive
    witnesses: tuple[int, ...] | None = None  # per model, a flat grid index in its support (see surely_possible)

    @classmethod
    def of(cls, beliefs: np.ndarray, log_weights: np.ndarray, steps: float = 0.0, memo: dict | None = None,
           ) -> _Carried:
        """The carry of ``beliefs`` moved by ``steps`` grid steps (:func:`_translate`).

        ``memo`` (:attr:`_Step.memo`) keeps what every move of the same ``beliefs`` and ``log_weights`` computes
        alike.

        A move does not translate each model's belief: the average of the translated beliefs is the translated
        sum of the beliefs weighted by weight / mass after the move. The moved beliefs themselves are made when
        needed (``Staircase._carried_beliefs``).
        """
        models = len(log_weights)
        if not steps:
            average = _average((beliefs, log_weights))
            average.setflags(write=False)
            positive = bool(beliefs.min() > 0)
            support = None if positive else np.packbits(beliefs.reshape(models, -1) >= _SURE, axis=1)
            return cls(beliefs, log_weights, average, positive, support, None if positive else _witnesses(beliefs))
        memo = {} if memo is None else memo
        known = memo.get("weights")
        if known is None or known[0] is not log_weights:  # the step's weights: the same for every move
            # One model's weight is 1 and the posterior normalises the average: its mass after the move is moot.
            weights = np.exp(log_weights - log_weights.max()) if models > 1 else None
            known = memo["weights"] = (log_weights, weights, None if weights is None else weights.sum(),
                                       bool(beliefs.min() >= 2.0**-1000))
        _, weights, total, interpolated = known
        whole = math.floor(steps)
        if steps != whole and -_PAD <= whole < _PAD and memo.get("padded") is beliefs:  # one model's usual move
            padded, count, fraction = beliefs.base[0], beliefs.shape[1], steps - whole  # see _PAD
            start = _PAD - whole
            average = np.multiply(padded[start:start + count], 1 - fraction)
            average += fraction * padded[start - 1:start - 1 + count]
            average = average.reshape(-1)
        else:
            combined = beliefs if models == 1 else (
                (weights / (total * _masses_moved(beliefs, steps, memo))) @ beliefs.reshape(models, -1))
            average = _translate(combined.reshape(1, *beliefs.shape[1:]), steps, normalise=False).reshape(-1)
        average.setflags(write=False)
        if interpolated:  # every model's belief positive and interpolated: none underflows to 0
            return cls(None, log_weights, average, True, None)
        moved = _translate(beliefs, steps, normalise=models > 1)  # as Staircase._moved
        return cls(moved, log_weights, average, False, np.packbits(moved.reshape(models, -1) >= _SURE, axis=1),
                   _witnesses(moved))

    def surely_possible(self, likelihood: np.ndarray) -> bool:
        """Whether every model surely gives the answers behind ``likelihood`` a positive evidence: some grid point
        where both its belief and the likelihood are at least ``_SURE`` (a term of the evidence's sum above 0)."""
        if self.support is None:
            return True
        # Mostly each model's most believed point answers at once (what its own answers made likely): a few reads of
        # Python floats, not a pack of 990 bits (a sufficient condition, so the same answer).
        witnesses = self.witnesses
        if witnesses is not None and all(likelihood.item(index) >= _SURE for index in witnesses):
            return True
        likely = np.packbits(likelihood >= _SURE)
        return bool((self.support & likely).any(axis=1).all())


def _witnesses(beliefs: np.ndarray) -> tuple[int, ...] | None:
    """Each model's most believed flat grid index, if every one of them is in its support (at least ``_SURE``)."""
    flat = beliefs.reshape(len(beliefs), -1)
    indexes = tuple(int(index) for index in flat.argmax(axis=1))
    return indexes if all(flat.item(model, index) >= _SURE for model, index in enumerate(indexes)) else None


class Fit:
    """A procedure's posterior at one moment (:meth:`Staircase.fit`): what fair play compares answers with."""

    __slots__ = ("_p_correct", "axis", "posterior", "trials")

    def __init__(self, axis: Axis, trials: int, posterior: np.ndarray | None) -> None:
        self.axis, self.trials = axis, trials
        self.posterior = posterior  # None before any answer
        self._p_correct: dict[float, float] = {}  # by stimulus: a drill shows a few whole frames again and again

    def p_correct(self, stimulus: float) -> float:
        """As :meth:`Staircase.p_correct` at the moment of the fit."""
        assert self.posterior is not None, "no answer yet"
        known = self._p_correct.get(stimulus)
        if known is None:
            known = float(_p_correct_row(self.axis, _check_stimulus(stimulus)).dot(self.posterior))  # as level()
            if len(self._p_correct) < 64 and type(stimulus) is float:  # bools and ints hash like floats
                self._p_correct[stimulus] = known
        return known


def _average(carried: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Beliefs of several drift models averaged by their weights (prior x evidence), flat over the grid.

    :param carried: ``(beliefs, log_weights)``, beliefs shaped ``(models, alphas, slopes x lapses)``
    """
    beliefs, log_weights = carried
    weights = np.exp(log_weights - log_weights.max())
    return (weights / weights.sum()) @ beliefs.reshape(len(log_weights), -1)


_PRIOR_WEIGHTED: dict[tuple[int, float], tuple] = {}  # Staircase.level's weighted average of a first session
_PRIORS: dict[tuple[int, int], tuple] = {}  # (id of axis, id of drift) -> (them, _prior_carried's): held, not reused


@lru_cache(maxsize=8)
def _prior_carried(axis: Axis, drift: Drift) -> _Carried:
    """The beliefs before any session closed (as ``Staircase._settled`` builds them), shared by every player."""
    log_weights = np.log(np.asarray(drift.prior, dtype=float))
    log_weights.setflags(write=False)
    return _Carried.of(_start(axis, len(drift.session_sds)), log_weights)


def _session_json(session: _Session, *, keep: bool = False) -> str:
    """``json.dumps({"at", "anchor", "counts"}, separators=(",", ":"))`` of a session, written out: it runs twice per
    answer. Its values are finite floats (or None) and ints, which ``json.dumps`` writes as ``repr`` does.

    :param keep: keep each tally's text on the session, for the next call (the open session's: the overall's gains
        one tally an answer and was written whole each time; dropped when it closes)
    """
    texts = session._texts
    if texts is None:
        texts = {x: _tally_json(x, n, k) for x, (n, k) in session.counts.items()}
        if keep:
            session._texts = texts
    counts = ",".join([texts[x] for x in sorted(texts)])
    return f'{{"at":{_json_number(session.at)},"anchor":{_json_number(session.anchor)},"counts":[{counts}]}}'


def _tally_json(stimulus: float, trials: int, correct: int) -> str:
    key = (stimulus, trials, correct)  # a float and two ints (never bools, see _Session.add's callers)
    text = _TALLIES.get(key)
    if text is None:
        if len(_TALLIES) >= 8192:
            _TALLIES.clear()  # at once (threads share it)
        text = _TALLIES[key] = f"[{stimulus!r},{trials!r},{correct!r}]"
    return text


# A tally's text by its values: whole display frames and small counts, the same for every player (a float's repr
# costs ~0.5 us, and a drill's end writes ~25 tallies)
_TALLIES: dict[tuple[float, int, int], str] = {}


def _json_number(value: float | None) -> str:
    return "null" if value is None else repr(value)


def _check_probability(p: object) -> None:
    if not (isinstance(p, (int, float)) and GUESS < p < 1 - max(LAPSES)):
        raise InvalidProbabilityError(f"p must be between 1/7 and {1 - max(LAPSES)}, got {p!r}")


def _parse_state(text: str) -> tuple[str, list[tuple[float | None, float | None, list]]]:
    """Decode and validate a stored state: its axis and its sessions as ``(at, anchor, tallies)``.

    :param text: the JSON state (version 1: ``{"v", "axis", "counts"}``; version 2: ``{"v", "axis", "sessions"}``)
    :raises InvalidStateError: if it cannot be used
    """
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as error:
        raise InvalidStateError(f"state is not JSON: {error}") from None
    if not isinstance(data, dict) or data.get("v") not in READABLE_VERSIONS:
        raise InvalidStateError("state must be an object with a known version v")
    if data["v"] == 1:
        if set(data) != {"v", "axis", "counts"}:
            raise InvalidStateError("version 1 state must have v, axis and counts")
        sessions = [{"at": None, "anchor": None, "counts": data["counts"]}]
    else:
        if set(data) != {"v", "axis", "sessions"} or not isinstance(data["sessions"], list) or not data["sessions"]:
            raise InvalidStateError("state must have v, axis and a non-empty list of sessions")
        sessions = data["sessions"]
    if data["axis"] not in AXES:
        raise InvalidStateError("state has an unknown axis")
    parsed, total, last_at = [], 0, None
    for session in sessions:
        if (not isinstance(session, dict) or set(session) != {"at", "anchor", "counts"}
                or not isinstance(session["counts"], list)):
            raise InvalidStateError(f"bad session {str(session)[:80]!r}")
        at, anchor = session["at"], session["anchor"]
        if not (_optional_finite(at) and _optional_finite(anchor)):
            raise InvalidStateError(f"bad session start or anchor {at!r}, {anchor!r}")
        if at is not None:
            if last_at is not None and at < last_at:
                raise InvalidStateError("sessions out of order")
            last_at = at = float(at)
        seen = set()
        for entry in session["counts"]:
            if not (isinstance(entry, list) and len(entry) == 3 and _valid_tally(*entry)) or entry[0] in seen:
                raise InvalidStateError(f"bad tally {entry!r}")
            seen.add(entry[0])
            total += entry[1]
        parsed.append((at, None if anchor is None else float(anchor), session["counts"]))
    if total > _MAX_TRIALS:
        raise InvalidStateError("too many trials in state")
    return data["axis"], parsed


def _optional_finite(value: object) -> bool:
    """Whether ``value`` is null or a finite number (not a bool)."""
    if value is None:
        return True
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def _valid_tally(stimulus: object, trials: object, correct: object) -> bool:
    """Whether one ``[stimulus, trials, correct]`` entry makes sense.

    :param stimulus: a finite positive number
    :param trials: an integer >= 1
    :param correct: an integer between 0 and ``trials``
    """
    try:
        _check_stimulus(stimulus)
    except InvalidStimulusError:
        return False
    integers = all(isinstance(v, int) and not isinstance(v, bool) for v in (trials, correct))
    return integers and 0 <= correct <= trials and trials >= 1  # type: ignore[operator]
