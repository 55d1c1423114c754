"""HTTP routes: pages, the emotion catalogue, the player's nickname, hardening headers; who the player is."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, g, jsonify, render_template, request
from werkzeug.middleware.proxy_fix import ProxyFix

from game import emotions, friends, identities, inbox, jsonbody, players, rounds, stats
from game.busy import Load
from game.db import get_db
from game.gate import Gate
from game.limits import TooManyPlayers, from_config, limits

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


def player_token() -> str:
    """This browser's secret: its cookie's, or a new one sent back in a cookie. No database write."""
    token = request.cookies.get(COOKIE)
    if players.valid_token(token):
        return token
    if "new_token" not in g:
        g.new_token = players.new_token()
    return g.new_token


def current_player() -> dict | None:
    """The player behind this request's cookie if they ever played or saved something; never creates one."""
    if g.get("player") is None:
        g.player = players.player_for_token(get_db(), request.cookies.get(COOKIE))
    return g.player


def acting_player() -> dict:
    """The player about to play or save something, created now if new (crawlers and floods create nobody).

    :raises TooManyPlayers: this address made too many players lately (answered 429)
    """
    player = current_player()
    if player is None:
        player = g.player = limits().admit_new_player(get_db(), player_token(), request.remote_addr)
    return player


def player_id() -> str:
    """The public id of this browser's player, known before the row exists (read-only views use it)."""
    player = current_player()
    return player["id"] if player else players.id_for_token(player_token())


def read_json() -> object:
    """The request body as JSON (read whole by game.gate, so within the size limit and deadline).

    :raises BadBody: answered 400 with its code
    """
    return jsonbody.decode(request.get_data(cache=False))


@bp.get("/")
def home() -> str:
    player_token()
    player = current_player() or {}
    notes = _inbox(player) if player else []
    if notes or player.get("nickname") or current_app.config["WATCH_STATIC"]:
        return render_template("index.html", player=player, inbox=notes)
    # Most views of / are new visitors: the page without a nickname or news is the same for all, render it once.
    cached = current_app.extensions.get("glimpse_home")
    if cached is None:
        cached = current_app.extensions["glimpse_home"] = render_template("index.html", player={}, inbox=[])
    return cached


def _inbox(player: dict) -> list[dict]:
    """What friends did, for home: in the app, no push server."""
    db = get_db()
    friend_ids = friends.friend_ids(db, player["id"])
    if not friend_ids:
        return []  # no friends, no news: no further queries on most visits
    waiting = current_app.extensions["glimpse_duels"].open_lobbies_hosted_by(set(friend_ids))
    notes = inbox.for_player(db, player["id"], waiting)
    if any(note["kind"] == "friend" for note in notes):
        inbox.mark_seen(db, player["id"])  # a new friend is news once; no write on an ordinary visit
    return notes


@bp.get("/learn")
def learn() -> str:
    player_token()
    return render_template("learn.html")


@bp.get("/stats")
def stats_page() -> str:
    player_token()
    return render_template("stats.html")


@bp.get("/api/stats")
def stats_api() -> Response:
    return jsonify(stats.player_stats(get_db(), player_id()))


@bp.get("/api/catalogue.json")
def catalogue() -> Response:
    return jsonify({**emotions.catalogue(), "drillRules": rounds.rules(), "identityTraits": identities.catalogue()})


@bp.get("/api/me")
def me() -> Response:
    player = current_player() or {}
    return jsonify({"id": player_id(), "nickname": player.get("nickname")})


@bp.post("/api/nickname")
def nickname() -> tuple[Response, int] | Response:
    body = read_json()
    if not isinstance(body, dict):
        return jsonify({"error": "bad_request", "message": "Send JSON like {\"nickname\": \"Ada\"}."}), 400
    try:
        name = players.set_nickname(get_db(), acting_player()["id"], body.get("nickname"))
    except players.NicknameError as error:
        return jsonify({"error": "bad_nickname", "message": str(error)}), 400
    return jsonify({"nickname": name})


@bp.get("/healthz")
def healthz() -> Response:
    """Up, with the worker's load as game.busy smooths it: new sockets are refused while ``full``."""
    get_db().execute("SELECT 1")
    load = current_app.extensions["glimpse_gate"].load
    return jsonify({"ok": True, "loopLagMs": round(load.lag_s * 1000, 3), "cpu": round(load.cpu, 4),
                    "full": load.full})


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


def _bad_body(error: jsonbody.BadBody) -> tuple[Response, int]:
    return jsonify(error.to_json()), 400


def _too_many_players(_error: TooManyPlayers) -> tuple[Response, int]:
    return jsonify({"error": "too_many_players", "message": "Too many new players from your address; "
                    "try again in a minute."}), 429


def _too_large(_error: Exception) -> tuple[Response, int]:
    return jsonify({"error": "too_large", "message": "That request body is too large."}), 413


def init_app(app: Flask) -> None:
    app.extensions["glimpse_limits"] = from_config(app.config)
    app.register_blueprint(bp)
    app.after_request(_finish_response)
    app.register_error_handler(jsonbody.BadBody, _bad_body)
    app.register_error_handler(TooManyPlayers, _too_many_players)
    app.register_error_handler(413, _too_large)
    gate = Gate(app.wsgi_app, max_connections=app.config["MAX_CONNECTIONS"],
                per_address=app.config["MAX_CONNECTIONS_PER_ADDRESS"], max_body=app.config["MAX_CONTENT_LENGTH"],
                body_deadline_s=app.config["BODY_DEADLINE_S"], bodies_per_address=app.config["BODIES_PER_ADDRESS"],
                load=Load(full_cpu=app.config["FULL_CPU"]))
    app.extensions["glimpse_gate"] = gate
    # Heroku-style routers terminate TLS: trust their X-Forwarded-Proto/Host/For (so limits see the client).
    app.wsgi_app = ProxyFix(gate, x_for=1, x_proto=1, x_host=1) if app.config["BEHIND_PROXY"] else gate
