// Fear's lip stretch (AU20) pulls the lower lip down off the lower teeth whenever the lips part: the half-open
// variant (v2, jaw AU26 0.6) bares its band of lower teeth as the wide-open one does. Gated by the jaw, v2's band was
// a thin line in a dark oval, and face-api read a fifth of v2 as surprise. No tongue is drawn over that band.
import { test } from "node:test";
import assert from "node:assert/strict";

import { tongueShows } from "../../static/js/face/draw.js";
import { faceGeometry } from "../../static/js/face/geometry.js";
import { identityFromSeed } from "../../static/js/face/identity.js";
import { fullPoses } from "./catalogue-poses.mjs";

const SEEDS = Array.from({ length: 8 }, (_, i) => (i * 2654435761) >>> 0);
const poses = fullPoses().filter((p) => p.label.startsWith("fear") || p.label.startsWith("surprise"));

/** Height of the lower teeth bared above the lower lip's inner edge, in face units (IOD / 30). */
const loweredLip = (geo) => (geo.mouth.lowerInner[2].y - geo.mouth.lowerTeethEdge) / geo.unit;

test("both fear variants bare a band of lower teeth; the half-open one nearly as tall as the wide-open one", () => {
  for (const facialHair of ["none", "fullBeard"]) {
    for (const seed of SEEDS) {
      const id = identityFromSeed(seed, { facialHair });
      const band = Object.fromEntries(poses.map(({ label, pose }) => [label, loweredLip(faceGeometry(id, pose))]));
      const what = `${facialHair} ${seed}`;
      // Before: v1 3.0 units, v2 2.8 (0.6 of the stretch's band, as far as the jaw dropped).
      assert.ok(band["fear v1"] >= 3.3 && band["fear v2"] >= 3.3, `${what}: ${JSON.stringify(band)}`);
      assert.ok(band["fear v2"] >= 0.95 * band["fear v1"], `${what}: v2 ${band["fear v2"]} v1 ${band["fear v1"]}`);
      // Surprise's relaxed lips stay on its lower teeth: at most a sliver shows.
      assert.ok(band["surprise v1"] < 1 && band["surprise v2"] < 1, `${what}: ${JSON.stringify(band)}`);
    }
  }
});

test("no tongue is drawn over fear's bared lower teeth; surprise's dropped jaw keeps its rule", () => {
  for (const seed of SEEDS) {
    const id = identityFromSeed(seed, { facialHair: "none" });
    for (const { label, pose } of poses) {
      const geo = faceGeometry(id, pose);
      const deep = geo.mouth.lowerInner[2].y - geo.mouth.lowerTeethEdge > 3.5 * geo.unit;
      const shows = tongueShows(geo.mouth, geo.unit);
      if (label.startsWith("fear")) assert.equal(shows, false, `${seed} ${label}`);
      else assert.equal(shows, deep, `${seed} ${label}`);
    }
  }
});
