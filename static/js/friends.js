// Friends page: your code and invite link, add by code, the list with remove.

import { share } from "./share.js";

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @type {{code: string, inviteUrl: string, friends: {id: string, nickname: string | null}[]}} */
let state = { code: "", inviteUrl: "", friends: [] };

async function load() {
  const response = await fetch("/api/friends").catch(() => null);
  if (!response?.ok) {
    byId("my-code").textContent = "––––";
    byId("friend-list").replaceChildren(Object.assign(document.createElement("li"), {
      textContent: "You're offline: friends need a connection. Drills still work offline.",
    }));
    return;
  }
  state = await response.json();
  byId("my-code").textContent = `${state.code.slice(0, 4)} ${state.code.slice(4)}`;
  const items = state.friends.map((friend) => {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = friend.nickname ?? "A player with no nickname yet";
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link";
    remove.textContent = "Remove";
    remove.setAttribute("aria-label", `Remove ${name.textContent}`);
    remove.addEventListener("click", () => confirmRemove(friend.id, name.textContent ?? ""));
    item.append(name, remove);
    return item;
  });
  if (items.length === 0) items.push(Object.assign(document.createElement("li"), { textContent: "No friends yet: invite one!" }));
  byId("friend-list").replaceChildren(...items);
}

/**
 * Ask before removing: a friend removed by a slipped thumb would have to be added again by code.
 * @param {string} id
 * @param {string} name
 */
function confirmRemove(id, name) {
  const dialog = /** @type {HTMLDialogElement} */ (byId("remove-dialog"));
  byId("remove-name").textContent = name;
  dialog.showModal();
  byId("remove-confirm").onclick = async () => {
    dialog.close();
    await fetch(`/api/friends/${encodeURIComponent(id)}`, { method: "DELETE" });
    await load();
  };
}
byId("remove-cancel").addEventListener("click", () => /** @type {HTMLDialogElement} */ (byId("remove-dialog")).close());

byId("invite").addEventListener("click", async () => {
  const { askNickname } = await import("./social/nickname.js"); // a first invite: friends should see a name
  await askNickname("invite", "Your friend sees it when they open your invite.");
  const outcome = await share({ title: "Glimpse", text: "Can you catch a half-second emotion? Be my friend on Glimpse:", url: state.inviteUrl });
  byId("invite-status").textContent = { shared: "Invite sent.", copied: "Invite link copied.", cancelled: "", failed: `Share this link: ${state.inviteUrl}` }[outcome];
});

byId("add-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = /** @type {HTMLInputElement} */ (byId("friend-code"));
  const response = await fetch("/api/friends", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ code: input.value }),
  });
  const body = await response.json();
  const status = byId("add-status");
  status.textContent = response.ok ? `You and ${body.friend.nickname ?? "your new friend"} are now friends.` : body.message;
  status.dataset.ok = String(response.ok);
  if (response.ok) {
    input.value = "";
    await load();
  }
});

const invited = new URLSearchParams(location.search).get("add");
if (invited) /** @type {HTMLInputElement} */ (byId("friend-code")).value = invited;
load();
