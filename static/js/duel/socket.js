// The duel socket: messages in as events, pings answered, and a dropped connection reopened.
//
// A room keeps a dropped seat for a grace period; `onReopen` lets the page send its `join` again
// (with the rejoin token) as soon as the new socket is open.

const RECONNECT_DELAYS_MS = [300, 1000, 2000, 3000, 4000, 5000];

/** @typedef {{type: string, [field: string]: any}} Message */

export class DuelSocket {
  /**
   * @param {string} url
   * @param {{onMessage: (m: Message) => void, onReopen: () => void, onLost: () => void,
   *          onReconnecting?: (trying: boolean) => void, seatedIn?: () => string | undefined,
   *          WebSocketImpl?: typeof WebSocket}} handlers
   *   seatedIn: the room whose seat a reopened socket comes back to: named in its address, so that a full
   *   server still lets it on
   */
  constructor(url, { onMessage, onReopen, onLost, onReconnecting = () => {}, seatedIn = () => undefined,
    WebSocketImpl = globalThis.WebSocket }) {
    this.url = url;
    this.seatedIn = seatedIn;
    this.onMessage = onMessage;
    this.onReopen = onReopen;
    this.onLost = onLost;
    this.onReconnecting = onReconnecting;
    this.WebSocketImpl = WebSocketImpl;
    /** @type {WebSocket | null} */
    this.socket = null;
    this.wanted = true; // false once the page leaves on purpose
  }

  /**
   * @param {{resume?: string}} [options] resume: the room this socket comes back to
   * @returns {Promise<void>} once open
   */
  open({ resume } = {}) {
    return new Promise((resolve, reject) => {
      const socket = new this.WebSocketImpl(resume ? `${this.url}?resume=${encodeURIComponent(resume)}` : this.url);
      this.socket = socket;
      let opened = false;
      socket.addEventListener("open", () => {
        opened = true;
        resolve();
      });
      socket.addEventListener("message", (event) => {
        const message = JSON.parse(String(event.data));
        if (message.type === "ping") this.send({ type: "pong", t: message.t });
        this.onMessage(message);
      });
      socket.addEventListener("close", () => {
        if (!opened) reject(new Error("Could not reach the server."));
        else if (this.wanted && this.socket === socket) void this.#reconnect();
      });
    });
  }

  /** @param {Message} message */
  send(message) {
    if (this.socket?.readyState === 1) this.socket.send(JSON.stringify(message));
  }

  close() {
    this.wanted = false;
    this.socket?.close(1000, "bye");
  }

  async #reconnect() {
    this.onReconnecting(true);
    for (const delay of RECONNECT_DELAYS_MS) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (!this.wanted) return;
      try {
        await this.open({ resume: this.seatedIn() });
        this.onReconnecting(false);
        this.onReopen();
        return;
      } catch {
        // still offline: try again
      }
    }
    this.onReconnecting(false);
    this.onLost();
  }
}
