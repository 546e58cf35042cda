// The desk's service worker: keeps a copy of the desk page, its styles, scripts and QR
// decoder, so that the desk opens even when a reload happens without network. Online it
// always fetches fresh copies first. The API is never cached: scans that cannot be sent
// wait in the page's own queue (localStorage).
//
// It is served from /<event-slug>/desk/sw.js (not /static/), so that its scope can cover the desk page,
// with its list of files in front (app/core/offline.py).

importScripts("/static/js/shared/sw-shared.js");

const CACHE_PREFIX = "noiday-desk-";
// The server (app/core/offline.py) writes both in front of this script: every file the
// desk page loads (modules followed through their imports, the QR decoder's folder), and a
// cache name that changes with their contents.
const CACHE = self.OFFLINE_CACHE;
const ASSETS = self.OFFLINE_FILES;
const PAGE = new URL(self.registration.scope).pathname; // the desk page, /<event-slug>/desk/

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
