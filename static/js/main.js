// Wires the game together: the only place objects are created.

import { Drill } from "./drill.js";
import { renderFace } from "./face/draw.js";
import { Connection, socketUrl } from "./net.js";
import { OfflineMode } from "./offline/mode.js";
import { share } from "./share.js";
import { Presenter } from "./presenter.js";
import { keepScreenOn } from "./pwa.js";
import { View } from "./view.js";

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

async function main() {
  const catalogue = await (await fetch("/api/catalogue.json")).json();
  const presenter = new Presenter({
    stage: byId("stage"),
    neutral: /** @type {HTMLCanvasElement} */ (byId("face-neutral")),
    expression: /** @type {HTMLCanvasElement} */ (byId("face-expression")),
  });
  const view = new View(catalogue.emotions, presenter);
  const connection = new Connection(socketUrl());
  const drill = new Drill({ connection, presenter, view });
  // Offline, or when the socket cannot open, drills run against the browser's own LocalServer.
  const offline = new OfflineMode({ drill, catalogue, status: byId("sync-status") });
  let playing = false;

  /** @param {{resumeId?: string, mode?: string}} [options] */
  async function play(options = {}) {
    if (playing) return;
    playing = true;
    const chosen = /** @type {HTMLInputElement} */ (document.querySelector("input[name=mode]:checked")).value;
    const mode = options.mode ?? chosen;
    const focus = /** @type {HTMLInputElement} */ (byId("focus")).checked;
    const letScreenSleep = await keepScreenOn();
    view.startDrill();
    try {
      await offline.prepare();
      await drill.play({ focus, ...options, mode });
    } catch (error) {
      view.notice(error instanceof Error ? error.message : String(error));
      view.showScreen("home");
    } finally {
      playing = false;
      letScreenSleep();
      void offline.drillEnded();
      presenter.stop();
      byId("resume-offer").hidden = true;
      drill.connect().then(showWelcome, () => {}); // the streak and challenge lines may have changed
    }
  }

  byId("play").addEventListener("click", () => play());
  byId("challenge").addEventListener("click", () => play({ mode: "challenge" }));
  byId("share").addEventListener("click", async () => {
    const { askNickname } = await import("./social/nickname.js"); // a first share: the card stands for a name
    await askNickname("share", "Friends who open your link see it next to your score.");
    const outcome = await share({ title: "Glimpse", text: view.shareText ?? "" });
    byId("share-status").textContent = { shared: "", copied: "Copied: paste it to your friends.", cancelled: "", failed: view.shareText ?? "" }[outcome];
  });
  byId("again").addEventListener("click", () => play());
  byId("home-button").addEventListener("click", () => view.showScreen("home"));
  byId("quit").addEventListener("click", () => {
    if (drill.connection.isOpen) drill.connection.send({ type: "abandon" });
    location.reload();
  });
  byId("resume").addEventListener("click", () => play({ resumeId: byId("resume").dataset.drillId }));
  byId("discard").addEventListener("click", () => {
    byId("resume-offer").hidden = true;
  });
  document.addEventListener("keydown", (event) => {
    if (event.repeat || event.metaKey || event.ctrlKey || event.altKey) return;
    const screen = document.body.dataset.screen ?? "home";
    const index = Number(event.key) - 1;
    if (screen === "drill" && index >= 0 && index < catalogue.emotions.length) {
      view.answer(catalogue.emotions[index].key, event.timeStamp);
    } else if ((event.key === "Enter" || event.key === " ") && !(event.target instanceof HTMLInputElement)) {
      if (screen === "drill") view.moveOn();
      else if (screen === "home" && event.target === document.body) play();
      else return;
    } else return;
    event.preventDefault();
  });
  setUpNickname();
  const homeFace = /** @type {HTMLCanvasElement} */ (byId("home-face"));
  renderFace(homeFace, crypto.getRandomValues(new Uint32Array(1))[0], catalogue.neutralPose, homeFace.clientWidth);
  view.showScreen("home");

  const welcome = await offline.prepare();
  showWelcome(welcome);
  const active = /** @type {{id: string, answered: number, total: number} | null} */ (welcome.activeDrill);
  if (active) {
    byId("resume-text").textContent = `You have an unfinished drill (${active.answered} of ${active.total} done).`;
    byId("resume").dataset.drillId = active.id;
    byId("resume-offer").hidden = false;
  }
  /** @type {HTMLButtonElement} */ (byId("play")).disabled = false;
  /** @type {HTMLButtonElement} */ (byId("challenge")).disabled = false;
}

/**
 * The streak line and the challenge button, from the server's welcome.
 * @param {import("./net.js").Message} welcome
 */
function showWelcome(welcome) {
  if (!welcome.streak) return; // offline: the browser's LocalServer keeps no streaks or challenges
  const streak = /** @type {{days: number, todayDone: boolean, longest: number, freezes: number}} */ (welcome.streak);
  const line = byId("streak");
  const today = streak.todayDone ? "today done ✓" : "play today to keep it";
  line.textContent = streak.days
    ? `${streak.days}-day streak · ${today} · best ${streak.longest}${streak.freezes ? ` · ❄ ${streak.freezes} freeze${streak.freezes > 1 ? "s" : ""}` : ""}`
    : `Start a daily streak: play one drill a day.${streak.longest ? ` Best so far: ${streak.longest} days.` : ""}`;
  const challenge = /** @type {{number: number, played: boolean}} */ (welcome.challenge);
  byId("challenge").textContent = challenge.played
    ? `Daily challenge #${challenge.number} ✓ (practice)`
    : `Daily challenge #${challenge.number}`;
}

function setUpNickname() {
  const form = /** @type {HTMLFormElement} */ (byId("nickname-form"));
  const status = byId("nickname-status");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const nickname = /** @type {HTMLInputElement} */ (byId("nickname")).value;
    const response = await fetch("/api/nickname", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ nickname }),
    });
    const body = await response.json();
    status.textContent = response.ok ? `Saved as ${body.nickname}.` : body.message;
    status.dataset.ok = String(response.ok);
  });
}

main().catch((error) => {
  const toast = byId("toast");
  toast.textContent = `Glimpse could not start: ${error.message}. Reload to try again.`;
  toast.hidden = false;
});
