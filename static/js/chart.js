// A small threshold-history chart as inline SVG: a line with its credible band. Pure string building.

/**
 * @typedef {{value: number, low: number, high: number}} Point
 */

const WIDTH = 340;
const HEIGHT = 160;
const PAD = { left: 44, right: 10, top: 10, bottom: 22 };

/**
 * SVG markup for a series of estimates on a log axis (thresholds span 1 frame to 500 ms).
 * @param {Point[]} points oldest first
 * @param {(value: number) => string} label formats an axis tick
 * @returns {string}
 */
export function historySvg(points, label) {
  if (points.length === 0) return "";
  const lows = points.map((p) => Math.log10(p.low));
  const highs = points.map((p) => Math.log10(p.high));
  let min = Math.min(...lows);
  let max = Math.max(...highs);
  if (max - min < 0.3) [min, max] = [(min + max) / 2 - 0.15, (min + max) / 2 + 0.15];
  const x = (/** @type {number} */ i) =>
    PAD.left + (points.length === 1 ? 0.5 : i / (points.length - 1)) * (WIDTH - PAD.left - PAD.right);
  const y = (/** @type {number} */ v) => PAD.top + (1 - (Math.log10(v) - min) / (max - min)) * (HEIGHT - PAD.top - PAD.bottom);
  const fmt = (/** @type {number} */ n) => n.toFixed(1);
  const band = [
    ...points.map((p, i) => `${fmt(x(i))},${fmt(y(p.high))}`),
    ...points.map((p, i) => `${fmt(x(i))},${fmt(y(p.low))}`).reverse(),
  ].join(" ");
  const line = points.map((p, i) => `${fmt(x(i))},${fmt(y(p.value))}`).join(" ");
  const ticks = [10 ** max, 10 ** ((min + max) / 2), 10 ** min]
    .map((v) => `<text x="${PAD.left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end">${label(v)}</text>`)
    .join("");
  const dots = points.map((p, i) => `<circle cx="${fmt(x(i))}" cy="${fmt(y(p.value))}" r="3"/>`).join("");
  return (
    `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Threshold after each drill, from ` +
    `${label(points[0].value)} to ${label(points[points.length - 1].value)}">` +
    `<polygon class="band" points="${band}"/><polyline class="line" points="${line}"/>${dots}` +
    `<g class="ticks">${ticks}</g><text x="${WIDTH - PAD.right}" y="${HEIGHT - 4}" text-anchor="end">drills →</text></svg>`
  );
}

/**
 * Bars of how many players scored in each bin.
 * @param {{from: number, to: number, players: number}[]} bins
 * @returns {string}
 */
export function histogramSvg(bins) {
  const most = Math.max(...bins.map((b) => b.players), 1);
  const width = 340 / bins.length;
  const bars = bins
    .map((b, i) => {
      const h = (b.players / most) * 100;
      return `<rect x="${(i * width + 1).toFixed(1)}" y="${(110 - h).toFixed(1)}" width="${(width - 2).toFixed(1)}" height="${h.toFixed(1)}"><title>${b.from}–${b.to} pts: ${b.players}</title></rect>`;
    })
    .join("");
  return `<svg viewBox="0 0 340 124" role="img" aria-label="Histogram of today's scores from ${bins[0].from} to ${bins[bins.length - 1].to} points">${bars}<text x="0" y="122">${bins[0].from}</text><text x="340" y="122" text-anchor="end">${bins[bins.length - 1].to} pts</text></svg>`;
}
