"""Leaderboards and answer writes at a million players and ten million trials.

Fills a database built by the real migrations (``game.db.migrate``) with synthetic,
reproducible data shaped like what the game writes: players with nicknames, 20-trial
drills, trials with their points, this week's board, today's challenge board and the
skill board (skewed scores, many ties) with their ``board_counts``, and ~1,000 players
with 50 mutual friends each. Then, on a connection from ``game.db.connect`` (WAL,
synchronous NORMAL), times each read the boards page makes and the write every answer
makes, against the naive ``COUNT(*) WHERE score > mine`` rank as a baseline.

Run: ``.venv/bin/python bench/boards_scale.py [--players 1000000] [--trials 10000000] [--seed 1]
[--samples 1000] [--db PATH] [--keep]``
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import secrets
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlite_utils import Database

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from game import boards, challenge, friends, rewards, rounds, store
from game import db as game_db
from game.emotions import EMOTION_KEYS
from game.friends import ALPHABET as FRIEND_CODE_ALPHABET
from game.staircase import Staircase

TRIALS_PER_DRILL = rounds.TRIALS_PER_DRILL
FRIENDS_EACH = 50
SOCIAL_PLAYERS = 1000
DRILLS_PER_CHUNK = 25_000  # 500,000 trials per executemany: big transactions, bounded memory
READ_TARGET_MS = 2.0
FILL_CACHE_KIB = 1_500_000  # the trials' primary-key index takes random inserts; keep it all in memory while filling
VERIFY_SAMPLE = 200  # each check scans the board (~0.1 s at 800,000 entries)
DAY_S = 86_400.0

ADJECTIVES = ("Swift", "Quiet", "Bright", "Keen", "Sly", "Calm", "Bold", "Lucky", "Sharp", "Wry", "Brave", "Deft")
ANIMALS = ("Fox", "Owl", "Lynx", "Hawk", "Otter", "Wren", "Heron", "Mole", "Stoat", "Finch", "Hare", "Crow")
TIME_ZONES = ("Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Tokyo",
              "Asia/Kolkata", "Australia/Sydney", "America/Sao_Paulo", "UTC", "Africa/Lagos")
REFRESH_MS = (1000 / 60, 1000 / 120, 1000 / 144, 1000 / 90, 1000 / 75)
REFRESH_WEIGHTS = (0.7, 0.15, 0.08, 0.04, 0.03)

# -- synthetic data -------------------------------------------------------------------------------


def url_ids(rng: np.random.Generator, count: int) -> list[str]:
    """``secrets.token_urlsafe(12)``-shaped ids (16 characters), drawn from the seeded generator."""
    text = base64.urlsafe_b64encode(rng.bytes(12 * count)).decode()  # 12 bytes encode to exactly 16 characters
    return [text[i:i + 16] for i in range(0, 16 * count, 16)]


def base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, digit = divmod(number, 36)
        out = digits[digit] + out
        if number == 0:
            return out


def floor_bucket_sql(width: int) -> str:
    """Python's ``score // width`` in SQL: SQLite's ``/`` truncates toward zero, wrong for negative (skill) scores."""
    return f"(score - ((score % {width}) + {width}) % {width}) / {width}"


class Fill:
    """Writes the synthetic game straight into the migrated file, fast, then restores its indexes."""

    TABLES = ("players", "drills", "trials", "friendships", "board_entries", "board_counts")

    def __init__(self, path: Path, players: int, trials: int, seed: int, now: float) -> None:
        self.path, self.players, self.drills, self.now = path, players, trials // TRIALS_PER_DRILL, now
        self.rng = np.random.default_rng(seed)
        self.py_rng = random.Random(seed)
        self.conn = sqlite3.connect(str(path), isolation_level=None)
        self.steps: list[tuple[str, float]] = []
        self.player_ids: list[str] = []
        self.week = boards.week_board(now)
        self.today = challenge.today(now)
        self.social: list[str] = []
        self.created_at = np.zeros(0)

    def run(self) -> list[tuple[str, float]]:
        # Only for the bulk load: no rollback journal, no fsync. The game's own pragmas come back afterwards.
        for pragma in ("journal_mode = OFF", "synchronous = OFF", f"cache_size = -{FILL_CACHE_KIB}",
                       "temp_store = MEMORY", "foreign_keys = OFF"):
            self.conn.execute(f"PRAGMA {pragma}")
        indexes = self._drop_secondary_indexes()
        self._step("players", self._players)
        self._step("drills + trials", self._drills_and_trials)
        self._step("board entries", self._board_entries)
        self._step("board counts (INSERT ... GROUP BY per width)", self._board_counts)
        self._step("friendships", self._friendships)
        self._step("secondary indexes", lambda: self._create_indexes(indexes))
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.close()
        return self.steps

    def _step(self, name: str, work: Callable[[], None]) -> None:
        started = time.perf_counter()
        work()
        self.steps.append((name, time.perf_counter() - started))
        print(f"  {name}: {self.steps[-1][1]:.1f} s", flush=True)

    def _drop_secondary_indexes(self) -> list[str]:
        """Drop the migrations' indexes so rows append; re-created from the very same SQL at the end.

        Random-key B-tree inserts into five indexes per trial cost far more than one sorted build
        each. (Primary keys' own indexes cannot be dropped; the large cache keeps them in memory.)
        """
        marks = ",".join("?" * len(self.TABLES))
        rows = self.conn.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                                 f"AND tbl_name IN ({marks})", self.TABLES).fetchall()
        for name, _sql in rows:
            self.conn.execute(f"DROP INDEX [{name}]")
        return [sql for _name, sql in rows]

    def _create_indexes(self, indexes: list[str]) -> None:
        for sql in indexes:
            self.conn.execute(sql)

    def _insert(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        self.conn.execute("BEGIN")
        self.conn.executemany(sql, rows)
        self.conn.execute("COMMIT")

    # -- players ----------------------------------------------------------------------------------

    def _players(self) -> None:
        rng, n, now = self.rng, self.players, self.now
        self.player_ids = url_ids(rng, n)
        token_hashes = [bytes(row).hex() for row in rng.integers(0, 256, size=(n, 32), dtype=np.uint8)]
        adjective = rng.integers(0, len(ADJECTIVES), n).tolist()
        animal = rng.integers(0, len(ANIMALS), n).tolist()
        has_nickname = (rng.random(n) < 0.9).tolist()
        nicknames = [f"{ADJECTIVES[a]}{ANIMALS[b]}-{base36(i)}" if named else None
                     for i, (a, b, named) in enumerate(zip(adjective, animal, has_nickname, strict=True))]
        created = now - rng.uniform(0, 365, n) * DAY_S
        self.created_at = created
        last_seen = created + rng.random(n) * (now - created)
        zones = np.array(TIME_ZONES, dtype=object)[rng.integers(0, len(TIME_ZONES), n)].tolist()
        streak = np.minimum(rng.geometric(0.25, n) - 1, 365)
        longest = streak + rng.geometric(0.2, n) - 1
        last_day = [datetime.fromtimestamp(t, UTC).date().isoformat() for t in last_seen.tolist()]
        last_day_start = (last_seen // DAY_S) * DAY_S
        rows = zip(self.player_ids, token_hashes, nicknames, [k.casefold() if k else None for k in nicknames],
                   created.tolist(), last_seen.tolist(), zones, streak.tolist(), longest.tolist(), last_day,
                   last_day_start.tolist(), rng.integers(0, 3, n).tolist(), rng.integers(0, 5, n).tolist(),
                   rng.geometric(0.12, n).tolist(), np.round(rng.lognormal(7.5, 1.3, n)).astype(int).tolist(),
                   strict=True)
        self._insert("players", ("id", "token_hash", "nickname", "nickname_key", "created_at", "last_seen_at",
                                 "time_zone", "daily_streak", "longest_streak", "last_play_day",
                                 "last_play_day_start", "freezes", "freeze_progress", "best_answer_streak",
                                 "points"), rows)

    # -- drills and trials ------------------------------------------------------------------------

    def _drills_and_trials(self) -> None:
        # A few players play a lot, most play a little: drills go to players by a heavy-tailed weight.
        weights = self.rng.lognormal(0, 1.5, self.players)
        owners = self.rng.choice(self.players, size=self.drills, p=weights / weights.sum())
        plans = self._plans()
        poses = {e: [json.dumps(rounds.plan_trial(random.Random(f"{e}:{k}"), e, 1000 / 60, exposure_ms=100.0,
                                                  intensity=(k + 1) / 32).pose) for k in range(32)]
                 for e in EMOTION_KEYS}
        pose_table = np.array([poses[e] for e in EMOTION_KEYS], dtype=object)  # [emotion, variant]
        for start in range(0, self.drills, DRILLS_PER_CHUNK):
            chunk = owners[start:start + DRILLS_PER_CHUNK]
            self._drill_chunk(chunk, plans, pose_table)

    def _plans(self) -> np.ndarray:
        """256 drill plans (emotion indexes), made by the game's own planner."""
        keys = list(EMOTION_KEYS)
        return np.array([[keys.index(e) for e in rounds.plan_emotions(random.Random(k), TRIALS_PER_DRILL)]
                         for k in range(256)], dtype=np.int64)

    def _drill_chunk(self, owners: np.ndarray, plans: np.ndarray, pose_table: np.ndarray) -> None:
        rng, now, n = self.rng, self.now, len(owners)
        drill_ids = url_ids(rng, n)
        owner_ids = [self.player_ids[i] for i in owners.tolist()]
        created = self.created_at[owners]
        started = created + rng.random(n) * (now - created - 600)
        mode = rng.choice(np.array(["speed", "subtle", "challenge"], dtype=object), size=n, p=(0.7, 0.2, 0.1))
        is_challenge, is_subtle = mode == "challenge", mode == "subtle"
        refresh = np.array(REFRESH_MS)[rng.choice(len(REFRESH_MS), size=n, p=REFRESH_WEIGHTS)]
        plan = plans[rng.integers(0, len(plans), n)]  # [drill, position]
        # Each trial's exposure: speed mode hovers around the player's threshold, subtle mode is fixed at 200 ms.
        skill_ms = rng.lognormal(np.log(70), 0.45, n)[:, None]
        wanted = np.where(is_subtle[:, None], rounds.SUBTLE_EXPOSURE_MS,
                          np.clip(skill_ms * rng.lognormal(0, 0.35, (n, TRIALS_PER_DRILL)), 4, 500))
        wanted = np.where(is_challenge[:, None],
                          np.array(challenge.CHALLENGE_EXPOSURES_MS)[rng.integers(0, 6, (n, TRIALS_PER_DRILL))],
                          wanted)
        frames = np.maximum(1, np.round(wanted / refresh[:, None])).astype(np.int64)
        exposure = frames * refresh[:, None]
        intensity = np.where(is_subtle[:, None],
                             np.array(rounds.SUBTLE_INTENSITIES)[rng.integers(4, 24, (n, TRIALS_PER_DRILL))], 1.0)
        p_correct = np.clip(0.25 + 0.5 * exposure / (exposure + skill_ms) + 0.2 * (intensity - 0.5), 0.15, 0.97)
        correct = rng.random((n, TRIALS_PER_DRILL)) < p_correct
        points, answer_streak, best_streak = self._points(correct, exposure, intensity)

        offsets = np.cumsum(rng.uniform(2.5, 6.0, (n, TRIALS_PER_DRILL)), axis=1)
        sent = started[:, None] + offsets
        reaction = np.clip(rng.lognormal(np.log(1300), 0.4, (n, TRIALS_PER_DRILL)), 250, 20_000)
        answered = sent + (1000 / 60 * 60 + 500 + reaction) / 1000  # foreperiod + flash + mask, then the answer
        abandoned = rng.random(n) < 0.03
        ended = np.where(abandoned, answered[:, -1] + 60, answered[:, -1])
        challenge_day = [datetime.fromtimestamp(t, UTC).date().isoformat() if c else None
                         for t, c in zip(started.tolist(), is_challenge.tolist(), strict=True)]
        local_day = [None if a else datetime.fromtimestamp(t, UTC).date().isoformat()
                     for t, a in zip(ended.tolist(), abandoned.tolist(), strict=True)]
        emotions = np.array(EMOTION_KEYS, dtype=object)
        plan_json = [json.dumps(emotions[row].tolist()) for row in plan.tolist()]
        drill_rows = zip(drill_ids, owner_ids, mode.tolist(), (rng.random(n) < 0.15).tolist(),
                         rng.integers(0, 2**53, n).tolist(), plan_json, [TRIALS_PER_DRILL] * n, refresh.tolist(),
                         np.where(abandoned, "abandoned", "completed").tolist(), started.tolist(), ended.tolist(),
                         np.where(is_challenge, "challenge", "drill").tolist(), challenge_day,
                         is_challenge.astype(int).tolist(), points.sum(axis=1).tolist(), answer_streak.tolist(),
                         best_streak.tolist(), local_day, strict=True)
        self._insert("drills", ("id", "player_id", "mode", "focus", "seed", "plan", "trial_count", "refresh_ms",
                                "status", "started_at", "ended_at", "kind", "challenge_day", "ranked", "points",
                                "answer_streak", "best_answer_streak", "local_day"), drill_rows)

        # Trials, flattened drill by drill.
        total = n * TRIALS_PER_DRILL
        wrong_answer = (plan + rng.integers(1, len(EMOTION_KEYS), plan.shape)) % len(EMOTION_KEYS)
        answer = np.where(correct, plan, wrong_answer)
        measured_refresh = refresh[:, None] * rng.normal(1, 0.002, (n, TRIALS_PER_DRILL))
        trial_rows = zip(
            url_ids(rng, total),
            np.repeat(np.array(drill_ids, dtype=object), TRIALS_PER_DRILL).tolist(),
            np.repeat(np.array(owner_ids, dtype=object), TRIALS_PER_DRILL).tolist(),
            np.tile(np.arange(1, TRIALS_PER_DRILL + 1), n).tolist(),
            [0] * total,
            emotions[plan].ravel().tolist(),
            pose_table[plan.ravel(), rng.integers(0, pose_table.shape[1], total)].tolist(),
            rng.integers(0, 2**32, total).tolist(),
            intensity.ravel().tolist(),
            frames.ravel().tolist(),
            exposure.ravel().tolist(),
            wanted.ravel().tolist(),
            measured_refresh.ravel().tolist(),
            frames.ravel().tolist(),
            (measured_refresh * rng.uniform(1.0, 1.3, (n, TRIALS_PER_DRILL))).ravel().tolist(),
            emotions[answer].ravel().tolist(),
            correct.astype(int).ravel().tolist(),
            reaction.ravel().tolist(),
            sent.ravel().tolist(),
            answered.ravel().tolist(),
            [1] * total,
            points.ravel().tolist(),
            strict=True,
        )
        self._insert("trials", ("id", "drill_id", "player_id", "position", "attempt", "emotion", "pose",
                                "identity_seed", "intensity", "exposure_frames", "exposure_ms", "wanted_ms",
                                "refresh_ms", "frames_shown", "max_gap_ms", "answer", "correct", "reaction_ms",
                                "sent_at", "answered_at", "scored", "points"), trial_rows)

    @staticmethod
    def _points(correct: np.ndarray, exposure: np.ndarray, intensity: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``scoring.score_answer`` over whole drills at once: points per trial, final and best answer streak."""
        base = np.round(10 * np.sqrt(500 / np.maximum(exposure, 1)) * np.sqrt(1 / np.clip(intensity, 0.01, 1)))
        points = np.zeros(correct.shape, dtype=np.int64)
        streak = np.zeros(len(correct), dtype=np.int64)
        best = np.zeros(len(correct), dtype=np.int64)
        for position in range(correct.shape[1]):
            streak = np.where(correct[:, position], streak + 1, 0)
            multiplier = 1 + 0.1 * np.minimum(np.maximum(streak - 1, 0), 10)
            points[:, position] = np.where(correct[:, position], np.round(base[:, position] * multiplier), 0)
            best = np.maximum(best, streak)
        return points, streak, best

    # -- boards -----------------------------------------------------------------------------------

    def _board_entries(self) -> None:
        rng, n, now = self.rng, self.players, self.now
        day_start = datetime(self.today.year, self.today.month, self.today.day, tzinfo=UTC).timestamp()
        week_start = day_start - timedelta(days=self.today.weekday()).total_seconds()  # Monday 00:00 UTC
        ids = np.array(self.player_ids, dtype=object)

        def entries(board: str, share: float, scores: np.ndarray, since: float) -> None:
            on_board = rng.random(n) < share
            at = since + rng.random(int(on_board.sum())) * max(now - since, 1.0)
            self._insert("board_entries", ("board", "player_id", "score", "achieved_at"),
                         zip([board] * int(on_board.sum()), ids[on_board].tolist(), scores[on_board].tolist(),
                             at.tolist(), strict=True))

        # Week points: long-tailed (a few grinders, most a drill or two).
        entries(self.week, 0.8, np.maximum(1, np.round(rng.lognormal(6.3, 1.1, n))).astype(np.int64), week_start)
        # Today's challenge: 20 fixed trials, right answers x points per answer, so dense ties.
        right = rng.binomial(20, rng.beta(5, 2.5, n))
        entries(boards.challenge_board(self.today), 0.4, np.round(right * rng.uniform(12, 26, n)).astype(np.int64),
                day_start)
        # Skill: the overall exposure threshold, lowest first, stored negated in tenths of a ms.
        threshold_ms = np.clip(rng.lognormal(np.log(70), 0.45, n), 8, 500)
        entries(boards.SKILL, 0.6, -np.round(threshold_ms * 10).astype(np.int64), now - 365 * DAY_S)

    def _board_counts(self) -> None:
        self.conn.execute("BEGIN")
        for width in boards.WIDTHS:
            self.conn.execute(f"INSERT INTO board_counts (board, width, bucket, entries) "
                              f"SELECT board, {width}, {floor_bucket_sql(width)}, COUNT(*) FROM board_entries "
                              f"GROUP BY board, 3")
        self.conn.execute("COMMIT")

    def _friendships(self) -> None:
        """~1,000 players with exactly 50 mutual friends each, the friends drawn from everyone else."""
        on_week = [row[0] for row in self.conn.execute("SELECT player_id FROM board_entries WHERE board = ?",
                                                       [self.week])]
        social_count = min(SOCIAL_PLAYERS, len(on_week) // (FRIENDS_EACH + 1))
        self.social = self.py_rng.sample(on_week, social_count)
        social_set = set(self.social)
        others = [p for p in self.player_ids if p not in social_set]
        rows, coded = [], dict.fromkeys(self.social)  # a dict keeps insertion order: reproducible
        for player in self.social:
            for friend in self.py_rng.sample(others, FRIENDS_EACH):
                at = self.now - self.py_rng.uniform(0, 90) * DAY_S
                rows += [(player, friend, at), (friend, player, at)]
                coded[friend] = None
        self._insert("friendships", ("player_id", "friend_id", "created_at"), rows)
        codes: dict[str, None] = {}
        while len(codes) < len(coded):
            codes["".join(self.py_rng.choices(FRIEND_CODE_ALPHABET, k=friends.CODE_LENGTH))] = None
        self.conn.execute("BEGIN")
        self.conn.executemany("UPDATE players SET friend_code = ? WHERE id = ?", zip(codes, coded, strict=True))
        self.conn.execute("COMMIT")


# -- checks and timings ---------------------------------------------------------------------------


def verify(database: Database, board_names: list[str], rng: random.Random) -> None:
    """The bulk-built counts must give exactly what ``set_score`` would have: check against brute force."""
    for board in board_names:
        entries = database.execute("SELECT COUNT(*) FROM board_entries WHERE board = ?", [board]).fetchone()[0]
        for width in boards.WIDTHS:
            counted = database.execute("SELECT SUM(entries) FROM board_counts WHERE board = ? AND width = ?",
                                       [board, width]).fetchone()[0]
            assert counted == entries, (board, width, counted, entries)
        players = [row[0] for row in database.execute("SELECT player_id FROM board_entries WHERE board = ?", [board])]
        for player in rng.sample(players, min(len(players), VERIFY_SAMPLE)):
            score = database.execute("SELECT score FROM board_entries WHERE board = ? AND player_id = ?",
                                     [board, player]).fetchone()[0]
            above, below = database.execute(
                "SELECT SUM(score > ?), SUM(score < ?) FROM board_entries WHERE board = ?", [score, score, board]
            ).fetchone()
            expected = {"rank": above + 1, "score": score, "players": entries,
                        "percentile": round(100 * below / entries, 1)}
            assert boards.standing(database, board, player) == expected, (board, player, expected)
        print(f"  {board}: {entries:,} entries; standing == brute force for {min(len(players), VERIFY_SAMPLE)} "
              f"sampled players", flush=True)


class Samples:
    """Wall-clock milliseconds per call, and this thread's CPU milliseconds.

    The box is shared: a wall-clock tail far above the CPU tail is time spent waiting for a core
    (or a page), not work the query did.
    """

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def measure(self, operation: Callable[[], object]) -> None:
        wall, cpu = time.perf_counter_ns(), time.thread_time_ns()
        operation()
        self.cpu.append((time.thread_time_ns() - cpu) / 1e6)
        self.wall.append((time.perf_counter_ns() - wall) / 1e6)

    def row(self, name: str, target: str = "-") -> str:
        verdict = ""
        if target != "-":
            verdict = "ok" if self.median <= READ_TARGET_MS else "MISSED"
        cpu_median, cpu_p99 = statistics.median(self.cpu), float(np.percentile(self.cpu, 99))
        return (f"{name:<58} {len(self.wall):>5} {self.median:>9.3f} {self.p99:>8.3f} "
                f"{cpu_median:>8.3f} {cpu_p99:>8.3f} {target:>8} {verdict}").rstrip()

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def p99(self) -> float:
        return float(np.percentile(self.wall, 99))


HEADER = (f"{'operation':<58} {'n':>5} {'median':>9} {'p99':>8} {'cpu med':>8} {'cpu p99':>8} {'target':>8}"
          "\n(milliseconds; cpu = this thread's CPU time, the rest of the wall time was waiting)")


def time_each(operation: Callable[[int], object], count: int, warmup: int = 20) -> Samples:
    """Times of ``operation(i)`` for i in range(count), after a few untimed calls."""
    for i in range(min(warmup, count)):
        operation(i)
    samples = Samples()
    for i in range(count):
        samples.measure(lambda i=i: operation(i))
    return samples


def answer_writes(database: Database, players: list[str], drill_count: int, now: float,
                  rng: random.Random) -> tuple[Samples, Samples]:
    """What the server does per answer, in one transaction; the 20th answer of a drill also finishes it.

    Returns the times (ms) of all answers and of the drill-finishing ones. The trial's plan (pose,
    face, exposure) is made before the clock starts: it is CPU work, not the database's.
    """
    experienced = Staircase("exposure")  # enough trials for finish_drill to put the player on the skill board
    for k in range(boards.SKILL_MIN_TRIALS + 5):
        experienced.update(rounds.exposure_candidates(1000 / 60)[k % 8], k % 3 != 0)
    every, finishing = Samples(), Samples()
    day = challenge.today(now)
    for d in range(drill_count):
        player = players[d % len(players)]
        challenge_drill = d % 5 == 0
        if challenge_drill:
            drill = store.create_drill(database, player, mode="challenge", focus=False, seed=challenge.seed(day),
                                       plan=challenge.plan(day), refresh_ms=1000 / 60, kind="challenge",
                                       challenge_day=day.isoformat(), ranked=True)
        else:
            plan = rounds.plan_emotions(rng, TRIALS_PER_DRILL)
            drill = store.create_drill(database, player, mode="speed", focus=False, seed=rng.getrandbits(53),
                                       plan=plan, refresh_ms=1000 / 60)
        emotions = json.loads(drill["plan"])
        streak = 0  # the drill's answer streak, kept as the game's socket keeps it
        for position in range(1, TRIALS_PER_DRILL + 1):
            exposure_ms = (challenge.exposure_ms(day, position) if challenge_drill
                           else rng.choice(rounds.exposure_candidates(drill["refresh_ms"])[1:12]))
            planned = rounds.plan_trial(rounds.trial_rng(drill["seed"], position, 0), emotions[position - 1],
                                        drill["refresh_ms"], exposure_ms=exposure_ms, intensity=1.0)
            sent_at = time.time()
            trial = {"id": secrets.token_urlsafe(12), "drill_id": drill["id"],
                     "player_id": player, "position": position, "attempt": 0, "emotion": planned.emotion,
                     "pose": json.dumps(planned.pose), "identity_seed": planned.identity_seed,
                     "intensity": planned.intensity, "exposure_frames": planned.exposure_frames,
                     "exposure_ms": planned.exposure_frames * drill["refresh_ms"], "wanted_ms": planned.wanted_ms,
                     "refresh_ms": drill["refresh_ms"], "sent_at": sent_at}
            correct = rng.random() < 0.7
            answer = {"answer": planned.emotion if correct else rng.choice(EMOTION_KEYS), "correct": int(correct),
                      "frames_shown": planned.exposure_frames, "refresh_ms": 16.66, "max_gap_ms": 17.1,
                      "reaction_ms": 900.0, "answered_at": sent_at + 1.5, "scored": 1, "flag": None}
            overall = None if challenge_drill else experienced

            points, streak = rewards.points_for(trial, correct, streak)
            answer.update(points=points, seq=position, answer_streak=streak)  # its place in the drill's count

            def answer_once(trial: dict = trial, answer: dict = answer, points: int = points, streak: int = streak,
                            drill: dict = drill, overall: Staircase | None = overall) -> None:
                with database.atomic():  # what game.drills writes for a scored answer
                    store.record_answer(database, trial, answer)
                    rewards.bank_best_streak(database, trial["player_id"], streak)
                    if store.progress(database, drill["id"])[0] >= drill["trial_count"]:
                        store.complete_drill(database, drill["id"], answer["answered_at"])
                        rewards.finish_drill(database, drill, answer["answered_at"], overall, answer["seq"])

            every.measure(answer_once)
            if position == TRIALS_PER_DRILL:
                finishing.wall.append(every.wall[-1])
                finishing.cpu.append(every.cpu[-1])
    return every, finishing


def run_timings(path: Path, samples: int, seed: int, now: float) -> None:
    rng = random.Random(seed + 1)
    database = game_db.connect(path)
    mode = database.execute("PRAGMA journal_mode").fetchone()[0]
    sync = database.execute("PRAGMA synchronous").fetchone()[0]
    print(f"\nTimings on game.db.connect: journal_mode={mode}, synchronous={sync} (1 = NORMAL)", flush=True)
    week = boards.week_board(now)
    on_week = [row[0] for row in database.execute("SELECT player_id FROM board_entries WHERE board = ?", [week])]
    players = rng.sample(on_week, min(samples, len(on_week)))
    social = [row[0] for row in database.execute(
        "SELECT player_id FROM friendships GROUP BY player_id HAVING COUNT(*) = ?", [FRIENDS_EACH])]
    social = [social[i % len(social)] for i in range(samples)] if social else []
    scores = {p: database.execute("SELECT score FROM board_entries WHERE board = ? AND player_id = ?",
                                  [week, p]).fetchone()[0] for p in players}

    def my_rank(i: int) -> int:
        score = database.execute("SELECT score FROM board_entries WHERE board = ? AND player_id = ?",
                                 [week, players[i]]).fetchone()[0]
        return boards.count_above(database, week, score) + 1

    def naive_rank(i: int) -> int:
        score = database.execute("SELECT score FROM board_entries WHERE board = ? AND player_id = ?",
                                 [week, players[i]]).fetchone()[0]
        return 1 + database.execute("SELECT COUNT(*) FROM board_entries WHERE board = ? AND score > ?",
                                    [week, score]).fetchone()[0]

    def friends_board(i: int) -> list[dict]:
        return boards.among(database, week, [social[i], *friends.friend_ids(database, social[i])])

    n = len(players)
    reads: list[tuple[str, Samples]] = [
        ("top-10 (boards.top)", time_each(lambda i: boards.top(database, week, 10), n)),
        ("my rank (score + boards.count_above)", time_each(my_rank, n)),
        ("my rank + percentile (boards.standing)", time_each(lambda i: boards.standing(database, week, players[i]),
                                                              n)),
        ("my neighbourhood (boards.neighbourhood)",
         time_each(lambda i: boards.neighbourhood(database, week, players[i]), n)),
    ]
    if social:
        reads.append((f"friends board ({FRIENDS_EACH} friends: friend_ids + among)",
                      time_each(friends_board, len(social))))
    naive = time_each(naive_rank, n, warmup=5)
    wrong = [p for i, p in enumerate(players[:100]) if my_rank(i) != naive_rank(i)]
    assert not wrong, f"ranks differ from the naive count for {wrong[:5]}"
    ranks = sorted(1 + boards.count_above(database, week, s) for s in scores.values())
    every, finishing = answer_writes(database, players, max(1, -(-samples // TRIALS_PER_DRILL)), now, rng)
    database.close()

    print("\n" + HEADER)
    for name, samples in reads:
        print(samples.row(name, f"<= {READ_TARGET_MS:g} ms"))
    print(every.row("answer write (record_answer)"))
    print(finishing.row("  of which drill-finishing answers (+ finish_drill)"))
    ours = dict(reads)["my rank (score + boards.count_above)"]
    print(f"\nBaseline, same {n} players: naive SELECT COUNT(*) ... WHERE board = ? AND score > ? "
          f"(ranks {ranks[0]:,} .. {ranks[-1]:,}, median {ranks[len(ranks) // 2]:,})")
    print(naive.row("naive rank (COUNT(*) WHERE score > mine)"))
    print(f"naive / ours (my rank): median {naive.median / ours.median:.0f}x, p99 {naive.p99 / ours.p99:.0f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--players", type=int, default=1_000_000)
    parser.add_argument("--trials", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--samples", type=int, default=1000, help="timed calls per operation")
    parser.add_argument("--db", type=Path, help="database file to create (default: in a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="glimpse-bench-")) if args.db is None else args.db.parent
    path = args.db or folder / "boards_scale.db"
    folder.mkdir(parents=True, exist_ok=True)
    if path.exists():
        raise SystemExit(f"{path} exists: give a new --db path")
    print(f"Database: {path}  (free there: {shutil.disk_usage(folder).free / 1e9:.0f} GB)")
    # Boards are named by date: anchor the data to now (seeded values, current dates).
    now = time.time()
    try:
        game_db.migrate(path)
        print(f"Filling {args.players:,} players, {args.trials // TRIALS_PER_DRILL:,} drills, "
              f"{args.trials // TRIALS_PER_DRILL * TRIALS_PER_DRILL:,} trials (seed {args.seed})", flush=True)
        started = time.perf_counter()
        filler = Fill(path, args.players, args.trials, args.seed, now)
        steps = filler.run()
        fill_s = time.perf_counter() - started
        print(f"Fill: {fill_s:.0f} s ({fill_s / 60:.1f} min); file {path.stat().st_size / 1e9:.2f} GB", flush=True)
        database = game_db.connect(path)
        verify(database, [filler.week, boards.challenge_board(filler.today), boards.SKILL], random.Random(args.seed))
        database.close()
        run_timings(path, args.samples, args.seed, now)
        print("\nFill steps: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in steps))
    finally:
        if args.keep:
            print(f"Kept {path}")
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            if args.db is None:
                shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
