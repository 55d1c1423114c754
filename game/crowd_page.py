"""The public page and the operator's command for what the crowd learned (figures from game.crowd)."""

from __future__ import annotations

import time

import click
from flask import Blueprint, Flask, Response, current_app, jsonify, render_template

from game import checkup_store, crowd
from game.db import connect, get_db

bp = Blueprint("crowd", __name__)
CACHE_S = 600.0  # the figures move slowly; one computation per ten minutes per process at most
_cache: dict[str, tuple[float, dict]] = {}


def figures() -> dict:
    """The crowd report, computed at most once per ``CACHE_S`` per database."""
    key = current_app.config["DATABASE"]
    cached = _cache.get(key)
    if cached and time.monotonic() - cached[0] < CACHE_S:
        return cached[1]
    result = crowd.report(checkup_store.crowd_histories(get_db()))
    _cache[key] = (time.monotonic(), result)
    return result


@bp.get("/crowd")
def crowd_page() -> str:
    return render_template("crowd.html", figures=figures())


@bp.get("/api/crowd.json")
def crowd_json() -> Response:
    return jsonify(figures())


@click.command("crowd-report")
@click.option("--min-players", default=crowd.MIN_PLAYERS, show_default=True, help="smallest cell shown")
def crowd_report_command(min_players: int) -> None:
    """Print what the crowd learned: median checkup gain by training, and fading after a break."""
    db = connect(current_app.config["DATABASE"])
    try:
        figures = crowd.report(checkup_store.crowd_histories(db), max(min_players, crowd.MIN_PLAYERS))
    finally:
        db.close()
    for line in crowd.lines(figures):
        click.echo(line)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(crowd_report_command)
