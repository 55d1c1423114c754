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
  for (const [axis, target] of [["exposure", "threshold-table"], ["intensity", "intensity-table"]]) {
    const current = stats.axes[axis].current;
    if (!current.all) {
      const hint = document.createElement("p");
      hint.className = "muted";
      hint.textContent = axis === "intensity"
        ? "Play a Subtle drill to measure how faint an expression you can still read."
        : "Play a drill to measure how short a flash you can still read.";
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
}

main();
