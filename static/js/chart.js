// Small charts as inline SVG strings: a threshold history with its credible band, and a histogram
// of everyone's scores. Pure string building. Drawn at the width they are shown at (1 unit = 1 CSS
// px), so the 12 px labels stay 12 px on a 320 px phone.

/**
 * @typedef {{value: number, low: number, high: number}} Point
 */

const DEFAULT_WIDTH = 340;
const HEIGHT = 180;
const PAD = { left: 58, right: 12, top: 22, bottom: 24 };
/** Below this many players a histogram says less than the rank line. */
export const MIN_PLAYERS_FOR_HISTOGRAM = 5;

/**
 * Round tick values (1, 2, 5 × 10^k) inside [low, high], at most `count` of them.
 * @param {number} low
 * @param {number} high
 * @param {number} [count]
 * @returns {number[]} ascending
 */
export function roundTicks(low, high, count = 4) {
  /** @type {number[]} */
  const all = [];
  for (let power = Math.floor(Math.log10(low)) - 1; power <= Math.ceil(Math.log10(high)); power += 1) {
    for (const step of [1, 2, 5]) {
      const value = step * 10 ** power;
      if (value >= low && value <= high) all.push(Number(value.toPrecision(3)));
    }
  }
  if (all.length <= count) return all;
  const every = Math.ceil(all.length / count);
  return all.filter((_, i) => i % every === 0);
}

/**
 * SVG markup for a series of estimates on a log axis (thresholds span 1 frame to 500 ms), drawn
 * with shorter (better) at the top.
 * @param {Point[]} points oldest first
 * @param {(value: number) => string} label formats an axis tick
 * @param {number} [width] the width it is shown at, in CSS px
 * @returns {string}
 */
export function historySvg(points, label, width = DEFAULT_WIDTH) {
  if (points.length === 0) return "";
  const lows = points.map((p) => Math.log10(p.low));
  const highs = points.map((p) => Math.log10(p.high));
  let min = Math.min(...lows);
  let max = Math.max(...highs);
  if (max - min < 0.4) [min, max] = [(min + max) / 2 - 0.2, (min + max) / 2 + 0.2];
  const x = (/** @type {number} */ i) =>
    PAD.left + (points.length === 1 ? 0.5 : i / (points.length - 1)) * (width - PAD.left - PAD.right);
  // Shorter is better, so it goes up: the smallest value at the top.
  const y = (/** @type {number} */ v) => PAD.top + ((Math.log10(v) - min) / (max - min)) * (HEIGHT - PAD.top - PAD.bottom);
  const fmt = (/** @type {number} */ n) => n.toFixed(1);
  const band = [
    ...points.map((p, i) => `${fmt(x(i))},${fmt(y(p.high))}`),
    ...points.map((p, i) => `${fmt(x(i))},${fmt(y(p.low))}`).reverse(),
  ].join(" ");
  const line = points.map((p, i) => `${fmt(x(i))},${fmt(y(p.value))}`).join(" ");
  const ticks = roundTicks(10 ** min, 10 ** max)
    .map((v) => `<line class="grid" x1="${PAD.left}" x2="${width - PAD.right}" y1="${fmt(y(v))}" y2="${fmt(y(v))}"/>` +
      `<text x="${PAD.left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end">${label(v)}</text>`)
    .join("");
  const dots = points.map((p, i) => `<circle cx="${fmt(x(i))}" cy="${fmt(y(p.value))}" r="3.5"/>`).join("");
  return (
    `<svg viewBox="0 0 ${width} ${HEIGHT}" width="${width}" height="${HEIGHT}" role="img" aria-label="Threshold after each drill, from ` +
    `${label(points[0].value)} to ${label(points[points.length - 1].value)}; lower on the axis is slower">` +
    `<g class="ticks">${ticks}</g><polygon class="band" points="${band}"/><polyline class="line" points="${line}"/>${dots}` +
    `<text x="${PAD.left}" y="14">↑ faster</text>` +
    `<text x="${width - PAD.right}" y="${HEIGHT - 6}" text-anchor="end">drills →</text></svg>`
  );
}

/**
 * Bars of how many players scored in each bin, with a marker where the player's score falls.
 * @param {{from: number, to: number, players: number}[]} bins
 * @param {{width?: number, mine?: number}} [options] the width shown at; the player's score
 * @returns {string}
 */
export function histogramSvg(bins, { width = DEFAULT_WIDTH, mine } = {}) {
  const most = Math.max(...bins.map((b) => b.players), 1);
  const barWidth = width / bins.length;
  const top = 20;
  const base = 112;
  const bars = bins
    .map((b, i) => {
      const h = (b.players / most) * (base - top);
      return `<rect x="${(i * barWidth + 1).toFixed(1)}" y="${(base - h).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${h.toFixed(1)}"><title>${b.from}–${b.to} pts: ${b.players}</title></rect>`;
    })
    .join("");
  let you = "";
  const first = bins[0].from;
  const last = bins[bins.length - 1].to;
  if (typeof mine === "number" && Number.isFinite(mine) && last > first) {
    const at = Math.min(width - 1, Math.max(1, ((mine - first) / (last - first)) * width));
    const anchor = at < 30 ? "start" : at > width - 30 ? "end" : "middle";
    you = `<line class="you" x1="${at.toFixed(1)}" x2="${at.toFixed(1)}" y1="${top - 2}" y2="${base}"/>` +
      `<text class="you-label" x="${at.toFixed(1)}" y="13" text-anchor="${anchor}">you</text>`;
  }
  const label = mine === undefined ? "" : `; you scored ${mine}`;
  return `<svg viewBox="0 0 ${width} 132" width="${width}" height="132" role="img" aria-label="Histogram of today's scores from ${first} to ${last} points${label}">${bars}${you}<text x="0" y="128">${first}</text><text x="${width}" y="128" text-anchor="end">${last} pts</text></svg>`;
}
