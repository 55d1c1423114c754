"""Friend codes and mutual friendships. Nothing but a nickname and scores is ever shown to friends."""

from __future__ import annotations

import secrets
import time

from sqlite_utils import Database

# Crockford's base32 without look-alikes (no I, L, O, U): easy to read out and type.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
MAX_FRIENDS = 200


class FriendError(ValueError):
    """A friend request that cannot be done; ``code`` is machine-readable, the message for the player."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def normalise_code(raw: object) -> str:
    """Upper-case, strip spaces and dashes, map look-alikes (O->0, I/L->1).

    :raises FriendError: if it cannot be a friend code
    """
    if not isinstance(raw, str) or len(raw) > 32:
        raise FriendError("bad_code", "A friend code is 8 letters and digits.")
    code = raw.upper().replace("-", "").replace(" ", "").translate(str.maketrans("OIL", "011"))
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        raise FriendError("bad_code", "A friend code is 8 letters and digits.")
    return code


def friend_code(db: Database, player_id: str) -> str:
    """The player's friend code, made on first use."""
    existing = db["players"].get(player_id)["friend_code"]
    if existing:
        return existing
    for _ in range(10):  # collisions are astronomically rare; bounded all the same
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if db.execute("UPDATE players SET friend_code = ? WHERE id = ? AND friend_code IS NULL AND NOT EXISTS "
                      "(SELECT 1 FROM players WHERE friend_code = ?)", [code, player_id, code]).rowcount:
            return code
    raise RuntimeError("could not allocate a friend code")


def befriend(db: Database, player_id: str, raw_code: object) -> dict:
    """Make a mutual friendship with the owner of a code; returns the friend's public view.

    :raises FriendError: unknown code, yourself, already friends, or too many friends
    """
    code = normalise_code(raw_code)
    row = db.execute("SELECT id, nickname FROM players WHERE friend_code = ?", [code]).fetchone()
    if row is None:
        raise FriendError("unknown_code", "No player has that friend code.")
    friend_id, nickname = row
    if friend_id == player_id:
        raise FriendError("self", "That's your own code: share it with a friend instead.")
    # Checked once the write lock is held: a request waiting for it (game.db) lets others run, and one of them may
    # have made this friendship, or filled a list, meanwhile.
    with db.atomic():
        if db.execute("SELECT 1 FROM friendships WHERE player_id = ? AND friend_id = ?",
                      [player_id, friend_id]).fetchone():
            raise FriendError("already_friends", "You are already friends.")
        for someone in (player_id, friend_id):
            if count(db, someone) >= MAX_FRIENDS:
                raise FriendError("too_many", f"A player can have at most {MAX_FRIENDS} friends.")
        now = time.time()
        db["friendships"].insert_all([{"player_id": player_id, "friend_id": friend_id, "created_at": now},
                                      {"player_id": friend_id, "friend_id": player_id, "created_at": now}])
    return {"id": friend_id, "nickname": nickname}


def unfriend(db: Database, player_id: str, friend_id: object) -> None:
    """End a friendship on both sides.

    :raises FriendError: if they were not friends
    """
    if not isinstance(friend_id, str):
        raise FriendError("not_friends", "You are not friends.")
    with db.atomic():
        removed = db.execute("DELETE FROM friendships WHERE (player_id = ? AND friend_id = ?) OR "
                             "(player_id = ? AND friend_id = ?)", [player_id, friend_id, friend_id, player_id])
    if removed.rowcount == 0:
        raise FriendError("not_friends", "You are not friends.")


def count(db: Database, player_id: str) -> int:
    return db.execute("SELECT COUNT(*) FROM friendships WHERE player_id = ?", [player_id]).fetchone()[0]


def friend_ids(db: Database, player_id: str) -> list[str]:
    return [row[0] for row in db.execute("SELECT friend_id FROM friendships WHERE player_id = ?", [player_id])]


def friends(db: Database, player_id: str) -> list[dict]:
    rows = db.execute("SELECT p.id, p.nickname FROM friendships f JOIN players p ON p.id = f.friend_id "
                      "WHERE f.player_id = ? ORDER BY p.nickname_key", [player_id]).fetchall()
    return [{"id": friend_id, "nickname": nickname} for friend_id, nickname in rows]
