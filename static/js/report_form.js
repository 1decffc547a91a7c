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

  // Playbook beside the form.
  var dataNode = document.getElementById("playbook-data");
  var panel = document.getElementById("playbook");
  if (!dataNode || !panel) return;
  var playbooks = JSON.parse(dataNode.textContent);
  var byId = {};
  playbooks.forEach(function (p) { byId[String(p.id)] = p; });
  var boxes = form.querySelectorAll("input[name='harassment_types']");

  function render() {
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
  Array.prototype.forEach.call(boxes, function (b) { b.addEventListener("change", render); });
  render();
})();
