// samling's few lines of client script: CSRF for htmx requests, the live connection's hello
// and cursor, a watchdog, the connection state, and the outbox that keeps every note until the
// server has it.
(function () {
  "use strict";
  // One outbox and one half-typed note per person, so a shared tablet never sends A's pending
  // notes as B's, nor shows B what A was typing.
  var OUTBOX = "samling-outbox-v1";
  var DRAFT = "samling-draft-note";
  function perMember(key) {
    var live = document.getElementById("live");
    return key + (live && live.dataset.member ? "-" + live.dataset.member : "");
  }
  function outboxKey() { return perMember(OUTBOX); }
  function draftKey() { return perMember(DRAFT); }
  var WATCHDOG_MS = 45000;
  var cursor = null;
  var lastMessage = Date.now();
  var socket = null;
  var resendTimer = null;

  function csrf() { return document.body ? document.body.dataset.csrf : ""; }
  // "open", "connecting" or "offline": the page says at once when the network is gone.
  function setState(state) {
    if (state !== "open" && navigator.onLine === false) state = "offline";
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
    var text = document.createElement("span");
    text.className = "text";
    text.textContent = item.text;
    li.appendChild(text);
    markNote(li);
    return li;
  }
  // Each of my notes says in words whether the server has it (the list carries the words in
  // the page's language: "not sent yet…", "sent").
  function markNote(li) {
    var list = document.getElementById("my-notes");
    if (!list) return;
    var state = li.classList.contains("pending") ? "pending" : li.classList.contains("saved") ? "saved" : "";
    var status = li.querySelector(":scope > .note-status");
    if (!state) { if (status) status.remove(); return; }
    if (status && status.dataset.state === state) return;
    if (!status) {
      status = document.createElement("span");
      status.className = "note-status";
      var text = li.querySelector(":scope > .text");
      if (text) text.after(status); else li.appendChild(status);
    }
    status.dataset.state = state;
    status.textContent = list.dataset[state] || "";
  }
  function markNotes() {
    document.querySelectorAll("#my-notes > li.note").forEach(markNote);
  }
  function showPending() {
    var list = document.getElementById("my-notes");
    if (!list) return;
    var box = readOutbox();
    Object.keys(box).forEach(function (key) {
      if (isVote(box[key])) { markVotePending(box[key]); return; }  // votes: see below
      if (isQuestion(box[key])) { showQuestionPending(box[key]); return; }  // questions: below
      if (!document.getElementById("note-" + key)) list.appendChild(pendingElement(box[key]));
    });
    markNotes();
  }
  function settleOutbox() {
    var box = readOutbox();
    var changed = false;
    Object.keys(box).forEach(function (key) {
      var el = document.getElementById((isVote(box[key]) ? "vote-" : isQuestion(box[key]) ? "question-" : "note-") + key);
      if (el && (el.classList.contains("saved") || el.classList.contains("failed"))) {
        if (el.classList.contains("failed")) (isVote(box[key]) ? voteFailed : isQuestion(box[key]) ? questionFailed : restoreFailed)(box[key]);
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
  // -- votes (app/ballot): kept in the same outbox as notes, acked by #vote-<client_key> -------
  // A form with data-outbox="vote" sends {msg: "vote", ballot_id, recommendation_id, choice,
  // client_key}; a newer choice on the same recommendation replaces an unacknowledged one.
  function isVote(item) { return item && item.msg === "vote"; }
  function voteStatus(item) { return document.getElementById("vote-status-" + item.recommendation_id); }
  function markVotePending(item) {
    var status = voteStatus(item);
    var form = document.getElementById("vote-form-" + item.recommendation_id);
    if (!status || !form) return;
    status.className = "vote-status pending";
    status.textContent = form.dataset.pending || "";
    var radio = form.querySelector('input[name=choice][value="' + String(item.choice).replace(/[^\w-]/g, "") + '"]');
    if (radio) radio.checked = true;
  }
  function voteFailed(item) {
    var status = voteStatus(item);
    if (status && status.classList.contains("pending")) { status.className = "vote-status"; status.textContent = ""; }
  }
  function queueVote(form, params) {
    if (!params.client_key) params.client_key = newKey();
    var item = { msg: "vote", ballot_id: params.ballot_id, recommendation_id: params.recommendation_id,
                 choice: params.choice, client_key: params.client_key };
    var box = readOutbox();
    Object.keys(box).forEach(function (key) {
      if (isVote(box[key]) && box[key].ballot_id === item.ballot_id &&
          box[key].recommendation_id === item.recommendation_id) delete box[key];
    });
    box[item.client_key] = item;
    writeOutbox(box);
    markVotePending(item);
    freshKey(form);
  }

  // -- questions to the expert (app/programme): the same outbox, acked by #question-<client_key> --
  // A form with data-outbox="question" sends {msg: "question", text, client_key}; the pending
  // question stands in #my-questions until the ack (class "saved") or a refusal ("failed").
  function isQuestion(item) { return item && item.msg === "question"; }
  function showQuestionPending(item) {
    var list = document.getElementById("my-questions");
    if (!list || document.getElementById("question-" + item.client_key)) return;
    var li = document.createElement("li");
    li.id = "question-" + item.client_key;
    li.className = "question pending";
    var text = document.createElement("span");
    text.className = "text";
    text.textContent = item.text;
    var status = document.createElement("span");
    status.className = "question-status";
    status.textContent = list.dataset.pending || "";
    li.appendChild(text);
    li.appendChild(status);
    list.appendChild(li);
  }
  function questionFailed(item) {  // a refused question's words go back into its form
    var text = document.getElementById("question-text");
    if (text && !text.value) text.value = item.text;
  }
  function queueQuestion(form, params, e) {
    if (!params.client_key) params.client_key = newKey();
    if (!String(params.text || "").trim()) { e.preventDefault(); return; }
    var item = { msg: "question", text: params.text, client_key: params.client_key };
    var box = readOutbox();
    box[item.client_key] = item;
    writeOutbox(box);
    showQuestionPending(item);
    form.reset();
    freshKey(form);
  }

  function freshKey(form) {
    var input = form.querySelector("input[name=client_key]");
    if (input) input.value = newKey();
  }

  document.addEventListener("htmx:configRequest", function (e) {
    e.detail.headers["X-CSRF-Token"] = csrf();
  });

  // -- every frame from the server, before htmx swaps it: the cursor and the heartbeat are
  // read here (the page has no element for them), and "delete if present" (the first half of a
  // note's upsert) is dropped when the page has no such element, so htmx logs no missing target.
  function readFrame(text) {
    lastMessage = Date.now();
    if (text.indexOf("hx-swap-oob") < 0) return text;
    var tpl = document.createElement("template");
    tpl.innerHTML = text;
    var changed = false;
    Array.prototype.slice.call(tpl.content.children).forEach(function (el) {
      var oob = el.getAttribute("hx-swap-oob");
      if (el.id === "cursor" || el.id === "heartbeat") {
        var seq = parseInt(el.getAttribute("data-seq"), 10);
        if (!isNaN(seq)) cursor = el.id === "cursor" ? seq : Math.max(cursor || 0, seq);
        el.remove();
        changed = true;
      } else if (oob === "delete" && el.id && !document.getElementById(el.id)) {
        el.remove();
        changed = true;
      }
    });
    var live = document.getElementById("live");
    if (live && cursor !== null) live.dataset.cursor = String(cursor);
    return changed ? tpl.innerHTML : text;
  }
  // Active on every page: base.html puts hx-ext="samling" on <body>. Only websocket frames
  // (no xhr) are read; ordinary htmx responses pass through unchanged.
  if (window.htmx) {
    htmx.defineExtension("samling", {
      transformResponse: function (text, xhr) { return xhr ? text : readFrame(text); },
    });
    // The websocket extension retries a lost socket with a growing random delay; without a
    // network every try fails, so wait for the "online" event instead (it reconnects at once).
    htmx.config.wsReconnectDelay = function (retries) {
      if (navigator.onLine === false) return 3600000;
      return 1000 * Math.pow(2, Math.min(retries, 6)) * Math.random();
    };
  }

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
    if (form && form.dataset && form.dataset.outbox === "vote") { queueVote(form, params); return; }
    if (form && form.dataset && form.dataset.outbox === "question") { queueQuestion(form, params, e); return; }
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
    try { localStorage.removeItem(draftKey()); } catch (err) { /* private mode */ }
  });

  // -- what someone is typing survives phase changes, snapshots and reloads (per person) -----
  document.addEventListener("input", function (e) {
    if (e.target && e.target.dataset && e.target.dataset.draft) {
      try { localStorage.setItem(draftKey(), e.target.value); } catch (err) { /* private mode */ }
    }
  });
  function restoreDraft() {
    var area = document.querySelector("textarea[data-draft]");
    var draft = null;
    try { draft = localStorage.getItem(draftKey()); } catch (err) { /* private mode */ }
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
    document.querySelectorAll("form[data-outbox]").forEach(function (form) {
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
  // The network is gone: say so now (the socket may take a while to notice), keep every note in
  // the outbox; when it returns, reconnect at once and resume from the cursor.
  window.addEventListener("offline", function () { setState("offline"); });
  window.addEventListener("online", function () { reconnect(); });
  window.addEventListener("DOMContentLoaded", function () {
    if (navigator.onLine === false) setState("offline");
    showPending();
  });
})();
