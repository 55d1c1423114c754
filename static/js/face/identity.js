// Who the face is: a plain object derived from a uint32 seed and, in drills, the traits the server chose.
// Identity shapes the neutral face; it never moves expression landmarks (geometry.js
// adds expression deltas as fixed fractions of the inter-ocular distance).
// The traits that matter for fairness (skin type, glasses, facial hair) come from the server
// (game/identities.py) so it can balance them and learn per trait which faces players misread.

import { makeRandom } from "./random.js";

/** Independent choices, each drawn from its own list. Exported so tests can count the space. */
export const CHOICES = Object.freeze({
  fitzpatrick: [1, 2, 3, 4, 5, 6],
  undertone: ["cool", "neutral", "warm", "olive"],
  presentation: ["feminine", "masculine", "androgynous"],
  age: ["young", "adult", "middle", "older"],
  faceShape: ["oval", "round", "square", "heart", "long", "diamond"],
  nose: ["straight", "narrow", "wide", "button", "aquiline", "broad"],
  lips: ["thin", "medium", "full", "wide", "bow"],
  eyeShape: ["almond", "round", "hooded", "monolid", "upturned", "deep"],
  eyeColour: ["darkBrown", "brown", "hazel", "green", "blue", "grey"],
  brows: ["thin", "medium", "thick", "straight", "soft-arch"],
  hairStyle: [
    "bald", "buzz", "crop", "sidePart", "quiff", "pixie", "bob", "longStraight", "longWavy",
    "curlyShort", "curlyLong", "afro", "bun", "ponytail", "braids", "locs", "bangs", "headscarf",
  ],
  hairColour: ["black", "darkBrown", "brown", "lightBrown", "blonde", "auburn", "red", "grey", "white"],
  facialHair: ["none", "stubble", "moustache", "goatee", "shortBeard", "fullBeard"],
  glasses: ["none", "round", "rectangle", "thick"],
  clothing: ["navy", "charcoal", "olive", "burgundy", "teal", "mustard", "cream", "denim"],
  scarfColour: ["plum", "sand", "navy", "rose", "forest", "black", "sky"],
});

/** Sum over presentations of the product of choices open to it (facial hair only on some). */
export function countCombinations() {
  let total = 0;
  for (const presentation of CHOICES.presentation) {
    let product = 1;
    for (const [name, options] of Object.entries(CHOICES)) {
      if (name === "presentation") continue;
      if (name === "facialHair") product *= facialHairOptions(presentation).length;
      else product *= options.length;
    }
    total += product;
  }
  return total;
}

/** @param {string} presentation */
function facialHairOptions(presentation) {
  if (presentation === "feminine") return ["none"];
  return CHOICES.facialHair;
}

// Each type's skin as a photograph exposed for the face shows it, which is what people and photo-trained classifiers
// learned faces from: types V and VI half a stop (VI) and a fifth of one (V) above the colours measured in shade
// (each channel's linear light x 1.41 and x 1.15), L* 28.6 -> 33.9 and 42.4 -> 45.1, their hue kept. Type VI stays
// "dark" skin (ITA below -30 for every jitter, median -42; was -53), V "brown" (median ITA -11; was -18). At L* 29
// the whole face was an underexposed one: fer read type VI disgust as disgust 16 of 64 times, 24 at L* 34 (type VI
// renders stretched to type I's brightness read 34 of 64: faces-dvi13). Types I-IV are unchanged.
const SKIN_BY_TYPE = {
  1: [247, 224, 210],
  2: [236, 200, 174],
  3: [214, 170, 136],
  4: [178, 128, 92],
  5: [143, 96, 67],
  6: [108, 71, 53],
};
// Undertones scale the type's own redness (CIE a*) and yellowness (b*) at its lightness (L*): relative, so
// they are as subtle on Fitzpatrick VI as on I. Fixed RGB offsets were a large share of dark skin's channels
// (type VI turned pink or olive) and pushed pale skin out of the range of real skin (olive I: no red at all).
// Every type x undertone keeps a CIELAB hue angle between about 43 and 71 degrees, where real skin lies.
const UNDERTONE_AB = {
  cool: [1.2, 0.88],
  neutral: [1, 1],
  warm: [1, 1.2],
  olive: [0.78, 1.08],
};
const HAIR_RGB = {
  black: [26, 23, 22],
  darkBrown: [52, 36, 27],
  brown: [92, 62, 40],
  lightBrown: [138, 100, 66],
  blonde: [206, 170, 112],
  auburn: [122, 56, 32],
  red: [172, 82, 42],
  grey: [146, 144, 142],
  white: [222, 219, 212],
};
const EYE_RGB = {
  darkBrown: [52, 32, 20],
  brown: [98, 60, 30],
  hazel: [124, 96, 48],
  green: [84, 118, 72],
  blue: [78, 122, 176],
  grey: [118, 130, 142],
};
const CLOTHING_RGB = {
  navy: [34, 46, 82], charcoal: [52, 54, 60], olive: [84, 92, 56], burgundy: [104, 34, 48],
  teal: [28, 96, 100], mustard: [184, 142, 48], cream: [222, 214, 196], denim: [70, 98, 140],
};
const SCARF_RGB = {
  plum: [98, 48, 92], sand: [196, 170, 130], navy: [36, 48, 90], rose: [190, 110, 124],
  forest: [40, 86, 62], black: [30, 30, 34], sky: [110, 150, 196],
};

/** @param {number[]} rgb Rec. 601 luma */
export const luma = (rgb) => 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
/** Brows carry four of the seven emotions: they are always drawn this much darker than the skin. */
export const BROW_CONTRAST = 45;

/** @param {number[]} brow @param {number[]} skin */
function contrastingBrow(brow, skin) {
  const target = luma(skin) - BROW_CONTRAST;
  const current = luma(brow);
  if (current <= target) return brow;
  const k = Math.max(0, target) / Math.max(1, current);
  return brow.map((c) => Math.round(c * k));
}

const WHITE = [0.95047, 1, 1.08883]; // D65
/** @param {number} c sRGB 0-255 */
const toLinear = (c) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
/** @param {number} v linear light */
const fromLinear = (v) => 255 * (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055);
const labF = (t) => (t > (6 / 29) ** 3 ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29);
const labFInverse = (t) => (t > 6 / 29 ? t ** 3 : 3 * (6 / 29) ** 2 * (t - 4 / 29));

/**
 * CIE L*a*b* (D65) of an sRGB colour. Exported for the tests that keep every skin a natural skin colour.
 * @param {number[]} rgb @returns {number[]} [L*, a*, b*]
 */
export function toLab(rgb) {
  const [r, g, b] = rgb.map(toLinear);
  const x = labF((0.4124 * r + 0.3576 * g + 0.1805 * b) / WHITE[0]);
  const y = labF(0.2126 * r + 0.7152 * g + 0.0722 * b);
  const z = labF((0.0193 * r + 0.1192 * g + 0.9505 * b) / WHITE[2]);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}

/** @param {number[]} lab [L*, a*, b*] @returns {number[]} sRGB, clamped to the gamut */
function fromLab([l, a, b]) {
  const fy = (l + 16) / 116;
  const x = labFInverse(fy + a / 500) * WHITE[0];
  const y = labFInverse(fy);
  const z = labFInverse(fy - b / 200) * WHITE[2];
  return [3.2406 * x - 1.5372 * y - 0.4986 * z, -0.9689 * x + 1.8758 * y + 0.0415 * z,
    0.0557 * x - 0.204 * y + 1.057 * z].map((v) => Math.round(Math.max(0, Math.min(255, fromLinear(Math.max(0, v))))));
}

/** @param {number[]} rgb @param {number[]} scale of a* and b* */
function withUndertone(rgb, [redness, yellowness]) {
  const [l, a, b] = toLab(rgb);
  return fromLab([l, a * redness, b * yellowness]);
}

/** @param {number[]} rgb @param {number} amount -1..1 lighten (+) or darken (-) */
function adjust(rgb, amount) {
  return rgb.map((c) => Math.round(amount >= 0 ? c + (255 - c) * amount : c * (1 + amount)));
}

/**
 * @typedef {{fitzpatrick?: number, glasses?: boolean, facialHair?: string}} Traits
 * Server-chosen traits (game/identities.py); a missing or unknown value leaves the seed's own choice.
 */

const FRAMES = CHOICES.glasses.filter((kind) => kind !== "none");

/**
 * The traits a value really sets: only known values, so a bad message cannot break the face.
 * @param {unknown} traits
 * @returns {Traits}
 */
export function validTraits(traits) {
  if (!traits || typeof traits !== "object") return {};
  const { fitzpatrick, glasses, facialHair } = /** @type {Record<string, unknown>} */ (traits);
  /** @type {Traits} */
  const valid = {};
  if (CHOICES.fitzpatrick.includes(/** @type {number} */ (fitzpatrick))) valid.fitzpatrick = /** @type {number} */ (fitzpatrick);
  if (typeof glasses === "boolean") valid.glasses = glasses;
  if (CHOICES.facialHair.includes(/** @type {string} */ (facialHair))) valid.facialHair = /** @type {string} */ (facialHair);
  return valid;
}

/**
 * The identity for a seed: plain data, deterministic, JSON-safe.
 * Traits are applied where the seed would have drawn them (the seed still draws, so every other
 * feature is the seed's), and what depends on them (skin colour, eye and hair colour) follows.
 * @param {number} seed uint32
 * @param {unknown} [traits] server-chosen {fitzpatrick, glasses, facialHair}
 */
export function identityFromSeed(seed, traits) {
  const chosen = validTraits(traits);
  const rng = makeRandom(seed >>> 0);
  const drawnPresentation = rng.pick(CHOICES.presentation);
  // A beard the server asks for goes on a face that can carry one.
  const bearded = chosen.facialHair !== undefined && chosen.facialHair !== "none";
  const presentation = bearded && drawnPresentation === "feminine" ? "masculine" : drawnPresentation;
  const age = rng.weighted({ young: 3, adult: 4, middle: 3, older: 2 });
  const drawnFitzpatrick = rng.pick(CHOICES.fitzpatrick);
  const fitzpatrick = chosen.fitzpatrick ?? drawnFitzpatrick;
  const undertone = rng.pick(CHOICES.undertone);
  const jitter = rng.range(-0.05, 0.05);
  const skin = adjust(withUndertone(SKIN_BY_TYPE[fitzpatrick], UNDERTONE_AB[undertone]), jitter);

  const darkEyed = fitzpatrick >= 4;
  const eyeColour = darkEyed
    ? rng.weighted({ darkBrown: 6, brown: 4, hazel: 1, green: 0.3, blue: 0.2, grey: 0.3 })
    : rng.pick(CHOICES.eyeColour);

  const greying = age === "older" ? 0.75 : age === "middle" ? 0.25 : 0;
  const naturalHair = fitzpatrick >= 4
    ? rng.weighted({ black: 6, darkBrown: 4, brown: 1.5, lightBrown: 0.5, blonde: 0.3, auburn: 0.5, red: 0.2 })
    : rng.weighted({ black: 1.5, darkBrown: 3, brown: 3, lightBrown: 2, blonde: 2, auburn: 1, red: 0.8 });
  const hairColour = rng.chance(greying) ? rng.pick(["grey", "white"]) : naturalHair;

  const styleWeights = presentation === "feminine"
    ? { bald: 0.1, buzz: 0.3, crop: 0.4, sidePart: 0.6, quiff: 0.2, pixie: 1, bob: 1.5, longStraight: 2,
      longWavy: 2, curlyShort: 0.8, curlyLong: 1.5, afro: 1, bun: 1.2, ponytail: 1.2, braids: 1, locs: 0.6,
      bangs: 1.2, headscarf: 1.2 }
    : presentation === "masculine"
      ? { bald: 1.2, buzz: 1.5, crop: 2, sidePart: 1.5, quiff: 1.2, pixie: 0.1, bob: 0.1, longStraight: 0.4,
        longWavy: 0.4, curlyShort: 1.2, curlyLong: 0.3, afro: 0.6, bun: 0.4, ponytail: 0.3, braids: 0.3,
        locs: 0.6, bangs: 0.3, headscarf: 0.2 }
      : Object.fromEntries(CHOICES.hairStyle.map((s) => [s, 1]));
  const hairStyle = rng.weighted(styleWeights);

  const facialHairChoices = facialHairOptions(presentation);
  // Drawn as the seed's own presentation would: the same draws whatever the traits, so the rest stays the seed's.
  const drawnFacialHair = drawnPresentation === "masculine" && age !== "young"
    ? rng.weighted({ none: 3, stubble: 2, moustache: 0.7, goatee: 0.8, shortBeard: 1.5, fullBeard: 1 })
    : drawnPresentation === "feminine" ? "none" : rng.weighted({ none: 6, stubble: 1.5, moustache: 0.3, goatee: 0.4,
      shortBeard: 0.6, fullBeard: 0.3 });
  const facialHair = chosen.facialHair ?? drawnFacialHair;
  if (!facialHairChoices.includes(facialHair)) throw new Error("facial hair outside presentation");

  const drawnGlasses = rng.weighted({ none: 6, round: 1, rectangle: 1.3, thick: 1 });
  const glasses = chosen.glasses === undefined ? drawnGlasses
    : !chosen.glasses ? "none" : drawnGlasses !== "none" ? drawnGlasses : FRAMES[(seed >>> 0) % FRAMES.length];
  const masc = presentation === "masculine" ? 1 : presentation === "androgynous" ? 0.5 : 0;
  const ageAmount = { young: 0, adult: 0.3, middle: 0.6, older: 1 }[age];

  return {
    seed: seed >>> 0,
    presentation,
    age,
    ageAmount,
    masculinity: masc,
    skin: { fitzpatrick, undertone, rgb: skin },
    faceShape: rng.pick(CHOICES.faceShape),
    // Inter-ocular distance relative to the average face; the whole face scales with it.
    iodScale: rng.range(0.95, 1.05),
    nose: rng.pick(CHOICES.nose),
    lips: rng.pick(CHOICES.lips),
    eyes: {
      shape: rng.pick(CHOICES.eyeShape),
      colour: eyeColour,
      rgb: EYE_RGB[eyeColour],
      size: rng.range(0.94, 1.06),
    },
    brows: rng.pick(CHOICES.brows),
    hair: {
      style: hairStyle,
      colour: hairColour,
      rgb: HAIR_RGB[hairColour],
      browRgb: contrastingBrow(HAIR_RGB[hairColour === "white" || hairColour === "grey"
        ? (rng.chance(0.5) ? "grey" : naturalHair) : hairColour], skin),
      hairlineRise: rng.range(0, 1) * (0.3 + ageAmount * 0.7 * masc),
    },
    facialHair,
    glasses,
    glassesRgb: rng.pick([[30, 28, 30], [90, 60, 40], [150, 150, 155], [120, 40, 40], [40, 50, 80]]),
    clothing: CLOTHING_RGB[rng.pick(CHOICES.clothing)],
    scarf: SCARF_RGB[rng.pick(CHOICES.scarfColour)],
    freckles: fitzpatrick <= 2 && rng.chance(0.3),
    earrings: presentation !== "masculine" && rng.chance(0.4),
    lipTint: presentation === "feminine" ? rng.range(0, 0.5) : rng.range(0, 0.1),
    // Small neutral asymmetry so faces do not look stamped; far below any expression size.
    asymmetry: rng.range(-0.2, 0.2),
  };
}
