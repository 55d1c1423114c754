"""Which faces players misread: recognition rate per emotion x variant x skin type x glasses x facial hair.

Flashes and scenes alike (a scene's exposure is its leak; its variant is empty, shown as "?"), and
per way of playing.

`flask --app game item-report` reads scored answers at exposures long enough to see the face
(>= 300 ms by default: below that a miss says more about the player than the drawing) and prints,
per cell, answers, correct, the rate and its 95% Wilson interval, marking cells below 60% with at
least 30 answers. Aggregation is pure (``aggregate``, ``wilson``, ``render``); ``load_rows`` is the
one query.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import click
from flask import Flask, current_app
from sqlite_utils import Database

from game import face_version as face_versions
from game import scene_session
from game.identities import ROMAN

MIN_EXPOSURE_MS = 300.0
FLAG_BELOW = 0.60
FLAG_MIN_ANSWERS = 30
Z_95 = 1.959964

# A cell's key, in the order the report groups by.
DIMENSIONS = ("emotion", "variant", "fitzpatrick", "glasses", "facial_hair")


@dataclass(frozen=True)
class Cell:
    key: tuple  # values of the grouping dimensions
    answers: int
    correct: int

    @property
    def rate(self) -> float:
        return self.correct / self.answers if self.answers else float("nan")

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.correct, self.answers)

    def flagged(self, below: float = FLAG_BELOW, min_answers: int = FLAG_MIN_ANSWERS) -> bool:
        """Enough answers to trust, and too few of them right: this face needs a look."""
        return self.answers >= min_answers and self.rate < below


def wilson(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for a binomial proportion (sound at small n and at 0 or 100%)."""
    if trials <= 0:
        return (0.0, 1.0)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def aggregate(rows: Iterable[dict], by: Sequence[str] = DIMENSIONS) -> list[Cell]:
    """Count answers and correct ones per combination of ``by``; cells sorted by their key."""
    counts: dict[tuple, list[int]] = {}
    for row in rows:
        key = tuple(row[name] for name in by)
        cell = counts.setdefault(key, [0, 0])
        cell[0] += 1
        cell[1] += int(bool(row["correct"]))
    return [Cell(key, answers, correct) for key, (answers, correct) in sorted(counts.items(), key=_sort_key)]


def _sort_key(item: tuple[tuple, list[int]]) -> tuple:
    return tuple((value is None, str(value) if value is not None else "") for value in item[0])


def load_rows(db: Database, min_exposure_ms: float = MIN_EXPOSURE_MS,
              face_version: str | None = None) -> tuple[list[dict], dict[str, int]]:
    """Scored answers at long exposures that know their face, and how many others were left out, and why.

    Left out: answers without stored traits (offline practice, and trials from before the traits
    were stored) and, given ``face_version``, answers to any other drawing of the faces (game.face_version):
    they judged a face nobody is shown any more. Scored means the flash was shown for exactly the frames planned.
    """
    where = "scored = 1 AND answer IS NOT NULL AND exposure_ms >= ?"
    same_face, arguments = ("", [min_exposure_ms]) if face_version is None else (
        " AND face_version IS ?", [min_exposure_ms, face_version])
    columns = ("emotion", "variant", "fitzpatrick", "glasses", "facial_hair", "correct", "mode")
    rows = [dict(zip(columns, values, strict=True)) for values in db.execute(
        "SELECT t.emotion, t.variant, t.fitzpatrick, t.glasses, t.facial_hair, t.correct, d.mode FROM trials t "
        "LEFT JOIN drills d ON d.id = t.drill_id WHERE " + where + " AND t.fitzpatrick IS NOT NULL" + same_face,
        arguments).fetchall()]
    for row in rows:
        row["play"] = "scene" if scene_session.is_scene(row.pop("mode") or "") else "flash"
    no_traits, other_faces = db.execute(
        "SELECT COALESCE(SUM(fitzpatrick IS NULL), 0), COALESCE(SUM(fitzpatrick IS NOT NULL), 0) - ? FROM trials "
        "WHERE " + where, [len(rows), min_exposure_ms]).fetchone()
    return rows, {"without face traits (offline or older trials)": no_traits,
                  "to other drawings of the faces": other_faces}


def _label(name: str, value: object) -> str:
    if value is None:
        return "?"
    if name == "fitzpatrick":
        return ROMAN.get(int(value), str(value))  # type: ignore[call-overload]
    if name == "glasses":
        return "glasses" if value else "no glasses"
    if name == "variant":
        return f"v{value}"
    return str(value)


def render(cells: Sequence[Cell], by: Sequence[str], below: float = FLAG_BELOW,
           min_answers: int = FLAG_MIN_ANSWERS) -> str:
    """A Markdown table: one row per cell, flagged cells marked."""
    header = "| " + " | ".join(by) + " | answers | correct | rate | 95% CI | |"
    lines = [header, "|" + "---|" * (len(by) + 5)]
    for cell in cells:
        low, high = cell.interval
        mark = f"**< {below:.0%}**" if cell.flagged(below, min_answers) else ""
        lines.append("| " + " | ".join(_label(name, value) for name, value in zip(by, cell.key, strict=True))
                     + f" | {cell.answers} | {cell.correct} | {cell.rate:.0%} | {low:.0%}–{high:.0%} | {mark} |")
    return "\n".join(lines)


def report(rows: list[dict], left_out: Mapping[str, int], min_exposure_ms: float = MIN_EXPOSURE_MS,
           below: float = FLAG_BELOW, min_answers: int = FLAG_MIN_ANSWERS) -> str:
    """The whole report: the full cross, then each trait per emotion (fuller cells), then what is flagged."""
    full = aggregate(rows)
    skipped = "; ".join(f"{count} {why}" for why, count in left_out.items() if count)
    parts = [f"Scored answers at exposures >= {min_exposure_ms:g} ms: {len(rows)} with stored face traits "
             f"(left out: {skipped or 'none'}). Cells below {below:.0%} with >= "
             f"{min_answers} answers are marked.", "", "## Emotion x variant x Fitzpatrick x glasses x facial hair",
             "", render(full, DIMENSIONS, below, min_answers)]
    flagged = [cell for cell in full if cell.flagged(below, min_answers)]
    for trait in ("play", "variant", "fitzpatrick", "glasses", "facial_hair"):
        by = ("emotion", trait)
        cells = aggregate(rows, by)
        flagged += [cell for cell in cells if cell.flagged(below, min_answers)]
        parts += ["", f"## Emotion x {trait}", "", render(cells, by, below, min_answers)]
    parts += ["", f"Flagged cells: {len(flagged)}"]
    return "\n".join(parts)


@click.command("item-report")
@click.option("--min-exposure-ms", default=MIN_EXPOSURE_MS, show_default=True, type=float,
              help="only answers to flashes at least this long")
@click.option("--flag-below", default=FLAG_BELOW, show_default=True, type=click.FloatRange(0, 1),
              help="mark cells whose rate is below this")
@click.option("--flag-min-answers", default=FLAG_MIN_ANSWERS, show_default=True, type=click.IntRange(1),
              help="...when they have at least this many answers")
@click.option("--face-version", default=None, metavar="VERSION",
              help="answers to this drawing of the faces (game.face_version) [default: the one served now]")
@click.option("--all-face-versions", is_flag=True, help="answers to every drawing the faces ever had, pooled")
def item_report_command(min_exposure_ms: float, flag_below: float, flag_min_answers: int, face_version: str | None,
                        all_face_versions: bool) -> None:
    """Recognition rate per emotion x variant x skin type x glasses x facial hair, from players' answers."""
    from game.db import connect

    db = connect(current_app.config["DATABASE"])
    try:
        version = None if all_face_versions else face_version or face_versions.current()
        rows, left_out = load_rows(db, min_exposure_ms, version)
    finally:
        db.close()
    click.echo(f"Faces as drawn by version {version}" if version else "Every drawing of the faces, pooled")
    click.echo(report(rows, left_out, min_exposure_ms, flag_below, flag_min_answers))


def init_app(app: Flask) -> None:
    app.cli.add_command(item_report_command)
