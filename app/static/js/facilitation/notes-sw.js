// The notes pages' service worker: keeps a copy of each notes page the facilitator opened,
// with its styles and script, so that a reload without network still opens the notes
// (whose unsent text waits in localStorage). Online it always fetches fresh copies first.
// Saves and other requests are never cached or answered from here.
//
// Served from /<event-slug>/facilitators/sw.js, so that its scope covers the facilitators' pages, with
// its list of files in front (app/core/offline.py).

importScripts("/static/js/shared/sw-shared.js");

const CACHE_PREFIX = "noiday-notes-";
// The server (app/core/offline.py) writes both in front of this script: every file the
// notes page loads (modules followed through their imports), and a cache name that changes
// with their contents.
const CACHE = self.OFFLINE_CACHE;
const ASSETS = self.OFFLINE_FILES;
// The scope is the event's facilitators' pages, /<event-slug>/facilitators/.
const SCOPE = new URL(self.registration.scope).pathname;
const NOTES_PAGE_IN_SCOPE = /^tables\/\d+\/notes\/\d+$/;
const isNotesPage = (path) => path.startsWith(SCOPE) && NOTES_PAGE_IN_SCOPE.test(path.slice(SCOPE.length));

self.addEventListener("install", (event) => {
  event.waitUntil(Promise.all(ASSETS.map((path) => cacheFresh(CACHE, path))).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(dropOldCaches(CACHE_PREFIX, CACHE).then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  const page = event.request.mode === "navigate" && isNotesPage(url.pathname);
  if (page || ASSETS.includes(url.pathname)) event.respondWith(networkFirst(CACHE, event.request, url.pathname));
});

// A page asks for its own copy as soon as the worker runs (its first visit did not go
// through the worker); the answer tells it that a reload without network will work.
self.addEventListener("message", (event) => {
  if (event.data?.type !== "keep" || !isNotesPage(event.data.path)) return;
  event.waitUntil(cacheFresh(CACHE, event.data.path).then(() => event.ports[0]?.postMessage("kept")));
});
