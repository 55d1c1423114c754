// Results waiting to reach the server, kept in IndexedDB so they survive reloads and closed tabs.
//
// Every entry carries its own client-made `id`; the server stores each id once, so an entry can
// be sent again safely until the server says it holds it. Both stores share one small async
// interface, so the sync logic is tested against the in-memory one.

const DB_NAME = "glimpse";
const STORE = "pending-results";

/**
 * @typedef {{id: string, [field: string]: unknown}} Entry
 * @typedef {object} ResultStore
 * @property {(entry: Entry) => Promise<void>} put
 * @property {(limit: number) => Promise<Entry[]>} oldest  the first `limit` entries, oldest first
 * @property {(ids: string[]) => Promise<void>} remove
 * @property {() => Promise<number>} count
 */

/** @implements {ResultStore} */
export class IndexedDbQueue {
  /** @param {IDBFactory} [factory] */
  constructor(factory = globalThis.indexedDB) {
    this.factory = factory;
    /** @type {Promise<IDBDatabase> | null} */
    this.opening = null;
  }

  /** @param {Entry} entry */
  async put(entry) {
    await this.#run("readwrite", (store) => store.put({ ...entry, queuedAt: Date.now() }));
  }

  /** @param {number} limit */
  async oldest(limit) {
    const rows = await this.#run("readonly", (store) => store.index("queuedAt").getAll(null, limit));
    return /** @type {Entry[]} */ (rows).map(({ queuedAt, ...entry }) => entry);
  }

  /** @param {string[]} ids */
  async remove(ids) {
    await this.#run("readwrite", (store) => {
      for (const id of ids) store.delete(id);
    });
  }

  async count() {
    return /** @type {number} */ (await this.#run("readonly", (store) => store.count()));
  }

  /**
   * One transaction; resolves with the last request's result once the transaction has committed.
   * @param {IDBTransactionMode} mode
   * @param {(store: IDBObjectStore) => IDBRequest | void} work
   */
  async #run(mode, work) {
    const db = await this.#open();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = work(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request ? request.result : undefined);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error ?? new Error("IndexedDB transaction aborted"));
    });
  }

  /** @returns {Promise<IDBDatabase>} */
  #open() {
    this.opening ??= new Promise((resolve, reject) => {
      const request = this.factory.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        const store = request.result.createObjectStore(STORE, { keyPath: "id" });
        store.createIndex("queuedAt", "queuedAt");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return this.opening;
  }
}

/** The same queue in memory: for tests, and where IndexedDB is unavailable (results then last as long as the tab). */
export class MemoryQueue {
  constructor() {
    /** @type {Map<string, Entry>} */
    this.entries = new Map();
  }

  /** @param {Entry} entry */
  async put(entry) {
    this.entries.set(entry.id, { ...entry });
  }

  /** @param {number} limit */
  async oldest(limit) {
    return [...this.entries.values()].slice(0, limit).map((entry) => ({ ...entry }));
  }

  /** @param {string[]} ids */
  async remove(ids) {
    for (const id of ids) this.entries.delete(id);
  }

  async count() {
    return this.entries.size;
  }
}

/** The durable queue where the browser has IndexedDB, else the in-memory one. */
export function openQueue() {
  return globalThis.indexedDB ? new IndexedDbQueue() : new MemoryQueue();
}
