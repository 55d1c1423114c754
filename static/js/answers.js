// The seven answer buttons, shared by the flash drill's view and the scene view: answers go in on
// touch-down (or a key), once per question.

/** @typedef {import("./view.js").EmotionInfo} EmotionInfo */

export class AnswerPad {
  /**
   * @param {HTMLElement} container emptied and filled with one button per emotion
   * @param {EmotionInfo[]} emotions in answer-button order (keys 1-7)
   */
  constructor(container, emotions) {
    this.container = container;
    this.emotions = emotions;
    this.byKey = new Map(emotions.map((e) => [e.key, e]));
    /** @type {((choice: import("./drill.js").Choice) => void) | null} */
    this.pending = null;
    const buttons = emotions.map((emotion, index) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "answer";
      button.dataset.emotion = emotion.key;
      button.innerHTML = `<span class="key" aria-hidden="true">${index + 1}</span>`;
      button.append(emotion.name);
      button.addEventListener("pointerdown", (event) => {
        event.preventDefault(); // answer on touch-down: no click delay, no focus ring flash
        this.answer(emotion.key, event.timeStamp);
      });
      button.addEventListener("click", (event) => {
        if (event.detail === 0) this.answer(emotion.key, event.timeStamp); // keyboard activation
      });
      return button;
    });
    container.replaceChildren(...buttons);
    this.setEnabled(false);
  }

  /** @returns {Promise<import("./drill.js").Choice>} the next pick */
  wait() {
    this.setEnabled(true);
    return new Promise((resolve) => (this.pending = resolve));
  }

  /**
   * Handle a pick from a tap or a key. `at` is the event's timestamp (performance.now clock).
   * @param {string} key
   * @param {number} at
   */
  answer(key, at) {
    const resolve = this.pending;
    if (!resolve || !this.byKey.has(key)) return;
    this.pending = null;
    this.setEnabled(false);
    navigator.vibrate?.(10);
    resolve({ answer: key, at });
  }

  /** @param {boolean} enabled */
  setEnabled(enabled) {
    for (const button of this.container.querySelectorAll("button")) {
      /** @type {HTMLButtonElement} */ (button).disabled = !enabled;
    }
    this.container.classList.toggle("waiting", !enabled);
  }
}

/**
 * Answers go in on touch-down, and the feedback's buttons can appear under the finger before it
 * lifts: the browser's click from that same touch would then press Next or Replay unasked. So a
 * pointer click counts only if its press also began on the button (keyboard clicks always count).
 * @param {HTMLElement} button
 * @param {() => void} action
 */
export function onDeliberateClick(button, action) {
  let pressedHere = false;
  button.addEventListener("pointerdown", () => (pressedHere = true));
  button.addEventListener("click", (event) => {
    const deliberate = event.detail === 0 || pressedHere;
    pressedHere = false;
    if (deliberate) action();
  });
}
