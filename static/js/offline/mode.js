// Online or offline: gives the drill the real socket when the server answers, else a LocalServer.
//
// Also owns the offline queue's syncing for the home screen: at start, on the `online` event and
// after each offline drill, and keeps the "N results waiting to sync" line up to date. The queue,
// the syncer and the LocalServer are loaded only when needed (results exist in IndexedDB, or the
// player is offline): most visits, and every first visit, never download them.

const CONNECT_TIMEOUT_MS = 4000; // a socket that neither opens nor fails by then counts as offline
const QUEUE_DATABASE = "glimpse"; // see queue.js

/**
 * @typedef {import("../net.js").Message} Message
 * @typedef {{connection: any, connect: () => Promise<Message>}} DrillLike
 * @typedef {import("./sync.js").Syncer} Syncer
 */

export class OfflineMode {
  /**
   * @param {{drill: DrillLike, catalogue: object, status: HTMLElement | null,
   *          isOnline?: () => boolean}} parts
   */
  constructor({ drill, catalogue, status, isOnline = () => navigator.onLine !== false }) {
    this.drill = drill;
    this.online = drill.connection;
    this.catalogue = catalogue;
    this.status = status;
    this.isOnline = isOnline;
    this.offline = false;
    /** @type {Promise<{queue: any, syncer: Syncer}> | null} */
    this.syncing = null;
    /** @type {any} */
    this.local = null;
    /**
     * Online by the browser's account, yet the server did not answer the last time we tried: "full" when it said it
     * turns new sockets away for a while (docs/protocol.md), else "down".
     * @type {"" | "down" | "full"}
     */
    this.unreachable = "";
    window.addEventListener("online", () => {
      this.unreachable = ""; // the next drill tries the server again
      void this.syncing?.then(({ syncer }) => syncer.sync());
    });
    resultsMayBeQueued().then((maybe) => {
      if (maybe) void this.#syncer().then(({ syncer }) => this.isOnline() && syncer.sync()).catch(() => {});
    });
  }

  /**
   * Connect for the next drill: the server if it answers, the browser's own drill server if not.
   * @returns {Promise<Message>} the welcome
   */
  async prepare() {
    if (this.isOnline()) {
      this.drill.connection = this.online;
      try {
        const welcome = await withTimeout(this.drill.connect(), CONNECT_TIMEOUT_MS);
        this.unreachable = "";
        this.#setOffline(false);
        return welcome;
      } catch {
        this.online.close?.(); // fall through: practise offline
        // The network is up but the server did not answer: a refused socket cannot say why; the server's health can.
        this.unreachable = (await serverIsFull()) ? "full" : "down";
      }
    }
    this.drill.connection = await this.#localServer();
    this.#setOffline(true);
    return this.drill.connect();
  }

  /** After a drill: send what an offline one queued, if the network is back. */
  async drillEnded() {
    if (this.offline && this.isOnline() && this.syncing) {
      const { syncer } = await this.syncing;
      await syncer.sync().catch(() => {}); // a failed sync leaves the queue as it was
    }
  }

  /** The queue and its syncer, loaded on first need. */
  #syncer() {
    this.syncing ??= Promise.all([import("./queue.js"), import("./sync.js")]).then(([queues, sync]) => {
      const queue = queues.openQueue();
      const syncer = new sync.Syncer({ queue, onChange: (pending) => this.#show(pending, sync.pendingText) });
      void syncer.refresh().catch(() => {});
      return { queue, syncer };
    });
    return this.syncing;
  }

  async #localServer() {
    if (!this.local) {
      const [{ LocalServer }, { queue, syncer }] = await Promise.all([import("./local-server.js"), this.#syncer()]);
      this.local = new LocalServer({
        catalogue: /** @type {any} */ (this.catalogue),
        queue,
        storage: safeLocalStorage(),
        timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone ?? null,
        onQueued: () => void syncer.refresh(),
      });
    }
    return this.local;
  }

  /** @param {boolean} offline */
  #setOffline(offline) {
    this.offline = offline;
    document.body.dataset.offline = String(offline);
    void this.syncing?.then(({ syncer }) => syncer.refresh()).catch(() => {});
  }

  /**
   * @param {number} pending
   * @param {(pending: number) => string} pendingText
   */
  #show(pending, pendingText) {
    if (!this.status) return;
    let offlineNote = "";
    if (this.offline && !this.isOnline()) offlineNote = "You're offline: practice drills still work, without points.";
    else if (this.offline && this.unreachable === "full") offlineNote = "Glimpse is full right now: practice drills still work, without points, and the next drill tries again.";
    else if (this.offline && this.unreachable) offlineNote = "Can't reach Glimpse right now: practice drills still work, without points.";
    const text = [offlineNote, pendingText(pending)].filter(Boolean).join(" ");
    this.status.textContent = text;
    this.status.hidden = text === "";
  }
}

/** Whether the server is up but full (its /healthz says so): then it refuses new sockets for a while. */
async function serverIsFull() {
  try {
    const response = await fetch("/healthz", { cache: "no-store" });
    return response.ok && (await response.json()).full === true;
  } catch {
    return false;
  }
}

/** False only when the browser can tell that the queue's database was never created. */
async function resultsMayBeQueued() {
  try {
    const databases = await indexedDB.databases();
    return databases.some((database) => database.name === QUEUE_DATABASE);
  } catch {
    return Boolean(globalThis.indexedDB); // no databases(): look inside to be sure
  }
}

/** @template T @param {Promise<T>} promise @param {number} ms */
function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("timed out")), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function safeLocalStorage() {
  try {
    localStorage.getItem("glimpse.probe");
    return localStorage;
  } catch {
    return undefined; // blocked: LocalServer keeps its staircase in memory
  }
}
