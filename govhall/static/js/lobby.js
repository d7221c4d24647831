// Lobby screens: the live part is fetched again (one fragment, rendered by the
// server) whenever the hall's board stream says something changed, and at least
// every data-poll seconds. A failed fetch or a lost stream is said on screen,
// retried every few seconds, and cleared once the server answers again.
(function () {
  "use strict";
  var main = document.querySelector("main.lobby[data-live]");
  if (!main) { return; }
  var live = document.getElementById("lobby-live");
  var conn = document.getElementById("lobby-conn");
  var pollMs = (parseInt(main.getAttribute("data-poll"), 10) || 15) * 1000;
  var RETRY_MS = 3000;
  var timer = null;
  var soon = null;
  var busy = false;
  var again = false;
  var lost = false;
  var source = null;

  function status(text, ok) {
    conn.textContent = text;
    conn.classList.toggle("lobby-conn-ok", ok);
    conn.classList.toggle("lobby-conn-lost", !ok);
    main.setAttribute("data-conn", ok ? "ok" : "lost");
  }

  function shownAt() {
    var t = document.getElementById("lobby-asof");
    return t ? t.textContent : "";
  }

  function markLost() {
    if (!lost) {
      lost = true;
      status("连接中断，正在重新连接…（显示的是 " + shownAt() + " 的数据）", false);
    }
  }

  function schedule(ms) {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, ms);
  }

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    window.fetch(main.getAttribute("data-live"), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.redirected) { window.location.reload(); throw new Error("signed out"); }
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.text();
      })
      .then(function (html) {
        live.innerHTML = html;
        main.setAttribute("data-updated", String(Date.now()));
        if (lost) {
          lost = false;
          status("已恢复连接 · 实时更新", true);
          window.setTimeout(function () { if (!lost) { status("实时更新", true); } }, 60000);
          connectStream();
        } else if (main.getAttribute("data-conn") !== "ok" &&
                   (!main.hasAttribute("data-events") || (source && source.readyState === 1))) {
          status("实时更新", true);
        }
        schedule(pollMs);
      })
      .catch(function () { markLost(); schedule(RETRY_MS); })
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  function refreshSoon() {
    window.clearTimeout(soon);
    soon = window.setTimeout(refresh, 300);
  }

  function connectStream() {
    var url = main.getAttribute("data-events");
    if (!url || typeof window.EventSource !== "function") { return; }
    if (source && source.readyState !== 2) { return; }
    source = new window.EventSource(url);
    source.addEventListener("open", function () { refreshSoon(); });
    source.addEventListener("board", refreshSoon);
    source.addEventListener("error", function () {
      markLost();
      // EventSource retries by itself; a closed one is opened again after a successful fetch.
      schedule(RETRY_MS);
    });
  }

  window.addEventListener("offline", markLost);
  window.addEventListener("online", refresh);
  connectStream();
  if (!main.hasAttribute("data-events")) { status("实时更新", true); }
  schedule(pollMs);
})();
