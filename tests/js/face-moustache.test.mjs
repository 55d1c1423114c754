// A moustache follows the mouth: at rest and in every closed-mouth expression a lone moustache (moustache, goatee)
// rests its fringe on the upper lip's red border, as a real one does (a beard's sits just clear of it); when the jaw
// drops (surprise, fear) a strip of bare lip shows between a lone moustache and the red, so the open mouth keeps its
// own top edge instead of merging with the hair into one tall dark shape. A beard's moustache does not draw back (the
// strip would be a bare patch cut into the beard), nor does any over a snarl's raised upper lip.
import { test } from "node:test";
import assert from "node:assert/strict";

import { moustacheLowerEdge, moustacheOutline } from "../../static/js/face/draw.js";
import { faceGeometry, IOD_OF } from "../../static/js/face/geometry.js";
import { identityFromSeed } from "../../static/js/face/identity.js";
import { fullPoses, NEUTRAL } from "./catalogue-poses.mjs";

const SEEDS = Array.from({ length: 12 }, (_, i) => (i * 2654435761) >>> 0);

/** Bare lip between the moustache's lower edge and the upper lip's red, over the middle of the mouth (units). */
function strip(identity, pose) {
  const geo = faceGeometry(identity, pose);
  const edge = moustacheLowerEdge(geo, identity.facialHair);
  return Math.min(...[2, 3, 4].map((i) => geo.mouth.upperOuter[i].y - edge[i].y)) / geo.unit;
}

test("a lone moustache rests on the red's border with the mouth closed; a dropped jaw bares a strip of lip", () => {
  const poses = fullPoses();
  for (const facialHair of ["moustache", "goatee", "stubble", "shortBeard", "fullBeard"]) {
    const lone = facialHair === "moustache" || facialHair === "goatee";
    for (const seed of SEEDS) {
      const id = identityFromSeed(seed, { facialHair });
      const rest = strip(id, NEUTRAL);
      const where = `${facialHair} at rest: ${rest.toFixed(2)} units of lip between moustache and red`;
      // Lone: the fringe on the border, over the bow's peaks by less than half a unit (no pale band above the red).
      if (lone) assert.ok(rest < 0 && rest > -0.5, where);
      else assert.ok(rest > 0 && rest < 1, where);
      for (const { label, units, pose } of poses) {
        const s = strip(id, pose);
        const what = `${facialHair} ${label}: strip ${s.toFixed(2)}, rest ${rest.toFixed(2)}`;
        assert.ok(s >= rest - 1e-9, `${what}: the moustache never lies further over the red than at rest`);
        // Pressed or raised lips arch the red under it by up to a unit; no band of bare lip opens.
        if (!units[26] || units[10] || !lone) assert.ok(s < 1.5, `${what}: no bare strip`);
        else if (units[26] >= 0.6) assert.ok(s > rest + 1.2, `${what}: the dropped jaw bares a strip of lip`);
      }
    }
  }
});

test("the moustache's lower edge keeps the mouth's own shape at rest: level across the middle, no droop", () => {
  for (const seed of SEEDS) {
    const id = identityFromSeed(seed, { facialHair: "moustache" });
    const geo = faceGeometry(id, NEUTRAL);
    const edge = moustacheLowerEdge(geo, id.facialHair);
    const iod = IOD_OF(id);
    // The ends come down to the corners no further than the lip line itself does.
    for (const [end, corner] of [[edge[0], geo.mouth.cornerR], [edge[6], geo.mouth.cornerL]]) {
      assert.ok(end.y <= corner.y + 0.005 * iod, "the moustache's end stays above its mouth corner");
    }
    const middle = [2, 3, 4].map((i) => edge[i].y);
    assert.ok(Math.max(...middle) - Math.min(...middle) < 0.02 * iod, "level across the middle");
  }
});

test("a lone moustache's ends thin toward its middle line: its outline is no arch over the resting mouth", () => {
  for (const facialHair of ["moustache", "goatee"]) {
    for (const seed of SEEDS) {
      const id = identityFromSeed(seed, { facialHair });
      const geo = faceGeometry(id, NEUTRAL);
      const edge = moustacheLowerEdge(geo, facialHair);
      const { lower, upper } = moustacheOutline(edge, 2 * geo.unit, true);
      // How far the moustache's middle line lies above the lip line, at an end and over the philtrum.
      const rise = (i) => (edge[i].y - (lower[i].y + upper[i].y) / 2) / geo.unit;
      for (const end of [0, 6]) {
        assert.ok(Math.abs(rise(end) - rise(3)) < 0.05,
          `${facialHair} ${seed}: end ${rise(end).toFixed(2)} units above the lip line, middle ${rise(3).toFixed(2)}`);
      }
      assert.ok(lower[0].y - upper[0].y < lower[3].y - upper[3].y, "thinner at the ends than over the philtrum");
    }
  }
});
