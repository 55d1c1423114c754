// Pure formatting of thresholds and the history chart.
import assert from "node:assert/strict";
import { test } from "node:test";

import { historySvg } from "../../static/js/chart.js";
import { describeNote, describeStanding, describeThreshold, formatLevel, reliable } from "../../static/js/view.js";

test("levels read as milliseconds or intensity, honest beyond the range", () => {
  assert.equal(formatLevel(66.66, "exposure"), "67 ms");
  assert.equal(formatLevel(741, "exposure"), "over 500 ms");
  assert.equal(formatLevel(0.234, "intensity"), "23% intensity");
});

test("a threshold is quoted only once enough trials back it", () => {
  const few = { value: 15, low: 5, high: 40, trials: 3 };
  assert.equal(reliable(few), false);
  assert.match(describeThreshold(few, "exposure"), /few more trials/);
  const enough = { ...few, trials: 20 };
  assert.equal(describeThreshold(enough, "exposure"), "You catch emotions at 15 ms (likely 5 ms to 40 ms).");
});

test("the history chart draws one point per drill and labels its range", () => {
  const svg = historySvg(
    [
      { value: 200, low: 150, high: 260 },
      { value: 120, low: 90, high: 160 },
      { value: 70, low: 55, high: 90 },
    ],
    (v) => `${Math.round(v)} ms`,
  );
  assert.equal((svg.match(/<circle/g) ?? []).length, 3);
  assert.match(svg, /from 200 ms to 70 ms/);
  const ys = [...svg.matchAll(/cy="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.ok(ys[0] < ys[1] && ys[1] < ys[2], "shorter thresholds sit lower on the chart");
  assert.equal(historySvg([], String), "");
});

test("a standing reads as a rank and a percentile, or a welcome when alone", () => {
  assert.equal(describeStanding({ rank: 3, players: 40, percentile: 92.5 }), "Rank 3 of 40: better than 93% of players.");
  assert.match(describeStanding({ rank: 1, players: 1, percentile: 0 }), /first on this board/);
  assert.equal(describeStanding(null), "");
});

test("a player off the public boards is told why, neutrally", () => {
  assert.match(describeNote("checking"), /being checked/);
  assert.doesNotMatch(describeNote("checking"), /cheat|ban|suspic/i);
  assert.match(describeNote("probation"), /a few drills/);
  assert.equal(describeNote(null), "");
});
