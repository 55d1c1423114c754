// Poses from the served catalogue: a variant's unit levels scaled by intensity. Derived, never copied.

/** @param {number} value */
const round3 = (value) => Math.round(value * 1000) / 1000;

/**
 * The pose a variant makes at an intensity (0-1), as the server's `pose()` builds it.
 * @param {{units: Record<string, number>, oneSided: boolean, gazeDown: number, headDown: number}} variant
 * @param {number} intensity
 * @param {"L"|"R"} [side] the active side of a one-sided variant (the face's own left or right)
 */
export function poseFromVariant(variant, intensity, side = "L") {
  /** @type {Record<string, number[]>} */
  const au = {};
  for (const [unit, level] of Object.entries(variant.units)) {
    const value = round3(level * intensity);
    au[unit] = variant.oneSided ? (side === "L" ? [value, 0] : [0, value]) : [value, value];
  }
  return {
    au,
    gaze: [0, round3(variant.gazeDown * intensity)],
    head: { pitch: round3(variant.headDown * intensity), roll: 0 },
  };
}
