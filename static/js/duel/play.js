// The duel's face and answer buttons: loaded (dynamic import) only once a player opens or joins a room.
//
// It reuses the drill's Presenter, so a duel flashes exactly as a drill does: whole frames, the
// display's own rate measured first.

import { Presenter } from "../presenter.js";

/** @typedef {{key: string, name: string}} EmotionInfo */

export class DuelStage {
  /**
   * @param {{stage: HTMLElement, neutral: HTMLCanvasElement, expression: HTMLCanvasElement, probe: HTMLElement,
   *   answers: HTMLElement}} elements `probe` holds the flash's presentation markers (presented.js)
   * @param {EmotionInfo[]} emotions in button order
   */
  constructor({ stage, neutral, expression, probe, answers }, emotions) {
    this.presenter = new Presenter({ stage, neutral, expression, probe });
    this.answers = answers;
    this.emotions = emotions;
    /** @type {((key: string) => void) | null} */
    this.onPick = null;
    /** @type {number | undefined} */
    this.enabledAt = undefined;
    this.showing = ""; // the trial being flashed, so a trial sent again after a rejoin is not drawn twice
    this.#buildButtons();
    this.enable(false);
  }

  /**
   * The stage the duel and challenge pages share (templates/_duel_stage.html).
   * @param {EmotionInfo[]} emotions in button order
   */
  static onPage(emotions) {
    const byId = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
    return new DuelStage({
      stage: byId("stage"),
      neutral: /** @type {HTMLCanvasElement} */ (byId("face-neutral")),
      expression: /** @type {HTMLCanvasElement} */ (byId("face-expression")),
      probe: byId("flip-probe"),
      answers: byId("answers"),
    }, emotions);
  }

  /** @returns {Promise<number>} the display's frame period in ms */
  measureRefresh() {
    return this.presenter.measureRefresh();
  }

  /**
   * Flash a trial; resolves in the frame its mask ends (false if another trial replaced it meanwhile).
   * @param {import("./socket.js").Message} trial
   */
  async show(trial) {
    this.enable(false);
    this.presenter.reveal(false);
    this.showing = trial.trialId;
    await this.presenter.present(trial);
    return this.showing === trial.trialId;
  }

  /** @returns {number} ms since the answer buttons appeared (the fair-play check weighs it, as in drills) */
  reactionMs() {
    return Math.round(Math.max(0, performance.now() - (this.enabledAt ?? performance.now())));
  }

  /** Show the expression still, after the round closed. */
  reveal() {
    this.presenter.reveal(true);
  }

  /** @param {boolean} on */
  enable(on) {
    if (on) this.enabledAt = performance.now();
    this.answers.classList.toggle("waiting", !on);
    for (const button of this.answers.querySelectorAll("button")) /** @type {HTMLButtonElement} */ (button).disabled = !on;
  }

  /**
   * Mark the buttons after a round: the truth, and the player's own pick if it was wrong.
   * @param {string} truth
   * @param {string | null} mine
   */
  mark(truth, mine) {
    for (const button of this.answers.querySelectorAll("button")) {
      const key = /** @type {HTMLElement} */ (button).dataset.key;
      button.classList.toggle("truth", key === truth);
      button.classList.toggle("picked-wrong", key === mine && mine !== truth);
    }
  }

  clearMarks() {
    for (const button of this.answers.querySelectorAll("button")) button.classList.remove("truth", "picked-wrong");
  }

  stop() {
    this.presenter.stop();
  }

  #buildButtons() {
    const buttons = this.emotions.map((emotion, index) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "answer";
      button.dataset.key = emotion.key;
      const key = document.createElement("span");
      key.className = "key";
      key.textContent = String(index + 1);
      key.setAttribute("aria-hidden", "true");
      button.append(key, emotion.name);
      button.addEventListener("click", () => this.onPick?.(emotion.key));
      return button;
    });
    this.answers.replaceChildren(...buttons);
  }
}
