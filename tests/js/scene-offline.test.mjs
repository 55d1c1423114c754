// Offline scenes: the LocalServer hands scene starts to LocalScenes, which plays a cached pack.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { judge, nominalPeriod } from "../../static/js/offline/local-server.js";
import { LocalScenes as Scenes, packUrl } from "../../static/js/scene/offline.js";

class LocalScenes extends Scenes {
  /** @param {any} parts */
  constructor(parts) {
    super({ judge, nominalPeriod, ...parts });
  }
}

const RULES = { displayRatesHz: [60, 120], refreshTolerance: 0.1 };

function pack(count = 14) {
  return {
    periodMs: 1000 / 60,
    scenes: Array.from({ length: count }, (_, i) => ({
      scene: { type: "scene", trialId: "", identitySeed: i, frames: 200, window: { start: 50, frames: 8 }, keyframes: [] },
      emotion: ["anger", "sadness"][i % 2], leak: { start: 52, frames: 4, cue: "x" }, leakMs: 66.7,
    })),
  };
}

describe("LocalScenes", () => {
  it("plays ten scenes from the pack, replaces a voided one, and sums up", async () => {
    let n = 0;
    const urls = [];
    const scenes = new LocalScenes({ rules: RULES, newId: () => `id${n++}`,
      fetchPack: async (url) => (urls.push(url), pack()) });
    let [started, scene] = await scenes.start({ type: "start", mode: "scene", refreshMs: 16.9 });
    assert.equal(urls[0], packUrl(1000 / 60));
    assert.equal(started.type, "started");
    assert.equal(started.total, 10);
    const seen = [];
    let summary = null;
    let right = 0;
    for (let i = 0; i < 20 && !summary; i += 1) {
      seen.push(scene.identitySeed);
      assert.equal("emotion" in scene, false, "the scene never carries its answer");
      const voided = i === 1;
      const replies = scenes.answer({ type: "answer", trialId: scene.trialId, answer: "anger",
        framesShown: voided ? 7 : 8, refreshMs: 16.7, stalled: false });
      assert.equal(replies[0].scored, !voided);
      if (!voided && replies[0].emotion === "anger") right += 1;
      if (!voided) assert.deepEqual(replies[0].leak, { start: 52, frames: 4, cue: "x" });
      summary = replies[1] ?? null;
      if (!summary) [scene] = scenes.next();
    }
    assert.equal(summary.type, "summary");
    assert.equal(summary.shown, 10);
    assert.equal(summary.correct, right);
    assert.equal(seen.length, 11);
    assert.notEqual(seen[2], seen[1], "a voided scene comes back later, with another scene first");
    assert.equal(scenes.active, false);
  });

  it("says so when no pack was ever cached", async () => {
    const scenes = new LocalScenes({ rules: RULES, fetchPack: async () => { throw new Error("offline"); } });
    const [reply] = await scenes.start({ type: "start", mode: "scene", refreshMs: 16.7 });
    assert.equal(reply.code, "offline_scenes");
    assert.equal(scenes.active, false);
  });

  it("refuses an answer for a scene it did not send", async () => {
    const scenes = new LocalScenes({ rules: RULES, fetchPack: async () => pack() });
    await scenes.start({ type: "start", mode: "scene", refreshMs: 16.7 });
    const [reply] = scenes.answer({ type: "answer", trialId: "nope", answer: "anger", framesShown: 8, refreshMs: 16.7 });
    assert.equal(reply.code, "unknown_trial");
  });
});
