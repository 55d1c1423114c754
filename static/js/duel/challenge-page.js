// A "beat my score" link: play its fixed 20 faces once, then the page shows everyone side by side.
//
// The attempt runs over the duel socket as a room of one (same trials, timing and fair-play rules as
// a duel); the face (play.js) loads only when Play is tapped.

import { share } from "../share.js";
import { DuelSocket } from "./socket.js";
import { duelSocketUrl, seconds } from "./state.js";

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const code = byId("app").dataset.code ?? "";
let answerable = false;
let trialId = "";
let right = 0;

/** @param {string} text */
function toast(text) {
  const element = byId("toast");
  element.textContent = text;
  element.hidden = !text;
}

async function play() {
  /** @type {HTMLButtonElement} */ (byId("challenge-play")).disabled = true;
  const [{ DuelStage }, catalogue] = await Promise.all([
    import("./play.js"),
    fetch("/api/catalogue.json").then((r) => r.json()),
  ]);
  const names = new Map(catalogue.emotions.map((/** @type {{key: string, name: string}} */ e) => [e.key, e.name]));
  for (const screen of document.querySelectorAll(".screen")) /** @type {HTMLElement} */ (screen).hidden = screen.id !== "duel-play";
  document.body.dataset.screen = "duel-play";
  const stage = DuelStage.onPage(catalogue.emotions);
  const refreshMs = Math.round((await stage.measureRefresh()) * 100) / 100;
  const pick = (/** @type {string} */ key) => {
    if (!answerable) return;
    answerable = false;
    const reactionMs = stage.reactionMs();
    stage.enable(false);
    socket.send({ type: "answer", trialId, answer: key, reactionMs });
    byId("play-prompt").textContent = "…";
  };
  stage.onPick = pick;
  document.addEventListener("keydown", (event) => {
    const emotion = catalogue.emotions[Number(event.key) - 1];
    if (emotion && !event.repeat) pick(emotion.key);
  });
  const socket = new DuelSocket(duelSocketUrl(), {
    onMessage: async (message) => {
      if (message.type === "trial") {
        trialId = message.trialId;
        answerable = false;
        stage.clearMarks();
        byId("play-progress").textContent = `Face ${message.position} of ${message.total}`;
        byId("play-prompt").textContent = "Watch the face…";
        if (await stage.show(message) && trialId === message.trialId) {
          answerable = true;
          stage.enable(true);
          byId("play-prompt").textContent = "Which emotion flashed?";
        }
      } else if (message.type === "round") {
        answerable = false;
        stage.enable(false);
        const mine = message.results[0];
        right += mine?.correct ? 1 : 0;
        stage.reveal();
        stage.mark(message.emotion, mine?.answer ?? null);
        byId("play-me").textContent = `${right} ✓`;
        const truth = names.get(message.emotion) ?? message.emotion;
        byId("play-prompt").textContent = mine?.correct ? `${truth}: right, ${seconds(mine.reactionMs)}` : `It was ${truth}.`;
      } else if (message.type === "done") {
        socket.close();
        location.replace(location.pathname); // the page now shows the result side by side
      } else if (message.type === "error") {
        toast(message.message);
        if (["already_played", "unknown_challenge"].includes(message.code)) setTimeout(() => location.replace(location.pathname), 1500);
      }
    },
    onReopen: () => socket.send({ type: "challenge", code, refreshMs }),
    onLost: () => toast("Lost the connection. Reload to carry on."),
    onReconnecting: (trying) => toast(trying ? "Reconnecting…" : ""),
    seatedIn: () => code,
  });
  await socket.open();
  socket.send({ type: "challenge", code, refreshMs });
}

byId("challenge-play")?.addEventListener("click", () => play().catch((error) => toast(error.message)));
byId("challenge-share").addEventListener("click", async () => {
  const { askNickname } = await import("../social/nickname.js");
  await askNickname("share", "Friends see it next to their score.");
  const score = byId("challenge-score")?.textContent?.replace(/^You: /, "") ?? "";
  const text = score ? `I got ${score} on these Glimpse faces. Beat my score:` : "Beat my score on Glimpse:";
  const outcome = await share({ title: "Glimpse challenge", text, url: `${location.origin}/c/${code}` });
  byId("challenge-share-status").textContent = { shared: "", copied: "Link copied: paste it to your friends.", cancelled: "", failed: `${location.origin}/c/${code}` }[outcome];
});
if (new URLSearchParams(location.search).get("play") === "1" && byId("challenge-play")) {
  history.replaceState(null, "", location.pathname);
  play().catch((error) => toast(error.message));
}
