"""Frames shown vs requested: runFlash against a naive setTimeout flash, in headless Chromium.

Serves the app with its own gunicorn on a free loopback port, opens one page per condition, and
alternates the two methods flash by flash (same N, same page, same moment):

* ``runFlash``: flips inside rAF callbacks, hides after N elapsed frames, flags stalls.
* naive: shows in a rAF callback, hides from ``setTimeout(N * 16.7 ms)`` like jsPsych.

Both are measured the same way, by rAF count: ``round((t_hide - t_show) / period)`` where t_hide
is the first rAF timestamp at or after the hide (the frame that renders it).

Conditions: bench/load_conditions.py (idle, cpu-load, page-jank).

Usage: ``.venv/bin/python bench/flash_frames.py [--flashes 500] [--conditions idle,cpu-load,page-jank]``
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter

from load_conditions import add_conditions_argument, app_and_browser, parse_conditions, phone_page, under
from playwright.sync_api import Page

EXPOSURES = (1, 2, 3, 6, 12, 30)
BATCH = 50  # flashes of each method per page.evaluate
STALL_FACTOR = 1.5  # as in static/js/flash.js, to tell a gap stall from a late flip

SETUP = """
async () => {
  const { FrameLoop, measureRefresh } = await import("/static/js/frames.js");
  const { runFlash } = await import("/static/js/flash.js");
  const canvas = (colour) => {
    const element = document.createElement("canvas");
    element.width = element.height = 300;
    Object.assign(element.style, { position: "absolute", left: "0", top: "0", width: "300px" });
    const context = element.getContext("2d");
    context.fillStyle = colour;
    context.fillRect(0, 0, 300, 300);
    document.body.append(element);
    return element;
  };
  const neutral = canvas("#999");
  const expression = canvas("#c33");
  const loop = new FrameLoop();
  const periodMs = await measureRefresh(loop, 60);

  // jsPsych-style: show in a frame, hide from a timer. The hide is seen by the first rAF
  // callback after it, whose frame is the first to render it.
  const naiveFlash = ({ exposureFrames, foreperiodFrames }) => new Promise((resolve) => {
    let frames = 0, showTs = null, hidden = false;
    const unsubscribe = loop.subscribe((timestamp) => {
      if (showTs === null) {
        if (frames++ < foreperiodFrames) return;
        expression.style.opacity = "1";
        showTs = timestamp;
        setTimeout(() => { expression.style.opacity = "0"; hidden = true; }, exposureFrames * 16.7);
      } else if (hidden) {
        unsubscribe();
        const framesShown = Math.round((timestamp - showTs) / periodMs);
        resolve({ requestedFrames: exposureFrames, framesShown, flagged: false, flagReason: null });
      }
    });
  });

  window.glimpseBench = {
    periodMs,
    async run(exposures) {
      const rows = [];
      for (const exposureFrames of exposures) {
        const spec = { exposureFrames, foreperiodFrames: 1, maskFrames: 1, periodMs };
        const proper = await runFlash(loop, { neutral, expression, ...spec });
        rows.push({ method: "runFlash", ...proper });
        rows.push({ method: "naive", ...(await naiveFlash(spec)) });
      }
      return rows;
    },
  };
  return periodMs;
}
"""


def exposure_plan(flashes: int, seed: int) -> list[int]:
    """Each exposure equally often, shuffled."""
    plan = [EXPOSURES[i % len(EXPOSURES)] for i in range(flashes)]
    random.Random(seed).shuffle(plan)
    return plan


def run_condition(page: Page, url: str, condition: str, flashes: int, seed: int) -> tuple[float, list[dict]]:
    """Run `flashes` of each method in a fresh page."""
    page.goto(url + "/")
    period_ms = page.evaluate(SETUP)
    plan = exposure_plan(flashes, seed)
    rows: list[dict] = []
    with under(condition, page, seed):
        for start in range(0, len(plan), BATCH):
            rows += page.evaluate("exposures => window.glimpseBench.run(exposures)", plan[start:start + BATCH])
            print(f"  {condition}: {len(rows) // 2}/{flashes} flash pairs", file=sys.stderr, end="\r", flush=True)
        print(file=sys.stderr, flush=True)
    return period_ms, rows


def difference_label(difference: int) -> str:
    return f"{difference:+d}" if -2 < difference < 3 else ("≤-2" if difference < 0 else "≥+3")


def flag_cause(report: dict) -> str:
    """Which check flagged a runFlash report first: frames, gap (stall) or late flip (stall)."""
    if report["flagReason"] == "stall":
        return "gap" if report["maxGapMs"] > STALL_FACTOR * report["periodMs"] else "late"
    return report["flagReason"] or "none"


def percent(part: int, whole: int) -> str:
    return f"{100 * part / max(whole, 1):.1f}%"


def table(results: dict[str, tuple[float, list[dict]]]) -> str:
    """One row per condition and method: shown - requested distribution and flags."""
    labels = ["≤-2", "-1", "+0", "+1", "+2", "≥+3"]
    causes = ["frames", "gap", "late"]
    header = ["condition", "period ms", "method", "flashes", *labels, "flagged",
              *(f"by {cause}" for cause in causes), "exact", "exact|unflagged"]
    lines = [header]
    for condition, (period_ms, rows) in results.items():
        for method in ("runFlash", "naive"):
            mine = [r for r in rows if r["method"] == method]
            shown = Counter(difference_label(r["framesShown"] - r["requestedFrames"]) for r in mine)
            unflagged = [r for r in mine if not r["flagged"]]
            exact = sum(r["framesShown"] == r["requestedFrames"] for r in mine)
            exact_unflagged = sum(r["framesShown"] == r["requestedFrames"] for r in unflagged)
            flags = Counter(flag_cause(r) for r in mine) if method == "runFlash" else None
            flag_cells = ([percent(len(mine) - len(unflagged), len(mine)),
                           *(percent(flags[cause], len(mine)) for cause in causes)]
                          if flags is not None else ["n/a"] * (1 + len(causes)))
            lines.append([condition, f"{period_ms:.2f}", method, str(len(mine)),
                          *(percent(shown[label], len(mine)) for label in labels), *flag_cells,
                          percent(exact, len(mine)), percent(exact_unflagged, len(unflagged))])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True))
                     for line in lines)


def by_exposure(results: dict[str, tuple[float, list[dict]]]) -> str:
    """Exact share per N and method, to see where the naive timer fails."""
    lines = ["condition   method    " + "  ".join(f"N={n:<4}" for n in EXPOSURES)]
    for condition, (_, rows) in results.items():
        for method in ("runFlash", "naive"):
            cells = []
            for n in EXPOSURES:
                mine = [r for r in rows if r["method"] == method and r["requestedFrames"] == n]
                cells.append(f"{100 * sum(r['framesShown'] == n for r in mine) / len(mine):5.1f}%")
            lines.append(f"{condition:<11} {method:<9} " + " ".join(cells))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flashes", type=int, default=500, help="flashes per method per condition")
    add_conditions_argument(parser)
    parser.add_argument("--seed", type=int, default=20251126)
    args = parser.parse_args()
    conditions = parse_conditions(parser, args.conditions)

    results: dict[str, tuple[float, list[dict]]] = {}
    with app_and_browser() as (url, browser):
        for condition in conditions:
            with phone_page(browser) as page:
                results[condition] = run_condition(page, url, condition, args.flashes, args.seed)

    print(f"Frames shown minus requested, N in {EXPOSURES}, headless Chromium, "
          f"{args.flashes} flashes per method and condition, measured by rAF count")
    print(table(results))
    print()
    print(by_exposure(results))


if __name__ == "__main__":
    main()
