// The desk's service worker: keeps a copy of the desk page, its styles, scripts and QR
// decoder, so that the desk opens even when a reload happens without network. Online it
// always fetches fresh copies first. The API is never cached: scans that cannot be sent
// wait in the page's own queue (localStorage).
//
// It is served from /desk/sw.js (not /static/), so that its scope can cover the desk page.

importScripts("/static/js/shared/sw-shared.js");

const CACHE_PREFIX = "noiday-desk-";
const CACHE = `${CACHE_PREFIX}v2`; // v2: scripts moved to /static/js/checkin/
const PAGE = new URL(self.registration.scope).pathname; // the desk page, /desk/
// Every module desk.js imports, and the QR decoder (loaded only with the camera). The
// offline test (tests/test_browser_desk.py) fails when one is missing.
const ASSETS = [
  "/static/css/app.css",
  "/static/css/desk.css",
  "/static/js/checkin/desk.js",
  "/static/js/checkin/desk/api.js",
  "/static/js/checkin/desk/counters.js",
  "/static/js/checkin/desk/dom.js",
  "/static/js/checkin/desk/focus.js",
  "/static/js/checkin/desk/offline-reload.js",
  "/static/js/checkin/desk/panel.js",
  "/static/js/checkin/desk/queue.js",
  "/static/js/checkin/desk/scanner.js",
  "/static/js/checkin/desk/search.js",
  "/static/js/checkin/desk/sound.js",
  "/static/vendor/zxing-wasm/reader/index.js",
  "/static/vendor/zxing-wasm/share.js",
  "/static/vendor/zxing-wasm/zxing_reader.wasm",
];

self.addEventListener("install", (event) => {
  const keep = (path) => cacheFresh(CACHE, path);
  event.waitUntil(Promise.all([PAGE, ...ASSETS].map(keep)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(dropOldCaches(CACHE_PREFIX, CACHE).then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.endsWith(".pdf")) return; // always live
  // /desk/?lang=en and /desk/ are the same page for the cache.
  const key = event.request.mode === "navigate" ? url.pathname : event.request;
  event.respondWith(networkFirst(CACHE, event.request, key));
});
