// The duel page: open or join a room, the lobby, the countdown, the rounds, the results, the rematch.
//
// The server runs the duel; this page shows what it says. The face and answer buttons (play.js, with
// the face renderer) load only when the player opens or joins a room.

import { share } from "../share.js";
import { DuelSocket } from "./socket.js";
import {
  cleanCode, duelSocketUrl, forgetSeat, headline, keepSeat, keptSeat, leaderSeat, resultLines, seconds, shareText,
} from "./state.js";

/** @typedef {import("./socket.js").Message} Message */
/** @typedef {import("./state.js").Standing} Standing */

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const app = byId("app");

const state = {
  code: "",
  seat: 0,
  role: "player",
  host: 0,
  refreshMs: 1000 / 60,
  trialId: "",
  answerable: false,
  myAnswer: /** @type {string | null} */ (null),
  /** @type {Standing[]} */
  players: [],
  /** @type {Standing[]} */
  standings: [],
  total: 0,
};
/** @type {DuelSocket | null} */
let socket = null;
/** @type {import("./play.js").DuelStage | null} */
let stage = null;
/** @type {Map<string, string>} */
let names = new Map();

/** @param {"duel-start" | "duel-lobby" | "duel-play" | "duel-results"} name */
function showScreen(name) {
  for (const screen of document.querySelectorAll(".screen")) /** @type {HTMLElement} */ (screen).hidden = screen.id !== name;
  document.body.dataset.screen = name;
}

/** @param {string} text */
function toast(text) {
  const element = byId("toast");
  element.textContent = text;
  element.hidden = !text;
  if (text) setTimeout(() => { if (element.textContent === text) element.hidden = true; }, 4000);
}

/** Load the face, measure the display and open the socket: everything a room needs. */
async function prepare() {
  if (stage && socket) return;
  byId("duel-status").textContent = "Getting ready…";
  const [{ DuelStage }, catalogue] = await Promise.all([
    import("./play.js"),
    fetch("/api/catalogue.json").then((r) => r.json()),
  ]);
  names = new Map(catalogue.emotions.map((/** @type {{key: string, name: string}} */ e) => [e.key, e.name]));
  stage = DuelStage.onPage(catalogue.emotions);
  stage.onPick = pick;
  state.refreshMs = Math.round((await stage.measureRefresh()) * 100) / 100;
  socket = new DuelSocket(duelSocketUrl(), {
    onMessage: receive,
    onReopen: () => socket?.send({ type: "join", code: state.code, refreshMs: state.refreshMs, rejoin: keptSeat(localStorage, state.code) ?? undefined }),
    onLost: () => {
      toast("Lost the connection to the duel.");
      showScreen("duel-start");
    },
    onReconnecting: (trying) => toast(trying ? "Reconnecting…" : ""),
    seatedIn: () => state.code || undefined,
  });
  await socket.open();
  byId("duel-status").textContent = "";
}

/** Before a first duel: a nickname, so friends know who is who. */
async function nameFirst() {
  const { askNickname } = await import("../social/nickname.js");
  await askNickname("duel", "Your friends see it in the room and the results.");
}

async function openRoom() {
  await nameFirst();
  await prepare();
  socket?.send({ type: "create", refreshMs: state.refreshMs });
}

/** @param {string} code */
async function joinRoom(code) {
  await nameFirst();
  await prepare();
  state.code = code;
  const rejoin = keptSeat(localStorage, code);
  socket?.send({ type: "join", code, refreshMs: state.refreshMs, ...(rejoin ? { rejoin } : {}) });
}

/** @param {Message} message */
function receive(message) {
  switch (message.type) {
    case "joined":
      state.code = message.code;
      state.seat = message.seat;
      state.role = message.role;
      keepSeat(localStorage, { code: message.code, rejoin: message.rejoin });
      history.replaceState(null, "", `/duel/${message.code}`);
      byId("lobby-code").textContent = message.code;
      break;
    case "room":
      showRoom(message);
      break;
    case "host":
      state.host = message.seat;
      if (message.seat === state.seat) toast("You're the host now.");
      break;
    case "countdown":
      state.total = message.total;
      void countdown(message.startsInMs);
      break;
    case "trial":
      void playTrial(message);
      break;
    case "progress":
      showStrip(/** @type {number[]} */ (message.answered));
      break;
    case "round":
      showRound(message);
      break;
    case "done":
      showResults(message.standings);
      break;
    case "rematchWanted":
      byId("results-rematch-status").textContent = `${nameOf(message.seat)} wants a rematch.`;
      break;
    case "left":
      forgetSeat(localStorage);
      location.assign("/duel");
      break;
    case "error":
      handleError(message);
      break;
  }
}

/** @param {number} seat */
function nameOf(seat) {
  return state.players.find((p) => p.seat === seat)?.name ?? `Player ${seat}`;
}

/** @param {Message} error */
function handleError(error) {
  toast(error.message);
  if (["unknown_room", "room_expired", "room_full", "bad_code", "already_joined", "replaced"].includes(error.code)) {
    if (error.code !== "already_joined") forgetSeat(localStorage);
    byId("duel-status").textContent = error.message;
    showScreen("duel-start");
  }
}

/** @param {Message} room */
function showRoom(room) {
  state.host = room.host;
  state.players = room.players;
  state.total = room.total;
  const me = [...room.players, ...room.spectators].find((/** @type {Standing} */ m) => m.seat === state.seat);
  if (me) state.role = me.role;
  if (room.state === "lobby") {
    showScreen("duel-lobby");
    renderPlayers(byId("lobby-players"), room.players);
    const count = room.players.filter((/** @type {Standing} */ p) => p.connected).length;
    const hosting = room.host === state.seat;
    const start = /** @type {HTMLButtonElement} */ (byId("lobby-start"));
    start.hidden = !hosting;
    start.disabled = count < 2;
    byId("lobby-hint").textContent = count < 2
      ? "Waiting for a friend to join…"
      : hosting ? `${count} players in: start when everyone's here.` : `Waiting for ${nameOf(room.host)} to start…`;
  } else if (room.state === "done") {
    showScreen("duel-results");
  } else {
    showScreen("duel-play");
    showStrip([]);
    if (state.role === "spectator") {
      byId("play-prompt").textContent = "You're watching this duel: you'll play the rematch.";
      byId("answers").hidden = true;
    }
  }
  const watchers = byId("lobby-watchers");
  watchers.hidden = room.spectators.length === 0;
  watchers.textContent = `${room.spectators.length} watching`;
}

/**
 * @param {HTMLElement} list
 * @param {Standing[]} players
 */
function renderPlayers(list, players) {
  list.replaceChildren(...players.map((player) => {
    const item = document.createElement("li");
    item.className = player.connected ? "" : "away";
    const name = document.createElement("span");
    name.textContent = `${player.name}${player.seat === state.seat ? " (you)" : ""}`;
    const tag = document.createElement("small");
    tag.textContent = player.seat === state.host ? "host" : player.connected ? "ready" : "reconnecting…";
    item.append(name, tag);
    return item;
  }));
}

/**
 * The strip of players during play: who has answered the trial in play, who leads after the last round.
 * @param {number[]} answered
 */
function showStrip(answered) {
  const leader = leaderSeat(state.standings);
  byId("play-strip").replaceChildren(...state.players.map((player) => {
    const chip = document.createElement("li");
    const score = state.standings.find((s) => s.seat === player.seat)?.correct ?? 0;
    chip.className = [answered.includes(player.seat) ? "answered" : "", player.seat === leader ? "leader" : "",
      player.out ? "out" : "", player.seat === state.seat ? "me" : ""].filter(Boolean).join(" ");
    chip.textContent = `${player.name} ${score}✓${player.seat === leader ? " · leads" : ""}`;
    chip.setAttribute("aria-label", `${player.name}: ${score} right${player.seat === leader ? ", in the lead" : ""}${answered.includes(player.seat) ? ", has answered" : ""}`);
    return chip;
  }));
}

/** @param {number} ms */
async function countdown(ms) {
  showScreen("duel-play");
  state.standings = [];
  byId("play-me").textContent = "";
  stage?.clearMarks();
  const overlay = byId("countdown");
  overlay.hidden = false;
  for (let left = Math.ceil(ms / 1000); left > 0; left -= 1) {
    overlay.textContent = String(left);
    byId("play-prompt").textContent = "Get ready…";
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, ms)));
  }
  overlay.hidden = true;
}

/** @param {Message} trial */
async function playTrial(trial) {
  if (!stage) return;
  byId("countdown").hidden = true;
  byId("answers").hidden = false;
  showScreen("duel-play");
  state.trialId = trial.trialId;
  state.answerable = false;
  state.myAnswer = null;
  stage.clearMarks();
  byId("play-progress").textContent = `Trial ${trial.position} of ${trial.total}`;
  byId("play-prompt").textContent = "Watch the face…";
  if (!(await stage.show(trial)) || state.trialId !== trial.trialId) return;
  byId("play-prompt").textContent = "Which emotion flashed?";
  state.answerable = true;
  stage.enable(true);
}

/** @param {string} key */
function pick(key) {
  if (!stage || !state.answerable || state.myAnswer) return;
  state.answerable = false;
  state.myAnswer = key;
  const reactionMs = stage.reactionMs();
  stage.enable(false);
  navigator.vibrate?.(10);
  socket?.send({ type: "answer", trialId: state.trialId, answer: key, reactionMs });
  byId("play-prompt").textContent = "Waiting for the others…";
}

/** @param {Message} round */
function showRound(round) {
  state.standings = round.standings;
  state.trialId = "";
  state.answerable = false;
  stage?.enable(false);
  const mine = round.results.find((/** @type {{seat: number}} */ r) => r.seat === state.seat);
  stage?.reveal();
  stage?.mark(round.emotion, mine?.answer ?? null);
  const truth = names.get(round.emotion) ?? round.emotion;
  byId("play-prompt").textContent = mine
    ? `${truth}: ${mine.correct ? `right, ${seconds(mine.reactionMs)}` : mine.answer ? "you missed it" : "too late"}`
    : `It was ${truth}.`;
  const me = round.standings.find((/** @type {Standing} */ s) => s.seat === state.seat);
  byId("play-me").textContent = me ? `${me.correct} ✓` : "";
  showStrip([]);
}

/** @param {Standing[]} standings */
function showResults(standings) {
  state.standings = standings;
  showScreen("duel-results");
  byId("results-title").textContent = headline(standings, state.seat);
  const list = byId("results-list");
  list.replaceChildren(...resultLines(standings, state.seat).map((line) => {
    const item = document.createElement("li");
    if (line.me) item.className = "me";
    const name = document.createElement("span");
    name.textContent = `${line.rank}. ${line.name}`;
    const detail = document.createElement("small");
    detail.textContent = line.detail;
    item.append(name, detail);
    return item;
  }));
  const hosting = state.host === state.seat;
  byId("results-rematch").textContent = hosting ? "Rematch" : "Ask for a rematch";
  byId("results-rematch-status").textContent = "";
}

byId("duel-create").addEventListener("click", () => openRoom().catch((error) => toast(error.message)));
byId("duel-join").addEventListener("submit", (event) => {
  event.preventDefault();
  const code = cleanCode(/** @type {HTMLInputElement} */ (byId("duel-code")).value);
  if (!code) {
    byId("duel-status").textContent = "A room code is 5 letters and digits.";
    return;
  }
  joinRoom(code).catch((error) => toast(error.message));
});
byId("duel-beat").addEventListener("click", async () => {
  const response = await fetch("/api/challenges", { method: "POST" });
  const body = await response.json();
  if (!response.ok) toast(body.message);
  else location.assign(`${body.url}?play=1`);
});
byId("lobby-start").addEventListener("click", () => socket?.send({ type: "start" }));
byId("lobby-leave").addEventListener("click", () => socket?.send({ type: "leave" }));
byId("lobby-share").addEventListener("click", async () => {
  const url = `${location.origin}/duel/${state.code}`;
  const outcome = await share({ title: "Glimpse duel", text: `Duel me on Glimpse! Room ${state.code}:`, url });
  byId("lobby-share-status").textContent = { shared: "", copied: "Link copied: paste it to your friends.", cancelled: "", failed: url }[outcome];
});
byId("results-rematch").addEventListener("click", () => socket?.send({ type: "rematch" }));
byId("results-share").addEventListener("click", async () => {
  const { askNickname } = await import("../social/nickname.js");
  await askNickname("share", "Your name goes on the result you share.");
  const outcome = await share({ title: "Glimpse duel", text: shareText(state.standings, state.seat, `${location.origin}/duel`) });
  byId("results-share-status").textContent = { shared: "", copied: "Copied: paste it to your friends.", cancelled: "", failed: "" }[outcome];
});
document.addEventListener("keydown", (event) => {
  const index = Number(event.key) - 1;
  const key = stage?.emotions[index]?.key;
  if (document.body.dataset.screen === "duel-play" && key && !event.repeat) pick(key);
});

showScreen("duel-start");
const linked = app.dataset.code;
if (linked) {
  /** @type {HTMLInputElement} */ (byId("duel-code")).value = linked;
  // Opened from a shared link: join at once (the nickname prompt comes first for a new player).
  joinRoom(linked).catch((error) => toast(error.message));
}
