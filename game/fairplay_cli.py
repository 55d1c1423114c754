"""Operators' fair-play commands: ``flask --app game fairplay list|show PLAYER|clear PLAYER|ban PLAYER``.

PLAYER is a player id or a nickname (an id may start with "-": put ``--`` before it). A held player
is off public boards until cleared; a ban hides them from every board for good. See docs/fair-play.md.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click
from flask import Flask

from game import fairplay
from game.db import get_db


def _when(at: float | None) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC") if at else "-"


def _player(who: str) -> dict:
    player = fairplay.find_player(get_db(), who)
    if player is None:
        raise click.ClickException(f"No player with id or nickname {who!r}.")
    return player


@click.group("fairplay")
def fairplay_group() -> None:
    """Review players the fair-play check held from public boards."""


@fairplay_group.command("list")
def list_command() -> None:
    """Held and banned players, the most suspicious first."""
    rows = fairplay.held_players(get_db())
    if not rows:
        click.echo("Nobody is held or banned.")
        return
    click.echo(f"{'player':18} {'nickname':20} {'status':7} {'score':>6}  held since        reasons")
    for row in rows:
        reasons = ", ".join(json.loads(row["reasons"] or "[]"))
        click.echo(f"{row['player_id']:18} {row['nickname'] or '-':20} {row['status']:7} {row['score']:6.2f}  "
                   f"{_when(row['held_at']):17} {reasons}")


@fairplay_group.command("show")
@click.argument("who")
def show_command(who: str) -> None:
    """Everything the check weighed for one player (each component as a share of its limit)."""
    player = _player(who)
    review = fairplay.review(get_db(), player["id"])
    click.echo(f"{player['id']} ({player.get('nickname') or 'no nickname'}): {review['status']}, "
               f"score {review['score']:.2f} (held at 1.00)")
    for name, value in review["components"].items():
        click.echo(f"  {name:18} {value:6.2f}{'  <- over the limit' if value >= 1 else ''}")
    click.echo(f"  held at {_when(review['held_at'])} for {', '.join(review['reasons']) or '-'}; "
               f"last reviewed {_when(review['reviewed_at'])}")
    short = review["short_flashes"]
    click.echo(f"  {review['live_trials']} live answers, {review['completed_drills']} drills, "
               f"{review['points']} points; flashes under 25 ms: {short['correct']}/{short['shown']} right")
    click.echo(f"  results wait off public boards: in doubt {'yes' if review['in_doubt'] else 'no'}, "
               f"short flashes vetted {'yes' if review['vetted'] else 'no'}")
    click.echo(f"  recent reaction times (ms): {review['recent_reactions_ms']}")


def _verdict_command(name: str, verdict: str, summary: str, done: str) -> None:
    """``clear`` and ``ban``: find the player, record the operator's verdict, say what it did."""

    @fairplay_group.command(name, help=summary)
    @click.argument("who")
    def command(who: str) -> None:
        player = _player(who)
        fairplay.decide(get_db(), player["id"], verdict)
        click.echo(done.format(player["id"]))


_verdict_command("clear", "cleared", "Nothing wrong: back on the boards, evidence starts afresh.",
                 "Cleared {}: back on public boards once past probation.")
_verdict_command("ban", "banned", "Hide a player from every board for good.", "Banned {} from every board.")


def init_app(app: Flask) -> None:
    app.cli.add_command(fairplay_group)
