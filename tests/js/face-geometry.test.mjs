// Face geometry: every action unit moves the right landmarks, the right way, by the size facs.md gives
// (as a fraction of the inter-ocular distance), and identity never changes what an expression does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

import {
  faceGeometry, landmarks, neutralLandmarks, IOD_OF, SUPPORTED_AUS, LIP_THINNING, REST_BROW_TAIL_LIFT,
  REST_CORNER_LIFT, loweredBrows,
} from "../../static/js/face/geometry.js";
import { identityFromSeed } from "../../static/js/face/identity.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const NEUTRAL = { au: {}, gaze: [0, 0], head: { pitch: 0, roll: 0 } };
const SEEDS = Array.from({ length: 40 }, (_, i) => (i * 2654435761) >>> 0);
const IDENTITIES = SEEDS.map(identityFromSeed);

/** @param {Record<string, number[]>} au */
const pose = (au) => ({ au, gaze: [0, 0], head: { pitch: 0, roll: 0 } });
const both = (unit, level = 1) => pose({ [unit]: [level, level] });

/** Movement of a landmark in IOD fractions, lateral (>0 away from the midline) and up (>0 up). */
function movement(identity, expression, name) {
  const iod = IOD_OF(identity);
  const before = landmarks(identity, NEUTRAL)[name];
  const after = landmarks(identity, expression)[name];
  const side = name.endsWith("L") ? 1 : name.endsWith("R") ? -1 : 0;
  return { lateral: (side * (after.x - before.x)) / iod, up: (before.y - after.y) / iod };
}

function inRange(value, low, high, label) {
  assert.ok(value >= low - 1e-9 && value <= high + 1e-9, `${label}: ${value.toFixed(4)} not in [${low}, ${high}]`);
}

/** Red height of the upper and lower lip at the centre. */
function lipHeights(identity, expression) {
  const p = landmarks(identity, expression);
  return { upper: p.upperLipInner.y - p.upperLipTop.y, lower: p.lowerLipBottom.y - p.lowerLipInner.y };
}
const lipGap = (identity, expression) => faceGeometry(identity, expression).mouth.gap;
const lineAlpha = (identity, expression, kind) =>
  Math.max(0, ...faceGeometry(identity, expression).lines.filter((l) => l.kind === kind).map((l) => l.alpha));

const CASES = [
  ["AU1 raises the inner brows 10-15%", 1, (id) => {
    for (const s of "LR") inRange(movement(id, both(1), `browInner${s}`).up, 0.1, 0.15, `browInner${s}`);
    assert.ok(movement(id, both(1), "browInnerL").up > movement(id, both(1), "browOuterL").up + 0.05);
    assert.ok(lineAlpha(id, both(1), "forehead") > lineAlpha(id, NEUTRAL, "forehead") + 0.5, "forehead lines");
  }],
  ["AU2 raises the outer brows 10-15% and arches them", 2, (id) => {
    for (const s of "LR") inRange(movement(id, both(2), `browOuter${s}`).up, 0.1, 0.15, `browOuter${s}`);
    assert.ok(movement(id, both(2), "browOuterL").up > movement(id, both(2), "browInnerL").up + 0.05);
  }],
  ["AU4 lowers the brows 8-10% and pulls them 5% together", 4, (id) => {
    const m = movement(id, both(4), "browInnerR");
    inRange(-m.up, 0.08, 0.1, "down");
    inRange(-m.lateral, 0.04, 0.06, "inward");
    assert.ok(lineAlpha(id, both(4), "glabella") > 0.8, "vertical lines between the brows");
  }],
  ["AU5 raises the upper lid 4-8% and shows white above the iris", 5, (id) => {
    inRange(movement(id, both(5), "lidUpperL").up, 0.04, 0.08, "lid");
    for (const [expression, shows] of [[NEUTRAL, false], [both(5), true]]) {
      const eye = faceGeometry(id, expression).eyes.L;
      const lidY = Math.min(...eye.upper.map((p) => p.y));
      assert.equal(lidY < eye.iris.y - eye.iris.r, shows, `white above the iris: ${shows}`);
    }
  }],
  ["AU6 lifts cheeks and lower lids 3-6% with crow's feet", 6, (id) => {
    inRange(movement(id, both(6), "lidLowerL").up, 0.03, 0.06, "lower lid");
    inRange(movement(id, both(6), "cheekR").up, 0.03, 0.06, "cheek");
    assert.ok(lineAlpha(id, both(6), "crowsfeet") > 0.8);
  }],
  ["AU7 raises the lower lid 3-5% without the cheek", 7, (id) => {
    inRange(movement(id, both(7), "lidLowerL").up, 0.03, 0.05, "lower lid");
    inRange(movement(id, both(7), "cheekL").up, 0, 0.005, "cheek stays");
  }],
  ["AU9 lifts the nose wings 3-5% and wrinkles the nose", 9, (id) => {
    inRange(movement(id, both(9), "noseWingL").up, 0.03, 0.05, "wing");
    assert.ok(lineAlpha(id, both(9), "nose") > 0.7);
  }],
  ["AU10 lifts the upper lip centre 4-6%, not the lower lip", 10, (id) => {
    inRange(movement(id, both(10), "upperLipTop").up, 0.04, 0.06, "upper lip");
    inRange(Math.abs(movement(id, both(10), "lowerLipBottom").up), 0, 0.001, "lower lip");
    assert.ok(lineAlpha(id, both(10), "nasolabial") > lineAlpha(id, NEUTRAL, "nasolabial") + 0.5);
  }],
  ["AU12 pulls the corners up and back 12-16%", 12, (id) => {
    const m = movement(id, both(12), "mouthCornerL");
    assert.ok(m.lateral > 0.05 && m.up > 0.05, "out and up");
    inRange(Math.hypot(m.lateral, m.up), 0.12, 0.16, "corner");
    assert.ok(lineAlpha(id, both(12), "nasolabial") > lineAlpha(id, NEUTRAL, "nasolabial") + 0.5);
  }],
  ["AU14 tightens the corners inward 3-5% with a dimple", 14, (id) => {
    const m = movement(id, both(14), "mouthCornerR");
    assert.ok(m.lateral < 0);
    inRange(Math.hypot(m.lateral, m.up), 0.03, 0.05, "corner");
    // The dimple is shading (a pit and a lit mound); its crease stays soft: a strong one read as a mark.
    const crease = lineAlpha(id, both(14), "dimple");
    assert.ok(crease > 0.25 && crease < 0.5, `dimple crease ${crease}`);
  }],
  ["AU15 pulls the corners down 10-14%", 15, (id) => {
    inRange(-movement(id, both(15), "mouthCornerL").up, 0.1, 0.14, "corner");
  }],
  ["AU16 pulls the lower lip down 4-8%", 16, (id) => {
    inRange(-movement(id, both(16), "lowerLipInner").up, 0.04, 0.08, "lower lip");
    assert.ok(lipGap(id, both(16)) > 0, "lower teeth can show");
  }],
  ["AU17 pushes the chin and lower lip up 3-5% and wrinkles the chin", 17, (id) => {
    inRange(movement(id, both(17), "lowerLipBottom").up, 0.03, 0.05, "lower lip");
    inRange(movement(id, both(17), "chinBoss").up, 0.03, 0.05, "chin boss");
    assert.ok(lineAlpha(id, both(17), "chin") > 0.7);
  }],
  ["AU20 stretches the corners sideways 12-16%", 20, (id) => {
    const m = movement(id, both(20), "mouthCornerL");
    inRange(m.lateral, 0.12, 0.16, "sideways");
    assert.ok(Math.abs(m.up) < m.lateral / 4, "mostly sideways");
  }],
  ["AU22 draws the corners in and, with the lips parted, opens a squared mouth with thicker lips", 22, (id) => {
    const iod = IOD_OF(id);
    assert.ok(movement(id, both(22), "mouthCornerL").lateral < -0.03, "corners come in");
    const open = landmarks(id, pose({ 22: [1, 1], 25: [1, 1] }));
    const parted = landmarks(id, both(25));
    // Squared: the opening halfway to each corner is nearly as tall as at the centre.
    const gapAt = (p, side) => p[`lowerLipInnerSide${side}`].y - p[`upperLipInnerSide${side}`].y;
    const centre = open.lowerLipInner.y - open.upperLipInner.y;
    assert.ok(gapAt(open, "L") / centre > 0.85, `side gap ${gapAt(open, "L")} vs centre ${centre}`);
    assert.ok(gapAt(open, "L") - gapAt(parted, "L") > 0.05 * iod, "the sides open further than parting alone");
    assert.ok(lipHeights(id, both(22)).upper > lipHeights(id, NEUTRAL).upper * 1.1, "the red turns out");
  }],
  ["AU23 thins the red of the lips by 30-50%", 23, (id) => {
    const before = lipHeights(id, NEUTRAL);
    const after = lipHeights(id, both(23));
    inRange(1 - after.upper / before.upper, 0.3, 0.5, "upper");
    inRange(1 - after.lower / before.lower, 0.3, 0.5, "lower");
  }],
  ["AU24 presses the lips shut and thinner", 24, (id) => {
    assert.equal(lipGap(id, pose({ 24: [1, 1], 25: [1, 1] })), 0);
    assert.ok(lipHeights(id, both(24)).upper < lipHeights(id, NEUTRAL).upper * 0.8);
  }],
  ["AU25 parts the lips", 25, (id) => {
    assert.equal(lipGap(id, NEUTRAL), 0);
    assert.ok(lipGap(id, both(25)) / IOD_OF(id) > 0.05);
  }],
  ["AU26 drops the jaw 15-25%", 26, (id) => {
    inRange(-movement(id, both(26), "chin").up, 0.15, 0.25, "chin");
    assert.ok(lipGap(id, both(26)) / IOD_OF(id) > 0.12, "mouth opens");
  }],
  ["AU38 flares the nostrils: the wings spread sideways without lifting (AU9 lifts them)", 38, (id) => {
    const wing = movement(id, both(38), "noseWingL");
    assert.ok(wing.lateral > 0.015 && Math.abs(wing.up) < 0.005, `wing ${JSON.stringify(wing)}`);
    assert.ok(movement(id, both(38), "nostrilL").lateral > 0.008);
  }],
  ["AU43 shuts both lids over the eye at 1, and half-closes it at 0.5", 43, (id) => {
    for (const side of "LR") {
      const opening = (expression) => Math.min(...[["lidUpper", "lidLower"], ["lidUpperIn", "lidLowerIn"],
        ["lidUpperOut", "lidLowerOut"]].map(([u, l]) => {
        const p = landmarks(id, expression);
        return p[`${l}${side}`].y - p[`${u}${side}`].y;
      }));
      const widest = (expression) => Math.max(...[["lidUpper", "lidLower"], ["lidUpperIn", "lidLowerIn"],
        ["lidUpperOut", "lidLowerOut"]].map(([u, l]) => {
        const p = landmarks(id, expression);
        return p[`${l}${side}`].y - p[`${u}${side}`].y;
      }));
      assert.ok(widest(both(43)) < 1e-9, `${side} eye shut: opening ${widest(both(43))}`);
      // Shut whatever else the lids are doing: wide (AU5), tense (AU7), looking down.
      assert.ok(widest({ ...pose({ 5: [1, 1], 7: [1, 1], 43: [1, 1] }), gaze: [0, 1] }) < 1e-9, "shut over AU5+7");
      inRange(widest(both(43, 0.5)) / widest(NEUTRAL), 0.4, 0.7, "half closed");
      assert.ok(opening(both(43, 0.5)) > 0, "half closed is still open");
      // The upper lid does most of the travel, as in a blink.
      assert.ok(-movement(id, both(43), `lidUpper${side}`).up > 2 * movement(id, both(43), `lidLower${side}`).up);
    }
    const geo = faceGeometry(id, both(43));
    for (const eye of [geo.eyes.L, geo.eyes.R]) {
      assert.ok(eye.crease[2].y < eye.upper[2].y, "the lid fold stays above the shut lid");
    }
  }],
];

test("every supported action unit has a behaviour test", () => {
  assert.deepEqual(CASES.map((c) => c[1]).sort((a, b) => a - b), [...SUPPORTED_AUS]);
});

for (const [name, , check] of CASES) {
  test(name, () => {
    for (const identity of IDENTITIES) check(identity);
  });
}

test("intensity scales movement linearly from zero", () => {
  const id = IDENTITIES[3];
  const full = movement(id, both(12, 1), "mouthCornerL");
  const half = movement(id, both(12, 0.5), "mouthCornerL");
  assert.ok(Math.abs(half.up - full.up / 2) < 1e-9 && Math.abs(half.lateral - full.lateral / 2) < 1e-9);
  assert.deepEqual(landmarks(id, both(12, 0)), landmarks(id, NEUTRAL));
});

test("neutral is zero movement for every identity", () => {
  const zeros = pose(Object.fromEntries(SUPPORTED_AUS.map((au) => [au, [0, 0]])));
  for (let seed = 0; seed < 300; seed++) {
    const identity = identityFromSeed(seed * 7919);
    const base = neutralLandmarks(identity);
    for (const p of [NEUTRAL, zeros, { au: {} }]) {
      const moved = landmarks(identity, p);
      for (const [name, point] of Object.entries(base)) assert.deepEqual(moved[name], point, name);
    }
  }
});

test("one-sided action units move one side only", () => {
  for (const au of SUPPORTED_AUS) {
    for (const identity of IDENTITIES.slice(0, 10)) {
      const before = landmarks(identity, NEUTRAL);
      const after = landmarks(identity, pose({ [au]: [1, 0] }));
      let leftMoved = false;
      for (const [name, point] of Object.entries(before)) {
        if (name.endsWith("R")) assert.deepEqual(after[name], point, `AU${au} moved ${name}`);
        if (name.endsWith("L") && Math.hypot(after[name].x - point.x, after[name].y - point.y) > 0.05) leftMoved = true;
      }
      if (au !== 23 && au !== 24 && au !== 25) assert.ok(leftMoved, `AU${au} L moved nothing on the left`);
    }
  }
});

test("contempt (12+14 on one side) lifts one corner and leaves the other where it was", () => {
  const id = IDENTITIES[0];
  const smirk = pose({ 12: [0, 0.55], 14: [0, 0.8] });
  assert.ok(movement(id, smirk, "mouthCornerR").up > 0.04);
  assert.equal(movement(id, smirk, "mouthCornerL").up, 0);
  assert.ok(lineAlpha(id, smirk, "dimple") > 0.25);
  // A lone pull folds the cheek less than a smile's (a full fold on one side read as a scar).
  const fold = (p) => Math.max(...faceGeometry(id, p).lines.filter((l) => l.kind === "nasolabial").map((l) => l.alpha));
  assert.ok(fold(pose({ 12: [0, 0.7] })) < fold(pose({ 12: [0.7, 0.7] })) - 0.2);
});

test("identity never changes what an expression does: deltas match across faces, scaled by IOD", () => {
  const reference = IDENTITIES[0];
  // AU43 shuts each eye over its own opening, so how far a lid travels depends on the eye (tested above).
  const moving = SUPPORTED_AUS.filter((au) => au !== 23 && au !== 24 && au !== 43);
  for (const au of moving) {
    const expected = Object.fromEntries(Object.keys(landmarks(reference, NEUTRAL)).map((name) =>
      [name, movement(reference, both(au), name)]));
    for (const identity of IDENTITIES.slice(1)) {
      for (const [name, m] of Object.entries(expected)) {
        // The lid crease is a fold squeezed between brow and lid, so it depends on the face's spacing.
        if (name.startsWith("crease")) continue;
        // Thinning takes a fraction of each face's own lip height (tested separately for AU23).
        if (au in LIP_THINNING && /^(upperLipTop|upperLipPeak|upperLipSide|lowerLipBottom)/.test(name)) continue;
        const got = movement(identity, both(au), name);
        assert.ok(Math.abs(got.up - m.up) < 1e-6 && Math.abs(got.lateral - m.lateral) < 1e-6,
          `AU${au} ${name} on seed ${identity.seed}: ${JSON.stringify(got)} vs ${JSON.stringify(m)}`);
      }
    }
  }
});

test("gaze turns the irises, and a downward gaze brings the upper lids down with it", () => {
  const id = IDENTITIES[5];
  const down = movement(id, { ...NEUTRAL, gaze: [0, 1] }, "irisL");
  assert.ok(down.up < -0.04);
  assert.ok(movement(id, { ...NEUTRAL, gaze: [0, 1] }, "lidUpperL").up < -0.03);
  const right = landmarks(id, { ...NEUTRAL, gaze: [1, 0] });
  const ahead = landmarks(id, NEUTRAL);
  assert.ok(right.irisL.x > ahead.irisL.x && right.irisR.x > ahead.irisR.x, "both eyes look the same way");
});

test("head pitch tips the face down: the nose drops more than the brows, the ears rise", () => {
  const id = IDENTITIES[6];
  const tipped = { ...NEUTRAL, head: { pitch: 1, roll: 0 } };
  const nose = movement(id, tipped, "noseTip").up;
  const brow = movement(id, tipped, "browInnerL").up;
  assert.ok(nose < -0.1 && nose < brow, `nose ${nose} brow ${brow}`);
  assert.ok(movement(id, tipped, "earL").up > 0);
  const rolled = landmarks(id, { ...NEUTRAL, head: { pitch: 0, roll: 1 } });
  assert.ok(rolled.eyeCentreL.y > rolled.eyeCentreR.y + 2, "roll tilts the eye line");
});

/** The served catalogue, straight from game/emotions.py (no copy of the table in JS). */
function catalogue() {
  const python = path.join(ROOT, ".venv/bin/python");
  const out = execFileSync(python, ["-c",
    "import json; from game.emotions import catalogue; print(json.dumps(catalogue()))"], { cwd: ROOT });
  return JSON.parse(out.toString());
}

test("look-alike emotions differ by the cues the Learn page teaches", () => {
  const emotions = Object.fromEntries(catalogue().emotions.map((e) => [e.key, e]));
  const full = (key, variant = 0) => {
    const v = emotions[key].variants[variant];
    const au = {};
    for (const [unit, level] of Object.entries(v.units)) au[unit] = v.oneSided ? [level, 0] : [level, level];
    return { au, gaze: [0, v.gazeDown], head: { pitch: v.headDown, roll: 0 } };
  };
  for (const id of IDENTITIES.slice(0, 8)) {
    const at = (key, name, variant) => landmarks(id, full(key, variant))[name];
    const iod = IOD_OF(id);
    for (const variant of [0, 1]) {
      // Fear pulls the brows together and stretches the mouth; surprise keeps them apart and drops the jaw.
      const browGap = (k) => at(k, "browInnerL", variant).x - at(k, "browInnerR", variant).x;
      assert.ok(browGap("surprise") - browGap("fear") > 0.05 * iod, "fear brows closer together");
      const width = (k) => at(k, "mouthCornerL", variant).x - at(k, "mouthCornerR", variant).x;
      assert.ok(width("fear") - width("surprise") > 0.15 * iod, "fear mouth wider");
      assert.ok(at("surprise", "chin", variant).y > at("fear", "chin", variant).y, "surprise jaw lower");
      // Anger lowers the brows; disgust lifts the nose wings.
      assert.ok(at("anger", "browInnerL", variant).y - at("disgust", "browInnerL", variant).y > 0.03 * iod);
      assert.ok(at("anger", "noseWingL", variant).y - at("disgust", "noseWingL", variant).y > 0.025 * iod);
    }
    // Contempt lifts one corner; happiness both.
    const smirk = landmarks(id, full("contempt"));
    const smile = landmarks(id, full("happiness"));
    const neutral = landmarks(id, NEUTRAL);
    assert.ok(neutral.mouthCornerL.y - smirk.mouthCornerL.y > 0.04 * iod);
    assert.equal(smirk.mouthCornerR.y, neutral.mouthCornerR.y);
    assert.ok(neutral.mouthCornerR.y - smile.mouthCornerR.y > 0.08 * iod);
    // Sadness pulls the corners down and looks down.
    const sad = landmarks(id, full("sadness"));
    assert.ok(sad.mouthCornerL.y > neutral.mouthCornerL.y && sad.irisL.y > neutral.irisL.y);
  }
});

test("a smile bends the lip line into a U and, with parted lips, bares the upper teeth", () => {
  for (const id of IDENTITIES) {
    const smile = pose({ 6: [0.9, 0.9], 12: [1, 1] });
    const corner = movement(id, smile, "mouthCornerL").up;
    const innerSide = movement(id, smile, "upperLipInnerSideL").up;
    const centre = movement(id, smile, "upperLipInner").up;
    assert.ok(corner > 0.12 && corner > innerSide * 2 && innerSide > centre, "corners rise most, centre least");
    const open = faceGeometry(id, pose({ 6: [0.9, 0.9], 12: [1, 1], 25: [0.8, 0.8] })).mouth;
    const closed = faceGeometry(id, pose({ 25: [0.8, 0.8] })).mouth;
    assert.ok(open.upperTeethEdge - closed.upperTeethEdge > 0.6 * IOD_OF(id) / 30, "more upper teeth in a smile");
  }
});

test("a downward gaze moves the irises down visibly, with the upper lids following", () => {
  const id = IDENTITIES[2];
  const down = { ...NEUTRAL, gaze: [0, 0.8] };
  assert.ok(movement(id, down, "irisL").up < -0.06, "iris drops at least 6% IOD at AU64 0.8");
  const lid = movement(id, down, "lidUpperL").up;
  assert.ok(lid < -0.025, "the upper lid follows");
  // ... nearly all the way, so it still covers the top of the iris (a lagging lid bared white above the iris,
  // fear's wide eye), but never past it, and the lower lid drops too: the eye looks down, it does not close.
  const iris = movement(id, down, "irisL").up;
  assert.ok(lid < iris * 0.85, "the upper lid keeps up with the iris: no white above it");
  assert.ok(lid >= iris, "the upper lid does not close over the iris");
  const opening = (p) => { const l = landmarks(id, p); return l.lidLowerL.y - l.lidUpperL.y; };
  assert.ok(opening(down) > 0.7 * opening(NEUTRAL), "the eye stays open");
});

/** Full-intensity pose of a catalogue emotion's variant (one-sided units on the face's left). */
function fullPose(emotions, key, variant = 0) {
  const v = emotions[key].variants[variant];
  const au = {};
  for (const [unit, level] of Object.entries(v.units)) au[unit] = v.oneSided ? [level, 0] : [level, level];
  return { au, gaze: [0, v.gazeDown], head: { pitch: v.headDown, roll: 0 } };
}

test("fear's brow heads rise as surprise's do but its tails stay low: a knit, slanted brow, not an arch", () => {
  // With the tails lifted as high as surprise's (AU2 1.0 under AU4 0.6), face-api read fear as surprise 155 of 192.
  const emotions = Object.fromEntries(catalogue().emotions.map((e) => [e.key, e]));
  for (const id of IDENTITIES.slice(0, 10)) {
    const iod = IOD_OF(id);
    const rest = landmarks(id, NEUTRAL);
    for (const variant of [0, 1]) {
      const rise = (key, name) => (rest[name].y - landmarks(id, fullPose(emotions, key, variant))[name].y) / iod;
      assert.ok(rise("fear", "browInnerL") >= rise("surprise", "browInnerL"), "fear's brow heads as high");
      assert.ok(rise("fear", "browOuterL") < 0.75 * rise("surprise", "browOuterL"),
        `fear's tails ${rise("fear", "browOuterL")} against surprise's ${rise("surprise", "browOuterL")}`);
      assert.ok(rise("fear", "browOuterL") > 0.03, "fear's tails still raised (AU2)");
      // Its heads stand clearly above its tails: the brow slants up toward the middle.
      assert.ok(rise("fear", "browInnerL") - rise("fear", "browOuterL") > 0.035, "fear's brow slants up inward");
    }
  }
});

test("fear's brows are flat and knit where surprise's arch; fear's lower lids are tenser", () => {
  const emotions = Object.fromEntries(catalogue().emotions.map((e) => [e.key, e]));
  for (const id of IDENTITIES.slice(0, 10)) {
    const iod = IOD_OF(id);
    for (const variant of [0, 1]) {
      const arch = (key) => {
        const p = landmarks(id, fullPose(emotions, key, variant));
        return ((p.browInnerL.y + p.browOuterL.y) / 2 - p.browMidL.y) / iod;
      };
      assert.ok(arch("surprise") - arch("fear") > 0.04, `arch surprise ${arch("surprise")} fear ${arch("fear")}`);
      const lowerLid = (key) => landmarks(id, fullPose(emotions, key, variant)).lidLowerL.y;
      assert.ok(lowerLid("surprise") - lowerLid("fear") > 0.02 * iod, "fear's lower lid higher");
      // Fear's stare: white above the iris across the top of the eye, more than surprise's; the eye as a whole
      // wider than at rest (the tense lower lid does not narrow it into a squint).
      const eye = (key) => faceGeometry(id, key ? fullPose(emotions, key, variant) : NEUTRAL).eyes.L;
      const whiteAbove = (e, i) => e.iris.y - e.iris.r - e.upper[i].y;
      for (const i of [1, 2, 3]) {
        assert.ok(whiteAbove(eye("fear"), i) > whiteAbove(eye("surprise"), i) + 0.04 * iod, `white above the iris (${i})`);
      }
      assert.ok(whiteAbove(eye("fear"), 2) > 0.04 * iod, "a band of white above the iris");
      const opening = (e) => e.lower[2].y - e.upper[2].y;
      assert.ok(opening(eye("fear")) > opening(eye(null)) + 0.03 * iod, "fear's eye wider than at rest");
      // Surprise's relaxed lower lid sags below its resting place; fear's tense one rises onto the iris.
      assert.ok(eye("surprise").lower[2].y > eye(null).lower[2].y + 0.01 * iod, "surprise's lower lid relaxed");
      assert.ok(eye("fear").lower[2].y < eye("fear").iris.y + eye("fear").iris.r, "fear's lower lid on the iris");
      // Fear shows its teeth no more than a relaxed open mouth does: a dark stretched opening, not a grin.
      const teeth = (key) => faceGeometry(id, fullPose(emotions, key, variant)).mouth.upperTeethEdge;
      assert.ok(teeth("fear") - teeth("surprise") < 0.4 * iod / 30, "no band of upper teeth in fear");
      assert.ok(teeth("happiness") - teeth("fear") > 0.3 * iod / 30, "a smile bares more upper teeth than fear");
      // Fear's "eek": the stretched upper lip covers the upper teeth (drawn down to upperTeethEdge) and the lower lip,
      // pulled down, bares a band of lower teeth (drawn from lowerTeethEdge + 1 unit down); surprise bares neither
      // row as a band.
      const fearMouth = faceGeometry(id, fullPose(emotions, "fear", variant)).mouth;
      const unit = iod / 30;
      const upperShown = fearMouth.upperTeethEdge + 0.7 * unit - fearMouth.upperInner[2].y;
      const lowerShown = fearMouth.lowerInner[2].y - (fearMouth.lowerTeethEdge + unit);
      assert.ok(upperShown < 1.2 * unit && upperShown < 0.5 * lowerShown, "fear's upper teeth a sliver at most");
      assert.ok(fearMouth.lowerInner[2].y - (fearMouth.lowerTeethEdge + unit) > 1.5 * unit, "a band of lower teeth");
      const surpriseMouth = faceGeometry(id, fullPose(emotions, "surprise", variant)).mouth;
      assert.ok(surpriseMouth.lowerInner[2].y - (surpriseMouth.lowerTeethEdge + unit)
        < fearMouth.lowerInner[2].y - (fearMouth.lowerTeethEdge + unit) - unit, "more lower teeth than surprise");
      // Fear's mouth: open and stretched into a wide, squared opening (AU20+26), not a slit and not an O.
      const mouth = (key) => faceGeometry(id, fullPose(emotions, key, variant)).mouth;
      const width = (m) => m.cornerL.x - m.cornerR.x;
      const fear = mouth("fear");
      const cornerY = (fear.cornerL.y + fear.cornerR.y) / 2;
      const depth = fear.lowerInner[2].y - cornerY;
      assert.ok(width(fear) - width(mouth("surprise")) > 0.15 * iod, "wider than surprise's");
      assert.ok(fear.lowerInner[2].y - fear.upperInner[2].y > 0.2 * width(fear), "open, not a slit");
      assert.ok(fear.lowerInner[3].y - cornerY > 0.7 * depth, "the opening's bottom runs flat toward the corners");
      // Measured from the resting lip line (the relaxed rest lifts its corners a touch above it).
      const rest = faceGeometry(id, NEUTRAL).mouth;
      assert.ok(fear.cornerL.y - rest.upperInner[2].y < 0.3 * (fear.lowerInner[2].y - rest.lowerInner[2].y),
        "the corners go out more than down (turned down, the open mouth read as crying)");
    }
  }
});

test("anger's glare: brows slant down to the middle, the lower lid rises flat across the eye", () => {
  const emotions = Object.fromEntries(catalogue().emotions.map((e) => [e.key, e]));
  for (const id of IDENTITIES.slice(0, 10)) {
    const iod = IOD_OF(id);
    const neutral = landmarks(id, NEUTRAL);
    for (const variant of [0, 1]) {
      const p = landmarks(id, fullPose(emotions, "anger", variant));
      const drop = (name) => (p[name].y - neutral[name].y) / iod;
      assert.ok(drop("browInnerL") - drop("browOuterL") > 0.07, "the brow heads come down far more than the tails");
      // Straighter: the lower lid's centre rises more than its ends.
      assert.ok(-drop("lidLowerL") > -drop("lidLowerInL") + 0.01 && -drop("lidLowerL") > -drop("lidLowerOutL") + 0.01);
      // Not the round, startled eye: the opening is no wider than at rest.
      const opening = (q) => q.lidLowerL.y - q.lidUpperL.y;
      assert.ok(opening(p) <= opening(neutral), "a glare, not wide eyes");
    }
  }
});

test("closed anger's pressed lips narrow their red to about half, never to a bare line", () => {
  const emotions = Object.fromEntries(catalogue().emotions.map((e) => [e.key, e]));
  for (const id of IDENTITIES) {
    const rest = lipHeights(id, NEUTRAL);
    const pressed = lipHeights(id, fullPose(emotions, "anger", 1));
    const kept = (pressed.upper + pressed.lower) / (rest.upper + rest.lower);
    // Thinner than at rest, yet a band of red a glance can see (at a third of it the lips read as a dark crack).
    inRange(kept, 0.42, 0.6, "red kept");
  }
});

test("closed anger's glare opens over the pressed lips: upper lid up, lower lid a little up, pupils still show", () => {
  const emotions = Object.fromEntries(catalogue().emotions.map((e) => [e.key, e]));
  for (const id of IDENTITIES) {
    const iod = IOD_OF(id);
    const open = landmarks(id, fullPose(emotions, "anger", 0));
    const closed = landmarks(id, fullPose(emotions, "anger", 1));
    const eye = faceGeometry(id, fullPose(emotions, "anger", 1)).eyes.L;
    for (const s of "LR") {
      // AU5 shows: white above the iris (the shout's lids are as before).
      inRange((open[`lidUpper${s}`].y - closed[`lidUpper${s}`].y) / iod, 0.025, 0.035, `lidUpper${s} raised`);
      // The tense lower lid's middle rises a little further; its ends stay (flat, not a V).
      inRange((open[`lidLower${s}`].y - closed[`lidLower${s}`].y) / iod, 0.005, 0.015, `lidLower${s} raised`);
      assert.ok(Math.abs(open[`lidLowerIn${s}`].y - closed[`lidLowerIn${s}`].y) < 1e-9, "the lid's inner end stays");
    }
    // The lid's middle may cross the pupil (radius 0.42 of the iris's) but leaves its top showing: 0.015 IOD
    // higher it covered the pupil on most faces (0.37 of the iris's radius above its centre).
    assert.ok(eye.lower[2].y > eye.iris.y - 0.3 * eye.iris.r, "the pupil's top shows above the lower lid");
  }
});

test("anger's tense lower lid: its bulge line lies well below the lid, clear of the margin; without the glare it hugs the lid", () => {
  const emotions = Object.fromEntries(catalogue().emotions.map((e) => [e.key, e]));
  for (const id of IDENTITIES.slice(0, 10)) {
    /** How far the middle of the left lower-lid bulge line lies below the lid's centre, in drawing units. */
    const below = (p) => {
      const geo = faceGeometry(id, p);
      const line = geo.lines.find((l) => l.kind === "lowerlid" && l.points[1].x > 0);
      return { gap: (line.points[1].y - landmarks(id, p).lidLowerL.y) / geo.unit, alpha: line.alpha };
    };
    const alone = below(both(7));
    // On dark skin a lit line near the lid read as a second, lower lid (FaceMesh put the lid on it).
    for (const variant of [0, 1]) {
      const glare = below(fullPose(emotions, "anger", variant));
      assert.ok(glare.gap > alone.gap + 0.6, `${glare.gap.toFixed(2)} vs ${alone.gap.toFixed(2)} units below the lid`);
      assert.ok(glare.alpha >= alone.alpha, "the tense lid's bulge still shows");
    }
    const smile = below(fullPose(emotions, "happiness"));
    assert.ok(Math.abs(smile.gap - alone.gap) < 1e-9, "other emotions' bulge line is where it was");
  }
});

test("the relaxed face lifts the brow tails and corners; brows pulled down (AU4, AU9) give the lift back", () => {
  const emotions = Object.fromEntries(catalogue().emotions.map((e) => [e.key, e]));
  for (const id of IDENTITIES) {
    const iod = IOD_OF(id);
    const rest = landmarks(id, NEUTRAL);
    // The lip-corner pull (AU12) keeps the relaxed brows: its brow tails sit where the rest's do.
    const smile = landmarks(id, both(12));
    assert.ok(Math.abs(smile.browOuterL.y - rest.browOuterL.y) < 1e-9, "a smile keeps the rest's brows");
    for (const key of ["sadness", "disgust"]) {
      // Lowering the brows takes the tails down off the relaxed rest's level line.
      const tail = landmarks(id, fullPose(emotions, key)).browOuterL.y;
      assert.ok(tail - rest.browOuterL.y > 0.9 * REST_BROW_TAIL_LIFT * iod, `${key}: the tails leave the relaxed rest`);
    }
    // Sadness's corners (AU15) end well below the relaxed rest's.
    const sad = landmarks(id, fullPose(emotions, "sadness"));
    assert.ok(sad.mouthCornerL.y - rest.mouthCornerL.y > (0.135 + REST_CORNER_LIFT) * iod * 0.95, "corners down");
  }
  assert.equal(loweredBrows({ 4: [0.25, 0], 9: [0, 0] }, 0), 0.5);
  assert.equal(loweredBrows({ 4: [0, 0], 9: [0, 1] }, 1), 1);
  assert.equal(loweredBrows({ 4: [0, 0], 9: [0, 0] }, 0), 0);
});

test("sad eyes look down without closing: most of the opening stays", () => {
  const emotions = Object.fromEntries(catalogue().emotions.map((e) => [e.key, e]));
  for (const id of IDENTITIES) {
    const opening = (q) => q.lidLowerL.y - q.lidUpperL.y;
    for (const variant of [0, 1]) {
      const p = landmarks(id, fullPose(emotions, "sadness", variant));
      assert.ok(opening(p) > 0.6 * opening(landmarks(id, NEUTRAL)), `seed ${id.seed}: sad eyes half shut`);
      assert.ok(p.irisL.y > landmarks(id, NEUTRAL).irisL.y, "looking down");
    }
  }
});

test("open anger shouts with both rows of teeth; disgust bares only the upper teeth under an inverted-U lip", () => {
  const emotions = Object.fromEntries(catalogue().emotions.map((e) => [e.key, e]));
  for (const id of IDENTITIES.slice(0, 10)) {
    const unit = IOD_OF(id) / 30;
    const neutral = landmarks(id, NEUTRAL);
    // The lower teeth show (drawn from lowerTeethEdge + 1 unit down) only where the lower lip's inner edge is below them.
    const lowerTeethShow = (m) => m.lowerInner[2].y > m.lowerTeethEdge + 1.2 * unit;
    const shout = faceGeometry(id, fullPose(emotions, "anger", 0)).mouth;
    assert.ok(shout.gap > 4 * unit && lowerTeethShow(shout), "the shout opens over both rows of teeth");
    const sneer = faceGeometry(id, fullPose(emotions, "disgust", 0)).mouth;
    assert.ok(!lowerTeethShow(sneer), "disgust shows no lower teeth");
    assert.ok(sneer.upperInner[2].y < sneer.upperTeethEdge - 2 * unit, "the upper lip lifts off the upper teeth");
    // An inverted U: the raised lip's sides rise with its centre instead of dropping with the corners (a tent).
    const p = landmarks(id, fullPose(emotions, "disgust", 0));
    const rise = (name) => neutral[name].y - p[name].y;
    assert.ok(rise("upperLipInnerSideL") > 0.6 * rise("upperLipInner"), "sides up with the centre");
    // The chin-raised variant: the lower lip rides up behind the raised upper lip, a sliver of upper teeth at most
    // (half the open variant's parting).
    const pouted = faceGeometry(id, fullPose(emotions, "disgust", 1)).mouth;
    assert.ok(pouted.gap < 0.6 * sneer.gap && !lowerTeethShow(pouted), "the pouted variant nearly shut");
    // The lower lip stays up under the bared teeth across its width: no smile's crescent of teeth at its sides.
    for (const inner of [sneer.lowerInner[1], sneer.lowerInner[3]]) {
      assert.ok(inner.y < sneer.upperTeethEdge + 0.8 * unit, "the lower lip's sides stay under the upper teeth");
    }
  }
});

test("disgust's open sneer parts the lips under the raised centre and shuts them toward the corners", () => {
  const emotions = Object.fromEntries(catalogue().emotions.map((e) => [e.key, e]));
  for (const id of IDENTITIES) {
    const iod = IOD_OF(id);
    const p = landmarks(id, fullPose(emotions, "disgust", 0));
    const centre = p.lowerLipInner.y - p.upperLipInner.y;
    // Not a band of teeth from corner to corner (anger's open mouth to a photo-trained classifier): the parting
    // at the lip's inner sides is at most 0.6 of the centre's (on main it was 1.3: wider at the sides).
    for (const side of ["L", "R"]) {
      const gap = p[`lowerLipInnerSide${side}`].y - p[`upperLipInnerSide${side}`].y;
      assert.ok(gap < 0.6 * centre, `seed ${id.seed}: parted at the ${side} side ${(gap / centre).toFixed(2)} of the centre`);
    }
    // Still the open variant: the teeth show under the raised centre (the closed yuck is the other variant).
    assert.ok(centre > 0.07 * iod, `seed ${id.seed}: open under the centre`);
  }
});

test("disgust narrows the eyes from below (a squint): the lower lids rise, the upper lids do not", () => {
  const emotions = Object.fromEntries(catalogue().emotions.map((e) => [e.key, e]));
  for (const id of IDENTITIES.slice(0, 10)) {
    const iod = IOD_OF(id);
    const neutral = landmarks(id, NEUTRAL);
    for (const variant of [0, 1]) {
      const p = landmarks(id, fullPose(emotions, "disgust", variant));
      for (const side of ["L", "R"]) {
        assert.ok(neutral[`lidLower${side}`].y - p[`lidLower${side}`].y > 0.045 * iod, "cheeks push the lower lid up");
        assert.ok(p[`lidUpper${side}`].y >= neutral[`lidUpper${side}`].y, "no glare: the upper lid does not rise");
      }
    }
  }
});

test("the closed disgust screws up the mid-face: its raised cheeks narrow the eyes further than the open sneer's", () => {
  const emotions = Object.fromEntries(catalogue().emotions.map((e) => [e.key, e]));
  for (const id of IDENTITIES.slice(0, 10)) {
    const iod = IOD_OF(id);
    const neutral = landmarks(id, NEUTRAL);
    const [open, closed] = [0, 1].map((variant) => landmarks(id, fullPose(emotions, "disgust", variant)));
    for (const side of ["L", "R"]) {
      assert.ok(open[`cheek${side}`].y - closed[`cheek${side}`].y > 0.01 * iod, "the cheeks rise (AU6)");
      const opening = (p) => p[`lidLower${side}`].y - p[`lidUpper${side}`].y;
      assert.ok(opening(closed) < opening(open) - 0.005 * iod, `seed ${id.seed}: the eyes narrow further`);
      assert.ok(opening(closed) > 0, "but do not shut");
    }
    // The lip is raised as far as the open sneer's, the chin pushing the lower lip up into it.
    const rise = (p) => neutral.upperLipTop.y - p.upperLipTop.y;
    assert.ok(rise(closed) >= rise(open), "the upper lip as high");
    const pose = fullPose(emotions, "disgust", 1);
    assert.ok(lineAlpha(id, pose, "crowsfeet") > lineAlpha(id, fullPose(emotions, "disgust", 0), "crowsfeet"),
      "the raised cheeks fan the skin at the eye's corner");
  }
});

test("the closed \"yuck\" narrows the eyes to a slit from below, still open, not anger's glare, and pushes the chin up", () => {
  const emotions = Object.fromEntries(catalogue().emotions.map((e) => [e.key, e]));
  for (const id of IDENTITIES.slice(0, 10)) {
    const iod = IOD_OF(id);
    const neutral = landmarks(id, NEUTRAL);
    const yuck = landmarks(id, fullPose(emotions, "disgust", 1));
    const glare = landmarks(id, fullPose(emotions, "anger", 1));
    for (const side of ["L", "R"]) {
      const opening = (p) => p[`lidLower${side}`].y - p[`lidUpper${side}`].y;
      // AU6 + AU7 under AU9: the lower lids ride up toward the upper ones (the pinched eyes of "eww"), but the eye
      // stays visibly open: squeezed nearly shut (AU7 0.6), one face with glasses was no face at all to FaceMesh.
      const ratio = opening(yuck) / opening(neutral);
      assert.ok(ratio < 0.2 && ratio > 0.05, `seed ${id.seed}: a slit, still open (${ratio.toFixed(3)} of rest)`);
      assert.ok(opening(glare) > 0.5 * opening(neutral), "anger's closed variant glares, eyes open");
    }
    assert.ok(neutral.chinBoss.y - yuck.chinBoss.y > 0.04 * iod, "the chin boss pushes up (AU17)");
  }
});

test("disgust's brows come down without knitting, above anger's; its furrow runs from the lifted wing out past the corner", () => {
  const emotions = Object.fromEntries(catalogue().emotions.map((e) => [e.key, e]));
  for (const id of IDENTITIES.slice(0, 10)) {
    const iod = IOD_OF(id);
    const neutral = landmarks(id, NEUTRAL);
    for (const variant of [0, 1]) {
      const pose = fullPose(emotions, "disgust", variant);
      const p = landmarks(id, pose);
      const anger = landmarks(id, fullPose(emotions, "anger", variant));
      for (const side of ["L", "R"]) {
        const head = `browInner${side}`;
        inRange((p[head].y - neutral[head].y) / iod, 0.04, 0.07, "AU9 drags the brow heads down");
        inRange(Math.abs(p[head].x - neutral[head].x) / iod, 0, 0.002, "not pulled together (no AU4)");
        assert.ok(anger[head].y - p[head].y > 0.05 * iod, "anger's scowl stays lower");
      }
      const geo = faceGeometry(id, pose);
      for (const [side, s] of [["L", 1], ["R", -1]]) {
        const fold = geo.lines.find((l) => l.kind === "nasolabial" && Math.sign(l.points[0].x) === s);
        const wing = s > 0 ? geo.nose.wingL : geo.nose.wingR;
        const corner = s > 0 ? geo.mouth.cornerL : geo.mouth.cornerR;
        const [top, bottom] = [fold.points[0], fold.points[fold.points.length - 1]];
        assert.ok(fold.alpha > 0.6, "a deep fold");
        assert.ok(Math.abs(top.y - wing.y) < 0.05 * iod && s * (top.x - wing.x) > 0, `${side}: starts beside the wing`);
        assert.ok(s * (bottom.x - corner.x) > 0.02 * iod && bottom.y > corner.y, `${side}: ends outside the corner`);
      }
    }
  }
});
