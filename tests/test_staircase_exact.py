"""The staircase's shortcuts decide and store exactly what the straightforward computation does.

A player's picks, levels and thresholds drive what they are shown and what the progress page and boards say; the
stored state must read back to the same. The shortcuts (answers shared between players' first drills, the pick in
place, one model's move from a padded belief, the support checked at a witness first) must change none of it, bit
for bit: each is compared here with the plain computation, kept in this file or reached with the shortcut off.
"""

from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game import staircase
from game.adaptation import OVERALL, PROCEDURES, adapt
from game.staircase import _SURE, Staircase, _Carried, _translate

CANDIDATES = tuple(frames * 1000 / 60 for frames in range(1, 31))  # whole frames at 60 Hz, as rounds offers them
EMOTIONS = PROCEDURES[1:]


@contextmanager
def nothing_shared():
    """Every procedure computes its own posterior, level, pick and estimate (as before the shared entries)."""
    limit = staircase._SHARED_TRIALS
    staircase._SHARED_TRIALS = -1
    try:
        yield
    finally:
        staircase._SHARED_TRIALS = limit


def reference(procedure: Staircase) -> tuple:
    """What a procedure read back from its stored state says, computed from scratch and shared with nobody."""
    with nothing_shared():
        fresh = Staircase.from_json(procedure.to_json())
        return (fresh.next_stimulus(CANDIDATES), fresh.level(), fresh.threshold(), fresh.to_json(),
                fresh.posterior().tobytes())


drill = st.tuples(
    st.floats(0.5, 30.0),  # days since the last drill
    st.lists(st.tuples(st.sampled_from(EMOTIONS), st.booleans()), min_size=1, max_size=14),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(players=st.lists(st.lists(drill, min_size=1, max_size=3), min_size=2, max_size=3))
def test_players_sharing_first_drills_pick_estimate_and_store_what_each_alone_would(players: list) -> None:
    staircase._SHARED.clear()
    for history in players:  # one after the other: a later player meets the entries the earlier ones left
        procedures = {name: Staircase("exposure") for name in PROCEDURES}
        at = 1_800_000_000.0
        for gap_days, trials in history:
            at += gap_days * 86_400
            for procedure in procedures.values():
                procedure.begin_session(at)
            for emotion, correct in trials:
                procedure = procedures[emotion]
                procedure.anchor(procedures[OVERALL].level())  # as game.drills does before the emotion's trial
                expected = reference(procedure)
                stimulus = procedure.next_stimulus(CANDIDATES)
                assert (stimulus, procedure.level(), procedure.threshold(), procedure.to_json(),
                        procedure.posterior().tobytes()) == expected
                adapt(procedures, emotion, stimulus, correct)
                procedure.trim()
                procedures[OVERALL].trim(keep_posterior=True)
                overall = procedures[OVERALL]
                assert (overall.level(), overall.threshold(), overall.to_json()) == reference(overall)[1:4]
            for procedure in procedures.values():
                procedure.trim()


def moved_as_before(belief: np.ndarray, steps: float) -> np.ndarray:
    """One belief moved by ``steps`` grid steps as every move was made before the padded belief."""
    return _translate(belief[None], steps, normalise=False).reshape(-1)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.floats(0.0, 1.0), min_size=3, max_size=60),
       moves=st.lists(st.one_of(st.floats(-9.0, 9.0), st.floats(-70.0, 70.0)), min_size=1, max_size=6),
       tiny=st.integers(0, 3))
def test_one_beliefs_moves_are_the_interpolations_they_were(values: list, moves: list, tiny: int) -> None:
    belief = np.array(values)[:, None] * 2.0 ** (-340 * tiny) + 0.0  # subnormal and zero values too
    blurred = Staircase("exposure", staircase.ANCHORED)._step_into(1, belief[None], (None,))  # as a session's step
    memo: dict = {"padded": blurred}  # as Staircase._carried keeps it for the step's moves
    log_weights = np.zeros(1)
    for steps in moves:
        carried = _Carried.of(blurred, log_weights, steps, memo)
        assert carried.average.tobytes() == moved_as_before(belief, steps).tobytes(), steps


def surely_possible_as_before(carried: _Carried, likelihood: np.ndarray) -> bool:
    if carried.support is None:
        return True
    likely = np.packbits(likelihood >= _SURE)
    return bool((carried.support & likely).any(axis=1).all())


@settings(max_examples=200, deadline=None)
@given(models=st.integers(1, 4), seed=st.integers(0, 2**32 - 1), zeros=st.floats(0.0, 0.95),
       unlikely=st.floats(0.0, 1.0), move=st.sampled_from([0.0, 2.5, -1.75]))
def test_whether_answers_may_be_impossible_is_decided_as_before(models: int, seed: int, zeros: float,
                                                                unlikely: float, move: float) -> None:
    rng = np.random.default_rng(seed)
    beliefs = rng.random((models, 12, 3)) * (rng.random((models, 12, 3)) >= zeros)
    beliefs[:, 6, 0] += 1e-3  # every model believes something, on the grid after the move
    beliefs /= beliefs.reshape(models, -1).sum(axis=1)[:, None, None]
    memo: dict = {}
    carried = _Carried.of(beliefs, np.log(np.full(models, 1 / models)), move, memo)
    likelihood = rng.random(36) * (rng.random(36) >= unlikely) * 2.0 ** float(rng.integers(-1100, 0))
    assert carried.surely_possible(likelihood) == surely_possible_as_before(carried, likelihood)


def pick_as_before(procedure: Staircase, candidates: tuple[float, ...]) -> float:
    """The least expected posterior entropy, the candidate tables and posterior multiplied as they were."""
    table = staircase._candidate_table(procedure._axis, candidates)
    count = len(candidates)
    if procedure._axis.shape:
        both = table @ procedure.posterior()
        p = both[:count]
    else:
        weights = procedure.posterior().astype(np.float32)
        weights[weights < staircase._NEGLIGIBLE_WEIGHT] = 0.0
        both = (table @ weights).astype(np.float64)
        p = np.clip(both[:count], staircase._P_FLOOR, 1 - staircase._P_FLOOR)
    loss = p * np.log(p)
    loss += (1 - p) * np.log1p(-p)
    loss += both[count:]
    return candidates[int(np.argmin(loss))]


@settings(max_examples=40, deadline=None)
@given(answers=st.lists(st.tuples(st.integers(0, 29), st.booleans()), max_size=25), anchored=st.booleans(),
       axis=st.sampled_from(["exposure", "intensity"]))
def test_the_pick_is_the_one_the_plain_entropy_sums_make(answers: list, anchored: bool, axis: str) -> None:
    candidates = CANDIDATES if axis == "exposure" else tuple(round(0.02 * step, 2) for step in range(1, 51))
    procedure = Staircase(axis)
    if anchored:
        procedure.anchor(math.log10(candidates[10]))
    for index, correct in answers:
        procedure.update(candidates[index], correct)
    with nothing_shared():
        assert procedure.next_stimulus(candidates) == pick_as_before(procedure, candidates)


def estimate_as_before(procedure: Staircase, p: float) -> staircase.Estimate:
    """The threshold from the posterior through numpy's functions, as before its calls were trimmed."""
    post = procedure.posterior()
    values, order, ordered = staircase._threshold_table(procedure._axis, p)
    low, high = ordered[np.minimum(np.searchsorted(np.cumsum(post[order]), staircase._TAILS), len(order) - 1)]
    return staircase.Estimate(10 ** float(post @ values), 10 ** float(low), 10 ** float(high))


@settings(max_examples=40, deadline=None)
@given(answers=st.lists(st.tuples(st.integers(0, 29), st.booleans()), max_size=25), anchored=st.booleans(),
       p=st.sampled_from([0.5, 0.75, 0.9]), sessions=st.integers(1, 3))
def test_a_drills_thresholds_are_those_the_plain_sums_make(answers: list, anchored: bool, p: float,
                                                             sessions: int) -> None:
    procedure = Staircase("exposure")
    for session in range(sessions):
        procedure.begin_session(1e9 + session * 86_400.0)
        if anchored:
            procedure.anchor(math.log10(CANDIDATES[5 + session]))
        for index, correct in answers:
            procedure.update(CANDIDATES[index], correct)
    with nothing_shared():
        expected = estimate_as_before(procedure, p)
        assert procedure.threshold(p) == expected  # the summary's, the boards' and the progress page's numbers
