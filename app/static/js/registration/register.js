// Show the lunch and world café questions only when those parts are ticked.
// Without JavaScript every question stays visible, and the server ignores what is not needed.
(function () {
  var form = document.getElementById("registration-form");
  if (!form) return;
  var boxes = form.querySelectorAll("input[name=day_parts]");
  function update() {
    var chosen = {};
    boxes.forEach(function (box) { if (box.checked) chosen[box.dataset.kind] = true; });
    form.querySelectorAll("[data-shows-with]").forEach(function (block) {
      block.hidden = !chosen[block.dataset.showsWith];
    });
  }
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
})();
