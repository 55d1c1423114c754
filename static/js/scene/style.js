// Scene styles, injected on first use so the first visit never downloads them.

const CSS = `
.scene-context { margin: 0; padding: 10px 14px; background: var(--surface); border-radius: var(--radius); }
.scene-stage { position: relative; }
/* What the face says goes under it, never over it (a caption over the mouth hid the leak), in the
   prompt's place while it is said: a line of its own, so nothing moves when it comes and goes. */
.scene-caption { margin: 0; min-height: 1.4em; text-align: center; font-size: 1.05rem; font-style: italic; opacity: 0; }
.scene-caption.speaking { opacity: 1; }
.scene-lines { display: grid; }
.scene-lines > p { grid-area: 1 / 1; }
.scene-caption.speaking + .prompt { visibility: hidden; }
.scene-marker { width: 100%; height: 32px; display: block; }
.scene-marker .frame { fill: var(--surface-2); }
.scene-marker .onset, .scene-marker .offset { fill: #f2b35b; }
.scene-marker .apex { fill: #ff7b54; }
.scene-marker line { stroke: var(--text); stroke-width: 2; }
.scene-legend { margin: 0; color: var(--muted); font-size: 0.85rem; display: flex; justify-content: space-between; }
.scene-reminder { margin: 0; color: var(--muted); font-size: 0.9rem; border-left: 3px solid var(--accent); padding-left: 10px; }
.leak-flag { position: absolute; top: 8px; right: 8px; margin: 0; padding: 2px 10px; border-radius: 8px;
  background: #ff7b54; color: #111; font-weight: 700; }
.leak-demo { display: grid; gap: 12px; margin-top: 24px; }
.leak-demo input[type=range] { width: 100%; min-height: 48px; accent-color: var(--accent); }
#scene.reviewing .scene-stage { max-width: 62%; }
#scene.reviewing .prompt { display: none; }
#scene.reviewing .feedback { margin-top: 0; }
#scene.reviewing .scene-lines { display: none; }
/* As the drill's .stage (app.css), less the context line: all seven answers stay in view. */
#scene .scene-stage { max-width: min(360px, max(150px, calc(100dvh - 410px))); }
@media (max-height: 700px) {
  #scene { gap: 10px; }
  #scene .scene-context { padding: 6px 12px; font-size: 0.95rem; }
  #scene .answers { gap: 8px; }
  #scene .answer { min-height: 48px; }
}
/* Landscape phones: the face left, the context, the line and the answers right (as the drill). */
@media (orientation: landscape) and (max-height: 520px) {
  #scene:not([hidden]) { display: grid; grid-template-columns: auto 1fr; grid-template-rows: auto auto auto 1fr;
    gap: 8px 20px; align-content: start; }
  #scene .drill-bar { grid-column: 1 / -1; }
  #scene .scene-stage, #scene.reviewing .scene-stage { grid-column: 1; grid-row: 2 / 5; margin: 0;
    width: calc(100dvh - 90px); max-width: calc(100dvh - 90px); }
  #scene .scene-context, #scene .scene-lines, #scene .answers, #scene .feedback { grid-column: 2; margin-top: 0; }
  #scene .scene-lines .prompt { text-align: left; }
  #scene .scene-caption { text-align: left; }
}
`;

let added = false;

/**
 * Add the scene styles to the document once, as a constructed stylesheet: it travels inside this
 * versioned module (a separate CSS file would need its own versioned URL), and the page's CSP
 * (style-src 'self') refuses inline <style> elements.
 */
export function addSceneStyles(doc = document) {
  if (added) return;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
  added = true;
}
