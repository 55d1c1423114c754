// Identities: deterministic per seed, varied (over a million combinations, every option reachable),
// and never broken: hair, scarves and glasses leave every expression cue visible.
import { test } from "node:test";
import assert from "node:assert/strict";

import { identityFromSeed, CHOICES, countCombinations, luma, toLab, validTraits } from "../../static/js/face/identity.js";
import { faceGeometry, landmarks } from "../../static/js/face/geometry.js";

const SAMPLE = Array.from({ length: 6000 }, (_, i) => identityFromSeed((i * 2246822519 + 17) >>> 0));

/** The categorical choices that make two faces look different. */
const signature = (id) => JSON.stringify([id.skin.fitzpatrick, id.skin.undertone, id.presentation, id.age,
  id.faceShape, id.nose, id.lips, id.eyes.shape, id.eyes.colour, id.brows, id.hair.style, id.hair.colour,
  id.facialHair, id.glasses]);

test("the same seed gives the same face, different seeds different faces", () => {
  for (const seed of [0, 1, 42, 2 ** 31, 2 ** 32 - 1]) {
    assert.deepEqual(identityFromSeed(seed), identityFromSeed(seed));
    assert.equal(identityFromSeed(seed).seed, seed >>> 0);
  }
  assert.notDeepEqual(identityFromSeed(1), identityFromSeed(2));
  assert.deepEqual(JSON.parse(JSON.stringify(identityFromSeed(7))), identityFromSeed(7), "plain JSON data");
});

test("there are over a million distinct combinations, and sampling finds them", () => {
  assert.ok(countCombinations() >= 1_000_000, `${countCombinations()}`);
  const distinct = new Set(SAMPLE.map(signature));
  // With a space of a million or more (weighted), 6000 draws should rarely collide.
  assert.ok(distinct.size / SAMPLE.length > 0.97, `${distinct.size} distinct of ${SAMPLE.length}`);
});

test("every option of every choice actually occurs", () => {
  const seen = {
    fitzpatrick: new Set(SAMPLE.map((id) => id.skin.fitzpatrick)),
    undertone: new Set(SAMPLE.map((id) => id.skin.undertone)),
    presentation: new Set(SAMPLE.map((id) => id.presentation)),
    age: new Set(SAMPLE.map((id) => id.age)),
    faceShape: new Set(SAMPLE.map((id) => id.faceShape)),
    nose: new Set(SAMPLE.map((id) => id.nose)),
    lips: new Set(SAMPLE.map((id) => id.lips)),
    eyeShape: new Set(SAMPLE.map((id) => id.eyes.shape)),
    eyeColour: new Set(SAMPLE.map((id) => id.eyes.colour)),
    brows: new Set(SAMPLE.map((id) => id.brows)),
    hairStyle: new Set(SAMPLE.map((id) => id.hair.style)),
    hairColour: new Set(SAMPLE.map((id) => id.hair.colour)),
    facialHair: new Set(SAMPLE.map((id) => id.facialHair)),
    glasses: new Set(SAMPLE.map((id) => id.glasses)),
  };
  for (const [name, values] of Object.entries(seen)) {
    assert.deepEqual([...values].sort(), [...CHOICES[name]].sort(), name);
  }
});

test("skin tones span Fitzpatrick I-VI evenly enough to see every type often", () => {
  for (const type of CHOICES.fitzpatrick) {
    const share = SAMPLE.filter((id) => id.skin.fitzpatrick === type).length / SAMPLE.length;
    assert.ok(share > 0.12 && share < 0.22, `type ${type}: ${share}`);
  }
  const lightness = (id) => id.skin.rgb.reduce((a, b) => a + b, 0) / 3;
  const byType = CHOICES.fitzpatrick.map((t) => {
    const ids = SAMPLE.filter((id) => id.skin.fitzpatrick === t);
    return ids.reduce((sum, id) => sum + lightness(id), 0) / ids.length;
  });
  for (let i = 1; i < byType.length; i++) assert.ok(byType[i] < byType[i - 1] - 10, "each type darker than the last");
});

test("every skin type with every undertone is a natural skin colour, the undertone as subtle on VI as on I", () => {
  // Real skin lies at CIELAB hue angles of about 40-75 degrees (red-orange to yellow-orange), always with some
  // red: a fixed RGB offset turned type VI pink (cool) or olive-green and light olive skin ivory (a* < 0).
  const byType = new Map();
  for (const identity of SAMPLE) {
    const [l, a, b] = toLab(identity.skin.rgb);
    const hue = (Math.atan2(b, a) * 180) / Math.PI;
    const where = `type ${identity.skin.fitzpatrick} ${identity.skin.undertone} ${identity.skin.rgb}`;
    assert.ok(hue > 40 && hue < 75, `${where}: hue ${hue.toFixed(1)}`);
    assert.ok(a > 3 && Math.hypot(a, b) > 8, `${where}: a* ${a.toFixed(1)}`);
    const key = `${identity.skin.fitzpatrick}`;
    if (!byType.has(key)) byType.set(key, new Map());
    const hues = byType.get(key);
    if (!hues.has(identity.skin.undertone)) hues.set(identity.skin.undertone, []);
    hues.get(identity.skin.undertone).push({ l, hue });
  }
  for (const [type, hues] of byType) {
    const mean = (list, field) => list.reduce((sum, item) => sum + item[field], 0) / list.length;
    const neutral = hues.get("neutral");
    for (const [undertone, list] of hues) {
      // An undertone moves the hue, never the lightness that makes the type.
      assert.ok(Math.abs(mean(list, "l") - mean(neutral, "l")) < 1, `type ${type} ${undertone}: L* moved`);
      assert.ok(Math.abs(mean(list, "hue") - mean(neutral, "hue")) < 11, `type ${type} ${undertone}: hue moved too far`);
    }
  }
});

const EVERYTHING_RAISED = {
  au: { 1: [1, 1], 2: [1, 1], 5: [1, 1], 26: [1, 1], 20: [1, 1], 9: [1, 1], 10: [1, 1] },
  gaze: [0, 0], head: { pitch: 0, roll: 0 },
};
const ANGRY = { au: { 4: [1, 1], 7: [1, 1], 9: [1, 1], 23: [1, 1] }, gaze: [0, 1], head: { pitch: 1, roll: 0 } };

test("hair and headscarves stop above the highest raised brows and their forehead lines", () => {
  for (const identity of SAMPLE.slice(0, 1500)) {
    for (const pose of [EVERYTHING_RAISED, ANGRY]) {
      const geo = faceGeometry(identity, pose);
      const browTop = Math.min(...["L", "R"].flatMap((s) => geo.brows[s].upper.map((p) => p.y)));
      const foreheadTop = Math.min(browTop, ...geo.lines.filter((l) => l.kind === "forehead")
        .flatMap((l) => l.points.map((p) => p.y)));
      assert.ok(geo.hairlineY < foreheadTop - 0.3,
        `seed ${identity.seed} ${identity.hair.style}: hairline ${geo.hairlineY} vs cue ${foreheadTop}`);
    }
  }
});

/** @param {unknown} value */
function allFinite(value) {
  if (typeof value === "number") return Number.isFinite(value);
  if (value && typeof value === "object") return Object.values(value).every(allFinite);
  return true;
}

test("no identity produces broken geometry in extreme poses", () => {
  for (const identity of SAMPLE.slice(0, 800)) {
    for (const pose of [EVERYTHING_RAISED, ANGRY]) {
      const geo = faceGeometry(identity, pose);
      assert.ok(allFinite(geo), `seed ${identity.seed}`);
      for (const side of ["L", "R"]) {
        const eye = geo.eyes[side];
        for (let i = 1; i < 4; i++) assert.ok(eye.lower[i].y > eye.upper[i].y, "lids never cross");
      }
      const p = landmarks(identity, pose);
      assert.ok(p.lowerLipInner.y >= p.upperLipInner.y, "lips never cross");
      assert.ok(p.chin.y > p.lowerLipBottom.y + 3, "chin below the lip");
    }
  }
});

test("neutral faces look neutral: brows level-ish, mouth closed and level, eyes not wide", () => {
  for (const identity of SAMPLE.slice(0, 1500)) {
    const geo = faceGeometry(identity, { au: {}, gaze: [0, 0], head: { pitch: 0, roll: 0 } });
    assert.equal(geo.mouth.gap, 0);
    const p = landmarks(identity, { au: {} });
    const unit = geo.iod / 30;
    // Relaxed, not sad: the corners level with the lip line or a touch above it (never a frown, never a smile),
    // the brow tails no lower than the heads (brows sloping down to the temples read as sad).
    const rise = p.upperLipInner.y - p.mouthCornerL.y;
    assert.ok(rise > 0 && rise < 0.9 * unit, `corners level with the lip line or a touch above: ${rise / unit}`);
    assert.ok(Math.abs(p.browInnerL.y - p.browOuterL.y) < 0.9 * unit, "brows not slanted");
    assert.ok(p.browOuterL.y < p.browInnerL.y && p.browOuterR.y < p.browInnerR.y, "brow tails not below the heads");
    for (const side of ["L", "R"]) {
      const eye = geo.eyes[side];
      assert.ok(Math.min(...eye.upper.map((q) => q.y)) > eye.iris.y - eye.iris.r, "lid covers the top of the iris");
    }
    assert.ok(Math.max(...geo.lines.map((l) => l.alpha)) < 0.35, `seed ${identity.seed}: no expression creases`);
  }
});

test("glasses never cover the white above the iris, even with the lids fully raised", () => {
  const wide = { au: { 5: [1, 1], 1: [1, 1], 2: [1, 1] }, gaze: [1, 0], head: { pitch: 0, roll: 0 } };
  const withGlasses = SAMPLE.filter((id) => id.glasses !== "none").slice(0, 600);
  assert.ok(withGlasses.length > 300);
  for (const identity of withGlasses) {
    const geo = faceGeometry(identity, wide);
    for (const side of ["L", "R"]) {
      const lidTop = Math.min(...geo.eyes[side].upper.map((p) => p.y));
      const rim = geo.glasses[side];
      assert.ok(rim.y - rim.halfHeight + rim.rim / 2 < lidTop - 0.1, `seed ${identity.seed} ${identity.glasses}`);
      const eye = geo.eyes[side];
      assert.ok(rim.x - rim.halfWidth < eye.upper[0].x && eye.upper[4].x < rim.x + rim.halfWidth ||
        rim.x - rim.halfWidth < eye.upper[4].x && eye.upper[0].x < rim.x + rim.halfWidth, "eye inside the lens");
    }
  }
});

test("brows are always clearly darker than the skin, whatever the hair colour", () => {
  // Brows carry sadness, surprise, fear and anger; blonde or grey brows on tan or dark skin vanished before.
  for (const identity of SAMPLE) {
    const gap = luma(identity.skin.rgb) - luma(identity.hair.browRgb);
    assert.ok(gap >= 40, `seed ${identity.seed}: brows only ${gap.toFixed(0)} luma darker than the skin`);
  }
});


test("facial hair is drawn darker than the skin, in a colour from the hair, never as a pale mask", async () => {
  const { facialHairPalette } = await import("../../static/js/face/draw.js");
  const bearded = SAMPLE.filter((id) => id.facialHair !== "none");
  assert.ok(bearded.length > 500);
  for (const identity of bearded) {
    const { body, dark, light } = facialHairPalette(identity);
    const skin = luma(identity.skin.rgb);
    assert.ok(skin - luma(body) >= 40, `seed ${identity.seed}: beard only ${(skin - luma(body)).toFixed(0)} darker`);
    assert.ok(luma(dark) <= luma(body) && luma(light) <= skin - 30 + 0.01, `seed ${identity.seed}: texture colours`);
  }
});

test("server-chosen traits set skin type, glasses and facial hair; the seed keeps everything else", () => {
  const traits = { fitzpatrick: 6, glasses: true, facialHair: "fullBeard" };
  for (const seed of SAMPLE.slice(0, 300).map((id) => id.seed)) {
    const bare = identityFromSeed(seed);
    const chosen = identityFromSeed(seed, traits);
    assert.equal(chosen.skin.fitzpatrick, 6);
    assert.equal(chosen.facialHair, "fullBeard");
    assert.notEqual(chosen.glasses, "none");
    if (bare.glasses !== "none") assert.equal(chosen.glasses, bare.glasses, "a seed's own frame is kept");
    assert.notEqual(chosen.presentation, "feminine", "a beard goes on a face that can carry one");
    for (const key of ["faceShape", "nose", "lips", "brows", "iodScale", "age"]) {
      assert.deepEqual(chosen[key], bare[key], `seed ${seed}: ${key}`);
    }
    // What follows from the skin type follows it: type VI skin is dark whatever the seed drew.
    assert.ok(luma(chosen.skin.rgb) < 90, `seed ${seed}: ${chosen.skin.rgb}`);
    assert.deepEqual(identityFromSeed(seed, traits), chosen, "deterministic with traits too");
    const none = identityFromSeed(seed, { fitzpatrick: 1, glasses: false, facialHair: "none" });
    assert.equal(none.glasses, "none");
    assert.equal(none.facialHair, "none");
    assert.ok(luma(none.skin.rgb) > 180);
  }
});

test("unknown or hostile trait values are ignored, so a bad message cannot break the face", () => {
  const seed = 4242;
  const bare = identityFromSeed(seed);
  for (const bad of [null, 7, "x", [], { fitzpatrick: 9, glasses: "yes", facialHair: "<script>" },
    { fitzpatrick: "6" }, { __proto__: { fitzpatrick: 6 } }]) {
    assert.deepEqual(identityFromSeed(seed, bad), bare, JSON.stringify(bad));
  }
  assert.deepEqual(validTraits({ fitzpatrick: 3, glasses: false, facialHair: "goatee", extra: 1 }),
    { fitzpatrick: 3, glasses: false, facialHair: "goatee" });
});

test("offline practice draws traits from the catalogue's tables as the server does", async () => {
  const { drawTraits } = await import("../../static/js/offline/local-server.js");
  const tables = { fitzpatrick: [1, 2, 3, 4, 5, 6], glassesShare: 1 / 3,
    facialHair: { none: 5, stubble: 1, moustache: 1, goatee: 1, shortBeard: 1, fullBeard: 1 } };
  let state = 7;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const draws = Array.from({ length: 6000 }, () => drawTraits(tables, random));
  for (const type of tables.fitzpatrick) {
    const share = draws.filter((t) => t.fitzpatrick === type).length / draws.length;
    assert.ok(Math.abs(share - 1 / 6) < 0.025, `type ${type}: ${share}`);
  }
  const glasses = draws.filter((t) => t.glasses).length / draws.length;
  assert.ok(Math.abs(glasses - 1 / 3) < 0.03, `glasses ${glasses}`);
  const none = draws.filter((t) => t.facialHair === "none").length / draws.length;
  assert.ok(Math.abs(none - 0.5) < 0.03, `no facial hair ${none}`);
  assert.deepEqual(new Set(draws.map((t) => t.facialHair)), new Set(Object.keys(tables.facialHair)));
  for (const traits of draws.slice(0, 50)) assert.deepEqual(validTraits(traits), traits);
});
