// When a flip frame reached the screen, where the browser says so.
//
// rAF timestamps say when a frame began, not when it was presented: a slow frame (a fresh page's
// first flash, a starved compositor) reaches the screen late while every rAF gap looks normal.
// Element Timing (Chromium) reports, for an element with an `elementtiming` attribute, the
// presentation time of the frame that first painted it. So a flip callback adds a tiny marker
// element in the frame it produces and learns that frame's presentation time; in Chrome traces
// it tracks the compositor's presentation within 1-4 ms. Other browsers: `supported` is false and
// flash.js falls back to timing each flip frame's main-thread work.

const ENTRY_TYPE = "element";
/** A marker not reported by then was not presented as far as we can tell. */
const GIVE_UP_MS = 1000;

export class PresentationProbe {
  /** @param {HTMLElement} host where markers go: inside the stage, under the faces, aria-hidden */
  constructor(host) {
    this.host = host;
    this.count = 0;
    /** @type {Map<string, (time: number | null) => void>} */
    this.pending = new Map();
    this.supported = typeof PerformanceObserver !== "undefined"
      && (PerformanceObserver.supportedEntryTypes ?? []).includes(ENTRY_TYPE);
    if (!this.supported) return;
    new PerformanceObserver((list) => {
      for (const entry of /** @type {any[]} */ (list.getEntries())) {
        const resolve = this.pending.get(entry.identifier);
        if (!resolve) continue;
        this.pending.delete(entry.identifier);
        resolve(entry.renderTime || null); // 0: no render time exposed
      }
    }).observe({ type: ENTRY_TYPE });
  }

  /** Drop the previous flash's markers (their times are in). */
  clear() {
    this.host.replaceChildren();
  }

  /**
   * Call inside a flip callback: resolves with the presentation time (performance.now clock) of
   * the frame this callback produces, or null if the browser never reported it.
   * @returns {Promise<number | null>}
   */
  mark() {
    const id = `glimpse-flip-${++this.count}`;
    const marker = document.createElement("span");
    marker.setAttribute("elementtiming", id);
    marker.textContent = "·";
    this.host.append(marker);
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      setTimeout(() => this.pending.delete(id) && resolve(null), GIVE_UP_MS);
    });
  }
}
