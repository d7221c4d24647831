// The hall's live devices (the call board, the rating pad): shared behaviour.
//  - GovhallLive.startOverlay(key, onStart): a "点击开启语音" overlay (browsers block
//    speech and sound until a click); the click is remembered for this tab
//    (sessionStorage, with localStorage as a fallback), so reconnects and reloads keep it.
//  - GovhallLive.connect(opts): an EventSource that says when the connection is lost
//    (a visible, aria-live status text), recovers by itself (the browser's own retry,
//    and a new EventSource with back-off once it gives up), and on every reconnect
//    asks the page to refresh its state (`onReconnect`).
(function () {
  "use strict";

  function remembered(key) {
    try {
      if (window.sessionStorage.getItem(key) === "1") { return true; }
    } catch (e) { /* storage blocked */ }
    try { return window.localStorage.getItem(key) === "1"; } catch (e) { return false; }
  }

  function remember(key) {
    try { window.sessionStorage.setItem(key, "1"); } catch (e) { /* storage blocked */ }
    try { window.localStorage.setItem(key, "1"); } catch (e) { /* storage blocked */ }
  }

  // `overlay` is in the page (hidden without JS): a wrapper with one button inside.
  function startOverlay(key, onStart) {
    var overlay = document.getElementById("device-start");
    var started = remembered(key);
    var api = { started: function () { return started; } };
    if (!overlay) { return api; }
    var button = overlay.querySelector("button");
    function start() {
      started = true;
      remember(key);
      overlay.hidden = true;
      document.body.classList.remove("device-waiting");
      if (onStart) { onStart(); }
    }
    if (started) {
      overlay.hidden = true;
      // The click that unlocked sound was in an earlier page of this tab: any next touch re-arms audio.
      document.addEventListener("click", function () { if (onStart) { onStart(); } }, { once: true });
      return api;
    }
    overlay.hidden = false;
    document.body.classList.add("device-waiting");
    button.addEventListener("click", start);
    window.setTimeout(function () { button.focus(); }, 0);
    return api;
  }

  function connect(opts) {
    var statusEl = opts.status || null;
    var source = null;
    var wasOpen = false;
    var lost = false;
    var retryTimer = null;
    var delay = 2000;

    function say(text, state) {
      if (!statusEl) { return; }
      if (statusEl.textContent !== text) { statusEl.textContent = text; }
      statusEl.setAttribute("data-state", state);
      statusEl.classList.toggle("device-conn-ok", state === "ok");
      statusEl.classList.toggle("device-conn-lost", state === "lost");
    }

    function onLost() {
      if (!lost) {
        lost = true;
        say("连接已断开，正在自动重新连接…", "lost");
        if (opts.onLost) { opts.onLost(); }
      }
    }

    function open() {
      window.clearTimeout(retryTimer);
      source = new window.EventSource(opts.url);
      source.addEventListener("open", function () {
        var reconnected = wasOpen || lost;
        wasOpen = true;
        lost = false;
        delay = 2000;
        say(opts.okText || "实时连接", "ok");
        if (reconnected && opts.onReconnect) { opts.onReconnect(); }
        if (opts.onOpen) { opts.onOpen(reconnected); }
      });
      (opts.events || []).forEach(function (name) {
        source.addEventListener(name, function (event) { opts.onEvent(name, event); });
      });
      source.addEventListener("error", function () {
        onLost();
        if (source.readyState === window.EventSource.CLOSED) { retry(); }
      });
    }

    function retry() {
      if (source) { source.close(); }
      window.clearTimeout(retryTimer);
      retryTimer = window.setTimeout(open, delay);
      delay = Math.min(delay * 2, 30000);
    }

    if (typeof window.EventSource !== "function") {
      say("轮询更新中", "poll");
      if (opts.onLost) { opts.onLost(); }
      return { drop: function () {} };
    }
    open();
    var handle = {
      // Close the stream as a network failure would, and recover like one (also a test hook).
      drop: function () { onLost(); retry(); },
      close: function () { window.clearTimeout(retryTimer); if (source) { source.close(); } },
    };
    return handle;
  }

  window.GovhallLive = { startOverlay: startOverlay, connect: connect };
})();
