// Sends queued offline results to the server and forgets them only once the server holds them.
//
// The server answers each batch with `held`: every id it now stores, whether new or sent before.
// Anything not acknowledged stays queued for the next try, so a dropped request or a closed tab
// loses nothing, and a result sent twice is still stored once (game/pwa.py).

export const SYNC_URL = "/api/offline/sync";
const BATCH_SIZE = 100; // under the server's 200-result limit
const MAX_BATCHES = 50; // per sync: bounded even if the server keeps acknowledging nothing new

/**
 * @typedef {import("./queue.js").ResultStore} ResultStore
 * @typedef {{synced: number, pending: number, error?: string}} SyncReport
 */

export class Syncer {
  /**
   * @param {{queue: ResultStore, fetch?: typeof fetch, onChange?: (pending: number) => void}} parts
   */
  constructor({ queue, fetch = globalThis.fetch.bind(globalThis), onChange = () => {} }) {
    this.queue = queue;
    this.fetch = fetch;
    this.onChange = onChange;
    /** @type {Promise<SyncReport> | null} */
    this.running = null;
  }

  /** Send everything queued; a second call while one runs shares its outcome. */
  sync() {
    this.running ??= this.#syncAll().finally(() => (this.running = null));
    return this.running;
  }

  /** Tell the page how many results wait, e.g. after a drill queued one. */
  async refresh() {
    const pending = await this.queue.count();
    this.onChange(pending);
    return pending;
  }

  /** @returns {Promise<SyncReport>} */
  async #syncAll() {
    let synced = 0;
    let error;
    for (let batch = 0; batch < MAX_BATCHES; batch += 1) {
      const entries = await this.queue.oldest(BATCH_SIZE);
      if (entries.length === 0) break;
      const outcome = await this.#send(entries);
      if ("error" in outcome) {
        error = outcome.error;
        break;
      }
      await this.queue.remove(outcome.acknowledged);
      synced += outcome.acknowledged.length;
      if (outcome.acknowledged.length === 0) break; // nothing moved: try again later rather than spin
    }
    return { synced, pending: await this.refresh(), ...(error ? { error } : {}) };
  }

  /**
   * @param {import("./queue.js").Entry[]} entries
   * @returns {Promise<{acknowledged: string[]} | {error: string}>}
   */
  async #send(entries) {
    let response;
    try {
      response = await this.fetch(SYNC_URL, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ results: entries }),
        credentials: "same-origin",
      });
    } catch (failure) {
      return { error: `offline: ${failure instanceof Error ? failure.message : String(failure)}` };
    }
    const body = await response.json().catch(() => ({}));
    if (response.ok && Array.isArray(body.held)) {
      const sent = new Set(entries.map((entry) => entry.id));
      return { acknowledged: body.held.filter((id) => sent.has(id)) };
    }
    const unacceptable = response.status === 400 ? rejectedEntry(entries, body.field) : null;
    if (unacceptable) {
      // The server will never take this one (say, played over 30 days ago): drop it so the rest can go.
      return { acknowledged: [unacceptable] };
    }
    return { error: String(body.message ?? `server answered ${response.status}`) };
  }
}

/**
 * The entry a 400 names, as in `results[3].playedAt`.
 * @param {import("./queue.js").Entry[]} entries
 * @param {unknown} field
 */
function rejectedEntry(entries, field) {
  const match = typeof field === "string" ? /^results\[(\d+)\]/.exec(field) : null;
  return match ? entries[Number(match[1])]?.id ?? null : null;
}

/** @param {number} pending */
export function pendingText(pending) {
  if (pending === 0) return "";
  return pending === 1 ? "1 result waiting to sync" : `${pending} results waiting to sync`;
}
