// Disgust on dark skin keeps no smile's sheen: under AU9 the lit apple of the cheek and the pale spot on the lower
// lip (both far out of proportion on types V-VI) go, so the raised cheeks and the closed "yuck" do not read as a
// smile's lit apples over a band of teeth. Types I-IV, and every face without AU9, are drawn as before.
import { test } from "node:test";
import assert from "node:assert/strict";

import { sheenUnderSneer, sneerCurl, skinPalette } from "../../static/js/face/draw.js";
import { faceGeometry } from "../../static/js/face/geometry.js";
import { identityFromSeed } from "../../static/js/face/identity.js";
import { fullPoses } from "./catalogue-poses.mjs";

const SEEDS = [11, 2024, 77, 9, 207];
const POSES = fullPoses();

/** The sheen's share on the cheek's apple (left side) and on the lower lip's middle. */
function sheenShares(seed, fitzpatrick, pose) {
  const identity = identityFromSeed(seed, { fitzpatrick, facialHair: "none" });
  const skin = skinPalette(identity);
  const levels = faceGeometry(identity, pose).levels;
  return { apple: sheenUnderSneer(skin, levels[9][0]), lip: sheenUnderSneer(skin, sneerCurl(levels)) };
}

test("disgust on type VI draws neither a lit apple nor a pale spot on the lower lip", () => {
  const disgust = POSES.filter((p) => p.label.startsWith("disgust"));
  assert.equal(disgust.length, 2);
  for (const seed of SEEDS) {
    for (const { label, pose } of disgust) {
      const { apple, lip } = sheenShares(seed, 6, pose);
      assert.ok(apple < 0.05 && lip < 0.15, `seed ${seed} ${label}: apple ${apple.toFixed(2)}, lip ${lip.toFixed(2)}`);
      // Type V keeps about half: its sheen is out of proportion by less.
      const v = sheenShares(seed, 5, pose);
      assert.ok(v.lip > 0.4 && v.lip < 0.65, `seed ${seed} ${label} type V: lip ${v.lip.toFixed(2)}`);
    }
  }
});

test("every other emotion, and disgust on types I-IV, keeps all of its sheen", () => {
  for (const seed of SEEDS) {
    for (const { label, units, pose } of POSES) {
      for (const fitzpatrick of [1, 2, 3, 4, 5, 6]) {
        if (fitzpatrick > 4 && label.startsWith("disgust")) continue;
        const { apple, lip } = sheenShares(seed, fitzpatrick, pose);
        assert.equal(apple, 1, `seed ${seed} type ${fitzpatrick} ${label} (${JSON.stringify(units)}): apple`);
        assert.equal(lip, 1, `seed ${seed} type ${fitzpatrick} ${label}: lip`);
      }
    }
  }
});
