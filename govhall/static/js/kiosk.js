// The hall's kiosk: after `data-idle-seconds` (60) without a touch or a key it
// returns to its start page (the next person finds it clean), warning 10 s before;
// a [data-print] button prints the ticket (the print stylesheet shows only the slip).
(function () {
  "use strict";
  var body = document.body;
  var home = body.getAttribute("data-idle-home");
  if (!home) { return; }
  var note = document.getElementById("kiosk-idle");
  var timer = null;
  var warnTimer = null;

  function seconds() {
    var s = parseFloat(body.getAttribute("data-idle-seconds"));
    return s > 0 ? s : 60;
  }

  function goHome() {
    body.setAttribute("data-idle-returned", "1");
    window.location.assign(home);
  }

  function reset() {
    window.clearTimeout(timer);
    window.clearTimeout(warnTimer);
    if (note) { note.textContent = ""; }
    var s = seconds();
    timer = window.setTimeout(goHome, s * 1000);
    if (s > 15) {
      warnTimer = window.setTimeout(function () {
        if (note) { note.textContent = "无人操作，10 秒后返回取号首页。"; }
      }, (s - 10) * 1000);
    }
  }

  ["pointerdown", "keydown", "touchstart", "wheel"].forEach(function (name) {
    document.addEventListener(name, reset, { passive: true });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // Tests and the deployment may shorten the wait: the attribute is read at every reset.
  window.govhallKioskReset = reset;
  reset();
})();
