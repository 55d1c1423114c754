// Seeded randomness for identities: the same uint32 seed gives the same face everywhere.

/**
 * mulberry32: tiny, fast, good enough for picking face features.
 * @param {number} seed uint32
 * @returns {() => number} uniform floats in [0, 1)
 */
export function mulberry32(seed) {
  let state = seed >>> 0;
  return function next() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A small random source with helpers, built on mulberry32.
 * @param {number} seed uint32
 */
export function makeRandom(seed) {
  const next = mulberry32(seed);
  return {
    next,
    /** @param {number} low @param {number} high */
    range: (low, high) => low + (high - low) * next(),
    /** @param {number} count @returns {number} an integer in [0, count) */
    index: (count) => Math.floor(next() * count),
    /** @template T @param {readonly T[]} items @returns {T} */
    pick: (items) => items[Math.floor(next() * items.length)],
    /**
     * Picks a key of `weights` with probability proportional to its value.
     * @param {Record<string, number>} weights
     * @returns {string}
     */
    weighted(weights) {
      const entries = Object.entries(weights);
      const total = entries.reduce((sum, [, w]) => sum + w, 0);
      let roll = next() * total;
      for (const [key, w] of entries) {
        roll -= w;
        if (roll < 0) return key;
      }
      return entries[entries.length - 1][0];
    },
    /** @param {number} probability @returns {boolean} */
    chance: (probability) => next() < probability,
  };
}

/** @param {number} seed @returns {number} a well-mixed uint32 derived from seed (for sub-streams) */
export function hashSeed(seed) {
  let h = (seed >>> 0) ^ 0x9e3779b9;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
