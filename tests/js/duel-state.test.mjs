import assert from "node:assert/strict";
import { test } from "node:test";

import {
  cleanCode, duelSocketUrl, forgetSeat, headline, keepSeat, keptSeat, leaderSeat, resultLines, shareText,
} from "../../static/js/duel/state.js";

class MemoryStorage {
  constructor() { this.items = new Map(); }
  getItem(key) { return this.items.get(key) ?? null; }
  setItem(key, value) { this.items.set(key, String(value)); }
  removeItem(key) { this.items.delete(key); }
}

const standings = [
  { seat: 2, name: "Ben", correct: 9, totalMs: 7420, out: false, connected: true },
  { seat: 1, name: "Ana", correct: 9, totalMs: 8100, out: false, connected: true },
  { seat: 3, name: "Cy", correct: 4, totalMs: 30000, out: true, connected: false },
];

test("the socket address follows the page's scheme", () => {
  assert.equal(duelSocketUrl({ protocol: "https:", host: "g.example" }), "wss://g.example/ws/duel");
  assert.equal(duelSocketUrl({ protocol: "http:", host: "127.0.0.1:8000" }), "ws://127.0.0.1:8000/ws/duel");
});

test("a seat is kept on the device for its room only, and not forever", () => {
  const storage = new MemoryStorage();
  keepSeat(storage, { code: "ABC23", rejoin: "tok" }, 1000);
  assert.equal(keptSeat(storage, "ABC23", 2000), "tok");
  assert.equal(keptSeat(storage, "ZZZ99", 2000), null);
  assert.equal(keptSeat(storage, "ABC23", 1000 + 31 * 60 * 1000), null);
  forgetSeat(storage);
  assert.equal(keptSeat(storage, "ABC23", 2000), null);
  storage.setItem("glimpse.duel.seat", "{broken");
  assert.equal(keptSeat(storage, "ABC23", 2000), null);
});

test("codes are cleaned as typed and look-alikes refused", () => {
  assert.equal(cleanCode(" abc-23 "), "ABC23");
  assert.equal(cleanCode("ABC20"), null); // 0 is never in a code
  assert.equal(cleanCode("ABC2"), null);
});

test("results read as lines with the player marked", () => {
  const lines = resultLines(standings, 1);
  assert.deepEqual(lines.map((l) => l.name), ["Ben", "Ana (you)", "Cy"]);
  assert.equal(lines[0].detail, "9 right · 7.42 s");
  assert.equal(lines[2].detail, "4 right · left the duel");
  assert.equal(headline(standings, 2), "You win!");
  assert.equal(headline(standings, 1), "Ben wins · you're #2");
});

test("the share card names scores and the link, never an emotion", () => {
  const text = shareText(standings, 1, "https://g.example/duel");
  assert.match(text, /1\. Ben 9 ✓ 7\.42 s/);
  assert.match(text, /Ana \(me\)/);
  assert.ok(text.endsWith("Duel me: https://g.example/duel"));
  assert.doesNotMatch(text, /happiness|sadness|fear|anger|disgust|surprise|contempt/i);
});

test("the leader is shown only once someone has a right answer", () => {
  assert.equal(leaderSeat(standings), 2);
  assert.equal(leaderSeat(standings.map((s) => ({ ...s, correct: 0 }))), null);
});
