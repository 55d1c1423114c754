"""Persistence of finished duels and of "beat my score" challenge links. Each function is one short unit of work."""

from __future__ import annotations

import json
import secrets
import time

from sqlite_utils import Database

from game.rooms import CODE_ALPHABET, RoomError

LINK_CODE_LENGTH = 8
CHALLENGE_TRIALS = 20
MAX_LINKS_PER_DAY = 50  # per player: a challenge link is cheap, but not free


def record_duel(db: Database, code: str, seed: int, trials: int, started_at: float, results: list[dict]) -> str:
    """Keep a finished duel and every player's standing in it."""
    duel_id = secrets.token_urlsafe(9)
    with db.atomic():
        db["duels"].insert({"id": duel_id, "code": code, "seed": seed, "trials": trials,
                            "started_at": started_at, "ended_at": time.time()})
        db["duel_players"].insert_all(
            {"duel_id": duel_id, "player_id": r["playerId"], "rank": r["rank"], "correct": r["correct"],
             "total_ms": r["totalMs"], "out": int(r["out"]), "unranked": r.get("unranked")} for r in results)
    return duel_id


def duels_played(db: Database, player_id: str) -> int:
    return db.execute("SELECT COUNT(*) FROM duel_players WHERE player_id = ?", [player_id]).fetchone()[0]


# -- challenge links ------------------------------------------------------------------------


def normalise_link_code(raw: object) -> str:
    """:raises RoomError: ``bad_code`` if it cannot be a challenge link's code"""
    if not isinstance(raw, str) or len(raw) > 32:
        raise RoomError("bad_code", "A challenge code is 8 letters and digits.")
    code = raw.upper().replace("-", "").replace(" ", "")
    if len(code) != LINK_CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise RoomError("bad_code", "A challenge code is 8 letters and digits.")
    return code


def create_link(db: Database, creator_id: str, now: float | None = None) -> dict:
    """A new challenge: a fixed seed, so whoever opens the link gets the same 20 trials.

    :raises RoomError: ``too_many_links`` past the daily allowance
    """
    now = time.time() if now is None else now
    with db.atomic():  # counted and taken with the write lock held: requests waiting for it (game.db) interleave
        made_today = db.execute("SELECT COUNT(*) FROM challenge_links WHERE creator_id = ? AND created_at > ?",
                                [creator_id, now - 86400]).fetchone()[0]
        if made_today >= MAX_LINKS_PER_DAY:
            raise RoomError("too_many_links", "That's a lot of challenges today: share one you have.")
        for _ in range(10):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(LINK_CODE_LENGTH))
            if db.execute("SELECT 1 FROM challenge_links WHERE code = ?", [code]).fetchone() is None:
                row = {"code": code, "creator_id": creator_id, "seed": secrets.randbits(53),
                       "trials": CHALLENGE_TRIALS, "created_at": now}
                db["challenge_links"].insert(row)
                return row
    raise RuntimeError("could not allocate a challenge code")


def get_link(db: Database, raw_code: object) -> dict:
    """:raises RoomError: ``bad_code`` or ``unknown_challenge``"""
    code = normalise_link_code(raw_code)
    rows = list(db["challenge_links"].rows_where("code = ?", [code], limit=1))
    if not rows:
        raise RoomError("unknown_challenge", "No challenge has that code.")
    return rows[0]


def start_play(db: Database, code: str, player_id: str, now: float) -> None:
    """Claim the player's one attempt at a challenge.

    :raises RoomError: ``already_played`` if they started it before (a dropped attempt resumes in memory instead)
    """
    inserted = db.execute("INSERT INTO challenge_plays (code, player_id, status, started_at) VALUES (?, ?, ?, ?) "
                          "ON CONFLICT DO NOTHING", [code, player_id, "playing", now]).rowcount
    if not inserted:
        raise RoomError("already_played", "You have played this challenge: one attempt each.")


def finish_play(db: Database, code: str, player_id: str, standing: dict, outcomes: list[dict]) -> None:
    """:param standing: the room's standing of the player, with ``unranked`` ("held", "reaction") if off the boards"""
    db.execute("UPDATE challenge_plays SET status = ?, correct = ?, total_ms = ?, outcomes = ?, finished_at = ?, "
               "unranked = ? WHERE code = ? AND player_id = ?",
               ["out" if standing["out"] else "done", standing["correct"], standing["totalMs"],
                json.dumps(outcomes), time.time(), standing.get("unranked"), code, player_id])


def challenge_view(db: Database, link: dict, me: str, emotions: list[str]) -> dict:
    """A challenge as one player sees it: who set it, everyone's score, and trial by trial once you have played.

    Nobody sees anyone's trial-by-trial results, or what the trials were, before finishing their own attempt.
    A play kept off the boards (its player held by the fair-play check, or answering faster than a person
    can) is shown to its player alone, as the boards do.
    """
    rows = db.execute(
        "SELECT c.player_id, p.nickname, c.status, c.correct, c.total_ms, c.outcomes, c.finished_at "
        "FROM challenge_plays c JOIN players p ON p.id = c.player_id WHERE c.code = ? "
        "AND (c.unranked IS NULL OR c.player_id = ?) "
        "ORDER BY c.status = 'done' DESC, c.correct DESC, c.total_ms, c.finished_at", [link["code"], me]).fetchall()
    creator = db.execute("SELECT nickname FROM players WHERE id = ?", [link["creator_id"]]).fetchone()
    mine = next((r for r in rows if r[0] == me), None)
    finished = mine is not None and mine[2] in ("done", "out")
    plays = []
    for player_id, nickname, status, correct, total_ms, outcomes, _at in rows:
        if status == "playing" and player_id != me:
            continue
        play = {"name": nickname, "me": player_id == me, "creator": player_id == link["creator_id"],
                "status": status, "correct": correct, "totalMs": total_ms}
        if finished and outcomes:
            play["outcomes"] = json.loads(outcomes)
        plays.append(play)
    return {"code": link["code"], "trials": link["trials"], "creator": {"name": creator[0] if creator else None,
                                                                        "me": link["creator_id"] == me},
            "played": finished, "plays": plays, "emotions": emotions if finished else None}


def links_waiting_for(db: Database, player_id: str, friend_ids: list[str], since: float) -> list[dict]:
    """Challenges friends finished lately that this player has not played: "Ana challenges you"."""
    if not friend_ids:
        return []
    marks = ",".join("?" * len(friend_ids))
    rows = db.execute(
        f"SELECT l.code, p.nickname, c.correct FROM challenge_links l "
        f"JOIN challenge_plays c ON c.code = l.code AND c.player_id = l.creator_id AND c.status = 'done' "
        f"AND c.unranked IS NULL "
        f"JOIN players p ON p.id = l.creator_id "
        f"WHERE l.creator_id IN ({marks}) AND c.finished_at > ? AND NOT EXISTS "
        f"(SELECT 1 FROM challenge_plays mine WHERE mine.code = l.code AND mine.player_id = ?) "
        f"ORDER BY c.finished_at DESC LIMIT 5", [*friend_ids, since, player_id]).fetchall()
    return [{"code": code, "name": name, "correct": correct} for code, name, correct in rows]
