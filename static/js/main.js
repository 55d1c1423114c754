// Wires the game together: the only place objects are created.
//
// The drill's own modules (the drill script, the presenter and its frame-exact flash) load when
// Play is first tapped, not on the first visit: the home screen only needs to greet the server.
// The service worker precaches them, so offline play still finds them.

import { greet } from "./greet.js";
import { Connection, socketUrl } from "./net.js";
import { OfflineMode } from "./offline/mode.js";
import { share } from "./share.js";
import { keepScreenOn, retireHowTo } from "./pwa.js";
import { describeMoment, View } from "./view.js";

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

// The drill this browser left unfinished, kept across reloads (a phone may discard the tab mid-drill):
// the page names it when it connects, and a full server still lets that socket on (docs/protocol.md).
const UNFINISHED_KEY = "glimpse.unfinishedDrill";
const unfinished = {
  recall() {
    try {
      return localStorage.getItem(UNFINISHED_KEY) ?? undefined;
    } catch {
      return undefined; // storage blocked (some private modes): nothing to name
    }
  },
  /** @param {string | null} drillId */
  remember(drillId) {
    try {
      if (drillId) localStorage.setItem(UNFINISHED_KEY, drillId);
      else localStorage.removeItem(UNFINISHED_KEY);
    } catch {
      // storage blocked: a reload while the server is full practises offline, as before
    }
  },
};

async function main() {
  const catalogue = await (await fetch("/api/catalogue.json")).json();
  // Nothing to reveal or replay before the first drill: the real presenter comes with it.
  const view = new View(catalogue.emotions, { reveal() {}, replaySlowly: async () => {} });
  // Offline, or when the socket cannot open, drills run against the browser's own LocalServer:
  // OfflineMode points `session.connection` at whichever answers.
  /** @type {{connection: any, connect: () => Promise<import("./net.js").Message>}} */
  const session = {
    connection: new Connection(socketUrl()),
    connect: () => greet(session.connection, { resume: unfinished.recall() }),
  };
  const offline = new OfflineMode({ drill: session, catalogue, status: byId("sync-status") });
  let playing = false;
  /** @type {Promise<{drill: import("./drill.js").Drill, presenter: import("./presenter.js").Presenter}> | null} */
  let parts = null;

  function drillParts() {
    parts ??= Promise.all([import("./drill.js"), import("./presenter.js")]).then(([{ Drill }, { Presenter }]) => {
      const presenter = new Presenter({
        stage: byId("stage"),
        neutral: /** @type {HTMLCanvasElement} */ (byId("face-neutral")),
        expression: /** @type {HTMLCanvasElement} */ (byId("face-expression")),
        probe: byId("flip-probe"),
      });
      view.presenter = presenter;
      return { drill: new Drill({ connection: session.connection, presenter, view, remember: unfinished.remember }), presenter };
    });
    return parts;
  }
  let lastMode = "speed";
  /** @type {{drill: import("./drill.js").Drill, view: any} | null} loaded on first use: the first visit never downloads scenes */
  let scenes = null;

  /** @param {{resumeId?: string, mode?: string}} [options] */
  async function play(options = {}) {
    if (playing) return;
    playing = true;
    const chosen = /** @type {HTMLInputElement} */ (document.querySelector("input[name=mode]:checked")).value;
    const mode = options.mode ?? chosen;
    lastMode = mode;
    const focus = /** @type {HTMLInputElement} */ (byId("focus")).checked;
    const letScreenSleep = await keepScreenOn();
    const isScene = mode.startsWith("scene");
    if (!isScene) view.startDrill(mode);
    /** @type {import("./presenter.js").Presenter | null} */
    let presenter = null;
    try {
      // The stand-in face first: no empty box while the connection is checked.
      const loaded = isScene ? null : await drillParts();
      presenter = loaded?.presenter ?? null;
      presenter?.showStandIn(catalogue.neutralPose);
      await offline.prepare();
      if (isScene || !loaded || !presenter) {
        scenes ??= (await import("./scene/mode.js")).createSceneDrill({ connection: session.connection, view,
          emotions: catalogue.emotions, ratesHz: catalogue.drillRules.displayRatesHz, remember: unfinished.remember });
        scenes.drill.connection = session.connection; // the server's socket, or offline the browser's LocalServer
        scenes.view.start();
        await scenes.drill.play({ focus, ...options, mode });
      } else {
        loaded.drill.connection = session.connection;
        const summary = await loaded.drill.play({ focus, ...options, mode });
        if (!offline.offline && summary.axis === "exposure") void showMoment(String(summary.drillId), presenter.periodMs);
      }
    } catch (error) {
      view.notice(error instanceof Error ? error.message : String(error));
      view.showScreen("home");
    } finally {
      playing = false;
      letScreenSleep();
      void offline.drillEnded();
      presenter?.stop();
      scenes?.drill.presenter.stop();
      byId("resume-offer").hidden = true;
      session.connect().then(showWelcome, () => {}); // the streak and challenge lines may have changed
    }
  }

  byId("play").addEventListener("click", () => play());
  byId("challenge").addEventListener("click", () => play({ mode: "challenge" }));
  byId("checkup").addEventListener("click", () => play({ mode: "checkup" }));
  byId("checkup-home").addEventListener("click", () => view.showScreen("home"));
  byId("scenes").addEventListener("click", () => play({ mode: "scene" }));
  byId("scene-challenge").addEventListener("click", () => play({ mode: "scene-challenge" }));
  byId("share").addEventListener("click", async () => {
    const { askNickname } = await import("./social/nickname.js"); // a first share: the card stands for a name
    await askNickname("share", "Friends who open your link see it next to your score.");
    const outcome = await share({ title: "Glimpse", text: view.shareText ?? "" });
    byId("share-status").textContent = { shared: "", copied: "Copied: paste it to your friends.", cancelled: "", failed: view.shareText ?? "" }[outcome];
  });
  byId("again").addEventListener("click", () => play({ mode: { challenge: undefined, "scene-challenge": "scene" }[lastMode] ?? lastMode }));
  byId("home-button").addEventListener("click", () => view.showScreen("home"));
  const quitDialog = /** @type {HTMLDialogElement} */ (byId("quit-dialog"));
  byId("quit").addEventListener("click", () => quitDialog.showModal());
  byId("keep-playing").addEventListener("click", () => quitDialog.close());
  byId("leave").addEventListener("click", () => {
    if (session.connection.isOpen) session.connection.send({ type: "abandon" });
    unfinished.remember(null);
    location.reload();
  });

  /**
   * "You got faster: 60 → 31 ms": the all-time estimate after this drill against the one before.
   * @param {string} drillId
   * @param {number} frameMs the display's frame period
   */
  async function showMoment(drillId, frameMs) {
    try {
      const stats = await (await fetch("/api/stats")).json();
      /** @type {{drill_id: string, emotion: string, value: number, low: number, high: number, trials: number}[]} */
      const history = stats.axes.exposure.history.filter((/** @type {{emotion: string}} */ h) => h.emotion === "all");
      const index = history.findLastIndex((h) => h.drill_id === drillId);
      if (index < 0) return;
      view.showMoment(describeMoment(history[index - 1], history[index], frameMs));
    } catch {
      // no history (offline, a server hiccup): the summary's own line stays
    }
  }
  byId("resume").addEventListener("click", () => play({ resumeId: byId("resume").dataset.drillId, mode: byId("resume").dataset.mode }));
  byId("discard").addEventListener("click", () => {
    byId("resume-offer").hidden = true;
  });
  document.addEventListener("keydown", (event) => {
    if (event.repeat || event.metaKey || event.ctrlKey || event.altKey) return;
    const screen = document.body.dataset.screen ?? "home";
    const index = Number(event.key) - 1;
    if (quitDialog.open) return; // the dialog's own buttons take the keys
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
  drawHomeFaceWhenShown(catalogue.neutralPose);
  view.showScreen("home");

  const welcome = await offline.prepare();
  showWelcome(welcome);
  const active = /** @type {{id: string, mode: string, answered: number, total: number} | null} */ (welcome.activeDrill);
  if (active) {
    byId("resume-text").textContent = `You have an unfinished drill (${active.answered} of ${active.total} done).`;
    byId("resume").dataset.drillId = active.id;
    byId("resume").dataset.mode = active.mode;
    byId("resume-offer").hidden = false;
  }
  /** @type {HTMLButtonElement} */ (byId("play")).disabled = false;
  /** @type {HTMLButtonElement} */ (byId("challenge")).disabled = false;
  /** @type {HTMLButtonElement} */ (byId("scenes")).disabled = false;
  /** @type {HTMLButtonElement} */ (byId("scene-challenge")).disabled = false;
}

/**
 * The face renderer loads when the home face first shows, not on a first visit, where the how-to
 * takes the face's place (and the renderer is most of a first visit's bytes).
 * @param {import("./face/geometry.js").Pose} pose
 */
function drawHomeFaceWhenShown(pose) {
  const canvas = /** @type {HTMLCanvasElement} */ (byId("home-face"));
  const seed = crypto.getRandomValues(new Uint32Array(1))[0] >>> 1; // seeds >= 2^31 are checkup faces
  const watcher = new ResizeObserver(() => {
    if (!canvas.clientWidth) return;
    watcher.disconnect();
    // Its exact width: clientWidth rounds down, and the disc showed the page through a sliver on its right.
    const width = canvas.getBoundingClientRect().width;
    void import("./face/draw.js").then(({ renderFace }) => renderFace(canvas, seed, pose, width));
  });
  watcher.observe(canvas);
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
    ? `${streak.days}\u2011day streak · ${today} · best ${streak.longest}${streak.freezes ? ` · ❄ ${streak.freezes} freeze${streak.freezes > 1 ? "s" : ""}` : ""}`
    : `Start a daily streak: play one drill a day.${streak.longest ? ` Best so far: ${streak.longest} days.` : ""}`;
  const challenge = /** @type {{number: number, played: boolean}} */ (welcome.challenge);
  byId("challenge").textContent = challenge.played
    ? `Daily challenge #${challenge.number} ✓ (practice)`
    : `Daily challenge #${challenge.number}`;
  const checkup = /** @type {{due: boolean, reason: string} | undefined} */ (welcome.checkup);
  byId("checkup-offer").hidden = !checkup?.due;
  if (checkup && checkup.reason !== "play_first") retireHowTo(); // they have played a drill: Play stays above the fold
  byId("checkup-text").textContent = checkup?.reason === "first"
    ? "Find your starting point: a 2-minute checkup, 28 faces, the same test for everyone. No feedback until the end."
    : "Your weekly checkup is ready: the same 28 faces, to see how far you have come.";
  const sceneChallenge = /** @type {{number: number, played: boolean} | undefined} */ (welcome.sceneChallenge);
  if (sceneChallenge) {
    byId("scene-challenge").textContent = sceneChallenge.played
      ? `Daily scene challenge #${sceneChallenge.number} ✓ (practice)`
      : `Daily scene challenge #${sceneChallenge.number}`;
  }
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
    byId("nickname").setAttribute("aria-invalid", String(!response.ok));
  });
}

main().catch((error) => {
  const toast = byId("toast");
  toast.textContent = `Glimpse could not start: ${error.message}. Reload to try again.`;
  toast.hidden = false;
});
