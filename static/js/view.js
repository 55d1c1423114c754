// The only module that writes to the game's DOM: screens, answer buttons, feedback, summary.

import { histogramSvg } from "./chart.js";

/** @typedef {{key: string, name: string, cues: string[], lookalike: string, tellApart: string}} EmotionInfo */

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

export class View {
  /**
   * @param {EmotionInfo[]} emotions in answer-button order (keys 1-7)
   * @param {{reveal: (visible: boolean) => void, replaySlowly: () => Promise<void>}} presenter shows the
   *   expression during feedback
   */
  constructor(emotions, presenter) {
    this.emotions = emotions;
    this.presenter = presenter;
    this.byKey = new Map(emotions.map((e) => [e.key, e]));
    this.correct = 0;
    this.replaying = false;
    /** @type {((choice: import("./drill.js").Choice) => void) | null} */
    this.pendingAnswer = null;
    /** @type {(() => void) | null} */
    this.pendingNext = null;
    this.#buildAnswers();
    this.#setAnswersEnabled(false);
    byId("next").addEventListener("click", () => this.#moveOn());
    byId("replay").addEventListener("click", async () => {
      // Moving on mid-replay would let two flashes drive the same canvases: hold Next until it ends.
      const buttons = /** @type {HTMLButtonElement[]} */ ([byId("replay"), byId("next")]);
      this.replaying = true;
      for (const button of buttons) button.disabled = true;
      await this.presenter.replaySlowly();
      this.replaying = false;
      for (const button of buttons) button.disabled = false;
    });
  }

  /** @param {"home" | "drill" | "summary"} name */
  showScreen(name) {
    for (const screen of document.querySelectorAll(".screen")) {
      /** @type {HTMLElement} */ (screen).hidden = screen.id !== name;
    }
    document.body.dataset.screen = name;
  }

  startDrill() {
    this.correct = 0;
    byId("score").textContent = "0 ✓";
    this.showScreen("drill");
  }

  /** @param {import("./net.js").Message} trial */
  showTrial(trial) {
    byId("progress").textContent = `Trial ${trial.position} of ${trial.total}`;
    byId("prompt").textContent = "Watch the face…";
    byId("feedback").hidden = true;
    byId("answers").hidden = false;
    this.#setAnswersEnabled(false);
  }

  /** @returns {Promise<import("./drill.js").Choice>} */
  waitForAnswer() {
    byId("prompt").textContent = "Which emotion flashed?";
    this.#setAnswersEnabled(true);
    return new Promise((resolve) => (this.pendingAnswer = resolve));
  }

  /**
   * Handle a pick from a tap or a key. `at` is the event's timestamp (performance.now clock).
   * @param {string} key
   * @param {number} at
   */
  answer(key, at) {
    const resolve = this.pendingAnswer;
    if (!resolve || !this.byKey.has(key)) return;
    this.pendingAnswer = null;
    this.#setAnswersEnabled(false);
    navigator.vibrate?.(10);
    resolve({ answer: key, at });
  }

  /**
   * @param {import("./net.js").Message} result
   * @returns {Promise<void>} resolves when the player taps Next
   */
  showResult(result) {
    const shown = this.byKey.get(String(result.emotion));
    const said = this.byKey.get(String(result.answer));
    let verdict;
    if (!result.scored) {
      verdict = "⟳ The screen skipped a frame during that flash, so it doesn't count. Here comes another face.";
    } else if (result.correct) {
      this.correct += 1;
      verdict = `✓ Right: ${shown?.name}.`;
    } else {
      verdict = `✗ Not quite. It was ${shown?.name}, not ${said?.name}.`;
    }
    byId("score").textContent = `${this.correct} ✓`;
    byId("verdict").textContent = verdict;
    byId("verdict").dataset.outcome = !result.scored ? "void" : result.correct ? "right" : "wrong";
    byId("cue").textContent = result.scored && shown ? `Look for: ${shown.cues.join("; ").toLowerCase()}.` : "";
    byId("answers").hidden = true;
    byId("feedback").hidden = false;
    byId("prompt").textContent = "";
    if (result.scored) this.presenter.reveal(true);
    byId("replay").hidden = !result.scored;
    byId("next").focus({ preventScroll: true });
    return new Promise((resolve) => (this.pendingNext = resolve));
  }

  /** @param {import("./net.js").Message} summary */
  showSummary(summary) {
    const accuracy = Math.round(Number(summary.accuracy) * 100);
    byId("summary-accuracy").textContent = `${summary.correct} of ${summary.shown} right (${accuracy}%)`;
    const thresholds = /** @type {Record<string, {value: number, low: number, high: number}>} */ (summary.thresholds);
    const axis = String(summary.axis);
    const overall = thresholds.all;
    byId("summary-threshold").textContent = describeThreshold(overall, axis);
    const perEmotion = /** @type {Record<string, {shown: number, correct: number}>} */ (summary.perEmotion);
    const rows = this.emotions.map((emotion) => {
      const tally = perEmotion[emotion.key] ?? { shown: 0, correct: 0 };
      const threshold = thresholds[emotion.key];
      const row = document.createElement("tr");
      const speed = reliable(threshold) ? formatLevel(threshold.value, axis) : "needs more play";
      for (const text of [emotion.name, `${tally.correct}/${tally.shown}`, speed]) {
        const cell = document.createElement(row.childElementCount ? "td" : "th");
        if (!row.childElementCount) cell.setAttribute("scope", "row");
        cell.textContent = text;
        row.append(cell);
      }
      return row;
    });
    byId("summary-rows").replaceChildren(...rows);
    byId("summary-points").textContent = describeRewards(summary);
    this.#showChallenge(/** @type {any} */ (summary.challenge));
    this.showScreen("summary");
    byId("again").focus({ preventScroll: true });
  }

  /**
   * @param {{number: number, ranked: boolean, shareText: string, histogram: {from: number, to: number, players: number}[],
   *          standing: {rank: number, players: number, percentile: number} | null} | undefined} result
   */
  #showChallenge(result) {
    byId("summary-challenge").hidden = !result;
    if (!result) return;
    const standing = result.standing;
    byId("summary-title").textContent = `Daily challenge #${result.number}`;
    byId("challenge-standing").textContent = !result.ranked
      ? "Practice run: your first attempt today is the one that counts."
      : describeStanding(standing);
    const figure = byId("challenge-histogram");
    figure.querySelector("svg")?.remove();
    if (result.histogram.length) figure.insertAdjacentHTML("afterbegin", histogramSvg(result.histogram));
    this.shareText = result.shareText;
  }

  /** @param {string} text */
  notice(text) {
    const toast = byId("toast");
    toast.textContent = text;
    toast.hidden = false;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => (toast.hidden = true), 4000);
  }

  /** @param {boolean} trying */
  showReconnecting(trying) {
    if (trying) this.notice("Connection lost. Reconnecting… your answers are safe.");
    else byId("toast").hidden = true;
  }

  /** Enter/Space or the Next button: leave the feedback. */
  moveOn() {
    this.#moveOn();
  }

  #moveOn() {
    const resolve = this.pendingNext;
    if (!resolve || this.replaying) return;
    this.pendingNext = null;
    this.presenter.reveal(false);
    resolve();
  }

  #buildAnswers() {
    const buttons = this.emotions.map((emotion, index) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "answer";
      button.dataset.emotion = emotion.key;
      button.innerHTML = `<span class="key" aria-hidden="true">${index + 1}</span>`;
      button.append(emotion.name);
      button.addEventListener("pointerdown", (event) => {
        event.preventDefault(); // answer on touch-down: no click delay, no focus ring flash
        this.answer(emotion.key, event.timeStamp);
      });
      button.addEventListener("click", (event) => {
        if (event.detail === 0) this.answer(emotion.key, event.timeStamp); // keyboard activation
      });
      return button;
    });
    byId("answers").replaceChildren(...buttons);
  }

  /** @param {boolean} enabled */
  #setAnswersEnabled(enabled) {
    for (const button of byId("answers").querySelectorAll("button")) {
      /** @type {HTMLButtonElement} */ (button).disabled = !enabled;
    }
    byId("answers").classList.toggle("waiting", !enabled);
  }
}

/**
 * Points and streaks after a drill, in one line.
 * @param {import("./net.js").Message} summary
 */
export function describeRewards(summary) {
  const streak = /** @type {{days: number} | undefined} */ (summary.streak);
  const parts = [`+${summary.points ?? 0} points`];
  if (Number(summary.bestAnswerStreak) > 2) parts.push(`best run ${summary.bestAnswerStreak} in a row`);
  if (streak?.days) parts.push(`${streak.days}-day streak`);
  return parts.join(" · ");
}

/**
 * Where a player stands on a board, in words.
 * @param {{rank: number, players: number, percentile: number} | null} standing
 */
export function describeStanding(standing) {
  if (!standing) return "";
  if (standing.players === 1) return "You're the first on this board today. Invite friends to beat you!";
  return `Rank ${standing.rank} of ${standing.players}: better than ${Math.round(standing.percentile)}% of players.`;
}

/** Fewer answers than this give an interval too wide to be worth quoting. */
export const MIN_TRIALS_FOR_ESTIMATE = 8;
const LONGEST_EXPOSURE_MS = 500;
const SHORTEST_LEAK_MS = 50;

/** @param {{trials: number} | undefined} threshold */
export function reliable(threshold) {
  return threshold !== undefined && threshold.trials >= MIN_TRIALS_FOR_ESTIMATE;
}

/**
 * @param {number} value
 * @param {string} axis "exposure" (ms) or "intensity" (0-1)
 */
export function formatLevel(value, axis) {
  if (axis === "intensity") return value > 1 ? "over full intensity" : `${Math.round(value * 100)}% intensity`;
  // Scenes: a leak's ms x intensity; below the shortest leak (3 frames at 60 Hz) it is a fainter one.
  if (axis === "leak" && value < SHORTEST_LEAK_MS) return `${SHORTEST_LEAK_MS} ms at ${Math.round((value / SHORTEST_LEAK_MS) * 100)}%`;
  return value > LONGEST_EXPOSURE_MS ? `over ${LONGEST_EXPOSURE_MS} ms` : `${Math.round(value)} ms`;
}

/**
 * One sentence on the player's threshold, honest about its uncertainty.
 * @param {{value: number, low: number, high: number, trials: number} | undefined} threshold
 * @param {string} axis
 */
export function describeThreshold(threshold, axis) {
  if (!threshold || !reliable(threshold)) return "Play a few more trials for an estimate of your speed.";
  const what = axis === "intensity" ? "You spot emotions at" : "You catch emotions at";
  return `${what} ${formatLevel(threshold.value, axis)} (likely ${formatLevel(threshold.low, axis)} to ${formatLevel(threshold.high, axis)}).`;
}
