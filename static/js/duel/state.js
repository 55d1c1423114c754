// What a duel page knows between messages: pure functions, tested with node --test.

/** The duel socket's address for the page's own origin. */
export function duelSocketUrl(location = globalThis.location) {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/duel`;
}

const SEAT_KEY = "glimpse.duel.seat";
const SEAT_KEEP_MS = 30 * 60 * 1000;

/**
 * Remember the room and its rejoin token on the device, so a dropped or reloaded phone takes its seat back.
 * @param {Storage} storage
 * @param {{code: string, rejoin: string}} seat
 * @param {number} now
 */
export function keepSeat(storage, seat, now = Date.now()) {
  try {
    storage.setItem(SEAT_KEY, JSON.stringify({ code: seat.code, rejoin: seat.rejoin, at: now }));
  } catch {
    // private mode: a reload then joins as a new seat
  }
}

/**
 * The seat kept for a room, if it is recent enough to still be held.
 * @param {Storage} storage
 * @param {string} code
 * @returns {string | null} the rejoin token
 */
export function keptSeat(storage, code, now = Date.now()) {
  try {
    const kept = JSON.parse(storage.getItem(SEAT_KEY) ?? "null");
    if (kept && kept.code === code && now - kept.at < SEAT_KEEP_MS && typeof kept.rejoin === "string") return kept.rejoin;
  } catch {
    // unreadable: nothing kept
  }
  return null;
}

/** @param {Storage} storage */
export function forgetSeat(storage) {
  try {
    storage.removeItem(SEAT_KEY);
  } catch {
    // nothing to forget
  }
}

/**
 * A room code as typed: upper case, no spaces or dashes; null unless it can be one.
 * @param {string} raw
 */
export function cleanCode(raw) {
  const code = raw.toUpperCase().replace(/[\s-]/g, "");
  return /^[ABCDEFGHJKMNPQRSTWXYZ2-9]{5}$/.test(code) ? code : null;
}

/** @param {number} ms */
export function seconds(ms) {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/**
 * @typedef {{seat: number, name: string, correct: number, totalMs: number, out: boolean, connected: boolean,
 *            answered?: number, rank?: number}} Standing
 */

/**
 * The results as lines a person reads: "1. Ana — 9 right · 7.42 s".
 * @param {Standing[]} standings ranked
 * @param {number} mySeat
 */
export function resultLines(standings, mySeat) {
  return standings.map((s, index) => ({
    rank: s.rank ?? index + 1,
    name: s.seat === mySeat ? `${s.name} (you)` : s.name,
    detail: s.out ? `${s.correct} right · left the duel` : `${s.correct} right · ${seconds(s.totalMs)}`,
    me: s.seat === mySeat,
  }));
}

/**
 * The headline of a finished duel for this player.
 * @param {Standing[]} standings
 * @param {number} mySeat
 */
export function headline(standings, mySeat) {
  const me = standings.find((s) => s.seat === mySeat);
  if (!me) return `${standings[0]?.name ?? "Nobody"} wins!`;
  if (standings[0].seat === mySeat) return "You win!";
  return `${standings[0].name} wins · you're #${standings.indexOf(me) + 1}`;
}

/**
 * The share text of a duel result: names and scores, never which emotion each trial showed.
 * @param {Standing[]} standings
 * @param {number} mySeat
 * @param {string} url
 */
export function shareText(standings, mySeat, url) {
  const lines = standings.map((s, i) => `${i + 1}. ${s.name}${s.seat === mySeat ? " (me)" : ""} ${s.correct} ✓ ${seconds(s.totalMs)}`);
  return `Glimpse duel\n${lines.join("\n")}\nDuel me: ${url}`;
}

/**
 * Who leads, from standings after the last closed round: the strip shows it without revealing the round in play.
 * @param {Standing[]} standings
 */
export function leaderSeat(standings) {
  const live = standings.filter((s) => !s.out);
  return live.length && live[0].correct > 0 ? live[0].seat : null;
}
