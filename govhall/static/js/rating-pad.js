// The window's rating pad: lights up by itself through Server-Sent Events when
// the clerk finishes a service (EventSource reconnects by itself); when SSE
// fails it polls the live part every 5 s (the connection itself: live_device.js). After the thank-you it returns to
// the idle screen after a few seconds.
(function () {
  "use strict";
  var pad = document.querySelector("main.pad");
  if (!pad) { return; }
  var back = pad.getAttribute("data-return");
  if (back) {
    window.setTimeout(function () { window.location.assign(back); }, 5000);
    return;
  }
  var live = document.getElementById("pad-live");
  var eventsUrl = pad.getAttribute("data-events");
  var liveUrl = pad.getAttribute("data-live");
  if (!live || !eventsUrl) { return; }
  var pollTimer = null;
  var sending = false;

  document.addEventListener("submit", function () { sending = true; });

  function show(html) {
    if (sending || typeof html !== "string") { return; }
    if (live.innerHTML === html) { return; }
    live.innerHTML = html;
    // A pushed part is rendered without this page's request: give its forms the page's CSRF token.
    var meta = document.querySelector('meta[name="csrf-token"]');
    live.querySelectorAll('form[method="post"]').forEach(function (form) {
      if (!meta || form.querySelector('input[name="csrfmiddlewaretoken"]')) { return; }
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "csrfmiddlewaretoken";
      input.value = meta.getAttribute("content");
      form.appendChild(input);
    });
    var mode = live.querySelector("[data-mode]");
    pad.setAttribute("data-mode", mode ? mode.getAttribute("data-mode") : "idle");
  }

  function fetchLive() {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", liveUrl);
    xhr.onload = function () {
      if (xhr.status === 200) { show(xhr.responseText); }
      else if (xhr.status === 404) { window.location.reload(); }
    };
    xhr.send();
  }

  function poll() {
    if (pollTimer) { return; }
    pollTimer = window.setInterval(fetchLive, 5000);
  }

  // live_device.js: says when the connection is lost, recovers by itself, and on
  // reconnect reads the live part again (a service finished meanwhile lights the pad).
  var connection = window.GovhallLive.connect({
    url: eventsUrl,
    status: document.getElementById("pad-conn"),
    okText: "已连接",
    events: ["pad"],
    onLost: poll,
    onOpen: function () { if (pollTimer) { window.clearInterval(pollTimer); pollTimer = null; } },
    onReconnect: fetchLive,
    onEvent: function (name, event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.mode === "revoked") { connection.close(); window.location.reload(); return; }
      if (pollTimer) { window.clearInterval(pollTimer); pollTimer = null; }
      show(data.html);
    },
  });
  window.govhallPadDrop = function () { connection.drop(); };
})();
