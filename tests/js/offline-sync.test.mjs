// Queue and sync: entries leave the queue only once the server acknowledges them.
import assert from "node:assert/strict";
import { test } from "node:test";

import { MemoryQueue } from "../../static/js/offline/queue.js";
import { pendingText, SYNC_URL, Syncer } from "../../static/js/offline/sync.js";

/** A server that stores each id once, like game/pwa.py, and can be told to fail. */
function fakeServer() {
  const server = {
    stored: new Map(),
    requests: 0,
    mode: "ok",
    /** @type {typeof fetch} */
    fetch: async (url, init) => {
      assert.equal(url, SYNC_URL);
      assert.equal(init.method, "POST");
      server.requests += 1;
      if (server.mode === "offline") throw new TypeError("Failed to fetch");
      if (server.mode === "down") return new Response(JSON.stringify({ message: "busy" }), { status: 503 });
      const { results } = JSON.parse(init.body);
      const bad = results.findIndex((r) => r.playedAt < 0);
      if (bad >= 0) {
        return Response.json({ error: "bad_batch", field: `results[${bad}].playedAt`, message: "too old" },
          { status: 400 });
      }
      for (const result of results) if (!server.stored.has(result.id)) server.stored.set(result.id, result);
      const held = server.mode === "lose-reply" ? [] : results.map((r) => r.id);
      return Response.json({ held, stored: results.length });
    },
  };
  return server;
}

async function queueWith(count, prefix = "r") {
  const queue = new MemoryQueue();
  for (let i = 0; i < count; i += 1) await queue.put({ id: `${prefix}-${i}-abcdefgh`, playedAt: 1 });
  return queue;
}

test("a sync sends everything in batches and empties the queue", async () => {
  const server = fakeServer();
  const queue = await queueWith(250);
  const counts = [];
  const syncer = new Syncer({ queue, fetch: server.fetch, onChange: (n) => counts.push(n) });
  const report = await syncer.sync();
  assert.deepEqual(report, { synced: 250, pending: 0 });
  assert.equal(server.requests, 3, "batches of 100");
  assert.equal(server.stored.size, 250);
  assert.deepEqual(counts.at(-1), 0);
});

test("offline or a failing server: nothing is dropped, and a later sync sends it", async () => {
  const server = fakeServer();
  const queue = await queueWith(5);
  const syncer = new Syncer({ queue, fetch: server.fetch });
  server.mode = "offline";
  assert.match((await syncer.sync()).error, /offline/);
  server.mode = "down";
  assert.deepEqual(await syncer.sync(), { synced: 0, pending: 5, error: "busy" });
  assert.equal(await queue.count(), 5);
  server.mode = "ok";
  assert.equal((await syncer.sync()).synced, 5);
  assert.equal(server.stored.size, 5);
});

test("a lost acknowledgement means sending again, and the server still stores each result once", async () => {
  const server = fakeServer();
  const queue = await queueWith(3);
  const syncer = new Syncer({ queue, fetch: server.fetch });
  server.mode = "lose-reply";
  await syncer.sync();
  assert.equal(await queue.count(), 3, "not acknowledged, so kept");
  server.mode = "ok";
  await syncer.sync();
  assert.equal(await queue.count(), 0);
  assert.equal(server.stored.size, 3);
  const before = server.requests;
  await syncer.sync();
  assert.equal(server.requests, before, "an empty queue sends nothing");
});

test("only ids the server names are removed", async () => {
  const queue = await queueWith(3);
  const fetch = async () => Response.json({ held: ["r-1-abcdefgh", "someone-else"] });
  await new Syncer({ queue, fetch }).sync();
  assert.deepEqual((await queue.oldest(10)).map((e) => e.id), ["r-0-abcdefgh", "r-2-abcdefgh"]);
});

test("a result the server can never accept is dropped so the rest can go", async () => {
  const server = fakeServer();
  const queue = await queueWith(3);
  await queue.put({ id: "ancient-abcdefgh", playedAt: -1 });
  const report = await new Syncer({ queue, fetch: server.fetch }).sync();
  assert.equal(report.pending, 0);
  assert.equal(server.stored.size, 3);
  assert.ok(!server.stored.has("ancient-abcdefgh"));
});

test("calls while a sync runs share it; a later call starts another", async () => {
  const server = fakeServer();
  const queue = await queueWith(2);
  const syncer = new Syncer({ queue, fetch: server.fetch });
  const [a, b] = [syncer.sync(), syncer.sync()];
  assert.equal(a, b);
  await a;
  assert.equal(server.requests, 1);
  await queue.put({ id: "later-abcdefgh", playedAt: 1 });
  await syncer.sync();
  assert.equal(server.stored.size, 3);
});

test("the waiting line reads naturally", () => {
  assert.equal(pendingText(0), "");
  assert.equal(pendingText(1), "1 result waiting to sync");
  assert.equal(pendingText(20), "20 results waiting to sync");
});
