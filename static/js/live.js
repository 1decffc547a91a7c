// During an incident: tick steps (remembered on this device), copy a phrase with one tap, and
// time the response from "カスハラと判断" with a mark at 30 minutes. No external code; the texts it
// shows come from data-* attributes the template wrote through Django's translation functions.
(function () {
  "use strict";
  var list = document.getElementById("checklist");
  var key = list ? list.getAttribute("data-storage-key") : null;
  var store = { get: function () { try { return JSON.parse(sessionStorage.getItem(key) || "[]"); } catch (e) { return []; } },
                set: function (v) { try { sessionStorage.setItem(key, JSON.stringify(v)); } catch (e) { /* private mode */ } } };

  function syncStep(box) {
    var step = box.closest(".step");
    if (step) step.classList.toggle("done", box.checked);
  }
  if (list) {
    var done = store.get();
    list.querySelectorAll(".step-check").forEach(function (box) {
      box.checked = done.indexOf(box.value) !== -1;
      syncStep(box);
      box.addEventListener("change", function () {
        syncStep(box);
        var ticked = Array.prototype.filter.call(list.querySelectorAll(".step-check"), function (b) { return b.checked; })
          .map(function (b) { return b.value; });
        store.set(ticked);
      });
    });
  }
  var reset = document.getElementById("reset-checklist");
  if (reset && list) {
    reset.addEventListener("click", function () {
      list.querySelectorAll(".step-check").forEach(function (b) { b.checked = false; syncStep(b); });
      store.set([]);
    });
  }

  // Copy: the Clipboard API needs a secure context; inside a closed network the app may be
  // served over plain http, so fall back to a hidden textarea and execCommand.
  var status = document.getElementById("copy-status");
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      try { document.execCommand("copy") ? resolve() : reject(); } catch (e) { reject(e); }
      document.body.removeChild(area);
    });
  }
  document.querySelectorAll(".copy-phrase").forEach(function (button) {
    button.addEventListener("click", function () {
      var text = button.parentElement.querySelector(".phrase-text").textContent.trim();
      copyText(text).then(function () {
        button.textContent = status.dataset.copied;
        status.textContent = status.dataset.copied + "：" + text;
        setTimeout(function () { button.textContent = status.dataset.copy; }, 2000);
      }, function () {
        status.textContent = status.dataset.failed;
      });
    });
  });

  // Timer from "カスハラと判断".
  var startButton = document.getElementById("timer-start");
  var display = document.getElementById("timer");
  var note = document.getElementById("timer-note");
  if (startButton && display) {
    var limit = parseInt(startButton.getAttribute("data-limit-minutes"), 10) * 60;
    var startedAt = null, handle = null, announced = false;
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    function tick() {
      var seconds = Math.floor((Date.now() - startedAt) / 1000);
      display.textContent = pad(Math.floor(seconds / 60)) + ":" + pad(seconds % 60);
      if (seconds >= limit && !announced) {
        announced = true;
        display.classList.add("over");
        if (note) note.textContent = startButton.dataset.over;
      }
    }
    function start(at) {
      startedAt = at;
      announced = false;
      display.classList.remove("over");
      if (note) note.textContent = startButton.dataset.running;
      startButton.textContent = startButton.dataset.restart;
      if (handle) clearInterval(handle);
      handle = setInterval(tick, 1000);
      tick();
    }
    startButton.addEventListener("click", function () { start(Date.now()); });
    // The recorder (live_recorder.js) keeps when カスハラと判断 was tapped: after a reload the timer
    // goes on from then instead of starting again at 00:00.
    startButton.addEventListener("kasuhara:resume", function (event) {
      if (event.detail && event.detail.at && startedAt === null) { start(event.detail.at); }
    });
  }
})();
