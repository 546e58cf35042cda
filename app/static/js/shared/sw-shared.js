// What the desk's and the notes pages' service workers share (loaded with importScripts).
// Both keep copies in caches of this origin, each under its own name prefix.

const NETWORK_TIMEOUT_MS = 4000;

// Only a real copy is kept: a redirect (to the sign-in page, say) or an error is not.
function worthKeeping(response) {
  return response.ok && !response.redirected && response.type === "basic";
}

async function cacheFresh(cacheName, path) {
  try {
    const response = await fetch(path, { cache: "no-store" });
    if (worthKeeping(response)) await (await caches.open(cacheName)).put(path, response);
  } catch {
    // Not reachable now (or not built, like a missing vendor file): cached on first use.
  }
}

// The network first, kept under `key`; the kept copy when the network fails or is slow.
async function networkFirst(cacheName, request, key) {
  const cache = await caches.open(cacheName);
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

// Older versions of this worker's cache go; the other worker's caches stay.
async function dropOldCaches(prefix, current) {
  const names = await caches.keys();
  await Promise.all(names.filter((name) => name.startsWith(prefix) && name !== current).map((name) => caches.delete(name)));
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("network timeout")), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
