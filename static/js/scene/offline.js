// Scenes offline: the LocalServer's part for `start` with a scene mode. It plays a pack of scenes
// the server planned (GET /api/scene-pack, kept by the service worker from the last online
// session), judges each answer like the server (window frames, stall, refresh rate), replaces a
// voided scene with a spare one, and sums up. Offline scenes are practice: not adaptive, not
// queued for sync, never on a board. The LocalServer hands in its own judge and period snapping
// (importing them from it would make a cycle, which versioned module URLs cannot have).

/** @typedef {import("../net.js").Message} Message */

/**
 * @param {number} periodMs nominal
 * @returns {string}
 */
export function packUrl(periodMs) {
  return `/api/scene-pack?periodMs=${periodMs.toFixed(3)}`;
}

export class LocalScenes {
  /**
   * @param {{rules: {displayRatesHz: number[], refreshTolerance: number}, judge: Function,
   *          nominalPeriod: (measuredMs: number, ratesHz: number[]) => number, now?: () => number,
   *          newId?: () => string, fetchPack?: (url: string) => Promise<any>}} parts
   */
  constructor({ rules, judge, nominalPeriod, now = Date.now, newId = () => crypto.randomUUID(),
    fetchPack = (url) => fetch(url).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`)))) }) {
    this.rules = rules;
    this.judge = judge;
    this.nominalPeriod = nominalPeriod;
    this.now = now;
    this.newId = newId;
    this.fetchPack = fetchPack;
    /** @type {any} */
    this.drill = null;
    /** @type {any} */
    this.open = null;
  }

  get active() {
    return this.drill !== null;
  }

  /** @param {Message} message @returns {Promise<Message[]>} */
  async start(message) {
    const periodMs = this.nominalPeriod(Number(message.refreshMs) || 1000 / 60, this.rules.displayRatesHz);
    let pack;
    try {
      pack = await this.fetchPack(packUrl(periodMs));
    } catch {
      return [{ type: "error", code: "offline_scenes",
        message: "Scenes offline need one online session with scenes first." }];
    }
    const total = Math.min(10, pack.scenes.length);
    this.drill = { id: this.newId(), mode: "scene", periodMs, total, queue: [...pack.scenes], scored: [] };
    this.open = null;
    return [{ type: "started", drillId: this.drill.id, mode: "scene", total, answered: 0 }, this.#send()];
  }

  /** @returns {Message[]} */
  next() {
    if (this.open) return [{ type: "error", code: "answer_pending", message: "Answer the current trial first." }];
    return [this.#send()];
  }

  /** @param {Message} message @returns {Message[]} */
  answer(message) {
    const drill = this.drill;
    const open = this.open;
    if (!open || open.trialId !== message.trialId) {
      return [{ type: "error", code: "unknown_trial", message: "No such trial is waiting for an answer.",
        trialId: message.trialId }];
    }
    const verdict = this.judge({ emotion: open.emotion, exposureFrames: open.scene.window.frames }, drill.periodMs, message,
      this.rules.refreshTolerance);
    this.open = null;
    if (verdict.scored) drill.scored.push({ emotion: open.emotion, correct: verdict.correct, leakMs: open.leakMs });
    else drill.queue.push(open.spent); // played again later (a new face comes first)
    const done = drill.scored.length >= drill.total;
    const replies = [{
      type: "result", trialId: open.trialId, emotion: open.emotion, answer: message.answer, correct: verdict.correct,
      scored: verdict.scored, flag: verdict.flag, replay: !verdict.scored, answered: drill.scored.length,
      total: drill.total, exposureMs: open.leakMs, points: 0, answerStreak: 0, done, leak: open.leak, intensity: 1,
    }];
    if (done) {
      replies.push(summarise(drill));
      this.drill = null;
    }
    return replies;
  }

  /** @returns {Message[]} */
  abandon() {
    const drillId = this.drill?.id;
    this.drill = null;
    this.open = null;
    return [{ type: "abandoned", drillId }];
  }

  /** @returns {Message} */
  #send() {
    const drill = this.drill;
    const spent = drill.queue.shift();
    this.open = { trialId: this.newId(), emotion: spent.emotion, leak: spent.leak, leakMs: spent.leakMs,
      scene: spent.scene, spent };
    return { ...spent.scene, trialId: this.open.trialId, position: drill.scored.length + 1, total: drill.total };
  }
}

/** @param {any} drill */
function summarise(drill) {
  /** @type {Record<string, {shown: number, correct: number, meanExposureMs: number}>} */
  const perEmotion = {};
  for (const { emotion, correct, leakMs } of drill.scored) {
    const tally = (perEmotion[emotion] ??= { shown: 0, correct: 0, meanExposureMs: 0 });
    tally.meanExposureMs = Math.round(((tally.meanExposureMs * tally.shown + leakMs) / (tally.shown + 1)) * 10) / 10;
    tally.shown += 1;
    tally.correct += correct ? 1 : 0;
  }
  const correct = drill.scored.filter((/** @type {any} */ s) => s.correct).length;
  return { type: "summary", drillId: drill.id, mode: "scene", axis: "leak", shown: drill.scored.length, correct,
    accuracy: drill.scored.length ? correct / drill.scored.length : 0, perEmotion, thresholds: {} };
}
