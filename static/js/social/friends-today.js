// On the friends page: today's challenge among friends, friends waiting in a duel room, and a duel button.

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

async function showToday() {
  const today = await (await fetch("/api/friends/today")).json();
  byId("today-title").textContent = `Today's challenge #${today.number} with friends`;
  const rows = today.players.map((/** @type {{nickname: string | null, score: number | null, rank: number | null, me: boolean}} */ p) => {
    const item = document.createElement("li");
    if (p.me) item.className = "me";
    const rank = document.createElement("span");
    rank.className = "rank";
    rank.textContent = p.rank ? `#${p.rank}` : "–";
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = p.me ? `${p.nickname ?? "You"} (you)` : p.nickname ?? "A player with no nickname yet";
    const score = document.createElement("span");
    score.className = "points";
    score.textContent = p.score === null ? "not yet" : `${p.score} pts`;
    item.append(rank, name, score);
    return item;
  });
  byId("today-list").replaceChildren(...rows);
  byId("today-empty").hidden = today.players.length > 1;
}

async function showWaitingRooms() {
  const [{ rooms }, { friends }] = await Promise.all([
    fetch("/api/duels/friends").then((r) => r.json()),
    fetch("/api/friends").then((r) => r.json()),
  ]);
  const names = new Map(friends.map((/** @type {{id: string, nickname: string | null}} */ f) => [f.id, f.nickname ?? "A friend"]));
  byId("duel-rooms").replaceChildren(...rooms.map((/** @type {{friendId: string, code: string}} */ room) => {
    const item = document.createElement("li");
    const text = document.createElement("span");
    text.textContent = `${names.get(room.friendId) ?? "A friend"} is waiting in a duel room`;
    const join = document.createElement("a");
    join.href = `/duel/${room.code}`;
    join.className = "join";
    join.textContent = "Join";
    item.append(text, join);
    return item;
  }));
}

void showToday();
void showWaitingRooms();
