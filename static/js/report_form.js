// The report form: add 経過 rows, show the incident's duration, and show the playbook of each
// chosen 態様 beside the form. Plain JavaScript, no external code; every text it shows comes
// from data-* attributes the template wrote through Django's translation functions.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;

  // Enter in a one-line box does not submit the form: a record is saved only by its buttons.
  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target.tagName === "INPUT" &&
        ["submit", "button", "reset", "file"].indexOf(target.type) === -1) {
      event.preventDefault();
    }
  });

  // A refused form: focus goes to the summary of its problems; each link goes to its field.
  var summary = document.getElementById("error-summary");
  function focusField(target) {
    var control = target.matches("input, select, textarea, button") ? target :
      target.querySelector("input:not([type=hidden]), select, textarea, button");
    (control || target).focus();
    (control || target).scrollIntoView({block: "center"});
  }
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      var closed = target.closest("details:not([open])");
      if (closed) closed.open = true;
      focusField(target);
    });
  }

  // 「今」 and 「開始から+30分」 beside each date-time box: a time is one press, not seven Tab stops.
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function local(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
      "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }
  function fieldName(input) {
    var label = input.id && form.querySelector("label[for='" + input.id + "']");
    var text = label ? label.textContent : (input.closest("td") ? form.dataset.now : "");
    return text.replace(/必須/g, "").replace(/\*/g, "").trim();
  }
  function quickButton(text, name, input, value) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary btn-sm";
    button.textContent = text;
    button.setAttribute("aria-label", name.replace("%(field)s", fieldName(input) || text));
    button.addEventListener("click", function () {
      var v = value();
      if (!v) return;
      input.value = v;
      input.dispatchEvent(new Event("change", {bubbles: true}));
    });
    return button;
  }
  function addQuickTimes(scope) {
    Array.prototype.forEach.call(scope.querySelectorAll("input[type='datetime-local']"), function (input) {
      if (input.dataset.quick) return;
      input.dataset.quick = "1";
      input.addEventListener("click", function () {
        try { input.showPicker(); } catch (e) { /* an older browser: the box is typed into */ }
      });
      var box = document.createElement("div");
      box.className = "quick-times";
      box.appendChild(quickButton(form.dataset.now, form.dataset.nowName, input, function () { return local(new Date()); }));
      if (input.name === "occurred_end") {
        box.appendChild(quickButton(form.dataset.plus30, form.dataset.plus30Name, input, function () {
          var begin = form.querySelector("[name='occurred_start']");
          var t = begin && Date.parse(begin.value);
          return t ? local(new Date(t + 30 * 60000)) : "";
        }));
      }
      input.insertAdjacentElement("afterend", box);
    });
  }
  addQuickTimes(form);

  // 経過記録: clone the empty row of the formset.
  var addButton = document.getElementById("add-timeline-row");
  var total = form.querySelector("input[name='timeline-TOTAL_FORMS']");
  var template = document.getElementById("timeline-empty-row");
  if (addButton && total && template) {
    var max = parseInt(addButton.getAttribute("data-max") || "0", 10);
    var full = function () {
      if (max && parseInt(total.value, 10) >= max) {
        addButton.disabled = true;
        addButton.textContent = addButton.getAttribute("data-full");
      }
    };
    full();
    addButton.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (max && index >= max) { full(); return; }
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var body = document.querySelector("#timeline-table tbody");
      body.insertAdjacentHTML("beforeend", html);
      addQuickTimes(body.lastElementChild);
      total.value = String(index + 1);
      var first = body.lastElementChild.querySelector("input, select");
      if (first) first.focus();
      full();
    });
  }

  // 対応時間: shown as soon as start and end are known.
  var start = form.querySelector("[name='occurred_start']");
  var end = form.querySelector("[name='occurred_end']");
  var out = document.getElementById("duration");
  function showDuration() {
    if (!start || !end || !out) return;
    var a = Date.parse(start.value), b = Date.parse(end.value);
    if (isNaN(a) || isNaN(b)) { out.textContent = ""; return; }
    var minutes = Math.round((b - a) / 60000);
    if (minutes < 0) { out.textContent = out.dataset.negative; return; }
    var h = Math.floor(minutes / 60), m = minutes % 60;
    out.textContent = out.dataset.label + (h ? h + out.dataset.hours : "") + m + out.dataset.minutes;
  }
  if (start && end) {
    ["input", "change"].forEach(function (type) {
      start.addEventListener(type, showDuration);
      end.addEventListener(type, showDuration);
    });
    showDuration();
  }

  // Playbook of each chosen 態様: beside the form on a wide screen, under the 態様 on a phone.
  var dataNode = document.getElementById("playbook-data");
  var panels = document.querySelectorAll(".playbook-panel");
  if (!dataNode || !panels.length) return;
  var playbooks = JSON.parse(dataNode.textContent);
  var byId = {};
  playbooks.forEach(function (p) { byId[String(p.id)] = p; });
  var boxes = form.querySelectorAll("input[name='harassment_types']");

  function render(panel) {
    panel.textContent = "";
    var chosen = Array.prototype.filter.call(boxes, function (b) { return b.checked; });
    if (!chosen.length) {
      var hint = document.createElement("p");
      hint.className = "text-muted small";
      hint.textContent = panel.dataset.empty;
      panel.appendChild(hint);
      return;
    }
    chosen.forEach(function (box) {
      var p = byId[box.value];
      if (!p) return;
      var section = document.createElement("section");
      section.className = "mb-3 playbook-summary";
      section.setAttribute("data-code", p.code);
      var h = document.createElement("h3");
      h.className = "h6";
      var link = document.createElement("a");
      link.href = panel.dataset.manualUrl + encodeURIComponent(p.code) + "/";
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = p.name;
      h.appendChild(link);
      section.appendChild(h);
      var d = document.createElement("p");
      d.className = "small";
      d.textContent = p.description;
      section.appendChild(d);
      var ol = document.createElement("ol");
      ol.className = "small";
      p.steps.forEach(function (s) {
        var li = document.createElement("li");
        li.textContent = s;
        ol.appendChild(li);
      });
      section.appendChild(ol);
      panel.appendChild(section);
    });
  }
  function renderAll() { Array.prototype.forEach.call(panels, render); }
  Array.prototype.forEach.call(boxes, function (b) { b.addEventListener("change", renderAll); });
  renderAll();
})();
