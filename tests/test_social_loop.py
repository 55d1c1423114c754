"""The social loop: invite links welcome new players, home tells what friends did, the share card brags honestly."""

from __future__ import annotations

import secrets
from pathlib import Path

from conftest import DrillClient, emotion_of
from duel_client import DuelClient, wrong
from harness import PHONE, LiveServer
from playwright.sync_api import Browser, expect
from test_social import call, named_player


def play_daily_challenge(server: LiveServer, cookie: str, right: int) -> dict:
    """Play today's challenge over /ws, right on the first `right` trials; return the summary."""
    client = DrillClient(server, cookie=cookie)
    client.ask({"type": "hello", "v": 1})
    client.send({"type": "start", "refreshMs": 16.667, "mode": "challenge"})
    client.receive()
    trial = client.receive()
    for position in range(1, 21):
        truth = emotion_of(server, trial["trialId"])
        reply = client.answer(trial, truth if position <= right else wrong(truth))
        if position < 20:
            trial = client.ask({"type": "next"})
    summary = client.receive() if reply.get("done") else reply
    client.close()
    assert summary["type"] == "summary"
    return summary


def befriend(server: LiveServer, one: str, other: str) -> None:
    code = call(server, other, "GET", "/api/friends")[1]["code"]
    assert call(server, one, "POST", "/api/friends", {"code": code})[0] == 200


def unique(name: str) -> str:
    return f"{name}{secrets.token_hex(3)}"


def test_an_invite_link_welcomes_a_new_player_who_adds_the_friend_in_one_tap(
        browser: Browser, live_server: LiveServer, screenshot_dir: Path) -> None:
    ana_name = unique("Ana")
    ana = named_player(live_server, ana_name)
    invite_url = call(live_server, ana, "GET", "/api/friends")[1]["inviteUrl"]
    assert "/i/" in invite_url

    context = browser.new_context(**PHONE)  # Ben: a brand-new phone, straight from a chat app
    try:
        page = context.new_page()
        page.goto(invite_url)
        expect(page.get_by_role("heading", level=1)).to_have_text(f"{ana_name} invited you")
        expect(page.get_by_role("link", name="Play")).to_be_visible()
        page.screenshot(path=screenshot_dir / "invite-welcome.png")
        page.get_by_role("button", name=f"Add {ana_name} as a friend").tap()
        expect(page.locator("#befriend-status")).to_have_text(f"You and {ana_name} are now friends.")
        page.screenshot(path=screenshot_dir / "invite-befriended.png")
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"You and {ana_name} are friends")
        page.get_by_role("link", name="Play").tap()
        expect(page.get_by_role("button", name="Play", exact=True)).to_be_enabled()
    finally:
        context.close()
    friends = call(live_server, ana, "GET", "/api/friends")[1]["friends"]
    assert len(friends) == 1  # mutual, after exactly one confirmation


def test_invite_pages_for_odd_links(live_server: LiveServer) -> None:
    ana = named_player(live_server, unique("Solo"))
    own = call(live_server, ana, "GET", "/api/friends")[1]["inviteUrl"].split("/i/")[1]
    assert call_page(live_server, f"/i/{own}", ana) == (200, "This is your invite link")
    assert call_page(live_server, "/i/ZZZZZZZZ", ana)[0] == 404
    assert call_page(live_server, "/i/%3Cscript%3E", ana)[0] == 404


def call_page(server: LiveServer, path: str, cookie: str) -> tuple[int, str]:
    import re
    import urllib.request

    request = urllib.request.Request(server.url + path, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            status, html = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, html = error.code, error.read().decode()
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    return status, heading.group(1).strip() if heading else html


def home(server: LiveServer, cookie: str) -> str:
    """The home page's text as a person reads it (entities decoded)."""
    import html
    import urllib.request

    with urllib.request.urlopen(urllib.request.Request(server.url + "/", headers={"Cookie": cookie}),
                                timeout=15) as response:
        return html.unescape(response.read().decode())


def test_home_tells_what_friends_did_and_the_share_card_brags_honestly(
        browser: Browser, live_server: LiveServer, screenshot_dir: Path) -> None:
    ana_name, ben_name = unique("Ana"), unique("Ben")
    ana, ben = named_player(live_server, ana_name), named_player(live_server, ben_name)
    befriend(live_server, ben, ana)
    assert f"{ben_name} is now your friend" in home(live_server, ana)
    assert f"{ben_name} is now your friend" not in home(live_server, ana)  # new once, then seen

    ben_summary = play_daily_challenge(live_server, ben, right=5)
    assert "beat" not in ben_summary["challenge"]["shareText"]  # nobody to have beaten yet
    assert f"{ben_name} scored" in home(live_server, ana)  # Ana hasn't played: a nudge
    ana_summary = play_daily_challenge(live_server, ana, right=20)
    card = ana_summary["challenge"]["shareText"]
    assert "you beat 1 friend today" in card and "ms flash" in card
    assert card.rstrip().endswith(live_server.url + "/")  # the link back to the game
    assert f"{ana_name} beat you on today's challenge" in home(live_server, ben)

    today = call(live_server, ben, "GET", "/api/friends/today")[1]
    assert [(p["nickname"], p["rank"]) for p in today["players"]] == [(ana_name, 1), (ben_name, 2)]

    lobby = DuelClient(live_server.url, cookie=ana)
    code = lobby.create()
    page = home(live_server, ben)
    assert f"{ana_name} is waiting for you in a duel room" in page and f"/duel/{code}" in page
    rooms = call(live_server, ben, "GET", "/api/duels/friends")[1]["rooms"]
    assert [room["code"] for room in rooms] == [code]

    context = browser.new_context(**PHONE)  # Ben's phone: the notifications on home, one tap to the room
    try:
        name, value = ben.split("=", 1)
        context.add_cookies([{"name": name, "value": value, "url": live_server.url}])
        page = context.new_page()
        page.goto(live_server.url + "/")
        inbox = page.locator("#inbox")
        expect(inbox).to_contain_text(f"{ana_name} is waiting for you in a duel room")
        expect(inbox).to_contain_text(f"{ana_name} beat you on today's challenge")
        page.screenshot(path=screenshot_dir / "home-inbox.png")
        page.goto(live_server.url + "/friends")
        expect(page.locator("#today-list li")).to_have_count(2)
        expect(page.locator("#duel-rooms")).to_contain_text(f"{ana_name} is waiting")
        page.screenshot(path=screenshot_dir / "friends-today.png", full_page=True)
        page.get_by_role("link", name="Join").tap()  # into Ana's room from the friends list
        expect(page.locator("#lobby-players li")).to_have_count(2, timeout=20_000)
    finally:
        context.close()
    lobby.close()
