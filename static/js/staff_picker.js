// 対応職員: find colleagues by name or 課 and add them; the chosen people are a list with a 削除
// button each (incidents/widgets.py). The server renders one checkbox per candidate, grouped by
// 課 with the reporter's own 課 first; this script hides the boxes, shows a search box (the ARIA 1.2
// combobox with a listbox: ↓ ↑ Enter Esc) and ticks or unticks the same boxes, so the form posts
// the same thing with or without JavaScript. Plain JavaScript, no external code; every text it
// shows comes from data-* attributes the template wrote through Django's translation functions.
(function () {
  "use strict";

  //: The most candidates shown at once; typing more narrows the list.
  var MAX_SHOWN = 50;

  // Full-width and half-width alike (ＡＢＣ = abc, ｶﾀｶﾅ = カタカナ), katakana as hiragana, case,
  // spaces and dashes ignored: 「やまだ」「ﾔﾏﾀﾞ」 find ヤマダ, 「山田花子」 finds 山田 花子.
  function fold(text) {
    return (text || "").normalize("NFKC").toLowerCase()
      .replace(/[\u30a1-\u30f6]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0x60); })
      .replace(/[\s\-\u2010-\u2015\u2212\u30fb]+/g, "");
  }

  function fill(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (all, key) {
      return key in values ? String(values[key]) : all;
    });
  }

  function enhance(root) {
    if (root.dataset.enhanced) return;
    var boxes = root.querySelector("[data-staff-boxes]");
    var ui = root.querySelector("[data-staff-ui]");
    var input = root.querySelector("[role='combobox']");
    var listbox = root.querySelector("[role='listbox']");
    var chosenList = root.querySelector("[data-staff-chosen]");
    var countLine = root.querySelector("[data-staff-count]");
    var note = root.querySelector("[data-staff-note]");
    var status = root.querySelector("[data-staff-status]");
    if (!boxes || !ui || !input || !listbox || !chosenList || !status) return;
    root.dataset.enhanced = "1";
    var max = parseInt(root.dataset.max || "0", 10);

    var people = [];
    Array.prototype.forEach.call(boxes.querySelectorAll("input[type='checkbox']"), function (box) {
      var group = box.closest("[data-section]");
      var label = box.closest("label");
      var nameNode = label && label.querySelector("span");
      var person = {
        id: box.value,
        box: box,
        name: nameNode ? nameNode.textContent.trim() : box.value,
        section: group ? group.getAttribute("data-section") : "",
        reporter: box.hasAttribute("data-reporter")
      };
      person.key = fold(person.name) + "|" + fold(person.section);
      people.push(person);
    });

    // The chosen people in the order they were chosen: the reporter first, then the page's order.
    var chosen = people.filter(function (p) { return p.box.checked; });
    chosen.sort(function (a, b) { return (b.reporter ? 1 : 0) - (a.reporter ? 1 : 0); });

    // -- announcements (one polite live region) ------------------------------------------------
    var announceTimer = null;
    function announce(text, delay) {
      clearTimeout(announceTimer);
      announceTimer = setTimeout(function () {
        status.textContent = "";
        // A new node each time, so the same words said twice are announced twice.
        var line = document.createElement("span");
        line.textContent = text;
        status.appendChild(line);
      }, delay || 50);
    }

    // -- the chosen people ---------------------------------------------------------------------
    function renderChosen() {
      chosenList.textContent = "";
      countLine.textContent = fill(root.dataset.count, {count: chosen.length});
      if (!chosen.length) {
        var empty = document.createElement("li");
        empty.className = "staff-picker-empty";
        empty.textContent = root.dataset.empty;
        chosenList.appendChild(empty);
      }
      chosen.forEach(function (person) {
        var item = document.createElement("li");
        item.className = "staff-chip";
        item.setAttribute("data-id", person.id);
        var text = document.createElement("span");
        text.className = "staff-chip-text";
        var name = document.createElement("span");
        name.className = "staff-chip-name";
        name.textContent = person.name;
        text.appendChild(name);
        if (person.reporter) {
          var tag = document.createElement("span");
          tag.className = "staff-chip-tag";
          tag.textContent = root.dataset.reporterLabel;
          text.appendChild(document.createTextNode(" "));
          text.appendChild(tag);
        }
        if (person.section) {
          var section = document.createElement("span");
          section.className = "staff-chip-section";
          section.textContent = person.section;
          text.appendChild(document.createTextNode(" "));
          text.appendChild(section);
        }
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "staff-chip-remove";
        remove.textContent = root.dataset.removeText;
        remove.setAttribute("aria-label", fill(root.dataset.removeLabel, {name: person.name}));
        remove.addEventListener("click", function () { removePerson(person); });
        item.appendChild(text);
        item.appendChild(remove);
        chosenList.appendChild(item);
      });
    }

    function setChecked(person, checked) {
      person.box.checked = checked;
      person.box.dispatchEvent(new Event("change", {bubbles: true}));
    }

    function addPerson(person) {
      if (person.box.checked) return;
      if (max && chosen.length >= max) {
        announce(root.dataset.full);
        return;
      }
      setChecked(person, true);
      chosen.push(person);
      input.value = "";
      close();
      renderChosen();
      announce(fill(root.dataset.added, {name: person.name}));
      input.focus();
    }

    function removePerson(person) {
      var index = chosen.indexOf(person);
      if (index === -1) return;
      setChecked(person, false);
      chosen.splice(index, 1);
      renderChosen();
      // Focus stays in the list: the next person's 削除, else the previous one's, else the search.
      var buttons = chosenList.querySelectorAll(".staff-chip-remove");
      var next = buttons[Math.min(index, buttons.length - 1)];
      (next || input).focus();
      announce(fill(root.dataset.removed, {name: person.name}));
    }

    // -- the search box and its listbox ---------------------------------------------------------
    var shown = [];
    var options = [];
    var active = -1;

    function matches(query) {
      var terms = (query || "").normalize("NFKC").split(/\s+/).map(fold).filter(Boolean);
      return people.filter(function (person) {
        if (person.box.checked) return false;
        for (var i = 0; i < terms.length; i++) {
          if (person.key.indexOf(terms[i]) === -1) return false;
        }
        return true;
      });
    }

    function open(query) {
      var found = matches(query);
      shown = found.slice(0, MAX_SHOWN);
      options = [];
      active = -1;
      input.removeAttribute("aria-activedescendant");
      listbox.textContent = "";
      shown.forEach(function (person, index) {
        var option = document.createElement("li");
        option.id = root.id + "_option_" + person.id;
        option.className = "staff-picker-option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.className = "staff-picker-option-name";
        name.textContent = person.name;
        var section = document.createElement("span");
        section.className = "staff-picker-option-section";
        section.textContent = person.section;
        option.appendChild(name);
        option.appendChild(section);
        // The search box keeps the focus while a candidate is pressed.
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { addPerson(person); });
        option.addEventListener("mousemove", function () { if (active !== index) highlight(index); });
        listbox.appendChild(option);
        options.push(option);
      });
      var expanded = shown.length > 0;
      listbox.hidden = !expanded;
      input.setAttribute("aria-expanded", expanded ? "true" : "false");
      if (!found.length) {
        showNote(root.dataset.none);
        announce(root.dataset.none, 500);
      } else {
        showNote(found.length > shown.length ? fill(root.dataset.more, {shown: shown.length}) : "");
        announce(fill(root.dataset.found, {count: found.length}), 500);
      }
    }

    function showNote(text) {
      if (!note) return;
      note.textContent = text;
      note.hidden = !text;
    }

    function close() {
      listbox.hidden = true;
      listbox.textContent = "";
      shown = [];
      options = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      showNote("");
    }

    function highlight(index) {
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "false");
        options[active].classList.remove("is-active");
      }
      active = index;
      var option = options[active];
      if (!option) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      option.setAttribute("aria-selected", "true");
      option.classList.add("is-active");
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({block: "nearest"});
    }

    function isOpen() { return input.getAttribute("aria-expanded") === "true"; }

    input.addEventListener("keydown", function (event) {
      // Keys typed while the Japanese input method is converting belong to it.
      if (event.isComposing || event.keyCode === 229) return;
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (!isOpen()) open(input.value);
          if (options.length) highlight(active < options.length - 1 ? active + 1 : 0);
          break;
        case "ArrowUp":
          event.preventDefault();
          if (!isOpen()) open(input.value);
          if (options.length) highlight(active > 0 ? active - 1 : options.length - 1);
          break;
        case "Enter":
          // Never submits the form: a report is saved only by its buttons.
          event.preventDefault();
          if (isOpen() && active >= 0) addPerson(shown[active]);
          break;
        case "Escape":
          if (isOpen()) {
            event.preventDefault();
            close();
          } else if (input.value) {
            event.preventDefault();
            input.value = "";
            showNote("");
          }
          break;
        case "Tab":
          close();
          break;
      }
    });
    input.addEventListener("input", function () {
      if (input.value.trim()) {
        open(input.value);
      } else {
        close();
      }
    });
    input.addEventListener("blur", function () { close(); });

    // A refused form shows its message under the field: the search box is described by it too.
    var described = [input.getAttribute("aria-describedby") || ""];
    [root.id + "_helptext", root.id + "_error"].forEach(function (id) {
      if (document.getElementById(id)) described.push(id);
    });
    input.setAttribute("aria-describedby", described.join(" ").trim());

    boxes.hidden = true;
    ui.hidden = false;
    renderChosen();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-staff-picker]"), enhance);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
