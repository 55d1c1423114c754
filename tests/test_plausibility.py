"""The fair-play evidence, pure: the human ceiling, each component, and what an honest player can never trip."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from game import plausibility
from game.plausibility import (
    DOUBT_ANSWERS,
    HUMAN_BEST,
    REGULARITY_WINDOW,
    State,
    assess,
    human_ceiling,
    in_doubt,
    observe_answer,
    observe_checkup,
    observe_drill,
    score,
    vetted,
    waits,
)

ONE_FRAME = 1000 / 60


def play_drill(state: State, rng: random.Random, *, stimulus: float, p: float, own_p: float | None = None,
               own_trials: int = 0, at: float = 0.0) -> None:
    """Twenty answers right with chance ``p`` at one stimulus, at a person's reaction times, then the drill ends."""
    for _ in range(20):
        observe_answer(state, axis="exposure", stimulus=stimulus, correct=rng.random() < p,
                       reaction_ms=rng.uniform(400, 1200), own_p=own_p, own_trials=own_trials)
    observe_drill(state, at=at, points=100)


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


def test_a_careful_reader_waits_off_the_boards_long_before_the_hold() -> None:
    reader, rng = State(), random.Random(3)
    while not waits(reader):
        observe_answer(reader, axis="exposure", stimulus=ONE_FRAME, correct=rng.random() < 0.9, reaction_ms=700)
    assert not assess(reader).held and reader.trials <= 40  # its results wait from the first drill or two
    for _ in range(200):
        observe_answer(reader, axis="exposure", stimulus=ONE_FRAME, correct=rng.random() < 0.9, reaction_ms=700)
        assert waits(reader) or assess(reader).held  # and keep waiting until the hold lands
    assert assess(reader).held


def test_results_resting_on_short_flashes_show_once_vetted_a_lying_display_rarely_ever() -> None:
    """People no better than the best at one frame are vetted within six drills; players seeing each flash four
    times longer (a 60 Hz screen claiming 240 Hz: right 80% where the best person manages 53%) almost never are."""
    rng = random.Random(4)
    people, liars, novices = [State() for _ in range(20)], [State() for _ in range(20)], [State() for _ in range(20)]
    for drill in range(6):
        for person, liar, novice in zip(people, liars, novices, strict=True):
            play_drill(person, rng, stimulus=ONE_FRAME, p=human_ceiling("exposure", ONE_FRAME), at=drill * 60.0)
            play_drill(liar, rng, stimulus=ONE_FRAME, p=0.8, at=drill * 60.0)
            play_drill(novice, rng, stimulus=300, p=0.75, at=drill * 60.0)
    assert all(vetted(person) and not assess(person).held for person in people)
    assert sum(vetted(liar) for liar in liars) <= 2
    assert all(vetted(novice) and not waits(novice) for novice in novices)  # long flashes: nothing to vet


def test_a_sleeper_that_turns_reader_waits_after_its_first_reading_drill_and_is_then_held() -> None:
    """Drills like its own history (right 75% where its fit says 75%), then one drill all right: results wait."""
    rng = random.Random(5)
    sleeper, person = State(), State()
    for drill in range(6):
        for state in (sleeper, person):
            play_drill(state, rng, stimulus=200, p=0.75, own_p=0.75, own_trials=20 * drill, at=drill * 60.0)
    assert not waits(sleeper)
    play_drill(sleeper, rng, stimulus=200, p=1.0, own_p=0.75, own_trials=120, at=400.0)
    assert in_doubt(sleeper) and not assess(sleeper).held
    for drill in range(6):
        play_drill(sleeper, rng, stimulus=150, p=1.0, own_p=0.6, own_trials=140 + 20 * drill, at=500.0 + drill * 60)
    assert assess(sleeper).held and "shift" in assess(sleeper).reasons
    for drill in range(6):  # a person's ordinary drills carry no doubt
        play_drill(person, rng, stimulus=200, p=0.75, own_p=0.75, own_trials=120 + 20 * drill, at=400.0 + drill * 60)
        assert not waits(person)


def test_a_checkups_jump_is_weighed_at_its_end_and_not_added_to_the_next_drills() -> None:
    """Two answers right where the player's own fit expects 30% carry ~2.4 nats: under the jump line in one drill or
    one checkup, over it only if a checkup's and the next drill's were added up (as they were before a checkup's end
    weighed them). Six carry ~7 nats: a checkup that jumps sends the player's results to wait at its end."""
    def answered_like_a_reader(state: State, answers: int) -> None:
        for _ in range(answers):
            observe_answer(state, axis="exposure", stimulus=200.0, correct=True, reaction_ms=900.0, own_p=0.3,
                           own_trials=120)

    person = State()
    answered_like_a_reader(person, 2)
    observe_checkup(person)
    answered_like_a_reader(person, 2)
    observe_drill(person, at=1000.0, points=100)
    assert not in_doubt(person) and person.drills == [1000.0]  # a checkup adds nothing to the pace

    reader = State()
    answered_like_a_reader(reader, 6)
    observe_checkup(reader)
    assert in_doubt(reader) and waits(reader) and reader.drill_shift == 0.0


def test_a_doubt_passes_after_its_answers_if_nothing_renews_it() -> None:
    state, rng = State(), random.Random(6)
    play_drill(state, rng, stimulus=200, p=1.0, own_p=0.6, own_trials=100)
    assert in_doubt(state)
    for _ in range(DOUBT_ANSWERS // 20):
        play_drill(state, rng, stimulus=200, p=0.0, own_p=0.6, own_trials=100)
    assert not in_doubt(state) and not waits(state)


def test_state_survives_json() -> None:
    state = State()
    observe_answer(state, axis="intensity", stimulus=0.05, correct=True, reaction_ms=700, own_p=0.2, own_trials=80)
    plausibility.observe_drill(state, at=1000.0, points=42)
    assert State.from_json(state.to_json()).to_json() == state.to_json()
    assert State.from_json({}).to_json() == State().to_json()


@given(width=st.sampled_from([0.0, 1.0, 30.0, 100.0, 600.0, 2500.0]),
       offsets=st.lists(st.floats(0.0, 1.0), min_size=REGULARITY_WINDOW - 1, max_size=REGULARITY_WINDOW),
       accuracy=st.dictionaries(st.sampled_from(plausibility.ALTERNATIVES), st.floats(0.0, 40.0)),
       drills=st.integers(0, 120), banked=st.lists(st.floats(0.0, 6000.0), max_size=8),
       shift_share=st.one_of(st.floats(0.0, 2.0), st.floats(0.3, 1.0), st.just(1.0)))
def test_the_score_every_answer_asks_for_is_the_assessments(width: float, offsets: list, accuracy: dict,
                                                             drills: int, banked: list, shift_share: float) -> None:
    """``score`` (every answer asks, without the assessment's dict): the same score (the one stored, and the one
    that holds) as the full assessment, metronomes and people alike, with another component just under, at or over
    the regularity."""
    reactions = [round(400.0 + width * offset, 1) for offset in offsets]  # people to metronomes
    state = State(accuracy=accuracy, reactions=reactions, drills=[0.0] * drills,
                  banked=[[0.0, points] for points in banked])
    state.shift = shift_share * plausibility._components(state)["regularity"] * plausibility.SHIFT_LIMIT_NATS
    assert score(state) == assess(state).score


SHARE = st.one_of(st.floats(0.0, 1.2), st.sampled_from([0.9994, 0.99949, 0.9995, 0.99951, 0.9996, 1.0]))


@given(width=st.one_of(st.floats(0.0, 300.0), st.sampled_from([126.4, 126.5, 126.55, 126.6, 127.0])),
       middle=st.one_of(st.just(None), st.lists(st.floats(0.0, 1.0), min_size=REGULARITY_WINDOW - 2,
                                               max_size=REGULARITY_WINDOW - 2)),
       accuracy=SHARE, shift=SHARE, drills=st.integers(0, 120), banked=st.one_of(st.floats(0.0, 6000.0), SHARE))
def test_a_hold_is_never_missed_where_the_cheap_check_says_none_may_be_due(
        width: float, middle: list | None, accuracy: float, shift: float, drills: int, banked: float) -> None:
    """``may_hold`` (the answers a socket weighs without the row's score): wherever the score reaches 1, it says a
    hold may be due: metronomes, people, and the spread the bound is tight for (two extremes, the rest between or
    all at the mean), each other component just under, at or over its line."""
    offsets = [0.5] * (REGULARITY_WINDOW - 2) if middle is None else middle
    reactions = [400.0 + width * offset for offset in [0.0, 1.0, *offsets]]
    per_minute = plausibility.POINTS_PER_MINUTE_LIMIT * plausibility.TEN_MINUTES_S / 60
    state = State(accuracy={"reader": accuracy * plausibility.ACCURACY_LIMIT_NATS},
                  shift=shift * plausibility.SHIFT_LIMIT_NATS, reactions=reactions, drills=[0.0] * drills,
                  banked=[[0.0, banked * per_minute if banked <= 1.2 else banked]])
    if score(state) >= 1.0:
        assert plausibility.may_hold(state)
