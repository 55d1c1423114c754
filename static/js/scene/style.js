// Scene styles, injected on first use so the first visit never downloads them.

const CSS = `
.scene-context { margin: 0; padding: 10px 14px; background: var(--surface); border-radius: var(--radius); }
.scene-stage { position: relative; }
.scene-caption { position: absolute; left: 8px; right: 8px; bottom: 8px; margin: 0; padding: 6px 10px; border-radius: 10px;
  background: #000a; color: #fff; text-align: center; font-size: 1.05rem; opacity: 0; }
.scene-caption.speaking { opacity: 1; }
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
