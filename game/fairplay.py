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

import msgspec
from sqlite_utils import Database

from game import boards, plausibility
from game.plausibility import State
from game.store import PLAYERS_TRIALS

PROBATION_TRIALS = 60  # live scored answers before a player's results show on public boards (three drills)
STATUSES = ("ok", "held", "cleared", "banned")


def _row(db: Database, player_id: str) -> dict | None:
    cursor = db.execute("SELECT * FROM fairplay WHERE player_id = ?", [player_id])
    row = cursor.fetchone()
    return dict(zip([column[0] for column in cursor.description], row, strict=True)) if row else None


def _parsed(row: dict | None) -> tuple[str, State]:
    if row is None:
        return "ok", State()
    return row["status"], State.from_json(msgspec.json.decode(row["state"]))  # once per answer: msgspec is quicker


def load(db: Database, player_id: str) -> tuple[str, State]:
    return _parsed(_row(db, player_id))


def _save(db: Database, player_id: str, status: str, state: State, *, reviewed: bool = False,
          previous: dict | None = None) -> tuple[str, float]:
    """Store the evidence; hold the player when it crosses the line (never lifts a hold by itself). Returns the
    player's status and the row's ``updated_at``.

    :param previous: the player's row as the caller just read it (read here when not given)
    """
    assessment = plausibility.assess(state)
    now = time.time()
    previous = previous or _row(db, player_id)
    held_at = previous["held_at"] if previous else None
    reasons = json.loads(previous["reasons"]) if previous and previous["reasons"] else []
    if assessment.held and status in ("ok", "cleared"):
        status, held_at, reasons = "held", now, assessment.reasons
    # Plain SQL: once per answer, and sqlite-utils' upsert() cost more than everything else the evidence does.
    db.execute(
        "INSERT INTO fairplay (player_id, status, score, state, reasons, held_at, reviewed_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (player_id) DO UPDATE SET status = excluded.status, "
        "score = excluded.score, state = excluded.state, reasons = excluded.reasons, held_at = excluded.held_at, "
        "reviewed_at = excluded.reviewed_at, updated_at = excluded.updated_at",
        [player_id, status, assessment.score, msgspec.json.encode(state.to_json()).decode(), json.dumps(reasons),
         held_at, now if reviewed else (previous["reviewed_at"] if previous else None), now])
    return status, now


class Written(msgspec.Struct, frozen=True):  # a Struct: made once or twice an answer, 8x quicker than a dataclass
    """A player's fair-play row as a socket last wrote it: its next answer need not read and decode it again.

    ``updated_at`` is the row's version: every write sets it, so a row another tab, a duel, an offline sync
    or an operator wrote since is noticed (the answer then reads the row, as without this). The players' board flag
    changes only with a write of this row (``boards.set_visibility`` is called here alone), so it too is as written.
    """

    status: str
    state: State  # the evidence as ``State.from_json`` reads the stored JSON back (``State.reread``)
    updated_at: float
    hidden: bool | None = None  # the player's board flag after the write, when it is known


def answered(db: Database, player_id: str, *, axis: str, stimulus: float, correct: bool, reaction_ms: float,
             own_p: float | None, own_trials: int, written: Written | None = None) -> Written:
    """A scored live answer; returns the player's row as written (its ``status`` is the player's status after
    it). The caller holds the transaction.

    :param written: what this function returned for the player's previous answer on this socket, if any. Its state
        is observed in place (no copy per answer): the caller keeps only what this returns, nothing if it raises.
    """
    waits, written = _weighed(db, player_id, written, lambda state: plausibility.observe_answer(
        state, axis=axis, stimulus=stimulus, correct=correct, reaction_ms=reaction_ms, own_p=own_p,
        own_trials=own_trials))
    if written.status == "held" or waits:  # pulled at once, everything ever posted, not at the drill's end
        if not (boards.is_hidden(db, player_id) if written.hidden is None else written.hidden):
            boards.set_visibility(db, player_id, False)
        return Written(written.status, written.state, written.updated_at, True)
    return written


def _weighed(db: Database, player_id: str, written: Written | None,
             observe: Callable[[State], None]) -> tuple[bool, Written]:
    """The player's evidence with one more observation, written back; returns whether the player's results wait
    (``plausibility.waits``) after it, and the row as written.

    From the socket's copy (``written``) it takes one conditional UPDATE, unless someone else wrote the row since or
    a new hold may be due: then, as without a copy, the row is read, weighed and saved. The decisions are taken on
    the evidence as observed; what is stored, and carried to the next answer, is rounded as ``State.to_json`` rounds.
    ``written.state`` is observed in place.
    """
    if written is not None:
        status, state = written.status, written.state
        observe(state)
        score = plausibility.score(state)
        if not (score >= 1.0 and status in ("ok", "cleared")):  # no new hold: only the evidence changes
            waits = plausibility.waits(state)
            state.settle()
            now = time.time()
            cursor = db.execute(  # one row, unless someone else wrote it since: then the long way below
                "UPDATE fairplay SET score = ?, state = ?, updated_at = ? WHERE player_id = ? AND updated_at = ? "
                "AND status = ?", [score, msgspec.json.encode(state).decode(), now, player_id,
                                   written.updated_at, status])
            if cursor.rowcount == 1:
                state.reread()
                return waits, Written(status, state, now, written.hidden)
    previous = _row(db, player_id)
    status, state = _parsed(previous)
    observe(state)
    status, now = _save(db, player_id, status, state, previous=previous)
    waits = plausibility.waits(state)
    state.settle()
    state.reread()
    return waits, Written(status, state, now)


def observed(db: Database, player_id: str, answers: list[tuple[float, bool, float]], axis: str = "exposure") -> str:
    """Several scored live answers weighed at once (a duel's, when it ends): ``(stimulus, correct, reaction_ms)``.

    A duel keeps no fit of the player's own, so only the ceiling, regularity and pace components see them.
    Returns the player's status after them. The caller holds the transaction.
    """
    status, state = load(db, player_id)
    for stimulus, correct, reaction_ms in answers:
        plausibility.observe_answer(state, axis=axis, stimulus=stimulus, correct=correct, reaction_ms=reaction_ms)
    status, _ = _save(db, player_id, status, state)
    if (status == "held" or plausibility.waits(state)) and not boards.is_hidden(db, player_id):
        boards.set_visibility(db, player_id, False)  # as a drill's answers do: held or in doubt, off at once
    return status


def drill_completed(db: Database, player_id: str, at: float, points: int, written: Written | None = None) -> Written:
    """Pace evidence from a completed live drill, then who the boards may show. Before any banking. Returns the
    player's row as written, for the socket's next answer (as ``answered`` does).

    :param written: what ``answered`` returned for this drill's last answer on this socket, if any (unchanged: the
        socket keeps it should the banking after this raise)
    """
    if written is not None:
        written = msgspec.structs.replace(written, state=written.state.copy())
    waits, written = _weighed(db, player_id, written,
                              lambda state: plausibility.observe_drill(state, at=at, points=points))
    shown = _shown(db, player_id, written.status, waits)
    boards.set_visibility(db, player_id, shown)
    return Written(written.status, written.state, written.updated_at, not shown)


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
    """Held and banned players, the most suspicious first."""
    return [dict(row) for row in db.query(
        "SELECT f.player_id, p.nickname, f.status, f.score, f.reasons, f.held_at FROM fairplay f "
        "JOIN players p ON p.id = f.player_id WHERE f.status IN ('held', 'banned') ORDER BY f.score DESC")]


def review(db: Database, player_id: str) -> dict:
    """Everything an operator weighs: status, each component against its limit, recent play."""
    status, state = load(db, player_id)
    row = _row(db, player_id) or {}
    assessment = plausibility.assess(state)
    drills = db.execute("SELECT COUNT(*), COALESCE(SUM(points), 0) FROM drills WHERE player_id = ? "
                        "AND status = 'completed' AND kind != 'offline'", [player_id]).fetchone()
    short = db.execute(f"SELECT COUNT(*), COALESCE(SUM(correct), 0) FROM trials WHERE {PLAYERS_TRIALS} AND scored = 1 "
                       "AND source = 'live' AND exposure_ms < 25", [player_id]).fetchone()
    return {"player_id": player_id, "status": status, "score": assessment.score,
            "components": assessment.components, "in_doubt": plausibility.in_doubt(state),
            "vetted": plausibility.vetted(state), "reasons": json.loads(row.get("reasons") or "[]"),
            "held_at": row.get("held_at"), "reviewed_at": row.get("reviewed_at"),
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
        # A clear starts the evidence afresh, the operator's word standing in for the vetting of short flashes.
        state = State(tested=-plausibility.VETTING_NATS) if verdict == "cleared" else load(db, player_id)[1]
        _save(db, player_id, verdict, state, reviewed=True)
        boards.set_visibility(db, player_id, public(db, player_id))
