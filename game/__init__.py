"""Glimpse: a micro-expression training game."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app. The only place that reads configuration.

    :param test_config: overrides for tests, applied last
    """
    app = Flask(__name__, static_folder="../static", template_folder="../templates")
    root = Path(app.root_path).parent
    app.config.from_mapping(
        DATABASE=os.environ.get("GLIMPSE_DATABASE", str(root / "var" / "glimpse.db")),
        SECRET_KEY=os.environ.get("GLIMPSE_SECRET_KEY") or secrets.token_hex(32),
        # Origins allowed to open the WebSocket besides the page's own host.
        ALLOWED_ORIGINS=[o for o in os.environ.get("GLIMPSE_ALLOWED_ORIGINS", "").split(",") if o],
        TRIAL_TTL_S=float(os.environ.get("GLIMPSE_TRIAL_TTL_S", "120")),
        # Duel timings, e.g. "countdown_s=1,reveal_s=0.5" (tests and benches shorten the pauses): game.duel_ws.
        DUEL_PACE=os.environ.get("GLIMPSE_DUEL_PACE", ""),
        BEHIND_PROXY=os.environ.get("GLIMPSE_BEHIND_PROXY", "") == "1",
        SOCK_SERVER_OPTIONS={"ping_interval": 25},
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    if test_config:
        app.config.update(test_config)

    from game import db, duel_web, duel_ws, pwa, social, web, welcome, ws

    db.init_app(app)
    db.migrate(app.config["DATABASE"])
    web.init_app(app)
    social.init_app(app)
    ws.init_app(app)
    duel_ws.init_app(app)
    duel_web.init_app(app)
    welcome.init_app(app)
    pwa.init_app(app)
    return app
