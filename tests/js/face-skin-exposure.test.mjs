// Types V and VI drawn as a well-exposed photograph of dark skin: the face's own lightness above an underexposed
// one, the type's hue and ITA (the individual typology angle dermatologists class skin by) kept.
import { test } from "node:test";
import assert from "node:assert/strict";

import { identityFromSeed, toLab } from "../../static/js/face/identity.js";

/** @param {number} type @returns {{l: number, ita: number}[]} L* and ITA (degrees) of many identities' skin */
function skins(type) {
  return Array.from({ length: 2000 }, (_, i) => {
    const [l, , b] = toLab(identityFromSeed((i * 2654435761 + 7) >>> 0, { fitzpatrick: type }).skin.rgb);
    return { l, ita: (Math.atan((l - 50) / b) * 180) / Math.PI };
  });
}
const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

test("type VI skin is lit above an underexposed face and stays dark skin (ITA below -30) for every identity", () => {
  const vi = skins(6);
  // At L* 29 (the old type VI) the whole face read as underexposed: fer took its disgust for neutral or a smile.
  assert.ok(median(vi.map((s) => s.l)) > 33, `type VI median L* ${median(vi.map((s) => s.l)).toFixed(1)}`);
  for (const { l, ita } of vi) assert.ok(ita < -30, `type VI at L* ${l.toFixed(1)}: ITA ${ita.toFixed(1)}`);
});

test("type V skin is a little lighter and stays brown skin (ITA -30 to 10), darker than IV and lighter than VI", () => {
  const v = skins(5);
  const medianL = median(v.map((s) => s.l));
  assert.ok(medianL > 44, `type V median L* ${medianL.toFixed(1)}`);
  for (const { l, ita } of v) assert.ok(ita > -30 && ita < 10, `type V at L* ${l.toFixed(1)}: ITA ${ita.toFixed(1)}`);
  assert.ok(median(skins(4).map((s) => s.l)) > medianL + 10, "type IV well lighter than V");
  assert.ok(medianL > median(skins(6).map((s) => s.l)) + 10, "type V well lighter than VI");
});
