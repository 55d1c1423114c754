"""What the crowd learned: only aggregates of at least 20 players, each player counted once per cell.

The figures directly; then the operator command and the public page over a real SQLite file and gunicorn.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest
from harness import ROOT, LiveServer

from game import crowd
from game.db import connect, migrate

DAY = 86_400.0


def learner(index: int, drills_between: int, gain: float, come_back_after: float | None = None) -> crowd.History:
    """First checkup at day 0 at 50%, the second after `drills_between` drills at 50% + gain; maybe a break, then a
    third checkup losing half the gain."""
    start = 1_800_000_000.0 + index
    drills = tuple(start + (1 + k) * 3600 for k in range(drills_between))
    checkups = [(start, 0.5), (start + 8 * DAY, 0.5 + gain)]
    if come_back_after is not None:
        checkups.append((start + 8 * DAY + come_back_after, 0.5 + gain / 2))
    return crowd.History(tuple(checkups), drills)


def test_gains_by_training_show_only_cells_of_twenty_players() -> None:
    histories = [learner(i, 10, 0.2) for i in range(25)] + [learner(100 + i, 2, 0.1) for i in range(19)]
    histories += [crowd.History(((1.0, 0.4),), ())]  # one checkup only: no gain to speak of
    figures = crowd.report(histories)
    cells = {row["training"]: row for row in figures["gains"]}
    assert figures["players"] == 45
    assert cells["5–14 drills"] == {"training": "5–14 drills", "players": 25, "shown": True, "median": 20.0,
                                    "q1": 20.0, "q3": 20.0}
    assert cells["1–4 drills"] == {"training": "1–4 drills", "players": 19, "shown": False}  # one short
    assert not cells["40+ drills"]["shown"] and cells["40+ drills"]["players"] == 0
    assert not figures["fade"]["change"]["shown"]


def test_a_player_counts_once_per_cell_however_many_checkups() -> None:
    many = crowd.History(tuple((1_800_000_000.0 + k * 8 * DAY, 0.3 + 0.01 * k) for k in range(30)), ())
    figures = crowd.report([many] * 1, min_players=1)
    assert {row["training"]: row["players"] for row in figures["gains"]}["no drills"] == 1


def test_what_fades_after_two_weeks_without_play() -> None:
    back = [learner(i, 6, 0.2, come_back_after=20 * DAY) for i in range(20)]
    soon = [learner(50 + i, 6, 0.2, come_back_after=9 * DAY) for i in range(20)]  # under two weeks: no break
    fade = crowd.report(back + soon)["fade"]
    assert fade["change"]["shown"] and fade["change"]["players"] == 20 and fade["change"]["median"] == -10.0
    assert fade["gainBefore"]["median"] == 20.0
    text = "\n".join(crowd.lines(crowd.report(back + soon)))
    assert "median change -10.0 points" in text


def test_nothing_names_a_player() -> None:
    figures = crowd.report([learner(i, 10, 0.2) for i in range(30)])
    text = json.dumps(figures)
    assert "player_id" not in text and "nickname" not in text
    assert set(figures) == {"minPlayers", "players", "gains", "fade"}


# -- against a real database, the operator's command and the public page ----------------------------


@pytest.fixture(scope="module")
def crowd_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real SQLite file with 24 players who took two checkups around 6 drills each."""
    path = tmp_path_factory.mktemp("crowd") / "glimpse.db"
    migrate(path)
    db = connect(path)
    start = 1_800_000_000.0
    with db.conn:
        for index in range(24):
            player = f"p{index}"
            db["players"].insert({"id": player, "token_hash": uuid.uuid4().hex, "created_at": start})
            rows = [("c1", start, 14), ("c2", start + 8 * DAY, 14 + 4 + index % 3)]
            for kind, at, correct in rows:
                drill = f"{player}-{kind}"
                db["drills"].insert({"id": drill, "player_id": player, "mode": "checkup", "seed": 1, "trial_count": 28,
                                     "status": "completed", "started_at": at, "ended_at": at + 120, "kind": "checkup"})
                db["checkups"].insert({"drill_id": drill, "player_id": player, "form": 1, "refresh_ms": 16.667,
                                       "started_at": at, "completed_at": at + 120, "correct": correct, "shown": 28,
                                       "score": "{}"})
            for k in range(6):
                db["drills"].insert({"id": f"{player}-d{k}", "player_id": player, "mode": "speed", "seed": 1,
                                     "trial_count": 20, "status": "completed", "started_at": start + DAY * (k + 1),
                                     "ended_at": start + DAY * (k + 1) + 300, "kind": "drill"})
    db.close()
    return path


def test_the_operator_command_prints_the_crowd_report(crowd_database: Path) -> None:
    env = {**os.environ, "GLIMPSE_DATABASE": str(crowd_database)}
    flask = Path(sys.executable).with_name("flask")
    out = subprocess.run([str(flask), "--app", "game", "crowd-report"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    assert "24 players with a checkup" in out
    row = next(line for line in out.splitlines() if line.startswith("5–14 drills"))
    assert row.split()[2:4] == ["24", "+17.9"]  # median of +4, +5, +6 points out of 28 (x 100/28), +3.6 .. +7.1
    assert "too few to show" in out  # nobody took a break


def test_the_public_page_shows_the_figures_and_loads_no_script_of_its_own(crowd_database: Path) -> None:
    server = LiveServer(crowd_database).start()
    try:
        with urllib.request.urlopen(server.url + "/crowd", timeout=10) as response:
            page = response.read().decode()
        with urllib.request.urlopen(server.url + "/api/crowd.json", timeout=10) as response:
            figures = json.load(response)
    finally:
        server.stop()
    assert "What the crowd learned" in page and "+18 points" in page and "not enough players yet" in page
    assert "p0" not in page and "p1" not in page
    scripts = [line for line in page.splitlines() if "<script" in line]
    assert all("pwa.js" in line for line in scripts)  # the site-wide worker registration only
    assert {row["training"]: row["shown"] for row in figures["gains"]}["5–14 drills"] is True
