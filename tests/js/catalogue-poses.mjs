// Poses read from the served catalogue (game/emotions.py), so face tests never copy the emotion table into JS.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The resting face: no action unit, gaze and head straight. */
export const NEUTRAL = { au: {}, gaze: [0, 0], head: { pitch: 0, roll: 0 } };

/**
 * Every variant of every emotion at full intensity, one-sided variants on the face's left.
 * @returns {{label: string, units: Object<string, number>, pose: object}[]}
 */
export function fullPoses() {
  const out = execFileSync(path.join(ROOT, ".venv/bin/python"), ["-c",
    "import json; from game.emotions import catalogue; print(json.dumps(catalogue()))"], { cwd: ROOT });
  const poses = [];
  for (const emotion of JSON.parse(out.toString()).emotions) {
    emotion.variants.forEach((v, i) => {
      const au = {};
      for (const [unit, level] of Object.entries(v.units)) au[unit] = v.oneSided ? [level, 0] : [level, level];
      poses.push({ label: `${emotion.key} v${i + 1}`, units: v.units,
        pose: { au, gaze: [0, v.gazeDown], head: { pitch: v.headDown, roll: 0 } } });
    });
  }
  return poses;
}
