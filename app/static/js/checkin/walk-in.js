// Attribute the walk-in's check-in to this device's desk, remembered by the desk page.
(function () {
  var input = document.querySelector("[data-desk-name]");
  var name = window.localStorage.getItem("noiday.deskName");
  if (input && name) input.value = name;
})();
