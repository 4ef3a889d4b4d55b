// The theme board: drag a note onto a theme (or back to the unplaced notes). Dropping fills in
// the note's own "move to…" form and submits it, so dragging and the select do the same thing.
(function () {
  "use strict";
  var dragged = null;

  function zoneOf(target) {
    return target && target.closest ? target.closest("[data-drop-theme]") : null;
  }
  function clearZones() {
    document.querySelectorAll(".drop-here").forEach(function (el) { el.classList.remove("drop-here"); });
  }

  document.addEventListener("dragstart", function (e) {
    var card = e.target && e.target.closest ? e.target.closest("[data-note-id]") : null;
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.dataset.noteId);
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clearZones();
  });
  document.addEventListener("dragover", function (e) {
    var zone = zoneOf(e.target);
    if (!zone || !dragged) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    if (!zone.classList.contains("drop-here")) { clearZones(); zone.classList.add("drop-here"); }
  });
  document.addEventListener("drop", function (e) {
    var zone = zoneOf(e.target);
    if (!zone || !dragged) return;
    e.preventDefault();
    var form = dragged.querySelector("form[data-move]");
    var select = form ? form.querySelector("select[name=theme_id]") : null;
    clearZones();
    if (!select || select.value === zone.dataset.dropTheme) return;
    select.value = zone.dataset.dropTheme;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });
})();
