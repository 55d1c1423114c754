"""The expression's first frame: a drill's flashes of freshly drawn faces, this checkout against a baseline.

Each trial redraws both canvases with a new face (as Presenter.present does) and flashes the
expression. If the new expression only reaches the compositor in the frame that shows it, that
frame is slow and presented late, and the Element Timing check voids the flash as a "stall".

Serves the app with its own gunicorn, opens one phone-sized page per version, and prints the
flash report fields over ``--flashes`` trials: the share flagged, the reasons, and medians/p90 of
presentedFrames and maxFlipCommitMs. The baseline's static/js/flash.js and presenter.js are read
from git (``--baseline``, default main) and served in place of this checkout's to its page.

Usage: ``.venv/bin/python bench/first_frame.py [--flashes 40] [--exposure 4] [--baseline main] [--rounds 1]``
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
from collections import Counter
from collections.abc import Callable

from load_conditions import ROOT, app_and_browser, phone_page
from playwright.sync_api import Page, Route

VERSIONED = ("static/js/flash.js", "static/js/presenter.js")

# In the drill screen as the app shows it: the real Presenter, stand-in face, refresh measured,
# then trials of new identities and the catalogue's first variant of each emotion in turn.
DRIVE = """
({ flashes, exposureFrames }) => { window.glimpseBench = { reports: [], stage: "loading" }; (async () => {
  const { Presenter } = await import("/static/js/presenter.js");
  const { poseFromVariant } = await import("/static/js/pose.js");
  const catalogue = await (await fetch("/api/catalogue.json")).json();
  document.getElementById("home").hidden = true;
  document.getElementById("drill").hidden = false;
  const byId = (id) => document.getElementById(id);
  const presenter = new Presenter({ stage: byId("stage"), neutral: byId("face-neutral"),
    expression: byId("face-expression"), probe: byId("flip-probe") });
  presenter.showStandIn(catalogue.neutralPose);
  await presenter.measureRefresh();
  // Each flip's presentation time minus its frame's start (document.timeline is the rAF clock).
  const latencies = [];
  const mark = presenter.presentation.mark.bind(presenter.presentation);
  presenter.presentation.mark = () => {
    const frameStart = document.timeline.currentTime;
    const presented = mark();
    const flip = latencies.length;
    latencies.push(null);
    presented.then((at) => { latencies[flip] = at === null ? null : at - frameStart; });
    return presented;
  };
  const reports = window.glimpseBench.reports;
  window.glimpseBench.stage = "flashing";
  for (let i = 0; i < flashes; i += 1) {
    const emotion = catalogue.emotions[i % catalogue.emotions.length];
    const trial = {
      identitySeed: (i * 2654435761) >>> 1, neutral: catalogue.neutralPose,
      expression: poseFromVariant(emotion.variants[0], 1), foreperiodFrames: 30, exposureFrames, maskFrames: 6,
    };
    const report = await presenter.present(trial);
    const [showMs, hideMs] = latencies.splice(0);
    reports.push({ ...report, showLatencyMs: showMs, hideLatencyMs: hideMs });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the answer screen's pause between trials
  }
  presenter.stop();
  window.glimpseBench.stage = "done";
  })().catch((error) => { window.glimpseBench.stage = `failed: ${error}`; });
}
"""


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def serving(body: str, served: list[str]) -> Callable[[Route], None]:
    def fulfill(route: Route) -> None:
        served.append(route.request.url)
        route.fulfill(body=body, content_type="text/javascript")
    return fulfill


def run(page: Page, url: str, baseline: str | None, flashes: int, exposure: int) -> list[dict]:
    served: list[str] = []
    if baseline is not None:
        for path in VERSIONED:
            body = subprocess.run(["git", "show", f"{baseline}:{path}"], cwd=ROOT, check=True,
                                  capture_output=True, text=True).stdout
            # The page asks for path?v=<hash> (and a baseline's own imports for the bare path).
            page.route(lambda url, path=path: url.split("?")[0].endswith(path), serving(body, served))
    page.goto(url + "/")
    page.wait_for_function("() => document.getElementById('stage') !== null")
    page.evaluate(DRIVE, {"flashes": flashes, "exposureFrames": exposure})
    page.wait_for_function("() => window.glimpseBench.stage !== 'loading' && window.glimpseBench.stage !== 'flashing'",
                           timeout=flashes * 10_000 + 60_000, polling=500)
    stage = page.evaluate("window.glimpseBench.stage")
    if baseline is not None and len(served) < len(VERSIONED):  # else both runs measured this checkout
        raise RuntimeError(f"the baseline's files were not served: {served}")
    if stage != "done":
        raise RuntimeError(stage)
    return page.evaluate("window.glimpseBench.reports")


def summarise(label: str, reports: list[dict]) -> float:
    flagged = sum(r["flagged"] for r in reports)
    reasons = Counter(r["flagReason"] for r in reports if r["flagged"])
    presented = [r["presentedFrames"] for r in reports if r["presentedFrames"] is not None]
    commits = [r["maxFlipCommitMs"] for r in reports]
    print(f"{label}: {flagged}/{len(reports)} flagged {dict(reasons)}; framesShown != requested: "
          f"{sum(r['framesShown'] != r['requestedFrames'] for r in reports)}")
    if presented:
        print(f"  presentedFrames median {statistics.median(presented):.2f}, p10 {quantile(presented, 0.1):.2f}, "
              f"p90 {quantile(presented, 0.9):.2f} (requested {reports[0]['requestedFrames']})")
    pairs = [(r["showLatencyMs"], r["hideLatencyMs"]) for r in reports
             if r["showLatencyMs"] is not None and r["hideLatencyMs"] is not None]
    if pairs:
        print(f"  frame start to presented: show flip median {statistics.median(p[0] for p in pairs):.1f} ms, "
              f"hide flip {statistics.median(p[1] for p in pairs):.1f} ms; "
              f"show later than hide by median {statistics.median(p[0] - p[1] for p in pairs):.1f} ms")
    # The lead's symptom: every rAF check clean, voided only by the presentation times.
    quiet = [r for r in reports if r["maxGapMs"] <= 1.5 * r["periodMs"] and r["maxFlipLateMs"] <= 0.5 * r["periodMs"]]
    quiet_presented = [r["presentedFrames"] for r in quiet if r["presentedFrames"] is not None]
    if quiet_presented:
        print(f"  rAF-clean flashes: {len(quiet)}, of them flagged {sum(r['flagged'] for r in quiet)}; presentedFrames "
              f"median {statistics.median(quiet_presented):.2f}, p10 {quantile(quiet_presented, 0.1):.2f}")
    print(f"  maxFlipCommitMs median {statistics.median(commits):.1f}, p90 {quantile(commits, 0.9):.1f}; "
          f"maxFlipLateMs p90 {quantile([r['maxFlipLateMs'] for r in reports], 0.9):.1f}; "
          f"maxGapMs p90 {quantile([r['maxGapMs'] for r in reports], 0.9):.1f}")
    return flagged / len(reports)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flashes", type=int, default=40)
    parser.add_argument("--exposure", type=int, default=4, help="frames the expression is shown")
    parser.add_argument("--baseline", default="main", help="git revision of the baseline's flash.js, presenter.js")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each, alternating which goes first")
    args = parser.parse_args()
    versions = [(f"baseline {args.baseline}", args.baseline), ("this checkout", None)]
    shares: dict[str, list[float]] = {label: [] for label, _ in versions}
    with app_and_browser() as (url, browser):
        for round_ in range(args.rounds):
            for label, baseline in versions if round_ % 2 == 0 else versions[::-1]:
                with phone_page(browser) as page:
                    reports = run(page, url, baseline, args.flashes, args.exposure)
                    shares[label].append(summarise(f"round {round_ + 1}, {label}", reports))
    base, now = ([f"{share:.2f}" for share in shares[label]] for label, _ in versions)
    print(f"flagged share: {', '.join(now)} vs {', '.join(base)} on the baseline")


if __name__ == "__main__":
    main()
