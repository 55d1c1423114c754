// The offline adaptive procedure: a weighted up/down staircase (Kaernbach 1991).
//
// The server runs QUEST+ in Python; offline the browser needs something small that still keeps
// the player near their limit. A weighted staircase converges where
//   p(correct) * stepDown = (1 - p(correct)) * stepUp,
// so with stepUp = 3 * stepDown it settles at 75% correct, the same target as the server.
// Levels live on a log2 scale (exposure in ms, or intensity 0-1) because thresholds are
// relative: one step is the same proportion at 30 ms as at 300 ms.

export const TARGET = 0.75;
export const STEP_DOWN = 0.12; // log2 units after a right answer (about 8% shorter)
export const STEP_UP = (STEP_DOWN * TARGET) / (1 - TARGET); // 0.36 after a wrong one
const REVERSALS_FOR_ESTIMATE = 6;

/** @typedef {{level: number, trials: number, lastDirection: number, reversals: number[]}} StaircaseState */

export const AXES = Object.freeze({
  exposure: { start: Math.log2(250), min: Math.log2(1), max: Math.log2(500) },
  intensity: { start: Math.log2(0.6), min: Math.log2(0.04), max: Math.log2(1) },
});

export class Staircase {
  /**
   * @param {"exposure" | "intensity"} axis
   * @param {StaircaseState} [state] as returned by toJSON()
   */
  constructor(axis, state) {
    this.axis = axis;
    this.bounds = AXES[axis];
    this.state = state ? { ...state, reversals: [...state.reversals] } : {
      level: this.bounds.start, trials: 0, lastDirection: 0, reversals: [],
    };
  }

  /** The stimulus to show next: milliseconds of exposure, or an intensity 0-1. */
  next() {
    return 2 ** this.state.level;
  }

  /**
   * Move after a scored answer. The level stays continuous (a step smaller than one frame still
   * counts, so rounding to frames cannot ratchet it), but never sinks below what can be shown.
   * @param {boolean} correct
   * @param {number} [shortest] the least stimulus the display can show, e.g. one frame in ms
   */
  update(correct, shortest = 2 ** this.bounds.min) {
    const direction = correct ? -1 : 1;
    const state = this.state;
    if (state.lastDirection !== 0 && direction !== state.lastDirection) {
      state.reversals = [...state.reversals, state.level].slice(-REVERSALS_FOR_ESTIMATE * 2);
    }
    const floor = Math.max(this.bounds.min, Math.log2(shortest));
    const level = state.level + (correct ? -STEP_DOWN : STEP_UP);
    state.level = Math.min(this.bounds.max, Math.max(floor, level));
    state.lastDirection = direction;
    state.trials += 1;
  }

  /**
   * The level for 75% correct: the mean of the last reversals (the current level before there are any),
   * with their spread as a rough interval.
   * @returns {{value: number, low: number, high: number, trials: number}}
   */
  threshold() {
    const points = this.state.reversals.slice(-REVERSALS_FOR_ESTIMATE);
    const levels = points.length ? points : [this.state.level];
    const mean = levels.reduce((a, b) => a + b, 0) / levels.length;
    const spread = Math.sqrt(levels.reduce((a, b) => a + (b - mean) ** 2, 0) / levels.length) || STEP_UP;
    return { value: 2 ** mean, low: 2 ** (mean - spread), high: 2 ** (mean + spread), trials: this.state.trials };
  }

  /** @returns {StaircaseState} */
  toJSON() {
    return { ...this.state, reversals: [...this.state.reversals] };
  }
}
