"""Trials sent and not yet answered, held in the worker's memory instead of the database.

A trial's row is written once, with its answer, in the answer's transaction: sending a trial writes
nothing (one commit per trial instead of two). What was sent and never answered is still stored, when it
is closed: its socket drops, it expires, another tab resumes the drill (the trial is void) or starts a new
one (abandoned). Only a crash of the worker loses such a row; every answer a player was told about is
committed before its reply, as before.

The register is per worker process and shared by its sockets, so another tab of the same player (which
sticky routing keeps in the same worker, see docs/scaling.md) can close a trial it did not send.
"""

from __future__ import annotations

_held: dict[str, dict[str, dict]] = {}  # player id -> trial id -> the trial's row, as it will be stored


def hold(trial: dict) -> None:
    _held.setdefault(trial["player_id"], {})[trial["id"]] = trial


def holds(player_id: str, trial_id: str) -> bool:
    return trial_id in _held.get(player_id, ())


def count_at(player_id: str, drill_id: str, position: int) -> int:
    """How many of the player's trials in flight (in any tab) show this position of this drill."""
    trials = _held.get(player_id)
    if not trials:  # every `next` after an answer: nothing in flight (release drops an emptied entry)
        return 0
    return sum(trial["drill_id"] == drill_id and trial["position"] == position for trial in trials.values())


def last_sent_at(player_id: str) -> float | None:
    """When the newest of the player's trials in flight was sent (None when none is): a contact not yet stored."""
    return max((trial["sent_at"] for trial in _held.get(player_id, {}).values()), default=None)


def release(player_id: str, trial_id: str) -> dict | None:
    """Stop holding one trial (it was answered or closed); None if it was not held (another tab closed it)."""
    trials = _held.get(player_id)
    if not trials:
        return None
    trial = trials.pop(trial_id, None)
    if not trials:
        del _held[player_id]
    return trial


def release_all(player_id: str, drill_id: str | None = None) -> list[dict]:
    """Stop holding the player's trials (of one drill, or all): they are closed by another tab's resume or start."""
    trials = _held.get(player_id, {})
    taken = [trial for trial in trials.values() if drill_id is None or trial["drill_id"] == drill_id]
    for trial in taken:
        release(player_id, trial["id"])
    return taken
