// 対応中の記録 (the live recorder, issue 11). Each tap is a step with its time. Steps are kept in this
// browser (localStorage, one key per user and 態様) until the server has confirmed them, and are sent
// again until then: a reload, a closed tab or a dropped network loses nothing, and on return the
// record continues. Every step and the record carry an id made here, so a step sent twice is stored
// once. The last step can be undone. No external code; every word shown comes from the template's
// data-* attributes (written through Django's translation functions).
(function () {
  "use strict";
  var root = document.getElementById("live-recorder");
  if (!root || !window.fetch || !window.JSON || !window.crypto || !window.crypto.getRandomValues) { return; }

  var data = root.dataset;
  var KEY = "kasuhara.live.v1." + data.user + "." + data.type;
  var LIMIT = parseInt(data.limit, 10) || 50;
  var BATCH = 100;
  // A request with no answer after this long is given up and counts as "offline" (a phone's connection
  // can drop an answer without any error, and a request waiting for ever would hold up every later tap).
  var TIMEOUT = parseInt(data.syncTimeoutMs, 10);
  if (!(TIMEOUT > 0)) { TIMEOUT = 20000; }
  var PLACEHOLDER = "00000000-0000-4000-8000-000000000000";
  var COUNTED = { warning: true, exit_request: true, exit_order: true };

  function $(id) { return document.getElementById(id); }
  var statusLine = $("live-status"), syncLine = $("live-sync"), countsLine = $("live-counts"), hintLine = $("live-hint");
  var list = $("live-steps"), finish = $("live-finish"), reportForm = $("live-report-form"), newButton = $("live-new");
  var undoButton = $("live-undo"), noteInput = $("live-note-text"), noteButton = $("live-note-add");
  var waitingBox = $("live-waiting"), waitingList = $("live-waiting-list"), reportedLine = $("live-reported");
  var stepButtons = Array.prototype.slice.call(root.querySelectorAll(".live-step"));
  var timerButton = $("timer-start");

  var labels = { note: data.msgNoteLabel };
  stepButtons.forEach(function (button) { labels[button.getAttribute("data-kind")] = button.textContent.trim(); });

  function msg(name, values) {
    var text = root.getAttribute("data-msg-" + name) || "";
    return text.replace(/\{(\w+)\}/g, function (whole, key) {
      return values && Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clock(ms, seconds) {
    var d = new Date(ms);
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + (seconds === false ? "" : ":" + pad(d.getSeconds()));
  }

  function newId() {
    if (window.crypto.randomUUID) {
      try { return window.crypto.randomUUID(); } catch (e) { /* not a secure context: below */ }
    }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // -- the state on this device ------------------------------------------------------------------
  // { record: id or null, steps: [{id, kind, at, note, undone, pending}], ops: [operations not yet
  //   confirmed, in order] }. localStorage is the source of truth: every change reads it first, so two
  //   tabs of the same 態様 add to one record instead of overwriting each other.
  var memory = null, storageOk = true;
  function empty() { return { v: 1, record: null, steps: [], ops: [] }; }
  function load() {
    try {
      var raw = window.localStorage.getItem(KEY);
      var state = raw ? JSON.parse(raw) : null;
      if (state && state.v === 1 && Array.isArray(state.steps) && Array.isArray(state.ops)) { return state; }
      return memory || empty();
    } catch (e) {
      storageOk = false;
      return memory || empty();
    }
  }
  function save(state) {
    memory = state;
    try { window.localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { storageOk = false; }
  }

  function activeSteps(state) { return state.steps.filter(function (s) { return !s.undone; }); }
  function isEnded(state) { return activeSteps(state).some(function (s) { return s.kind === "ended"; }); }
  function countOf(state, kind) { return activeSteps(state).filter(function (s) { return s.kind === kind; }).length; }
  function firstOf(state, kind) {
    var found = activeSteps(state).filter(function (s) { return s.kind === kind; });
    return found.length ? found[0] : null;
  }

  function describe(state, step) {
    var text = labels[step.kind] || step.kind;
    if (step.kind === "note" && step.note) { text += "：" + step.note; }
    if (COUNTED[step.kind] && !step.undone) {
      var n = 0;
      activeSteps(state).some(function (s) { if (s.kind === step.kind) { n += 1; } return s.id === step.id; });
      text += "（" + msg("nth", { n: n }) + "）";
    }
    return text;
  }

  // -- what is shown -----------------------------------------------------------------------------
  function say(text) { statusLine.textContent = text; }

  function render(state) {
    var focused = document.activeElement;
    var steps = activeSteps(state);
    var ended = isEnded(state);
    var full = steps.length >= LIMIT;
    stepButtons.forEach(function (button) { button.disabled = ended || full; });
    noteInput.disabled = noteButton.disabled = ended || full;
    var last = steps.length ? steps[steps.length - 1] : null;
    undoButton.disabled = !last;
    undoButton.textContent = last ? msg("undo-label", { label: describe(state, last), time: clock(last.at, false) })
      : root.getAttribute("data-undo-text");

    list.textContent = "";
    if (!state.steps.length) {
      var none = document.createElement("li");
      none.className = "text-body-secondary";
      none.textContent = msg("none");
      list.appendChild(none);
    }
    state.steps.forEach(function (step) {
      var item = document.createElement("li");
      item.className = "live-step-row" + (step.undone ? " undone" : "");
      item.setAttribute("data-kind", step.kind);
      var time = document.createElement("span");
      time.className = "live-time";
      time.textContent = clock(step.at);
      item.appendChild(time);
      var what = document.createElement(step.undone ? "s" : "span");
      what.textContent = describe(state, step);
      item.appendChild(what);
      if (step.undone) { item.appendChild(badge(msg("undone-badge"), "text-bg-light border")); }
      if (step.pending) { item.appendChild(badge(msg("unsent-badge"), "text-bg-warning")); }
      list.appendChild(item);
    });
    renderCounts(state);

    finish.hidden = !ended || !state.record;
    if (state.record) { reportForm.action = data.reportUrl.replace(PLACEHOLDER, state.record); }
    newButton.disabled = state.ops.length > 0;

    if (focused && focused !== document.body && (focused.disabled || focused.closest("[hidden]"))) {
      var next = ended ? $("live-report") : stepButtons.filter(function (b) { return !b.disabled; })[0];
      if (next && !next.disabled) { next.focus(); }
    }
    renderSync(state);
  }

  function badge(text, kind) {
    var span = document.createElement("span");
    span.className = "badge ms-2 " + kind;
    span.textContent = text;
    return span;
  }

  function renderCounts(state) {
    var parts = [msg("counts", {
      warning: countOf(state, "warning"), exit_request: countOf(state, "exit_request"), exit_order: countOf(state, "exit_order")
    })];
    if (firstOf(state, "recording")) { parts.push(msg("recording")); }
    if (firstOf(state, "stopped")) { parts.push(msg("stopped")); }
    var police = firstOf(state, "police");
    if (police) { parts.push(msg("police", { time: clock(police.at, false) })); }
    var judged = firstOf(state, "judged");
    var ended = isEnded(state);
    if (judged && !ended) {
      var minutes = Math.max(0, Math.floor((Date.now() - judged.at) / 60000));
      parts.push(msg("judged", { minutes: minutes }) + (minutes >= 30 ? "　" + msg("over") : ""));
    }
    countsLine.textContent = parts.join("・");
    var requests = countOf(state, "exit_request");
    hintLine.hidden = ended || requests < 2 || countOf(state, "exit_order") > 0;
    hintLine.textContent = hintLine.hidden ? "" : msg("hint", { n: requests });
  }

  var problem = "";  // "", "offline", "failed", "signed-out", "forbidden", "bad"
  var problemText = "";
  function renderSync(state) {
    syncLine.textContent = "";
    var pending = state.ops.length;
    var text = "";
    if (!storageOk) { text = msg("no-storage") + " "; }
    if (problem === "offline") { text += msg("offline", { n: pending }); }
    else if (problem === "signed-out") { text += msg("signed-out"); }
    else if (problem === "forbidden") { text += msg("forbidden"); }
    else if (problem === "failed") { text += msg("failed"); }
    else if (problem === "bad") { text += problemText; }
    else if (pending) { text += msg("pending", { n: pending }); }
    else if (state.record && synced) { text += msg("saved"); }
    syncLine.appendChild(document.createTextNode(text));
    if (problem === "signed-out") {
      var link = document.createElement("a");
      link.href = data.loginUrl;
      link.className = "btn btn-link px-1 align-baseline";
      link.textContent = msg("login");
      syncLine.appendChild(link);
    }
    syncLine.className = "small mb-1" + (problem ? " fw-bold text-danger-emphasis" : "");
  }

  function renderWaiting(items) {
    waitingList.textContent = "";
    (items || []).forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.url;
      a.className = "btn btn-outline-primary text-start mb-1";
      a.textContent = msg(item.ended ? "open-ended" : "open", { type: item.type_name, when: item.when });
      li.appendChild(a);
      waitingList.appendChild(li);
    });
    waitingBox.hidden = !waitingList.children.length;
  }

  function showReported(reported) {
    reportedLine.textContent = msg("reported", { number: reported.number }) + " ";
    var a = document.createElement("a");
    a.href = reported.url;
    a.className = "btn btn-link px-1 align-baseline";
    a.textContent = msg("open-report", { number: reported.number });
    reportedLine.appendChild(a);
    reportedLine.hidden = false;
  }

  // -- taps --------------------------------------------------------------------------------------
  function tap(kind, note) {
    var state = load();
    if (isEnded(state)) { return; }
    if (activeSteps(state).length >= LIMIT) { say(msg("full", { n: LIMIT })); return; }
    if (!state.record) { state.record = newId(); state.steps = []; }
    var step = { id: newId(), kind: kind, at: Date.now(), note: note || "", undone: false, pending: true };
    state.steps.push(step);
    state.ops.push({ id: step.id, op: "step", kind: kind, at: step.at, note: step.note });
    save(state);
    reportedLine.hidden = true;
    render(state);
    say(kind === "ended" ? msg("ended") : msg("recorded", { label: describe(state, step), time: clock(step.at, false) }));
    send();
  }

  function undo() {
    var state = load();
    var steps = activeSteps(state);
    if (!steps.length) { return; }
    var last = steps[steps.length - 1];
    var what = describe(state, last);
    last.undone = true;
    state.ops.push({ id: newId(), op: "undo", step: last.id });
    save(state);
    render(state);
    say(msg("undone", { label: what, time: clock(last.at, false) }));
    send();
  }

  stepButtons.forEach(function (button) {
    button.addEventListener("click", function () {
      var kind = button.getAttribute("data-kind");
      tap(kind);
      if (kind === "judged" && timerButton && timerButton.textContent.trim() !== timerButton.dataset.restart) {
        timerButton.click();  // the page's 30-minute timer (static/js/live.js)
      }
    });
  });
  if (timerButton) {
    // The timer's own button says カスハラと判断 too: pressed by a person, it is the same step.
    timerButton.addEventListener("click", function (event) {
      if (!event.isTrusted) { return; }
      var state = load();
      if (!isEnded(state) && !firstOf(state, "judged")) { tap("judged"); }
    });
  }
  noteButton.addEventListener("click", function () {
    var text = noteInput.value.trim();
    if (!text) { say(msg("empty-note")); noteInput.focus(); return; }
    tap("note", text.slice(0, 200));
    noteInput.value = "";
  });
  noteInput.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.isComposing) { event.preventDefault(); noteButton.click(); }
  });
  undoButton.addEventListener("click", undo);
  newButton.addEventListener("click", function () {
    var state = load();
    if (state.ops.length) { say(msg("unsent")); return; }
    save(empty());
    synced = false;
    render(load());
    send();
    var first = stepButtons[0];
    if (first) { first.focus(); }
  });
  // 「連絡票にする」 only once the server has every step; then this device forgets the record (the
  // server keeps it, and lists it again should the report not be made).
  function submitReport() {
    save(empty());
    HTMLFormElement.prototype.submit.call(reportForm);
  }
  reportForm.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!load().ops.length) { submitReport(); return; }
    flush().then(function () {
      if (!load().ops.length) { submitReport(); } else { say(msg("unsent")); }
    }, function () { say(msg("unsent")); });
  });

  // -- talking to the server ---------------------------------------------------------------------
  var busy = null, again = false, retry = null, delay = 5000, synced = false;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var input = reportForm.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function schedule() {
    if (retry) { window.clearTimeout(retry); }
    retry = window.setTimeout(function () { retry = null; send(); }, delay);
    delay = Math.min(delay * 2, 60000);
  }

  // The answer to one request, or a rejection once TIMEOUT has passed without one (the request is
  // aborted then, so a late answer is never handled; the server stores a step sent again only once).
  function post(body) {
    var controller = window.AbortController ? new window.AbortController() : null;
    var timer = null;
    var expired = new Promise(function (resolve, reject) {
      timer = window.setTimeout(function () {
        if (controller) { controller.abort(); }
        reject(new Error("timeout"));
      }, TIMEOUT);
    });
    var answered = window.fetch(data.syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: body,
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.json().then(function (json) { return { status: response.status, json: json }; },
        function (error) {
          if (controller && controller.signal.aborted) { throw error; }  // cut off while reading
          return { status: response.status, json: null };
        });
    });
    var done = function () { window.clearTimeout(timer); };
    answered.then(done, done);
    return Promise.race([answered, expired]);
  }

  // One request at a time; a tap during it is sent right after. Resolves when the answer is handled.
  function send() {
    if (busy) { again = true; return busy; }
    var state = load();
    var ops = state.ops.slice(0, BATCH);
    var body = JSON.stringify({ type: data.type, record: state.record, sent_at: Date.now(), ops: ops });
    again = false;
    busy = post(body).then(function (answer) {
      if (answer.status === 200 && answer.json) {
        handle(answer.json, ops);
        return;
      }
      if (answer.status === 401) { fail("signed-out"); }
      else if (answer.status === 403) { fail("forbidden"); }
      else if (answer.status === 400 && answer.json && answer.json.error) { fail("bad", answer.json.error); }
      else { fail("failed"); }
    }, function () {
      fail("offline");
    }).then(function () {
      busy = null;
      var left = load().ops.length;
      if (!problem && (again || (left && ops.length === BATCH))) { return send(); }
      if (problem && left) { schedule(); }
      return undefined;
    });
    return busy;
  }

  // Send until nothing is left, or fail.
  function flush() {
    return Promise.resolve(send()).then(function () {
      if (problem) { throw new Error(problem); }
      if (load().ops.length) { return flush(); }
      return undefined;
    });
  }

  function fail(kind, text) {
    var was = problem;
    problem = kind;
    problemText = text || "";
    render(load());
    if (was !== kind) { say(syncLine.textContent); }
  }

  function fromServer(step) {
    return { id: step.id, kind: step.kind, at: step.at, note: step.note, undone: step.undone, pending: false };
  }

  function adopt(state, record) {
    state.record = record.id;
    state.steps = record.steps.map(fromServer);
    state.ops = [];
  }

  function handle(answer, sentOps) {
    var state = load();  // taps made while the request was out are in here too
    var done = {};
    (answer.confirmed || []).forEach(function (id) { done[id] = true; });
    var refused = {};
    (answer.rejected || []).forEach(function (r) { refused[r.id] = r.message; });
    var refusedText = [];
    sentOps.forEach(function (op) {
      if (!Object.prototype.hasOwnProperty.call(refused, op.id)) { return; }
      var step = op.op === "step" ? op : null;
      refusedText.push(msg("rejected", {
        label: step ? (labels[step.kind] || step.kind) : root.getAttribute("data-undo-text"),
        time: clock(step ? step.at : Date.now(), false),
        message: refused[op.id]
      }));
    });
    state.ops = state.ops.filter(function (op) { return !done[op.id] && !Object.prototype.hasOwnProperty.call(refused, op.id); });
    var record = answer.record;
    var wasRecord = state.record;
    if (record && record.id === state.record && record.reported) {
      showReported(record.reported);
      state = empty();
      record = null;
    }
    if (record && record.id === state.record) {
      var steps = record.steps.map(fromServer);
      state.ops.forEach(function (op) {
        if (op.op === "step" && !steps.some(function (s) { return s.id === op.id; })) {
          steps.push({ id: op.id, kind: op.kind, at: op.at, note: op.note, undone: false, pending: true });
        }
      });
      state.ops.forEach(function (op) {
        if (op.op !== "undo") { return; }
        steps.forEach(function (s) { if (s.id === op.step) { s.undone = true; } });
      });
      state.steps = steps;
    } else if (!state.ops.length) {
      // Nothing of ours is waiting: continue what the server has open for this 態様, if anything.
      if (answer.current && !answer.current.reported) {
        adopt(state, answer.current);
        if (!wasRecord) { say(msg("continued", { when: clock(answer.current.steps.length ? answer.current.steps[0].at : Date.now(), false) })); }
      } else if (state.record && !record) {
        state = empty();
      }
    }
    save(state);
    problem = "";
    problemText = "";
    delay = 5000;
    synced = true;
    renderWaiting(answer.waiting);
    render(state);
    resumeTimer(state);
    if (refusedText.length) { say(refusedText.join(" ")); }
  }

  // The page's 30-minute timer goes on from the stored カスハラと判断 (after a reload, or on another
  // device), unless the record has ended; live.js ignores this once its timer runs.
  function resumeTimer(state) {
    var judged = firstOf(state, "judged");
    if (judged && !isEnded(state) && timerButton && window.CustomEvent) {
      timerButton.dispatchEvent(new CustomEvent("kasuhara:resume", { detail: { at: judged.at } }));
    }
  }

  // -- start -------------------------------------------------------------------------------------
  root.setAttribute("data-undo-text", undoButton.textContent.trim());
  render(load());
  resumeTimer(load());
  send();
  window.addEventListener("online", function () { delay = 5000; send(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && load().ops.length) { send(); }
  });
  window.addEventListener("storage", function (event) {
    if (event.key === KEY) { render(load()); if (load().ops.length) { send(); } }
  });
  window.setInterval(function () { renderCounts(load()); }, 15000);
})();
