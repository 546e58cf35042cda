// A service worker (desk-sw.js, served at /desk/sw.js) keeps a copy of the desk page and
// its scripts, so that a reload without network still opens the desk and its queue.
// root.dataset.offlineReady says when that copy is in place.

export async function enableOfflineReload(root) {
  const url = root.dataset.serviceWorker;
  if (!url || !("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register(url, { scope: root.dataset.serviceWorkerScope });
    await navigator.serviceWorker.ready;
    root.dataset.offlineReady = "true";
  } catch (error) {
    console.warn("The desk cannot be reloaded offline:", error);
  }
}
