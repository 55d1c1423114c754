"""The installable app: service worker, manifest, long-cached compressed static files, offline sync.

Connects through ``init_app(app)``. Static files are served from memory with
versioned URLs (see ``game.assets``); HTML and JSON answers are compressed on
the way out. ``POST /api/offline/sync`` stores results played without a
connection, exactly once each, for stats and the daily streak only.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, request, url_for
from sqlite_utils import Database

from game import in_flight, offline, players, store
from game.assets import CODINGS, Asset, Assets, compress
from game.db import get_db
from game.web import COOKIE, acting_player, read_json

bp = Blueprint("pwa", __name__)
YEAR_S = 365 * 24 * 3600
DYNAMIC_TYPES = {"text/html", "application/json"}
MIN_DYNAMIC_COMPRESS = 1024
# The module each page starts from: preloaded from its <head> so the imports do not arrive in a waterfall.
PAGE_ENTRIES = {"web.home": "js/main.js", "web.learn": "js/learn.js", "web.stats_page": "js/stats.js",
                "social.boards_page": "js/boards.js", "social.friends_page": "js/friends.js",
                "duel_web.duel_page": "js/duel/page.js", "duel_web.challenge_page": "js/duel/challenge-page.js"}
SHELL_PAGES = ("/", "/learn", "/stats", "/api/catalogue.json", "/manifest.webmanifest")
SHELL_STATIC = ("css/app.css", "css/learn.css", "icons/icon.svg", "icons/icon-192.png")
# Boards and friends need the network anyway: only the pages that work offline are precached.
SHELL_MODULES = ["js/pwa.js", "js/main.js", "js/learn.js", "js/stats.js"]


def _assets() -> Assets:
    return current_app.extensions["glimpse_assets"]


def _coding(encoded: dict[str, bytes]) -> str | None:
    """The best content-coding both we and the browser have."""
    return next((coding for coding in encoded if request.accept_encodings.quality(coding) > 0), None)


def _send(asset: Asset, cache_control: str, mimetype: str | None = None) -> Response:
    """An asset with its ETag, compressed when the browser takes it; 304 when it already has it."""
    coding = _coding(asset.encoded)
    response = Response(asset.encoded[coding] if coding else asset.body, mimetype=mimetype or asset.mimetype)
    response.set_etag(asset.version + (f"-{coding}" if coding else ""))
    response.headers["Cache-Control"] = cache_control
    response.vary.add("Accept-Encoding")
    if coding:
        response.headers["Content-Encoding"] = coding
    return response.make_conditional(request)


def serve_static(filename: str) -> Response:
    """Replaces Flask's static view: a URL carrying the file's current version is cached for a year."""
    asset = _assets().get(filename)
    if asset is None:
        abort(404)
    if request.args.get("v") == asset.version:
        return _send(asset, f"public, max-age={YEAR_S}, immutable")
    return _send(asset, "no-cache")  # an old or missing version: always revalidate


def _version_static_urls(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "v" not in values:
        version = _assets().version(values.get("filename", ""))
        if version:
            values["v"] = version


def module_preloads(endpoint: str | None) -> list[str]:
    """Versioned URLs of every module a page imports at start, for <link rel=modulepreload>."""
    entry = PAGE_ENTRIES.get(endpoint or "")
    if entry is None:
        return []
    return [url_for("static", filename=path) for path in _assets().module_graph([entry, "js/pwa.js"])]


def shell_urls() -> list[str]:
    """What the service worker precaches: pages, the catalogue, and every versioned static file they use."""
    modules = _assets().module_graph(SHELL_MODULES, dynamic=True)
    return [*SHELL_PAGES, *(url_for("static", filename=path) for path in (*SHELL_STATIC, *modules))]


@bp.get("/sw.js")
def service_worker() -> Response:
    """The worker, from the root so its scope is the whole site, told which files make up this version."""
    source = _assets().get("sw.js")
    if source is None:
        abort(404)
    shell = shell_urls()
    version = hashlib.sha256(json.dumps(shell).encode() + source.body).hexdigest()[:10]
    prelude = f"self.GLIMPSE_SHELL = {json.dumps({'version': version, 'urls': shell})};\n"
    body = prelude.encode() + source.body
    asset = Asset(path="sw.js", body=body, encoded=compress(body), version=version, mimetype=source.mimetype)
    response = _send(asset, "no-cache")
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    asset = _assets().get("manifest.webmanifest")
    if asset is None:
        abort(404)
    return _send(asset, "no-cache", "application/manifest+json")


@bp.post("/api/offline/sync")
def sync_offline_results() -> tuple[Response, int] | Response:
    """Store a batch of offline results; answer with every id the server now holds, new or known."""
    if not players.valid_token(request.cookies.get(COOKIE)):
        return jsonify({"error": "no_player", "message": "Open Glimpse once online first."}), 401
    body = read_json()  # bounded in size, depth and numbers; answers 400/413 with a code
    try:
        results = offline.parse_batch(body, time.time())
    except offline.OfflineBatchError as error:
        return jsonify(error.to_json()), 400
    db = get_db()
    stored = store_offline_results(db, acting_player()["id"], results)  # the first save makes the player
    return jsonify({"held": [result.id for result in results], "stored": stored})


def store_offline_results(db: Database, player_id: str, results: list[offline.OfflineResult]) -> int:
    """Insert each result once (keyed on the browser's id) under its offline drill; return how many were new.

    A drill becomes completed, and credits the player's daily streak, when its
    last scored result arrives. Leaderboards are never touched.
    """
    by_drill: dict[str, list[offline.OfflineResult]] = defaultdict(list)
    for result in results:
        by_drill[result.drill_id].append(result)
    new = 0
    with db.atomic():
        last_online = _last_online(db, player_id)  # before this sync: what the device did since was offline
        # Latest first: if this sync may add a streak day, it is the most recent one.
        for client_drill_id, group in sorted(by_drill.items(), key=lambda item: -max(r.played_at for r in item[1])):
            drill_id = offline_drill_id(player_id, client_drill_id)
            _ensure_offline_drill(db, drill_id, player_id, group)
            for result in group:
                new += _insert_offline_trial(db, drill_id, player_id, result)
            _complete_if_full(db, drill_id, player_id, group, last_online)
        db.execute("UPDATE players SET offline_synced_at = ? WHERE id = ?", [time.time(), player_id])
    return new


def _last_online(db: Database, player_id: str) -> float:
    """The device's last contact with the server before this sync: creation, a live trial (stored, or still in
    flight: its row is written with its answer), or a sync."""
    created, synced = db.execute("SELECT created_at, offline_synced_at FROM players WHERE id = ?",
                                 [player_id]).fetchone()
    live = db.execute(f"SELECT MAX(sent_at) FROM trials WHERE {store.PLAYERS_TRIALS} AND source = 'live'",
                      [player_id]).fetchone()[0]
    return max(t for t in (created, synced, live, in_flight.last_sent_at(player_id)) if t is not None)


def offline_drill_id(player_id: str, client_drill_id: str) -> str:
    """The server's id for a browser's offline drill: stable across syncs, never shared between players."""
    return "offline-" + hashlib.sha256(f"{player_id}:{client_drill_id}".encode()).hexdigest()[:20]


def _ensure_offline_drill(db: Database, drill_id: str, player_id: str, group: list[offline.OfflineResult]) -> None:
    first = min(group, key=lambda r: r.played_at)
    # Unfinished until its last scored result arrives: 'abandoned' keeps it out of the live drill's resume offer.
    db.execute(
        "INSERT INTO drills (id, player_id, mode, focus, seed, trial_count, refresh_ms, status, started_at, "
        "ended_at, kind, local_day) VALUES (?, ?, ?, 0, 0, ?, ?, 'abandoned', ?, ?, 'offline', ?) "
        "ON CONFLICT (id) DO NOTHING",
        [drill_id, player_id, first.mode, first.drill_total, first.refresh_ms, first.played_at, first.played_at,
         _local_day(first.played_at, first.time_zone)],
    )
    db.execute("UPDATE drills SET started_at = MIN(started_at, ?) WHERE id = ?", [first.played_at, drill_id])


def _insert_offline_trial(db: Database, drill_id: str, player_id: str, result: offline.OfflineResult) -> int:
    """One trial row, or nothing if this player already sent a result with this id."""
    row = {
        "id": "offline-" + hashlib.sha256(f"{player_id}:{result.id}".encode()).hexdigest()[:20],
        "drill_id": drill_id, "player_id": player_id, "position": result.position, "attempt": result.attempt,
        "emotion": result.emotion, "identity_seed": result.identity_seed, "intensity": result.intensity,
        "exposure_frames": result.exposure_frames, "exposure_ms": result.exposure_ms,
        "wanted_ms": result.exposure_ms, "refresh_ms": result.refresh_ms, "frames_shown": result.frames_shown,
        "max_gap_ms": result.max_gap_ms, "answer": result.answer, "correct": int(result.correct),
        "reaction_ms": result.reaction_ms, "sent_at": result.played_at - result.reaction_ms / 1000,
        "answered_at": result.played_at, "scored": int(result.counts),
        "flag": result.flag or (None if result.counts else "frames"), "source": "offline", "client_id": result.id,
    }
    cursor = db.execute(
        f"INSERT INTO trials ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)}) ON CONFLICT DO NOTHING",
        list(row.values()),
    )
    return cursor.rowcount


def _complete_if_full(db: Database, drill_id: str, player_id: str, group: list[offline.OfflineResult],
                      last_online: float) -> None:
    drill = db["drills"].get(drill_id)
    scored, last = db.execute("SELECT COUNT(*), MAX(answered_at) FROM trials WHERE drill_id = ? AND scored = 1",
                              [drill_id]).fetchone()
    if drill["status"] == "completed" or scored < drill["trial_count"]:
        return
    db.execute("UPDATE drills SET status = 'completed', ended_at = ? WHERE id = ?", [last, drill_id])
    sync_day = datetime.fromtimestamp(time.time(), UTC).date().isoformat()
    credited_on = db.execute("SELECT offline_credit_day FROM players WHERE id = ?", [player_id]).fetchone()[0]
    if offline.may_credit_streak(last, last_online=last_online, credited_on=credited_on, sync_day=sync_day):
        db.execute("UPDATE players SET offline_credit_day = ? WHERE id = ?", [sync_day, player_id])
        _credit_streak(db, player_id, last, group[-1].time_zone)


def _credit_streak(db: Database, player_id: str, played_at: float, time_zone: str | None) -> None:
    # An offline drill counts for the daily streak like a live one, dated when it was played.
    # Imported here so this module works with or without the streaks feature installed.
    try:
        from game.streaks import credit_day
    except ImportError:
        return
    credit_day(db, player_id, played_at, time_zone)


def _local_day(at: float, time_zone: str | None) -> str:
    zone = ZoneInfo(time_zone) if time_zone else UTC
    return datetime.fromtimestamp(at, zone).date().isoformat()


def _compress_dynamic(response: Response) -> Response:
    """Compress pages and JSON answers as they go out; static files arrive here compressed already."""
    if (request.path == "/ws" or response.status_code != 200 or response.direct_passthrough
            or response.is_streamed or response.mimetype not in DYNAMIC_TYPES
            or "Content-Encoding" in response.headers):
        return response
    data = response.get_data()
    if len(data) < MIN_DYNAMIC_COMPRESS:
        return response
    coding = _coding(dict.fromkeys(CODINGS))
    if coding:  # compress only into the coding this browser takes
        response.set_data(compress(data, fast=True, codings=(coding,))[coding])
        response.headers["Content-Encoding"] = coding
    response.vary.add("Accept-Encoding")
    return response


def init_app(app: Flask) -> None:
    assets = Assets(app.static_folder or "static", watch=app.config["WATCH_STATIC"])
    # Compress the app shell now (about 0.4 s at brotli's best quality) rather than in the first visitor's request.
    for path in (*SHELL_STATIC, "manifest.webmanifest", "sw.js", *assets.module_graph(SHELL_MODULES, dynamic=True)):
        assets.get(path)
    app.extensions["glimpse_assets"] = assets
    app.view_functions["static"] = serve_static
    app.url_defaults(_version_static_urls)
    app.add_template_global(module_preloads)
    app.after_request(_compress_dynamic)
    app.register_blueprint(bp)
