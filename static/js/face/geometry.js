// Pure face geometry: identity + pose -> named landmarks and drawable shapes. No DOM.
//
// Face coordinates: x to the viewer's right, y down, origin between the eyes on the eye line.
// The average face has an inter-ocular distance (IOD, outer eye corner to outer eye corner) of
// about 30 units. The face's own left side ("L") appears on the viewer's right, so side L has x > 0.
//
// Expressions are added as deltas: each action unit moves named landmarks by a fixed fraction of
// the IOD at intensity 1 (sizes from facs.md), scaled linearly by intensity. Identity only shapes
// the neutral face, so the same pose moves every face the same way, scaled by its IOD.

/** @typedef {{x: number, y: number}} Point */
/** @typedef {{au?: Record<string, number[]>, gaze?: number[], head?: {pitch?: number, roll?: number}}} Pose */

export const VIEWBOX = Object.freeze({ x: -42, y: -37, width: 84, height: 84 });
export const SIDES = Object.freeze({ L: 1, R: -1 });
export const SUPPORTED_AUS = Object.freeze([1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 16, 17, 20, 22, 23, 24, 25, 26, 38, 43]);
const MAX_PITCH_RAD = (18 * Math.PI) / 180;
const MAX_ROLL_RAD = (12 * Math.PI) / 180;

/**
 * Landmark movements per action unit at intensity 1, as fractions of the IOD.
 * [landmark, lateral, down]: lateral > 0 moves away from the midline on that side; down > 0 moves down.
 * Side landmarks take their own side's intensity; midline landmarks take the mean of both sides.
 * @type {Record<number, [string, number, number][]>}
 */
export const AU_MOVES = Object.freeze({
  // AU1 also draws the inner part of the upper lid up with the brow head: the oblique lid of sadness and fear.
  1: [["browInner", 0, -0.13], ["browMid", 0, -0.06], ["browOuter", 0, -0.015], ["lidUpperIn", 0, -0.012]],
  2: [["browInner", 0, -0.02], ["browMid", 0, -0.11], ["browOuter", 0, -0.12], ["crease", 0, -0.02]],
  // The brow heads come down and in most, the tails hardly move: a slanted, knit brow, not a lowered bar.
  // Sized to read at a glance (a 48-pixel thumbnail still shows it): the brow comes down onto the lid skin.
  4: [["browInner", -0.06, 0.1], ["browMid", -0.045, 0.075], ["browOuter", -0.015, 0.02],
    ["crease", 0, 0.04], ["lidUpper", 0, 0.004], ["lidUpperOut", 0, 0.012]],
  5: [["lidUpper", 0, -0.06], ["lidUpperIn", 0, -0.045], ["lidUpperOut", 0, -0.045], ["crease", 0, -0.018],
    ["lidLower", 0, 0.005]],
  6: [["lidLower", 0, -0.045], ["lidLowerIn", 0, -0.03], ["lidLowerOut", 0, -0.045], ["eyeOuter", 0, -0.008],
    ["lidUpperOut", 0, 0.012], ["lidUpper", 0, 0.008], ["cheek", 0.005, -0.045], ["browOuter", 0, 0.012],
    ["nasolabialTop", 0.005, -0.015]],
  // The lower lid's curve flattens into a straight, raised line that cuts across the bottom of the iris.
  7: [["lidLower", 0, -0.05], ["lidLowerIn", 0, -0.03], ["lidLowerOut", 0, -0.036], ["lidUpper", 0, 0.004],
    ["lidUpperIn", 0, 0.004], ["lidUpperOut", 0, 0.006], ["eyeOuter", -0.004, 0], ["eyeInner", 0, -0.004]],
  // AU9 also pulls the upper lip up with the nose wings; the lift spans the lip's middle half nearly evenly
  // (a squarish, curled raise), not a peak at its centre, which drew an inverted-V "tent" no face makes.
  // The whole mid-face goes up: the cheeks push the lower lids up from below while the upper lids relax down a
  // little (a squint, not anger's glare, which raises the upper lid), and the brow heads come down, not in.
  9: [["noseWing", 0.006, -0.045], ["nostril", 0.004, -0.038], ["noseTip", 0, -0.014],
    ["nasolabialTop", 0.006, -0.04],
    ["upperLipTop", 0, -0.055], ["upperLipPeak", 0, -0.055], ["upperLipSide", 0, -0.05],
    ["upperLipInner", 0, -0.035], ["upperLipInnerSide", 0, -0.035], ["mouthCorner", 0, -0.006], ["browInner", 0, 0.03],
    ["browMid", 0, 0.02], ["browOuter", 0, 0.008], ["lidLower", 0, -0.066], ["lidLowerIn", 0, -0.05],
    ["lidLowerOut", 0, -0.045], ["cheek", 0, -0.05], ["lidUpper", 0, 0.016],
    ["lidUpperOut", 0, 0.014], ["lidUpperIn", 0, 0.008], ["crease", 0, 0.012]],
  // AU10 lifts the upper lip's whole middle: its sides rise almost as far as its centre and spread out, so the
  // raised lip is squared off and the upper teeth show under it.
  10: [["upperLipTop", 0, -0.058], ["upperLipPeak", 0, -0.06], ["upperLipSide", 0.01, -0.05],
    ["upperLipInner", 0, -0.05], ["upperLipInnerSide", 0.02, -0.048], ["mouthCorner", 0, -0.012],
    ["noseWing", 0, -0.008], ["nostril", 0, -0.006], ["nasolabialTop", 0.005, -0.02], ["nasolabialBottom", 0, -0.02]],
  12: [["mouthCorner", 0.085, -0.13], ["upperLipInnerSide", 0.04, -0.05], ["lowerLipInnerSide", 0.04, -0.05],
    ["upperLipSide", 0.04, -0.055], ["lowerLipBottomSide", 0.035, -0.03], ["upperLipPeak", 0.01, -0.012],
    ["lowerLipBottom", 0, -0.004], ["nasolabialBottom", 0.07, -0.06], ["nasolabialTop", 0.015, -0.02],
    ["cheek", 0.01, -0.035], ["lidLower", 0, -0.012], ["lidLowerOut", 0, -0.012]],
  14: [["mouthCorner", -0.035, -0.012], ["upperLipInnerSide", -0.015, -0.005], ["lowerLipInnerSide", -0.015, -0.003],
    ["upperLipSide", -0.015, 0], ["lowerLipBottomSide", -0.015, 0]],
  15: [["mouthCorner", 0.01, 0.135], ["upperLipInnerSide", 0, 0.04], ["lowerLipInnerSide", 0, 0.045],
    ["upperLipSide", 0, 0.045], ["lowerLipBottomSide", 0, 0.05], ["lowerLipBottom", 0, 0.01],
    ["nasolabialBottom", 0, 0.04]],
  // The lower lip is pulled down and turned out: its red shows fuller (the outer edge drops further than the inner).
  16: [["lowerLipInner", 0, 0.07], ["lowerLipInnerSide", 0.005, 0.055], ["lowerLipBottom", 0, 0.09],
    ["lowerLipBottomSide", 0, 0.06], ["mouthCorner", 0, 0.01]],
  // The lower lip rides up whole on the chin boss (a pout): its red stays, it is not squeezed away.
  // Pushed up in the middle and not at the corners, the closed mouth arches: the pout of sadness and anger.
  17: [["lowerLipBottom", 0, -0.03], ["lowerLipInner", 0, -0.035], ["lowerLipInnerSide", 0, -0.02],
    ["lowerLipBottomSide", 0, -0.02], ["chinBoss", 0, -0.045], ["upperLipInner", 0, -0.022],
    ["upperLipInnerSide", 0, -0.01], ["upperLipTop", 0, -0.022], ["upperLipPeak", 0, -0.018],
    ["mouthCorner", 0, 0.025], ["chin", 0, -0.01]],
  // AU20 pulls the lips taut sideways: the lips' sides travel out with the corners, so an open mouth (26) is a
  // wide, squared opening with a flat top and bottom (fear's), not a lens pointed at the corners (a grin's).
  // The corners go straight out, held against the jaw's pull: turned down, the open mouth read as crying.
  20: [["mouthCorner", 0.145, 0.01], ["upperLipInnerSide", 0.09, 0.025], ["lowerLipInnerSide", 0.09, 0.06],
    ["lowerLipInner", 0, 0.025],
    ["upperLipSide", 0.09, 0.025], ["lowerLipBottomSide", 0.085, 0.05], ["upperLipPeak", 0.03, 0.012],
    ["lowerLipBottom", 0, -0.018], ["nasolabialBottom", 0.06, 0.01]],
  // AU22 funnels the lips: the corners come in, the lips' middle opens into a square (the open-mouthed anger's
  // bared, clenched teeth) and the red turns out, so the lips look thicker.
  22: [["mouthCorner", -0.032, 0.02], ["upperLipInnerSide", 0.05, -0.06], ["lowerLipInnerSide", 0.05, 0.05],
    ["upperLipSide", 0.03, -0.03], ["upperLipPeak", 0.01, -0.01],
    ["lowerLipBottomSide", 0.03, 0.03], ["lowerLipBottom", 0, 0.0]],
  23: [["mouthCorner", -0.02, 0], ["upperLipInnerSide", -0.008, 0], ["lowerLipInnerSide", -0.008, 0]],
  // Pressing the lips shut against the raised chin (AU17) bows them down at the corners: the set mouth of anger,
  // not a neutral line.
  24: [["mouthCorner", 0, 0.06], ["upperLipSide", 0, 0.015], ["lowerLipBottomSide", 0, 0.02]],
  25: [["upperLipInner", 0, -0.02], ["upperLipInnerSide", 0, -0.015], ["lowerLipInner", 0, 0.06],
    ["lowerLipInnerSide", 0, 0.045], ["lowerLipBottom", 0, 0.045], ["lowerLipBottomSide", 0, 0.035]],
  26: [["chin", 0, 0.2], ["chinBoss", 0, 0.19], ["lowerLipBottom", 0, 0.18], ["lowerLipBottomSide", 0, 0.14],
    ["lowerLipInner", 0, 0.165], ["lowerLipInnerSide", 0, 0.12], ["mouthCorner", -0.02, 0.05],
    ["upperLipInner", 0, -0.01], ["jaw", -0.01, 0.11], ["jawAngle", 0, 0.03], ["chinSide", 0, 0.18],
    ["nasolabialBottom", 0, 0.03]],
  // AU38 flares the nostrils: the wings spread sideways (drawNose also widens the openings). Anger's, not disgust's
  // (AU9 lifts the wings instead).
  38: [["noseWing", 0.02, 0], ["nostril", 0.012, 0.002]],
  // AU43 closes each eye over its own opening (applyLidClosure), so it has no fixed-size moves.
  43: [],
});

/**
 * The relaxed face (IOD fractions; 0.9 and 0.4 units on an average face): brow tails level with the heads, not
 * sloping down to the temples, and the mouth corners a touch above the lip line. Without them fer read 42 of 240
 * neutral faces as sad, most on Fitzpatrick I-IV (19 with them).
 */
export const REST_BROW_TAIL_LIFT = 0.03;
export const REST_CORNER_LIFT = 0.0133;

/**
 * The relaxed upper lid rests a little onto the iris's top (IOD fractions down, at its middle, inner and outer
 * points; about 0.4 units on an average eye, a tenth of the opening): held higher, a bare iris with white on both
 * sides and a heavy lash line read as a wide eye, and face-api read resting bearded faces on types IV-VI as
 * surprised. AU5 lifts the lid out of this droop before it retracts, all of it by level 0.5, so fear, surprise and
 * anger keep the lids they had.
 */
export const REST_LID_DROP = { lidUpper: 0.0135, lidUpperIn: 0.0115, lidUpperOut: 0.01 };

/** Lip thinning per unit: fraction of the lip's red height lost at intensity 1 (facs.md: AU23 30-50%). AU20
 * stretches more than it thins: thinner, fear's stretched lips vanished into a beard for the landmark detector. AU24
 * on top of AU23 keeps about half the red (at 0.4 a third was left: a dark crack, not pressed lips). */
export const LIP_THINNING = Object.freeze({ 23: 0.32, 24: 0.25, 20: 0.15, 14: 0.1, 22: -0.25 });

const SIDE_LANDMARKS = [
  "browInner", "browMid", "browOuter", "eyeInner", "eyeOuter", "lidUpper", "lidUpperIn", "lidUpperOut",
  "lidLower", "lidLowerIn", "lidLowerOut", "crease", "eyeCentre", "cheek", "noseWing", "nostril",
  "nasolabialTop", "nasolabialBottom", "mouthCorner", "upperLipPeak", "upperLipSide", "upperLipInnerSide",
  "lowerLipInnerSide", "lowerLipBottomSide", "jaw", "jawAngle", "chinSide", "ear",
];
const MIDLINE_LANDMARKS = ["noseRoot", "noseTip", "subnasale", "upperLipTop", "upperLipInner", "lowerLipInner",
  "lowerLipBottom", "chinBoss", "chin"];

// How far each landmark sits in front of the ears (units), for the head-pitch tilt.
const DEPTH = {
  brow: 23, eye: 20, lid: 21, crease: 21, cheek: 20, nose: 27, noseTip: 32, subnasale: 28, nostril: 28,
  nasolabial: 23, mouth: 26, lip: 27, upperLip: 27, lowerLip: 26, chin: 22, jaw: 10, ear: -6,
};

const DEPTH_PREFIXES = Object.entries(DEPTH).sort((a, b) => b[0].length - a[0].length);
/** @type {Map<string, number>} */
const depthCache = new Map();

/** @param {string} name */
function depthOf(name) {
  let depth = depthCache.get(name);
  if (depth === undefined) {
    depth = DEPTH_PREFIXES.find(([prefix]) => name.startsWith(prefix))?.[1] ?? 18;
    depthCache.set(name, depth);
  }
  return depth;
}
const MIDLINE = new Set(MIDLINE_LANDMARKS);
/** @type {WeakMap<object, Record<string, Point>>} */
const neutralCache = new WeakMap();

const EYE_SHAPES = {
  almond: { upper: 2.05, lower: 1.8, tilt: 0.35, crease: 1.35, fold: 0.5 },
  round: { upper: 2.2, lower: 2.0, tilt: 0.05, crease: 1.5, fold: 0.4 },
  hooded: { upper: 1.95, lower: 1.75, tilt: 0.2, crease: 0.45, fold: 1 },
  monolid: { upper: 1.8, lower: 1.65, tilt: 0.6, crease: 0, fold: 0 },
  upturned: { upper: 2.0, lower: 1.7, tilt: 0.8, crease: 1.25, fold: 0.5 },
  deep: { upper: 2.05, lower: 1.85, tilt: 0.25, crease: 1.8, fold: 0.6 },
};
const FACE_SHAPES = {
  oval: { forehead: 21, temple: 23.2, cheek: 24.8, jawAngle: [19.5, 26.5], jaw: [13, 35.5], chinW: 5.5, chinY: 40.5 },
  round: { forehead: 22, temple: 24.2, cheek: 25.8, jawAngle: [21.2, 26], jaw: [15.5, 34.8], chinW: 7.5, chinY: 39.5 },
  square: { forehead: 22.5, temple: 23.8, cheek: 25, jawAngle: [22.2, 28], jaw: [17, 36], chinW: 8.5, chinY: 40 },
  heart: { forehead: 23, temple: 24, cheek: 24.8, jawAngle: [18.5, 25.5], jaw: [11.5, 34.5], chinW: 4.5, chinY: 41 },
  long: { forehead: 21, temple: 22.6, cheek: 23.8, jawAngle: [19.2, 28.5], jaw: [13, 37.5], chinW: 6, chinY: 43 },
  diamond: { forehead: 20, temple: 23, cheek: 25.6, jawAngle: [19, 26.5], jaw: [12.5, 35], chinW: 5.2, chinY: 41 },
};
const NOSES = {
  straight: { width: 4.6, tip: 12.6, tipR: 1.9, bridge: 1.2 },
  narrow: { width: 3.9, tip: 13.2, tipR: 1.5, bridge: 1.0 },
  wide: { width: 5.4, tip: 12.4, tipR: 2.2, bridge: 1.4 },
  button: { width: 4.3, tip: 11.8, tipR: 2.0, bridge: 0.9 },
  aquiline: { width: 4.5, tip: 13.6, tipR: 1.6, bridge: 1.4 },
  broad: { width: 5.9, tip: 12.3, tipR: 2.5, bridge: 1.5 },
};
const LIPS = {
  thin: { halfWidth: 7.9, upper: 1.6, lower: 2.3, bow: 0.35 },
  medium: { halfWidth: 8.3, upper: 2.3, lower: 3.0, bow: 0.5 },
  full: { halfWidth: 8.4, upper: 3.0, lower: 3.9, bow: 0.55 },
  wide: { halfWidth: 9.2, upper: 2.3, lower: 3.1, bow: 0.45 },
  bow: { halfWidth: 7.8, upper: 2.7, lower: 3.3, bow: 0.9 },
};
const BROWS = {
  thin: { thickness: 0.65, arch: 0.2 },
  medium: { thickness: 1, arch: 0 },
  thick: { thickness: 1.35, arch: -0.1 },
  straight: { thickness: 1.05, arch: -0.6 },
  "soft-arch": { thickness: 0.9, arch: 0.5 },
};

/** @param {string} name @param {number} side */
const key = (name, side) => `${name}${side > 0 ? "L" : "R"}`;

/**
 * Neutral landmarks of an identity (before any pose).
 * @param {ReturnType<typeof import("./identity.js").identityFromSeed>} identity
 * @returns {Record<string, Point>}
 */
export function neutralLandmarks(identity) {
  // Read-only and cached: one face's geometry asks for its neutral several times.
  let cached = neutralCache.get(identity);
  if (!cached) {
    cached = buildNeutralLandmarks(identity);
    neutralCache.set(identity, cached);
  }
  return cached;
}

/** @param {ReturnType<typeof import("./identity.js").identityFromSeed>} identity */
function buildNeutralLandmarks(identity) {
  const scale = identity.iodScale;
  const eye = EYE_SHAPES[identity.eyes.shape];
  const face = FACE_SHAPES[identity.faceShape];
  const nose = NOSES[identity.nose];
  const lips = LIPS[identity.lips];
  const brow = BROWS[identity.brows];
  const masc = identity.masculinity;
  const eyeX = 10 * scale;
  const eyeHalf = 5.3 * scale * identity.eyes.size ** 0.5;
  const eyeOpen = identity.eyes.size;
  const browLift = (0.5 - masc) * 0.9 - identity.ageAmount * 0.3;
  const mouthY = 22.5 + (nose.tip - 12.6) * 0.4;
  /** @type {Record<string, Point>} */
  const p = {};
  const mid = (name, x, y) => { p[name] = { x: x * scale, y: y * scale }; };
  for (const side of [1, -1]) {
    // Tiny asymmetry so faces are not mirror-stamped; far below any expression movement.
    const asym = identity.asymmetry * side * 0.15;
    const s = (name, lateral, y) => { p[key(name, side)] = { x: side * lateral * scale, y: (y + asym) * scale }; };
    const eyeAt = (dx, dy) => ({ x: side * (eyeX + dx), y: dy + asym });
    p[key("eyeCentre", side)] = eyeAt(0, 0);
    p[key("eyeInner", side)] = eyeAt(-eyeHalf * 0.98, 0.3);
    p[key("eyeOuter", side)] = eyeAt(eyeHalf, -eye.tilt);
    p[key("lidUpperIn", side)] = eyeAt(-eyeHalf * 0.5, -eye.upper * 0.86 * eyeOpen);
    p[key("lidUpper", side)] = eyeAt(-0.25, -eye.upper * eyeOpen);
    p[key("lidUpperOut", side)] = eyeAt(eyeHalf * 0.55, -eye.upper * 0.74 * eyeOpen - eye.tilt * 0.4);
    p[key("lidLowerIn", side)] = eyeAt(-eyeHalf * 0.5, eye.lower * 0.8 * eyeOpen);
    p[key("lidLower", side)] = eyeAt(0.35, eye.lower * eyeOpen);
    p[key("lidLowerOut", side)] = eyeAt(eyeHalf * 0.58, eye.lower * 0.72 * eyeOpen - eye.tilt * 0.5);
    p[key("crease", side)] = eyeAt(0, -eye.upper * eyeOpen - Math.max(eye.crease, 0.3));
    const browY = -6.4 - browLift;
    p[key("browInner", side)] = eyeAt(-eyeHalf * 0.98, browY + 0.55);
    p[key("browMid", side)] = eyeAt(eyeHalf * 0.3, browY - 1.1 - brow.arch);
    p[key("browOuter", side)] = eyeAt(eyeHalf * 1.45, browY + 0.75);
    s("cheek", 15.5, 8);
    s("noseWing", nose.width, nose.tip - 0.2);
    s("nostril", nose.width * 0.5, nose.tip + 1.4);
    s("nasolabialTop", nose.width + 1.7, nose.tip - 0.6);
    s("nasolabialBottom", lips.halfWidth + 2.4, mouthY + 2.2);
    s("mouthCorner", lips.halfWidth, mouthY - 0.1);
    s("upperLipPeak", 1.9, mouthY - lips.upper - lips.bow * 0.35);
    s("upperLipSide", lips.halfWidth * 0.6, mouthY - lips.upper * 0.62);
    s("upperLipInnerSide", lips.halfWidth * 0.5, mouthY + 0.05);
    s("lowerLipInnerSide", lips.halfWidth * 0.5, mouthY + 0.05);
    s("lowerLipBottomSide", lips.halfWidth * 0.58, mouthY + lips.lower * 0.8);
    s("jawAngle", face.jawAngle[0] + masc * 1.2, face.jawAngle[1]);
    s("jaw", face.jaw[0] + masc * 1.2, face.jaw[1]);
    s("chinSide", face.chinW + masc * 1.4, face.chinY - 1.6);
    s("ear", face.cheek - 0.4, 4.5);
  }
  mid("noseRoot", 0, -1);
  mid("noseTip", 0, nose.tip);
  mid("subnasale", 0, nose.tip + 2.3);
  mid("upperLipTop", 0, mouthY - lips.upper + lips.bow * 0.3);
  mid("upperLipInner", 0, mouthY + 0.15);
  mid("lowerLipInner", 0, mouthY + 0.15);
  mid("lowerLipBottom", 0, mouthY + lips.lower);
  mid("chinBoss", 0, (mouthY + lips.lower + face.chinY) / 2 + 1.5);
  mid("chin", 0, face.chinY);
  keepLidsApart(p);
  const iod = Math.hypot(p.eyeOuterL.x - p.eyeOuterR.x, p.eyeOuterL.y - p.eyeOuterR.y);
  for (const side of ["L", "R"]) {
    for (const [name, drop] of Object.entries(REST_LID_DROP)) p[`${name}${side}`].y += drop * iod;
  }
  for (const side of ["L", "R"]) {
    p[`browOuter${side}`].y -= REST_BROW_TAIL_LIFT * iod;
    p[`mouthCorner${side}`].y -= REST_CORNER_LIFT * iod;
  }
  return p;
}

/**
 * The inter-ocular distance of an identity (outer eye corner to outer eye corner), in face units.
 * @param {ReturnType<typeof import("./identity.js").identityFromSeed>} identity
 */
export function IOD_OF(identity) {
  const p = neutralLandmarks(identity);
  return Math.hypot(p.eyeOuterL.x - p.eyeOuterR.x, p.eyeOuterL.y - p.eyeOuterR.y);
}

/** @param {Pose | undefined} pose @param {number|string} au @returns {[number, number]} [L, R] in 0..1 */
export function auLevels(pose, au) {
  const levels = pose?.au?.[String(au)];
  if (!levels) return [0, 0];
  const clamp = (v) => Math.max(0, Math.min(1, Number(v) || 0));
  return [clamp(levels[0]), clamp(levels[1])];
}

/**
 * Landmarks with the expression applied but no head pitch/roll (used by tests and shapes).
 * @returns {{points: Record<string, Point>, iod: number, levels: Record<number, [number, number]>}}
 */
function expressionLandmarks(identity, pose) {
  const points = neutralLandmarks(identity);
  const iod = IOD_OF(identity);
  /** @type {Record<number, [number, number]>} */
  const levels = {};
  for (const au of SUPPORTED_AUS) levels[au] = auLevels(pose, au);
  const moved = Object.fromEntries(Object.entries(points).map(([k, v]) => [k, { x: v.x, y: v.y }]));
  for (const au of SUPPORTED_AUS) {
    const [left, right] = levels[au];
    if (left === 0 && right === 0) continue;
    for (const [name, lateral, down] of AU_MOVES[au]) {
      if (MIDLINE.has(name)) {
        const level = (left + right) / 2;
        moved[name].y += down * iod * level;
        continue;
      }
      for (const [side, level] of [[1, left], [-1, right]]) {
        if (level === 0) continue;
        const point = moved[key(name, side)];
        point.x += side * lateral * iod * level;
        point.y += down * iod * level;
      }
    }
  }
  // AU1 with AU4 (fear, sadness): the raised brow heads are also pulled together, and the arch flattens into
  // a straight, worried line, the cue that tells fear from surprise's curved brows.
  for (const [side, index] of [[1, 0], [-1, 1]]) {
    const knit = Math.min(levels[1][index], levels[4][index]);
    if (knit === 0) continue;
    moved[key("browInner", side)].x -= side * 0.025 * iod * knit;
    moved[key("browInner", side)].y -= 0.07 * iod * knit;
    // With AU2 raising the whole brow (fear), its middle is held down further so the raised brow stays flat.
    moved[key("browMid", side)].y += (0.06 + 0.03 * levels[2][index]) * iod * knit;
    moved[key("browMid", side)].x -= side * 0.015 * iod * knit;
    moved[key("browOuter", side)].y += 0.01 * iod * knit;
  }
  // AU5 first lifts the upper lid out of its resting droop (REST_LID_DROP), all of it by level 0.5. Under a squint
  // (AU6, AU7, AU9) half of it comes back, so a smile's upper lid holds where it rests (AU6 lowers it about as much):
  // with the whole droop a smile's opening fell from 0.42 to 0.33 iris diameters (0.37 so) and the open sneer shut
  // as far as the closed one.
  for (const [side, index] of [[1, 0], [-1, 1]]) {
    const squint = Math.max(levels[6][index], levels[7][index], levels[9][index]);
    const lift = Math.max(Math.min(1, 2 * levels[5][index]), 0.5 * squint);
    if (lift === 0) continue;
    for (const [name, drop] of Object.entries(REST_LID_DROP)) moved[key(name, side)].y -= drop * iod * lift;
  }
  // Brows pulled down (AU4: sadness, fear, anger; AU9: disgust) set their own brow line and mouth: they start from
  // the old rest, without the relaxed face's lift (buildNeutralLandmarks), so they draw as they did before it (fear's
  // stretched corners held 0.4 units higher read as a grin or as sad to fer: 75 against 80 of 96, seed 1).
  for (const [side, index] of [[1, 0], [-1, 1]]) {
    const lowered = loweredBrows(levels, index);
    if (lowered === 0) continue;
    moved[key("browOuter", side)].y += REST_BROW_TAIL_LIFT * iod * lowered;
    moved[key("mouthCorner", side)].y += REST_CORNER_LIFT * iod * lowered;
  }
  // Fear's stare: the upper lid (AU5) under raised, knit brows retracts further than surprise's, all along its
  // length, so white shows above the iris from corner to corner. The tense lower lid (AU7) straightens: its
  // middle rises onto the bottom of the iris and its ends hardly move, a flat edge, not the squint that a lid
  // raised whole made of it (the eye then read as sad). Surprise's lower lid, without AU7, sags relaxed and round.
  for (const [side, index] of [[1, 0], [-1, 1]]) {
    const stare = fearStare(levels, index);
    const relaxed = levels[5][index] * (1 - levels[7][index]);
    const move = (name, down) => { moved[key(name, side)].y += down * iod; };
    if (stare > 0) {
      move("lidUpper", -0.035 * stare);
      move("lidUpperIn", -0.04 * stare);
      move("lidUpperOut", -0.04 * stare);
      move("crease", -0.03 * stare);
      // The whole flat brow rides higher over the wide eye: left where AU4 holds it, it sat low on the raised lid.
      for (const name of ["browInner", "browMid", "browOuter"]) move(name, -0.025 * stare);
      const tense = Math.min(stare, levels[7][index]);
      move("lidLower", -0.006 * tense);
      move("lidLowerIn", 0.014 * tense);
      move("lidLowerOut", 0.016 * tense);
    }
    // Surprise's wide eye: the relaxed lower lid sags off the iris, so white may show below it too (facs.md).
    if (relaxed > 0) {
      move("lidLower", 0.03 * relaxed);
      move("lidLowerIn", 0.02 * relaxed);
      move("lidLowerOut", 0.015 * relaxed);
    }
  }
  // Anger's glare: AU4 with AU7 and without AU1 (fear and sadness raise the brow heads). The brow heads come
  // further down and in onto the upper lid while the tails stay up, so the brows slant into a V; the brow pushes
  // the inner part of the upper lid down and the lower lid rises straight to just under the pupil, so the eye is a
  // hard, slanted slit with no white round the iris that still shows its pupils (0.02 IOD higher, the lid cut
  // through them and the glare read as a squint; a wider glare, lids 0.015 / 0.04 IOD further apart, read as sad
  // to fer). Posed full anger is larger than AU4's table size (facs.md); sized so a 48-pixel thumbnail shows it.
  // The heads come in 0.04 IOD (knit hard, the furrows between them deep); 0.075 down instead of 0.062 moved
  // FaceMesh's lower-lid points on bespectacled faces.
  for (const [side, index] of [[1, 0], [-1, 1]]) {
    const glare = glareLevel(levels, index);
    if (glare === 0) continue;
    const move = (name, lateral, down) => {
      moved[key(name, side)].x += side * lateral * iod * glare;
      moved[key(name, side)].y += down * iod * glare;
    };
    // Over pressed lips (AU24: closed anger) the glare opens: the upper lid rises (AU5, white above the iris) and
    // the tense lower lid's middle a little more, onto the pupil's lower half. Without it the closed glare read as a
    // sullen, sad or neutral face to fer; with the upper lid alone FaceMesh put type VI's left lower lid lower (its
    // lower-lid gate 96 -> 91%); the lid 0.015 higher, or its ends raised, hid the pupil or bent the lid into a V.
    const pressed = Math.min(glare, levels[24][index]);
    move("browInner", -0.04, 0.062);
    move("browMid", -0.01, -0.02);
    move("browOuter", 0, -0.03);
    move("lidUpperIn", 0, 0.02 - pressed * 0.02);
    move("lidUpper", 0, -pressed * 0.03);
    move("lidUpperOut", 0, -0.008);
    move("crease", 0, 0.02);
    move("lidLower", 0, -0.01 - pressed * 0.01);
    move("lidLowerIn", 0, -0.005);
    move("lidLowerOut", 0, 0);
    moved[key("mouthCorner", side)].y += 0.03 * iod * pressed;
    // Pressed hard (AU23/24 with the glare) the lips draw in from the corners: a tight mouth, not a wide frown.
    moved[key("mouthCorner", side)].x -= side * 0.025 * iod * pressed;
    for (const name of ["upperLipInnerSide", "lowerLipInnerSide", "upperLipSide", "lowerLipBottomSide"]) {
      moved[key(name, side)].x -= side * 0.012 * iod * pressed;
    }
  }
  // Disgust's raised upper lip (AU10) over lowered corners (AU15): the lip's sides stay up with its centre, so the
  // raised lip is an inverted U over the upper teeth, dropping steeply to the corners, not a tent peaked at the
  // middle (which AU15 alone pulling the sides down makes). In the open sneer the sides stay up only half as far:
  // the U rounds down to the corners instead of squaring off over a band of teeth (see openSneer below).
  const openSneer = openSneerLevel(levels);
  for (const [side, index] of [[1, 0], [-1, 1]]) {
    const sneer = Math.min(levels[10][index], levels[15][index]) * (1 - OPEN_SNEER_SIDES_DOWN * openSneer);
    if (sneer === 0) continue;
    moved[key("upperLipInnerSide", side)].y -= 0.04 * iod * sneer;
    moved[key("upperLipSide", side)].y -= 0.035 * iod * sneer;
  }
  // With the chin raised (AU17) the lower lip rides up behind the raised upper lip and the mouth all but closes: a
  // pouted "yuck", the lower lip pushed up full under the lifted upper lip, no lower teeth bared (a snarl's cue).
  const closedSneer = Math.min((levels[10][0] + levels[10][1]) / 2, (levels[17][0] + levels[17][1]) / 2);
  if (closedSneer > 0) {
    moved.lowerLipInner.y -= 0.07 * iod * closedSneer;
    moved.lowerLipBottom.y -= 0.03 * iod * closedSneer;
    for (const side of [1, -1]) {
      moved[key("lowerLipInnerSide", side)].y -= 0.06 * iod * closedSneer;
      moved[key("lowerLipBottomSide", side)].y -= 0.025 * iod * closedSneer;
    }
  }
  // Fear's open stretch (AU20 with the lips parted): the corners sit a little down, level with the opening's upper
  // third: a wide "eek", not the D of a laughing mouth (flat top over a deep round bottom, corners at the top).
  // The upper lip's sides stay down over the teeth: lifted to flatten the opening's top, they bared a band of upper
  // teeth from corner to corner, a grin's cue. The stretch is the lips' own pull, so it is as strong over a half-open
  // jaw as over a dropped one (as faceGeometry's lowerTeethShown is).
  for (const [side, index] of [[1, 0], [-1, 1]]) {
    const stretch = Math.min(levels[20][index], Math.max(levels[25][index], levels[26][index]));
    if (stretch === 0) continue;
    moved[key("mouthCorner", side)].y += 0.012 * iod * stretch;
  }
  // Disgust (AU9 with the raised upper lip): the lower lip stays up under the bared upper teeth across its width, so
  // the teeth show as a band under the lip's inverted U, bounded below by the lip's own downturned edge. Dropped at
  // its sides with the corners, the lower lip left a smile's crescent of teeth (read as happy on dark skin) or, open
  // further, anger's squared mouth on both rows.
  // AU9 drags the brows down as it bunches the nose root (FACS: it lowers the brows' medial part): the eye is
  // narrowed from above as well as from below, the squint of disgust, not a sleepy lid under a resting brow. Not
  // pulled together and not on top of AU4 (anger's scowl, and the glasses' lowest-brow fit, already lower them).
  // Twice this (brow heads 0.065 IOD down in all) moved FaceMesh's lower-lid points on type II faces with glasses.
  for (const [side, index] of [[1, 0], [-1, 1]]) {
    const drag = levels[9][index] * (1 - levels[4][index]);
    if (drag === 0) continue;
    moved[key("browInner", side)].y += 0.018 * iod * drag;
    moved[key("browMid", side)].y += 0.015 * iod * drag;
    moved[key("browOuter", side)].y += 0.006 * iod * drag;
  }
  const disgust = Math.min((levels[9][0] + levels[9][1]) / 2, (levels[10][0] + levels[10][1]) / 2);
  if (disgust > 0) {
    const under = points.upperLipInner.y + 0.03 * iod;
    const lift = (name) => {
      moved[name].y -= Math.max(0, moved[name].y - under) * 0.75 * disgust;
    };
    lift("lowerLipInner");
    lift("lowerLipInnerSideL");
    lift("lowerLipInnerSideR");
    // A real sneer is rarely even: the upper lip and nose wing rise a little further on one side (the same side
    // for a given face), far less than contempt's one-sided corner.
    const side = identity.asymmetry >= 0 ? 1 : -1;
    for (const [name, amount] of [["upperLipSide", 0.018], ["upperLipInnerSide", 0.015], ["upperLipPeak", 0.008],
      ["noseWing", 0.008], ["nasolabialTop", 0.01]]) {
      moved[key(name, side)].y -= amount * iod * disgust;
      moved[key(name, -side)].y += amount * 0.3 * iod * disgust;
    }
  }
  // The open sneer parts the lips only under the raised centre: the lower lip's sides close up to the upper lip's,
  // so the upper teeth show in an arch under the lip's inverted U and the mouth is shut toward the corners. A band
  // of teeth from corner to corner under a squared lip is anger's open mouth to a photo-trained classifier (fer,
  // v1, 96 identities: disgust 47 -> 55, angry 33 -> 29; face-api 96 -> 91 of 96).
  if (openSneer > 0) {
    for (const side of [1, -1]) {
      const lower = moved[key("lowerLipInnerSide", side)];
      const upper = moved[key("upperLipInnerSide", side)];
      lower.y -= Math.max(0, lower.y - upper.y - 0.008 * iod) * OPEN_SNEER_SIDES_SHUT * openSneer;
    }
  }
  // One-sided lip movements drag the lip centre a little toward the active side.
  for (const name of ["upperLipInner", "lowerLipInner", "upperLipTop", "lowerLipBottom"]) {
    moved[name].x += ((moved.mouthCornerL.x - points.mouthCornerL.x) + (moved.mouthCornerR.x - points.mouthCornerR.x))
      * 0.25;
  }
  applyLipThickness(points, moved, levels);
  applyGaze(moved, pose, iod);
  applyLidClosure(moved, levels[43]);
  keepLidsApart(moved, levels[43]);
  return { points: moved, iod, levels };
}

/**
 * How much of anger's glare a side shows (0-1): brows lowered (AU4) with the lids tightened (AU7) and the brow
 * heads not raised (AU1, which fear and sadness add).
 * @param {Record<number, [number, number]>} levels @param {number} index 0 for the face's left, 1 for its right
 */
export function glareLevel(levels, index) {
  return Math.min(levels[4][index], levels[7][index]) * (1 - levels[1][index]);
}

/**
 * How far a side's brows are pulled down (0-1, full from half intensity): AU4 (sadness, fear, anger) or AU9
 * (disgust). Such a face gives up the relaxed face's lift of the brow tails and mouth corners.
 * @param {Record<number, [number, number]>} levels @param {number} index 0 for the face's left, 1 for its right
 */
export function loweredBrows(levels, index) {
  return Math.min(1, Math.max(levels[4][index], levels[9][index]) / 0.5);
}

/** The open sneer: how far its raised upper lip's sides come back down (share of the squaring lift), and how far
 * the lower lip's sides close the gap up to them. */
export const OPEN_SNEER_SIDES_DOWN = 0.55;
export const OPEN_SNEER_SIDES_SHUT = 0.65;

/**
 * How much of disgust's open sneer the face shows (0-1): the nose wrinkled (AU9) over the raised upper lip (AU10),
 * less what the raised chin (AU17) closes (the closed "yuck", which shuts the mouth its own way).
 * @param {Record<number, [number, number]>} levels
 */
export function openSneerLevel(levels) {
  const mean = (au) => (levels[au][0] + levels[au][1]) / 2;
  return Math.max(0, Math.min(mean(9), mean(10)) - Math.min(mean(10), mean(17)));
}

/**
 * How much of fear's stare a side shows (0-1): the upper lid raised (AU5) under brows raised and drawn together
 * (AU1 with AU4, which fear's variants hold at 0.6). Surprise (no AU4), anger (no AU1) and sadness (no AU5) show none.
 * @param {Record<number, [number, number]>} levels @param {number} index 0 for the face's left, 1 for its right
 */
export function fearStare(levels, index) {
  return Math.min(levels[5][index], levels[1][index], levels[4][index] / 0.6, 1);
}

/** Thinning (23/24/20/14) pulls each lip's outer edge toward its inner edge; 24 also presses lips shut. */
function applyLipThickness(neutral, moved, levels) {
  const thin = (side) => {
    const index = side > 0 ? 0 : 1;
    let keep = 1;
    for (const [au, amount] of Object.entries(LIP_THINNING)) keep *= 1 - amount * levels[Number(au)][index];
    return keep;
  };
  const keepL = thin(1);
  const keepR = thin(-1);
  const keepMid = (keepL + keepR) / 2;
  const squeeze = (outer, inner, keep, neutralOuter, neutralInner) => {
    const height = neutralOuter.y - neutralInner.y;
    outer.y -= height * (1 - keep);
  };
  squeeze(moved.upperLipTop, moved.upperLipInner, keepMid, neutral.upperLipTop, neutral.upperLipInner);
  squeeze(moved.lowerLipBottom, moved.lowerLipInner, keepMid, neutral.lowerLipBottom, neutral.lowerLipInner);
  for (const side of [1, -1]) {
    const keep = side > 0 ? keepL : keepR;
    for (const [outer, inner] of [["upperLipPeak", "upperLipInnerSide"], ["upperLipSide", "upperLipInnerSide"],
      ["lowerLipBottomSide", "lowerLipInnerSide"]]) {
      squeeze(moved[key(outer, side)], moved[key(inner, side)], keep, neutral[key(outer, side)],
        neutral[key(inner, side)]);
    }
  }
  // Lip press (24) closes any gap; lips that would cross (e.g. 17 pushing up) meet in between.
  const press = Math.max(...levels[24]);
  for (const [upper, lower] of [["upperLipInner", "lowerLipInner"], ["upperLipInnerSideL", "lowerLipInnerSideL"],
    ["upperLipInnerSideR", "lowerLipInnerSideR"]]) {
    const gap = moved[lower].y - moved[upper].y;
    if (gap > 0 && press > 0) {
      moved[lower].y -= gap * press * 0.5;
      moved[upper].y += gap * press * 0.5;
    } else if (gap < 0) {
      const meet = (moved[lower].y + moved[upper].y) / 2;
      moved[lower].y = meet;
      moved[upper].y = meet;
    }
  }
  // The red of a lip never turns inside out.
  const minLip = 0.45;
  moved.upperLipTop.y = Math.min(moved.upperLipTop.y, moved.upperLipInner.y - minLip);
  moved.lowerLipBottom.y = Math.max(moved.lowerLipBottom.y, moved.lowerLipInner.y + minLip);
  for (const side of [1, -1]) {
    for (const name of ["upperLipPeak", "upperLipSide"]) {
      const p = moved[key(name, side)];
      p.y = Math.min(p.y, moved[key("upperLipInnerSide", side)].y - minLip * 0.8);
    }
    const lower = moved[key("lowerLipBottomSide", side)];
    lower.y = Math.max(lower.y, moved[key("lowerLipInnerSide", side)].y + minLip * 0.8);
  }
}

/** Eyes turn with gaze; the upper lid follows a downward gaze (as real lids do). */
function applyGaze(moved, pose, iod) {
  const gazeX = Math.max(-1, Math.min(1, Number(pose?.gaze?.[0]) || 0));
  const gazeY = Math.max(-1, Math.min(1, Number(pose?.gaze?.[1]) || 0));
  const unit = iod / 30;
  for (const side of [1, -1]) {
    const iris = { ...moved[key("eyeCentre", side)] };
    iris.x += gazeX * 2.4 * unit;
    iris.y += gazeY * 2.5 * unit;
    moved[key("iris", side)] = iris;
    // Looking down, the upper lid rides down with the iris and still just covers its top, as at rest: a lid
    // that lagged behind it bared white above the iris, fear's wide eye (fer read sad faces as fear). It stops
    // there, and the lower lid drops too, so the pupil stays in view: the eye looks down, not asleep.
    const lidDrop = Math.max(0, gazeY) * 2.4 * unit + Math.min(0, gazeY) * 0.8 * unit;
    moved[key("lidUpper", side)].y += lidDrop;
    moved[key("lidUpperIn", side)].y += lidDrop * 0.8;
    moved[key("lidUpperOut", side)].y += lidDrop * 0.85;
    moved[key("crease", side)].y += lidDrop * 0.6;
    moved[key("lidLower", side)].y += Math.max(0, gazeY) * 1.5 * unit;
    moved[key("lidLowerIn", side)].y += Math.max(0, gazeY) * 1.0 * unit;
    moved[key("lidLowerOut", side)].y += Math.max(0, gazeY) * 1.2 * unit;
  }
}

const LID_PAIRS = [["lidUpper", "lidLower"], ["lidUpperIn", "lidLowerIn"], ["lidUpperOut", "lidLowerOut"]];

/**
 * AU43: the upper lid comes down over the eyeball and the lower lid rises a little to meet it, a bit below
 * the middle of the opening (as in a blink). At 1 the lids touch along the whole eye, whatever the pose.
 * @param {Record<string, Point>} moved @param {[number, number]} closed AU43 per side [L, R]
 */
function applyLidClosure(moved, closed) {
  for (const side of [1, -1]) {
    const level = closed[side > 0 ? 0 : 1];
    if (level === 0) continue;
    for (const [upper, lower] of LID_PAIRS) {
      const u = moved[key(upper, side)];
      const l = moved[key(lower, side)];
      const meet = u.y + (l.y - u.y) * 0.72;
      const travel = meet - u.y;
      u.y += travel * level;
      l.y += (meet - l.y) * level;
      // The fold above the lid is pulled down with it (about half the lid's travel).
      if (upper === "lidUpper") moved[key("crease", side)].y += travel * level * 0.55;
    }
  }
}

/** Lids can close but never cross; open eyes keep a sliver; the crease stays above the lid. */
function keepLidsApart(moved, closed = [0, 0]) {
  for (const side of [1, -1]) {
    const minGap = 0.35 * (1 - closed[side > 0 ? 0 : 1]);
    for (const [upper, lower] of LID_PAIRS) {
      const u = moved[key(upper, side)];
      const l = moved[key(lower, side)];
      if (l.y - u.y < minGap) {
        const meet = (l.y + u.y) / 2;
        u.y = meet - minGap / 2;
        l.y = meet + minGap / 2;
      }
    }
    const crease = moved[key("crease", side)];
    crease.y = Math.min(crease.y, moved[key("lidUpper", side)].y - 0.3);
    const browMid = moved[key("browMid", side)];
    crease.y = Math.max(crease.y, Math.min(browMid.y + 1.2, moved[key("lidUpper", side)].y - 0.3));
  }
}

/**
 * Tips the head: points in front of the ears move down as the face pitches forward, and
 * everything rolls about the neck.
 * @param {Pose | undefined} pose
 */
export function headTransform(pose) {
  const pitch = Math.max(0, Math.min(1, Number(pose?.head?.pitch) || 0)) * MAX_PITCH_RAD;
  const roll = Math.max(-1, Math.min(1, Number(pose?.head?.roll) || 0)) * MAX_ROLL_RAD;
  const pivot = { x: 0, y: 8 };
  const cos = Math.cos(pitch);
  const sin = Math.sin(pitch);
  /** @param {Point} p @param {number} depth */
  const tilt = (p, depth) => (pitch === 0 ? p : { x: p.x, y: pivot.y + (p.y - pivot.y) * cos + depth * sin });
  return { pitch, roll, rollPivot: { x: 0, y: 44 }, tilt };
}

/** @param {Point} p @param {number} angle @param {Point} pivot */
function rotate(p, angle, pivot) {
  if (angle === 0) return p;
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const dx = p.x - pivot.x;
  const dy = p.y - pivot.y;
  return { x: pivot.x + dx * c - dy * s, y: pivot.y + dx * s + dy * c };
}

/**
 * Named landmarks in face coordinates for an identity in a pose (head pitch and roll applied).
 * Side names end in L (face's left, viewer's right, x > 0) or R.
 * @param {object} identity
 * @param {Pose} pose
 * @returns {Record<string, Point>}
 */
export function landmarks(identity, pose) {
  const { points } = expressionLandmarks(identity, pose);
  const head = headTransform(pose);
  /** @type {Record<string, Point>} */
  const out = {};
  for (const [name, p] of Object.entries(points)) {
    out[name] = rotate(head.tilt(p, depthOf(name)), head.roll, head.rollPivot);
  }
  return out;
}

const lerp = (a, b, t) => a + (b - a) * t;
/** @param {Point} a @param {Point} b @param {number} t */
const mix = (a, b, t) => ({ x: lerp(a.x, b.x, t), y: lerp(a.y, b.y, t) });
/** @param {Point} p @param {number} dx @param {number} dy */
const add = (p, dx, dy) => ({ x: p.x + dx, y: p.y + dy });

/**
 * Everything draw.js needs, in face coordinates, with head pitch applied (roll is returned as
 * `roll`/`rollPivot` for the renderer to apply as one transform).
 * @param {object} identity
 * @param {Pose} pose
 */
export function faceGeometry(identity, pose) {
  const { points: P, iod, levels } = expressionLandmarks(identity, pose);
  const head = headTransform(pose);
  const face = FACE_SHAPES[identity.faceShape];
  const unit = iod / 30;
  const at = (p, depth) => head.tilt(p, depth);
  const L = (name, side) => at(P[key(name, side)], depthOf(name));
  const M = (name) => at(P[name], depthOf(name));
  const mean = (au) => (levels[au][0] + levels[au][1]) / 2;
  const sideLevel = (au, side) => levels[au][side > 0 ? 0 : 1];
  const masc = identity.masculinity;
  const jawDrop = mean(26);
  // How far the upper teeth reach below the resting lip line: pulling the corners up (AU12) draws the upper lip
  // off them. AU20 stretches the upper lip down over them, and with the lips parted pulls the lower lip down off
  // the lower teeth: fear's "eek", a dark opening over a band of lower teeth. A band of upper teeth is a smile's
  // cue (fer read fear as happy), a dark opening alone surprise's. The band follows the stretch, not the jaw: gated
  // by the jaw (AU26 0.6), fear v2's band was 0.6 of full, its mouth a dark oval, and face-api read 47 of 240 v2
  // renders as surprise (35 with the band at 0.9; fer's v2 the same, 89%).
  const upperTeeth = 0.5 + 0.8 * mean(12) - 1.2 * mean(20);
  const lowerTeethShown = Math.min(mean(20), Math.max(mean(25), jawDrop)) * 0.07 * iod;

  // Head outline: skull silhouette (no depth) plus the lower face, which follows the jaw.
  const outline = [];
  const crown = { x: 0, y: -41 };
  const skull = [[15, -38.8], [21.8, -32], [face.forehead, -22], [face.temple, -11], [face.cheek, 1],
    [face.cheek - 0.9, 12]];
  const right = [];
  const left = [];
  for (const [x, y] of skull) {
    left.push(at({ x: x * unit, y: y * unit }, 0));
    right.push(at({ x: -x * unit, y: y * unit }, 0));
  }
  for (const name of ["jawAngle", "jaw", "chinSide"]) {
    left.push(L(name, 1));
    right.push(L(name, -1));
  }
  outline.push(at({ x: crown.x * unit, y: crown.y * unit }, 0), ...left, M("chin"), ...right.reverse());

  const ears = {};
  for (const side of [1, -1]) {
    const e = L("ear", side);
    ears[side > 0 ? "L" : "R"] = { x: e.x + side * 0.9 * unit, y: e.y, w: 3.2 * unit, h: 15 * unit };
  }

  const eyes = {};
  const brows = {};
  const browThickness = BROWS[identity.brows].thickness * (0.85 + masc * 0.3);
  for (const side of [1, -1]) {
    const name = side > 0 ? "L" : "R";
    const upper = ["eyeInner", "lidUpperIn", "lidUpper", "lidUpperOut", "eyeOuter"].map((n) => L(n, side));
    const lower = ["eyeInner", "lidLowerIn", "lidLower", "lidLowerOut", "eyeOuter"].map((n) => L(n, side));
    const crease = L("crease", side);
    const creasePath = [add(upper[0], side * 0.6 * unit, -0.5 * unit), mix(upper[1], crease, 0.85), crease,
      mix(upper[3], add(crease, side * 2.8 * unit, 0.5 * unit), 0.8), add(upper[4], side * 0.2, -0.4 * unit)];
    const iris = L("iris", side);
    const eyeShape = EYE_SHAPES[identity.eyes.shape];
    eyes[name] = {
      upper, lower, crease: creasePath, creaseDepth: eyeShape.crease, fold: eyeShape.fold,
      // The iris always reaches above the neutral upper lid, so white shows only when the lid retracts.
      iris: { x: iris.x, y: iris.y, r: (eyeShape.upper + 0.3) * identity.eyes.size },
      centre: L("eyeCentre", side),
    };
    const inner = L("browInner", side);
    const midPt = L("browMid", side);
    const outer = L("browOuter", side);
    // AU4 bunches the brow heads: they thicken as they pull together.
    // Raised by AU1 (fear, sadness) the heads are stretched up and bunch less than in a scowl.
    const bunch = 1 + sideLevel(4, side) * (0.45 - 0.35 * sideLevel(1, side));
    const lowerEdge = [inner, mix(inner, midPt, 0.5), midPt, mix(midPt, outer, 0.55), outer];
    const thick = [2.3 * bunch, 2.2, 1.9, 1.4, 0.7].map((t) => t * browThickness * unit);
    const upperEdge = lowerEdge.map((p, i) => add(p, side * (i === 0 ? -0.15 : 0.1) * unit, -thick[i]));
    brows[name] = { lower: lowerEdge, upper: upperEdge };
  }

  const nose = {
    root: M("noseRoot"), tip: M("noseTip"), subnasale: M("subnasale"),
    wingL: L("noseWing", 1), wingR: L("noseWing", -1), nostrilL: L("nostril", 1), nostrilR: L("nostril", -1),
    tipR: NOSES[identity.nose].tipR * unit, bridge: NOSES[identity.nose].bridge * unit,
  };

  // Lips stretched taut over an open mouth (AU20 with 25/26) meet a little inside their corners: the opening ends
  // in solid red wedges, and the corners stay visible (to a glance and to a landmark detector) in a dark beard,
  // where an opening that ran out to the corner points merged with the hair.
  const tautCorners = Math.min(mean(20), Math.max(mean(25), mean(26))) * 1.4 * unit;
  const innerLine = (pts) => pts.map((p, i) => (i === 0 ? add(p, tautCorners, 0)
    : i === pts.length - 1 ? add(p, -tautCorners, 0) : p));
  const mouth = {
    cornerL: L("mouthCorner", 1), cornerR: L("mouthCorner", -1),
    upperOuter: [L("mouthCorner", -1), L("upperLipSide", -1), L("upperLipPeak", -1), M("upperLipTop"),
      L("upperLipPeak", 1), L("upperLipSide", 1), L("mouthCorner", 1)],
    upperInner: innerLine([L("mouthCorner", -1), L("upperLipInnerSide", -1), M("upperLipInner"),
      L("upperLipInnerSide", 1), L("mouthCorner", 1)]),
    lowerInner: innerLine([L("mouthCorner", -1), L("lowerLipInnerSide", -1), M("lowerLipInner"),
      L("lowerLipInnerSide", 1), L("mouthCorner", 1)]),
    lowerOuter: [L("mouthCorner", -1), L("lowerLipBottomSide", -1), M("lowerLipBottom"),
      L("lowerLipBottomSide", 1), L("mouthCorner", 1)],
    gap: Math.max(0, P.lowerLipInner.y - P.upperLipInner.y,
      P.lowerLipInnerSideL.y - P.upperLipInnerSideL.y, P.lowerLipInnerSideR.y - P.upperLipInnerSideR.y),
    // Teeth are fixed to skull and jaw, not to the lips: lifting a lip uncovers them.
    upperTeethEdge: at({ x: 0, y: neutralLandmarks(identity).upperLipInner.y + upperTeeth * unit }, depthOf("mouth")).y,
    lowerTeethEdge: at({ x: 0, y: neutralLandmarks(identity).upperLipInner.y
      + Math.max(0.3 * unit + 0.2 * iod * jawDrop - lowerTeethShown, (upperTeeth + 0.25) * unit) },
      depthOf("mouth")).y,
    halfWidth: LIPS[identity.lips].halfWidth * unit,
    lowerTeethShown,
  };

  const lines = expressionLines({ L, M, unit, levels, mean, sideLevel, identity });
  // Lens rims sit outside the widest-open lids (AU5 at full), so white above the iris stays visible.
  const glasses = identity.glasses === "none" ? null : Object.fromEntries(["L", "R"].map((name) => {
    const c = eyes[name].centre;
    const side = name === "L" ? 1 : -1;
    const round = identity.glasses === "round";
    return [name, { x: c.x + side * 0.6 * unit, y: c.y + 0.9 * unit, halfWidth: (round ? 6.3 : 6.9) * unit,
      halfHeight: 5.6 * unit, rim: (identity.glasses === "thick" ? 0.95 : 0.45) * unit }];
  }));
  return {
    iod, unit, outline, ears, eyes, brows, nose, mouth, lines, glasses,
    chin: M("chin"), chinBoss: M("chinBoss"), cheekL: L("cheek", 1), cheekR: L("cheek", -1),
    jawAngleL: L("jawAngle", 1), jawAngleR: L("jawAngle", -1), jawL: L("jaw", 1), jawR: L("jaw", -1),
    // Top of the forehead that hair may reach down to: above raised brows and their forehead lines.
    hairlineY: hairlineFor(identity, unit, iod) + head.tilt({ x: 0, y: 0 }, 18).y,
    pitchShift: head.tilt({ x: 0, y: 0 }, 20).y,
    levels,
    roll: head.roll, rollPivot: head.rollPivot,
  };
}

/** Highest the forehead cues can reach (fully raised brows plus forehead lines), with the hair kept above. */
function hairlineFor(identity, unit, iod) {
  const p = neutralLandmarks(identity);
  const browBottom = Math.min(p.browMidL.y, p.browMidR.y, p.browInnerL.y, p.browInnerR.y);
  const browHeight = 2.3 * 1.35 * 1.15 * unit;
  const highestCue = browBottom - browHeight - 0.17 * iod - FOREHEAD_ROWS_TOP * unit;
  return Math.min((-22.5 - identity.hair.hairlineRise * 3) * unit, highestCue - 0.8 * unit);
}
const FOREHEAD_ROW_LIFTS = [3.6, 5.9, 8.2];
const FOREHEAD_ROWS_TOP = FOREHEAD_ROW_LIFTS[2] + 1.2;
/** How deep fear's lip stretch (AU20) cuts the nasolabial fold, as a share of a full smile's (AU12). */
const STRETCH_FOLD = 0.55;

/**
 * Creases and folds that carry the FACS cues, each with the opacity its action unit gives it.
 * @returns {{kind: string, points: Point[], alpha: number, width: number}[]}
 */
function expressionLines({ L, M, unit, levels, mean, sideLevel, identity }) {
  const lines = [];
  const push = (kind, points, alpha, width = 0.32) => {
    if (alpha > 0.02) lines.push({ kind, points, alpha: Math.min(1, alpha), width: width * unit });
  };
  const age = identity.ageAmount;
  const browAt = (side, t) => {
    const inner = L("browInner", side);
    const outer = L("browOuter", side);
    const midPt = L("browMid", side);
    return t < 0.5 ? mix(inner, midPt, t * 2) : mix(midPt, outer, (t - 0.5) * 2);
  };
  // Forehead lines (1 centre, 2 sides) follow the brows they rise with: the sad horseshoe, the surprise arch.
  const inner = mean(1);
  // AU4 under raised brows (fear, sadness) bunches the forehead toward the middle: its lines stay in the centre
  // and the side lines of AU2 fade, unlike surprise's lines across the whole forehead.
  const knitUp = Math.min(inner, mean(4));
  const outer = mean(2) * (1 - 0.85 * knitUp);
  for (let row = 0; row < FOREHEAD_ROW_LIFTS.length; row++) {
    const lift = FOREHEAD_ROW_LIFTS[row] * unit;
    const centreY = (L("browInner", 1).y + L("browInner", -1).y) / 2 - lift - 0.8 * unit;
    const widthFactor = (1 - row * 0.12) * (1 - 0.4 * knitUp);
    if (inner + age * 0.06 > 0.02) {
      const pts = [-1, -0.5, 0, 0.5, 1].map((t) => {
        const side = t >= 0 ? 1 : -1;
        const b = browAt(side, Math.abs(t) * 0.35);
        return { x: t * 9 * unit * widthFactor, y: lerp(centreY, b.y - lift, Math.abs(t)) };
      });
      push("forehead", pts, inner * 0.9 + age * 0.06, 0.34);
    }
    if (outer > 0.02) {
      for (const side of [1, -1]) {
        const pts = [0.2, 0.45, 0.7, 0.95].map((t) => {
          const b = browAt(side, t);
          return { x: b.x + side * 0.5 * unit, y: b.y - lift - 0.4 * unit };
        });
        push("forehead", pts, outer * 0.75, 0.32);
      }
    }
  }
  // AU4: vertical lines between the brows, deepening as the brow heads meet.
  const lower = mean(4);
  for (const side of [1, -1]) {
    const head = L("browInner", side);
    const x = head.x - side * 1.6 * unit;
    push("glabella", [{ x, y: head.y - 2.6 * unit }, { x: x - side * 0.25 * unit, y: head.y },
      { x: x + side * 0.2 * unit, y: head.y + 2.4 * unit }], lower * 1.1, 0.45);
    // The brow head bunches: a short oblique fold above it.
    push("glabella", [add(head, side * 0.6 * unit, -2.4 * unit), add(head, side * 2.6 * unit, -3.4 * unit)],
      lower * 0.7, 0.34);
  }
  // AU4 also folds the skin across the root of the nose, just below the brow heads.
  const rootY = (L("browInner", 1).y + L("browInner", -1).y) / 2 + 1.8 * unit;
  push("glabella", [{ x: -1.4 * unit, y: rootY + 0.3 * unit }, { x: 0, y: rootY }, { x: 1.4 * unit, y: rootY + 0.3 * unit }],
    (lower - 0.3) * 0.9, 0.36);
  // AU9: the skin of the nose bunches up toward the brows. At the root, between the eyes, it gathers into two or
  // three short creases across the bridge, the lowest longest, wrapping down its sides, and the lifted wings crease
  // above their tops; the bridge between stays smooth. A ladder of folds down the whole bridge is no face's, and fer
  // read it as anger as often as disgust.
  const wrinkle = mean(9);
  const root = M("noseRoot");
  // Which way the creases lean, and whether a third shows, is the face's own (as the sneer's stronger side is).
  const lean = identity.asymmetry * 2 * unit;
  const rows = Math.abs(identity.asymmetry) > 0.12 ? 2 : 3;
  // Glasses sit on the root, their bridge across the creases: there the creases show a little lower and wrap further
  // round the bridge, below and beside the frame (hidden under it, FaceMesh's nose-wrinkle gate missed 2 of 32 type I).
  const belowBridge = identity.glasses === "none" ? 0 : 0.6 * unit;
  for (let i = 0; i < rows; i++) {
    const y = root.y + belowBridge + (0.9 - i * 1.15) * unit;
    const half = (2.2 - i * 0.35) * unit + belowBridge * 0.66;
    const drop = (0.75 - i * 0.15) * unit + belowBridge * 0.4;
    push("nose", [{ x: -half, y: y + drop - lean }, { x: -half * 0.5, y: y + 0.15 * unit - lean * 0.5 }, { x: 0, y },
      { x: half * 0.5, y: y + 0.15 * unit + lean * 0.5 }, { x: half, y: y + drop + lean }], wrinkle * (1 - i * 0.15),
    0.5);
  }
  for (const side of [1, -1]) {
    // A fine crease over the lifted wing: without it FaceMesh put the nose's base lower, and "upper lip nearer nose"
    // missed on 2 of 32 type III renders (seed 7). Drawn as a plain crease at half strength: drawn as the root's
    // folds, fer read it as anger (paired probe: disgust 203 -> 186, angry 73 -> 99 of 384; this way 196, 81).
    const wingTop = L("noseWing", side);
    const alarStart = { x: side * 1.5 * unit, y: root.y + 7.0 * unit };
    const alarEnd = { x: wingTop.x - side * 0.3 * unit, y: root.y + 8.5 * unit };
    push("alar", [alarStart, add(mix(alarStart, alarEnd, 0.5), side * 0.2 * unit, -0.2 * unit), alarEnd],
      sideLevel(9, side) * 0.5, 0.46);
    // Nasolabial fold: from the nose wing toward (and past) the mouth corner.
    const top = L("nasolabialTop", side);
    const bottom = L("nasolabialBottom", side);
    // A one-sided pull (contempt's R12A) folds the cheek less than a smile: drawn full, the lone fold read as a
    // scar or a mark, not a smirk.
    const pull = sideLevel(12, side) * (0.35 + 0.65 * Math.min(1, sideLevel(12, -side) / (sideLevel(12, side) || 1)));
    // Fear's stretch (AU20) pulls the fold's lower end out past the corner and cuts it: the taut bracket round a
    // mouth stretched sideways (FACS: AU20 pulls the furrow's lower part out), which surprise's slack jaw lacks. At
    // 0.3 face-api read 51 of 192 fear renders as surprise (96 faces, seed 1), at 0.55 with draw.js's beard groove
    // 28 (fer: fear 182 -> 175); deeper (0.75) or pulled further out, fer read more of them as sad.
    const depth = 0.06 + age * 0.1 + 0.8 * Math.max(pull, sideLevel(10, side) * 0.9,
      sideLevel(9, side) * 0.8, sideLevel(6, side) * 0.35, sideLevel(20, side) * STRETCH_FOLD,
      sideLevel(14, side) * 0.25,
      // Anger's flared nostrils (AU38) tense the folds beside them.
      sideLevel(38, side) * 0.6);
    // A smile bows the fold out around the lifted cheek and cuts it deeper.
    const smile = sideLevel(12, side);
    // AU9/AU10 cut it deepest at the top, beside the lifted nose wing.
    const sneer = Math.max(sideLevel(9, side), sideLevel(10, side));
    // A sneer's fold is deepest beside the nose and ends beside the mouth corner, not round it to the chin.
    const end = mix(top, bottom, 1 - sneer * (1 - smile) * 0.3);
    const fold = [top, add(mix(top, end, 0.5), side * (1.3 + smile * 0.9 - sneer * 0.9) * unit, 0), end];
    // AU9 cuts the furrow from the top of the lifted wing (the alar groove) and bows it out round the raised cheek:
    // the bracket that frames a wrinkled nose and a raised lip.
    const wrinkled = sideLevel(9, side);
    if (wrinkled > 0) {
      const wing = L("noseWing", side);
      const from = add(wing, side * 1.1 * unit, -0.6 * unit);
      const upper = add(wing, side * 2.0 * unit, 1.2 * unit);
      const to = add(L("mouthCorner", side), side * 1.6 * unit, 0.6 * unit);
      const sneerFold = [from, upper, add(mix(upper, to, 0.5), side * 0.5 * unit, 0), to];
      const resting = [top, mix(fold[0], fold[1], 0.6), mix(fold[1], fold[2], 0.4), end];
      fold.splice(0, 3, ...resting.map((p, i) => mix(p, sneerFold[i], wrinkled)));
    }
    push("nasolabial", fold, depth, 0.42 + smile * 0.16 + sneer * 0.2);
    // AU6: crow's feet fanning from the outer eye corner, and the lower lid bulge.
    const cheek = sideLevel(6, side);
    const corner = L("eyeOuter", side);
    for (const fan of [-1.7, 0, 1.6]) {
      push("crowsfeet", [add(corner, side * 1.1 * unit, fan * 0.35 * unit),
        add(corner, side * 2.6 * unit, fan * 0.75 * unit), add(corner, side * 3.9 * unit, fan * 1.1 * unit)],
      cheek * 0.95 + age * 0.05, 0.26);
    }
    // Under raised brows (fear) the tense lid is a straight edge, not a bulge below it: a fold under the eye
    // read as tired or tearful.
    const tense = sideLevel(7, side) * (1 - 0.8 * sideLevel(1, side));
    // In anger's glare the tense lid bulges further: its furrow lies lower, clear of the lid. 0.8 units nearer, on
    // dark skin its lit edge read as a second, lower lid (FaceMesh put the left lid there on type VI); drawn as a
    // lit roll hugging the lid, the same; left out, the glare lost its tension (fer, 48 faces: type VI anger 69 -> 50%).
    const glare = glareLevel(levels, side > 0 ? 0 : 1);
    // Under the opened glare of pressed lips (AU24) the furrow lies lower still, clear of the raised lower lid.
    const opened = Math.min(glare, sideLevel(24, side));
    const lidBulge = ["lidLowerIn", "lidLower", "lidLowerOut"].map((n, i) => add(L(n, side), 0,
      (1.1 + glare * 0.8 + opened * 0.6 + (i === 1 ? 0.3 : 0)) * unit));
    push("lowerlid", lidBulge, cheek * 0.8 + tense * 0.6 + sideLevel(9, side) * 0.6 + age * 0.08, 0.3);
    push("cheekfold", [add(L("eyeInner", side), side * 0.6 * unit, 2.8 * unit),
      add(L("cheek", side), -side * 3.5 * unit, -1.2 * unit), add(L("cheek", side), side * 1 * unit, -2 * unit)],
    cheek * 0.45, 0.32);
    // AU14: the dimple beside a tightened corner; AU15: a short fold below a pulled-down corner.
    const c = L("mouthCorner", side);
    // A short, soft crease tucked round the tightened corner; the dimple itself is the shaded pit and the lit
    // bulge of cheek beside it (drawn with the shading). A long, dark crescent read as a mark, not a dimple.
    push("dimple", [add(c, side * 1.3 * unit, -0.7 * unit), add(c, side * 1.6 * unit, 0),
      add(c, side * 1.35 * unit, 0.6 * unit)], sideLevel(14, side) * 0.4, 0.3);
    push("corner", [add(c, side * 0.6 * unit, 0.8 * unit), add(c, side * 1.2 * unit, 2.6 * unit)],
      sideLevel(15, side) * 0.7, 0.34);
    // AU20 tightens the neck (platysma) into cords.
    const jaw = L("jaw", side);
    push("neck", [add(jaw, -side * 4.5 * unit, 3.5 * unit), add(jaw, -side * 4 * unit, 6.5 * unit),
      add(jaw, -side * 3.4 * unit, 9.5 * unit)], sideLevel(20, side) * 0.6, 0.4);
  }
  // AU17: the chin boss bunches and dimples; the fold under the lower lip deepens.
  const chinUp = mean(17);
  const boss = M("chinBoss");
  const lowerLip = M("lowerLipBottom");
  const sulcusY = (lowerLip.y + boss.y) / 2 - 0.3 * unit;
  push("sulcus", [{ x: -3.2 * unit, y: sulcusY + 0.5 * unit }, { x: 0, y: sulcusY }, { x: 3.2 * unit, y: sulcusY + 0.5 * unit }],
    0.1 + chinUp * 0.7 + mean(24) * 0.4 + mean(23) * 0.35, 0.4);
  for (const [dx, dy] of [[-1.8, 0.6], [1.5, 0.9], [0, 2.0], [-0.9, 3.0], [1.2, 2.8], [2.3, 2.2], [-2.5, 2.2]]) {
    const p = add(boss, dx * unit, dy * unit);
    push("chin", [add(p, -0.5 * unit, 0), add(p, 0, -0.22 * unit), add(p, 0.5 * unit, 0)], chinUp * 0.8, 0.26);
  }
  // AU24: pressed lips bulge the skin above the upper lip.
  const press = mean(24);
  const top = M("upperLipTop");
  push("press", [add(top, -4 * unit, -0.2 * unit), add(top, 0, -1.3 * unit), add(top, 4 * unit, -0.2 * unit)],
    press * 0.7 + mean(23) * 0.45, 0.32);
  return lines;
}
