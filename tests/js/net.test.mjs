// The drill's socket: where it connects.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Connection } from "../../static/js/net.js";

/** A WebSocket that opens at once and remembers its address. */
class FakeWebSocket extends EventTarget {
  static urls = [];
  constructor(url) {
    super();
    FakeWebSocket.urls.push(url);
    this.readyState = 1;
    queueMicrotask(() => this.dispatchEvent(new Event("open")));
  }
}

test("a socket coming back to an unfinished drill names it, so that a full server still lets it on", async () => {
  FakeWebSocket.urls = [];
  const connection = new Connection("wss://glimpse.example/ws", { WebSocketImpl: FakeWebSocket });
  await connection.open();
  await connection.open({ resume: "d1/x y" });
  assert.deepEqual(FakeWebSocket.urls, ["wss://glimpse.example/ws", "wss://glimpse.example/ws?resume=d1%2Fx%20y"]);
});
