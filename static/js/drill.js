// One drill, start to summary, as a script over the connection.
//
// The server decides every trial and scores every answer; this module only
// shows what it is told, measures, and reports. Its collaborators are passed
// in, so it runs under `node --test` with fakes.

import { greet } from "./greet.js";
import { ConnectionLost } from "./net.js";

const RECONNECT_DELAYS_MS = [250, 1000, 2000, 4000, 8000];
const TRIAL_TYPES = ["trial", "scene"]; // a flash, or a scene (docs/protocol.md, Scenes)

/**
 * @typedef {import("./net.js").Message} Message
 * @typedef {{answer: string, at: number}} Choice  `at` on the performance.now clock
 * @typedef {import("./flash.js").FlashReport & {refreshMs: number}} Shown
 *
 * @typedef {object} Presenter
 * @property {() => Promise<number>} measureRefresh median frame period in ms
 * @property {(trial: Message) => Promise<Shown>} present flash it; resolves in the frame the mask ends
 *
 * @typedef {object} View
 * @property {(started: Message) => void} showStarted the drill's position and score so far (a resume starts mid-way)
 * @property {(trial: Message) => void} showTrial
 * @property {() => Promise<Choice>} waitForAnswer
 * @property {(result: Message) => Promise<void>} showResult resolves when the player moves on (after a
 *   right answer by itself, after a wrong one on Next)
 * @property {(result: Message) => Promise<void>} showVoided a flash that cannot count: say "one more face" briefly, no tap
 * @property {(summary: Message) => void} showSummary
 * @property {(text: string) => void} notice
 * @property {(trying: boolean) => void} showReconnecting
 */

export class Drill {
  /**
   * @param {{connection: import("./net.js").Connection, presenter: Presenter, view: View,
   *          wait?: (ms: number) => Promise<void>, remember?: (drillId: string | null) => void}} parts
   *   remember: keeps the unfinished drill's id across reloads (null once it ends), so a page reloaded mid-drill
   *   can name it when it connects: a full server still lets such a socket on
   */
  constructor({ connection, presenter, view, wait = (ms) => new Promise((r) => setTimeout(r, ms)), remember = () => {} }) {
    this.connection = connection;
    this.presenter = presenter;
    this.view = view;
    this.wait = wait;
    this.remember = remember;
    this.refreshMs = 0;
  }

  /** Open the socket and greet the server; returns the welcome (with any unfinished drill). */
  async connect() {
    return greet(this.connection);
  }

  /**
   * Play a drill to its summary.
   * @param {{mode?: string, focus?: boolean, resumeId?: string}} options
   * @returns {Promise<Message>} the summary
   */
  async play({ mode = "speed", focus = false, resumeId } = {}) {
    await this.connect();
    this.refreshMs = await this.presenter.measureRefresh();
    const opening = resumeId
      ? { type: "resume", drillId: resumeId, refreshMs: this.refreshMs }
      : { type: "start", mode, focus, refreshMs: this.refreshMs };
    let trial = await this.#open(opening);
    for (;;) {
      try {
        const outcome = await this.#playTrial(trial);
        if (outcome.summary) return outcome.summary;
        trial = outcome.next;
      } catch (error) {
        if (!(error instanceof ConnectionLost)) throw error;
        trial = await this.#reconnect();
      }
    }
  }

  /** @param {Message} opening start or resume; returns the first trial */
  async #open(opening) {
    const started = await this.connection.ask(opening);
    if (started.type !== "started") throw new Error(String(started.message ?? "could not start"));
    this.drillId = String(started.drillId);
    this.remember(this.drillId);
    this.view.showStarted(started);
    return this.#expect(...TRIAL_TYPES);
  }

  /** @param {Message} trial */
  async #playTrial(trial) {
    this.view.showTrial(trial);
    const shown = await this.presenter.present(trial);
    const choice = await this.view.waitForAnswer();
    const result = await this.connection.ask({
      type: "answer",
      trialId: trial.trialId,
      answer: choice.answer,
      framesShown: shown.framesShown,
      refreshMs: round(shown.refreshMs),
      maxGapMs: round(shown.maxGapMs),
      reactionMs: round(Math.max(0, choice.at - shown.maskEndTs)),
      stalled: shown.flagReason === "stall",
    });
    if (result.type === "error") {
      this.view.notice(String(result.message));
      return { next: await this.#askForTrial() };
    }
    if (!result.scored && !result.done) {
      await this.view.showVoided(result); // the same position comes again with a new face, quietly
      return { next: await this.#askForTrial() };
    }
    await this.view.showResult(result); // the last answer too gets its feedback before the summary
    if (result.done) {
      const summary = await this.#expect("summary");
      this.remember(null);
      this.view.showSummary(summary);
      return { summary };
    }
    return { next: await this.#askForTrial() };
  }

  async #askForTrial() {
    this.connection.send({ type: "next" });
    return this.#expect(...TRIAL_TYPES);
  }

  /** @param {...string} types what may come next */
  async #expect(...types) {
    const message = await this.connection.receive();
    if (!types.includes(message.type)) {
      throw new Error(String(message.message ?? `expected ${types.join(" or ")}, got ${message.type}`));
    }
    return message;
  }

  /** The socket dropped mid-drill: every answer sent is stored; pick up where the server says we are. */
  async #reconnect() {
    for (const delay of RECONNECT_DELAYS_MS) {
      this.view.showReconnecting(true);
      await this.wait(delay);
      try {
        if (!this.connection.isOpen) await this.connection.open({ resume: this.drillId });
        const welcome = await this.connect();
        this.view.showReconnecting(false);
        const active = /** @type {{id: string} | null} */ (welcome.activeDrill);
        if (!active || active.id !== this.drillId) throw new Error("This drill ended while you were offline.");
        return await this.#open({ type: "resume", drillId: active.id, refreshMs: this.refreshMs });
      } catch (error) {
        if (!(error instanceof ConnectionLost)) throw error;
      }
    }
    this.view.showReconnecting(false);
    throw new Error("Could not reach the server. Check your connection and try again.");
  }
}

/** @param {number} value */
function round(value) {
  return Math.round(value * 100) / 100;
}
