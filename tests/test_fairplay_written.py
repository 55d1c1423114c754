"""Fair-play evidence kept by the socket between answers: the same rows and decisions as reading it back each time."""

from __future__ import annotations

import random
from collections.abc import Callable

import msgspec
import sqlite_utils
from hypothesis import given, settings
from hypothesis import strategies as st

from game import fairplay, players
from game.migrations import migrations
from game.plausibility import State

COLUMNS = "status, score, state, reasons, held_at IS NULL, reviewed_at IS NULL, board_hidden"  # times differ
encode = msgspec.json.Encoder().encode  # tells 500 from 500.0 and every float's bits apart, as the stored JSON does


def database() -> sqlite_utils.Database:
    db = sqlite_utils.Database(memory=True)
    migrations.apply(db)
    return db


def row(db: sqlite_utils.Database, player_id: str) -> tuple:
    return db.execute(f"SELECT {COLUMNS} FROM fairplay JOIN players ON players.id = player_id "
                      "WHERE player_id = ?", [player_id]).fetchone()


def past_probation(db: sqlite_utils.Database, player_id: str) -> None:
    """A player with PROBATION_TRIALS scored live answers: the boards may show them, and so hide them again."""
    db["drills"].insert({"id": f"d-{player_id}", "player_id": player_id, "mode": "speed", "seed": 1, "trial_count": 60,
                         "status": "completed", "started_at": 1_800_000_000.0})
    db["trials"].insert_all({"id": f"t{position}", "drill_id": f"d-{player_id}", "player_id": player_id,
                             "emotion": "joy", "identity_seed": 1, "exposure_frames": 2, "sent_at": 1_800_000_000.0,
                             "scored": 1, "source": "live", "position": position}
                            for position in range(fairplay.PROBATION_TRIALS))


def answers(seed: int, count: int, reader_from: int) -> list[dict]:
    """Honest-looking answers, then a pose reader's (always right, quick and regular): it ends held."""
    rng = random.Random(seed)
    made = []
    for index in range(count):
        reader = index >= reader_from
        stimulus = rng.choice([16.7, 33.3, 50.0, 100.0, 200.0])
        made.append({"axis": "exposure", "stimulus": stimulus,
                     "correct": True if reader else rng.random() < min(0.95, stimulus / 120),
                     "reaction_ms": 400.0 + rng.random() if reader else rng.uniform(500, 2500),
                     "own_p": 0.6 if index >= 30 else None, "own_trials": 80 if index >= 30 else 0})
    return made


def test_answers_weighed_from_what_the_socket_wrote_store_what_reading_the_row_back_stores() -> None:
    """Row by row, the evidence a socket carries over gives the stored state, score, hold and board visibility
    that reading and decoding the row before every answer gives, up to and past a hold."""
    db = database()
    kept, read = players.create_player(db)[0]["id"], players.create_player(db)[0]["id"]
    written, statuses = None, []
    for answer in answers(1, 160, reader_from=70):
        written = fairplay.answered(db, kept, written=written, **answer)
        fairplay.answered(db, read, **answer)
        assert row(db, kept) == row(db, read)
        assert written.status == row(db, kept)[0]
        statuses.append(written.status)
    assert statuses[0] == "ok" and statuses[-1] == "held"  # the hold happened on the way, identically


def test_a_row_written_elsewhere_meanwhile_is_read_again() -> None:
    """Another tab's answer, a drill's end and an operator's clear all write the row: the socket's copy is stale,
    and its next answer must start from what they wrote, as if it had read the row."""
    db = database()
    kept, read = players.create_player(db)[0]["id"], players.create_player(db)[0]["id"]
    written = None
    for index, answer in enumerate(answers(2, 120, reader_from=40)):
        if index == 10:  # another tab of the same player answers
            for player_id in (kept, read):
                fairplay.answered(db, player_id, **answer)
        if index == 20:  # the drill ends (pace evidence)
            for player_id in (kept, read):
                fairplay.drill_completed(db, player_id, 1_800_000_000.0, 300)
        if index == 90:  # held by now; an operator clears both: the evidence starts afresh
            assert row(db, kept)[0] == "held"
            for player_id in (kept, read):
                fairplay.decide(db, player_id, "cleared")
        written = fairplay.answered(db, kept, written=written, **answer)
        fairplay.answered(db, read, **answer)
        assert row(db, kept) == row(db, read)
    assert fairplay.load(db, kept)[1].trials == fairplay.load(db, read)[1].trials == 30  # counted from the clear


def test_a_drills_end_written_from_what_the_socket_holds_stores_what_reading_the_row_back_stores() -> None:
    """A drill's end (pace evidence) starts from the socket's copy and hands it the new one: the same rows, holds and
    board visibility, drill after drill, as reading the row back at every drill's end and answer."""
    db = database()
    kept, read = players.create_player(db)[0]["id"], players.create_player(db)[0]["id"]
    written, statuses = None, []
    for index, answer in enumerate(answers(3, 200, reader_from=100)):
        written = fairplay.answered(db, kept, written=written, **answer)
        fairplay.answered(db, read, **answer)
        if index % 20 == 19:  # a drill every 20 answers, fast enough that pace counts
            at, points = 1_800_000_000.0 + index * 3, 900 + index
            written = fairplay.drill_completed(db, kept, at, points, written)
            fairplay.drill_completed(db, read, at, points)
            assert written.status == row(db, kept)[0]
        assert row(db, kept) == row(db, read)
        statuses.append(written.status)
    assert statuses[0] == "ok" and statuses[-1] == "held"


ANSWER = st.fixed_dictionaries({
    "axis": st.sampled_from(["exposure", "intensity", "leak"]),
    "stimulus": st.one_of(st.sampled_from([8.3, 16.7, 16, 33.3, 50.0, 100, 200.0, 0.02, 0.05, 0.3]),
                          st.floats(0.01, 400.0, allow_nan=False)),
    "correct": st.booleans(),
    # ints as well as floats (a test or a fake clock passes ints; from_json reads floats), and times under the floor
    "reaction_ms": st.one_of(st.integers(50, 3000), st.floats(50.0, 3000.0, allow_nan=False),
                             st.sampled_from([400.0, 400.01, 400.02])),  # a metronome: towards a hold
    "own_p": st.one_of(st.none(), st.floats(0.15, 0.99, allow_nan=False)),
    "own_trials": st.sampled_from([0, 59, 60, 200]),
})
EVENT = st.one_of(
    st.tuples(st.just("answer"), ANSWER),
    st.tuples(st.just("answer"), ANSWER),
    st.tuples(st.just("answer"), ANSWER),
    st.tuples(st.just("drill end"), st.tuples(st.one_of(st.integers(0, 3000), st.floats(0.0, 3000.0)),
                                                 st.integers(0, 20_000))),
    st.tuples(st.just("other tab"), ANSWER),
    st.tuples(st.just("duel"), st.lists(st.tuples(st.sampled_from([16.7, 33.3, 100.0]), st.booleans(),
                                                   st.sampled_from([200, 400.0, 900.5])), max_size=5)),
    st.tuples(st.just("operator"), st.sampled_from(fairplay.VERDICTS)),
    st.tuples(st.just("answer rolled back"), ANSWER),
    st.tuples(st.just("drill end rolled back"), st.tuples(st.integers(0, 3000), st.integers(0, 20_000))),
)


def rolled_back(db: sqlite_utils.Database, write: Callable[..., fairplay.Written], *args: object,
                **kwargs: object) -> fairplay.Written:
    """What ``write(db, *args, **kwargs)`` returns, its writes undone (as when the rest of the answer raises)."""
    db.execute("SAVEPOINT undone")
    try:
        return write(db, *args, **kwargs)
    finally:
        db.execute("ROLLBACK TO undone")
        db.execute("RELEASE undone")


@settings(max_examples=60, deadline=None)
@given(events=st.lists(EVENT, min_size=1, max_size=120))
def test_the_socket_carries_what_reading_its_row_back_gives_after_every_answer(events: list) -> None:
    """Whatever happens between a socket's answers (drill ends, another tab, a duel, an operator; int or float
    times; reactions under the floor; holds), the evidence it carries to its next answer is, bit for bit, what
    ``State.from_json`` reads back from the row it wrote, and every row and board flag is what reading the row
    before every answer gives, also after a write rolled back. Fails if the socket's copy skips the stored rounding
    or keeps an int a read makes a float (its next write would store other bits), or trusts a board flag someone else
    changed, or if a drill's end changes the copy the socket keeps when the banking after it raises."""
    db = database()
    kept, read = players.create_player(db)[0]["id"], players.create_player(db)[0]["id"]
    for player_id in (kept, read):
        past_probation(db, player_id)
    written = None
    for kind, event in events:
        if kind == "answer":
            written = fairplay.answered(db, kept, written=written, **event)
            fairplay.answered(db, read, **event)
        elif kind == "drill end":
            at, points = 1_800_000_000 + event[0], event[1]
            written = fairplay.drill_completed(db, kept, at, points, written)
            fairplay.drill_completed(db, read, at, points)
        elif kind == "other tab":
            for player_id in (kept, read):
                fairplay.answered(db, player_id, **event)
        elif kind == "duel":
            for player_id in (kept, read):
                fairplay.observed(db, player_id, event)
        elif kind == "answer rolled back":  # the socket keeps what answered returned (its input was observed)
            written = rolled_back(db, fairplay.answered, kept, written=written, **event)
        elif kind == "drill end rolled back":  # the banking raised: the socket keeps what it had before the drill end
            rolled_back(db, fairplay.drill_completed, kept, 1_800_000_000 + event[0], event[1], written)
        else:
            for player_id in (kept, read):
                fairplay.decide(db, player_id, event)
        assert row(db, kept) == row(db, read)
        if written is not None and kind in ("answer", "drill end"):
            stored = db.execute("SELECT state, updated_at FROM fairplay WHERE player_id = ?", [kept]).fetchone()
            assert encode(written.state) == encode(State.from_json(msgspec.json.decode(stored[0])))
            assert written.updated_at == stored[1] and written.status == row(db, kept)[0]
            assert written.hidden in (None, bool(row(db, kept)[-1]))


def test_a_board_flag_an_operator_changed_is_not_trusted() -> None:
    """The socket knows the player is off the boards (its answer hid them); an operator's clear puts them back. The
    next answer that makes their results wait must pull them off again, not trust what the socket last knew."""
    db = database()
    player_id = players.create_player(db)[0]["id"]
    past_probation(db, player_id)
    short = {"axis": "exposure", "stimulus": 16.7, "correct": True, "reaction_ms": 600.0, "own_p": None,
             "own_trials": 0}  # right at a short flash, not yet vetted: results wait
    written = fairplay.answered(db, player_id, **short)
    assert row(db, player_id)[-1] == 1
    fairplay.decide(db, player_id, "cleared")
    assert row(db, player_id)[-1] == 0  # back on the boards, past probation
    fairplay.answered(db, player_id, written=written, **short)
    assert row(db, player_id)[-1] == 1
