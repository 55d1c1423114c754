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

test("creases and ridges sit the same L* distance from the skin on Fitzpatrick I to III", () => {
  for (let seed = 0; seed < 60; seed++) {
    for (const fitzpatrick of [1, 2, 3]) {
      const palette = skinPalette(identityFromSeed(seed * 7919 + 5, { fitzpatrick }));
      const skin = lightness(palette.base);
      const crease = skin - lightness(palette.crease);
      assert.ok(crease >= 29 && crease <= 35, `type ${fitzpatrick}: crease ${crease.toFixed(1)} below`);
      const fold = skin - lightness(palette.fold);
      assert.ok(fold > 15.5 && fold < 16.5, `type ${fitzpatrick}: fold ${fold.toFixed(1)} below`);
      const ridge = lightness(palette.ridge) - skin;
      assert.ok(ridge >= Math.min(6, 99 - skin), `type ${fitzpatrick}: ridge ${ridge.toFixed(1)} above`);
    }
  }
});

test("on dark skin a crease is a shadow of the skin, not a black line, and its lit ridge is soft", () => {
  // A set L* offset is a growing share of darker skin: 30 below type VI's L* ~29 was black, and the ridge 1.7
  // times its L*. On types IV-VI each tone keeps the share of the skin's L* it has on type III (or less contrast).
  const share = (palette, name) => lightness(palette[name]) / lightness(palette.base);
  const bounds = { crease: [1, 0], fold: [1, 0], ridge: [9, 0] };
  for (let seed = 0; seed < 60; seed++) {
    for (const fitzpatrick of [1, 2, 3]) {
      const palette = skinPalette(identityFromSeed(seed * 7919 + 5, { fitzpatrick }));
      for (const name of Object.keys(bounds)) {
        bounds[name] = [Math.min(bounds[name][0], share(palette, name)), Math.max(bounds[name][1], share(palette, name))];
      }
    }
  }
  for (let seed = 0; seed < 60; seed++) {
    for (const fitzpatrick of [4, 5, 6]) {
      const palette = skinPalette(identityFromSeed(seed * 7919 + 5, { fitzpatrick }));
      const at = `type ${fitzpatrick} seed ${seed}`;
      assert.ok(share(palette, "crease") >= bounds.crease[0] - 0.06, `${at}: crease at ${share(palette, "crease")} of the skin's L*`);
      assert.ok(share(palette, "crease") < 0.6, `${at}: still a crease, darker than the fold`);
      assert.ok(share(palette, "fold") >= bounds.fold[0] - 0.02, `${at}: fold at ${share(palette, "fold")}`);
      assert.ok(share(palette, "ridge") <= bounds.ridge[1] + 0.02, `${at}: ridge at ${share(palette, "ridge")}`);
      assert.ok(share(palette, "ridge") > 1.15, `${at}: the ridge is still lit`);
    }
  }
});

test("shading keeps the hue of dark skin: shadows and blush do not turn it pink or maroon", () => {
  // A fixed red tint mixed into the shadows is a large hue shift on dark skin (R:G of the shadow 9-13% above
  // the skin's on type VI); tints scaled to the skin's brightness keep it a darker shade of the same skin.
  const redness = (rgb) => rgb[0] / rgb[1];
  for (const fitzpatrick of [5, 6]) {
    for (let seed = 0; seed < 120; seed++) {
      const identity = identityFromSeed(seed * 7919 + 3, { fitzpatrick });
      const palette = skinPalette(identity);
      const base = redness(palette.base);
      for (const [name, limit] of [["shadow", 1.06], ["deep", 1.06], ["blush", 1.12]]) {
        assert.ok(redness(palette[name]) / base < limit,
          `type ${fitzpatrick} seed ${seed}: ${name} ${palette[name].map(Math.round)} on ${palette.base}`);
      }
    }
  }
});
