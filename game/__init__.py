"""Glimpse: a micro-expression training game."""

from __future__ import annotations

import os
import secrets

from flask import Flask

from game.backup import database_path
from game.db import RESTART_FRAMES


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app. The only place that reads configuration.

    :param test_config: overrides for tests, applied last
    """
    app = Flask(__name__, static_folder="../static", template_folder="../templates")
    app.config.from_mapping(
        DATABASE=database_path(),
        SECRET_KEY=os.environ.get("GLIMPSE_SECRET_KEY") or secrets.token_hex(32),
        # Origins allowed to open the WebSocket besides the page's own host.
        ALLOWED_ORIGINS=[o for o in os.environ.get("GLIMPSE_ALLOWED_ORIGINS", "").split(",") if o],
        TRIAL_TTL_S=float(os.environ.get("GLIMPSE_TRIAL_TTL_S", "120")),
        # Share of a trial's display time that must pass before its answer counts (fair play); never below
        # 1 in production. Tests that script hundreds of answers set 0 (docs/fair-play.md).
        ANSWER_CLOCK_SCALE=min(1.0, max(0.0, float(os.environ.get("GLIMPSE_ANSWER_CLOCK_SCALE", "1")))),
        # Duel timings, e.g. "countdown_s=1,reveal_s=0.5" (tests and benches shorten the pauses): game.duel_ws.
        DUEL_PACE=os.environ.get("GLIMPSE_DUEL_PACE", ""),
        BEHIND_PROXY=os.environ.get("GLIMPSE_BEHIND_PROXY", "") == "1",
        # Seconds between the server's pings on every socket (a client that misses a pong is closed).
        SOCK_SERVER_OPTIONS={"ping_interval": float(os.environ.get("GLIMPSE_PING_INTERVAL_S", "25"))},
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        # Development: pick up edited static files (checked at most once a second). Off: read once per process.
        WATCH_STATIC=os.environ.get("GLIMPSE_WATCH_STATIC", "") == "1",
        # Capacity and limits (docs/scaling.md): refuse what is over them quickly, never hang.
        MAX_CONNECTIONS=int(os.environ.get("GLIMPSE_MAX_CONNECTIONS", "10000")),
        # New sockets are refused while the worker uses this share of a core, smoothed (game.busy; 0: never).
        FULL_CPU=float(os.environ.get("GLIMPSE_FULL_CPU", "0.85")),
        # WAL frames past which the background checkpoint also restarts the WAL (game.db._start_checkpoints).
        WAL_RESTART_FRAMES=int(os.environ.get("GLIMPSE_WAL_RESTART_FRAMES", str(RESTART_FRAMES))),
        MAX_CONNECTIONS_PER_ADDRESS=int(os.environ.get("GLIMPSE_MAX_CONNECTIONS_PER_ADDRESS", "1000")),
        BODIES_PER_ADDRESS=int(os.environ.get("GLIMPSE_BODIES_PER_ADDRESS", "20")),
        MAX_CONTENT_LENGTH=512 * 1024,  # every route, chunked bodies too (game.gate reads them whole)
        BODY_DEADLINE_S=float(os.environ.get("GLIMPSE_BODY_DEADLINE_S", "15")),
        IDLE_TIMEOUT_S=float(os.environ.get("GLIMPSE_IDLE_TIMEOUT_S", "90")),
        SOCKETS_PER_PLAYER=int(os.environ.get("GLIMPSE_SOCKETS_PER_PLAYER", "3")),
        NEW_PLAYERS_PER_MINUTE=float(os.environ.get("GLIMPSE_NEW_PLAYERS_PER_MINUTE", "30")),
        FRIEND_REQUESTS_PER_ADDRESS_MINUTE=float(os.environ.get("GLIMPSE_FRIEND_REQUESTS_PER_ADDRESS_MINUTE", "60")),
    )
    if test_config:
        app.config.update(test_config)

    from game import (
        crowd_page,
        db,
        duel_web,
        duel_ws,
        fairplay_cli,
        item_report,
        pwa,
        scene_web,
        social,
        web,
        welcome,
        ws,
    )

    db.init_app(app)
    item_report.init_app(app)
    db.migrate(app.config["DATABASE"])
    web.init_app(app)
    social.init_app(app)
    scene_web.init_app(app)
    ws.init_app(app)
    duel_ws.init_app(app)
    duel_web.init_app(app)
    welcome.init_app(app)
    pwa.init_app(app)
    fairplay_cli.init_app(app)
    crowd_page.init_app(app)
    return app
