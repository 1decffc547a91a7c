// The header's お知らせ badge: asks the server for the unread count every few seconds (only while
// the page is visible), shows it, and tells a screen reader when new notices have arrived.
(function () {
  "use strict";
  var link = document.getElementById("inbox-link");
  var badge = document.getElementById("inbox-badge");
  var announce = document.getElementById("inbox-announce");
  if (!link || !badge || !window.fetch) { return; }
  var seconds = parseInt(link.getAttribute("data-poll"), 10);
  if (!(seconds > 0)) { return; }
  var url = link.getAttribute("data-count-url");
  var current = parseInt(badge.firstChild ? badge.firstChild.nodeValue : "0", 10) || 0;

  function show(count) {
    badge.firstChild.nodeValue = String(count);
    badge.hidden = count === 0;
    if (count > current && announce) {
      announce.textContent = "新しいお知らせが届きました（未読 " + count + " 件）";
    }
    current = count;
  }

  function poll() {
    if (document.visibilityState !== "visible") { return; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && typeof data.unread === "number") { show(data.unread); } })
      .catch(function () { /* offline for a moment: try again at the next tick */ });
  }

  window.setInterval(poll, seconds * 1000);
  document.addEventListener("visibilitychange", poll);
})();
