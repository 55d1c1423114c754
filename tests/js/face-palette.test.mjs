// Face colours: creases, folds and highlights keep the same perceived contrast (CIE L*) against every skin,
// so a cue drawn on Fitzpatrick VI is as visible as on I.
import { test } from "node:test";
import assert from "node:assert/strict";

import { lightness, withLightness } from "../../static/js/face/paths.js";
import { skinPalette } from "../../static/js/face/draw.js";
import { identityFromSeed } from "../../static/js/face/identity.js";

test("withLightness reaches the asked-for L* and keeps the hue", () => {
  for (const rgb of [[247, 224, 210], [178, 128, 92], [92, 60, 44], [186, 92, 98], [40, 40, 40]]) {
    for (const target of [5, 20, 45, 70, 90]) {
      const out = withLightness(rgb, target);
      assert.ok(Math.abs(lightness(out) - target) < 0.6, `${rgb} -> L* ${target}: got ${lightness(out)}`);
      assert.ok(out.every((c) => c >= 0 && c <= 255.0001), `in gamut: ${out}`);
      // Same order of channels: a skin colour stays a skin colour, only lighter or darker.
      if (target > 8 && target < 95) {
        const order = (c) => [0, 1, 2].sort((a, b) => c[b] - c[a]).join();
        assert.equal(order(out), order(rgb), `${rgb} -> ${out.map(Math.round)}`);
      }
    }
  }
});

test("creases and ridges sit the same L* distance from the skin on Fitzpatrick I to VI", () => {
  const bySkin = new Map();
  for (let seed = 1; bySkin.size < 6 && seed < 500; seed++) {
    const identity = identityFromSeed(seed);
    if (!bySkin.has(identity.skin.fitzpatrick)) bySkin.set(identity.skin.fitzpatrick, identity);
  }
  assert.equal(bySkin.size, 6);
  const ridgeLift = [];
  for (const [type, identity] of [...bySkin].sort((a, b) => a[0] - b[0])) {
    const palette = skinPalette(identity);
    const skin = lightness(palette.base);
    const crease = skin - lightness(palette.crease);
    // Dark skin cannot go 30 below where it starts; it goes as far as black allows.
    assert.ok(crease >= Math.min(27, skin - 3) && crease <= 35, `type ${type}: crease ${crease.toFixed(1)} below`);
    const fold = skin - lightness(palette.fold);
    assert.ok(fold > 13 && fold < 19, `type ${type}: fold ${fold.toFixed(1)} below`);
    const ridge = lightness(palette.ridge) - skin;
    assert.ok(ridge >= Math.min(6, 99 - skin), `type ${type}: ridge ${ridge.toFixed(1)} above`);
    ridgeLift.push(ridge);
  }
  // Dark skin carries more of a crease's contrast in its highlight (no room below).
  assert.ok(ridgeLift[5] > ridgeLift[0] + 8, `ridge lift I ${ridgeLift[0]} vs VI ${ridgeLift[5]}`);
});
