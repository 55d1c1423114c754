// The scene screen: context, the speaking face, "What did they really feel?", and feedback that
// replays the scene slowly around the leak with its frames marked and its cues named.
// Builds its own DOM on first use (the home page carries none of it).

import { AnswerPad, onDeliberateClick } from "../answers.js";
import { markerSvg, playheadX } from "./marker.js";
import { ScenePresenter } from "./presenter.js";

/** @typedef {import("../view.js").EmotionInfo} EmotionInfo */

export const QUESTION = "What did they really feel?";
export const REMINDER = "A leak is a clue to ask about, not proof of a lie: people hide feelings for many kind "
  + "and ordinary reasons. Ask, gently, rather than conclude.";

const SCREEN = `
<h1 class="visually-hidden">Scene</h1>
<header class="drill-bar">
  <button id="scene-quit" type="button" class="link" aria-label="Quit scenes">✕</button>
  <span id="scene-progress" class="progress"></span>
  <span id="scene-score" class="score" aria-label="Correct so far">0 ✓</span>
</header>
<p id="scene-context" class="scene-context"></p>
<div id="scene-stage" class="stage scene-stage" aria-hidden="true">
  <canvas id="scene-face" class="face"></canvas>
</div>
<div class="scene-lines">
  <p id="scene-caption" class="scene-caption"></p>
  <p id="scene-prompt" class="prompt" role="status"></p>
</div>
<div id="scene-answers" class="answers" role="group" aria-label="${QUESTION}"></div>
<div id="scene-feedback" class="feedback" hidden>
  <p id="scene-verdict" class="verdict" role="alert"></p>
  <div id="scene-timeline"></div>
  <p class="scene-legend"><span>◀ before</span><span>leaked frames in orange</span><span>after ▶</span></p>
  <p id="scene-cue" class="cue"></p>
  <div class="row feedback-actions">
    <button id="scene-replay" type="button" class="secondary">Replay slowly</button>
    <button id="scene-next" type="button" class="primary">Next</button>
  </div>
  <p class="scene-reminder">${REMINDER}</p>
</div>`;

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

export class SceneView {
  /**
   * @param {EmotionInfo[]} emotions answer order (keys 1-7)
   * @param {import("../view.js").View} main the game's view: summary, notices, screens
   */
  constructor(emotions, main) {
    this.emotions = emotions;
    this.main = main;
    this.byKey = new Map(emotions.map((e) => [e.key, e]));
    const section = document.createElement("section");
    section.id = "scene";
    section.className = "screen";
    section.hidden = true;
    section.setAttribute("aria-label", "Scene");
    section.innerHTML = SCREEN;
    byId("app").insertBefore(section, byId("summary"));
    this.presenter = new ScenePresenter({
      stage: byId("scene-stage"),
      canvas: /** @type {HTMLCanvasElement} */ (byId("scene-face")),
      caption: byId("scene-caption"),
    });
    this.correct = 0;
    this.replaying = false;
    /** @type {any} */
    this.lastResult = null;
    /** @type {(() => void) | null} */
    this.pendingNext = null;
    this.answers = new AnswerPad(byId("scene-answers"), emotions); // disabled until a scene has played
    onDeliberateClick(byId("scene-next"), () => this.moveOn());
    onDeliberateClick(byId("scene-replay"), () => void this.replay());
    byId("scene-quit").addEventListener("click", () => byId("quit").click());
    document.addEventListener("keydown", (event) => this.#key(event));
  }

  start() {
    this.correct = 0;
    byId("scene-score").textContent = "0 ✓";
    this.main.showScreen(/** @type {any} */ ("scene"));
  }

  /** @param {import("../net.js").Message} started a resumed drill starts mid-way, with its score so far */
  showStarted(started) {
    this.correct = Number(started.correct ?? 0);
    byId("scene-score").textContent = `${this.correct} ✓`;
  }

  /**
   * A scene whose leak was not shown exactly as planned: say so briefly, no tap; another scene comes.
   * @param {import("../net.js").Message} _result
   */
  async showVoided(_result) {
    byId("scene-prompt").textContent = "One more scene…";
    this.answers.setEnabled(false);
  }

  /** @param {import("../net.js").Message} scene */
  showTrial(scene) {
    byId("scene-progress").textContent = `Scene ${scene.position} of ${scene.total}`;
    byId("scene-context").textContent = String(scene.context);
    byId("scene-prompt").textContent = "Watch and listen…";
    byId("scene-feedback").hidden = true;
    byId("scene").classList.remove("reviewing");
    byId("scene-answers").hidden = false;
    this.answers.setEnabled(false);
  }

  /** @returns {Promise<import("../drill.js").Choice>} */
  waitForAnswer() {
    byId("scene-prompt").textContent = QUESTION;
    return this.answers.wait();
  }

  /**
   * @param {string} key
   * @param {number} at
   */
  answer(key, at) {
    this.answers.answer(key, at);
  }

  /**
   * @param {import("../net.js").Message} result
   * @returns {Promise<void>} when the player moves on
   */
  showResult(result) {
    this.lastResult = result;
    const shown = this.byKey.get(String(result.emotion));
    const said = this.byKey.get(String(result.answer));
    let verdict;
    if (!result.scored) verdict = "⟳ The screen skipped a frame around the leak, so it doesn't count. Here comes another scene.";
    else if (result.correct) {
      this.correct += 1;
      verdict = `✓ Right: ${shown?.name} leaked.`;
    } else verdict = `✗ Not quite: ${shown?.name} leaked, not ${said?.name}.`;
    byId("scene-score").textContent = `${this.correct} ✓`;
    byId("scene-verdict").textContent = verdict;
    byId("scene-verdict").dataset.outcome = !result.scored ? "void" : result.correct ? "right" : "wrong";
    const leak = /** @type {any} */ (result.leak);
    const tip = result.scored && !result.correct && shown?.lookalike === said?.key ? ` ${shown?.tellApart}` : "";
    byId("scene-cue").textContent = result.scored ? `${leak.cue}${tip}` : "";
    byId("scene-timeline").innerHTML = result.scored ? markerSvg(leak, Number(this.presenter.scene.frames)) : "";
    byId("scene-answers").hidden = true;
    byId("scene-feedback").hidden = false;
    byId("scene").classList.toggle("reviewing", Boolean(result.scored));
    byId("scene-prompt").textContent = "";
    byId("scene-replay").hidden = !result.scored;
    byId("scene-next").focus({ preventScroll: true });
    if (result.scored) void this.replay();
    return new Promise((resolve) => (this.pendingNext = resolve));
  }

  /** Replay the last scene slowly around its leak, moving the marker's playhead. */
  async replay() {
    if (this.replaying || !this.lastResult?.leak) return;
    const leak = this.lastResult.leak;
    const total = Number(this.presenter.scene.frames);
    const buttons = /** @type {HTMLButtonElement[]} */ ([byId("scene-replay"), byId("scene-next")]);
    this.replaying = true;
    for (const button of buttons) button.disabled = true;
    const playhead = () => document.getElementById("playhead");
    await this.presenter.replaySlowly(leak, (frame) => {
      const x = playheadX(leak, total, frame).toFixed(1);
      playhead()?.setAttribute("x1", x);
      playhead()?.setAttribute("x2", x);
    });
    // Rest on the leak's apex, the frame to remember.
    this.presenter.showFrame(leak.start + leak.onset);
    const x = playheadX(leak, total, leak.start + leak.onset).toFixed(1);
    playhead()?.setAttribute("x1", x);
    playhead()?.setAttribute("x2", x);
    this.replaying = false;
    for (const button of buttons) button.disabled = false;
  }

  /** @param {import("../net.js").Message} summary */
  showSummary(summary) {
    this.main.showSummary(summary);
    byId("summary-title").textContent = summary.challenge ? byId("summary-title").textContent : "Scenes complete";
  }

  /** @param {string} text */
  notice(text) {
    this.main.notice(text);
  }

  /** @param {boolean} trying */
  showReconnecting(trying) {
    this.main.showReconnecting(trying);
  }

  moveOn() {
    const resolve = this.pendingNext;
    if (!resolve || this.replaying) return;
    this.pendingNext = null;
    resolve();
  }

  /** @param {KeyboardEvent} event */
  #key(event) {
    if (document.body.dataset.screen !== "scene" || event.repeat || event.metaKey || event.ctrlKey || event.altKey) return;
    const index = Number(event.key) - 1;
    if (index >= 0 && index < this.emotions.length) this.answer(this.emotions[index].key, event.timeStamp);
    else if (event.key === "Enter" || event.key === " ") this.moveOn();
    else return;
    event.preventDefault();
  }
}
