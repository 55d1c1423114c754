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

Persistence stores only the sufficient statistics: trials and correct answers per distinct
stimulus. Log-likelihoods are rounded to multiples of 2**-30 so that summing them is exact
in float64 and does not depend on order: a state rebuilt from JSON has a posterior that is
bit-for-bit the one it was saved from, hence the same next stimulus. The stored state does
not depend on the grid, so a later grid or prior change still reads old states.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

import numpy as np

FORMAT_VERSION = 1
GUESS = 1 / 7  # seven emotions to choose from
LAPSES = (0.0, 0.02, 0.04, 0.06)
LAPSE_PRIOR = (0.4, 0.3, 0.2, 0.1)
SLOPES = tuple(float(s) for s in np.geomspace(0.8, 8.0, 8))
SLOPE_PRIOR_MEDIAN, SLOPE_PRIOR_SD_LN = 2.5, 0.6
CREDIBLE_MASS = 0.68  # central credible interval reported by Staircase.threshold

_FIXED_POINT = 2.0**30  # log-likelihoods are multiples of 2**-30: exact, order-free sums
_MIN_PROBABILITY = 1e-26  # log floor ~ -60 nats per trial; exact sums for > 100 000 trials
_MAX_TRIALS = 100_000


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


@dataclass(frozen=True)
class Axis:
    """One stimulus dimension: its threshold grid (log10 units) and a broad prior on it.

    The grid reaches beyond the stimuli the game can show so that thresholds near the
    ends of the range are estimated without piling up on the grid edge.
    """

    name: str
    unit: str
    alpha_low: float
    alpha_high: float
    alpha_step: float
    prior_mean: float
    prior_sd: float


AXES: dict[str, Axis] = {
    # 2 ms .. 1 s; typical untrained recognition threshold ~60 ms, very broad prior.
    "exposure": Axis("exposure", "ms", math.log10(2.0), 3.0, 0.025, math.log10(60.0), 0.6),
    # 0.01 .. 2 (intensity tops out at 1; higher means "not reached").
    "intensity": Axis("intensity", "fraction", -2.0, math.log10(2.0), 0.025, math.log10(0.25), 0.6),
    # Scenes: a leak's duration x intensity in ms (game.scene_session), 3 ms .. 2 s; a leak inside a
    # moving, talking face is harder to catch than a still flash, so the prior sits higher.
    "leak": Axis("leak", "ms", math.log10(3.0), math.log10(2000.0), 0.025, math.log10(120.0), 0.6),
}


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
    a, s, lapse = (v.ravel() for v in np.meshgrid(alphas, SLOPES, LAPSES, indexing="ij"))
    lapse_weight = dict(zip(LAPSES, LAPSE_PRIOR, strict=True))
    log_prior = (
        -0.5 * ((a - axis.prior_mean) / axis.prior_sd) ** 2
        - 0.5 * (np.log(s / SLOPE_PRIOR_MEDIAN) / SLOPE_PRIOR_SD_LN) ** 2
        + np.log([lapse_weight[v] for v in lapse])
    )
    grid = _Grid(a, s, lapse, log_prior - np.logaddexp.reduce(log_prior))
    for array in grid:
        array.setflags(write=False)
    return grid


def _p_correct(grid: _Grid, log_x: np.ndarray) -> np.ndarray:
    """Probability of a correct answer for each stimulus (rows) and parameter point (columns).

    :param grid: the parameter grid
    :param log_x: log10 stimuli, shape ``(n,)``
    """
    weibull = -np.expm1(-np.power(10.0, grid.slope * (log_x[:, None] - grid.alpha)))
    return GUESS + (1 - GUESS - grid.lapse) * weibull


def _binary_entropy(p: np.ndarray) -> np.ndarray:
    """Entropy in nats of a correct/incorrect outcome with probability ``p`` of correct.

    :param p: probabilities, any shape
    """
    p = np.clip(p, 1e-12, 1 - 1e-12)
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
def _candidate_table(axis: Axis, candidates: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """P(correct) and its binary entropy for each (candidate, parameter point) (float32, cached).

    :param axis: the stimulus dimension
    :param candidates: validated stimulus values
    """
    p = _p_correct(_grid(axis), np.log10(np.array(candidates)))
    table = (p.astype(np.float32), _binary_entropy(p).astype(np.float32))
    for array in table:
        array.setflags(write=False)
    return table


@lru_cache(maxsize=8)
def _threshold_table(axis: Axis, p: float) -> tuple[np.ndarray, np.ndarray]:
    """log10 stimulus giving ``p`` correct at each parameter point, and its sort order.

    :param axis: the stimulus dimension
    :param p: criterion probability of a correct answer
    """
    grid = _grid(axis)
    weibull = (p - GUESS) / (1 - GUESS - grid.lapse)
    values = grid.alpha + np.log10(-np.log1p(-weibull)) / grid.slope
    order = np.argsort(values, kind="stable")
    for array in (values, order):
        array.setflags(write=False)
    return values, order


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


class Staircase:
    """QUEST+ over (threshold, slope, lapse) for one player on one axis.

    Usage: ``x = s.next_stimulus(candidates)``, show ``x``, then ``s.update(x, correct)``.
    Save with :meth:`to_json` and restore with :meth:`from_json`.
    """

    def __init__(self, axis: str = "exposure") -> None:
        """Start from the prior.

        :param axis: ``"exposure"`` (milliseconds) or ``"intensity"`` (0-1)
        """
        self._axis = _axis(axis)
        self._log_likelihood = np.zeros_like(_grid(self._axis).log_prior)
        self._counts: dict[float, list[int]] = {}  # stimulus -> [trials, correct]
        self._posterior: np.ndarray | None = None

    @property
    def axis(self) -> str:
        """The axis name, ``"exposure"`` or ``"intensity"``."""
        return self._axis.name

    @property
    def trials(self) -> int:
        """Number of answers taken into account."""
        return sum(n for n, _ in self._counts.values())

    def update(self, stimulus: float, correct: bool) -> None:
        """Take one answer into account.

        :param stimulus: the stimulus actually shown (need not be one of the candidates)
        :param correct: whether the player picked the right emotion
        """
        x = _check_stimulus(stimulus)
        if self.trials >= _MAX_TRIALS:
            raise StaircaseError(f"at most {_MAX_TRIALS} trials per staircase")
        hit, miss = _log_likelihood(self._axis, x)
        self._log_likelihood += hit if correct else miss
        tally = self._counts.setdefault(x, [0, 0])
        tally[0] += 1
        tally[1] += bool(correct)
        self._posterior = None

    def posterior(self) -> np.ndarray:
        """The normalised posterior over the flattened parameter grid (read-only array)."""
        if self._posterior is None:
            log_post = _grid(self._axis).log_prior + self._log_likelihood
            post = np.exp(log_post - log_post.max())
            post /= post.sum()
            post.setflags(write=False)
            self._posterior = post
        return self._posterior

    def next_stimulus(self, candidates: Sequence[float]) -> float:
        """Pick the candidate with the minimum expected posterior entropy.

        Ties go to the earliest candidate in the caller's order.

        :param candidates: stimuli the game can show, e.g. whole display frames in ms
        :raises NoCandidatesError: if ``candidates`` is empty
        :raises InvalidStimulusError: if a candidate is not a finite positive number
        """
        if len(candidates) == 0:
            raise NoCandidatesError("next_stimulus needs at least one candidate")
        values = tuple(_check_stimulus(c) for c in candidates)
        p_table, h_table = _candidate_table(self._axis, values)
        weights = self.posterior().astype(np.float32)
        p_correct = (p_table @ weights).astype(np.float64)
        information = _binary_entropy(p_correct) - (h_table @ weights).astype(np.float64)
        return values[int(np.argmax(information))]

    def threshold(self, p: float = 0.75) -> Estimate:
        """Stimulus at which the player answers correctly with probability ``p``.

        ``value`` is ``10 ** E[log10 x_p]`` (the posterior mean on the log axis); ``low`` and
        ``high`` bound the central 68% credible interval. All in stimulus units.

        :param p: criterion proportion correct, between 1/7 and 1 - max lapse (0.94)
        :raises InvalidProbabilityError: if ``p`` is outside that range
        """
        if not (isinstance(p, (int, float)) and GUESS < p < 1 - max(LAPSES)):
            raise InvalidProbabilityError(f"p must be between 1/7 and {1 - max(LAPSES)}, got {p!r}")
        values, order = _threshold_table(self._axis, float(p))
        post = self.posterior()
        cumulative = np.cumsum(post[order])
        tails = [(1 - CREDIBLE_MASS) / 2, (1 + CREDIBLE_MASS) / 2]
        low, high = values[order][np.minimum(np.searchsorted(cumulative, tails), len(order) - 1)]
        return Estimate(10 ** float(post @ values), 10 ** float(low), 10 ** float(high))

    def to_json(self) -> str:
        """Serialise the state: axis and per-stimulus tallies (a few hundred bytes to ~3 KB).

        Format ``{"v": 1, "axis": ..., "counts": [[stimulus, trials, correct], ...]}``, sorted
        by stimulus. Floats are written with ``repr`` so they read back exactly.
        """
        counts = [[x, n, k] for x, (n, k) in sorted(self._counts.items())]
        return json.dumps({"v": FORMAT_VERSION, "axis": self.axis, "counts": counts}, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Staircase:
        """Rebuild a staircase saved by :meth:`to_json`; its next stimulus is identical.

        :param text: the JSON state
        :raises InvalidStateError: if the state is malformed or of an unknown version
        """
        data = _parse_state(text)
        staircase = cls(data["axis"])
        for stimulus, n, k in data["counts"]:
            x = float(stimulus)
            hit, miss = _log_likelihood(staircase._axis, x)
            staircase._log_likelihood += k * hit + (n - k) * miss
            staircase._counts[x] = [n, k]
        return staircase


def _parse_state(text: str) -> dict:
    """Decode and validate a stored state.

    :param text: the JSON state
    :raises InvalidStateError: if it cannot be used
    """
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as error:
        raise InvalidStateError(f"state is not JSON: {error}") from None
    if not isinstance(data, dict) or set(data) != {"v", "axis", "counts"}:
        raise InvalidStateError("state must be an object with v, axis and counts")
    if data["v"] != FORMAT_VERSION:
        raise InvalidStateError(f"unsupported state version {data['v']!r}")
    if data["axis"] not in AXES or not isinstance(data["counts"], list):
        raise InvalidStateError("state has an unknown axis or malformed counts")
    seen, total = set(), 0
    for entry in data["counts"]:
        if not (isinstance(entry, list) and len(entry) == 3 and _valid_tally(*entry)) or entry[0] in seen:
            raise InvalidStateError(f"bad tally {entry!r}")
        seen.add(entry[0])
        total += entry[1]
    if total > _MAX_TRIALS:
        raise InvalidStateError("too many trials in state")
    return data


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
