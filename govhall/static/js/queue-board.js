// The hall board: live updates by Server-Sent Events (live_device.js: the start
// overlay, the connection status, reconnecting and refreshing after it), polling of the board partial through htmx when SSE fails, and
// each call announced in Mandarin by the browser's speech synthesis after a chime.
(function () {
  "use strict";
  var board = document.querySelector("main.board");
  if (!board) { return; }
  var live = document.getElementById("board-live");
  var conn = document.getElementById("board-conn");
  var muteButton = document.getElementById("board-mute");
  var MUTE_KEY = "govhall-board-muted";
  var lastAnnounced = maxCallId();
  var pollTimer = null;
  var audio = null;

  function maxCallId() {
    var max = 0;
    live.querySelectorAll("[data-call-id]").forEach(function (el) {
      max = Math.max(max, parseInt(el.getAttribute("data-call-id"), 10) || 0);
    });
    return max;
  }

  function muted() {
    try { return window.localStorage.getItem(MUTE_KEY) === "1"; } catch (e) { return false; }
  }

  function showMute() {
    var m = muted();
    muteButton.setAttribute("aria-pressed", m ? "true" : "false");
    muteButton.textContent = m ? "取消静音" : "静音";
  }

  muteButton.addEventListener("click", function () {
    try { window.localStorage.setItem(MUTE_KEY, muted() ? "0" : "1"); } catch (e) { /* private mode */ }
    showMute();
    unlockAudio();
  });
  showMute();
  // Speech and sound start after one click on "点击开启语音" (remembered for this tab).
  var start = window.GovhallLive.startOverlay("govhall-board-voice", function () {
    unlockAudio();
    if ("speechSynthesis" in window && typeof window.SpeechSynthesisUtterance === "function") {
      try { window.speechSynthesis.getVoices(); } catch (e) { /* no voices yet */ }
    }
  });

  function unlockAudio() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!audio && Ctx) { try { audio = new Ctx(); } catch (e) { audio = null; } }
    if (audio && audio.state === "suspended") { audio.resume(); }
  }

  function chime() {
    unlockAudio();
    if (!audio) { return; }
    var t = audio.currentTime;
    [880, 660].forEach(function (freq, i) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.type = "sine";
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t + i * 0.35);
      gain.gain.exponentialRampToValueAtTime(0.3, t + i * 0.35 + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.35 + 0.33);
      osc.connect(gain).connect(audio.destination);
      osc.start(t + i * 0.35);
      osc.stop(t + i * 0.35 + 0.35);
    });
  }

  function speak(text) {
    if (!("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") { return; }
    var u = new window.SpeechSynthesisUtterance(text);
    u.lang = "zh-CN";
    u.rate = 0.9;
    var voices = window.speechSynthesis.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      if (/^zh(-|_)?CN/i.test(voices[i].lang)) { u.voice = voices[i]; break; }
    }
    window.speechSynthesis.speak(u);
  }

  function announce(text) {
    if (!text || muted() || !start.started()) { return; }
    chime();
    window.setTimeout(function () { speak(text); }, 750);
  }

  // Announce the newest call not announced yet (from a push or a poll).
  function announceNew(call) {
    if (call && call.id > lastAnnounced) {
      lastAnnounced = call.id;
      announce(call.text);
      return;
    }
    var newest = live.querySelector("[data-call-id]");
    if (newest) {
      var id = parseInt(newest.getAttribute("data-call-id"), 10) || 0;
      if (id > lastAnnounced) { lastAnnounced = id; announce(newest.getAttribute("data-text")); }
    }
  }

  function poll() {
    if (window.htmx) {
      window.htmx.ajax("GET", board.getAttribute("data-live"), { target: "#board-live", swap: "innerHTML" });
    }
  }

  function startPolling() {
    if (pollTimer) { return; }
    poll();
    pollTimer = window.setInterval(poll, 3000);
  }

  function stopPolling() {
    if (pollTimer) { window.clearInterval(pollTimer); pollTimer = null; }
  }

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target === live) { announceNew(null); }
  });

  // Live by SSE; lost → say so and poll the partial; back → refresh the board and stop polling.
  var live_conn = window.GovhallLive.connect({
    url: board.getAttribute("data-events"),
    status: conn,
    events: ["board"],
    onLost: startPolling,
    onOpen: function () { stopPolling(); },
    onReconnect: function () {
      poll();
      board.setAttribute("data-reconnects", String((parseInt(board.getAttribute("data-reconnects"), 10) || 0) + 1));
    },
    onEvent: function (name, event) {
      var payload;
      try { payload = JSON.parse(event.data); } catch (e) { return; }
      if (typeof payload.html === "string") { live.innerHTML = payload.html; }
      announceNew(payload.call || null);
      board.setAttribute("data-last-event", String(Date.now()));
    },
  });
  window.govhallBoardDrop = function () { live_conn.drop(); };
})();
