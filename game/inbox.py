"""What the home screen tells a player about friends, inside the app (no push server).

Pending duels (a friend waiting in a lobby, a friend's challenge link not played yet), new
friends, and friends who beat you on today's challenge. Also the friends' view of today's
challenge and "you beat N friends today" for the share card. Queries only; no Flask.
"""

from __future__ import annotations

import time
from datetime import date

from sqlite_utils import Database

from game import boards, challenge, duel_store, friends

NEW_FRIEND_DAYS = 3
_HELD = "SELECT player_id FROM fairplay WHERE status IN ('held', 'banned')"
CHALLENGE_LINK_DAYS = 7


def today_among_friends(db: Database, player_id: str, day: date) -> list[dict]:
    """Today's challenge ranked among the player and their friends: who played, their score (None: not yet).

    A friend the fair-play check holds (or an operator banned) is left out, as on every board. Friends
    still on probation (new players, off the public boards) are in: friends know each other, and two
    friends who met today could not compare otherwise.
    """
    ids = [player_id, *friends.friend_ids(db, player_id)]
    marks = ",".join("?" * len(ids))
    rows = db.execute(
        f"SELECT p.id, p.nickname, e.score FROM players p LEFT JOIN board_entries e "
        f"ON e.player_id = p.id AND e.board = ? WHERE p.id IN ({marks}) AND (p.id = ? OR p.id NOT IN ({_HELD})) "
        f"ORDER BY e.score IS NULL, e.score DESC, e.achieved_at",
        [boards.challenge_board(day), *ids, player_id]).fetchall()
    ranked = []
    for friend_id, nickname, score in rows:
        rank = None if score is None else 1 + sum(r[2] is not None and r[2] > score for r in rows)
        ranked.append({"id": friend_id, "nickname": nickname, "score": score, "rank": rank,
                       "me": friend_id == player_id})
    return ranked


def friends_beaten_today(db: Database, player_id: str, day: date) -> int:
    """Friends who played today's challenge and scored less than the player (0 if the player has not played)."""
    mine = db.execute("SELECT score FROM board_entries WHERE board = ? AND player_id = ?",
                      [boards.challenge_board(day), player_id]).fetchone()
    if mine is None:
        return 0
    ids = friends.friend_ids(db, player_id)
    if not ids:
        return 0
    marks = ",".join("?" * len(ids))
    return db.execute(f"SELECT COUNT(*) FROM board_entries WHERE board = ? AND score < ? "
                      f"AND player_id IN ({marks}) AND player_id NOT IN ({_HELD})",
                      [boards.challenge_board(day), mine[0], *ids]).fetchone()[0]


def for_player(db: Database, player_id: str, waiting_rooms: dict[str, str], now: float | None = None) -> list[dict]:
    """The notifications for the home screen, most pressing first: ``{kind, text, href, action}``.

    :param waiting_rooms: friend id -> the code of the duel lobby they are waiting in (live, from memory)
    """
    now = time.time() if now is None else now
    names = {f["id"]: f["nickname"] or "A friend" for f in friends.friends(db, player_id)}
    notes = [{"kind": "duel", "text": f"{names[friend_id]} is waiting for you in a duel room.",
              "href": f"/duel/{code}", "action": "Join"}
             for friend_id, code in waiting_rooms.items() if friend_id in names]
    for link in duel_store.links_waiting_for(db, player_id, list(names), now - CHALLENGE_LINK_DAYS * 86400):
        notes.append({"kind": "challenge", "text": f"{link['name'] or 'A friend'} challenges you: "
                                                   f"{link['correct']}/20. Beat it?",
                      "href": f"/c/{link['code']}", "action": "Play"})
    seen = db.execute("SELECT inbox_seen_at FROM players WHERE id = ?", [player_id]).fetchone()
    since = max(seen[0] or 0, now - NEW_FRIEND_DAYS * 86400) if seen else now
    for friend_id, in db.execute("SELECT friend_id FROM friendships WHERE player_id = ? AND created_at > ? "
                                 "ORDER BY created_at DESC LIMIT 5", [player_id, since]).fetchall():
        notes.append({"kind": "friend", "text": f"{names.get(friend_id, 'A friend')} is now your friend.",
                      "href": "/friends", "action": "See"})
    day = challenge.today(now)
    board = today_among_friends(db, player_id, day)
    me = next((row for row in board if row["me"]), None)
    for row in board:
        if row["me"] or row["score"] is None:
            continue
        if me and me["score"] is not None and row["score"] > me["score"]:
            notes.append({"kind": "beaten", "text": f"{names[row['id']]} beat you on today's challenge: "
                                                    f"{row['score']} to {me['score']} pts.",
                          "href": "/friends#today", "action": "Compare"})
        elif me is None or me["score"] is None:
            notes.append({"kind": "beaten", "text": f"{names[row['id']]} scored {row['score']} pts on today's "
                                                    f"challenge. Can you beat it?",
                          "href": "/#challenge", "action": "Play"})
    return notes[:8]


def mark_seen(db: Database, player_id: str, now: float | None = None) -> None:
    db.execute("UPDATE players SET inbox_seen_at = ? WHERE id = ?", [time.time() if now is None else now, player_id])
