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
    byId("history").insertAdjacentHTML("afterbegin", historySvg(overall, (v) => formatLevel(v, "exposure")));
    byId("history").hidden = false;
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
    const what = drill.kind === "challenge" ? "Challenge" : drill.kind === "offline" ? "Offline" : drill.mode === "subtle" ? "Subtle" : "Speed";
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

main();
