// An invite link's welcome: one tap (the confirmation) makes the two players friends.

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const card = byId("befriend-card");

byId("befriend").addEventListener("click", async () => {
  const button = /** @type {HTMLButtonElement} */ (byId("befriend"));
  button.disabled = true;
  const response = await fetch("/api/friends", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ code: card.dataset.code }),
  });
  const body = await response.json();
  const status = byId("befriend-status");
  if (response.ok || body.error === "already_friends") {
    status.textContent = `You and ${card.dataset.name} are now friends.`;
    button.hidden = true;
  } else {
    status.textContent = body.message;
    button.disabled = false;
  }
  status.dataset.ok = String(response.ok);
});
