// The progress page: thresholds with intervals, their history, accuracy per emotion.

import { historySvg } from "./chart.js";
import { formatLevel, reliable } from "./view.js";

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * @param {string[]} headings
 * @param {string[][]} rows first cell of each row is its heading
 */
function table(headings, rows) {
  const element = document.createElement("table");
  element.className = "per-emotion";
  const head = element.createTHead().insertRow();
  for (const text of headings) {
    const cell = document.createElement("th");
    cell.scope = "col";
    cell.textContent = text;
    head.append(cell);
  }
  const body = element.createTBody();
  for (const cells of rows) {
    const row = body.insertRow();
    cells.forEach((text, index) => {
      const cell = document.createElement(index ? "td" : "th");
      if (!index) cell.setAttribute("scope", "row");
      cell.textContent = text;
      row.append(cell);
    });
  }
  return element;
}

async function main() {
  const [stats, catalogue] = await Promise.all([
    fetch("/api/stats").then((r) => r.json()),
    fetch("/api/catalogue.json").then((r) => r.json()),
  ]);
  /** @type {{key: string, name: string}[]} */
  const emotions = [{ key: "all", name: "All emotions" }, ...catalogue.emotions];
  showCheckups(stats.checkups, catalogue.emotions);
  for (const [axis, target] of [["exposure", "threshold-table"], ["intensity", "intensity-table"], ["leak", "leak-table"]]) {
    const current = stats.axes[axis].current;
    if (!current.all) {
      const hint = document.createElement("p");
      hint.className = "muted";
      hint.textContent = {
        intensity: "Play a Subtle drill to measure how faint an expression you can still read.",
        exposure: "Play a drill to measure how short a flash you can still read.",
        leak: "Play Scenes to measure how brief a leak you can still catch inside a smile or a straight face.",
      }[axis] ?? "";
      byId(target).replaceChildren(hint);
      continue;
    }
    const rows = emotions.map((e) => {
      const t = current[e.key];
      if (!reliable(t)) return [e.name, "–", "needs more play", String(t?.trials ?? 0)];
      return [e.name, formatLevel(t.value, axis), `${formatLevel(t.low, axis)} to ${formatLevel(t.high, axis)}`, String(t.trials)];
    });
    byId(target).replaceChildren(table(["Emotion", "Threshold", "Likely range", "Trials"], rows));
  }
  const overall = stats.axes.exposure.history.filter((/** @type {{emotion: string}} */ h) => h.emotion === "all");
  if (overall.length) {
    byId("history").hidden = false; // shown first: the chart is drawn at the width it gets (12 px labels stay 12 px)
    const width = byId("history").clientWidth || 340;
    byId("history").insertAdjacentHTML("afterbegin", historySvg(overall, (v) => formatLevel(v, "exposure"), width));
  }
  const accuracy = catalogue.emotions.map((/** @type {{key: string, name: string}} */ e) => {
    const a = stats.accuracy[e.key];
    return [e.name, a.shown ? `${Math.round((100 * a.correct) / a.shown)}%` : "–", `${a.correct}/${a.shown}`];
  });
  byId("accuracy-table").replaceChildren(table(["Emotion", "Accuracy", "Right"], accuracy));
  showConfusion(stats, catalogue.emotions);
  showRecent(stats.recent);
  byId("app").classList.remove("loading");
}

/**
 * @param {{confusion: Record<string, Record<string, number>>, mostConfused: {pair: string[], times: number, tip: string} | null}} stats
 * @param {{key: string, name: string}[]} emotions
 */
function showConfusion(stats, emotions) {
  const name = (/** @type {string} */ key) => emotions.find((e) => e.key === key)?.name ?? key;
  const worst = stats.mostConfused;
  byId("confused").textContent = worst
    ? `You mix up ${name(worst.pair[0])} and ${name(worst.pair[1])} most (${worst.times} times). ${worst.tip}`
    : "No mix-ups yet. Play a drill and this will show which emotions you confuse.";
  const grid = /** @type {HTMLTableElement} */ (byId("confusion"));
  grid.replaceChildren();
  grid.createCaption().textContent = "Rows: the emotion shown. Columns: your answer.";
  const head = grid.createTHead().insertRow();
  head.append(Object.assign(document.createElement("td"), {}));
  for (const e of emotions) {
    const cell = document.createElement("th");
    cell.scope = "col";
    cell.innerHTML = `<abbr title="${e.name}">${e.name.slice(0, 3)}</abbr>`;
    head.append(cell);
  }
  const body = grid.createTBody();
  for (const shown of emotions) {
    const row = body.insertRow();
    const label = document.createElement("th");
    label.scope = "row";
    label.textContent = shown.name;
    row.append(label);
    for (const answered of emotions) {
      const count = stats.confusion[shown.key][answered.key];
      const cell = row.insertCell();
      cell.textContent = String(count);
      if (count) cell.className = shown.key === answered.key ? "hit" : "miss";
    }
  }
}

/** @param {{kind: string, mode: string, endedAt: number, points: number, shown: number, correct: number}[]} recent */
function showRecent(recent) {
  const items = recent.map((drill) => {
    const item = document.createElement("li");
    const when = new Date(drill.endedAt * 1000).toLocaleDateString(undefined, { month: "short", day: "numeric" });
    const what = drill.kind === "checkup" ? "Checkup" : drill.kind === "challenge" ? "Challenge" : drill.kind === "offline" ? "Offline" : drill.mode === "subtle" ? "Subtle" : "Speed";
    item.append(
      Object.assign(document.createElement("span"), { className: "rank", textContent: when }),
      Object.assign(document.createElement("span"), { className: "name", textContent: `${what}: ${drill.correct}/${drill.shown} right` }),
      Object.assign(document.createElement("span"), { className: "points", textContent: `${drill.points} pts` }),
    );
    return item;
  });
  if (!items.length) items.push(Object.assign(document.createElement("li"), { textContent: "No drills yet." }));
  byId("recent").replaceChildren(...items);
}

/**
 * @typedef {{correct: number, shown: number, low: number, high: number}} Cell
 * @typedef {{at: number, score: {overall: Cell, emotions: Record<string, Cell>}, drillsBefore: number, minutesBefore: number}} Checkup
 * @typedef {{points: number, low: number, high: number, verdict: string}} Change
 * @typedef {{history: Checkup[], changes: Record<string, Change> | null, overall: Change | null, sentence: string,
 *            since: {drills: number, minutes: number}, status: {due: boolean, reason: string, nextAt: number | null}}} Checkups
 */

/** @param {number} at seconds since the epoch */
const day = (at) => new Date(at * 1000).toLocaleDateString(undefined, { month: "short", day: "numeric" });

/** @param {Cell} cell */
const percent = (cell) => `${Math.round((100 * cell.correct) / cell.shown)}%`;

/**
 * The checkups: a plain sentence, scores over time with their ranges, change per emotion, training in between.
 * @param {Checkups} checkups
 * @param {{key: string, name: string}[]} emotions
 */
function showCheckups(checkups, emotions) {
  byId("checkup-sentence").textContent = checkups.sentence;
  const history = checkups.history;
  if (history.length) {
    byId("checkup-chart").insertAdjacentHTML("afterbegin", checkupSvg(history));
    byId("checkup-chart").hidden = false;
  }
  const changes = checkups.changes;
  if (history.length >= 2 && changes) {
    const first = history[0].score.emotions;
    const latest = history[history.length - 1].score.emotions;
    const compared = emotions.filter((e) => changes[e.key]);
    const element = table(["Emotion", "Day one", "Latest", "Change"],
      compared.map((e) => [e.name, percent(first[e.key]), percent(latest[e.key]), describeChange(changes[e.key])]));
    element.querySelectorAll("tbody tr").forEach((row, i) => {
      const verdict = changes[compared[i].key].verdict;
      if (verdict !== "same") row.lastElementChild?.classList.add(`change-${verdict}`);
    });
    byId("checkup-table").replaceChildren(element);
  }
  const lines = history.slice(1).map((c, i) => `Between checkups ${i + 1} and ${i + 2}: ${trained(c.drillsBefore, c.minutesBefore)}.`);
  if (history.length) lines.push(`Since your last checkup: ${trained(checkups.since.drills, checkups.since.minutes)}.`);
  byId("checkup-training").replaceChildren(...lines.map((text) => Object.assign(document.createElement("li"), { textContent: text })));
  const status = checkups.status;
  byId("checkup-next").textContent = status.due
    ? "A checkup is ready for you: take it from the home page."
    : status.reason === "play_first"
      ? "Play a first drill, then take a checkup to find your starting point."
      : `Your next checkup opens on ${day(/** @type {number} */ (status.nextAt))}.`;
}

/** @param {Change} change */
function describeChange(change) {
  const points = `${change.points > 0 ? "+" : ""}${change.points} points`;
  return change.verdict === "same" ? `${points} (could be luck)` : points;
}

/** @param {number} drills @param {number} minutes */
function trained(drills, minutes) {
  if (!drills) return "no drills";
  const rounded = Math.round(minutes);
  const time = rounded < 1 ? "under a minute" : `${rounded} minute${rounded === 1 ? "" : "s"}`;
  return `${drills} drill${drills > 1 ? "s" : ""}, ${time} of practice`;
}

/**
 * Share right at each checkup (0-100%) with its 68% range as a bar, and the chance line.
 * @param {Checkup[]} history oldest first
 */
export function checkupSvg(history) {
  const [width, height, left, right, top, bottom] = [340, 170, 44, 24, 12, 26];
  const x = (/** @type {number} */ i) => left + (history.length === 1 ? 0.5 : i / (history.length - 1)) * (width - left - right);
  const y = (/** @type {number} */ rate) => top + (1 - rate) * (height - top - bottom);
  const f = (/** @type {number} */ n) => n.toFixed(1);
  const marks = history.map((c, i) => {
    const o = c.score.overall;
    return `<line class="bar" x1="${f(x(i))}" x2="${f(x(i))}" y1="${f(y(o.low))}" y2="${f(y(o.high))}"/>` +
      `<circle cx="${f(x(i))}" cy="${f(y(o.correct / o.shown))}" r="4"><title>${day(c.at)}: ${o.correct} of ${o.shown}</title></circle>`;
  }).join("");
  const ticks = [0, 0.5, 1].map((r) => `<text x="${left - 6}" y="${f(y(r) + 4)}" text-anchor="end">${r * 100}%</text>`).join("");
  const dates = history.length > 1
    ? `<text x="${left}" y="${height - 6}">${day(history[0].at)}</text><text x="${width - right}" y="${height - 6}" text-anchor="end">${day(history[history.length - 1].at)}</text>`
    : `<text x="${f(x(0))}" y="${height - 6}" text-anchor="middle">${day(history[0].at)}</text>`;
  const last = history[history.length - 1].score.overall;
  return `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${history.length} checkup${history.length > 1 ? "s" : ""}, ` +
    `latest ${last.correct} of ${last.shown} right">` +
    `<line class="chance" x1="${left}" x2="${width - right}" y1="${f(y(1 / 7))}" y2="${f(y(1 / 7))}"/>${ticks}${marks}${dates}</svg>`;
}

main();
