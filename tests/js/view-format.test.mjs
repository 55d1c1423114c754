// Pure formatting of thresholds, standings, rewards, the drill's moment, and the charts.
import assert from "node:assert/strict";
import { test } from "node:test";

import { histogramSvg, historySvg, roundTicks } from "../../static/js/chart.js";
import {
  describeDrill, describeMoment, describeNote, describeRewards, describeStanding, describeThreshold, formatLevel,
  reliable,
} from "../../static/js/view.js";

const FRAME = 1000 / 60;

test("levels read as milliseconds or intensity, honest beyond the range", () => {
  assert.equal(formatLevel(66.66, "exposure"), "67 ms");
  assert.equal(formatLevel(741, "exposure"), "over 500 ms");
  assert.equal(formatLevel(0.234, "intensity"), "23% intensity");
});

test("no level is quoted faster than one frame of the player's display", () => {
  assert.equal(formatLevel(6, "exposure", FRAME), "1 frame (17 ms)");
  assert.equal(formatLevel(17, "exposure", FRAME), "17 ms");
  const fast = { value: 14, low: 6, high: 36, trials: 20 };
  assert.equal(describeThreshold({ ...fast, value: 20 }, "exposure", FRAME), "You catch emotions at 20 ms (likely 17 ms to 36 ms).");
  assert.equal(describeThreshold(fast, "exposure", FRAME), "You catch emotions at the shortest flash this screen can show: 1 frame (17 ms).");
});

test("a threshold is quoted only once enough trials back it, and never as 'over 500 to over 500'", () => {
  const few = { value: 15, low: 5, high: 40, trials: 3 };
  assert.equal(reliable(few), false);
  assert.match(describeThreshold(few, "exposure"), /after a few more answers/);
  const enough = { ...few, value: 45, low: 25, high: 80, trials: 20 };
  assert.equal(describeThreshold(enough, "exposure", FRAME), "You catch emotions at 45 ms (likely 25 ms to 80 ms).");
  const slow = { value: 700, low: 560, high: 900, trials: 20 };
  const sentence = describeThreshold(slow, "exposure", FRAME);
  assert.doesNotMatch(sentence, /over 500 ms to over 500 ms/);
  assert.match(sentence, /still over 500 ms/);
});

test("the drill ends on the moment that matters", () => {
  const at = (value) => ({ value, low: value * 0.7, high: value * 1.4, trials: 40 });
  assert.equal(describeMoment(at(60), at(31), FRAME), "You got faster: 60 ms → 31 ms");
  assert.equal(describeMoment(at(31), at(31.2), FRAME), "Holding steady at 31 ms.");
  assert.match(describeMoment(at(31), at(45), FRAME), /31 ms → 45 ms this time/);
  assert.equal(describeMoment(undefined, at(80), FRAME), "Your first speed estimate: 80 ms.");
  assert.match(describeMoment(undefined, { ...at(80), trials: 3 }, FRAME), /First steps/);
});

test("after a drill, one useful line: the best emotion and the one to work on", () => {
  const emotions = [
    { key: "happiness", name: "Happiness", cues: ["Cheeks raised"] },
    { key: "contempt", name: "Contempt", cues: ["One lip corner tightened"] },
    { key: "fear", name: "Fear", cues: ["Brows raised and drawn together"] },
  ];
  const perEmotion = { happiness: { shown: 3, correct: 3 }, contempt: { shown: 3, correct: 1 } };
  assert.equal(describeDrill(perEmotion, emotions), "Best: Happiness. To work on: Contempt: look for one lip corner tightened.");
  assert.match(describeDrill({ happiness: { shown: 2, correct: 2 } }, emotions), /Every emotion caught/);
});

test("standings are exact and kind with few players, percentages only with many", () => {
  assert.equal(describeStanding({ rank: 1, players: 2 }), "Rank 1 of 2: top of the board!");
  assert.equal(describeStanding({ rank: 2, players: 4 }), "Rank 2 of 4: ahead of 2 players.");
  assert.equal(describeStanding({ rank: 3, players: 3 }), "Rank 3 of 3: everyone starts somewhere. Play again to climb.");
  assert.equal(describeStanding({ rank: 3, players: 41 }), "Rank 3 of 41: ahead of 95% of players.");
  assert.match(describeStanding({ rank: 1, players: 1 }), /first on this board/);
  assert.equal(describeStanding(null), "");
});

test("rewards: offline drills say why there are no points; a streak never breaks at its hyphen", () => {
  assert.match(describeRewards({ type: "summary" }), /offline.*no points/i);
  assert.doesNotMatch(describeRewards({ type: "summary" }), /\+0 points/);
  assert.equal(describeRewards({ points: 120, bestAnswerStreak: 4, streak: { days: 1 } }), "+120 points · best run 4 in a row · 1\u2011day streak");
});

test("the history chart: round ticks, faster at the top, labels inside", () => {
  const svg = historySvg(
    [
      { value: 200, low: 150, high: 260 },
      { value: 120, low: 90, high: 160 },
      { value: 70, low: 55, high: 90 },
    ],
    (v) => `${Math.round(v)} ms`,
    300,
  );
  assert.equal((svg.match(/<circle/g) ?? []).length, 3);
  assert.match(svg, /from 200 ms to 70 ms/);
  const ys = [...svg.matchAll(/cy="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.ok(ys[0] > ys[1] && ys[1] > ys[2], "shorter thresholds sit higher on the chart");
  assert.match(svg, /↑ faster/);
  const ticks = [...svg.matchAll(/text-anchor="end">(\d+) ms</g)].map((m) => Number(m[1]));
  assert.ok(ticks.length >= 2, svg);
  for (const tick of ticks) assert.match(String(tick), /^[125]0*$/, `round tick ${tick}`);
  for (const x of [...svg.matchAll(/<text x="([\d.]+)"/g)].map((m) => Number(m[1]))) assert.ok(x >= 0 && x <= 300);
  assert.equal(historySvg([], String), "");
});

test("round ticks are 1-2-5 steps within the range", () => {
  assert.deepEqual(roundTicks(17, 260), [20, 50, 100, 200]);
  assert.deepEqual(roundTicks(55, 90), []);
  assert.ok(roundTicks(10, 1000).length <= 4);
});

test("the histogram marks where the player scored", () => {
  const bins = [{ from: 0, to: 100, players: 3 }, { from: 100, to: 200, players: 5 }];
  const svg = histogramSvg(bins, { width: 300, mine: 150 });
  assert.match(svg, /class="you-label" x="225.0"/);
  assert.match(svg, />you</);
  assert.doesNotMatch(histogramSvg(bins, { width: 300 }), />you</);
});

test("a player off the public boards is told why, neutrally", () => {
  assert.match(describeNote("checking"), /being checked/);
  assert.doesNotMatch(describeNote("checking"), /cheat|ban|suspic/i);
  assert.match(describeNote("probation"), /a few drills/);
  assert.equal(describeNote(null), "");
});
