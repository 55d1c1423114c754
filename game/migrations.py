"""Schema history. Append new migrations; never edit one that has shipped."""

from sqlite_utils import Database, Migrations
from sqlite_utils.db import DescIndex

migrations = Migrations("glimpse")


@migrations()
def m001_players_drills_trials(db: Database) -> None:
    db["players"].create(
        {
            "id": str,
            "token_hash": str,
            "nickname": str,
            "nickname_key": str,  # casefolded, for case-insensitive uniqueness
            "created_at": float,
            "last_seen_at": float,
        },
        pk="id",
        not_null={"token_hash", "created_at"},
    )
    db["players"].create_index(["token_hash"], unique=True)
    db["players"].create_index(["nickname_key"], unique=True)

    db["drills"].create(
        {
            "id": str,
            "player_id": str,
            "mode": str,  # "speed": adapt exposure; "subtle": adapt intensity
            "focus": int,
            "seed": int,
            "plan": str,  # JSON list: the emotion of each position, fixed at the start
            "trial_count": int,
            "refresh_ms": float,
            "status": str,  # active, completed, abandoned
            "started_at": float,
            "ended_at": float,
        },
        pk="id",
        foreign_keys=[("player_id", "players", "id")],
        not_null={"player_id", "mode", "seed", "trial_count", "status", "started_at"},
    )
    db["drills"].create_index(["player_id", "started_at"])

    db["trials"].create(
        {
            "id": str,  # the single-use trial id the client answers with
            "drill_id": str,
            "player_id": str,
            "position": int,  # 1-based place in the drill's plan
            "attempt": int,  # 0, then 1, 2... when a voided flash is replayed with a new face
            "emotion": str,
            "pose": str,  # JSON: the exact action units shown
            "identity_seed": int,
            "intensity": float,
            "exposure_frames": int,  # requested
            "exposure_ms": float,  # requested frames x the refresh period it was planned for
            "wanted_ms": float,  # what the procedure asked for before rounding to frames
            "refresh_ms": float,  # as measured by the client
            "frames_shown": int,  # as measured by the client
            "max_gap_ms": float,
            "answer": str,
            "correct": int,
            "reaction_ms": float,  # client-measured, from the mask's onset
            "sent_at": float,  # server clock
            "answered_at": float,  # server clock
            "scored": int,
            "flag": str,  # why a trial was not scored (frames mismatch, stall...)
        },
        pk="id",
        foreign_keys=[("drill_id", "drills", "id"), ("player_id", "players", "id")],
        not_null={"drill_id", "player_id", "emotion", "identity_seed", "exposure_frames", "sent_at"},
    )
    db["trials"].create_index(["drill_id", "sent_at"])
    db["trials"].create_index(["player_id", "answered_at"])

    db["staircases"].create(
        {
            "player_id": str,
            "axis": str,  # exposure or intensity
            "emotion": str,  # an emotion key, or "all"
            "state": str,  # JSON posterior, see game.staircase
            "trials": int,
            "updated_at": float,
        },
        pk=("player_id", "axis", "emotion"),
        foreign_keys=[("player_id", "players", "id")],
    )


@migrations()
def m002_threshold_history(db: Database) -> None:
    """One row per drill and emotion: the threshold estimate when the drill ended."""
    db["thresholds"].create(
        {
            "player_id": str,
            "drill_id": str,
            "axis": str,
            "emotion": str,
            "value": float,
            "low": float,
            "high": float,
            "trials": int,
            "at": float,
        },
        pk=("drill_id", "emotion"),
        foreign_keys=[("player_id", "players", "id"), ("drill_id", "drills", "id")],
    )
    db["thresholds"].create_index(["player_id", "axis", "emotion", "at"])


@migrations()
def m003_streaks_boards_friends_offline(db: Database) -> None:
    """Daily streaks and points on players; leaderboards; friends; offline results synced later."""
    players = db["players"]
    players.add_column("time_zone", str)
    players.add_column("friend_code", str)
    players.add_column("daily_streak", int, not_null_default=0)
    players.add_column("longest_streak", int, not_null_default=0)
    players.add_column("last_play_day", str)  # YYYY-MM-DD in the player's zone at the time
    players.add_column("last_play_day_start", float)  # that day's start, as a UTC timestamp
    players.add_column("freezes", int, not_null_default=0)
    players.add_column("freeze_progress", int, not_null_default=0)  # completed drills toward the next freeze
    players.add_column("best_answer_streak", int, not_null_default=0)
    players.add_column("points", int, not_null_default=0)
    players.create_index(["friend_code"], unique=True)

    drills = db["drills"]
    drills.add_column("kind", str, not_null_default="drill")  # drill, challenge, offline
    drills.add_column("challenge_day", str)
    drills.add_column("ranked", int, not_null_default=0)
    drills.add_column("points", int, not_null_default=0)
    drills.add_column("answer_streak", int, not_null_default=0)
    drills.add_column("best_answer_streak", int, not_null_default=0)
    drills.add_column("local_day", str)

    trials = db["trials"]
    trials.add_column("points", int, not_null_default=0)
    trials.add_column("source", str, not_null_default="live")  # live, or offline (synced later)
    trials.add_column("client_id", str)  # offline results: the browser's id, for exactly-once sync
    db.execute("CREATE UNIQUE INDEX idx_trials_client_id ON trials (player_id, client_id) WHERE client_id IS NOT NULL")

    db["friendships"].create(
        {"player_id": str, "friend_id": str, "created_at": float},
        pk=("player_id", "friend_id"),
        foreign_keys=[("player_id", "players", "id"), ("friend_id", "players", "id")],
    )
    db["friendships"].create_index(["friend_id"])

    db["board_entries"].create(
        {"board": str, "player_id": str, "score": int, "achieved_at": float},
        pk=("board", "player_id"),
        foreign_keys=[("player_id", "players", "id")],
    )
    db["board_entries"].create_index(["board", DescIndex("score"), "achieved_at"])
    db["board_entries"].create_index(["player_id"])
    # How many entries of a board fall in each score bucket, at a few bucket widths:
    # a rank is then a sum over a few hundred rows at most, whatever the board's size.
    db["board_counts"].create(
        {"board": str, "width": int, "bucket": int, "entries": int},
        pk=("board", "width", "bucket"),
    )


@migrations()
def m004_fair_play(db: Database) -> None:
    """Fair play: one active drill per player, when a trial may be answered, who the public boards show.

    See docs/fair-play.md. Only additions: every earlier row keeps its meaning.
    """
    # One active drill per player, whatever the number of sockets: keep each player's latest, close the rest.
    db.execute(
        "UPDATE drills SET status = 'abandoned', ended_at = COALESCE(ended_at, started_at) WHERE status = 'active' "
        "AND id NOT IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY player_id "
        "ORDER BY started_at DESC) AS n FROM drills WHERE status = 'active') WHERE n = 1)")
    db.execute("CREATE UNIQUE INDEX idx_drills_one_active ON drills (player_id) WHERE status = 'active'")
    drills = db["drills"]
    drills.add_column("unranked", str)  # why a completed drill stays off the boards (reaction, pace); NULL: ranked
    drills.add_column("jitter_seed", int)  # secret per drill: the AU jitter of its trials

    trials = db["trials"]
    trials.add_column("display_ms", float)  # foreperiod + exposure + mask as planned: no answer comes sooner

    players = db["players"]
    players.add_column("board_hidden", int, not_null_default=0)  # 1: off public boards (probation, held, banned)
    players.add_column("offline_synced_at", float)  # the last offline sync: results played before it were not offline
    players.add_column("offline_credit_day", str)  # UTC day an offline sync last added a streak day (one per day)

    board_entries = db["board_entries"]
    board_entries.add_column("hidden", int, not_null_default=0)  # kept, but left out of public ranks and counts

    db["fairplay"].create(
        {
            "player_id": str,
            "status": str,  # ok, held, cleared, banned
            "score": float,  # the largest component / its limit: held at >= 1
            "state": str,  # JSON running evidence, see game.plausibility
            "reasons": str,  # JSON list of the components over their limit when held
            "held_at": float,
            "reviewed_at": float,  # an operator's last clear or ban
            "updated_at": float,
        },
        pk="player_id",
        foreign_keys=[("player_id", "players", "id")],
        not_null={"status", "score", "state"},
    )
    db["fairplay"].create_index(["status"])


@migrations()
def m005_trial_identity_traits(db: Database) -> None:
    """The face each trial showed: its variant and the traits the server chose (game.identities)."""
    trials = db["trials"]
    trials.add_column("variant", int)  # 1-based variant of the emotion; NULL for offline and older trials
    trials.add_column("fitzpatrick", int)  # 1-6
    trials.add_column("glasses", int)  # 0 or 1
    trials.add_column("facial_hair", str)  # none, stubble, moustache, goatee, shortBeard, fullBeard


@migrations()
def m006_checkups(db: Database) -> None:
    """Checkups (game.checkup): one row per completed checkup, its score overall, per emotion and per exposure."""
    db["checkups"].create(
        {
            "drill_id": str,  # the checkup's row in drills (kind = 'checkup')
            "player_id": str,
            "form": int,  # which item set (game.checkup.FORM); scores compare within a form
            "refresh_ms": float,  # the display's frame period it was taken on
            "started_at": float,
            "completed_at": float,
            "correct": int,
            "shown": int,
            "score": str,  # JSON: game.checkup.score()
        },
        pk="drill_id",
        foreign_keys=[("player_id", "players", "id"), ("drill_id", "drills", "id")],
        not_null={"player_id", "form", "started_at", "completed_at", "correct", "shown", "score"},
    )
    db["checkups"].create_index(["player_id", "started_at"])


@migrations()
def m007_duels_challenges(db: Database) -> None:
    """Finished live duels, "beat my score" challenge links and their plays, invites seen."""
    db["duels"].create(
        {"id": str, "code": str, "seed": int, "trials": int, "started_at": float, "ended_at": float},
        pk="id",
    )
    db["duel_players"].create(
        {"duel_id": str, "player_id": str, "rank": int, "correct": int, "total_ms": int, "out": int,
         "unranked": str},  # why the result stays off the boards ("held", "reaction"); NULL: ranked
        pk=("duel_id", "player_id"),
        foreign_keys=[("duel_id", "duels", "id"), ("player_id", "players", "id")],
    )
    db["duel_players"].create_index(["player_id"])
    db["challenge_links"].create(
        {"code": str, "creator_id": str, "seed": int, "trials": int, "created_at": float},
        pk="code",
        foreign_keys=[("creator_id", "players", "id")],
        not_null={"creator_id", "seed", "trials", "created_at"},
    )
    db["challenge_links"].create_index(["creator_id", "created_at"])
    db["challenge_plays"].create(
        {"code": str, "player_id": str, "status": str, "correct": int, "total_ms": int,
         "outcomes": str,  # JSON: [{"correct", "reactionMs", "answer", "flag"}] in trial order
         "started_at": float, "finished_at": float,
         "unranked": str},  # as duel_players.unranked: others never see such a play
        pk=("code", "player_id"),
        foreign_keys=[("code", "challenge_links", "code"), ("player_id", "players", "id")],
    )
    db["challenge_plays"].create_index(["player_id", "finished_at"])
    # When a player last looked at their notifications: what came after is "new".
    db["players"].add_column("inbox_seen_at", float)


@migrations()
def m008_drill_answered(db: Database) -> None:
    """A live drill's scored answers, kept on its row with its answer streak: an answer and a `next` read the
    drill's progress there (and a socket keeps it, checked by a conditional UPDATE) instead of counting trials."""
    db["drills"].add_column("answered", int, not_null_default=0)
    db.execute("UPDATE drills SET answered = (SELECT COUNT(*) FROM trials WHERE trials.drill_id = drills.id "
               "AND trials.scored = 1) WHERE kind != 'offline'")


@migrations()
def m009_trial_face_version(db: Database) -> None:
    """Which drawing of the faces each trial showed (game.face_version): the item report judges the current one."""
    db["trials"].add_column("face_version", str)  # NULL for trials from before the fingerprint was stored


@migrations()
def m010_trials_by_drill_position(db: Database) -> None:
    """Trials indexed by (drill, position) instead of (drill, sent time), which nothing orders by: a `next` counts
    the trials sent at the drill's next position (replays) from the index alone, not from each of the drill's rows.
    Still one index entry a trial, so an answer's commit writes as many pages as before."""
    db.execute("DROP INDEX IF EXISTS idx_trials_drill_id_sent_at")
    db.execute("CREATE INDEX IF NOT EXISTS idx_trials_drill_id_position ON trials (drill_id, position)")


@migrations()
def m011_trials_without_player_index(db: Database) -> None:
    """Trials no longer indexed by (player, answered time): every answer wrote a leaf of it (1.2 of its ~9.7 WAL
    pages), and the few reads by player (stats, fair play's counts, the offline sync) reach a player's trials
    through their drills (``drills`` by player, then ``trials`` by drill) instead."""
    db.execute("DROP INDEX IF EXISTS idx_trials_player_id_answered_at")


@migrations()
def m012_drills_adapt_pending(db: Database) -> None:
    """A drill's procedures are written when it completes, not after every answer (game.adaptation): a drill that
    did not complete is marked, and its answers are replayed into the stored procedures when they are next read.
    Every drill before this migration had its answers written as they came."""
    db["drills"].add_column("adapt_pending", int, not_null_default=0)
    db.execute("CREATE INDEX IF NOT EXISTS idx_drills_adapt_pending ON drills (player_id) WHERE adapt_pending = 1")


@migrations()
def m013_trials_count_their_drill(db: Database) -> None:
    """A scored live answer stores its place in its drill's count (``seq``) and the answer streak after it, and the
    drill's row is counted once, when it closes (game.store): an answer no longer updates the drill's row (a page of
    its commit). ``seq`` is unique in a drill, so two tabs cannot count the same place; the index by (drill, seq)
    replaces the one by (drill, position) for every read by drill. Trials of drills open now are numbered in the
    order they were answered, and the last carries the drill's streak; closed drills keep their counters."""
    db["trials"].add_column("seq", int)
    db["trials"].add_column("answer_streak", int)
    db.execute(
        "UPDATE trials SET seq = numbered.n FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY drill_id "
        "ORDER BY answered_at, position) AS n FROM trials WHERE scored = 1 AND drill_id IN "
        "(SELECT id FROM drills WHERE status = 'active')) AS numbered WHERE trials.id = numbered.id")
    db.execute("UPDATE trials SET answer_streak = (SELECT answer_streak FROM drills WHERE id = trials.drill_id) "
               "WHERE seq = (SELECT answered FROM drills WHERE id = trials.drill_id)")
    db.execute("DROP INDEX IF EXISTS idx_trials_drill_id_position")
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS idx_trials_drill_id_seq ON trials (drill_id, seq)")


@migrations()
def m014_trials_without_id_index(db: Database) -> None:
    """Trials lose the unique index of their TEXT ``id`` (their primary key): a random leaf of it was a page of every
    answer's commit (1.17 of ~5.5) and a third b-tree its INSERT maintained. A trial is found by id within its
    player's drills (``store.why_not_open``, the only reader by id); each trial is stored once by whoever releases
    it from the worker's register of trials in flight (``game.in_flight``), its id a 96-bit random token (offline
    results keep their unique (player, client id)). The table is rebuilt as a plain rowid table with the same
    columns, rows in the same order, and its two other indexes."""
    db.execute("""CREATE TABLE trials_rebuilt (
   "id" TEXT NOT NULL,
   "drill_id" TEXT NOT NULL REFERENCES "drills"("id"),
   "player_id" TEXT NOT NULL REFERENCES "players"("id"),
   "position" INTEGER,
   "attempt" INTEGER,
   "emotion" TEXT NOT NULL,
   "pose" TEXT,
   "identity_seed" INTEGER NOT NULL,
   "intensity" REAL,
   "exposure_frames" INTEGER NOT NULL,
   "exposure_ms" REAL,
   "wanted_ms" REAL,
   "refresh_ms" REAL,
   "frames_shown" INTEGER,
   "max_gap_ms" REAL,
   "answer" TEXT,
   "correct" INTEGER,
   "reaction_ms" REAL,
   "sent_at" REAL NOT NULL,
   "answered_at" REAL,
   "scored" INTEGER,
   "flag" TEXT,
   "points" INTEGER NOT NULL DEFAULT 0,
   "source" TEXT NOT NULL DEFAULT 'live',
   "client_id" TEXT,
   "display_ms" REAL,
   "variant" INTEGER,
   "fitzpatrick" INTEGER,
   "glasses" INTEGER,
   "facial_hair" TEXT,
   "face_version" TEXT,
   "seq" INTEGER,
   "answer_streak" INTEGER
)""")
    columns = ", ".join(f'"{column.name}"' for column in db["trials"].columns)
    db.execute(f"INSERT INTO trials_rebuilt ({columns}) SELECT {columns} FROM trials ORDER BY rowid")
    db.execute("DROP TABLE trials")
    db.execute("ALTER TABLE trials_rebuilt RENAME TO trials")
    db.execute("CREATE UNIQUE INDEX idx_trials_drill_id_seq ON trials (drill_id, seq)")
    db.execute("CREATE UNIQUE INDEX idx_trials_client_id ON trials (player_id, client_id) WHERE client_id IS NOT NULL")


@migrations()
def m015_fairplay_folded(db: Database) -> None:
    """Fair play's row is written when it matters (a drill's end, a hold, results that start to wait), not after every
    answer (game.fairplay): a drill whose answers are not all in the row is marked, each scored answer stores the
    player's own-fit P(correct) it was weighed with, and the row names the open drill's last answer it holds. Whoever
    next reads the row replays the rest from ``trials``. Every drill before this migration had its answers written
    as they came: a drill open now is pending from its next answer on, its row holding those before."""
    db["drills"].add_column("fair_pending", int, not_null_default=0)
    db.execute("CREATE INDEX IF NOT EXISTS idx_drills_fair_pending ON drills (player_id) WHERE fair_pending = 1")
    db["trials"].add_column("fair_own_p", float)  # NULL: no own fit that could accuse (plausibility.SHIFT_MIN_TRIALS)
    db["fairplay"].add_column("folded_drill", str)  # the open drill whose answers up to folded_seq the row holds
    db["fairplay"].add_column("folded_seq", int)
    db.execute("UPDATE drills SET fair_pending = 1 WHERE status = 'active'")
    db.execute("UPDATE fairplay SET folded_drill = d.id, folded_seq = (SELECT COALESCE(MAX(seq), 0) FROM trials "
               "WHERE drill_id = d.id) FROM drills d WHERE d.player_id = fairplay.player_id AND d.status = 'active'")
