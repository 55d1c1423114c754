// The Learn page's "leak inside a mask": one scene, a slider for the leak's duration, a toggle
// that marks the leaked frames on the face and on a timeline. Loaded when the section nears the screen.

import { FrameLoop, measureRefresh } from "../frames.js";
import { markerSvg, phaseOf, playheadX } from "./marker.js";
import { ScenePlayer } from "./player.js";
import { addSceneStyles } from "./style.js";

const LONGEST_LEAK_MS = 500;

const SECTION = `
<h2 id="leak-demo-title">A leak inside a mask</h2>
<p class="intro">“It was fine,” with a polite smile. Just before the smile, sadness leaks: inner brows up, mouth corners
  down, eyes down. Real micro-expressions look like this: inside a face that blinks, breathes and talks.
  Shorten the leak and see how much harder it gets.</p>
<div id="leak-demo-stage" class="stage scene-stage" aria-hidden="true">
  <canvas id="leak-demo-face" class="face"></canvas>
  <p id="leak-demo-flag" class="leak-flag" hidden>leak</p>
</div>
<p id="leak-demo-caption" class="scene-caption"></p>
<div id="leak-demo-timeline"></div>
<label class="leak-slider" for="leak-demo-frames">Leak duration <output id="leak-demo-ms"></output></label>
<input id="leak-demo-frames" type="range" min="2" step="1">
<label class="choice"><input id="leak-demo-mark" type="checkbox" checked> Mark the leak</label>
<div class="row">
  <button id="leak-demo-play" type="button" class="primary">Play</button>
  <button id="leak-demo-slow" type="button" class="secondary">Slow motion</button>
</div>`;

/**
 * Fill the section and wire it up.
 * @param {HTMLElement} section
 */
export async function mountLeakDemo(section) {
  addSceneStyles();
  section.innerHTML = SECTION;
  const byId = (/** @type {string} */ id) => /** @type {HTMLElement} */ (section.querySelector(`#${id}`));
  const slider = /** @type {HTMLInputElement} */ (byId("leak-demo-frames"));
  const mark = /** @type {HTMLInputElement} */ (byId("leak-demo-mark"));
  const buttons = /** @type {HTMLButtonElement[]} */ ([byId("leak-demo-play"), byId("leak-demo-slow")]);
  const loop = new FrameLoop();
  const periodMs = await measureRefresh(loop, 30);
  loop.stop();
  slider.max = String(Math.floor(LONGEST_LEAK_MS / periodMs));
  slider.value = String(Math.round(200 / periodMs));
  const player = new ScenePlayer({ canvas: /** @type {HTMLCanvasElement} */ (byId("leak-demo-face")),
    caption: byId("leak-demo-caption"), loop });
  /** @type {{scene: any, leak: any} | null} */
  let demo = null;
  let busy = false;

  const showMs = () => (byId("leak-demo-ms").textContent = `${Math.round(Number(slider.value) * periodMs)} ms`);
  const drawTimeline = () => {
    if (demo) byId("leak-demo-timeline").innerHTML = markerSvg(demo.leak, demo.scene.frames, mark.checked);
  };
  /** @param {number} frame */
  const follow = (frame) => {
    if (!demo) return;
    const x = playheadX(demo.leak, demo.scene.frames, frame).toFixed(1);
    const playhead = section.querySelector("#playhead");
    playhead?.setAttribute("x1", x);
    playhead?.setAttribute("x2", x);
    byId("leak-demo-flag").hidden = !(mark.checked && phaseOf(demo.leak, Math.floor(frame)) !== null);
  };
  async function load() {
    const query = new URLSearchParams({ frames: slider.value, periodMs: periodMs.toFixed(3) });
    const response = await fetch(`/api/scene-demo?${query}`);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    demo = await response.json();
    await player.prepare(demo?.scene, byId("leak-demo-stage").clientWidth || 300);
    drawTimeline();
  }
  /** @param {(demo: {scene: any, leak: any}) => Promise<unknown>} run */
  const guarded = (run) => async () => {
    if (busy) return;
    busy = true;
    for (const button of buttons) button.disabled = true;
    try {
      if (!demo || Number(slider.value) !== demo.leak.frames) await load();
      await run(/** @type {any} */ (demo));
    } finally {
      loop.stop();
      byId("leak-demo-flag").hidden = true;
      busy = false;
      for (const button of buttons) button.disabled = false;
    }
  };
  byId("leak-demo-play").addEventListener("click", guarded(() => player.play(periodMs, { onFrame: follow })));
  byId("leak-demo-slow").addEventListener("click", guarded((d) => player.replaySlowly(d.leak, follow, { slowdown: 6 })));
  slider.addEventListener("input", showMs);
  mark.addEventListener("change", drawTimeline);
  showMs();
  await load();
  section.dataset.ready = "true";
}
