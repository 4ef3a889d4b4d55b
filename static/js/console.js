// The facilitator console's few lines: the two-step "Close item?" confirm (a <details>; this
// adds Cancel, Escape and tapping elsewhere), and live "connected" counts per table.
(function () {
  "use strict";

  function closeConfirms(except) {
    document.querySelectorAll("details[data-confirm][open]").forEach(function (d) {
      if (d !== except) d.open = false;
    });
  }
  document.addEventListener("click", function (e) {
    var target = e.target;
    if (!target || !target.closest) return;
    var dismiss = target.closest("[data-dismiss]");
    if (dismiss) {
      var box = dismiss.closest("details");
      if (box) {
        box.open = false;
        var summary = box.querySelector("summary");
        if (summary) summary.focus();
      }
      return;
    }
    closeConfirms(target.closest("details[data-confirm]"));
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var open = document.querySelector("details[data-confirm][open]");
    if (!open) return;
    open.open = false;
    var summary = open.querySelector("summary");
    if (summary) summary.focus();
  });

  // A presence event swaps one person's <li>; the counts around it follow here.
  function recount() {
    document.querySelectorAll("[data-online-count]").forEach(function (el) {
      var scope = el.closest("[data-presence-scope]");
      if (scope) el.textContent = String(scope.querySelectorAll(".person.online").length);
    });
  }
  document.addEventListener("htmx:wsAfterMessage", recount);
  window.addEventListener("DOMContentLoaded", recount);
})();
