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
      // Only the home page, Learn and Stats work offline (precached); any other page says so plainly
      // instead of showing the home page under its URL.
      if (url(request).pathname === "/") {
        const home = await caches.match("/", { cacheName: SHELL_CACHE });
        if (home) return home;
      }
      return offlinePage();
    }
    return new Response(JSON.stringify({ error: "offline", message: "You are offline." }), {
      status: 503,
      headers: { "Content-Type": "application/json" },
    });
  }
}

/** @param {Request} request */
function url(request) {
  return new URL(request.url);
}

/** A page that needs the network, asked for offline. */
function offlinePage() {
  const css = SHELL.urls.find((u) => u.startsWith("/static/css/app.css")) ?? "/static/css/app.css";
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="dark light">
<title>Offline — Glimpse</title><link rel="stylesheet" href="${css}"></head>
<body><main id="app"><header class="page-head"><a href="/" class="back">← Home</a><h1>You're offline</h1></header>
<p>This page needs a connection: leaderboards and friends live on the server.</p>
<p>Drills still work offline, and your results sync when you're back.</p>
<p><a href="/" class="learn-link">Play offline</a></p></main></body></html>`;
  return new Response(body, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}
