// Leaderboards page: Today's challenge, this week's points, all-time skill, friends.

import { histogramSvg, MIN_PLAYERS_FOR_HISTOGRAM } from "./chart.js";
import { describeNote, describeStanding } from "./view.js";

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @typedef {{rank: number, nickname: string | null, score: number, me: boolean}} Row */

const BLURBS = {
  today: "Today's challenge: the same 20 faces for everyone. Your first attempt counts.",
  scenes: "Today's scene challenge: the same 10 scenes for everyone. Your first attempt counts.",
  week: "Points from completed drills this week. Resets Monday 00:00 UTC.",
  skill: "Shortest flash you catch 3 times in 4, after at least 40 trials.",
  friends: "You and your friends, by this week's points.",
};

/**
 * @param {string} board
 * @param {number} score
 */
export function formatScore(board, score) {
  return board === "skill" ? `${(-score / 10).toFixed(1)} ms` : `${score.toLocaleString("en")} pts`;
}

/**
 * @param {Row[]} rows
 * @param {string} board
 */
function listItems(rows, board) {
  return rows.map((row) => {
    const item = document.createElement("li");
    item.className = row.me ? "me" : "";
    const rank = document.createElement("span");
    rank.className = "rank";
    rank.textContent = `#${row.rank}`;
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = row.me ? (row.nickname ? `${row.nickname} (you)` : "You") : row.nickname ?? "Anonymous player";
    const score = document.createElement("span");
    score.className = "points";
    score.textContent = formatScore(board, row.score);
    item.append(rank, name, score);
    return item;
  });
}

/** @param {string} board */
async function show(board) {
  for (const tab of document.querySelectorAll("[role=tab]")) {
    const selected = /** @type {HTMLElement} */ (tab).dataset.board === board;
    tab.setAttribute("aria-selected", String(selected));
    if (selected) byId("board").setAttribute("aria-labelledby", tab.id);
  }
  byId("board-blurb").textContent = BLURBS[/** @type {keyof typeof BLURBS} */ (board)];
  const response = await fetch(`/api/boards/${board}`);
  if (!response.ok) throw new Error(`boards: ${response.status}`);
  const data = await response.json();
  const standing = data.standing;
  if (standing) void import("./social/nickname.js").then(({ askNickname }) =>
    askNickname("board", "You're on the board: pick the name everyone sees.", { modal: false }));
  byId("board-standing").textContent = standing
    ? describeStanding(standing)
    : board === "friends" ? "" : "You are not on this board yet: play to get on it.";
  const note = byId("board-note");
  note.textContent = describeNote(data.note);
  note.hidden = !note.textContent;
  byId("board-top").replaceChildren(...listItems(data.top, board));
  if (data.top.length === 0) byId("board-top").replaceChildren(Object.assign(document.createElement("li"), {textContent: "Nobody yet. Be the first!"}));
  const showAround = data.around.length > 0 && !data.top.some((/** @type {Row} */ r) => r.me);
  byId("board-around-title").hidden = !showAround;
  byId("board-around").replaceChildren(...(showAround ? listItems(data.around, board) : []));
  const figure = byId("board-histogram");
  figure.querySelector("svg")?.remove();
  figure.hidden = !(data.histogram && data.histogram.length);
  const players = figure.hidden ? 0 : data.histogram.reduce((sum, /** @type {{players: number}} */ b) => sum + b.players, 0);
  figure.hidden = players < MIN_PLAYERS_FOR_HISTOGRAM; // a chart of 1-4 scores says less than the ranking below
  if (!figure.hidden) {
    figure.insertAdjacentHTML("afterbegin", histogramSvg(data.histogram, { width: figure.clientWidth || 320, mine: standing?.score }));
  }
}

/** @param {string} board */
async function showOrExplain(board) {
  try {
    await show(board);
  } catch {
    // offline (the service worker answers 503) or the server is unreachable
    byId("board-standing").textContent = "You're offline: leaderboards need a connection. Drills still work offline.";
    byId("board-top").replaceChildren();
    byId("board-around").replaceChildren();
    byId("board-histogram").hidden = true;
  }
}

for (const tab of document.querySelectorAll("[role=tab]")) {
  tab.addEventListener("click", () => showOrExplain(/** @type {HTMLElement} */ (tab).dataset.board ?? "today"));
}
showOrExplain(new URLSearchParams(location.search).get("board") ?? "today");
