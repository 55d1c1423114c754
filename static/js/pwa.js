// The installable app around the game: service worker, install offer, update prompt,
// the first visit's how-to-play (with the line about brief face changes), keeping the screen on during a drill.
// Loaded on every page; each part does nothing where its elements are missing.

const HOW_TO_KEY = "glimpse.flashNoteSeen"; // the old note's key: who dismissed it has seen the safety line

/** @param {string} id */
const byId = (id) => document.getElementById(id);

async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  let reloadAsked = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloadAsked) location.reload(); // only when the player chose the new version
  });
  /** @param {ServiceWorker} worker */
  const offerUpdate = (worker) => {
    const prompt = byId("pwa-update");
    const button = byId("pwa-reload");
    if (!prompt || !button) return;
    prompt.hidden = false;
    button.addEventListener("click", () => {
      reloadAsked = true;
      worker.postMessage({ type: "skipWaiting" });
    }, { once: true });
  };
  // A waiting worker with a page already controlled is a new version; the very first install is not.
  if (registration.waiting && navigator.serviceWorker.controller) offerUpdate(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker?.addEventListener("statechange", () => {
      if (worker.state === "installed" && navigator.serviceWorker.controller) offerUpdate(worker);
    });
  });
}

function offerInstall() {
  const button = /** @type {HTMLButtonElement | null} */ (byId("install"));
  if (!button) return;
  /** @type {any} */
  let deferred = null;
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault(); // keep the browser's own banner for when the player asks
    deferred = event;
    button.hidden = false;
  });
  button.addEventListener("click", async () => {
    if (!deferred) return;
    button.hidden = true;
    deferred.prompt();
    await deferred.userChoice.catch(() => null);
    deferred = null;
  });
  window.addEventListener("appinstalled", () => (button.hidden = true));
  const hint = byId("ios-hint");
  if (hint && isIos() && !isStandalone()) hint.hidden = false; // iOS has no install prompt to offer
}

export function isIos(userAgent = navigator.userAgent, touchPoints = navigator.maxTouchPoints) {
  // iPadOS reports itself as a Mac; its touch screen gives it away.
  return /iPhone|iPad|iPod/.test(userAgent) || (/Macintosh/.test(userAgent) && touchPoints > 1);
}

function isStandalone() {
  return matchMedia("(display-mode: standalone)").matches || /** @type {any} */ (navigator).standalone === true;
}

/** The player has played a drill: the how-to has done its job (and would push Play below the fold). */
export function retireHowTo() {
  const note = byId("how-to");
  if (note) note.hidden = true;
  try {
    localStorage.setItem(HOW_TO_KEY, "1");
  } catch {
    // nothing to remember it in
  }
}

function showHowToOnce() {
  const note = byId("how-to");
  const dismiss = byId("how-to-ok");
  if (!note || !dismiss) return;
  try {
    if (localStorage.getItem(HOW_TO_KEY)) return;
  } catch {
    // storage blocked: show the note each visit rather than never
  }
  note.hidden = false;
  dismiss.addEventListener("click", retireHowTo, { once: true });
}

/**
 * Keep the screen awake while a drill runs, where the browser allows it. The lock lapses when the
 * page is hidden, so it is taken again when the page comes back.
 * @returns {Promise<() => void>} call it to let the screen sleep again
 */
export async function keepScreenOn() {
  const wakeLock = /** @type {any} */ (navigator).wakeLock;
  if (!wakeLock) return () => {};
  /** @type {any} */
  let sentinel = null;
  let wanted = true;
  const acquire = async () => {
    try {
      sentinel = await wakeLock.request("screen");
    } catch {
      sentinel = null; // refused (battery saver, hidden page): the drill works without it
    }
  };
  const onVisible = () => {
    if (wanted && document.visibilityState === "visible") void acquire();
  };
  document.addEventListener("visibilitychange", onVisible);
  await acquire();
  return () => {
    wanted = false;
    document.removeEventListener("visibilitychange", onVisible);
    sentinel?.release().catch(() => {});
  };
}

/** Registers once the page has loaded, so installing (and precaching) does not compete with the first paint. */
function registerWhenLoaded() {
  const register = () =>
    registerServiceWorker().catch(() => {
      // No service worker (private mode, old browser): the game still works online.
    });
  if (document.readyState === "complete") register();
  else window.addEventListener("load", register, { once: true });
}

offerInstall();
showHowToOnce();
registerWhenLoaded();
