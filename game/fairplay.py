"""Fair play records: each player's running plausibility, holds, operator reviews and board visibility.

The rules are pure (``game.plausibility``); this module keeps their state in the ``fairplay`` table and
decides who the public boards show: a player appears once they have played ``PROBATION_TRIALS`` live
answers, unless their results wait (``plausibility.waits``: some evidence is building, or results resting
on short flashes are not yet vetted), they are held (until an operator clears them) or banned. Hidden
players keep their entries and still see their own standing; nobody else does. Hiding is retroactive:
everything the player ever posted leaves the public boards at once. See docs/fair-play.md.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import msgspec
from sqlite_utils import Database

from game import boards, plausibility, store
from game.adaptation import axis_of
from game.plausibility import State
from game.store import PLAYERS_TRIALS

PROBATION_TRIALS = 60  # live scored answers before a player's results show on public boards (three drills)
STATUSES = ("ok", "held", "cleared", "banned")


def _row(db: Database, player_id: str) -> dict | None:
    cursor = db.execute("SELECT * FROM fairplay WHERE player_id = ?", [player_id])
    row = cursor.fetchone()
    return dict(zip([column[0] for column in cursor.description], row, strict=True)) if row else None


@dataclass
class _Current:
    """A player's row as writing it after every answer would have left it (``_current``: the stored row with the
    answers it does not hold replayed). ``folded``: the open drill's last answer in it; ``drills``: the closed drills
    whose answers it holds, still marked pending; ``changed``: an answer held the player (the row must be written);
    ``hide``: an answer asked for the player off the boards (held, or results wait)."""

    status: str = "ok"
    score: float | None = 0.0  # None: not computed (``_observe``)
    state: State = field(default_factory=State)
    reasons: list[str] = field(default_factory=list)
    held_at: float | None = None
    reviewed_at: float | None = None
    updated_at: float | None = None
    folded: tuple[str, int] | None = None
    drills: list[str] = field(default_factory=list)
    changed: bool = False
    hide: bool = False


def _observe(current: _Current, observe: Callable[[State], None], at: float, hidden: bool | None = None) -> bool:
    """One observation, decided as a write after it decided (the hold on the unrounded evidence) and left rounded as
    stored; returns whether the player's results wait after it.

    :param hidden: the player's board flag, when a socket knows it. Then the row's score is computed only when a hold
        may be due or a write follows (results wait, the player shown), else left unknown (None): a drill's end writes
        a new one.
    """
    state = current.state
    state.reread()  # what reading the last write back gives (an int reaction or time given becomes a float)
    observe(state)
    waits = plausibility.waits(state)
    if hidden is None or ((waits or current.status == "held") and not hidden) or plausibility.may_hold(state):
        current.score = plausibility.score(state)
        if current.score >= 1.0 and current.status in ("ok", "cleared"):  # never lifts a hold by itself
            current.status, current.held_at, current.reasons = "held", at, plausibility.assess(state).reasons
            current.changed = True
    else:
        current.score = None
    state.settle()
    current.hide |= current.status == "held" or waits
    return waits


def _current(db: Database, player_id: str) -> _Current:
    """The player's row with every scored answer it does not hold replayed from ``trials``, in the order they were
    committed, each weighed as ``answered`` weighs it live (the same observation, hold and rounding): the row that
    writing after every answer stored (tests/test_fairplay_written.py)."""
    if not db.conn.in_transaction:  # a page's read: the row and the answers it lacks from one snapshot
        db.execute("BEGIN")
        try:
            return _current(db, player_id)
        finally:
            db.execute("COMMIT")
    row = _row(db, player_id)
    current = _Current()
    if row is not None:
        current = _Current(row["status"], row["score"], State.from_json(msgspec.json.decode(row["state"])),
                           json.loads(row["reasons"]) if row["reasons"] else [], row["held_at"], row["reviewed_at"],
                           row["updated_at"])
        if row["folded_drill"] is not None:
            current.folded = (row["folded_drill"], row["folded_seq"])
    folded_drill, folded_seq = current.folded or (None, 0)
    for drill_id, active, mode, seq, exposure_ms, intensity, correct, reaction_ms, own_p, at in \
            store.fair_pending_answers(db, player_id):
        if not active and drill_id not in current.drills:
            current.drills.append(drill_id)
        if seq is None or (drill_id == folded_drill and seq <= folded_seq):
            continue
        if active:
            current.folded = (drill_id, seq)
        axis = axis_of(mode)
        _observe(current, partial(plausibility.observe_answer, axis=axis, stimulus=intensity if axis == "intensity"
                                  else exposure_ms, correct=bool(correct), reaction_ms=reaction_ms, own_p=own_p,
                                  own_trials=_own_trials(own_p)), at)
    return current


def _own_trials(own_p: float | None) -> int:
    """What ``observe_answer`` needs of the own fit's size: ``own_p`` is stored only for a fit that may accuse."""
    return plausibility.SHIFT_MIN_TRIALS if own_p is not None else 0


def _write(db: Database, player_id: str, current: _Current, *, reviewed: bool = False) -> None:
    """Store ``current`` (its open drill's answers up to ``folded``), and mark the closed drills it holds as no longer
    pending; sets its ``updated_at``."""
    now = time.time()
    folded_drill, folded_seq = current.folded or (None, None)
    # Plain SQL: sqlite-utils' upsert() cost more than everything else the evidence does.
    db.execute(
        "INSERT INTO fairplay (player_id, status, score, state, reasons, held_at, reviewed_at, updated_at, "
        "folded_drill, folded_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (player_id) DO UPDATE SET "
        "status = excluded.status, score = excluded.score, state = excluded.state, reasons = excluded.reasons, "
        "held_at = excluded.held_at, reviewed_at = excluded.reviewed_at, updated_at = excluded.updated_at, "
        "folded_drill = excluded.folded_drill, folded_seq = excluded.folded_seq",
        [player_id, current.status, current.score, msgspec.json.encode(current.state).decode(),
         json.dumps(current.reasons), current.held_at, now if reviewed else current.reviewed_at, now, folded_drill,
         folded_seq])
    if current.drills:
        db.execute(f"UPDATE drills SET fair_pending = 0 WHERE id IN ({', '.join('?' * len(current.drills))})",
                   current.drills)
    current.drills, current.updated_at, current.changed = [], now, False


def load(db: Database, player_id: str) -> tuple[str, State]:
    """The player's status and evidence, every answer so far included."""
    current = _current(db, player_id)
    return current.status, current.state


class Written(msgspec.Struct, frozen=True):  # a Struct: made once an answer, 8x quicker than a dataclass
    """A player's fair-play row as a socket holds it: the stored row (``updated_at``: its version, set by every write)
    with this socket's answers in ``drill`` up to ``seq`` weighed, which the row may not hold yet (a socket writes the
    row at a drill's end, at a hold and when results start to wait, not after every answer).

    The next answer starts from it when the row is still that version (nobody else wrote it) and it is the drill's
    next answer (nobody else answered in the drill, nothing was rolled back), or a new drill's first while no other
    drill is pending (another tab's or a killed socket's answers); else it reads the row and replays what the row
    lacks, as every reader does. The players' board flag changes only with a write of this row
    (``boards.set_visibility`` is called here alone), so ``hidden`` too is as that version left it.
    """

    status: str
    state: State  # after the last answer, rounded as stored (``State.settle``)
    score: float | None  # the row's score after the last answer (on the evidence before rounding); None: not computed
    reasons: list[str]
    held_at: float | None
    reviewed_at: float | None
    updated_at: float | None
    hidden: bool | None = None  # the player's board flag, when it is known
    drill: str | None = None  # the open drill whose answers up to ``seq`` ``state`` holds
    seq: int = 0


def _held(written: Written, state: State) -> _Current:
    return _Current(written.status, written.score, state, written.reasons, written.held_at, written.reviewed_at,
                    written.updated_at)


def _holding(current: _Current, hidden: bool | None, drill: str | None = None, seq: int = 0) -> Written:
    return Written(current.status, current.state, current.score, current.reasons, current.held_at,
                   current.reviewed_at, current.updated_at, hidden, drill, seq)


def _version(db: Database, player_id: str) -> float | None:
    row = db.execute("SELECT updated_at FROM fairplay WHERE player_id = ?", [player_id]).fetchone()
    return row[0] if row else None


def answered(db: Database, player_id: str, drill_id: str, seq: int, *, axis: str, stimulus: float, correct: bool,
             reaction_ms: float, own_p: float | None, written: Written | None = None) -> Written:
    """A scored live answer, stored already (``seq``: its place in its drill; ``own_p``: as stored with it,
    ``trials.fair_own_p``); returns what the socket holds after it (its ``status`` is the player's status after it).
    The caller holds the transaction. A hold writes the row, and a hold or results that start to wait pull the player
    off the boards, at this answer, as when the row was written after every answer.

    :param written: what this function returned for the player's previous answer on this socket, if any. Its state
        is observed in place (no copy per answer): the caller keeps only what this returns, nothing if it raises.
    """
    if written is not None and (seq == written.seq + 1 if written.drill == drill_id else
                                written.drill is None and seq == 1
                                and store.fair_pending_drills(db, player_id) == [drill_id]) \
            and _version(db, player_id) == written.updated_at:
        current = _held(written, written.state)
        hidden = written.hidden
        _observe(current, partial(plausibility.observe_answer, axis=axis, stimulus=stimulus, correct=correct,
                                  reaction_ms=reaction_ms, own_p=own_p, own_trials=_own_trials(own_p)), time.time(),
                 bool(hidden))
        if not current.changed and (hidden or not current.hide):
            return _holding(current, hidden, drill_id, seq)
    else:
        current = _current(db, player_id)  # this answer is stored: replayed with the rest
        hidden = None
    if current.hide and not hidden:
        hidden = bool(boards.is_hidden(db, player_id))
        if not hidden:
            boards.set_visibility(db, player_id, False)  # pulled at once, everything ever posted
            hidden, current.changed = True, True
    if current.changed or current.drills:
        current.folded = (drill_id, seq)
        _write(db, player_id, current)
    return _holding(current, hidden, drill_id, seq)


def observed(db: Database, player_id: str, answers: list[tuple[float, bool, float]], axis: str = "exposure") -> str:
    """Several scored live answers weighed at once (a duel's, when it ends): ``(stimulus, correct, reaction_ms)``.

    A duel keeps no fit of the player's own, so only the ceiling, regularity and pace components see them.
    Returns the player's status after them. The caller holds the transaction.
    """
    current = _current(db, player_id)

    def observe_all(state: State) -> None:
        for stimulus, correct, reaction_ms in answers:
            plausibility.observe_answer(state, axis=axis, stimulus=stimulus, correct=correct, reaction_ms=reaction_ms)

    _observe(current, observe_all, time.time())
    _write(db, player_id, current)
    if current.hide and not boards.is_hidden(db, player_id):
        boards.set_visibility(db, player_id, False)  # as a drill's answers do: held or in doubt, off at once
    return current.status


def drill_completed(db: Database, player_id: str, drill_id: str, answered: int, at: float | None = None,
                    points: int = 0, written: Written | None = None) -> Written:
    """A live drill with ``answered`` scored answers was completed: its evidence written, with its pace (``at``:
    server clock, ``points`` banked), then who the boards may show; ``at`` None for a checkup (its answers and their
    jump, ``plausibility.observe_checkup``: it earns nothing and puts nobody on the boards). Before any banking.
    Returns what the socket holds after it.

    :param written: what ``answered`` returned for this drill's last answer on this socket, if any (unchanged: the
        socket keeps it should the banking after this raise)
    """
    if at is not None and written is not None and written.drill == drill_id and written.seq == answered \
            and _version(db, player_id) == written.updated_at:  # a checkup (rare) replays: its last score is unknown
        current, hidden = _held(written, written.state.copy()), written.hidden
    else:
        current, hidden = _current(db, player_id), None
        current.state = current.state.copy()
    current.folded = None
    if drill_id not in current.drills:
        current.drills.append(drill_id)
    if at is None:  # a checkup: its jump weighed, and a player whose results now wait taken off; nobody put back
        _observe(current, plausibility.observe_checkup, time.time())
        if current.hide and not boards.is_hidden(db, player_id):
            boards.set_visibility(db, player_id, False)
        _write(db, player_id, current)
        return _holding(current, hidden)
    waits = _observe(current, partial(plausibility.observe_drill, at=at, points=points), at)
    _write(db, player_id, current)
    shown = _shown(db, player_id, current.status, waits)
    boards.set_visibility(db, player_id, shown)
    return _holding(current, not shown)


def live_trials(db: Database, player_id: str, at_most: int = -1) -> int:
    """The player's scored live trials, counted no further than ``at_most`` (-1: all; a regular's run to thousands,
    and every drill's end asks whether there are PROBATION_TRIALS)."""
    return db.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM trials WHERE {PLAYERS_TRIALS} AND scored = 1 "
                      "AND source = 'live' LIMIT ?)", [player_id, at_most]).fetchone()[0]


def public(db: Database, player_id: str) -> bool:
    """Whether public boards show this player."""
    status, state = load(db, player_id)
    return _shown(db, player_id, status, plausibility.waits(state))


def _shown(db: Database, player_id: str, status: str, waits: bool) -> bool:
    return status in ("ok", "cleared") and not waits and _past_probation(db, player_id)


def _past_probation(db: Database, player_id: str) -> bool:
    return live_trials(db, player_id, PROBATION_TRIALS) >= PROBATION_TRIALS


def note(db: Database, player_id: str) -> str | None:
    """What a player who is off the public boards is told about it: neutral, never an accusation."""
    status, state = load(db, player_id)
    if status in ("held", "banned") or plausibility.waits(state):
        return "checking"
    if not _past_probation(db, player_id):
        return "probation"
    return None


# -- operator commands (game.fairplay_cli) ----------------------------------------------------------------------


def find_player(db: Database, who: str) -> dict | None:
    """A player by id or by nickname (case-insensitive)."""
    rows = list(db["players"].rows_where("id = ? OR nickname_key = ?", [who, who.casefold()], limit=1))
    return rows[0] if rows else None


def held_players(db: Database) -> list[dict]:
    """Held and banned players, the most suspicious first (their scores with every answer so far)."""
    rows = list(db.query("SELECT f.player_id, p.nickname, f.status, f.score, f.reasons, f.held_at FROM fairplay f "
                         "JOIN players p ON p.id = f.player_id WHERE f.status IN ('held', 'banned')"))
    return sorted(({**row, "score": _current(db, row["player_id"]).score} for row in rows),
                  key=lambda row: -row["score"])


def review(db: Database, player_id: str) -> dict:
    """Everything an operator weighs: status, each component against its limit, recent play."""
    current = _current(db, player_id)
    status, state = current.status, current.state
    assessment = plausibility.assess(state)
    drills = db.execute("SELECT COUNT(*), COALESCE(SUM(points), 0) FROM drills WHERE player_id = ? "
                        "AND status = 'completed' AND kind != 'offline'", [player_id]).fetchone()
    short = db.execute(f"SELECT COUNT(*), COALESCE(SUM(correct), 0) FROM trials WHERE {PLAYERS_TRIALS} AND scored = 1 "
                       "AND source = 'live' AND exposure_ms < 25", [player_id]).fetchone()
    return {"player_id": player_id, "status": status, "score": assessment.score,
            "components": assessment.components, "in_doubt": plausibility.in_doubt(state),
            "vetted": plausibility.vetted(state), "reasons": current.reasons,
            "held_at": current.held_at, "reviewed_at": current.reviewed_at,
            "live_trials": live_trials(db, player_id), "completed_drills": drills[0], "points": drills[1],
            "short_flashes": {"shown": short[0], "correct": short[1]},
            "recent_reactions_ms": state.reactions}


VERDICTS = ("cleared", "banned")


def decide(db: Database, player_id: str, verdict: str) -> None:
    """An operator's verdict: ``cleared`` (nothing wrong: the evidence starts afresh, back on the boards once
    past probation) or ``banned`` (off every board, friends' included, for good; their own play still works)."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, not {verdict!r}")
    with db.atomic():
        current = _current(db, player_id)  # every answer so far first: a ban keeps their evidence
        if verdict == "cleared":  # the evidence starts afresh, the operator's word standing in for the vetting
            current.state = State(tested=-plausibility.VETTING_NATS)
        current.status = verdict
        current.score = plausibility.score(current.state)
        _write(db, player_id, current, reviewed=True)
        boards.set_visibility(db, player_id, public(db, player_id))
