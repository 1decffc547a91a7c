// 応援要請 (the call for help) on every page: asks /help/active/ every few seconds (only while the
// page is visible) and shows each open call as a banner the server wrote. A call to answer is
// role="alert", so a screen reader announces it when it appears; it is rewritten only when its text
// changed (someone answered), so nobody hears the same call at every poll. 「向かいます」, 解決 and
// the 「応援を呼ぶ」 buttons post in the background: the page, and whatever was typed on it, stays.
(function () {
  "use strict";
  var list = document.getElementById("help-calls");  // calls to answer
  var mine = document.getElementById("help-mine");  // the user's own open call
  if (!list || !mine || !window.fetch) { return; }
  var url = list.getAttribute("data-active-url");
  var seconds = parseInt(list.getAttribute("data-poll"), 10);
  var failed = list.getAttribute("data-failed");
  var status = document.getElementById("help-status");
  var tokenInput = mine.querySelector("input[name=csrfmiddlewaretoken]");
  var shown = {};  // call id -> the HTML it is shown with
  var HIDDEN_KEY = "helpcalls-hidden";

  function hiddenIds() {
    try { return JSON.parse(window.localStorage.getItem(HIDDEN_KEY) || "[]"); } catch (e) { return []; }
  }
  function hide(id) {
    var ids = hiddenIds().filter(function (x) { return x !== id; }).slice(-50);
    ids.push(id);
    try { window.localStorage.setItem(HIDDEN_KEY, JSON.stringify(ids)); } catch (e) { /* private mode */ }
  }

  function fragment(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    return holder.content.firstElementChild;
  }

  function render(calls) {
    var hidden = hiddenIds();
    var wanted = {};
    calls.forEach(function (call) {
      var id = String(call.id);
      if (!call.mine && hidden.indexOf(id) !== -1) { return; }
      wanted[id] = true;
      var current = document.getElementById("help-call-" + id);
      if (current && shown[id] === call.html) { return; }
      var fresh = fragment(call.html);
      if (current) {
        // Same live region, new words: a screen reader hears the change (an answer), once.
        var hadFocus = current.contains(document.activeElement);
        current.innerHTML = fresh.innerHTML;
        if (hadFocus) { focusIn(current); }
      } else {
        (call.mine ? mine : list).appendChild(fresh);
      }
      shown[id] = call.html;
    });
    Array.prototype.slice.call(document.querySelectorAll(".help-banner")).forEach(function (banner) {
      var id = banner.getAttribute("data-call");
      if (!wanted[id]) {
        var hadFocus = banner.contains(document.activeElement);
        banner.parentNode.removeChild(banner);
        delete shown[id];
        if (hadFocus) { focusAfterRemoval(); }
      }
    });
  }

  function focusIn(banner) {
    var target = banner.querySelector("a, button");
    if (target) { target.focus(); }
  }

  function focusAfterRemoval() {
    var next = document.querySelector(".help-banner a, .help-banner button") || document.getElementById("help-call-button");
    if (next) { next.focus(); }
  }

  var asked = 0;  // only the answer to the latest question is shown (a slow one may come after it)
  function poll() {
    if (!(seconds > 0) || document.visibilityState !== "visible") { return; }
    var question = ++asked;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && data.calls && question === asked) { render(data.calls); } })
      .catch(function () { /* offline for a moment: try again at the next tick */ });
  }

  function post(form) {
    return fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": tokenInput ? tokenInput.value : "" },
      body: new FormData(form)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, data: data };
      });
    });
  }

  function say(text) {
    if (!status) { return; }
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  // 「向かいます」 and 解決 in a banner; 「この表示を閉じる」 hides a call on this device.
  function onSubmit(event) {
    var form = event.target.closest("form[data-help-action]");
    if (!form) { return; }
    event.preventDefault();
    // Not ``disabled``: a disabled button loses the keyboard focus. A second press is ignored instead.
    if (form.getAttribute("data-busy")) { return; }
    form.setAttribute("data-busy", "1");
    post(form).then(function (result) {
      say((result.data && (result.data.message || result.data.error)) || failed);
      form.removeAttribute("data-busy");
      poll();
    }, function () {
      say(failed);
      form.removeAttribute("data-busy");
    });
  }
  list.addEventListener("submit", onSubmit);
  mine.addEventListener("submit", onSubmit);
  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-help-hide]");
    if (!button) { return; }
    var banner = button.closest(".help-banner");
    if (!banner) { return; }
    hide(banner.getAttribute("data-call"));
    banner.parentNode.removeChild(banner);
    focusAfterRemoval();
  });

  // 「応援を呼ぶ」 (the home page, the live view).
  document.querySelectorAll("form[data-help-call]").forEach(function (form) {
    var result = form.querySelector("#help-call-result");
    var busy = false;
    function show(text, ok) {
      result.textContent = "";
      result.classList.toggle("text-danger", !ok);
      window.setTimeout(function () { result.textContent = text; }, 50);  // the same words twice are heard twice
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) { return; }
      busy = true;
      post(form).then(function (answer) {
        show((answer.data && (answer.data.message || answer.data.error)) || failed, answer.ok);
        busy = false;
        poll();
      }, function () {
        show(failed, false);
        busy = false;
      });
    });
  });

  poll();
  if (seconds > 0) {
    window.setInterval(poll, seconds * 1000);
    document.addEventListener("visibilitychange", poll);
  }
})();
