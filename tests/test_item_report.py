"""The operators' item report: pure aggregation, and the command on a real SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from game import face_version
from game.db import connect, migrate
from game.item_report import Cell, aggregate, load_rows, report, wilson


def test_wilson_interval_matches_published_values() -> None:
    # Newcombe (1998), table I: 81/263 -> 0.2553..0.3662; 15/148 -> 0.0624..0.1605.
    assert wilson(81, 263) == pytest.approx((0.2553, 0.3662), abs=1e-4)
    assert wilson(15, 148) == pytest.approx((0.0624, 0.1605), abs=1e-4)
    low, high = wilson(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)
    assert wilson(10, 10)[1] == pytest.approx(1.0) and wilson(0, 0) == (0.0, 1.0)


def test_cells_count_answers_and_correct_per_combination() -> None:
    rows = [{"emotion": "anger", "variant": 1, "fitzpatrick": 6, "glasses": 0, "facial_hair": "none", "correct": c}
            for c in (1, 0, 0)]
    rows += [{"emotion": "anger", "variant": 2, "fitzpatrick": 6, "glasses": 0, "facial_hair": "none", "correct": 1}]
    cells = aggregate(rows)
    assert [(cell.key, cell.answers, cell.correct) for cell in cells] == [
        (("anger", 1, 6, 0, "none"), 3, 1), (("anger", 2, 6, 0, "none"), 1, 1)]
    assert aggregate(rows, ("emotion", "fitzpatrick"))[0] == Cell(("anger", 6), 4, 2)


@pytest.mark.parametrize(("answers", "correct", "flagged"), [(30, 17, True), (30, 18, False), (29, 0, False),
                                                            (200, 119, True)])
def test_only_cells_with_enough_answers_and_a_low_rate_are_flagged(answers: int, correct: int, flagged: bool) -> None:
    assert Cell(("fear",), answers, correct).flagged() is flagged


def _seed_database(path: Path) -> None:
    """A real file: one player, one drill, and trials as the server stores them."""
    migrate(path)
    db = connect(path)
    db["players"].insert({"id": "p1", "token_hash": "h", "created_at": 0.0})
    db["drills"].insert({"id": "d1", "player_id": "p1", "mode": "speed", "seed": 1, "trial_count": 20,
                         "status": "completed", "started_at": 0.0})
    rows = []

    def add(count: int, correct: int, *, emotion: str = "fear", variant: int | None = 1, fitzpatrick: int | None = 6,
            glasses: int = 0, facial_hair: str = "fullBeard", exposure_ms: float = 333.3, scored: int = 1,
            drawing: str | None = None) -> None:
        for index in range(count):
            rows.append({"id": f"t{len(rows)}", "drill_id": "d1", "player_id": "p1", "position": 1, "attempt": 0,
                         "emotion": emotion, "identity_seed": 1, "exposure_frames": 20, "exposure_ms": exposure_ms,
                         "sent_at": 0.0, "answer": emotion if index < correct else "surprise",
                         "correct": int(index < correct), "scored": scored, "variant": variant,
                         "fitzpatrick": fitzpatrick, "glasses": glasses, "facial_hair": facial_hair,
                         "face_version": drawing or face_version.current()})

    add(40, 10)  # fear v1 on bearded type VI faces: 25%, flagged
    add(40, 38, fitzpatrick=2, facial_hair="none")  # fear v1 on type II: 95%
    add(50, 0, exposure_ms=100.0)  # too short a flash to judge the face: left out
    add(20, 0, scored=0)  # voided flashes: left out
    add(7, 7, fitzpatrick=None, variant=None)  # offline answers without traits: counted as left out
    add(60, 0, emotion="anger", drawing="0ld0ld0ld0ld")  # answers to a drawing since replaced: left out by default
    db["trials"].insert_all(rows)
    db.close()


def test_load_rows_keeps_scored_long_exposures_with_traits(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    _seed_database(path)
    db = connect(path)
    rows, left_out = load_rows(db, face_version=face_version.current())
    assert len(rows) == 80 and left_out == {"without face traits (offline or older trials)": 7,
                                            "to other drawings of the faces": 60}
    assert len(load_rows(db)[0]) == 140  # every drawing, pooled
    assert {row["emotion"] for row in load_rows(db, face_version="0ld0ld0ld0ld")[0]} == {"anger"}
    text = report(rows, left_out)
    assert "| fear | v1 | VI | no glasses | fullBeard | 40 | 10 | 25% |" in text
    assert "| fear | v1 | II | no glasses | none | 40 | 38 | 95% |" in text


def test_the_command_prints_rates_intervals_and_flags_from_a_real_database(tmp_path: Path) -> None:
    path = tmp_path / "ops" / "glimpse.db"
    _seed_database(path)
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "game", "item-report"],
                            env={**os.environ, "GLIMPSE_DATABASE": str(path)}, capture_output=True, text=True,
                            timeout=60, check=True)
    lines = result.stdout.splitlines()
    beard_vi = next(line for line in lines if line.startswith("| fear | v1 | VI | no glasses | fullBeard |"))
    assert "| 40 | 10 | 25% | 14%–40% | **< 60%** |" in beard_vi
    light = next(line for line in lines if line.startswith("| fear | v1 | II |"))
    assert light.endswith("| 40 | 38 | 95% | 83%–99% |  |")
    assert "80 with stored face traits (left out: 7 without face traits (offline or older trials); 60 to other " \
        "drawings of the faces)" in result.stdout
    assert "| anger |" not in result.stdout  # the old drawing's misreads do not flag the faces served now
    # The per-trait tables flag the same weakness with fuller cells: type VI, and full beards.
    assert next(line for line in lines if line.startswith("| fear | VI |")).endswith("**< 60%** |")
    assert next(line for line in lines if line.startswith("| fear | fullBeard |")).endswith("**< 60%** |")
    stricter = subprocess.run([sys.executable, "-m", "flask", "--app", "game", "item-report", "--min-exposure-ms",
                               "50", "--flag-min-answers", "131"], env={**os.environ, "GLIMPSE_DATABASE": str(path)},
                              capture_output=True, text=True, timeout=60, check=True)
    assert "130 with stored face traits" in stricter.stdout and "Flagged cells: 0" in stricter.stdout
    pooled = subprocess.run([sys.executable, "-m", "flask", "--app", "game", "item-report", "--all-face-versions"],
                            env={**os.environ, "GLIMPSE_DATABASE": str(path)}, capture_output=True, text=True,
                            timeout=60, check=True)
    assert "Every drawing of the faces, pooled" in pooled.stdout and "140 with stored face traits" in pooled.stdout
    assert next(line for line in pooled.stdout.splitlines() if line.startswith("| anger | v1 | VI |")).endswith(
        "**< 60%** |")


def test_the_face_version_changes_with_any_renderer_module_or_variant(tmp_path: Path) -> None:
    from game.emotions import catalogue
    from game.face_version import fingerprint

    renderer = tmp_path / "face"
    renderer.mkdir()
    (renderer / "draw.js").write_text("export const a = 1;")
    emotions = catalogue()
    before = fingerprint(renderer, emotions)
    assert fingerprint(renderer, emotions) == before and len(before) == 12
    (renderer / "draw.js").write_text("export const a = 2;")
    redrawn = fingerprint(renderer, emotions)
    (renderer / "paths.js").write_text("")
    assert len({before, redrawn, fingerprint(renderer, emotions)}) == 3
    emotions["emotions"][0]["variants"][0]["units"]["12"] = 0.5
    assert fingerprint(renderer, emotions) != fingerprint(renderer, catalogue())
    emotions = catalogue()
    emotions["emotions"][0]["cues"] = ["reworded"]  # words teach; they do not change the face
    assert fingerprint(renderer, emotions) == fingerprint(renderer, catalogue())
