"""The fair-play evidence, pure: the human ceiling, each component, and what an honest player can never trip."""

from __future__ import annotations

import random

from game import plausibility
from game.plausibility import HUMAN_BEST, REGULARITY_WINDOW, State, assess, human_ceiling, observe_answer


def test_the_human_ceiling_rises_with_the_flash_and_is_75_percent_at_the_best_threshold() -> None:
    values = [human_ceiling("exposure", ms) for ms in (4.2, 8.3, 16.7, 33.3, 50, 100)]
    assert values == sorted(values) and values[0] < 0.3 and values[-1] > 0.99
    assert abs(human_ceiling("exposure", HUMAN_BEST["exposure"]) - 0.75) < 1e-9


def test_being_as_good_as_the_best_person_is_never_evidence() -> None:
    for ms in (16.7, 33.3, 100, 500):
        p = human_ceiling("exposure", ms)
        for cheat_p in plausibility.alternatives("exposure", ms).values():
            if cheat_p <= p:
                assert plausibility.evidence(True, p, cheat_p) == 0.0


def test_a_perfect_reader_at_one_60_hz_frame_crosses_the_line_a_person_at_the_ceiling_does_not() -> None:
    reader, person, rng = State(), State(), random.Random(1)
    ceiling = human_ceiling("exposure", 1000 / 60)
    for _ in range(60):
        observe_answer(reader, axis="exposure", stimulus=1000 / 60, correct=True, reaction_ms=rng.uniform(400, 900))
        observe_answer(person, axis="exposure", stimulus=1000 / 60, correct=rng.random() < ceiling,
                       reaction_ms=rng.uniform(400, 900))
    assert assess(reader).held and "accuracy" in assess(reader).reasons
    assert not assess(person).held


def test_a_metronome_is_held_a_person_and_a_blind_fast_tapper_are_not() -> None:
    metronome, person, tapper, rng = State(), State(), State(), random.Random(2)
    for _ in range(REGULARITY_WINDOW):
        observe_answer(metronome, axis="exposure", stimulus=200, correct=True, reaction_ms=400 + rng.uniform(-5, 5))
        observe_answer(person, axis="exposure", stimulus=200, correct=True, reaction_ms=rng.lognormvariate(6.3, 0.3))
        observe_answer(tapper, axis="exposure", stimulus=17, correct=False, reaction_ms=100 + rng.uniform(-3, 3))
    assert assess(metronome).reasons == ["regularity"]
    assert not assess(person).held and not assess(tapper).held  # taps under the floor unrank, they do not hold


def test_pace_counts_only_the_last_hour_and_ten_minutes() -> None:
    state = State()
    for minute in range(95):
        plausibility.observe_drill(state, at=minute * 30.0, points=100)  # a drill every 30 s: a script's pace
    assert "drills_per_hour" in assess(state).reasons
    plausibility.observe_drill(state, at=10 * 3600.0, points=100)
    assert assess(state).components["drills_per_hour"] < 0.05 and not assess(state).held


def test_state_survives_json() -> None:
    state = State()
    observe_answer(state, axis="intensity", stimulus=0.05, correct=True, reaction_ms=700, own_p=0.2, own_trials=80)
    plausibility.observe_drill(state, at=1000.0, points=42)
    assert State.from_json(state.to_json()).to_json() == state.to_json()
    assert State.from_json({}).to_json() == State().to_json()
