// Online or offline: gives the drill the real socket when the server answers, else a LocalServer.
//
// Also owns the offline queue's syncing for the home screen: at start, on the `online` event and
// after each offline drill, and keeps the "N results waiting to sync" line up to date.

import { openQueue } from "./queue.js";
import { keepSyncing, pendingText, Syncer } from "./sync.js";

const CONNECT_TIMEOUT_MS = 4000; // a socket that neither opens nor fails by then counts as offline

/**
 * @typedef {import("../net.js").Message} Message
 * @typedef {{connection: any, connect: () => Promise<Message>}} DrillLike
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
    this.queue = openQueue();
    this.syncer = new Syncer({ queue: this.queue, onChange: (pending) => this.#show(pending) });
    /** @type {any} */
    this.local = null;
    keepSyncing(this.syncer, window, isOnline).catch(() => {}); // a failed sync leaves the queue as it was
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
        this.#setOffline(false);
        return welcome;
      } catch {
        this.online.close?.(); // fall through: practise offline
      }
    }
    this.drill.connection = await this.#localServer();
    this.#setOffline(true);
    return this.drill.connect();
  }

  /** After a drill: send what an offline one queued, if the network is back. */
  async drillEnded() {
    if (this.offline && this.isOnline()) await this.syncer.sync().catch(() => {});
  }

  async #localServer() {
    if (!this.local) {
      const { LocalServer } = await import("./local-server.js");
      this.local = new LocalServer({
        catalogue: /** @type {any} */ (this.catalogue),
        queue: this.queue,
        storage: safeLocalStorage(),
        timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone ?? null,
        onQueued: () => void this.syncer.refresh(),
      });
    }
    return this.local;
  }

  /** @param {boolean} offline */
  #setOffline(offline) {
    this.offline = offline;
    document.body.dataset.offline = String(offline);
    void this.syncer.refresh().catch(() => {});
  }

  /** @param {number} pending */
  #show(pending) {
    if (!this.status) return;
    const offlineNote = this.offline && !this.isOnline() ? "Offline: practice drills still work." : "";
    const text = [offlineNote, pendingText(pending)].filter(Boolean).join(" ");
    this.status.textContent = text;
    this.status.hidden = text === "";
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
