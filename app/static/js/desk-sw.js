// The desk's service worker: keeps a copy of the desk page, its styles, scripts and QR
// decoder, so that the desk opens even when a reload happens without network. Online it
// always fetches fresh copies first. The API is never cached: scans that cannot be sent
// wait in the page's own queue (localStorage).
//
// It is served from /desk/sw.js (not /static/), so that its scope can cover the desk page.

const CACHE = "noiday-desk-v1";
const PAGE = new URL(self.registration.scope).pathname; // the desk page, /desk/
// Every module desk.js imports, and the QR decoder (loaded only with the camera). The
// offline test (tests/test_browser_desk.py) fails when one is missing.
const ASSETS = [
  "/static/css/app.css",
  "/static/css/desk.css",
  "/static/js/desk.js",
  "/static/js/desk/api.js",
  "/static/js/desk/counters.js",
  "/static/js/desk/dom.js",
  "/static/js/desk/focus.js",
  "/static/js/desk/offline-reload.js",
  "/static/js/desk/panel.js",
  "/static/js/desk/queue.js",
  "/static/js/desk/scanner.js",
  "/static/js/desk/search.js",
  "/static/js/desk/sound.js",
  "/static/vendor/zxing-wasm/reader/index.js",
  "/static/vendor/zxing-wasm/share.js",
  "/static/vendor/zxing-wasm/zxing_reader.wasm",
];
const NETWORK_TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(Promise.all([PAGE, ...ASSETS].map(cacheFresh)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.endsWith(".pdf")) return; // always live
  event.respondWith(networkFirst(event.request));
});

// Only a real copy is kept: a redirect (to the login page, say) or an error is not.
function worthKeeping(response) {
  return response.ok && !response.redirected && response.type === "basic";
}

async function cacheFresh(path) {
  try {
    const response = await fetch(path, { cache: "no-store" });
    if (worthKeeping(response)) await (await caches.open(CACHE)).put(path, response);
  } catch {
    // Not reachable now (or not built, like a missing vendor file): cached on first use.
  }
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await withTimeout(fetch(request), NETWORK_TIMEOUT_MS);
    if (worthKeeping(response)) await cache.put(request.mode === "navigate" ? pageKey(request) : request, response.clone());
    return response;
  } catch (error) {
    const key = request.mode === "navigate" ? pageKey(request) : request;
    const cached = await cache.match(key, { ignoreVary: true });
    if (cached) return cached;
    throw error;
  }
}

// /desk?lang=en and /desk are the same page for the cache.
function pageKey(request) {
  return new URL(request.url).pathname;
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("network timeout")), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
