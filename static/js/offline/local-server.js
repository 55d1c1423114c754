// The drill server's role, played in the browser when the real one cannot be reached.
//
// LocalServer has the Connection interface (open, isOpen, send, receive, ask, close) and speaks
// docs/protocol.md, so the very same Drill script runs a practice drill offline. It picks
// balanced emotions and random faces from the cached catalogue, sets exposures in whole frames
// from its own staircase (./staircase.js), judges each answer like the server (a flash shown for
// the wrong number of frames, stalled, or at another refresh rate is replayed unscored), and
// queues every answered trial with a client-made id for a later, exactly-once sync.

import { poseFromVariant } from "../pose.js";
import { Staircase } from "./staircase.js";

// The drill rules (trials per drill, exposure range, foreperiod, mask, display rates) and the
// neutral pose come with the cached catalogue from game/rounds.py and game/emotions.py.
const STATE_KEY = "glimpse.offline.staircase.";

/**
 * @typedef {import("../net.js").Message} Message
 * @typedef {{key: string, variants: {units: Record<string, number>, oneSided: boolean, gazeDown: number,
 *            headDown: number}[]}} Emotion
 * @typedef {{put: (entry: object) => Promise<void>}} Queue
 * @typedef {{getItem: (key: string) => string | null, setItem: (key: string, value: string) => void}} KeyValue
 * @typedef {{fitzpatrick: number[], glassesShare: number, facialHair: Record<string, number>}} TraitTables
 */

/**
 * A face's server-style traits from the catalogue's tables (game/identities.py draw_traits).
 * @param {TraitTables} tables @param {() => number} random
 */
export function drawTraits(tables, random) {
  const fitzpatrick = tables.fitzpatrick[Math.floor(random() * tables.fitzpatrick.length)];
  const glasses = random() < tables.glassesShare;
  const entries = Object.entries(tables.facialHair);
  let left = random() * entries.reduce((sum, [, weight]) => sum + weight, 0);
  const found = entries.find(([, weight]) => (left -= weight) < 0);
  return { fitzpatrick, glasses, facialHair: (found ?? entries[entries.length - 1])[0] };
}

export class LocalServer {
  /**
   * @param {{catalogue: {emotions: Emotion[], identityTraits?: TraitTables}, queue: Queue, storage?: KeyValue, random?: () => number,
   *          now?: () => number, newId?: () => string, timeZone?: string | null,
   *          onQueued?: () => void}} parts  `now` in ms since the epoch
   */
  constructor({ catalogue, queue, storage = memoryStorage(), random = Math.random, now = Date.now,
    newId = () => crypto.randomUUID(), timeZone = null, onQueued = () => {} }) {
    this.emotions = catalogue.emotions;
    this.rules = catalogue.drillRules;
    this.neutralPose = catalogue.neutralPose;
    this.traits = catalogue.identityTraits; // skin type, glasses, facial hair: drawn as the server draws them
    this.queue = queue;
    this.storage = storage;
    this.random = random;
    this.now = now;
    this.newId = newId;
    this.timeZone = timeZone;
    this.onQueued = onQueued;
    this.isOpen = false;
    /** @type {Message[]} */
    this.inbox = [];
    /** @type {((message: Message) => void)[]} */
    this.waiting = [];
    this.work = Promise.resolve();
    /** @type {any} */
    this.drill = null;
    /** @type {any} */
    this.openTrial = null;
    /** @type {any} scene practice, loaded on the first scene start */
    this.scenes = null;
  }

  async open() {
    this.isOpen = true;
  }

  close() {
    this.isOpen = false;
  }

  /** @param {Message} message handled in order; replies arrive through receive() */
  send(message) {
    this.work = this.work.then(() => this.#handle(message)).catch((error) => {
      this.#reply({ type: "error", code: "server_error", message: String(error?.message ?? error) });
    });
  }

  /** @returns {Promise<Message>} */
  receive() {
    const message = this.inbox.shift();
    if (message) return Promise.resolve(message);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** @param {Message} message */
  ask(message) {
    this.send(message);
    return this.receive();
  }

  /** @param {Message} message */
  async #handle(message) {
    // Scenes (a start with a scene mode, then that drill's messages) go to ../scene/offline.js.
    if (message.type === "start" && String(message.mode).startsWith("scene")) {
      this.drill = null;
      this.scenes ??= new (await import("../scene/offline.js")).LocalScenes({ rules: this.rules, judge, nominalPeriod,
        now: this.now, newId: this.newId });
      return this.#replyAll(await this.scenes.start(message));
    }
    if (this.scenes?.active && ["next", "answer", "abandon"].includes(message.type)) {
      return this.#replyAll(this.scenes[/** @type {"next" | "answer" | "abandon"} */ (message.type)](message));
    }
    switch (message.type) {
      case "hello":
        return this.#reply({ type: "welcome", v: 1, activeDrill: null }); // offline drills end with the page
      case "start":
        return this.#start(message);
      case "resume":
        return this.#error("no_drill", "That drill is not open any more; start a new one.");
      case "next":
        return this.#next();
      case "answer":
        return this.#answer(message);
      case "abandon":
        return this.#abandon();
      default:
        return this.#error("unknown_type", `Unknown message type ${message.type}.`);
    }
  }

  /** @param {Message} message */
  #start(message) {
    if (!this.#plausibleRefresh(message.refreshMs)) return this.#badRefresh();
    if (this.scenes?.active) this.scenes.abandon();
    const mode = message.mode === "subtle" ? "subtle" : "speed";
    const axis = mode === "subtle" ? "intensity" : "exposure";
    this.drill = {
      id: this.newId(), mode, axis,
      periodMs: nominalPeriod(Number(message.refreshMs) || 1000 / 60, this.rules.displayRatesHz),
      plan: planEmotions(this.emotions.map((e) => e.key), this.rules.trialsPerDrill, this.random),
      staircase: this.#loadStaircase(axis), scored: [], attempts: new Map(),
    };
    this.openTrial = null;
    this.#reply({ type: "started", drillId: this.drill.id, mode, total: this.rules.trialsPerDrill, answered: 0, correct: 0 });
    this.#reply(this.#sendTrial());
  }

  #next() {
    if (!this.drill) return this.#error("no_drill", "Start a drill first.");
    if (this.openTrial) return this.#error("answer_pending", "Answer the current trial first.");
    if (this.drill.scored.length >= this.rules.trialsPerDrill) return this.#error("drill_over", "This drill is over.");
    this.#reply(this.#sendTrial());
  }

  /** @param {Message} message */
  async #answer(message) {
    const drill = this.drill;
    const trial = this.openTrial;
    if (!drill) return this.#error("no_drill", "Start a drill first.");
    if (!trial || trial.trialId !== message.trialId) {
      return this.#error("unknown_trial", "No such trial is waiting for an answer.", { trialId: message.trialId });
    }
    if (!this.#plausibleRefresh(message.refreshMs)) return this.#badRefresh();
    if (Number(message.reactionMs) > this.now() - trial.sentAt) {
      return this.#error("bad_timing", "That reaction time is longer than the trial has existed.");
    }
    const verdict = judge(trial, drill.periodMs, message, this.rules.refreshTolerance);
    this.openTrial = null;
    await this.queue.put(this.#queueEntry(drill, trial, message, verdict));
    this.onQueued();
    if (verdict.scored) {
      drill.scored.push({ emotion: trial.emotion, correct: verdict.correct, exposureMs: trial.exposureMs });
      drill.staircase.update(verdict.correct, drill.axis === "intensity" ? undefined : drill.periodMs);
      this.storage.setItem(STATE_KEY + drill.axis, JSON.stringify(drill.staircase.toJSON()));
    }
    const done = drill.scored.length >= this.rules.trialsPerDrill;
    // As the server: a voided flash names nothing; its replay draws a fresh emotion.
    this.#reply({
      type: "result", trialId: trial.trialId, emotion: verdict.scored ? trial.emotion : null, answer: message.answer,
      correct: verdict.scored ? verdict.correct : null, scored: verdict.scored, flag: verdict.flag,
      replay: !verdict.scored,
      answered: drill.scored.length, total: this.rules.trialsPerDrill, exposureMs: round1(trial.exposureMs), done,
    });
    if (done) {
      this.drill = null;
      this.#reply(summarise(drill));
    }
  }

  #abandon() {
    if (!this.drill) return this.#error("no_drill", "Start a drill first.");
    const drillId = this.drill.id;
    this.drill = null;
    this.openTrial = null;
    this.#reply({ type: "abandoned", drillId });
  }

  /** @returns {Message} */
  #sendTrial() {
    const drill = this.drill;
    const position = drill.scored.length + 1;
    const attempt = drill.attempts.get(position) ?? 0;
    drill.attempts.set(position, attempt + 1);
    if (attempt > 0) {
      const other = position - 1 + Math.floor(this.random() * (drill.plan.length - position + 1));
      [drill.plan[position - 1], drill.plan[other]] = [drill.plan[other], drill.plan[position - 1]];
    }
    const emotion = drill.plan[position - 1];
    const period = drill.periodMs;
    const wanted = drill.axis === "intensity" ? this.rules.subtleExposureMs : drill.staircase.next();
    const exposureFrames = Math.min(framesFor(this.rules.longestExposureMs, period), framesFor(wanted, period));
    const intensity = drill.axis === "intensity" ? round3(Math.min(1, drill.staircase.next())) : 1;
    const variants = this.emotions.find((e) => e.key === emotion)?.variants ?? [];
    const variant = variants[Math.floor(this.random() * variants.length)];
    const side = this.random() < 0.5 ? "L" : "R";
    const [low, high] = this.rules.foreperiodMs;
    this.openTrial = {
      trialId: this.newId(), position, attempt, emotion, intensity, exposureFrames,
      exposureMs: exposureFrames * period, identitySeed: Math.floor(this.random() * 2 ** 31), sentAt: this.now(), // seeds >= 2^31: checkup faces
    };
    return {
      type: "trial", trialId: this.openTrial.trialId, position, total: this.rules.trialsPerDrill,
      identitySeed: this.openTrial.identitySeed, neutral: this.neutralPose,
      expression: poseFromVariant(variant, intensity, side),
      foreperiodFrames: framesFor(low + this.random() * (high - low), period), exposureFrames,
      maskFrames: Math.ceil(this.rules.maskMs / period),
      ...(this.traits ? { identity: drawTraits(this.traits, this.random) } : {}),
    };
  }

  /** The server's range of real displays (game/protocol.py): anything else is refused, so it would not sync. */
  #plausibleRefresh(refreshMs) {
    const [low, high] = this.rules.refreshMsRange ?? [4, 60];
    return typeof refreshMs === "number" && refreshMs >= low && refreshMs <= high;
  }

  #badRefresh() {
    const [low, high] = this.rules.refreshMsRange ?? [4, 60];
    return this.#error("bad_field", `\`refreshMs\` must be between ${low} and ${high}.`, { field: "refreshMs" });
  }

  /** @param {string} axis */
  #loadStaircase(axis) {
    try {
      const saved = this.storage.getItem(STATE_KEY + axis);
      if (saved) return new Staircase(/** @type {any} */ (axis), JSON.parse(saved));
    } catch {
      // A corrupt or unreadable saved state: start afresh rather than refuse to play.
    }
    return new Staircase(/** @type {any} */ (axis));
  }

  /** The row the sync endpoint stores (see game/offline.py for every field's range). */
  #queueEntry(drill, trial, message, verdict) {
    return {
      id: this.newId(), drillId: drill.id, drillTotal: this.rules.trialsPerDrill, mode: drill.mode,
      position: trial.position, attempt: trial.attempt, emotion: trial.emotion, answer: message.answer,
      identitySeed: trial.identitySeed, intensity: trial.intensity, exposureFrames: trial.exposureFrames,
      exposureMs: round1(trial.exposureMs), framesShown: message.framesShown, refreshMs: message.refreshMs,
      maxGapMs: message.maxGapMs, reactionMs: message.reactionMs, playedAt: this.now() / 1000,
      scored: verdict.scored, flag: verdict.flag, timeZone: this.timeZone,
    };
  }

  /** @param {Message[]} messages */
  #replyAll(messages) {
    for (const message of messages) this.#reply(message);
  }

  /** @param {Message} message */
  #reply(message) {
    const waiter = this.waiting.shift();
    if (waiter) waiter(message);
    else this.inbox.push(message);
  }

  /** @param {string} code @param {string} message @param {object} [details] */
  #error(code, message, details = {}) {
    this.#reply({ type: "error", code, message, ...details });
  }
}

/**
 * Score an answer, or void it when the flash was not shown as planned (as game/rounds.py does).
 * @returns {{correct: boolean, scored: boolean, flag: null | "stall" | "frames" | "refresh"}}
 */
export function judge(trial, plannedPeriodMs, message, refreshTolerance) {
  const correct = message.answer === trial.emotion;
  if (message.stalled) return { correct, scored: false, flag: "stall" };
  if (message.framesShown !== trial.exposureFrames) return { correct, scored: false, flag: "frames" };
  if (Math.abs(Number(message.refreshMs) - plannedPeriodMs) > refreshTolerance * plannedPeriodMs) {
    return { correct, scored: false, flag: "refresh" };
  }
  return { correct, scored: true, flag: null };
}

/**
 * Every emotion at least once, the counts differing by at most one, in random order.
 * @param {string[]} keys @param {number} count @param {() => number} random
 */
export function planEmotions(keys, count, random) {
  const extras = shuffle([...keys], random).slice(0, count % keys.length);
  const order = [];
  for (const key of keys) {
    const times = Math.floor(count / keys.length) + (extras.includes(key) ? 1 : 0);
    for (let i = 0; i < times; i += 1) order.push(key);
  }
  return shuffle(order, random);
}

/**
 * Snap a measured period to the display rate it almost certainly is (as game/rounds.py).
 * @param {number} measuredMs @param {number[]} ratesHz the catalogue's drillRules.displayRatesHz
 */
export function nominalPeriod(measuredMs, ratesHz) {
  for (const rate of ratesHz) {
    if (Math.abs((measuredMs * rate) / 1000 - 1) < 0.03) return 1000 / rate;
  }
  return Math.round(measuredMs * 10) / 10;
}

/** @param {number} ms @param {number} periodMs */
export function framesFor(ms, periodMs) {
  return Math.max(1, Math.round(ms / periodMs));
}

function summarise(drill) {
  /** @type {Record<string, {shown: number, correct: number, meanExposureMs: number}>} */
  const perEmotion = {};
  for (const { emotion, correct, exposureMs } of drill.scored) {
    const tally = (perEmotion[emotion] ??= { shown: 0, correct: 0, meanExposureMs: 0 });
    tally.meanExposureMs = (tally.meanExposureMs * tally.shown + exposureMs) / (tally.shown + 1);
    tally.shown += 1;
    tally.correct += correct ? 1 : 0;
  }
  for (const tally of Object.values(perEmotion)) tally.meanExposureMs = round1(tally.meanExposureMs);
  const correct = drill.scored.filter((s) => s.correct).length;
  return {
    type: "summary", drillId: drill.id, mode: drill.mode, axis: drill.axis, shown: drill.scored.length, correct,
    accuracy: drill.scored.length ? correct / drill.scored.length : 0, perEmotion,
    thresholds: { all: drill.staircase.threshold() },
  };
}

/** @template T @param {T[]} items @param {() => number} random */
function shuffle(items, random) {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** A stand-in for localStorage where it is blocked (private modes, tests). */
export function memoryStorage() {
  const values = new Map();
  return { getItem: (key) => values.get(key) ?? null, setItem: (key, value) => void values.set(key, value) };
}

const round1 = (value) => Math.round(value * 10) / 10;
const round3 = (value) => Math.round(value * 1000) / 1000;
