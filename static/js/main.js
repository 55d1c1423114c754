// Wires the game together: the only place objects are created.

import { Drill } from "./drill.js";
import { renderFace } from "./face/draw.js";
import { Connection, socketUrl } from "./net.js";
import { Presenter } from "./presenter.js";
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
  let playing = false;

  /** @param {{resumeId?: string}} [options] */
  async function play(options = {}) {
    if (playing) return;
    playing = true;
    const mode = /** @type {HTMLInputElement} */ (document.querySelector("input[name=mode]:checked")).value;
    const focus = /** @type {HTMLInputElement} */ (byId("focus")).checked;
    view.startDrill();
    try {
      await drill.play({ mode, focus, ...options });
    } catch (error) {
      view.notice(error instanceof Error ? error.message : String(error));
      view.showScreen("home");
    } finally {
      playing = false;
      presenter.stop();
      byId("resume-offer").hidden = true;
    }
  }

  byId("play").addEventListener("click", () => play());
  byId("again").addEventListener("click", () => play());
  byId("home-button").addEventListener("click", () => view.showScreen("home"));
  byId("quit").addEventListener("click", () => {
    connection.send({ type: "abandon" });
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

  const welcome = await drill.connect();
  const active = /** @type {{id: string, answered: number, total: number} | null} */ (welcome.activeDrill);
  if (active) {
    byId("resume-text").textContent = `You have an unfinished drill (${active.answered} of ${active.total} done).`;
    byId("resume").dataset.drillId = active.id;
    byId("resume-offer").hidden = false;
  }
  /** @type {HTMLButtonElement} */ (byId("play")).disabled = false;
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
