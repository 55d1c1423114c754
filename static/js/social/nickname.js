// Ask for a nickname at the moment it matters (a first duel, invite, share, or board), once.
//
// Loaded by dynamic import where needed. The prompt is a modal <dialog>; "Not now" is always there,
// and the answer is remembered so nobody is asked twice for the same reason.

const ASKED_KEY = "glimpse.nickname.asked";

/** @param {string} reason */
function alreadyAsked(reason) {
  try {
    return (localStorage.getItem(ASKED_KEY) ?? "").split(",").includes(reason);
  } catch {
    return false;
  }
}

/** @param {string} reason */
function rememberAsked(reason) {
  try {
    const asked = new Set((localStorage.getItem(ASKED_KEY) ?? "").split(",").filter(Boolean));
    asked.add(reason);
    localStorage.setItem(ASKED_KEY, [...asked].join(","));
  } catch {
    // private mode: may ask again next time
  }
}

/** The prompt's styles, fetched with it (pages that never ask never load them). */
function loadStyles() {
  if (document.getElementById("nickname-css")) return Promise.resolve();
  const link = Object.assign(document.createElement("link"), { id: "nickname-css", rel: "stylesheet", href: "/static/css/nickname.css" });
  document.head.append(link);
  return new Promise((resolve) => {
    link.addEventListener("load", resolve, { once: true });
    link.addEventListener("error", resolve, { once: true });
  });
}

/**
 * Save a nickname; returns the saved name or throws with the server's message.
 * @param {string} nickname
 */
export async function saveNickname(nickname) {
  const response = await fetch("/api/nickname", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ nickname }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(body.message);
  return /** @type {string} */ (body.nickname);
}

/**
 * If the player has no nickname, ask for one (once per reason). Resolves with the nickname, or null.
 * @param {string} reason "invite", "share", "duel" or "board"
 * @param {string} why the sentence under the title, e.g. "Ana will see it in the duel."
 * @param {{modal?: boolean}} [options] modal (the default) waits for an answer; otherwise a bar at the bottom
 */
export async function askNickname(reason, why, { modal = true } = {}) {
  const me = await (await fetch("/api/me")).json();
  if (me.nickname) return /** @type {string} */ (me.nickname);
  if (alreadyAsked(reason)) return null;
  rememberAsked(reason);
  await loadStyles();
  const dialog = document.createElement("dialog");
  dialog.className = modal ? "nickname-dialog" : "nickname-dialog nickname-bar";
  dialog.setAttribute("aria-labelledby", "nickname-dialog-title");
  dialog.innerHTML = `
    <form method="dialog" class="nickname">
      <h2 id="nickname-dialog-title">Pick a nickname</h2>
      <p class="why"></p>
      <label for="nickname-dialog-input" class="visually-hidden">Nickname</label>
      <input id="nickname-dialog-input" maxlength="20" minlength="2" placeholder="Your nickname" spellcheck="false" required>
      <output role="status"></output>
      <span class="row">
        <button type="submit" class="primary" value="save">Save</button>
        <button type="button" class="link" value="skip">Not now</button>
      </span>
    </form>`;
  /** @type {HTMLElement} */ (dialog.querySelector(".why")).textContent = why;
  document.body.append(dialog);
  const input = /** @type {HTMLInputElement} */ (dialog.querySelector("input"));
  const status = /** @type {HTMLOutputElement} */ (dialog.querySelector("output"));
  if (modal) dialog.showModal();
  else dialog.show();
  return new Promise((resolve) => {
    const done = (/** @type {string | null} */ name) => {
      dialog.close();
      dialog.remove();
      resolve(name);
    };
    /** @type {HTMLElement} */ (dialog.querySelector("[value=skip]")).addEventListener("click", () => done(null));
    dialog.addEventListener("cancel", () => done(null));
    /** @type {HTMLFormElement} */ (dialog.querySelector("form")).addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        done(await saveNickname(input.value));
      } catch (error) {
        status.textContent = error instanceof Error ? error.message : String(error);
      }
    });
  });
}
