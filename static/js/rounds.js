// Drag a person to another table in a planned round. The same move is always possible without
// dragging (the "move to" select next to each name, WCAG 2.5.7); this only submits that form.
(function () {
  "use strict";
  var dragged = null;
  document.addEventListener("dragstart", function (e) {
    var seat = e.target.closest && e.target.closest("li.seat[data-member]");
    if (!seat) return;
    dragged = seat;
    e.dataTransfer.setData("text/plain", seat.dataset.member);
  });
  document.addEventListener("dragover", function (e) {
    if (dragged && e.target.closest && e.target.closest(".drop-table")) e.preventDefault();
  });
  document.addEventListener("drop", function (e) {
    var table = e.target.closest && e.target.closest(".drop-table");
    if (!table || !dragged) return;
    e.preventDefault();
    var form = dragged.querySelector("form.move-form");
    if (form && form.closest(".drop-table").dataset.round === table.dataset.round) {
      form.querySelector("select[name=table_no]").value = table.dataset.table;
      form.submit();
    }
    dragged = null;
  });
})();
