// The notes pages' service worker: keeps a copy of each notes page the facilitator opened,
// with its styles and script, so that a reload without network still opens the notes
// (whose unsent text waits in localStorage). Online it always fetches fresh copies first.
// Saves and other requests are never cached or answered from here.
//
// Served from /facilitators/sw.js, so that its scope covers the facilitators' pages.

importScripts("/static/js/shared/sw-shared.js");

const CACHE_PREFIX = "noiday-notes-";
const CACHE = `${CACHE_PREFIX}v2`; // v2: scripts moved to /static/js/facilitation/
const NOTES_PAGE = /^\/facilitators\/tables\/\d+\/notes\/\d+$/;
// The notes page's styles and modules. The offline test (tests/test_browser_notes.py) fails
// when one is missing.
const ASSETS = [
  "/static/css/app.css",
  "/static/css/facilitators.css",
  "/static/js/facilitation/notes.js",
  "/static/js/facilitation/shared.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil(Promise.all(ASSETS.map((path) => cacheFresh(CACHE, path))).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(dropOldCaches(CACHE_PREFIX, CACHE).then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  const page = event.request.mode === "navigate" && NOTES_PAGE.test(url.pathname);
  if (page || ASSETS.includes(url.pathname)) event.respondWith(networkFirst(CACHE, event.request, url.pathname));
});

// A page asks for its own copy as soon as the worker runs (its first visit did not go
// through the worker); the answer tells it that a reload without network will work.
self.addEventListener("message", (event) => {
  if (event.data?.type !== "keep" || !NOTES_PAGE.test(event.data.path)) return;
  event.waitUntil(cacheFresh(CACHE, event.data.path).then(() => event.ports[0]?.postMessage("kept")));
});
