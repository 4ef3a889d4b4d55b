// samling's few lines of client script: CSRF for htmx requests, the live connection's hello
// and cursor, a watchdog, and the outbox that keeps every note until the server has it.
(function () {
  "use strict";
  // One outbox per person, so a shared tablet never sends A's pending notes as B's.
  var OUTBOX = "samling-outbox-v1";
  function outboxKey() {
    var live = document.getElementById("live");
    return OUTBOX + (live && live.dataset.member ? "-" + live.dataset.member : "");
  }
  var WATCHDOG_MS = 45000;
  var cursor = null;
  var lastMessage = Date.now();
  var socket = null;
  var resendTimer = null;

  function csrf() { return document.body ? document.body.dataset.csrf : ""; }
  function setState(state) {
    var el = document.getElementById("conn");
    if (el) el.dataset.state = state;
  }

  // -- outbox: {client_key: {msg, kind, text, client_key}} kept until acknowledged ------------
  function readOutbox() {
    try { return JSON.parse(localStorage.getItem(outboxKey()) || "{}"); } catch (e) { return {}; }
  }
  function writeOutbox(box) {
    try { localStorage.setItem(outboxKey(), JSON.stringify(box)); } catch (e) { /* private mode */ }
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }
  function pendingElement(item) {
    var li = document.createElement("li");
    li.id = "note-" + item.client_key;
    li.className = "note pending";
    li.textContent = item.text;
    return li;
  }
  function showPending() {
    var list = document.getElementById("my-notes");
    if (!list) return;
    var box = readOutbox();
    Object.keys(box).forEach(function (key) {
      if (!document.getElementById("note-" + key)) list.appendChild(pendingElement(box[key]));
    });
  }
  function settleOutbox() {
    var box = readOutbox();
    var changed = false;
    Object.keys(box).forEach(function (key) {
      var el = document.getElementById("note-" + key);
      if (el && (el.classList.contains("saved") || el.classList.contains("failed"))) {
        if (el.classList.contains("failed")) restoreFailed(box[key]);
        delete box[key];
        changed = true;
      }
    });
    if (changed) writeOutbox(box);
  }
  function restoreFailed(item) {  // a refused note's words go back into the form
    var text = document.getElementById("note-text");
    if (text && !text.value) text.value = item.text;
  }
  function resendPending() {
    if (!socket) return;
    var box = readOutbox();
    Object.keys(box).forEach(function (key) { socket.send(JSON.stringify(box[key])); });
  }
  function freshKey(form) {
    var input = form.querySelector("input[name=client_key]");
    if (input) input.value = newKey();
  }

  document.addEventListener("htmx:configRequest", function (e) {
    e.detail.headers["X-CSRF-Token"] = csrf();
  });

  document.addEventListener("htmx:wsOpen", function (e) {
    socket = e.detail.socketWrapper;
    lastMessage = Date.now();
    setState("open");
    socket.send(JSON.stringify({ msg: "hello", cursor: cursor }));
    resendPending();
  });
  document.addEventListener("htmx:wsClose", function () { setState("connecting"); });
  document.addEventListener("htmx:wsError", function () { setState("connecting"); });

  document.addEventListener("htmx:wsConfigSend", function (e) {
    var form = e.detail.elt;
    var params = e.detail.parameters;
    if (form && form.dataset && form.dataset.keyed) {  // e.g. a facilitator's paper note
      if (!params.client_key) params.client_key = newKey();
      setTimeout(function () { form.reset(); freshKey(form); }, 0);
      return;
    }
    if (!form || !form.dataset || form.dataset.outbox !== "note") return;
    if (!params.client_key) { params.client_key = newKey(); }
    if (!String(params.text || "").trim()) { e.preventDefault(); return; }
    var item = { msg: "note", kind: params.kind, text: params.text, client_key: params.client_key };
    if (params.item_id) item.item_id = params.item_id;  // a resend still answers the same phase
    var box = readOutbox();
    box[item.client_key] = item;
    writeOutbox(box);
    var list = document.getElementById("my-notes");
    if (list && !document.getElementById("note-" + item.client_key)) list.appendChild(pendingElement(item));
    form.reset();
    freshKey(form);
    try { localStorage.removeItem(DRAFT); } catch (err) { /* private mode */ }
  });

  // -- drafts: what someone is typing survives phase changes, snapshots and reloads ---------
  var DRAFT = "samling-draft-note";
  document.addEventListener("input", function (e) {
    if (e.target && e.target.dataset && e.target.dataset.draft) {
      try { localStorage.setItem(DRAFT, e.target.value); } catch (err) { /* private mode */ }
    }
  });
  function restoreDraft() {
    var area = document.querySelector("textarea[data-draft]");
    var draft = null;
    try { draft = localStorage.getItem(DRAFT); } catch (err) { /* private mode */ }
    if (area && !area.value && draft) area.value = draft;
  }

  // -- the timer: counts down from the server's end time, corrected for this clock's offset --
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    document.querySelectorAll("time.timer[data-ends]").forEach(function (el) {
      if (!el.dataset.offset) el.dataset.offset = String(Date.parse(el.dataset.now) - Date.now());
      var left = Math.round((Date.parse(el.dataset.ends) - (Date.now() + Number(el.dataset.offset))) / 1000);
      var abs = Math.abs(left);
      el.textContent = (left < 0 ? "-" : "") + pad(Math.floor(abs / 60)) + ":" + pad(abs % 60);
      el.classList.toggle("warning", left <= 120 && left >= 0);
      el.classList.toggle("over", left < 0);
    });
  }
  setInterval(tick, 1000);

  // -- filters on the facilitator's wall (table, kind, part, round) -------------------------
  function applyFilters() {
    document.querySelectorAll("[data-filter-for]").forEach(function (box) {
      var list = document.getElementById(box.dataset.filterFor);
      if (!list) return;
      var wanted = {};
      box.querySelectorAll("select[data-filter]").forEach(function (sel) {
        if (sel.value) wanted[sel.dataset.filter] = sel.value;
      });
      list.querySelectorAll("li.note").forEach(function (li) {
        li.hidden = Object.keys(wanted).some(function (k) { return li.dataset[k] !== wanted[k]; });
      });
    });
  }
  document.addEventListener("change", function (e) {
    if (e.target && e.target.dataset && e.target.dataset.filter) applyFilters();
  });

  document.addEventListener("htmx:wsAfterMessage", function () {
    lastMessage = Date.now();
    var c = document.getElementById("cursor");
    if (c && c.dataset.seq) cursor = parseInt(c.dataset.seq, 10);
    var hb = document.getElementById("heartbeat");
    if (hb && hb.dataset.seq) cursor = Math.max(cursor || 0, parseInt(hb.dataset.seq, 10));
    settleOutbox();
    showPending();
    restoreDraft();
    applyFilters();
    tick();
    var err = document.querySelector("#errors [data-code=rate_limited]");
    if (err) {
      err.removeAttribute("data-code");  // react once per refusal
      if (!resendTimer) resendTimer = setTimeout(function () { resendTimer = null; resendPending(); }, 5000);
    }
    document.querySelectorAll("form[data-outbox=note]").forEach(function (form) {
      var input = form.querySelector("input[name=client_key]");
      if (input && !input.value) freshKey(form);
    });
  });

  // Reconnect when the server went quiet, when the phone wakes up, or when the network returns.
  function reconnect() {
    var live = document.getElementById("live");
    if (!live) return;
    setState("connecting");
    var clone = live.cloneNode(true);
    live.replaceWith(clone); // the old element's cleanup closes its socket
    htmx.process(clone);
    lastMessage = Date.now();
  }
  setInterval(function () {
    if (document.getElementById("live") && Date.now() - lastMessage > WATCHDOG_MS) reconnect();
  }, 5000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && Date.now() - lastMessage > 25000) reconnect();
  });
  window.addEventListener("online", function () { reconnect(); });
  window.addEventListener("DOMContentLoaded", showPending);
})();
