// Learn page: every emotion on one generated face, with intensity, timed flashes, cues and look-alikes.
// Poses are derived from the served catalogue (variant levels scaled by intensity), never copied.

import { drawFace } from "./face/draw.js";
import { identityFromSeed } from "./face/identity.js";
import { poseFromVariant } from "./pose.js";

const FRAME_CHOICES = [1, 2, 3, 6, 12, 30];
const LEAD_IN_FRAMES = 30; // neutral before the flash, so the change is seen as a change
const HOLD_NEUTRAL_FRAMES = 90; // neutral after it, to clear the afterimage (as trainers do)

/** @returns {number} a random uint32 identity seed */
function randomSeed() {
  return crypto.getRandomValues(new Uint32Array(1))[0] >>> 1; // seeds >= 2^31 are checkup faces, never shown here
}

/** @param {string} tag @param {Record<string, string>} [attrs] @param {(Node|string)[]} [children] */
function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

/** Draws a pose into an offscreen canvas sized for the device, so flashes are a cheap blit. */
function paint(target, identity, pose, cssSize) {
  const ratio = Math.min(3, window.devicePixelRatio || 1);
  const pixels = Math.round(cssSize * ratio);
  if (target.width !== pixels) {
    target.width = pixels;
    target.height = pixels;
  }
  const ctx = target.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  drawFace(ctx, identity, pose, cssSize);
}

/**
 * One face on screen with a neutral and an expression image kept ready.
 */
class FaceView {
  /** @param {HTMLCanvasElement} canvas @param {number} cssSize */
  constructor(canvas, cssSize) {
    this.canvas = canvas;
    this.cssSize = cssSize;
    this.neutral = document.createElement("canvas");
    this.expression = document.createElement("canvas");
    this.flashing = false;
    /** @type {object | null} the identity the neutral image is still to be drawn for */
    this.neutralPending = null;
    canvas.style.width = `${cssSize}px`;
    canvas.style.height = `${cssSize}px`;
  }

  /** @param {object} identity @param {object} pose */
  update(identity, pose, neutralToo = true) {
    // The neutral image is only needed for a flash: draw it then, not for every card at load.
    if (neutralToo) this.neutralPending = identity;
    paint(this.expression, identity, pose, this.cssSize);
    if (!this.flashing) this.show(this.expression);
  }

  /** @param {HTMLCanvasElement} source */
  show(source) {
    if (this.canvas.width !== source.width) {
      this.canvas.width = source.width;
      this.canvas.height = source.height;
    }
    this.canvas.getContext("2d").drawImage(source, 0, 0);
  }

  /**
   * Neutral, then the expression for exactly `frames` animation frames, then neutral again.
   * Counts requestAnimationFrame callbacks rather than milliseconds, so what is shown is whole frames.
   * @param {number} frames @param {() => void} [done]
   */
  flash(frames, done) {
    if (this.flashing) return;
    this.flashing = true;
    if (this.neutralPending) {
      paint(this.neutral, this.neutralPending, state.neutralPose, this.cssSize);
      this.neutralPending = null;
    }
    const schedule = [[this.neutral, LEAD_IN_FRAMES], [this.expression, frames], [this.neutral, HOLD_NEUTRAL_FRAMES]];
    let step = 0;
    let left = schedule[0][1];
    this.show(schedule[0][0]);
    const tick = () => {
      left -= 1;
      if (left > 0) return requestAnimationFrame(tick);
      step += 1;
      if (step === schedule.length) {
        this.flashing = false;
        this.show(this.expression);
        done?.();
        return undefined;
      }
      this.show(schedule[step][0]);
      left = schedule[step][1];
      return requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }
}

/** Shared state: the face, the flash speed and the side used for one-sided expressions. */
const state = {
  seed: randomSeed(),
  identity: /** @type {any} */ (null),
  frames: 6,
  /** @type {object} from the catalogue */
  neutralPose: {},
  side: /** @type {"L"|"R"} */ ("L"),
  /** @type {{element: Element, redraw: () => void}[]} */
  redraws: [],
};

/** CSS size of a face: the card's inner width (page and card padding are 16 px each side). */
function faceSize(columns) {
  const inner = Math.min(document.documentElement.clientWidth, 560) - 64;
  return Math.floor(columns === 1 ? Math.min(inner, 360) : (inner - 12) / 2);
}

function speedPicker() {
  const group = el("fieldset", { class: "speed" }, [el("legend", { text: "Flash length" })]);
  for (const frames of FRAME_CHOICES) {
    const id = `frames-${frames}`;
    const input = el("input", { type: "radio", name: "frames", id, value: String(frames) });
    if (frames === state.frames) input.checked = true;
    input.addEventListener("change", () => { state.frames = frames; });
    const ms = Math.round((frames * 1000) / 60);
    group.append(el("label", { for: id }, [input, el("span", { text: `${frames}` }), el("small", { text: `≈${ms} ms` })]));
  }
  return group;
}

/** @param {any} emotion @param {Map<string, any>} byKey @param {(a: string, b: string) => void} compare */
function emotionCard(emotion, byKey, compare) {
  const size = faceSize(1);
  const canvas = el("canvas", { role: "img", class: "learn-face" });
  const view = new FaceView(canvas, size);
  let intensity = 1;
  let variantIndex = 0;
  const sliderId = `intensity-${emotion.key}`;
  const slider = el("input", { type: "range", min: "0", max: "100", value: "100", id: sliderId,
    "aria-valuetext": "100%" });
  const output = el("output", { for: sliderId, text: "100%" });
  const redraw = (neutralToo = true) => {
    const variant = emotion.variants[variantIndex];
    view.update(state.identity, poseFromVariant(variant, intensity, state.side), neutralToo);
    canvas.setAttribute("aria-label", `Face showing ${emotion.name.toLowerCase()} at ${Math.round(intensity * 100)}%`);
    canvas.dataset.drawn = String(state.seed);
  };
  slider.addEventListener("input", () => {
    intensity = Number(slider.value) / 100;
    output.textContent = `${slider.value}%`;
    slider.setAttribute("aria-valuetext", `${slider.value}%`);
    redraw(false);
  });
  const flash = el("button", { type: "button", class: "primary flash" });
  const label = () => { flash.textContent = `Flash it · ${state.frames} frame${state.frames > 1 ? "s" : ""}`; };
  label();
  flash.addEventListener("click", () => {
    label();
    flash.disabled = true;
    view.flash(state.frames, () => { flash.disabled = false; });
  });
  const controls = [el("div", { class: "slider" }, [el("label", { for: sliderId, text: "Intensity" }), slider, output]),
    flash];
  if (emotion.variants.length > 1) {
    const toggle = el("button", { type: "button", class: "secondary", "aria-pressed": "false",
      text: "Show the other variant" });
    toggle.addEventListener("click", () => {
      variantIndex = (variantIndex + 1) % emotion.variants.length;
      toggle.setAttribute("aria-pressed", String(variantIndex > 0));
      redraw(false);
    });
    controls.push(toggle);
  }
  const lookalike = byKey.get(emotion.lookalike);
  const compareButton = el("button", { type: "button", class: "secondary",
    text: `Compare with ${lookalike.name.toLowerCase()}` });
  compareButton.addEventListener("click", () => compare(emotion.key, lookalike.key));
  canvas.setAttribute("aria-label", `Face showing ${emotion.name.toLowerCase()} at 100%`);
  lazily(canvas, redraw);
  return el("article", { class: "emotion", id: `emotion-${emotion.key}`, "data-emotion": emotion.key }, [
    el("h2", { text: emotion.name }),
    canvas,
    el("div", { class: "controls" }, controls),
    el("h3", { text: "What to look for" }),
    el("ul", { class: "cues" }, emotion.cues.map((cue) => el("li", { text: cue }))),
    el("h3", { text: `Easily mistaken for ${lookalike.name.toLowerCase()}` }),
    el("p", { text: emotion.tellApart }),
    ...(emotion.scenario ? [el("p", { class: "scenario", text: emotion.scenario })] : []),
    compareButton,
  ]);
}

/** Two emotions side by side on the same face. @param {any[]} emotions */
function compareSection(emotions) {
  const size = faceSize(2);
  const picks = ["fear", "surprise"];
  const views = [0, 1].map(() => new FaceView(el("canvas", { role: "img", class: "learn-face" }), size));
  const selects = [0, 1].map((i) => {
    const select = el("select", { id: `compare-${i}` },
      emotions.map((e) => el("option", { value: e.key, text: e.name })));
    select.value = picks[i];
    select.addEventListener("change", () => { picks[i] = select.value; redraw(); });
    return select;
  });
  const byKey = new Map(emotions.map((e) => [e.key, e]));
  const note = el("p", { class: "tell", "aria-live": "polite" });
  const redraw = () => {
    picks.forEach((key, i) => {
      const emotion = byKey.get(key);
      views[i].update(state.identity, poseFromVariant(emotion.variants[0], 1, state.side));
      views[i].canvas.setAttribute("aria-label", `Face showing ${emotion.name.toLowerCase()}`);
      views[i].canvas.dataset.drawn = String(state.seed);
    });
    const [a, b] = picks.map((k) => byKey.get(k));
    note.textContent = a.key === b.key ? "Pick two different emotions."
      : a.lookalike === b.key ? a.tellApart : b.lookalike === a.key ? b.tellApart
        : `${a.name}: ${a.cues.join("; ")}. ${b.name}: ${b.cues.join("; ")}.`;
  };
  const flashBoth = el("button", { type: "button", class: "primary", text: "Flash both" });
  flashBoth.addEventListener("click", () => views.forEach((v) => v.flash(state.frames)));
  views.forEach((view, i) => view.canvas.setAttribute("aria-label", `Face showing ${picks[i]}`));
  lazily(views[0].canvas, redraw);
  const section = el("section", { id: "compare", "aria-labelledby": "compare-title" }, [
    el("h2", { id: "compare-title", text: "Compare side by side" }),
    el("div", { class: "pair" }, views.map((v, i) => el("figure", {}, [
      v.canvas, el("label", { for: `compare-${i}`, class: "visually-hidden", text: `Emotion ${i + 1}` }),
      selects[i]]))),
    note,
    flashBoth,
  ]);
  return {
    section,
    /** @param {string} a @param {string} b */
    show(a, b) {
      picks[0] = a;
      picks[1] = b;
      selects[0].value = a;
      selects[1].value = b;
      redraw();
      section.scrollIntoView({ behavior: "smooth", block: "start" });
    },
  };
}

// Faces are drawn when they come near the screen: drawing all fourteen at once is a long task
// that blocks taps on a phone.
const nearScreen = new Set();
/** @type {Map<Element, () => void>} faces waiting to be drawn until they come near the screen */
const stale = new Map();
const observer = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    if (!entry.isIntersecting) {
      nearScreen.delete(entry.target);
      continue;
    }
    nearScreen.add(entry.target);
    const redraw = stale.get(entry.target);
    stale.delete(entry.target);
    redraw?.();
  }
}, { rootMargin: "200px 0px" });

/**
 * @param {Element} element the face's canvas
 * @param {() => void} redraw draws it for the current face
 */
function lazily(element, redraw) {
  state.redraws.push({ element, redraw });
  stale.set(element, redraw);
  observer.observe(element);
}

/**
 * Redraw the faces near the screen, one per animation frame; the others when they get there.
 * @returns {Promise<void>}
 */
function redrawAll() {
  const queue = [];
  for (const { element, redraw } of state.redraws) {
    if (nearScreen.has(element)) queue.push(redraw);
    else stale.set(element, redraw);
  }
  return new Promise((resolve) => {
    const step = () => {
      const redraw = queue.shift();
      if (!redraw) return resolve();
      redraw();
      requestAnimationFrame(step);
    };
    step();
  });
}

/** The scenes' leak demo: its code and its scene load only when the section nears the screen. */
function leakDemo() {
  const section = el("section", { id: "leak-demo", class: "leak-demo", "aria-labelledby": "leak-demo-title" },
    [el("h2", { id: "leak-demo-title", text: "A leak inside a mask" })]);
  const near = new IntersectionObserver((entries) => {
    if (!entries.some((entry) => entry.isIntersecting)) return;
    near.disconnect();
    import("./scene/learn-demo.js").then(({ mountLeakDemo }) => mountLeakDemo(section)).catch((error) => {
      section.append(el("p", { class: "status", text: "Could not load the demonstration. Reload to try again." }));
      console.warn("leak demo", error);
    });
  }, { rootMargin: "300px" });
  near.observe(section);
  return section;
}

async function newFace() {
  state.seed = randomSeed();
  state.identity = identityFromSeed(state.seed);
  state.side = state.seed % 2 ? "L" : "R";
  const root = document.getElementById("learn");
  root?.removeAttribute("data-ready");
  root?.setAttribute("data-seed", String(state.seed));
  await redrawAll();
  root?.setAttribute("data-ready", "true");
}

async function start() {
  const root = /** @type {HTMLElement} */ (document.getElementById("learn"));
  const status = el("p", { class: "status", role: "status", text: "Loading the emotions…" });
  root.append(status);
  let catalogue;
  try {
    const response = await fetch("/api/catalogue.json", { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    catalogue = await response.json();
  } catch (error) {
    status.textContent = "Could not load the emotions. Check your connection and reload.";
    console.warn("catalogue", error);
    return;
  }
  status.remove();
  state.neutralPose = catalogue.neutralPose;
  state.identity = identityFromSeed(state.seed);
  state.side = state.seed % 2 ? "L" : "R";
  root.setAttribute("data-seed", String(state.seed));
  const emotions = catalogue.emotions;
  const byKey = new Map(emotions.map((e) => [e.key, e]));
  const comparison = compareSection(emotions);
  const newFaceButton = el("button", { type: "button", class: "secondary", id: "new-face", text: "New face" });
  newFaceButton.addEventListener("click", newFace);
  const toolbar = el("div", { class: "toolbar" }, [speedPicker(), newFaceButton]);
  const list = el("div", { class: "emotions" },
    emotions.map((emotion) => emotionCard(emotion, byKey, (a, b) => comparison.show(a, b))));
  const nav = el("nav", { "aria-label": "Emotions" }, [el("ul", {}, emotions.map((e) =>
    el("li", {}, [el("a", { href: `#emotion-${e.key}`, text: e.name })])))]);
  root.append(toolbar, nav, list, comparison.section, leakDemo());
  root.setAttribute("data-ready", "true");
}

start();
