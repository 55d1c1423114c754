// Scenes as a way to play: loaded by main.js with import() the first time a scene mode is chosen.

import { Drill } from "../drill.js";
import { nominalPeriod } from "../offline/local-server.js";
import { packUrl } from "./offline.js";
import { addSceneStyles } from "./style.js";
import { SceneView } from "./view.js";

/**
 * A Drill that plays scenes: the same script (start, answer, replay voided trials, reconnect),
 * with the scene screen and presenter.
 * @param {{connection: import("../net.js").Connection, view: import("../view.js").View,
 *          emotions: import("../view.js").EmotionInfo[], ratesHz: number[],
 *          remember?: (drillId: string | null) => void}} parts remember: as the Drill's
 */
export function createSceneDrill({ connection, view, emotions, ratesHz, remember }) {
  addSceneStyles();
  const sceneView = new SceneView(emotions, view);
  // Online, fetch a pack of scenes for this display's rate: the service worker keeps it, and the
  // offline LocalServer plays it when the network is gone (./offline.js).
  const measure = sceneView.presenter.measureRefresh.bind(sceneView.presenter);
  sceneView.presenter.measureRefresh = async () => {
    const periodMs = await measure();
    if (navigator.onLine !== false) void fetch(packUrl(nominalPeriod(periodMs, ratesHz))).catch(() => {});
    return periodMs;
  };
  const drill = new Drill({ connection, presenter: sceneView.presenter, view: sceneView, remember });
  return { drill, view: sceneView };
}
