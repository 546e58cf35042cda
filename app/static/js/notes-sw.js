// The notes pages' service worker: keeps a copy of each notes page the facilitator opened,
// with its styles and script, so that a reload without network still opens the notes
// (whose unsent text waits in localStorage). Online it always fetches fresh copies first.
// Saves and other requests are never cached or answered from here.
//
// Served from /facilitators/sw.js, so that its scope covers the facilitators' pages.

const CACHE = "noiday-notes-v1";
const NOTES_PAGE = /^\/facilitators\/tables\/\d+\/notes\/\d+$/;
const ASSETS = ["/static/css/app.css", "/static/css/facilitators.css", "/static/js/notes.js"];
const NETWORK_TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(Promise.all(ASSETS.map(cacheFresh)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith("noiday-notes-") && name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  const page = event.request.mode === "navigate" && NOTES_PAGE.test(url.pathname);
  if (page || ASSETS.includes(url.pathname)) event.respondWith(networkFirst(event.request, url.pathname));
});

// A page asks for its own copy as soon as the worker runs (its first visit did not go
// through the worker); the answer tells it that a reload without network will work.
self.addEventListener("message", (event) => {
  if (event.data?.type !== "keep" || !NOTES_PAGE.test(event.data.path)) return;
  event.waitUntil(cacheFresh(event.data.path).then(() => event.ports[0]?.postMessage("kept")));
});

// Only a real copy is kept: a redirect (to the sign-in page, say) or an error is not.
function worthKeeping(response) {
  return response.ok && !response.redirected && response.type === "basic";
}

async function cacheFresh(path) {
  try {
    const response = await fetch(path, { cache: "no-store" });
    if (worthKeeping(response)) await (await caches.open(CACHE)).put(path, response);
  } catch {
    // Not reachable now: cached on first use.
  }
}

async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  try {
    const response = await withTimeout(fetch(request), NETWORK_TIMEOUT_MS);
    if (worthKeeping(response)) await cache.put(key, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(key, { ignoreVary: true });
    if (cached) return cached;
    throw error;
  }
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("network timeout")), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
