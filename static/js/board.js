// The theme board and the drafts pages, live and made for a tablet.
//
// Live: the page's socket (?page=board|drafts) brings a signal (#page-signal) naming what changed
// (data-topics "board:4", "drafts:3 drafts:*", "*"); every region [data-refresh] whose topic is
// named and whose data-seq is older is fetched again from the page's own URL and swapped in,
// keeping the notes chosen, open menus, what is being typed and the scroll of inner lists.
//
// Board: tap a note to choose it (the card is the checkbox's label), then act on all chosen notes
// with the sticky bar; or drag a note (a mouse anywhere on the card, a finger or pen by its ⠿
// grip; Pointer Events, so touch works) onto a theme: the page scrolls when the note nears its
// top or bottom edge. A drop posts the same "move" as the bar, so both do the same thing. The
// board's forms are sent with fetch and the board swapped in place: the page keeps its place.
(function () {
  "use strict";

  var EDGE = 70;          // px from the window's edge where a drag scrolls the page
  var MAX_SPEED = 22;     // px per frame at the very edge
  var DRAG_START = 6;     // px a pointer moves before a press becomes a drag

  // -- fetching the page again, region by region ---------------------------------------------
  var busy = false;       // an own action or a refresh is on its way
  var dragging = null;    // the drag in progress, if any
  var wanted = {};        // region id → signal seq that asks for it
  var timer = null;

  function pageUrl() {
    var url = new URL(window.location.href);
    url.searchParams.delete("error");
    url.hash = "";
    return url.toString();
  }

  function matches(region, topics) {
    var own = (region.dataset.refresh || "").split(" ");
    return topics.some(function (t) {
      if (t === "*") return true;
      return own.some(function (o) {
        if (o === t) return true;
        var a = o.split(":"), b = t.split(":");
        return a[0] === b[0] && (a[1] === "*" || b[1] === "*");
      });
    });
  }

  function onSignal() {
    var signal = document.getElementById("page-signal");
    if (!signal || !signal.dataset.seq) return;
    var seq = parseInt(signal.dataset.seq, 10);
    var topics = (signal.dataset.topics || "").split(" ").filter(Boolean);
    if (!topics.length) return;
    document.querySelectorAll("[data-refresh]").forEach(function (region) {
      if (parseInt(region.dataset.seq || "0", 10) >= seq) return;
      if (!matches(region, topics)) return;
      wanted[region.id] = Math.max(wanted[region.id] || 0, seq);
    });
    schedule(250);
  }

  function schedule(ms) {
    if (timer) return;
    timer = setTimeout(function () { timer = null; refresh(); }, ms);
  }

  function refresh() {
    var ids = Object.keys(wanted);
    if (!ids.length) return;
    if (busy || dragging || queue.length) { schedule(400); return; }
    wanted = {};
    busy = true;
    fetch(pageUrl(), { credentials: "same-origin", headers: { "X-Samling-Refresh": "1" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        ids.forEach(function (id) {
          var old = document.getElementById(id);
          var fresh = doc.getElementById(id);
          if (old && fresh) swapKeeping(old, fresh);
        });
      })
      .catch(function () { ids.forEach(function (id) { wanted[id] = 1; }); schedule(3000); })
      .then(function () { busy = false; afterSwap(); pump(); if (Object.keys(wanted).length) schedule(250); });
  }

  // Replace a region with its fresh copy, keeping what the person has in hand.
  function swapKeeping(old, fresh) {
    var keep = { checked: {}, open: {}, values: {}, scroll: {}, focus: null };
    old.querySelectorAll("input[type=checkbox]:checked").forEach(function (el) {
      keep.checked[el.name + "=" + el.value] = true;
    });
    old.querySelectorAll("details[open][id]").forEach(function (el) { keep.open[el.id] = true; });
    old.querySelectorAll("input[id], textarea[id], select[id]").forEach(function (el) {
      if (el.type === "checkbox" || el.type === "hidden") return;
      var changed = el.tagName === "SELECT" ? el.selectedIndex > 0 : el.value !== el.defaultValue;
      if (changed) keep.values[el.id] = el.value;
    });
    old.querySelectorAll("[data-keep-scroll][id]").forEach(function (el) { keep.scroll[el.id] = el.scrollTop; });
    if (document.activeElement && old.contains(document.activeElement) && document.activeElement.id) {
      keep.focus = document.activeElement.id;
    }
    fresh = document.importNode(fresh, true);
    fresh.querySelectorAll("input[type=checkbox]").forEach(function (el) {
      if (keep.checked[el.name + "=" + el.value]) el.checked = true;
    });
    Object.keys(keep.open).forEach(function (id) { var d = fresh.querySelector("#" + CSS.escape(id)); if (d) d.open = true; });
    Object.keys(keep.values).forEach(function (id) {
      var el = fresh.querySelector("#" + CSS.escape(id));
      if (!el) return;
      if (el.tagName === "SELECT") {
        if (Array.prototype.some.call(el.options, function (o) { return o.value === keep.values[id]; })) el.value = keep.values[id];
      } else { el.value = keep.values[id]; }
    });
    // a refresh never brings back an error that belonged to an earlier action
    var refused = fresh.querySelector("#refused");
    if (refused) refused.remove();
    var oldRefused = old.querySelector("#refused");
    if (oldRefused) fresh.insertBefore(oldRefused, fresh.firstChild);
    old.replaceWith(fresh);
    Object.keys(keep.scroll).forEach(function (id) { var el = document.getElementById(id); if (el) el.scrollTop = keep.scroll[id]; });
    if (keep.focus) { var f = document.getElementById(keep.focus); if (f) f.focus({ preventScroll: true }); }
  }

  document.addEventListener("htmx:wsAfterMessage", onSignal);

  // -- the board's own forms: sent with fetch, the board swapped in place ----------------------
  // A tap is never lost: while a refresh or another action is on its way, it waits its turn.
  var queue = [];
  function postForm(form, data) {
    queue.push([form, data]);
    pump();
  }
  function pump() {
    if (busy || !queue.length) return;
    var job = queue.shift();
    send(job[0], job[1]);
  }
  function send(form, data) {
    busy = true;
    var live = document.getElementById("board-live");
    if (live) live.setAttribute("aria-busy", "true");
    // getAttribute: a control named "action" hides the form's .action property
    fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRF-Token": document.body.dataset.csrf || "" } })
      .then(function (r) {
        if (!r.ok) return Promise.reject(r.status);
        var url = new URL(r.url);
        return r.text().then(function (html) { return { html: html, url: url }; });
      })
      .then(function (res) {
        var doc = new DOMParser().parseFromString(res.html, "text/html");
        var fresh = doc.getElementById("board-live");
        var old = document.getElementById("board-live");
        if (!fresh || !old) { window.location.assign(res.url.toString()); return; }
        var focusId = document.activeElement && document.activeElement.id;
        old.replaceWith(document.importNode(fresh, true));
        var refused = document.getElementById("refused");
        if (refused) { refused.setAttribute("tabindex", "-1"); refused.focus(); }
        else if (focusId && document.getElementById(focusId)) document.getElementById(focusId).focus({ preventScroll: true });
      })
      .catch(function (err) { if (window.console) console.error("board: " + err); window.location.assign(pageUrl()); })
      .then(function () { busy = false; afterSwap(); pump(); if (Object.keys(wanted).length) schedule(250); });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-board-form") || !window.fetch) return;
    e.preventDefault();
    var data = new FormData(form);
    var by = e.submitter;
    if (by && by.name) data.append(by.name, by.value);
    postForm(form, data);
  });

  // -- choosing notes --------------------------------------------------------------------------
  function chosen() {
    return Array.prototype.slice.call(document.querySelectorAll("input[name=note_ids][form=selection]:checked"));
  }
  function afterSwap() {
    // a draft saved elsewhere while this page's edit form is open: say so, keep the form
    var head = document.getElementById("draft-head");
    var edit = document.getElementById("edit-form");
    var newer = document.getElementById("newer-version");
    if (head && edit && newer) newer.hidden = !(parseInt(head.dataset.version, 10) > parseInt(edit.dataset.version, 10));
    var bar = document.getElementById("selection");
    if (!bar) return;
    // the notes not in a theme stay in view below the bar (CSSOM: allowed by the strict CSP)
    document.documentElement.style.setProperty("--bar-h", bar.offsetHeight + "px");
    var picked = chosen();
    var count = bar.querySelector("[data-sel-count]");
    if (count) count.textContent = String(picked.length);
    bar.classList.toggle("has-choice", picked.length > 0);
    var clear = bar.querySelector("[data-clear]");
    if (clear) clear.hidden = picked.length === 0;
    var trail = bar.querySelector("[data-trail]");
    if (trail) {
      trail.hidden = picked.length !== 1;
      if (picked.length === 1) trail.href = trail.href.replace(/\/notes\/\d+$/, "/notes/" + picked[0].value);
    }
    var newfrom = bar.querySelector("[data-newfrom]");
    if (newfrom) {
      if (!newfrom.dataset.label) newfrom.dataset.label = newfrom.textContent;
      var homes = {};
      picked.forEach(function (el) { homes[el.closest("[data-theme]").dataset.theme] = true; });
      var keys = Object.keys(homes);
      var split = keys.length === 1 && keys[0] !== "out";
      newfrom.textContent = split ? newfrom.dataset.splitLabel : newfrom.dataset.label;
    }
  }
  document.addEventListener("change", function (e) {
    if (e.target && e.target.name === "note_ids") afterSwap();
  });
  document.addEventListener("click", function (e) {
    var clear = e.target.closest && e.target.closest("[data-clear]");
    if (!clear) return;
    chosen().forEach(function (el) { el.checked = false; });
    afterSwap();
  });
  document.addEventListener("keydown", function (e) {  // Enter in the name field makes the theme
    if (e.key === "Enter" && e.target && e.target.id === "new-name") {
      e.preventDefault();
      var b = document.querySelector("[data-newfrom]");
      if (b) b.click();
    }
    if (e.key === "Escape" && dragging) endDrag(false);
  });

  // -- dragging with Pointer Events (mouse, finger, pen) ---------------------------------------
  var press = null;
  var justDragged = false;

  document.addEventListener("pointerdown", function (e) {
    justDragged = false;  // a finger's drag ends without a click: never swallow the next tap
    if (e.button !== 0) return;
    var card = e.target.closest && e.target.closest(".board-note");
    if (!card) return;
    var onGrip = !!e.target.closest(".grip");
    if (!onGrip && (e.pointerType !== "mouse" || e.target.closest("button, a, form, input, select"))) return;
    press = { card: card, x: e.clientX, y: e.clientY, id: e.pointerId, grip: onGrip };
    if (onGrip) e.preventDefault();
  });

  document.addEventListener("pointermove", function (e) {
    if (dragging) {
      if (e.pointerId !== dragging.id) return;
      e.preventDefault();
      dragging.x = e.clientX; dragging.y = e.clientY;
      place();
      return;
    }
    if (!press || e.pointerId !== press.id) return;
    if (Math.abs(e.clientX - press.x) + Math.abs(e.clientY - press.y) < DRAG_START) return;
    startDrag(e);
  }, { passive: false });

  document.addEventListener("pointerup", function (e) {
    if (dragging && e.pointerId === dragging.id) endDrag(true);
    press = null;
  });
  document.addEventListener("pointercancel", function () { if (dragging) endDrag(false); press = null; });
  document.addEventListener("click", function (e) {  // the press that dragged is not also a tap
    if (justDragged) { e.preventDefault(); e.stopPropagation(); justDragged = false; }
  }, true);

  function startDrag(e) {
    var card = press.card;
    var box = card.getBoundingClientRect();
    var picked = chosen().map(function (el) { return el.value; });
    var own = card.dataset.noteId;
    var ids = picked.indexOf(own) >= 0 ? picked : [own];
    var ghost = card.cloneNode(true);
    ghost.removeAttribute("id");
    ghost.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
    ghost.querySelectorAll("input").forEach(function (el) { el.removeAttribute("name"); el.removeAttribute("form"); });
    ghost.classList.add("ghost");
    ghost.setAttribute("aria-hidden", "true");
    ghost.style.width = box.width + "px";  // CSSOM, not an inline style attribute: CSP allows it
    if (ids.length > 1) ghost.dataset.count = String(ids.length);
    document.body.appendChild(ghost);
    dragging = {
      id: e.pointerId, card: card, ids: ids, ghost: ghost, zone: null,
      dx: press.x - box.left, dy: press.y - box.top, x: e.clientX, y: e.clientY, frame: 0
    };
    press = null;
    card.classList.add("dragging");
    document.body.classList.add("is-dragging");
    try { (e.target.setPointerCapture ? e.target : card).setPointerCapture(e.pointerId); } catch (err) { /* gone */ }
    place();
    dragging.frame = requestAnimationFrame(autoScroll);
  }

  function place() {
    var d = dragging;
    d.ghost.style.transform = "translate(" + (d.x - d.dx) + "px," + (d.y - d.dy) + "px)";
    var under = document.elementFromPoint(d.x, d.y);
    var zone = under && under.closest ? under.closest("[data-drop-theme]") : null;
    if (zone !== d.zone) {
      if (d.zone) d.zone.classList.remove("drop-here");
      if (zone) zone.classList.add("drop-here");
      d.zone = zone;
    }
  }

  // Near the window's edge the page scrolls; near the edge of an inner list (the notes not in a
  // theme scroll on their own) that list scrolls.
  function autoScroll() {
    var d = dragging;
    if (!d) return;
    var speed = 0;
    if (d.y < EDGE) speed = -MAX_SPEED * (EDGE - d.y) / EDGE;
    else if (d.y > window.innerHeight - EDGE) speed = MAX_SPEED * (d.y - (window.innerHeight - EDGE)) / EDGE;
    if (speed) window.scrollBy(0, Math.round(speed));
    var under = document.elementFromPoint(d.x, d.y);
    var inner = under && under.closest ? under.closest("[data-keep-scroll]") : null;
    if (inner && inner.scrollHeight > inner.clientHeight) {
      var r = inner.getBoundingClientRect();
      if (d.y < r.top + EDGE / 2) inner.scrollTop -= MAX_SPEED / 2;
      else if (d.y > r.bottom - EDGE / 2) inner.scrollTop += MAX_SPEED / 2;
    }
    if (speed || inner) place();
    d.frame = requestAnimationFrame(autoScroll);
  }

  function endDrag(drop) {
    var d = dragging;
    dragging = null;
    cancelAnimationFrame(d.frame);
    d.ghost.remove();
    d.card.classList.remove("dragging");
    document.body.classList.remove("is-dragging");
    if (d.zone) d.zone.classList.remove("drop-here");
    justDragged = true;
    setTimeout(function () { justDragged = false; }, 0);
    if (!drop || !d.zone) return;
    var target = d.zone.dataset.dropTheme;
    var moving = d.ids.filter(function (id) {
      var card = document.getElementById("n-" + id);
      return card && card.dataset.theme !== target;
    });
    var bar = document.getElementById("selection");
    if (!moving.length || !bar) return;
    var data = new FormData();
    data.append("csrf_token", bar.querySelector("input[name=csrf_token]").value);
    data.append("action", "move");
    data.append("theme_id", target);
    moving.forEach(function (id) { data.append("note_ids", id); });
    postForm(bar, data);
  }

  document.addEventListener("DOMContentLoaded", afterSwap);
  window.addEventListener("resize", afterSwap);
})();
