// Saying hello to the server (or the browser's own LocalServer): the home screen needs it for the
// streak and any unfinished drill, the drill for its (re)connections. Its own small module so the
// home screen can greet without loading the drill's modules.

export const PROTOCOL_VERSION = 1;

/**
 * Open the connection if needed and greet; returns the welcome (with any unfinished drill).
 * @param {{isOpen: boolean, open: (options?: {resume?: string}) => Promise<void>,
 *          ask: (message: object) => Promise<import("./net.js").Message>}} connection
 * @param {{resume?: string}} [options] resume: the drill this browser left unfinished (see net.js)
 * @returns {Promise<import("./net.js").Message>}
 */
export async function greet(connection, options = {}) {
  if (!connection.isOpen) await connection.open(options);
  const welcome = await connection.ask({
    type: "hello",
    v: PROTOCOL_VERSION,
    tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
  });
  if (welcome.type !== "welcome") throw new Error(String(welcome.message ?? "unexpected reply"));
  return welcome;
}
