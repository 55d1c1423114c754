// Fear's stare on pale skin: the eye white must read as white against the skin, or the wide eye is only an outline
// (in grey, the classifier's view and a glance's, fear on Fitzpatrick I read as surprise or sad).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

import { faceGeometry } from "../../static/js/face/geometry.js";
import { eyeWhite, paleStare, skinPalette } from "../../static/js/face/draw.js";
import { identityFromSeed } from "../../static/js/face/identity.js";
import { lightness } from "../../static/js/face/paths.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SEEDS = Array.from({ length: 12 }, (_, i) => (i * 2654435761 + 7) >>> 0);

const CATALOGUE = JSON.parse(execFileSync(path.join(ROOT, ".venv/bin/python"), ["-c",
  "import json; from game.emotions import catalogue; print(json.dumps(catalogue()))"], { cwd: ROOT }).toString());

/** Every variant of an emotion at full intensity, as game.emotions defines it. */
function poses(key) {
  const emotion = CATALOGUE.emotions.find((e) => e.key === key);
  return emotion.variants.map((v) => ({
    au: Object.fromEntries(Object.entries(v.units).map(([unit, level]) => [unit, [level, level]])),
    gaze: [0, v.gazeDown], head: { pitch: v.headDown, roll: 0 },
  }));
}

/** What drawEyes draws for this face: the eye white and the shade round the opening. */
function eyeOf(identity, pose) {
  const skin = skinPalette(identity);
  const { levels } = faceGeometry(identity, pose);
  const pale = paleStare(identity, skin, levels);
  const white = eyeWhite(skin, Math.max(...levels[5]), pale);
  return { skin, pale, whiteAboveSkin: lightness(white) - lightness(skin.base) };
}

test("fear's eye white stands clear of type I skin; at rest and in surprise it is drawn as before", () => {
  const [fear, surprise] = [poses("fear"), poses("surprise")];
  const rest = { au: {}, gaze: [0, 0], head: { pitch: 0, roll: 0 } };
  for (const seed of SEEDS) {
    const identity = identityFromSeed(seed, { fitzpatrick: 1, facialHair: "none" });
    const still = eyeOf(identity, rest);
    assert.ok(still.whiteAboveSkin < 7.5, `seed ${seed}: at rest the white is ${still.whiteAboveSkin.toFixed(1)} L* above`);
    for (const pose of fear) {
      const eye = eyeOf(identity, pose);
      assert.ok(eye.whiteAboveSkin >= 7.5, `seed ${seed}: fear's white only ${eye.whiteAboveSkin.toFixed(1)} L* above`);
      assert.ok(eye.pale.shade > 0.4, `seed ${seed}: lids round fear's eye shaded ${eye.pale.shade}`);
    }
    for (const pose of surprise) assert.deepEqual(eyeOf(identity, pose).pale, still.pale, "surprise's eye as at rest");
  }
});

test("on type III to VI fear's eye is drawn as before (the white stands far above the skin)", () => {
  for (const fitzpatrick of [3, 4, 5, 6]) {
    for (const seed of SEEDS) {
      const identity = identityFromSeed(seed, { fitzpatrick, facialHair: "none" });
      for (const pose of poses("fear")) {
        const eye = eyeOf(identity, pose);
        assert.deepEqual(eye.pale, { whiten: 0, shade: 0 }, `type ${fitzpatrick}, seed ${seed}`);
        assert.ok(eye.whiteAboveSkin > 15, `type ${fitzpatrick}: white ${eye.whiteAboveSkin.toFixed(1)} L* above`);
      }
    }
  }
});

test("a bearded face's fear is drawn as before on every skin (fear in a beard is tuned through its mouth)", () => {
  for (const fitzpatrick of [1, 2, 3]) {
    for (const seed of SEEDS) {
      const identity = identityFromSeed(seed, { fitzpatrick, facialHair: "fullBeard" });
      for (const pose of poses("fear")) assert.deepEqual(eyeOf(identity, pose).pale, { whiten: 0, shade: 0 });
    }
  }
});
