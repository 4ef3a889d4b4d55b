// The programme's console pages (app/programme): find a member by name in the attendance list,
// read join cards' QR codes with the tablet's camera (BarcodeDetector, secure contexts only;
// finding by name stays the fallback), and keep the questions list fresh while nobody works in it.
(function () {
  "use strict";

  // -- find by name: hide the rows that do not match what is typed -------------------------
  document.addEventListener("input", function (e) {
    var box = e.target;
    if (!box || !box.dataset || !box.dataset.filterList) return;
    var list = document.getElementById(box.dataset.filterList);
    if (!list) return;
    var wanted = box.value.trim().toLowerCase();
    list.querySelectorAll("li[data-name]").forEach(function (li) {
      li.hidden = wanted !== "" && li.dataset.name.indexOf(wanted) < 0;
    });
  });

  // -- the camera: what the detector reads goes into the scan form and is sent --------------
  function startScanner() {
    var box = document.getElementById("scan");
    var start = document.getElementById("scan-start");
    var video = document.getElementById("scan-video");
    var form = document.getElementById("scan-form");
    var input = document.getElementById("scan-input");
    if (!box || !start || !video || !form || !input) return;
    var able = window.isSecureContext && "BarcodeDetector" in window &&
      navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
    if (!able) {
      var note = document.getElementById("scan-unsupported");
      if (note) note.hidden = false;
      return;
    }
    start.hidden = false;
    var last = "";
    var lastAt = 0;
    start.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        start.hidden = true;
        video.play();
        function look() {
          detector.detect(video).then(function (codes) {
            var now = Date.now();
            if (codes.length && (codes[0].rawValue !== last || now - lastAt > 5000)) {
              last = codes[0].rawValue;
              lastAt = now;
              input.value = last;
              if (form.requestSubmit) form.requestSubmit(); else form.submit();
            }
          }).catch(function () { /* a frame it could not read */ }).then(function () {
            setTimeout(look, 400);
          });
        }
        look();
      }).catch(function () {
        var note = document.getElementById("scan-unsupported");
        if (note) note.hidden = false;
      });
    });
  }

  // -- the questions: ask for the live part again every few seconds ----------------------------
  function poll() {
    var part = document.getElementById("questions-live");
    if (!part || !part.dataset.poll) return;
    if (part.contains(document.activeElement) && document.activeElement !== document.body) return;
    fetch(part.dataset.poll, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var now = document.getElementById("questions-live");
        if (!now || now.contains(document.activeElement) && document.activeElement !== document.body) return;
        var tpl = document.createElement("template");
        tpl.innerHTML = html.trim();
        var fresh = tpl.content.getElementById("questions-live");
        if (fresh) now.replaceWith(fresh);
      })
      .catch(function () { /* offline for a moment: try again next time */ });
  }

  window.addEventListener("DOMContentLoaded", function () {
    startScanner();
    if (document.getElementById("questions-live")) setInterval(poll, 3000);
  });
})();
