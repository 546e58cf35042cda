// The organisers' page of figures: fetch its figures again every minute while the page is
// shown (not in a hidden tab), keeping open whichever tables of numbers the reader opened.
(function () {
  "use strict";
  var live = document.getElementById("figures-live");
  if (!live) return;
  var url = live.getAttribute("data-fragment-url");
  var every = parseInt(live.getAttribute("data-every-ms"), 10) || 60000;
  var last = Date.now();
  var busy = false;

  function refresh() {
    if (busy || document.visibilityState !== "visible") return;
    busy = true;
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error("status " + response.status);
        return response.text();
      })
      .then(function (html) {
        var open = Array.prototype.map.call(live.querySelectorAll("details[open]"), function (d) { return d.id; });
        live.innerHTML = html;  // our own page's HTML, escaped by its templates
        open.forEach(function (id) {
          var details = id && document.getElementById(id);
          if (details) details.open = true;
        });
        last = Date.now();
      })
      .catch(function () { /* keep what is shown; try again at the next tick */ })
      .then(function () { busy = false; });
  }

  setInterval(refresh, every);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && Date.now() - last >= every) refresh();
  });
})();
