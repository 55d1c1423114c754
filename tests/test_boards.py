"""Leaderboard ranks, ties, neighbourhoods and percentiles on small real SQLite data."""

import random

import pytest
from sqlite_utils import Database

from game import boards
from game.migrations import migrations


@pytest.fixture
def db() -> Database:
    database = Database(memory=True)
    migrations.apply(database)
    return database


def add_players(db: Database, scores: dict[str, int], board: str = "b") -> None:
    for at, (name, score) in enumerate(scores.items()):
        db["players"].insert({"id": name, "token_hash": name, "nickname": name.title(), "created_at": 0})
        boards.set_score(db, board, name, score, at=float(at))


def brute_rank(scores: dict[str, int], who: str) -> int:
    return 1 + sum(s > scores[who] for s in scores.values())


def test_ties_share_a_rank_and_the_earlier_comes_first(db: Database) -> None:
    add_players(db, {"ann": 50, "bob": 80, "cy": 50, "dee": 10})
    assert [(r["playerId"], r["rank"]) for r in boards.top(db, "b")] == [("bob", 1), ("ann", 2), ("cy", 2), ("dee", 4)]
    assert boards.standing(db, "b", "cy") == {"rank": 2, "score": 50, "players": 4, "percentile": 25.0}
    assert boards.standing(db, "b", "nobody") is None


def test_ranks_match_a_brute_force_count_across_bucket_edges(db: Database) -> None:
    rng = random.Random(5)
    scores = {f"p{i}": rng.choice([rng.randint(-9000, 9000), 0, 63, 64, 4095, 4096, -1, -64, -65]) for i in range(300)}
    add_players(db, scores)
    for who in scores:
        assert boards.standing(db, "b", who)["rank"] == brute_rank(scores, who), who


def test_a_new_score_replaces_the_old_one_in_the_counts(db: Database) -> None:
    add_players(db, {"ann": 5, "bob": 7})
    boards.set_score(db, "b", "ann", 9)
    boards.add_points(db, "b", "bob", 1)
    assert boards.standing(db, "b", "ann")["rank"] == 1 and boards.standing(db, "b", "bob")["rank"] == 2
    assert boards.size(db, "b") == 2


def test_the_neighbourhood_lists_who_is_just_above_and_below(db: Database) -> None:
    add_players(db, {name: score for name, score in zip("abcdefg", [70, 60, 50, 50, 40, 30, 20], strict=True)})
    around = boards.neighbourhood(db, "b", "d", around=2)
    assert [(r["playerId"], r["rank"]) for r in around] == [("b", 2), ("c", 3), ("d", 3), ("e", 5), ("f", 6)]


def test_friends_are_ranked_among_themselves(db: Database) -> None:
    add_players(db, {"ann": 5, "bob": 7, "cy": 100})
    db["players"].insert({"id": "new", "token_hash": "new", "created_at": 0})
    ranked = boards.among(db, "b", ["ann", "bob", "new"])
    assert [(r["playerId"], r["score"], r["rank"]) for r in ranked] == [("bob", 7, 1), ("ann", 5, 2), ("new", 0, 3)]


def test_histogram_counts_every_player_once(db: Database) -> None:
    scores = {f"p{i}": i * 7 for i in range(100)}
    add_players(db, scores)
    bins = boards.histogram(db, "b", bins=10)
    assert sum(b["players"] for b in bins) == 100 and bins[0]["from"] == 0 and bins[-1]["to"] >= 693


def test_skill_ranks_the_lowest_threshold_first() -> None:
    assert boards.skill_score(33.3) > boards.skill_score(50.0)


def test_weeks_start_monday_utc() -> None:
    from datetime import UTC, datetime

    sunday_night = datetime(2026, 11, 29, 23, 59, tzinfo=UTC).timestamp()
    assert boards.week_board(sunday_night) != boards.week_board(sunday_night + 120)
    assert boards.week_board(sunday_night) == "week:2026-W48"


def test_hidden_players_leave_every_public_list_and_rank_but_still_see_themselves(db: Database) -> None:
    add_players(db, {"ann": 50, "bob": 80, "cy": 60, "dee": 10})
    boards.set_visibility(db, "bob", False)  # held, banned or on probation
    assert [r["playerId"] for r in boards.top(db, "b")] == ["cy", "ann", "dee"]
    assert boards.standing(db, "b", "cy") == {"rank": 1, "score": 60, "players": 3, "percentile": 66.7}
    assert [r["playerId"] for r in boards.neighbourhood(db, "b", "ann")] == ["cy", "ann", "dee"]
    assert [r["playerId"] for r in boards.among(db, "b", ["ann", "bob"], viewer="ann")] == ["ann"]
    assert sum(b["players"] for b in boards.histogram(db, "b")) == 3
    # Bob sees himself where he would stand, and in the histogram; nobody else sees him.
    assert next((r["playerId"], r["rank"]) for r in boards.top(db, "b", viewer="bob")) == ("bob", 1)
    assert boards.standing(db, "b", "bob")["rank"] == 1 and boards.standing(db, "b", "bob")["players"] == 4
    assert sum(b["players"] for b in boards.histogram(db, "b", viewer="bob")) == 4
    boards.set_score(db, "b", "bob", 90)  # new scores stay hidden
    assert "bob" not in [r["playerId"] for r in boards.top(db, "b")] and boards.size(db, "b") == 3
    boards.set_visibility(db, "bob", True)
    assert next((r["playerId"], r["rank"]) for r in boards.top(db, "b")) == ("bob", 1) and boards.size(db, "b") == 4
    boards.set_visibility(db, "bob", True)  # idempotent: counted once
    assert boards.size(db, "b") == 4
