/* The place picker, searchable by name: every <select class="place-select"> (the user's own places, grouped
   by township, rendered by {% place_select %}) becomes a combobox that filters its own options as one types
   梅岩 or 黄金镇, shows each village's township, and is picked by mouse, touch or keyboard (↑ ↓ Enter Esc).
   The select stays in the form, visually hidden, and carries the value: no view changes, and without this
   file the grouped select works as before. The options are already in the page, scoped by the jurisdiction
   filter, so the search is local and needs no request (a county's 300–500 villages are searched in well under
   a millisecond; drawing the rows is what costs, hence at most LIMIT of them: bench/place_picker.py).
   Events are delegated from the document, so pickers in htmx-swapped or history-restored fragments work. */
(function () {
  "use strict";
  var LIMIT = 100; // options drawn at once: more is a hint to type more, not a longer list
  var state = new WeakMap(); // select -> {entries, matches, active}

  function norm(s) { return (s || "").replace(/\s+/g, "").toLowerCase(); }
  function fill(text, values) {
    return (text || "").replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  // Each option once: its name, its township (the optgroup), what the input shows once picked, what is searched.
  function entries(select) {
    var out = [];
    Array.prototype.forEach.call(select.options, function (o) {
      if (!o.value && select.dataset.any === undefined) { return; } // "— choose a place —" is not a place
      var town = o.parentNode.tagName === "OPTGROUP" ? o.parentNode.label : "";
      var name = o.text.trim();
      var label = town && name.indexOf(town) !== 0 ? town + name : name;
      out.push({ option: o, value: o.value, name: name, town: label === name ? "" : town, label: label,
                 hay: norm(town + name), nameHay: norm(name) });
    });
    return out;
  }

  function info(select) {
    var s = state.get(select);
    if (!s) { s = { entries: entries(select), matches: [], active: -1 }; state.set(select, s); }
    return s;
  }

  function parts(input) {
    var wrap = input.closest(".place-picker");
    return { wrap: wrap, input: input, select: wrap.querySelector("select"), panel: wrap.querySelector(".pp-panel"),
             list: wrap.querySelector("[role=listbox]"), note: wrap.querySelector(".pp-note"),
             status: wrap.querySelector(".pp-status") };
  }

  // What the input shows for the select's value: "" for "all my places" (the placeholder says so).
  function labelOf(select) {
    var o = select.options[select.selectedIndex];
    if (!o || !o.value) { return ""; }
    var hit = info(select).entries.filter(function (e) { return e.option === o; })[0];
    return hit ? hit.label : o.text.trim();
  }

  function sync(select) {
    var wrap = select.closest(".place-picker"), input = wrap && wrap.querySelector(".pp-input");
    if (!input) { return; }
    input.value = labelOf(select);
    validate(parts(input));
  }

  // The form may not go with a text that is not a picked place: the browser says so on submit. The field is
  // marked invalid once the user has left it so (``shout``), never while they are still typing.
  function validate(p, shout) {
    var text = p.input.value.trim(), message = "";
    if (text && text !== labelOf(p.select)) {
      message = p.select.dataset.invalid;
    } else if (!text && p.wrap.dataset.required !== undefined) {
      message = p.select.dataset.required;
    }
    p.input.setCustomValidity(message);
    if (message && shout) { p.input.setAttribute("aria-invalid", "true"); } else { p.input.removeAttribute("aria-invalid"); }
    return !message;
  }

  function search(p, text) {
    var s = info(p.select), terms = text.trim().split(/\s+/).map(norm).filter(Boolean);
    if (!terms.length) { s.matches = s.entries.slice(); return s; }
    var digits = /^\d+$/.test(terms.join(""));
    var hits = s.entries.filter(function (e) {
      if (!e.value) { return false; } // "all my places" only while nothing is typed
      if (digits) { return e.value.indexOf(terms.join("")) === 0; } // a code someone pasted still finds its place
      return terms.every(function (t) { return e.hay.indexOf(t) !== -1; });
    });
    var first = terms[0];
    function rank(e) { return e.nameHay.indexOf(first) === 0 ? 0 : e.nameHay.indexOf(first) !== -1 ? 1 : 2; }
    s.matches = hits.map(function (e, i) { return [rank(e), i, e]; })
      .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; }).map(function (x) { return x[2]; });
    return s;
  }

  function mark(el, text, term) {
    var at = term ? text.toLowerCase().indexOf(term) : -1;
    if (at === -1) { el.textContent = text; return; }
    var m = document.createElement("mark");
    m.textContent = text.slice(at, at + term.length);
    el.append(text.slice(0, at), m, text.slice(at + term.length));
  }

  function draw(p, text) {
    var s = search(p, text), id = p.input.id, current = p.select.value, term = norm(text.split(/\s+/)[0] || "");
    var list = p.list, shown = s.matches.slice(0, LIMIT);
    list.textContent = "";
    shown.forEach(function (e, i) {
      var li = document.createElement("li");
      li.id = id + "-o" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.index = String(i);
      if (e.value === current) { li.classList.add("pp-current"); }
      var name = document.createElement("span");
      name.className = "pp-name";
      mark(name, e.name, term);
      li.appendChild(name);
      if (e.town) {
        var town = document.createElement("span");
        town.className = "pp-town";
        mark(town, e.town, term);
        li.appendChild(town);
      }
      list.appendChild(li);
    });
    var d = p.select.dataset, n = s.matches.length;
    var typed = text.trim();
    p.note.textContent = !n && typed ? fill(d.none, { q: typed }) : n > LIMIT ? fill(d.more, { shown: LIMIT, n: n }) : "";
    p.note.hidden = !p.note.textContent;
    p.status.textContent = n ? fill(d.found, { n: n }) : p.note.textContent;
    s.matches = shown;
    return s;
  }

  function activate(p, index) {
    var s = info(p.select), items = p.list.children;
    if (s.active >= 0 && items[s.active]) { items[s.active].setAttribute("aria-selected", "false"); }
    s.active = s.matches.length ? Math.max(0, Math.min(index, s.matches.length - 1)) : -1;
    var li = items[s.active];
    if (li) {
      li.setAttribute("aria-selected", "true");
      p.input.setAttribute("aria-activedescendant", li.id);
      var top = li.offsetTop, bottom = top + li.offsetHeight; // keep it in view without scrolling the page
      if (top < p.list.scrollTop) { p.list.scrollTop = top; }
      else if (bottom > p.list.scrollTop + p.list.clientHeight) { p.list.scrollTop = bottom - p.list.clientHeight; }
    } else {
      p.input.removeAttribute("aria-activedescendant");
    }
  }

  // Opened from a click or an arrow key on the shown place: the whole list, the shown place highlighted.
  function open(p, text) {
    var typed = text !== undefined ? text : (p.input.value === labelOf(p.select) ? "" : p.input.value);
    var s = draw(p, typed);
    if (!s.matches.length && !typed.trim()) { return; } // a user without a place: nothing to list
    p.panel.hidden = false;
    p.input.setAttribute("aria-expanded", "true");
    var at = typed.trim() ? 0 : s.matches.map(function (e) { return e.value; }).indexOf(p.select.value);
    activate(p, at < 0 ? 0 : at);
  }

  function close(p) {
    p.panel.hidden = true;
    p.input.setAttribute("aria-expanded", "false");
    p.input.removeAttribute("aria-activedescendant");
    info(p.select).active = -1;
  }

  function isOpen(p) { return !p.panel.hidden; }

  function pick(p, entry) {
    var changed = p.select.value !== entry.value;
    p.select.value = entry.value;
    p.input.value = labelOf(p.select);
    close(p);
    validate(p);
    if (changed) { p.select.dispatchEvent(new Event("change", { bubbles: true })); } // htmx triggers, autosubmit
  }

  // Leaving the field: one match is taken as meant; nothing typed means "all my places" where the page offers
  // it (the place shown before where it does not); a required field left empty or an unknown name stays marked.
  function settle(p) {
    close(p);
    var text = p.input.value.trim();
    if (text === labelOf(p.select)) { validate(p); return; }
    if (!text) {
      if (p.wrap.dataset.required === undefined) {
        if (p.select.querySelector('option[value=""]')) { pick(p, { value: "" }); } else { sync(p.select); }
        return;
      }
    } else {
      var hits = search(p, text).matches.filter(function (e) { return e.value; });
      var exact = hits.filter(function (e) { return norm(e.label) === norm(text) || norm(e.name) === norm(text); });
      if (hits.length === 1 || exact.length === 1) { pick(p, hits.length === 1 ? hits[0] : exact[0]); return; }
    }
    validate(p, true);
  }

  function build(select) {
    if (select.dataset.picker) { return; }
    var id = select.id || "place-" + Math.random().toString(36).slice(2, 8), d = select.dataset;
    var wrap = document.createElement("span");
    wrap.className = "place-picker";
    if (select.required) { wrap.dataset.required = ""; }
    var input = document.createElement("input");
    input.type = "text";
    input.className = "pp-input";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "-list");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("spellcheck", "false");
    input.setAttribute("enterkeyhint", "done");
    input.placeholder = d.any !== undefined ? d.any : d.hint;
    input.title = d.hint;
    if (select.required) { input.setAttribute("aria-required", "true"); }
    // The page's <label for="…"> now names the field one types in; without one, the word 地点 does.
    select.id = id + "-select";
    input.id = id;
    var labelled = document.querySelector('label[for="' + id + '"]') || select.closest("label");
    if (!labelled) { input.setAttribute("aria-label", d.label); }
    var panel = document.createElement("div");
    panel.className = "pp-panel";
    panel.hidden = true;
    var list = document.createElement("ul");
    list.id = id + "-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", labelled ? labelled.textContent.trim() || d.label : d.label);
    var note = document.createElement("p");
    note.className = "pp-note";
    note.hidden = true;
    panel.append(list, note);
    var status = document.createElement("span");
    status.className = "pp-status";
    status.setAttribute("role", "status");
    select.parentNode.insertBefore(wrap, select);
    wrap.append(input, panel, status, select);
    select.required = false; // the combobox says what is missing, where the user types
    select.tabIndex = -1;
    select.setAttribute("aria-hidden", "true");
    select.dataset.picker = id;
    sync(select);
  }

  function enhance(root) {
    var scope = root && root.querySelectorAll ? root : document;
    if (scope.matches && scope.matches("select.place-select")) { build(scope); }
    scope.querySelectorAll("select.place-select:not([data-picker])").forEach(build);
  }

  function pickerOf(target) {
    return target && target.matches && target.matches(".place-picker .pp-input") ? parts(target) : null;
  }

  var composing = false;
  document.addEventListener("compositionstart", function (e) { if (pickerOf(e.target)) { composing = true; } });
  document.addEventListener("compositionend", function (e) {
    var p = pickerOf(e.target);
    composing = false;
    if (p) { open(p, p.input.value); validate(p); }
  });
  document.addEventListener("input", function (e) {
    var p = pickerOf(e.target);
    if (!p || composing || e.isComposing) { return; } // pinyin being composed is not yet a name
    open(p, p.input.value);
    validate(p);
  });
  // The text field's own change is not the form's: only the select's change (a pick) may trigger htmx.
  document.addEventListener("change", function (e) { if (pickerOf(e.target)) { e.stopPropagation(); } }, true);
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("select[data-picker]")) { sync(e.target); }
  });

  document.addEventListener("keydown", function (e) {
    var p = pickerOf(e.target);
    if (!p || e.isComposing || composing) { return; }
    var s = info(p.select);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!isOpen(p)) { open(p); return; }
      if (!e.altKey) { activate(p, s.active + (e.key === "ArrowDown" ? 1 : -1)); }
    } else if (e.key === "PageDown" || e.key === "PageUp") {
      if (isOpen(p)) { e.preventDefault(); activate(p, s.active + (e.key === "PageDown" ? 10 : -10)); }
    } else if (e.key === "Enter") {
      if (isOpen(p)) {
        e.preventDefault(); // Enter picks; with the list closed it submits the form as any field does
        if (s.matches[s.active]) { pick(p, s.matches[s.active]); }
      } else if (p.input.value.trim() !== labelOf(p.select)) {
        settle(p);
      }
    } else if (e.key === "Escape") {
      if (isOpen(p)) { e.preventDefault(); close(p); }
      else if (p.input.value !== labelOf(p.select)) { e.preventDefault(); sync(p.select); }
    } else if (e.key === "Tab" && isOpen(p) && s.matches[s.active] && p.input.value.trim() !== labelOf(p.select)) {
      pick(p, s.matches[s.active]); // Tab accepts the highlighted place, as the list promised
    }
  });

  // Mouse and touch: the list keeps the focus in the field, a tap or click picks.
  document.addEventListener("mousedown", function (e) {
    if (e.target.closest && e.target.closest(".place-picker .pp-panel")) { e.preventDefault(); }
  });
  document.addEventListener("click", function (e) {
    var inPanel = e.target.closest && e.target.closest(".place-picker .pp-panel");
    if (inPanel) { e.preventDefault(); } // inside a <label>, a click would otherwise "click" the field and reopen
    var li = inPanel && e.target.closest("[role=option]");
    if (li) {
      var p = parts(li.closest(".place-picker").querySelector(".pp-input"));
      var entry = info(p.select).matches[Number(li.dataset.index)];
      if (entry) { pick(p, entry); p.input.focus(); }
      return;
    }
    var q = pickerOf(e.target);
    if (q && !isOpen(q)) { open(q); }
  });
  var fresh = null; // the field just focused: its whole text selected, so typing replaces the place shown
  document.addEventListener("focusin", function (e) {
    var p = pickerOf(e.target);
    if (p) { fresh = p.input; p.input.select(); }
  });
  document.addEventListener("mouseup", function (e) {
    if (fresh && e.target === fresh) { e.preventDefault(); }
    fresh = null;
  });
  document.addEventListener("focusout", function (e) {
    var p = pickerOf(e.target);
    if (p && !(e.relatedTarget && p.wrap.contains(e.relatedTarget))) { settle(p); }
  });
  // A form that skips the browser's check (novalidate) still never goes with a name that is not a picked place:
  // the select would send the place shown before. Capture phase: before htmx or any other submit handler.
  document.addEventListener("submit", function (e) {
    var bad = Array.prototype.filter.call(e.target.querySelectorAll(".place-picker .pp-input"), function (input) {
      return !validate(parts(input), true);
    })[0];
    if (bad && e.target.noValidate) {
      e.preventDefault();
      e.stopPropagation();
      bad.focus();
      bad.reportValidity();
    }
  }, true);
  document.addEventListener("invalid", function (e) { var p = pickerOf(e.target); if (p) { validate(p, true); } }, true);
  document.addEventListener("reset", function (e) {
    setTimeout(function () { e.target.querySelectorAll("select[data-picker]").forEach(sync); });
  });

  enhance(document);
  document.addEventListener("htmx:load", function (e) { enhance(e.detail && e.detail.elt); });
  // A page htmx restores from its history holds built pickers whose text was not kept: show the place again.
  document.addEventListener("htmx:historyRestore", function () { document.querySelectorAll("select[data-picker]").forEach(sync); });
  window.addEventListener("pageshow", function () { document.querySelectorAll("select[data-picker]").forEach(sync); });
})();
