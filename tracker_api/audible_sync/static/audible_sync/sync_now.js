/* "Sync now" on the Audible dashboard: follow the run without reloading by hand.
 *
 * The progress box (#sync-progress) names the JSON status URL and the log id the run comes
 * after; while the run is waiting or running, ask every 0.7 s and show the server's sentence
 * (titles seen / applied, then the result). The wording is the server's
 * (tracker_api.audible_sync.sync.background.progress_text), so the page without JavaScript
 * (it refreshes itself) says the same.
 */
(function () {
  "use strict";
  var ACTIVE = { waiting: true, running: true };

  function follow(box) {
    var text = box.querySelector(".sync-progress-text");
    var bar = box.querySelector(".sync-progress-bar");
    var links = box.querySelector(".sync-progress-links");
    var url = box.getAttribute("data-status-url") + "?after=" + encodeURIComponent(box.getAttribute("data-after"));

    function show(answer) {
      box.setAttribute("data-state", answer.state);
      text.textContent = answer.text;
      if (answer.seen) {
        bar.hidden = false;
        bar.max = answer.seen;
        bar.value = answer.applied || 0;
      }
      if (!ACTIVE[answer.state]) {
        document.querySelectorAll("#sync-now-button, #sync-force-button").forEach(function (b) {
          b.disabled = false;
        });
        if (links && answer.conflicts_opened) links.hidden = false;
        settled();
      }
    }

    // The rest of the page was drawn while the run went: say it has ended, not "running".
    function settled() {
      var badge = document.querySelector(".dash-running .audible-badge");
      if (badge) badge.replaceWith(document.createTextNode("Idle"));
      var allowed = document.querySelector(".dash-sync-allowed");
      if (allowed) {
        allowed.textContent = "The sync has ended. ";
        var again = document.createElement("a");
        again.href = window.location.pathname;
        again.textContent = "Show the updated dashboard \u203a";
        allowed.appendChild(again);
      }
    }

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("status " + response.status);
          return response.json();
        })
        .then(function (answer) {
          show(answer);
          if (ACTIVE[answer.state]) window.setTimeout(poll, 700);
        })
        .catch(function () {
          window.setTimeout(poll, 2000);
        });
    }

    if (ACTIVE[box.getAttribute("data-state")]) poll();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("sync-progress");
    if (box) follow(box);
  });
})();
