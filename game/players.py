"""Anonymous players: a random id, a secret token in a cookie, an optional nickname."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
import unicodedata

from sqlite_utils import Database

TOKEN_BYTES = 32  # 256 bits
NICKNAME_MIN, NICKNAME_MAX = 2, 20
_NICKNAME_PUNCTUATION = frozenset(" _-")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # token_urlsafe(32)


class NicknameError(ValueError):
    """A nickname that cannot be used; the message is meant for the player."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def clean_nickname(raw: object) -> tuple[str, str]:
    """Validate a nickname and return it for display and as a uniqueness key.

    Letters and digits of any script, spaces, ``_`` and ``-``; 2-20 characters
    after normalising (NFKC) and collapsing runs of spaces.

    :raises NicknameError: with a message for the player
    """
    if not isinstance(raw, str):
        raise NicknameError("Nickname must be text.")
    name = " ".join(unicodedata.normalize("NFKC", raw).split())
    if not NICKNAME_MIN <= len(name) <= NICKNAME_MAX:
        raise NicknameError(f"Nickname must be {NICKNAME_MIN}–{NICKNAME_MAX} characters.")
    for position, char in enumerate(name):
        category = unicodedata.category(char)
        # Combining marks are part of letters in many scripts, but never start a name.
        allowed = category[0] in "LN" or char in _NICKNAME_PUNCTUATION or (category[0] == "M" and position > 0)
        if not allowed:
            raise NicknameError("Use letters, digits, spaces, _ or - only.")
    return name, name.casefold()


def new_token() -> str:
    """A browser's secret, handed out in a cookie; the player row comes later, when they first play or save."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def valid_token(token: object) -> bool:
    return isinstance(token, str) and _TOKEN.fullmatch(token) is not None


def id_for_token(token: str) -> str:
    """A new player's public id, derived from the secret so it is known before the row exists."""
    return base64.urlsafe_b64encode(hashlib.sha256(b"player-id:" + token.encode()).digest()[:12]).decode()


def create_player(db: Database, token: str | None = None) -> tuple[dict, str]:
    """Make the player for a token (a new token if none); return the row and the token (never stored).

    Two requests of one new browser may race to create it: the second finds the first's row.
    """
    token = token or new_token()
    now = time.time()
    row = {"id": id_for_token(token), "token_hash": hash_token(token), "created_at": now, "last_seen_at": now}
    db.execute("INSERT OR IGNORE INTO players (id, token_hash, created_at, last_seen_at) VALUES (?, ?, ?, ?)",
               [row["id"], row["token_hash"], now, now])
    return player_for_token(db, token) or row, token


def player_for_token(db: Database, token: str | None) -> dict | None:
    if not valid_token(token):
        return None
    rows = list(db["players"].rows_where("token_hash = ?", [hash_token(token)], limit=1))
    return rows[0] if rows else None


def set_nickname(db: Database, player_id: str, raw: object) -> str:
    """Give a player a nickname, unique case-insensitively.

    :raises NicknameError: if invalid or taken by someone else
    """
    name, key = clean_nickname(raw)
    taken = list(db["players"].rows_where("nickname_key = ? AND id != ?", [key, player_id], limit=1))
    if taken:
        raise NicknameError("That nickname is taken.")
    try:
        db["players"].update(player_id, {"nickname": name, "nickname_key": key})
    except Exception as error:  # a race with another player choosing it at the same moment
        if "UNIQUE" in str(error):
            raise NicknameError("That nickname is taken.") from error
        raise
    return name
