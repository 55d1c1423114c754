// Scenes as a way to play: loaded by main.js with import() the first time a scene mode is chosen.

import { Drill } from "../drill.js";
import { addSceneStyles } from "./style.js";
import { SceneView } from "./view.js";

/**
 * A Drill that plays scenes: the same script (start, answer, replay voided trials, reconnect),
 * with the scene screen and presenter.
 * @param {{connection: import("../net.js").Connection, view: import("../view.js").View,
 *          emotions: import("../view.js").EmotionInfo[]}} parts
 */
export function createSceneDrill({ connection, view, emotions }) {
  addSceneStyles();
  const sceneView = new SceneView(emotions, view);
  const drill = new Drill({ connection, presenter: sceneView.presenter, view: sceneView });
  return { drill, view: sceneView };
}
