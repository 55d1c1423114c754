"""Every emotion on the six skin types, with and without glasses and a beard, as a phone shows it.

Starts the real app (gunicorn on loopback, a throwaway database), opens the drill screen at 390 x 844 CSS px,
device pixel ratio 3, and draws each face into the drill's own stage with the real renderer at full intensity
(poses built by game.emotions.pose, variants alternating). Writes one PNG per face to screenshots/emotions/
(gitignored) and a compact grid of all of them to docs/emotion-grid.jpg: one row per emotion, one column per
skin type x (plain, glasses, beard, beard and glasses).

    .venv/bin/python scripts/emotion_screens.py [--no-phone] [--grid docs/emotion-grid.jpg] [--cell 84]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the game's modules and the shared harness

from harness import CHROMIUM, CHROMIUM_ARGS, PHONE, LiveServer  # noqa: E402

from game.emotions import EMOTION_KEYS, EMOTIONS, NEUTRAL_POSE, pose  # noqa: E402

SKIN_TYPES = (1, 2, 3, 4, 5, 6)
# (label, glasses, beard); the facial hair kind turns with the skin type, so every kind shows, and the lightest and
# darkest skins wear the fullest beard.
LOOKS = (("plain", False, False), ("glasses", True, False), ("beard", False, True), ("beard+glasses", True, True))
BEARD_BY_SKIN = {1: "fullBeard", 2: "shortBeard", 3: "moustache", 4: "goatee", 5: "stubble", 6: "fullBeard"}


def faces() -> list[dict]:
    """One identity per skin type and look: fixed seeds, server-style traits."""
    out = []
    for skin in SKIN_TYPES:
        for index, (label, glasses, bearded) in enumerate(LOOKS):
            beard = BEARD_BY_SKIN[skin] if bearded else "none"
            out.append({"seed": 7919 * skin + 104729 * index + 17, "label": f"F{skin}-{label}",
                        "traits": {"fitzpatrick": skin, "glasses": glasses, "facialHair": beard}})
    return out


def poses_for(column: int) -> list[tuple[str, dict]]:
    """Neutral, then each emotion at full intensity; the variant (and contempt's side) turns with the column."""
    rows: list[tuple[str, dict]] = [("neutral", NEUTRAL_POSE)]
    for key in EMOTION_KEYS:
        rng = random.Random(column * 31 + len(rows))
        rows.append((key, pose(key, 1.0, rng)))
    return rows


SHOW_DRILL_JS = """
(names) => {
  for (const screen of document.querySelectorAll('.screen')) screen.hidden = screen.id !== 'drill';
  document.getElementById('prompt').textContent = 'Which emotion flashed?';
  document.getElementById('answers').replaceChildren(...names.map((name, i) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'answer';
    b.innerHTML = `<span class="key" aria-hidden="true">${i + 1}</span>`;
    b.append(name);
    return b;
  }));
  document.getElementById('face-neutral').hidden = true;
}
"""

DRAW_JS = """
async ({seed, traits, pose, progress}) => {
  const {drawFace} = await import('/static/js/face/draw.js');
  const {identityFromSeed} = await import('/static/js/face/identity.js');
  const canvas = document.getElementById('face-expression');
  const size = document.getElementById('stage').clientWidth;
  const ratio = Math.min(3, devicePixelRatio || 1);
  canvas.width = canvas.height = Math.round(size * ratio);
  canvas.style.width = canvas.style.height = `${size}px`;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  drawFace(ctx, identityFromSeed(seed, traits), pose, size);
  canvas.style.opacity = '1';  // the frame the flash shows
  document.getElementById('progress').textContent = progress;
}
"""

GRID_JS = """
async ({columns, rows, cell}) => {
  const {drawFace} = await import('/static/js/face/draw.js');
  const {identityFromSeed} = await import('/static/js/face/identity.js');
  document.body.replaceChildren();
  document.body.style.cssText = 'margin:0;background:#14161f;color:#e8e9f0;font:11px sans-serif';
  const grid = document.createElement('div');
  grid.id = 'grid';
  grid.style.cssText = `display:grid;gap:2px;padding:4px`;
  grid.style.gridTemplateColumns = `64px repeat(${columns.length}, ${cell}px)`;
  document.body.append(grid);
  grid.append(document.createElement('div'));
  for (const c of columns) {
    const label = document.createElement('div');
    label.textContent = c.label;
    label.style.cssText = 'font-size:9px;align-self:end';
    grid.append(label);
  }
  for (const row of rows) {
    const label = document.createElement('div');
    label.textContent = row.name;
    label.style.alignSelf = 'center';
    grid.append(label);
    row.poses.forEach((p, i) => {
      const canvas = document.createElement('canvas');
      const ratio = devicePixelRatio;
      canvas.width = canvas.height = cell * ratio;
      canvas.style.width = canvas.style.height = `${cell}px`;
      const ctx = canvas.getContext('2d');
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      drawFace(ctx, identityFromSeed(columns[i].seed, columns[i].traits), p, cell);
      grid.append(canvas);
    });
  }
}
"""


def watch_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def phone_screens(page: Page, base: str, out_dir: Path) -> int:
    page.goto(base + "/")
    # Wait for the server's welcome (Play enabled): the page shows its home screen then, over the drill screen.
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_enabled(timeout=30_000)
    page.evaluate(SHOW_DRILL_JS, [EMOTIONS[k].name for k in EMOTION_KEYS])
    out_dir.mkdir(parents=True, exist_ok=True)
    count = 0
    for column, face in enumerate(faces()):
        for name, face_pose in poses_for(column):
            page.evaluate(DRAW_JS, {"seed": face["seed"], "traits": face["traits"], "pose": face_pose,
                                    "progress": f"{face['label']} · {name}"})
            page.screenshot(path=str(out_dir / f"{face['label']}-{name}.png"))
            count += 1
    return count


def grid(page: Page, base: str, out: Path, cell: int) -> None:
    columns = faces()
    rows = [{"name": name, "poses": []} for name, _ in poses_for(0)]
    for column in range(len(columns)):
        for row, (_, face_pose) in zip(rows, poses_for(column), strict=True):
            row["poses"].append(face_pose)
    page.goto(base + "/static/css/app.css")
    page.evaluate(GRID_JS, {"columns": columns, "rows": rows, "cell": cell})
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".png":
        page.locator("#grid").screenshot(path=str(out))
    else:
        page.locator("#grid").screenshot(path=str(out), type="jpeg", quality=82)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots" / "emotions")
    parser.add_argument("--grid", type=Path, default=ROOT / "docs" / "emotion-grid.jpg")
    parser.add_argument("--cell", type=int, default=84, help="CSS pixels per face in the grid")
    parser.add_argument("--no-phone", action="store_true", help="only the grid")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        server = LiveServer(Path(tmp) / "glimpse.db").start()
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            phone = browser.new_page(**PHONE)
            errors = watch_errors(phone)
            if not args.no_phone:
                count = phone_screens(phone, server.url, args.out)
                print(f"wrote {count} phone screenshots (390x844, DPR 3) to {args.out}")
            sheet = browser.new_page(viewport={"width": 80 + (args.cell + 2) * len(faces()), "height": 400},
                                     device_scale_factor=1.5)
            errors += watch_errors(sheet)
            grid(sheet, server.url, args.grid, args.cell)
            print(f"wrote {args.grid} ({args.grid.stat().st_size // 1024} KiB)")
            browser.close()
        finally:
            server.stop()
    if errors:
        raise SystemExit("browser errors: " + "; ".join(errors))


if __name__ == "__main__":
    main()
