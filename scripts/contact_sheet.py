"""Render every emotion on a row of diverse faces with the real browser modules.

Writes docs/contact-sheet.png: one row per emotion (neutral first, then the seven at full
intensity, built with game.emotions.pose), one column per identity seed.

    .venv/bin/python scripts/contact_sheet.py [--out docs/contact-sheet.png] [--cell 150] [--seeds 1,2,3]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the game's modules and the shared harness

from harness import CHROMIUM, CHROMIUM_ARGS, serve_static  # noqa: E402

from game.emotions import EMOTION_KEYS, NEUTRAL_POSE, pose  # noqa: E402

# Chosen to span skin types I-VI, glasses, beards, long hair, a headscarf and older faces
# (see the identity printout with --describe).
DEFAULT_SEEDS = (178, 9, 4, 327, 55, 35, 207, 5, 2024, 56)


def sheet_rows(seeds: list[int]) -> list[tuple[str, list[dict]]]:
    """Row label and one pose per seed; variants (and contempt's side) vary across columns."""
    rows: list[tuple[str, list[dict]]] = [("neutral", [NEUTRAL_POSE for _ in seeds])]
    for key in EMOTION_KEYS:
        rows.append((key, [pose(key, 1.0, random.Random(column)) for column in range(len(seeds))]))
    return rows


SHEET_JS = """
async ({rows, seeds, cell}) => {
  const {renderFace} = await import('/js/face/draw.js');
  const {identityFromSeed} = await import('/js/face/identity.js');
  document.body.style.cssText = 'margin:0;background:#14161f;color:#e8e9f0;font:13px sans-serif';
  const table = document.createElement('div');
  table.id = 'sheet';
  table.style.cssText = 'display:grid;gap:3px;padding:6px';
  table.style.gridTemplateColumns = `80px repeat(${seeds.length}, ${cell}px)`;
  document.body.append(table);
  table.append(document.createElement('div'));
  for (const seed of seeds) {
    const id = identityFromSeed(seed);
    const label = document.createElement('div');
    label.style.cssText = 'font-size:10px;line-height:1.2';
    label.textContent = `${seed}: ${id.skin.fitzpatrick} ${id.hair.style} ${id.facialHair} ${id.glasses} ${id.age}`;
    table.append(label);
  }
  for (const [name, poses] of rows) {
    const label = document.createElement('div');
    label.textContent = name;
    label.style.alignSelf = 'center';
    table.append(label);
    poses.forEach((p, i) => {
      const canvas = document.createElement('canvas');
      table.append(canvas);
      renderFace(canvas, seeds[i], p, cell);
    });
  }
}
"""


def render_sheet(out: Path, seeds: list[int], cell: int, scale: float) -> None:
    rows = sheet_rows(seeds)
    with serve_static() as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        width = 100 + (cell + 3) * len(seeds)
        page = browser.new_page(viewport={"width": width, "height": 400}, device_scale_factor=scale)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
        page.goto(base + "/css/app.css")
        page.evaluate(SHEET_JS, {"rows": rows, "seeds": seeds, "cell": cell})
        if errors:
            raise SystemExit("browser errors: " + json.dumps(errors))
        out.parent.mkdir(parents=True, exist_ok=True)
        page.locator("#sheet").screenshot(path=str(out))
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "contact-sheet.png")
    parser.add_argument("--cell", type=int, default=150, help="CSS pixels per face")
    parser.add_argument("--scale", type=float, default=1.0, help="device pixel ratio of the screenshot")
    parser.add_argument("--seeds", type=str, default=",".join(map(str, DEFAULT_SEEDS)))
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    render_sheet(args.out, seeds, args.cell, args.scale)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB, {len(seeds)} faces x 8 rows)")


if __name__ == "__main__":
    main()
