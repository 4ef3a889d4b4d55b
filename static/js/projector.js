// The projector (storskærm) is never scrolled: what a scene cannot fit turns pages by itself.
// A [data-paged] region holds one .paged-flow, a fixed-height block of CSS columns that
// overflows sideways; a page is one width of it (plus the column gap). Every PAGE_MS each region
// shows its next page and its .page-indicator says "Page 2 of 3". The server re-renders the
// whole scene on every change, so the page each region is on is kept here by its name.
// [data-fit] text (a long prompt, one note full-screen) shrinks until it fits its box.
(function () {
  "use strict";
  var PAGE_MS = 9000;
  var pageOf = {};  // data-paged name -> the page it shows

  function flowOf(region) { return region.querySelector(".paged-flow"); }

  function measure(region) {
    var flow = flowOf(region);
    if (!flow || !flow.clientWidth) return { flow: flow, step: 0, total: 1 };
    var gap = parseFloat(getComputedStyle(flow).columnGap) || 0;
    var step = flow.clientWidth + gap;
    var total = Math.max(1, Math.ceil((flow.scrollWidth + gap - 1) / step));
    return { flow: flow, step: step, total: total };
  }

  function show(region) {
    var m = measure(region);
    var name = region.dataset.paged;
    var page = Math.min(pageOf[name] || 0, m.total - 1);
    pageOf[name] = page;
    if (m.flow) m.flow.scrollLeft = page * m.step;
    region.dataset.page = String(page + 1);
    region.dataset.pages = String(m.total);
    var indicator = region.querySelector(".page-indicator");
    if (!indicator) return;
    indicator.hidden = m.total < 2;
    indicator.textContent = (indicator.dataset.label || "{n} / {total}")
      .replace("{n}", String(page + 1)).replace("{total}", String(m.total));
  }

  function fit() {
    document.querySelectorAll("#stage [data-fit], #stage .now-block .prompt").forEach(function (el) {
      el.style.removeProperty("font-size");  // CSSOM, not an inline attribute from markup
      var size = parseFloat(getComputedStyle(el).fontSize);
      var floor = size * 0.4;
      while ((el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1) && size > floor) {
        size = size * 0.92;
        el.style.fontSize = size + "px";
      }
    });
  }

  var scene = null;
  var timer = null;
  function layout() {
    var stage = document.getElementById("stage");
    if (stage && stage.dataset.scene !== scene) {  // a new scene starts on its first page
      scene = stage.dataset.scene;
      pageOf = {};
      if (timer) clearInterval(timer);
      timer = setInterval(turn, PAGE_MS);
    }
    fit();
    document.querySelectorAll("#stage [data-paged]").forEach(show);
  }

  function turn() {
    document.querySelectorAll("#stage [data-paged]").forEach(function (region) {
      var m = measure(region);
      var name = region.dataset.paged;
      pageOf[name] = ((pageOf[name] || 0) + 1) % m.total;
      show(region);
    });
  }

  document.addEventListener("htmx:wsAfterMessage", layout);
  document.addEventListener("htmx:oobAfterSwap", layout);
  window.addEventListener("resize", layout);
  window.addEventListener("DOMContentLoaded", layout);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(layout);
  timer = setInterval(turn, PAGE_MS);
  // for tests and whoever runs the screen: turn a page now
  document.addEventListener("keydown", function (e) { if (e.key === "ArrowRight" || e.key === " ") turn(); });
})();
