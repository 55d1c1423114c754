"""Anonymous players and nicknames, over real HTTP against the live server."""

import json
import urllib.error
import urllib.request

import pytest
from conftest import LiveServer, new_player_cookie, open_db

from game.players import NicknameError, clean_nickname, hash_token


@pytest.mark.parametrize("name", ["Ada", "ab", "Zoë_99", "李小龙", "Ана-Мария", "नमस्ते", "x" * 20, "  Two  Spaces "])
def test_nicknames_in_any_script_are_accepted(name: str) -> None:
    display, key = clean_nickname(name)
    assert display == " ".join(name.split()) and key == display.casefold()


@pytest.mark.parametrize("name", ["a", "x" * 21, "<script>", "a'b", "bob\u202e", "ab\u200b", "\u0301ab", 42, None,
                                  "rm -rf /;"])
def test_hostile_or_malformed_nicknames_are_refused(name: object) -> None:
    with pytest.raises(NicknameError):
        clean_nickname(name)


def post_nickname(server: LiveServer, cookie: str, body: object) -> tuple[int, dict]:
    request = urllib.request.Request(server.url + "/api/nickname", data=json.dumps(body).encode(), method="POST",
                                     headers={"Cookie": cookie, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_first_visit_gives_a_hashed_secret_cookie_and_the_first_save_makes_the_player(live_server: LiveServer) -> None:
    with urllib.request.urlopen(live_server.url + "/", timeout=10) as response:
        cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    assert len(token) >= 43  # 32 random bytes, base64url
    # A visit alone stores nothing (crawlers and floods make no players); the first save does.
    assert not list(open_db(live_server)["players"].rows_where("token_hash = ?", [hash_token(token)]))
    assert post_nickname(live_server, f"glimpse_player={token}", {"nickname": "First Save"})[0] == 200
    rows = list(open_db(live_server)["players"].rows_where("token_hash = ?", [hash_token(token)]))
    assert len(rows) == 1 and rows[0]["nickname"] == "First Save"
    assert not list(open_db(live_server)["players"].rows_where("token_hash = ?", [token]))


def test_nicknames_are_unique_case_insensitively_and_rendered_escaped(live_server: LiveServer) -> None:
    ada, other = new_player_cookie(live_server), new_player_cookie(live_server)
    assert post_nickname(live_server, ada, {"nickname": "Ada Lovelace"}) == (200, {"nickname": "Ada Lovelace"})
    status, body = post_nickname(live_server, other, {"nickname": "ADA LOVELACE"})
    assert status == 400 and body["message"] == "That nickname is taken."
    status, body = post_nickname(live_server, other, {"nickname": "<b>x</b>"})
    assert status == 400 and body["error"] == "bad_nickname"
    assert post_nickname(live_server, other, ["not", "an", "object"])[0] == 400
    assert post_nickname(live_server, ada, {"nickname": "ada lovelace"})[0] == 200  # your own name, new case


def test_pages_send_a_strict_content_security_policy(live_server: LiveServer) -> None:
    with urllib.request.urlopen(live_server.url + "/", timeout=10) as response:
        headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
