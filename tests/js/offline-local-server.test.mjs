// The browser's own drill server: the real Drill script plays against it, offline.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { Drill } from "../../static/js/drill.js";
import { LocalServer, nominalPeriod, planEmotions } from "../../static/js/offline/local-server.js";
import { poseFromVariant } from "../../static/js/pose.js";
import { MemoryQueue } from "../../static/js/offline/queue.js";
import { Staircase } from "../../static/js/offline/staircase.js";

const KEYS = ["happiness", "sadness", "surprise", "fear", "anger", "disgust", "contempt"];
// The drill rules and neutral pose come from the server's own catalogue, as the browser caches it.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SERVED = JSON.parse(execFileSync(path.join(ROOT, ".venv/bin/python"), ["-c",
  "import json; from game.emotions import catalogue; from game.rounds import rules; "
  + "print(json.dumps({**catalogue(), 'drillRules': rules()}))"], { cwd: ROOT, encoding: "utf8" }));
const CATALOGUE = {
  drillRules: SERVED.drillRules,
  neutralPose: SERVED.neutralPose,
  emotions: KEYS.map((key) => ({
    key,
    variants: [
      { units: { 12: 0.9, 6: 0.8 }, oneSided: false, gazeDown: 0, headDown: 0 },
      { units: { 14: 0.7 }, oneSided: true, gazeDown: 0.5, headDown: 0.2 },
    ],
  })),
};
const RESULT_FIELDS = ["answer", "answered", "correct", "done", "emotion", "exposureMs", "flag", "replay", "scored",
  "total", "trialId", "type"];
const TRIAL_FIELDS = ["exposureFrames", "expression", "foreperiodFrames", "identitySeed", "maskFrames", "neutral",
  "position", "total", "trialId", "type"];

/** A seeded generator so each run is the same. */
function seeded(seed = 42) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function makeServer(overrides = {}) {
  let clock = 1_800_000_000_000;
  let ids = 0;
  const queue = new MemoryQueue();
  const server = new LocalServer({
    catalogue: CATALOGUE, queue, random: seeded(), now: () => (clock += 900), newId: () => `id-${++ids}-abcdefgh`,
    timeZone: "Europe/Paris", ...overrides,
  });
  return { server, queue };
}

/** A presenter that shows each flash as asked, except where `misshow` says otherwise. */
function fakePresenter(misshow = () => null) {
  const shown = [];
  return {
    shown,
    measureRefresh: async () => 16.69,
    present: async (trial) => {
      shown.push(trial);
      const frames = misshow(trial, shown.length) ?? trial.exposureFrames;
      return { framesShown: frames, refreshMs: 16.67, maxGapMs: 17.1, maskEndTs: 0, flagReason: null };
    },
  };
}

function fakeView(answer = (trial) => "fear") {
  const results = [];
  let current = null;
  return {
    results,
    summary: null,
    showStarted: () => {},
    showTrial: (trial) => (current = trial),
    showVoided: async (result) => void results.push(result),
    waitForAnswer: async () => ({ answer: answer(current), at: 300 }),
    showResult: async (result) => void results.push(result),
    showSummary(summary) {
      this.summary = summary;
    },
    notice: (text) => assert.fail(`unexpected notice: ${text}`),
    showReconnecting: () => assert.fail("a local server never drops"),
  };
}

test("the real Drill plays a whole drill against the LocalServer and every answer is queued", async () => {
  const { server, queue } = makeServer();
  const presenter = fakePresenter();
  const view = fakeView();
  const drill = new Drill({ connection: server, presenter, view, wait: async () => {} });
  const welcome = await drill.connect();
  assert.deepEqual(welcome, { type: "welcome", v: 1, activeDrill: null });

  const summary = await drill.play({ mode: "speed" });

  assert.equal(summary.type, "summary");
  assert.equal(summary.shown, 20);
  assert.equal(summary.axis, "exposure");
  assert.deepEqual(Object.keys(summary.perEmotion).sort(), [...KEYS].sort(), "every emotion is shown");
  assert.ok(summary.thresholds.all.value > 0 && summary.thresholds.all.trials === 20);
  for (const trial of presenter.shown) assert.deepEqual(Object.keys(trial).sort(), TRIAL_FIELDS);
  for (const result of view.results) assert.deepEqual(Object.keys(result).sort(), RESULT_FIELDS);
  assert.deepEqual(presenter.shown.map((t) => t.position), Array.from({ length: 20 }, (_, i) => i + 1));

  const queued = await queue.oldest(100);
  assert.equal(queued.length, 20);
  assert.equal(new Set(queued.map((e) => e.id)).size, 20, "each result has its own id");
  assert.equal(new Set(queued.map((e) => e.drillId)).size, 1);
  assert.ok(queued.every((e) => e.scored && e.flag === null && e.timeZone === "Europe/Paris" && e.drillTotal === 20));
  assert.ok(queued.every((e) => e.correct === undefined), "the server works correctness out itself");
  assert.equal(queued.filter((e) => e.emotion === "fear").length, summary.correct);
});

test("a flash shown for the wrong number of frames is replayed with a new face, unscored", async () => {
  const { server, queue } = makeServer();
  const presenter = fakePresenter((trial, count) => (count === 3 ? trial.exposureFrames + 1 : null));
  const view = fakeView((trial) => "happiness");
  const drill = new Drill({ connection: server, presenter, view, wait: async () => {} });
  await drill.play();

  const voided = view.results[2];
  assert.equal(voided.scored, false);
  assert.equal(voided.replay, true);
  assert.equal(voided.flag, "frames");
  assert.equal(voided.answered, 2);
  assert.equal(voided.emotion, null, "a voided flash names nothing, as on the server");
  assert.equal(voided.correct, null);
  const [third, again] = [presenter.shown[2], presenter.shown[3]];
  assert.equal(again.position, third.position);
  assert.notEqual(again.identitySeed, third.identitySeed);
  assert.equal(presenter.shown.length, 21);
  const queued = await queue.oldest(100);
  assert.equal(queued.length, 21);
  assert.deepEqual(queued.filter((e) => !e.scored).map((e) => [e.position, e.attempt, e.flag]), [[3, 0, "frames"]]);
  assert.equal(queued.find((e) => e.position === 3 && e.scored).attempt, 1);
});

test("stalls and a changed refresh rate void the trial too", async () => {
  const { server } = makeServer();
  await server.open();
  await server.ask({ type: "hello", v: 1 });
  await server.ask({ type: "start", mode: "speed", refreshMs: 16.7 });
  let trial = await server.receive();
  const base = { type: "answer", answer: "fear", maxGapMs: 17, reactionMs: 10 };
  let result = await server.ask({ ...base, trialId: trial.trialId, framesShown: trial.exposureFrames, refreshMs: 16.7,
    stalled: true });
  assert.equal(result.flag, "stall");
  trial = await server.ask({ type: "next" });
  result = await server.ask({ ...base, trialId: trial.trialId, framesShown: trial.exposureFrames, refreshMs: 8.3 });
  assert.equal(result.flag, "refresh");
  assert.equal(result.answered, 0);
});

test("a refresh rate faster than any real display is refused, as on the server", async () => {
  const { server } = makeServer();
  await server.open();
  const refused = await server.ask({ type: "start", refreshMs: 3 });
  assert.deepEqual([refused.code, refused.field], ["bad_field", "refreshMs"]);
  await server.ask({ type: "start", refreshMs: 4.17 });
  const trial = await server.receive();
  const lying = await server.ask({ type: "answer", trialId: trial.trialId, answer: "fear",
    framesShown: trial.exposureFrames, refreshMs: 2, maxGapMs: 4, reactionMs: 10 });
  assert.deepEqual([lying.code, lying.field], ["bad_field", "refreshMs"]);
});

test("protocol errors are the server's: unknown trial, answer pending, no drill", async () => {
  const { server, queue } = makeServer();
  await server.open();
  assert.equal((await server.ask({ type: "next" })).code, "no_drill");
  await server.ask({ type: "start", refreshMs: 16.7 });
  const trial = await server.receive();
  assert.equal((await server.ask({ type: "next" })).code, "answer_pending");
  const stray = await server.ask({ type: "answer", trialId: "nope", answer: "fear", framesShown: 1, refreshMs: 16.7,
    maxGapMs: 17, reactionMs: 10 });
  assert.equal(stray.code, "unknown_trial");
  const tooSlow = await server.ask({ type: "answer", trialId: trial.trialId, answer: "fear", framesShown: 1,
    refreshMs: 16.7, maxGapMs: 17, reactionMs: 10_000_000 });
  assert.equal(tooSlow.code, "bad_timing");
  assert.equal(await queue.count(), 0, "nothing is queued for a refused answer");
  assert.equal((await server.ask({ type: "abandon" })).type, "abandoned");
});

test("subtle mode adapts intensity at a fixed 200 ms exposure", async () => {
  const { server } = makeServer();
  await server.open();
  const started = await server.ask({ type: "start", mode: "subtle", refreshMs: 16.7 });
  assert.equal(started.mode, "subtle");
  const trial = await server.receive();
  assert.equal(trial.exposureFrames, 12);
  const levels = Object.values(trial.expression.au).flat().filter((v) => v > 0);
  assert.ok(levels.every((v) => v < 0.9), "starts below full intensity");
});

test("the staircase is saved and picked up by the next drill", async () => {
  const saved = new Map();
  const storage = { getItem: (k) => saved.get(k) ?? null, setItem: (k, v) => saved.set(k, v) };
  const { server } = makeServer({ storage });
  const drill = new Drill({ connection: server, presenter: fakePresenter(), view: fakeView(), wait: async () => {} });
  await drill.play();
  const state = JSON.parse(saved.get("glimpse.offline.staircase.exposure"));
  assert.equal(state.trials, 20);
  const next = new Staircase("exposure", state);
  assert.equal(next.next(), 2 ** state.level);
});

test("a weighted staircase settles near 75% correct", () => {
  const random = seeded(7);
  const thresholdMs = 60;
  const staircase = new Staircase("exposure");
  let correct = 0;
  const trials = 400;
  for (let i = 0; i < trials; i += 1) {
    const shown = Math.max(16.67, Math.round(staircase.next() / 16.67) * 16.67);
    // 7AFC observer: chance 1/7, 75% at the threshold
    const atThreshold = Math.log((0.75 - 1 / 7) / (1 - 0.75)); // logistic offset: 75% at the threshold
    const p = 1 / 7 + (6 / 7) / (1 + Math.exp(-(3 * (Math.log2(shown) - Math.log2(thresholdMs)) + atThreshold)));
    const right = random() < p;
    if (i >= 100) correct += right ? 1 : 0;
    staircase.update(right, 16.67);
  }
  const rate = correct / (trials - 100);
  assert.ok(rate > 0.66 && rate < 0.84, `settled at ${rate}`);
});

test("plans are balanced, poses and periods follow the server's rules", () => {
  const plan = planEmotions(KEYS, 20, seeded(3));
  const counts = KEYS.map((k) => plan.filter((e) => e === k).length);
  assert.equal(plan.length, 20);
  assert.ok(Math.max(...counts) - Math.min(...counts) <= 1 && Math.min(...counts) >= 1);
  assert.deepEqual(poseFromVariant({ units: { 14: 0.7 }, oneSided: true, gazeDown: 0.5, headDown: 0.2 }, 0.5, "R"),
    { au: { 14: [0, 0.35] }, gaze: [0, 0.25], head: { pitch: 0.1, roll: 0 } });
  const rates = CATALOGUE.drillRules.displayRatesHz;
  assert.equal(nominalPeriod(16.9, rates), 1000 / 60);
  assert.equal(nominalPeriod(8.4, rates), 1000 / 120);
});

test("offline faces never come from the pool reserved for checkups (seeds of 2^31 and up)", async () => {
  const { server } = makeServer();
  await server.open();
  await server.ask({ type: "start", refreshMs: 16.7 });
  const seeds = [];
  for (let i = 0; i < 20; i += 1) {
    const trial = await server.receive();
    seeds.push(trial.identitySeed);
    const result = await server.ask({ type: "answer", trialId: trial.trialId, answer: "fear",
      framesShown: trial.exposureFrames, refreshMs: 16.7, maxGapMs: 17, reactionMs: 0 });
    if (result.done) break;
    server.send({ type: "next" });
  }
  assert.equal(seeds.length, 20);
  assert.ok(seeds.every((seed) => Number.isInteger(seed) && seed >= 0 && seed < 2 ** 31));
});
