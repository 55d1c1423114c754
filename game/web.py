"""HTTP routes: pages, the emotion catalogue, the player's nickname, hardening headers."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, g, jsonify, render_template, request
from werkzeug.middleware.proxy_fix import ProxyFix

from game import emotions, friends, inbox, players, rounds, stats
from game.db import get_db

bp = Blueprint("web", __name__)
COOKIE = "glimpse_player"
COOKIE_MAX_AGE = 400 * 24 * 3600  # browsers cap cookies at 400 days

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def current_player() -> dict:
    """The player behind this request's cookie, created on first visit."""
    if "player" not in g:
        db = get_db()
        player = players.player_for_token(db, request.cookies.get(COOKIE))
        if player is None:
            player, g.new_token = players.create_player(db)
        g.player = player
    return g.player


@bp.get("/")
def home() -> str:
    player, db = current_player(), get_db()
    waiting = current_app.extensions["glimpse_duels"].open_lobbies_hosted_by(set(friends.friend_ids(db, player["id"])))
    notes = inbox.for_player(db, player["id"], waiting)  # what friends did: in the app, no push server
    if any(note["kind"] == "friend" for note in notes):
        inbox.mark_seen(db, player["id"])  # a new friend is news once; no write on an ordinary visit
    return render_template("index.html", player=player, inbox=notes)


@bp.get("/learn")
def learn() -> str:
    current_player()
    return render_template("learn.html")


@bp.get("/stats")
def stats_page() -> str:
    current_player()
    return render_template("stats.html")


@bp.get("/api/stats")
def stats_api() -> Response:
    return jsonify(stats.player_stats(get_db(), current_player()["id"]))


@bp.get("/api/catalogue.json")
def catalogue() -> Response:
    return jsonify({**emotions.catalogue(), "drillRules": rounds.rules()})


@bp.get("/api/me")
def me() -> Response:
    player = current_player()
    return jsonify({"id": player["id"], "nickname": player.get("nickname")})


@bp.post("/api/nickname")
def nickname() -> tuple[Response, int] | Response:
    player = current_player()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify({"error": "bad_request", "message": "Send JSON like {\"nickname\": \"Ada\"}."}), 400
    try:
        name = players.set_nickname(get_db(), player["id"], body.get("nickname"))
    except players.NicknameError as error:
        return jsonify({"error": "bad_nickname", "message": str(error)}), 400
    return jsonify({"nickname": name})


@bp.get("/healthz")
def healthz() -> Response:
    get_db().execute("SELECT 1")
    return jsonify({"ok": True})


def _finish_response(response: Response) -> Response:
    token = g.pop("new_token", None)
    if token:
        response.set_cookie(COOKIE, token, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                            secure=request.is_secure, path="/")
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.path.startswith("/api/"):
        headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.after_request(_finish_response)
    if app.config["BEHIND_PROXY"]:
        # Heroku-style routers terminate TLS: trust their X-Forwarded-Proto/Host.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1, x_host=1)
