"""Leaderboards that stay fast at a million players.

Entries live in ``board_entries``; ``board_counts`` holds how many entries fall
in each score bucket at three widths. A rank is 1 + the entries scoring higher:
a sum over at most a few hundred bucket rows, never a scan of the board.
Equal scores share a rank (1, 2, 2, 4); among them, whoever got there first is
listed first.

A hidden entry (a player on probation, whose results wait, held or banned: ``game.fairplay``) stays in
``board_entries`` but out of ``board_counts`` and of every public list, so nobody's
rank counts it; its owner still sees it, with the rank it would have.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

from sqlite_utils import Database

WIDTHS = (1, 64, 4096)  # each width 64x the last; scores span about +-16 million
SKILL_MIN_TRIALS = 40  # scored trials before a threshold is trusted enough to rank
SKILL = "skill"


def week_board(at: float) -> str:
    """This week's points board; weeks start Monday 00:00 UTC."""
    year, week, _ = datetime.fromtimestamp(at, UTC).isocalendar()
    return f"week:{year}-W{week:02d}"


def challenge_board(day: date, kind: str = "challenge") -> str:
    """The day's board of a challenge kind: ``challenge`` (flashes) or ``scene-challenge``."""
    return f"{kind}:{day.isoformat()}"


def skill_score(threshold_ms: float, floor_ms: float = 1000 / 60) -> int:
    """Skill boards rank the lowest threshold first: store it negated, in tenths of a millisecond.

    Nothing ranks below ``floor_ms`` (one 60 Hz frame): a faster screen is not a sharper eye.
    """
    return -round(max(threshold_ms, floor_ms) * 10)


def _bump(db: Database, board: str, score: int, delta: int) -> None:
    for width in WIDTHS:
        db.execute(
            "INSERT INTO board_counts (board, width, bucket, entries) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (board, width, bucket) DO UPDATE SET entries = entries + excluded.entries",
            [board, width, score // width, delta],
        )


def is_hidden(db: Database, player_id: str) -> int:
    row = db.execute("SELECT board_hidden FROM players WHERE id = ?", [player_id]).fetchone()
    return int(row[0]) if row else 0


def set_score(db: Database, board: str, player_id: str, score: int, at: float | None = None) -> None:
    """Put a player's score on a board (replacing any earlier one); the caller holds the transaction."""
    old = db.execute("SELECT score, hidden FROM board_entries WHERE board = ? AND player_id = ?",
                     [board, player_id]).fetchone()
    if old is not None and old[0] == score:
        return
    hidden = is_hidden(db, player_id)
    if old is not None and not old[1]:
        _bump(db, board, old[0], -1)
    if not hidden:
        _bump(db, board, score, +1)
    db.execute(
        "INSERT INTO board_entries (board, player_id, score, achieved_at, hidden) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (board, player_id) DO UPDATE SET score = excluded.score, achieved_at = excluded.achieved_at, "
        "hidden = excluded.hidden",
        [board, player_id, score, time.time() if at is None else at, hidden],
    )


def set_visibility(db: Database, player_id: str, visible: bool) -> None:
    """Show or hide all of a player's entries on public boards; the caller holds the transaction."""
    hidden = 0 if visible else 1
    if is_hidden(db, player_id) == hidden:  # entries always take the player's flag (set_score, below): all set already
        return  # (every drill's end asks: three statements and their pages for nothing)
    db.execute("UPDATE players SET board_hidden = ? WHERE id = ?", [hidden, player_id])
    for board, score in db.execute("SELECT board, score FROM board_entries WHERE player_id = ? AND hidden != ?",
                                   [player_id, hidden]).fetchall():
        _bump(db, board, score, -1 if hidden else +1)
    db.execute("UPDATE board_entries SET hidden = ? WHERE player_id = ?", [hidden, player_id])


def add_points(db: Database, board: str, player_id: str, points: int) -> None:
    old = db.execute("SELECT score FROM board_entries WHERE board = ? AND player_id = ?", [board, player_id]).fetchone()
    set_score(db, board, player_id, (old[0] if old else 0) + points)


def count_above(db: Database, board: str, score: int) -> int:
    """Entries scoring strictly more than ``score``, from the bucket counts."""
    total = 0
    for finer, coarser in zip(WIDTHS, (*WIDTHS[1:], None), strict=True):
        # Buckets of this width above ours, inside our bucket of the next width up.
        upper = "AND bucket < ?" if coarser else ""
        params = [board, finer, score // finer]
        if coarser:
            params.append((score // coarser + 1) * (coarser // finer))
        total += db.execute(
            f"SELECT COALESCE(SUM(entries), 0) FROM board_counts WHERE board = ? AND width = ? AND bucket > ? {upper}",
            params,
        ).fetchone()[0]
    return total


def size(db: Database, board: str) -> int:
    return db.execute("SELECT COALESCE(SUM(entries), 0) FROM board_counts WHERE board = ? AND width = ?",
                      [board, WIDTHS[-1]]).fetchone()[0]


def _entry(db: Database, board: str, player_id: str) -> dict | None:
    row = db.execute("SELECT score, achieved_at, hidden FROM board_entries WHERE board = ? AND player_id = ?",
                     [board, player_id]).fetchone()
    return {"score": row[0], "achieved_at": row[1], "hidden": bool(row[2])} if row else None


def standing(db: Database, board: str, player_id: str) -> dict | None:
    """A player's rank, score and percentile (share of the board scoring below them)."""
    entry = _entry(db, board, player_id)
    if entry is None:
        return None
    above = count_above(db, board, entry["score"])
    same = db.execute("SELECT COALESCE(SUM(entries), 0) FROM board_counts WHERE board = ? AND width = 1 "
                      "AND bucket = ?", [board, entry["score"]]).fetchone()[0] + entry["hidden"]
    total = size(db, board) + entry["hidden"]  # a hidden player sees where they would stand
    below = total - above - same
    return {"rank": above + 1, "score": entry["score"], "players": total,
            "percentile": round(100 * below / total, 1) if total else 0.0}


_SELECT = "SELECT e.player_id, p.nickname, e.score FROM board_entries e JOIN players p ON p.id = e.player_id "


def _rows(db: Database, sql: str, params: list) -> list[dict]:
    return [
        {"playerId": player_id, "nickname": nickname, "score": score, "rank": None}
        for player_id, nickname, score in db.execute(sql, params).fetchall()
    ]


def _with_ranks(db: Database, board: str, rows: list[dict]) -> list[dict]:
    for row in rows:
        row["rank"] = count_above(db, board, row["score"]) + 1
    return rows


def top(db: Database, board: str, limit: int = 10, viewer: str | None = None) -> list[dict]:
    """The best entries others can see, and the viewer's own even if hidden."""
    rows = _rows(db, _SELECT + "WHERE e.board = ? AND (e.hidden = 0 OR e.player_id = ?) "
                               "ORDER BY e.score DESC, e.achieved_at ASC LIMIT ?", [board, viewer, limit])
    return _with_ranks(db, board, rows)


def neighbourhood(db: Database, board: str, player_id: str, around: int = 2) -> list[dict]:
    """The entries just above and below a player, the player included, best first."""
    entry = _entry(db, board, player_id)
    if entry is None:
        return []
    score, at = entry["score"], entry["achieved_at"]
    # Nearest first. Ties on the player's score come before any other score, so each side is two index
    # ranges read in turn. One query with "score > ? OR (score = ? AND achieved_at < ?)" gives the same rows,
    # but SQLite seeks on the board alone for it and walks from the board's far end: O(board) at a million.
    above = _rows(db, _SELECT + "WHERE e.board = ? AND e.score = ? AND e.achieved_at < ? AND e.hidden = 0 "
                                "ORDER BY e.achieved_at DESC LIMIT ?", [board, score, at, around])
    above += _rows(db, _SELECT + "WHERE e.board = ? AND e.score > ? AND e.hidden = 0 "
                                 "ORDER BY e.score ASC, e.achieved_at DESC LIMIT ?",
                   [board, score, around - len(above)])
    below = _rows(db, _SELECT + "WHERE e.board = ? AND e.score = ? AND e.achieved_at > ? AND e.hidden = 0 "
                                "ORDER BY e.achieved_at ASC LIMIT ?", [board, score, at, around])
    below += _rows(db, _SELECT + "WHERE e.board = ? AND e.score < ? AND e.hidden = 0 "
                                 "ORDER BY e.score DESC, e.achieved_at ASC LIMIT ?",
                   [board, score, around - len(below)])
    me = _rows(db, _SELECT + "WHERE e.board = ? AND e.player_id = ?", [board, player_id])
    return _with_ranks(db, board, [*reversed(above), *me, *below])


def among(db: Database, board: str, player_ids: list[str], viewer: str | None = None) -> list[dict]:
    """A board restricted to some players (friends), ranked among themselves; hidden ones left out but the viewer."""
    marks = ",".join("?" * len(player_ids))
    rows = _rows(db, "SELECT p.id, p.nickname, COALESCE(e.score, 0) FROM players p "
                     "LEFT JOIN board_entries e ON e.player_id = p.id AND e.board = ? "
                     f"WHERE p.id IN ({marks}) AND (p.board_hidden = 0 OR p.id = ?) ORDER BY 3 DESC, e.achieved_at ASC",
                 [board, *player_ids, viewer])
    for row in rows:
        row["rank"] = 1 + sum(other["score"] > row["score"] for other in rows)
    return rows


def histogram(db: Database, board: str, bins: int = 12, viewer: str | None = None) -> list[dict]:
    """Counts of scores in equal-width bins spanning the board's range (for the challenge result).

    A hidden viewer is counted in, as they would be: they see themselves, nobody else does.
    """
    counts = dict(db.execute("SELECT bucket, entries FROM board_counts WHERE board = ? AND width = 1 AND entries > 0",
                             [board]).fetchall())
    own = _entry(db, board, viewer) if viewer else None
    if own and own["hidden"]:
        counts[own["score"]] = counts.get(own["score"], 0) + 1
    if not counts:
        return []
    low, high = min(counts), max(counts)
    width = max(1, -(-(high - low + 1) // bins))
    binned: dict[int, int] = {}
    for bucket, entries in counts.items():
        binned[(bucket - low) // width] = binned.get((bucket - low) // width, 0) + entries
    return [{"from": low + i * width, "to": low + (i + 1) * width - 1, "players": binned.get(i, 0)}
            for i in range(-(-(high - low + 1) // width))]
