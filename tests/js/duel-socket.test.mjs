// The duel socket's reconnect: where it connects.
import assert from "node:assert/strict";
import { test } from "node:test";

import { DuelSocket } from "../../static/js/duel/socket.js";

/** A WebSocket that opens at once, remembers its address and can be dropped. */
class FakeWebSocket extends EventTarget {
  static made = [];
  constructor(url) {
    super();
    this.url = url;
    this.readyState = 1;
    FakeWebSocket.made.push(this);
    queueMicrotask(() => this.dispatchEvent(new Event("open")));
  }
  send() {}
}

test("a dropped duel socket reopens naming the room whose seat it holds, so that a full server still lets it on", async () => {
  FakeWebSocket.made = [];
  const reopened = new Promise((resolve) => {
    const socket = new DuelSocket("wss://glimpse.example/ws/duel", {
      onMessage() {}, onReopen: resolve, onLost() {}, seatedIn: () => "K7M2P", WebSocketImpl: FakeWebSocket,
    });
    void socket.open().then(() => FakeWebSocket.made[0].dispatchEvent(new Event("close")));
  });
  await reopened;
  assert.deepEqual(FakeWebSocket.made.map((s) => s.url), ["wss://glimpse.example/ws/duel", "wss://glimpse.example/ws/duel?resume=K7M2P"]);
});
