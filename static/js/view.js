// The only module that writes to the game's DOM: screens, answer buttons, feedback, summary.

import { AnswerPad, onDeliberateClick } from "./answers.js";

/** @typedef {{key: string, name: string, cues: string[], lookalike: string, tellApart: string}} EmotionInfo */
/** @typedef {{value: number, low: number, high: number, trials: number}} Threshold */

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** How long "One more face" shows before a voided trial's replacement. */
const VOIDED_PAUSE_MS = 700;
/** How long a right answer's feedback stays before the drill moves on by itself. */
const RIGHT_PAUSE_MS = 1400;

export class View {
  /**
   * @param {EmotionInfo[]} emotions in answer-button order (keys 1-7)
   * @param {{reveal: (visible: boolean) => void, replaySlowly: () => Promise<void>, periodMs?: number}} presenter
   *   shows the expression during feedback; its period is the display's frame
   */
  constructor(emotions, presenter) {
    this.emotions = emotions;
    this.presenter = presenter;
    this.byKey = new Map(emotions.map((e) => [e.key, e]));
    this.correct = 0;
    this.replaying = false;
    /** @type {(() => void) | null} */
    this.pendingNext = null;
    this.answers = new AnswerPad(byId("answers"), emotions);
    onDeliberateClick(byId("next"), () => this.#moveOn());
    onDeliberateClick(byId("replay"), async () => {
      // Moving on mid-replay would let two flashes drive the same canvases: hold Next until it ends.
      const buttons = /** @type {HTMLButtonElement[]} */ ([byId("replay"), byId("next")]);
      this.replaying = true;
      for (const button of buttons) button.disabled = true;
      await this.presenter.replaySlowly();
      this.replaying = false;
      for (const button of buttons) button.disabled = false;
    });
  }

  /**
   * Every screen opens at its top: a drill must not inherit the home page's scroll (in landscape
   * that put the eyes above the viewport during the flash).
   * @param {"home" | "drill" | "summary" | "checkup-summary"} name
   */
  showScreen(name) {
    for (const screen of document.querySelectorAll(".screen")) {
      /** @type {HTMLElement} */ (screen).hidden = screen.id !== name;
    }
    document.body.dataset.screen = name;
    window.scrollTo(0, 0);
  }

  /** @param {string} [mode] a checkup gives no feedback, so it keeps no score on screen */
  startDrill(mode) {
    this.correct = 0;
    this.#showProgress(0, 20);
    byId("score").textContent = mode === "checkup" ? "Checkup" : "0 ✓";
    byId("prompt").textContent = "Get ready…";
    byId("feedback").hidden = true;
    byId("answers").hidden = false;
    this.answers.setEnabled(false);
    this.showScreen("drill");
  }

  /** @param {import("./net.js").Message} started a new drill, or a resumed one with its score so far */
  showStarted(started) {
    this.correct = Number(started.correct ?? 0);
    byId("score").textContent = started.mode === "checkup" ? "Checkup" : `${this.correct} ✓`;
    this.#showProgress(Number(started.answered ?? 0), Number(started.total ?? 20));
  }

  /** @param {import("./net.js").Message} trial */
  showTrial(trial) {
    this.#showProgress(Number(trial.position) - 1, Number(trial.total));
    byId("progress").textContent = `Trial ${trial.position} of ${trial.total}`;
    byId("prompt").textContent = "Watch the face…";
    byId("feedback").hidden = true;
    byId("answers").hidden = false;
    this.answers.setEnabled(false);
  }

  /**
   * @param {number} done answers that count so far
   * @param {number} total
   */
  #showProgress(done, total) {
    const bar = /** @type {HTMLProgressElement} */ (byId("progress-bar"));
    bar.max = total;
    bar.value = done;
  }

  /**
   * The screen skipped a frame during the flash, so it cannot count: no verdict, no tap; the same
   * position comes again with a new face.
   * @param {import("./net.js").Message} _result its verdict, deliberately unused: nothing to tell the player
   * @returns {Promise<void>}
   */
  showVoided(_result) {
    byId("prompt").textContent = "One more face…";
    this.answers.setEnabled(false);
    return new Promise((resolve) => setTimeout(resolve, VOIDED_PAUSE_MS));
  }

  /** @returns {Promise<import("./drill.js").Choice>} */
  waitForAnswer() {
    byId("prompt").textContent = "Which emotion flashed?";
    return this.answers.wait();
  }

  /**
   * Handle a pick from a tap or a key. `at` is the event's timestamp (performance.now clock).
   * @param {string} key
   * @param {number} at
   */
  answer(key, at) {
    this.answers.answer(key, at);
  }

  /**
   * Feedback on a counted answer. After a right one the drill moves on by itself (or on a tap
   * anywhere); after a wrong one it waits for Next, with the cues and a slow replay to study.
   * @param {import("./net.js").Message} result
   * @returns {Promise<void>} resolves when the player moves on
   */
  showResult(result) {
    if (result.checkup) { // a test: no feedback, straight on to the next face
      this.#showProgress(Number(result.answered ?? 0), Number(result.total ?? 28));
      return Promise.resolve();
    }
    const shown = this.byKey.get(String(result.emotion));
    const said = this.byKey.get(String(result.answer));
    const right = Boolean(result.correct);
    if (right) this.correct += 1;
    this.#showProgress(Number(result.answered ?? 0), Number(result.total ?? 20));
    byId("score").textContent = `${this.correct} ✓`;
    const points = Number(result.points) > 0 ? ` +${result.points}` : "";
    byId("verdict").textContent = right ? `✓ ${shown?.name ?? "Right"}${points}` : `✗ It was ${shown?.name}, not ${said?.name}.`;
    byId("verdict").dataset.outcome = right ? "right" : "wrong";
    byId("cue").textContent = shown ? `Look for: ${shown.cues.join("; ").toLowerCase()}.` : "";
    byId("answers").hidden = true;
    byId("feedback").hidden = false;
    byId("feedback").dataset.outcome = right ? "right" : "wrong";
    byId("prompt").textContent = "";
    this.presenter.reveal(true);
    byId("next").textContent = result.done ? "See results" : "Next";
    byId("tap-on").textContent = result.done ? "Tap for your results" : "Tap to go on";
    const moved = new Promise((resolve) => (this.pendingNext = /** @type {() => void} */ (resolve)));
    if (right) {
      const stage = byId("drill");
      const onTap = () => this.#moveOn();
      stage.addEventListener("pointerdown", onTap, { once: true });
      const timer = setTimeout(onTap, RIGHT_PAUSE_MS);
      void moved.then(() => {
        clearTimeout(timer);
        stage.removeEventListener("pointerdown", onTap);
      });
    } else {
      byId("next").focus({ preventScroll: true });
    }
    return /** @type {Promise<void>} */ (moved);
  }

  /** @param {{correct: number, shown: number, checkup: {emotions: Record<string, {correct: number, shown: number}>}}} summary */
  #showCheckupSummary(summary) {
    byId("checkup-score").textContent = `${summary.correct} of ${summary.shown} right`;
    const rows = this.emotions.map((emotion) => {
      const tally = summary.checkup.emotions[emotion.key];
      const row = document.createElement("tr");
      const name = Object.assign(document.createElement("th"), { scope: "row", textContent: emotion.name });
      row.append(name, Object.assign(document.createElement("td"), { textContent: `${tally.correct} of ${tally.shown}` }));
      return row;
    });
    byId("checkup-rows").replaceChildren(...rows);
    this.showScreen("checkup-summary");
  }

  /**
   * The summary: this drill's own results first (right per emotion, the flash lengths it used),
   * then the all-time estimate, kept apart so a 1-of-3 emotion cannot read as the fastest.
   * @param {import("./net.js").Message} summary
   * @param {number} [frameMs] the display's frame period: no estimate is quoted below one frame
   */
  showSummary(summary, frameMs = this.presenter.periodMs ?? 1000 / 60) {
    if (summary.mode === "checkup") {
      this.#showCheckupSummary(/** @type {any} */ (summary));
      return;
    }
    const accuracy = Math.round(Number(summary.accuracy) * 100);
    const axis = String(summary.axis);
    this.#showProgress(Number(summary.shown), Number(summary.shown));
    byId("summary-accuracy").textContent = `${summary.correct} of ${summary.shown} right (${accuracy}%)`;
    const thresholds = /** @type {Record<string, Threshold>} */ (summary.thresholds ?? {});
    byId("summary-threshold").textContent = describeThreshold(thresholds.all, axis, frameMs);
    const perEmotion = /** @type {Record<string, {shown: number, correct: number, meanExposureMs?: number}>} */ (summary.perEmotion);
    byId("summary-flash-head").hidden = axis !== "exposure";
    const rows = this.emotions.filter((emotion) => perEmotion[emotion.key]?.shown).map((emotion) => {
      const tally = perEmotion[emotion.key];
      const row = document.createElement("tr");
      const cells = [emotion.name, `${tally.correct}/${tally.shown}`];
      if (axis === "exposure") cells.push(formatLevel(Math.max(frameMs, Number(tally.meanExposureMs)), axis));
      for (const text of cells) {
        const cell = document.createElement(row.childElementCount ? "td" : "th");
        if (!row.childElementCount) cell.setAttribute("scope", "row");
        cell.textContent = text;
        row.append(cell);
      }
      return row;
    });
    byId("summary-rows").replaceChildren(...rows);
    byId("summary-tip").textContent = describeDrill(perEmotion, this.emotions);
    byId("summary-points").textContent = describeRewards(summary);
    byId("summary-moment").textContent = summary.correct ? "Drill complete" : "Drill complete: every miss is practice";
    byId("summary").classList.toggle("celebrate", Number(summary.accuracy) >= 0.5);
    this.#showChallenge(/** @type {any} */ (summary.challenge));
    this.showScreen("summary");
    byId("again").focus({ preventScroll: true });
  }

  /**
   * The moment that matters, once the all-time history is known (online only).
   * @param {string} text
   */
  showMoment(text) {
    if (text) byId("summary-moment").textContent = text;
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
    byId("challenge-standing").textContent = result.unranked === "reaction"
      ? "Some answers came faster than anyone can choose, so this attempt stays off the board."
      : !result.ranked
        ? "Practice run: your first attempt today is the one that counts."
        : describeStanding(standing);
    this.shareText = result.shareText;
    const figure = byId("challenge-histogram");
    figure.querySelector("svg")?.remove();
    figure.hidden = true;
    // The chart module loads with the first challenge summary, not on the first visit.
    void import("./chart.js").then(({ histogramSvg, MIN_PLAYERS_FOR_HISTOGRAM }) => {
      const players = result.histogram.reduce((sum, bin) => sum + bin.players, 0);
      figure.hidden = players < MIN_PLAYERS_FOR_HISTOGRAM; // a chart of 1-4 scores says less than the rank line
      if (figure.hidden) return;
      const score = /** @type {any} */ (result.standing)?.score;
      figure.insertAdjacentHTML("afterbegin", histogramSvg(result.histogram, { width: figure.clientWidth || 320, mine: score }));
    });
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
}

/**
 * Points and streaks after a drill, in one line.
 * @param {import("./net.js").Message} summary
 */
export function describeRewards(summary) {
  if (summary.points === undefined) {
    // The browser's own drill server: offline drills count for progress and the streak, never points.
    return "Played offline: no points for offline drills. Your answers go to your progress and streak when you're back online.";
  }
  const streak = /** @type {{days: number} | undefined} */ (summary.streak);
  const parts = [`+${summary.points} points`];
  if (Number(summary.bestAnswerStreak) > 2) parts.push(`best run ${summary.bestAnswerStreak} in a row`);
  if (streak?.days) parts.push(`${streak.days}\u2011day streak`); // a non-breaking hyphen: never "1-/day"
  return parts.join(" · ");
}

/**
 * Where a player stands on a board, in words: kind at the bottom, exact at the top, and no
 * percentages of a handful of players.
 * @param {{rank: number, players: number} | null} standing
 */
export function describeStanding(standing) {
  if (!standing) return "";
  const { rank, players } = standing;
  if (players === 1) return "You're the first on this board today. Invite friends to beat you!";
  const place = `Rank ${rank} of ${players}`;
  const behind = players - rank;
  if (rank === 1) return `${place}: top of the board!`;
  if (players <= 10) {
    if (behind === 0) return `${place}: everyone starts somewhere. Play again to climb.`;
    return `${place}: ahead of ${behind} player${behind > 1 ? "s" : ""}.`;
  }
  const ahead = Math.round((100 * behind) / (players - 1));
  return ahead > 0 ? `${place}: ahead of ${ahead}% of players.` : `${place}: keep playing to climb.`;
}

/**
 * Why only you see yourself on the public boards (the server's `note`): neutral, never an accusation.
 * @param {string | null | undefined} note "checking", "probation" or nothing
 */
export function describeNote(note) {
  if (note === "checking") return "Your results are being checked. Until then, only you see them on the boards.";
  if (note === "probation") return "Only you see your results on the boards until you have played a few drills.";
  return "";
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
 * @param {number} [frameMs] the display's frame: nothing shorter can be shown, so none is quoted
 */
export function formatLevel(value, axis, frameMs = 0) {
  if (axis === "intensity") return value > 1 ? "over full intensity" : `${Math.round(value * 100)}% intensity`;
  if (value > LONGEST_EXPOSURE_MS) return `over ${LONGEST_EXPOSURE_MS} ms`;
  // Scenes: a leak's ms x intensity; below the shortest leak (3 frames at 60 Hz) it is a fainter one.
  if (axis === "leak" && value < SHORTEST_LEAK_MS) return `${SHORTEST_LEAK_MS} ms at ${Math.round((value / SHORTEST_LEAK_MS) * 100)}%`;
  if (frameMs > 0 && value < frameMs) return `1 frame (${Math.round(frameMs)} ms)`;
  return `${Math.round(value)} ms`;
}

/**
 * One sentence on the player's all-time threshold, honest about its uncertainty and about what
 * the display can show.
 * @param {Threshold | undefined} threshold
 * @param {string} axis
 * @param {number} [frameMs]
 */
export function describeThreshold(threshold, axis, frameMs = 0) {
  if (!threshold || !reliable(threshold)) {
    return "Your speed estimate appears after a few more answers: each drill narrows it down.";
  }
  const what = axis === "intensity" ? "You spot emotions at" : "You catch emotions at";
  if (axis === "exposure" && threshold.low > LONGEST_EXPOSURE_MS) {
    return "Your catch speed is still over 500 ms. The flashes shorten as you catch them.";
  }
  if (axis === "exposure" && threshold.value < frameMs) {
    return `${what} the shortest flash this screen can show: 1 frame (${Math.round(frameMs)} ms).`;
  }
  const value = formatLevel(threshold.value, axis, frameMs);
  const low = formatLevel(Math.max(threshold.low, frameMs), axis, frameMs);
  const high = formatLevel(threshold.high, axis, frameMs);
  const range = low === high ? "" : ` (likely ${low} to ${high})`;
  return `${what} ${value}${range}.`;
}

/**
 * What this drill says, in one line: the emotion caught best and the one to work on.
 * @param {Record<string, {shown: number, correct: number}>} perEmotion
 * @param {EmotionInfo[]} emotions
 */
export function describeDrill(perEmotion, emotions) {
  const played = emotions.filter((e) => perEmotion[e.key]?.shown);
  if (played.length === 0) return "";
  const rate = (/** @type {EmotionInfo} */ e) => perEmotion[e.key].correct / perEmotion[e.key].shown;
  const sorted = [...played].sort((a, b) => rate(b) - rate(a) || perEmotion[b.key].shown - perEmotion[a.key].shown);
  const best = sorted[0];
  const worst = sorted[sorted.length - 1];
  if (rate(worst) === 1) return "Every emotion caught: the flashes will get shorter.";
  const cue = worst.cues[0]?.toLowerCase() ?? "";
  const start = rate(best) > 0 ? `Best: ${best.name}. ` : "";
  return `${start}To work on: ${worst.name}${cue ? `: look for ${cue}` : ""}.`;
}

/**
 * The moment that matters after a drill, from the all-time threshold before and after it.
 * @param {Threshold | null | undefined} before the estimate after the previous drill (none: first drill)
 * @param {Threshold | undefined} after the estimate now
 * @param {number} [frameMs]
 */
export function describeMoment(before, after, frameMs = 0) {
  if (!after || !reliable(after)) return "First steps: your speed estimate appears after a few more answers.";
  const now = formatLevel(after.value, "exposure", frameMs);
  if (!before || !reliable(before)) return `Your first speed estimate: ${now}.`;
  const then = formatLevel(before.value, "exposure", frameMs);
  if (then === now) return `Holding steady at ${now}.`;
  if (after.value < before.value) return `You got faster: ${then} → ${now}`;
  return `${then} → ${now} this time: a harder drill. It evens out over a few.`;
}
