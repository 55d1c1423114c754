// The drill's WebSocket: JSON messages in, JSON messages out, in order.
//
// `receive()` hands messages out one at a time so the drill reads like a script
// (send "next", await the trial...). A dropped socket rejects the pending
// receive with a ConnectionLost error; the drill decides whether to reconnect.

export class ConnectionLost extends Error {
  /** @param {string} reason */
  constructor(reason) {
    super(reason || "connection lost");
    this.name = "ConnectionLost";
  }
}

/** @typedef {{type: string, [field: string]: unknown}} Message */

export class Connection {
  /**
   * @param {string} url ws:// or wss:// address of /ws
   * @param {{WebSocketImpl?: typeof WebSocket}} [options] injectable for tests
   */
  constructor(url, { WebSocketImpl = globalThis.WebSocket } = {}) {
    this.url = url;
    this.WebSocketImpl = WebSocketImpl;
    /** @type {Message[]} */
    this.inbox = [];
    /** @type {{resolve: (m: Message) => void, reject: (e: Error) => void}[]} */
    this.waiting = [];
    /** @type {WebSocket | null} */
    this.socket = null;
    this.closedReason = "";
  }

  /**
   * @param {{resume?: string}} [options] resume: the unfinished drill this socket comes back to (a full server
   *   lets such sockets on while it turns newcomers away)
   * @returns {Promise<void>} resolves once the socket is open
   */
  open({ resume } = {}) {
    this.closedReason = "";
    return new Promise((resolve, reject) => {
      const socket = new this.WebSocketImpl(resume ? `${this.url}?resume=${encodeURIComponent(resume)}` : this.url);
      this.socket = socket;
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener("message", (event) => this.#deliver(JSON.parse(String(event.data))));
      socket.addEventListener("close", (event) => {
        this.closedReason = event.reason || `closed (${event.code})`;
        reject(new ConnectionLost(this.closedReason));
        for (const waiter of this.waiting.splice(0)) waiter.reject(new ConnectionLost(this.closedReason));
      });
    });
  }

  get isOpen() {
    return this.socket !== null && this.socket.readyState === 1;
  }

  /** @param {Message} message */
  send(message) {
    if (!this.isOpen) throw new ConnectionLost(this.closedReason);
    this.socket?.send(JSON.stringify(message));
  }

  /** @returns {Promise<Message>} the next message from the server */
  receive() {
    const message = this.inbox.shift();
    if (message) return Promise.resolve(message);
    if (!this.isOpen) return Promise.reject(new ConnectionLost(this.closedReason));
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /**
   * Send a message and wait for the reply.
   * @param {Message} message
   */
  ask(message) {
    this.send(message);
    return this.receive();
  }

  close() {
    this.socket?.close(1000, "bye");
  }

  /** @param {Message} message */
  #deliver(message) {
    const waiter = this.waiting.shift();
    if (waiter) waiter.resolve(message);
    else this.inbox.push(message);
  }
}

/** The socket address for the page's own origin. */
export function socketUrl(location = globalThis.location) {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
}
