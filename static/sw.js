// Glimpse's service worker: the app shell offline, fresh pages and data online.
//
// Served from /sw.js by game/pwa.py, which prepends `self.GLIMPSE_SHELL = {version, urls}`:
// the versioned URL of every file the pages need. A new deploy changes that line, so the
// browser installs a new worker; it waits until the player agrees to reload (pwa.js).
//
// Static files: cache first (their URLs carry a content hash, so a cached copy is never stale).
// Pages and /api/: network first, the cached copy when offline. POSTs and the WebSocket pass by.

/* global self, caches, fetch, Response, URL */
const SHELL = /** @type {{version: string, urls: string[]}} */ (self.GLIMPSE_SHELL);
const CACHE_PREFIX = "glimpse-";
const SHELL_CACHE = `${CACHE_PREFIX}shell-${SHELL.version}`;
// Latest network copies of pages and GET /api/ answers; versioned too, because a page names the
// versioned files it needs and only this version's files are kept.
const PAGES_CACHE = `${CACHE_PREFIX}pages-${SHELL.version}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) =>
      // A versioned URL's content never changes, so the copy the page just fetched (HTTP cache) will do;
      // an unversioned one (a page, the catalogue) skips the HTTP cache so no stale copy is precached.
      cache.addAll(SHELL.urls.map((url) => new Request(url, {
        cache: url.includes("?v=") ? "default" : "reload",
        credentials: "same-origin",
      }))),
    ),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        const current = name === SHELL_CACHE || name === PAGES_CACHE;
        if (name.startsWith(CACHE_PREFIX) && !current) await caches.delete(name);
      }
      await self.clients.claim(); // the first visit is controlled without a reload, so it works offline at once
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "skipWaiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === "/ws" || url.pathname === "/sw.js") return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate" || url.pathname.startsWith("/api/") || SHELL.urls.includes(url.pathname)) {
    event.respondWith(networkFirst(request));
  }
});

/** @param {Request} request */
async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && new URL(request.url).searchParams.has("v")) {
    const copy = response.clone();
    caches.open(SHELL_CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

/** @param {Request} request */
async function networkFirst(request) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const copy = response.clone();
      caches.open(PAGES_CACHE).then((cache) => cache.put(request, copy));
    }
    return response;
  } catch (offline) {
    const cached =
      (await caches.match(request, { cacheName: PAGES_CACHE, ignoreSearch: true })) ??
      (await caches.match(request, { cacheName: SHELL_CACHE, ignoreSearch: true }));
    if (cached) return cached;
    if (request.mode === "navigate") {
      const home = await caches.match("/", { cacheName: SHELL_CACHE });
      if (home) return home;
    }
    return new Response(JSON.stringify({ error: "offline", message: "You are offline." }), {
      status: 503,
      headers: { "Content-Type": "application/json" },
    });
  }
}
