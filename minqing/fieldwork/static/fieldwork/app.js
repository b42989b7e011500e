/* The field app (/field/): a cadre's visit list, and visits (with the household's checklist), group
   activities, appeals and enterprise visits recorded into the phone's outbox (store.js) with or without
   network, then sent to POST /api/v1/sync — enterprise visits to POST /api/v1/enterprises/visits, which
   answers one record at a time; its answers are read into the same fates.

   A record's fate comes from the server, per record: applied or duplicate -> it left the phone;
   rejected or conflict -> it stays, with the server's reason, until the cadre edits and resends it or
   discards it. Every record carries a client_id made here, so sending a batch twice creates nothing twice. */
(function () {
  "use strict";

  const CFG = JSON.parse(document.getElementById("field-config").textContent);
  const S = CFG.strings;
  const BATCH = 50;  // records per request: small enough for a weak 2G link to finish
  const RETRY_MS = 60000;
  const TIMEOUT_MS = 30000;  // a request that hangs longer is given up; a resend is safe (client_id)
  const $ = function (sel, root) { return (root || document).querySelector(sel); };
  const $$ = function (sel, root) { return Array.from((root || document).querySelectorAll(sel)); };
  const fmt = function (text, vars) { return text.replace(/%\((\w+)\)s/g, function (_, k) { return vars[k]; }); };

  let store = null;
  let plan = null;  // {items, fetched_at}
  // Every household the cadre may see, for the picker when one not due calls them in (GET field/households):
  // {items, tags, count, truncated, version, fetched_at}; re-downloaded only when its version changed.
  let directory = null;
  let findSeq = 0;  // the latest search: an older one still reading the outbox does not overwrite it
  const FIND_SHOWN = 50;  // matches shown at once: more means typing more
  let syncing = false;
  let visitItem = null;  // the plan item of the open visit form
  let checklists = null;  // {by_county: {county: [checklist version]}, fetched_at}: GET checklists/forms
  let enterprises = null;  // {items, fetched_at}: GET /api/v1/enterprises
  let enterpriseKept = null;  // the enterprise of a record being edited, shown even if gone from the list
  // The checklist of the open visit form. `pinned` is the version an edited record was answered on: it is
  // shown as it was even when the server has a newer one (answers are never moved to another version).
  const sheet = { pinned: null, chosen: null, shown: null, draft: {} };
  const editing = { visit: null, activity: null, appeal: null, enterprise_visit: null };  // client_id, per form
  const VIEW_OF = { visit: "visit", activity: "activity", appeal: "appeal", enterprise_visit: "enterprise" };
  const SYNC_TYPES = ["visit", "activity", "appeal"];  // what POST /api/v1/sync takes

  /* ---------- small helpers ---------- */

  function deviceId() {
    let id = localStorage.getItem("minqing-field-device");
    if (!id) { id = self.fieldUuid(); localStorage.setItem("minqing-field-device", id); }
    return id;
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function localInput(date) {  // a Date as the value of <input type=datetime-local>, in the phone's time
    const d = date || new Date();
    return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  }

  function isoFromInput(value) {  // the phone's local time -> ISO 8601 in UTC, which the server reads unambiguously
    const d = value ? new Date(value) : new Date();
    return (isNaN(d.getTime()) ? new Date() : d).toISOString();
  }

  function shortTime(iso) {
    const d = new Date(iso);
    if (isNaN(d.getTime())) return "";
    return d.toLocaleString(document.documentElement.lang || undefined,
      { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(function ([k, v]) {
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else if (k.startsWith("data-")) node.setAttribute(k, v);
      else node[k] = v;
    });
    (children || []).forEach(function (c) { if (c) node.append(c); });
    return node;
  }

  function flash(text, kind, link) {
    const box = $("#flash");
    box.replaceChildren();
    box.hidden = !text;
    box.className = "flash " + (kind || "info");
    if (!text) return;
    box.append(text);
    if (link) box.append(" ", el("a", { href: link, text: "→" }));
  }

  function choices(name) {
    if (name === "regions") return CFG.regions.map(function (r) { return [r.code, r.name]; });
    if (name === "households") {
      const items = (plan && plan.items) || [];
      return [["", S.no_household]].concat(items.map(function (i) {
        return [String(i.household), i.head_name + " · " + i.number + " · " + i.village];
      }));
    }
    if (name === "enterprises") {
      const rows = sortedEnterprises().map(function (e) {
        return [String(e.id), (isMine(e) ? "★ " : "") + e.name + " · " + (e.kind_label || "")];
      });
      if (enterpriseKept && !rows.some(function (r) { return r[0] === String(enterpriseKept.id); })) {
        rows.push([String(enterpriseKept.id), enterpriseKept.name]);
      }
      return [["", "—"]].concat(rows);
    }
    return CFG[name] || [];
  }

  function isMine(e) { return (e.leaders || []).some(function (l) { return l.id === CFG.user.id; }); }

  function sortedEnterprises() {  // the leader's own liaison enterprises first
    const items = ((enterprises && enterprises.items) || []).slice();
    return items.sort(function (a, b) { return (isMine(b) - isMine(a)) || a.name.localeCompare(b.name, "zh"); });
  }

  function fillChoices(root) {
    $$("select[data-choices]", root).forEach(function (select) {
      const keep = select.value;
      select.replaceChildren.apply(select, choices(select.dataset.choices).map(function ([v, l]) {
        return new Option(l, v);
      }));
      if (keep && $$("option", select).some(function (o) { return o.value === keep; })) select.value = keep;
    });
  }

  /* ---------- views ---------- */

  function show(name) {
    if (!$("[data-view=" + name + "]")) name = "plan";
    if (name === "visit" && !visitItem) name = "plan";
    $$("[data-view]").forEach(function (s) { s.hidden = s.dataset.view !== name; });
    $$(".tabs [data-go]").forEach(function (b) { b.classList.toggle("on", b.dataset.go === name); });
    if (name === "outbox") renderOutbox();
    if (name === "appeal") fillChoices($("#appeal-form"));
    if (name === "enterprise") openEnterprise();
    if (location.hash !== "#" + name) history.replaceState(null, "", "#" + name);
    window.scrollTo(0, 0);
  }

  function renderNet() {
    const net = $("#net");
    net.textContent = navigator.onLine ? S.online : S.offline;
    net.className = "net " + (navigator.onLine ? "up" : "down");
  }

  async function renderCount() {
    const rows = await store.all();
    const bad = rows.filter(function (r) { return r.status === "rejected" || r.status === "conflict"; }).length;
    $$("#waiting-count, [data-waiting]").forEach(function (b) {
      b.textContent = String(rows.length);
      b.classList.toggle("bad", bad > 0);
      b.classList.toggle("zero", rows.length === 0);
    });
    return rows;
  }

  async function renderPlan() {
    await renderPlanList();
    await renderFind();  // the search's badges follow the outbox too
  }

  async function renderPlanList() {
    const box = $("#plan-list");
    if (!plan) { $("#plan-age").textContent = ""; box.replaceChildren(el("p", { class: "empty", text: S.plan_none })); return; }
    const when = shortTime(plan.fetched_at);
    $("#plan-age").textContent = fmt(plan.fresh ? S.plan_fetched : S.plan_stale, { when: when });
    if (!plan.items.length) { box.replaceChildren(el("p", { class: "empty", text: S.plan_empty })); return; }
    const pending = await pendingHouseholds();
    const names = tagNames();
    const parts = [];  // built first, swapped in at once: the list never shows empty while the outbox is read
    let heading = null;
    let list = null;
    plan.items.forEach(function (item) {
      const key = item.village + " " + (item.group || "");
      if (key !== heading) {
        heading = key;
        parts.push(el("h2", { class: "group", text: key }));
        list = el("ul", { class: "plan" });
        parts.push(list);
      }
      list.append(el("li", {}, [householdButton(item, pending, names)]));
    });
    box.replaceChildren(...parts);
  }

  async function pendingHouseholds() {  // households with a visit waiting in the outbox
    return new Set((await store.all()).filter(function (r) { return r.type === "visit"; })
      .map(function (r) { return r.data.household; }));
  }

  function tagNames() {
    return Object.assign({}, (directory && directory.tags) || {},
      Object.fromEntries(CFG.tags.map(function (t) { return [t.code, t.name]; })));
  }

  /* One household to tap: a plan item (due date, address) or a directory item (village and group). */
  function householdButton(item, pending, names) {
    const planned = item.due_on !== undefined;
    let badge;
    if (pending.has(item.household)) badge = el("span", { class: "due done", text: S.status_waiting });
    else if (planned) badge = el("span", { class: "due " + (item.overdue ? "late" : ""), text: item.overdue ? S.overdue : S.due });
    else badge = el("span", { class: "due nodue", text: S.not_due });
    const tags = el("span", { class: "tags" }, (item.tags || []).map(function (c) {
      return el("span", { class: "tag", text: names[c] || c });
    }));
    const last = item.last_visit ? S.last_visit + " " + item.last_visit : S.never_visited;
    const where = planned ? item.address || "" : [item.village, item.group].filter(Boolean).join(" · ");
    const button = el("button", { type: "button", class: "hh", "data-household": String(item.household),
      "data-source": planned ? "plan" : "directory" }, [
      el("span", { class: "line" }, [el("b", { text: item.head_name }), el("span", { class: "num", text: item.number }), badge]),
      el("span", { class: "addr", text: where }),
      tags,
      el("span", { class: "hint", text: planned ? last + " · " + S.due_on + " " + item.due_on : last }),
    ]);
    button.addEventListener("click", function () { openVisit(item, null); });
    return button;
  }

  /* ---------- finding any household: the visit list first, then the directory (offline) ---------- */

  function norm(text) { return String(text || "").toLowerCase().replace(/\s+/g, ""); }

  /* Every word typed must be in the householder's name, the household number, the group or the village. */
  function matcher(query) {
    const words = String(query).split(/\s+/).map(norm).filter(Boolean);
    if (!words.length) return null;
    return function (item) {
      const fields = [item.head_name, item.number, item.group, item.village].map(norm);
      return words.every(function (w) { return fields.some(function (f) { return f.includes(w); }); });
    };
  }

  function renderDirectoryAge() {
    const age = $("#directory-age");
    if (!directory) { age.textContent = S.directory_none; return; }
    let text = fmt(S.directory_age, { n: directory.items.length, when: shortTime(directory.fetched_at) });
    if (directory.truncated) text += " " + fmt(S.directory_cut, { n: directory.items.length, total: directory.count });
    age.textContent = text;
  }

  async function renderFind() {
    const seq = ++findSeq;
    const box = $("#find-list");
    const match = matcher($("#find").value);
    $("#plan-list").hidden = !!match;
    $("#plan-age").hidden = !!match;
    box.hidden = !match;
    if (!match) { box.replaceChildren(); box.dataset.query = ""; return; }
    const planned = ((plan && plan.items) || []).filter(match);
    const seen = new Set(planned.map(function (i) { return i.household; }));
    const others = ((directory && directory.items) || []).filter(function (i) { return !seen.has(i.household) && match(i); });
    const found = planned.concat(others);
    const pending = await pendingHouseholds();
    if (seq !== findSeq) return;  // typed on meanwhile
    const names = tagNames();
    box.replaceChildren.apply(box, found.slice(0, FIND_SHOWN).map(function (item) {
      return el("li", {}, [householdButton(item, pending, names)]);
    }));
    if (!found.length) box.append(el("li", { class: "empty", text: S.find_none }));
    if (found.length > FIND_SHOWN) box.append(el("li", { class: "hint", text: fmt(S.find_more, { n: found.length - FIND_SHOWN }) }));
    box.dataset.query = $("#find").value;  // what the list shows the matches of (tests wait on it)
  }

  async function renderOutbox() {
    const rows = await renderCount();
    const list = $("#outbox-list");
    list.replaceChildren();
    if (!rows.length) { list.append(el("li", { class: "empty", text: S.outbox_empty })); return; }
    rows.forEach(function (r) {
      const bad = r.status === "rejected" || r.status === "conflict";
      const details = [];
      if (r.type !== "appeal" && r.data.appeals && r.data.appeals.length) details.push(fmt(S.appeals_n, { n: r.data.appeals.length }));
      if (r.data.help && r.data.help.length) details.push(fmt(S.help_n, { n: r.data.help.length }));
      if (r.data.checklist) details.push(fmt(S.answered_n, { n: Object.keys(r.data.checklist.answers || {}).length }));
      const failed = failedLabels(r);
      const item = el("li", { class: "rec " + r.status, "data-client-id": r.client_id, "data-status": r.status }, [
        el("div", { class: "line" }, [
          el("span", { class: "type", text: S["type_" + r.type] || r.type }),
          el("b", { text: (r.meta && r.meta.title) || "" }),
          el("span", { class: "state", text: S["status_" + r.status] || r.status }),
        ]),
        el("span", { class: "hint", text: shortTime(r.created_at) + (details.length ? " · " + details.join(" · ") : "") }),
        failed.length ? el("p", { class: "cfail", text: fmt(S.failed_n, { n: failed.length }) + "：" + failed.join("、") })
          : null,
        bad ? el("p", { class: "reason", text: S.reason + "：" + (r.reason || "") }) : null,
        el("div", { class: "actions" }, [
          el("button", { type: "button", class: "ghost", "data-edit": r.client_id, text: S.edit }),
          el("button", { type: "button", class: "ghost danger", "data-discard": r.client_id, text: S.discard }),
        ]),
      ]);
      list.append(item);
    });
  }

  /* ---------- forms ---------- */

  function addRow(form, kind, values) {
    const row = $("#tpl-" + kind).content.firstElementChild.cloneNode(true);
    fillChoices(row);
    values = values || {};
    Object.entries(values).forEach(function ([k, v]) {
      const input = row.querySelector("[data-name=" + k + "]");
      if (!input) return;
      if (input.type === "checkbox") input.checked = !!v; else input.value = v == null ? "" : v;
    });
    if (kind === "appeal" && !values.kind && form.id === "activity-form" && form.kind.value === "mediation") {
      // 田间法庭: what is mediated on the spot is a dispute, settled there
      row.querySelector("[data-name=kind]").value = "dispute";
      row.querySelector("[data-name=solved_on_spot]").checked = true;
    }
    $("[data-rows=" + kind + "]", form).append(row);
    return row;
  }

  function clearForm(form) {
    form.reset();
    $$("[data-rows]", form).forEach(function (b) { b.replaceChildren(); });
    const error = $("[data-error]", form);
    error.hidden = true;
    error.textContent = "";
  }

  function formError(form, text) {
    const error = $("[data-error]", form);
    error.textContent = text;
    error.hidden = false;
    error.scrollIntoView({ block: "center" });
  }

  function value(row, name) { const i = row.querySelector("[data-name=" + name + "]"); return i ? i.value.trim() : ""; }

  function collectHelp(form) {
    return $$("[data-row=help]", form).map(function (row) {
      const amount = value(row, "amount").replace(/[,，]/g, "");
      if (amount && !/^\d{1,9}(\.\d{1,2})?$/.test(amount)) throw new Error(S.bad_amount);
      return { kind: value(row, "kind"), amount: amount || null, goods: value(row, "goods"), note: value(row, "note") };
    });
  }

  /* Appeals of an enterprise visit: what the server's /enterprises/visits takes (title, text, client_id). */
  function collectEnterpriseAppeals(form) {
    return $$("[data-row=eappeal]", form).map(function (row) {
      const title = value(row, "title");
      const text = value(row, "text");
      if (!title && !text) return null;
      return { client_id: self.fieldUuid(), title: title || text.slice(0, 30), text: text || title };
    }).filter(Boolean);
  }

  function collectAppeals(form) {
    return $$("[data-row=appeal]", form).map(function (row) {
      let title = value(row, "title");
      const text = value(row, "text");
      if (!title && !text) return null;  // an untouched row
      if (!title) title = text.slice(0, 30);
      return {
        client_id: self.fieldUuid(), title: title, text: text || title, kind: value(row, "kind") || "problem",
        solved_on_spot: row.querySelector("[data-name=solved_on_spot]").checked, what: value(row, "what"),
      };
    }).filter(Boolean);
  }

  function renderTags(checked) {
    const box = $("#visit-tags");
    box.replaceChildren.apply(box, CFG.tags.map(function (t) {
      const input = el("input", { type: "checkbox", name: "tag", value: t.code, checked: checked.includes(t.code) });
      return el("label", { class: "check" }, [input, " " + t.name]);
    }));
  }

  /* ---------- the household checklist (两不愁三保障) in the visit form ---------- */

  /* The county of a household: by its village code (directory), else through the village's name (plan). */
  function countyOf(item) {
    const byCode = item.village_code && CFG.regions.find(function (r) { return r.code === item.village_code; });
    if (byCode) return byCode.county;
    const counties = new Set(CFG.regions.filter(function (r) { return r.name === item.village; })
      .map(function (r) { return r.county; }));
    return counties.size === 1 ? Array.from(counties)[0] : null;
  }

  function allForms() {
    return checklists ? Object.values(checklists.by_county).reduce(function (a, b) { return a.concat(b); }, []) : [];
  }

  /* The checklists that apply to the household with these tags, as the server decides: same county,
     and one of the checklist's tags (a checklist without tags applies to every household). */
  function formsFor(item, tags) {
    const county = item && countyOf(item);
    const pool = county && checklists && checklists.by_county[county] ? checklists.by_county[county] : allForms();
    const applies = function (f) { return !f.tags.length || f.tags.some(function (t) { return tags.includes(t); }); };
    let out = pool.filter(applies);
    if (sheet.pinned && applies(sheet.pinned)) {
      out = [sheet.pinned].concat(out.filter(function (f) { return f.checklist !== sheet.pinned.checklist; }));
    }
    return out;
  }

  function cleanNumber(raw) {  // "4,200" or "4 200" -> "4200"; null when not a number
    const text = String(raw).replace(/[,，\s]/g, "");
    return /^-?\d{1,12}(\.\d+)?$/.test(text) ? text : null;
  }

  /* Pass or fail by the item's rule, as checklists.services.judge does; null: no answer, or a note. */
  function judge(item, raw) {
    if (raw === "" || raw == null) return null;
    if (item.answer_type === "yes_no") return (raw === "yes") === !!item.pass_value;
    if (item.answer_type === "number") {
      const text = cleanNumber(raw);
      if (text === null) return null;
      const n = Math.round(parseFloat(text) * 100) / 100;  // the server keeps two decimals
      const t = parseFloat(item.threshold);
      return item.comparison === "lte" ? n <= t : n >= t;
    }
    if (item.answer_type === "choice") return (item.passing_choices || []).includes(raw);
    return null;
  }

  function rawOf(item, v) {  // a stored answer -> the form's value
    if (v == null) return "";
    if (item.answer_type === "yes_no") return v === true ? "yes" : v === false ? "no" : "";
    return String(v);
  }

  function readRaw(row) {
    const picked = row.querySelector("input[type=radio]:checked");
    if (picked) return picked.value;
    const input = row.querySelector("input:not([type=radio])");
    return input ? input.value.trim() : "";
  }

  function showVerdict(row, item) {
    const verdict = judge(item, readRaw(row));
    row.classList.toggle("pass", verdict === true);
    row.classList.toggle("fail", verdict === false);
    row.dataset.verdict = verdict === true ? "pass" : verdict === false ? "fail" : "";
    row.querySelector(".verdict").textContent = verdict === true ? S.passed : verdict === false ? S.failed : "";
  }

  function shortNumber(text) { return String(text).replace(/\.0+$/, "").replace(/(\.\d*[1-9])0+$/, "$1"); }

  function itemRow(item, raw) {
    const row = el("div", { class: "ci", "data-item": item.code, "data-type": item.answer_type }, [
      el("div", { class: "ci-head" }, [
        el("span", { class: "ci-label", text: item.label }), el("span", { class: "verdict" }),
      ]),
    ]);
    const name = "ci-" + item.code;
    const radios = function (pairs) {
      return el("div", { class: "seg" }, pairs.map(function ([v, label]) {
        const input = el("input", { type: "radio", name: name, value: v, checked: raw === v });
        return el("label", { class: "check" }, [input, " " + label]);
      }));
    };
    if (item.answer_type === "yes_no") row.append(radios([["yes", S.yes], ["no", S.no]]));
    else if (item.answer_type === "choice") row.append(radios((item.choices || []).map(function (c) { return [c, c]; })));
    else if (item.answer_type === "number") {
      row.append(el("input", { type: "text", name: name, inputMode: "decimal", value: raw, autocomplete: "off" }));
      const rule = item.comparison === "lte" ? S.threshold_lte : S.threshold_gte;
      row.append(el("span", { class: "hint", text: fmt(rule, { t: shortNumber(item.threshold), u: item.unit || "" }) }));
    } else row.append(el("input", { type: "text", name: name, maxLength: 500, value: raw, autocomplete: "off" }));
    row.addEventListener("input", function () { showVerdict(row, item); });
    row.addEventListener("change", function () { showVerdict(row, item); });
    showVerdict(row, item);
    return row;
  }

  function keepDraft() {  // what was typed survives a re-render (a tag ticked, another checklist picked)
    const box = $("#checklist-box");
    if (!sheet.shown) return;
    const answers = {};
    $$(".ci", box).forEach(function (row) { answers[row.dataset.item] = readRaw(row); });
    sheet.draft[sheet.shown.version] = answers;
  }

  function renderChecklist() {
    const box = $("#checklist-box");
    const fieldset = $("#visit-checklist");
    keepDraft();
    sheet.shown = null;
    box.replaceChildren();
    if (!checklists && !sheet.pinned) {
      fieldset.hidden = false;
      box.append(el("p", { class: "hint", "data-missing": "1", text: S.checklist_missing }));
      return;
    }
    const tags = $$("#visit-tags input:checked").map(function (i) { return i.value; });
    const forms = formsFor(visitItem, tags);
    if (!forms.length) {
      fieldset.hidden = !allForms().length && !sheet.pinned;  // a county without checklists: nothing to show
      box.append(el("p", { class: "hint", text: S.checklist_none }));
      return;
    }
    fieldset.hidden = false;
    const form = forms.find(function (f) { return String(f.version) === sheet.chosen; }) || forms[0];
    if (forms.length > 1) {
      const select = el("select", { name: "checklist_version" }, forms.map(function (f) {
        return new Option(f.name + " · " + fmt(S.checklist_version, { n: f.number }), String(f.version));
      }));
      select.value = String(form.version);
      select.addEventListener("change", function () { sheet.chosen = select.value; renderChecklist(); });
      box.append(el("label", {}, [S.checklist_pick, select]));
    } else {
      box.append(el("p", { class: "hint", text: form.name + " · " + fmt(S.checklist_version, { n: form.number }) }));
    }
    const newer = allForms().some(function (f) { return f.checklist === form.checklist && f.version !== form.version; });
    if (sheet.pinned && sheet.pinned.version === form.version && newer) {
      box.append(el("p", { class: "hint", text: fmt(S.checklist_old, { n: form.number }) }));
    }
    const draft = sheet.draft[form.version] || {};
    let group = null;
    form.items.forEach(function (item) {
      if (item.group && item.group !== group) { group = item.group; box.append(el("h3", { class: "cgroup", text: group })); }
      box.append(itemRow(item, draft[item.code] || ""));
    });
    box.dataset.version = String(form.version);
    sheet.shown = form;
  }

  /* The answers for the record's data.checklist ({version, answers}) and what the phone keeps to show
     and edit them (the version as answered, the failed items); null when nothing was answered. */
  function collectChecklist() {
    const form = sheet.shown;
    if (!form || $("#visit-checklist").hidden) return null;
    const box = $("#checklist-box");
    const answers = {};
    const failed = [];
    form.items.forEach(function (item) {
      const row = box.querySelector('.ci[data-item="' + item.code + '"]');
      const raw = row ? readRaw(row) : "";
      if (!raw) return;
      if (item.answer_type === "yes_no") answers[item.code] = raw === "yes";
      else if (item.answer_type === "number") {
        const text = cleanNumber(raw);
        if (text === null) throw new Error(fmt(S.bad_number, { label: item.label }));
        answers[item.code] = text;
      } else if (item.answer_type === "note" && raw.length > 500) {
        throw new Error(fmt(S.note_too_long, { label: item.label }));
      } else answers[item.code] = raw;
      if (judge(item, raw) === false) failed.push(item.code);
    });
    if (!Object.keys(answers).length) return null;
    return { data: { version: form.version, answers: answers }, meta: { form: form, failed: failed } };
  }

  function failedLabels(record) {
    const c = record.meta && record.meta.checklist;
    if (!c || !c.failed || !c.failed.length) return [];
    const labels = Object.fromEntries((c.form.items || []).map(function (i) { return [i.code, i.label]; }));
    return c.failed.map(function (code) { return labels[code] || code; });
  }

  function openVisit(item, record) {
    const form = $("#visit-form");
    clearForm(form);
    visitItem = item;
    sheet.pinned = null;
    sheet.chosen = null;
    sheet.shown = null;
    sheet.draft = {};
    const answered = record && record.data.checklist;
    if (answered) {
      const kept = (record.meta && record.meta.checklist && record.meta.checklist.form) ||
        allForms().find(function (f) { return f.version === answered.version; }) || null;
      if (kept) {
        sheet.pinned = kept;
        sheet.chosen = String(kept.version);
        sheet.draft[kept.version] = Object.fromEntries(kept.items.map(function (i) {
          return [i.code, rawOf(i, (answered.answers || {})[i.code])];
        }));
      }
    }
    editing.visit = record ? record.client_id : null;
    form.household.value = item.household;
    $("#visit-title").textContent = item.head_name;
    $("#visit-sub").textContent = [item.village, item.group, item.number, item.address].filter(Boolean).join(" · ");
    form.dataset.tags = JSON.stringify(item.tags || []);
    $("#gps-text").textContent = "";
    let tags = item.tags || [];
    if (record) {
      const d = record.data;
      form.visited_at.value = localInput(new Date(d.visited_at));
      form.note.value = d.note || "";
      form.lat.value = d.lat == null ? "" : d.lat;
      form.lng.value = d.lng == null ? "" : d.lng;
      tags = tags.filter(function (c) { return !(d.tags_remove || []).includes(c); }).concat(d.tags_add || []);
      (d.help || []).forEach(function (h) { addRow(form, "help", h); });
      (d.appeals || []).forEach(function (a) { addRow(form, "appeal", a); });
    } else {
      form.visited_at.value = localInput();
      autoLocate();
    }
    renderTags(tags);
    renderChecklist();
    show("visit");
  }

  function locate() {
    const form = $("#visit-form");
    const text = $("#gps-text");
    if (!("geolocation" in navigator)) { text.textContent = S.gps_none; return; }
    text.textContent = S.gps_wait;
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.lat.value = pos.coords.latitude.toFixed(6);
      form.lng.value = pos.coords.longitude.toFixed(6);
      text.textContent = fmt(S.gps_ok, { m: Math.round(pos.coords.accuracy || 0) });
    }, function () { text.textContent = S.gps_none; }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 120000 });
  }

  function autoLocate() {  // only when the cadre has allowed it before: no prompt in front of a resident
    if (!navigator.permissions || !("geolocation" in navigator)) return;
    navigator.permissions.query({ name: "geolocation" }).then(function (p) {
      if (p.state === "granted") locate();
    }).catch(function () {});
  }

  function number(text) { const n = parseFloat(text); return isNaN(n) ? null : n; }

  async function saveRecord(type, data, meta, form) {
    const old = editing[type] ? await store.get(editing[type]) : null;
    const record = {
      client_id: self.fieldUuid(),  // a fresh id even for an edit: the rejected one created nothing
      type: type,
      id: old ? old.id : null,
      // a conflict is resolved by basing the resend on the server's current version, knowingly
      base_version: old ? (old.status === "conflict" && old.server_version != null ? old.server_version : old.base_version) : null,
      data: data,
      meta: meta,
      status: "waiting",
      reason: null,
      created_at: old ? old.created_at : new Date().toISOString(),
      saved_at: new Date().toISOString(),
    };
    await store.replace(old ? old.client_id : null, record);
    editing[type] = null;
    clearForm(form);
    const rows = await renderCount();
    flash(fmt(S.saved, { n: rows.length }), "ok");
    show(type === "visit" ? "plan" : "outbox");
    await renderPlan();
    if (navigator.onLine) sync();
    return record;
  }

  async function submitVisit(event) {
    event.preventDefault();
    const form = event.target;
    const household = Number(form.household.value);
    if (!household || !visitItem) { formError(form, S.need_household); return; }
    const original = JSON.parse(form.dataset.tags || "[]");
    const checked = $$("#visit-tags input:checked").map(function (i) { return i.value; });
    let help, appeals, checklist;
    try {
      help = collectHelp(form);
      appeals = collectAppeals(form);
      checklist = collectChecklist();
    } catch (e) { formError(form, e.message); return; }
    const data = {
      household: household, visited_at: isoFromInput(form.visited_at.value), note: form.note.value.trim(),
      lat: number(form.lat.value), lng: number(form.lng.value),
      tags_add: checked.filter(function (c) { return !original.includes(c); }),
      tags_remove: original.filter(function (c) { return !checked.includes(c); }),
      help: help, appeals: appeals,
    };
    const meta = { title: visitItem.head_name, item: visitItem };
    if (checklist) { data.checklist = checklist.data; meta.checklist = checklist.meta; }
    $("#find").value = "";  // back to the visit list, not to the search that found this household
    await saveRecord("visit", data, meta, form);
    sheet.pinned = sheet.shown = null;
    visitItem = null;
  }

  async function submitActivity(event) {
    event.preventDefault();
    const form = event.target;
    let appeals;
    try { appeals = collectAppeals(form); } catch (e) { formError(form, e.message); return; }
    const data = {
      kind: form.kind.value, region: form.region.value, held_at: isoFromInput(form.held_at.value),
      place: form.place.value.trim(), topic: form.topic.value.trim(),
      attendance: Math.max(0, parseInt(form.attendance.value, 10) || 0), note: form.note.value.trim(), appeals: appeals,
    };
    const label = form.kind.options[form.kind.selectedIndex].text + (data.topic ? " · " + data.topic : "");
    await saveRecord("activity", data, { title: label }, form);
    resetActivity();
  }

  async function submitAppeal(event) {
    event.preventDefault();
    const form = event.target;
    const title = form.title.value.trim();
    if (!title) { formError(form, S.need_title); return; }
    const data = {
      region: form.region.value, household: form.household.value ? Number(form.household.value) : null,
      title: title, text: form.text.value.trim() || title, kind: form.kind.value || "problem",
      reporter_name: form.reporter_name.value.trim(), phone: form.phone.value.trim(),
    };
    await saveRecord("appeal", data, { title: title }, form);
  }

  /* ---------- enterprise visits (深入企业) ---------- */

  function openEnterprise() {
    const form = $("#enterprise-form");
    fillChoices(form);
    if (!form.visited_at.value) form.visited_at.value = localInput();
    const age = $("#enterprise-age");
    if (!enterprises || !enterprises.items.length) age.textContent = S.enterprises_none;
    else age.textContent = fmt(S.enterprises_age, { when: shortTime(enterprises.fetched_at) });
  }

  async function submitEnterprise(event) {
    event.preventDefault();
    const form = event.target;
    const id = Number(form.enterprise.value);
    if (!id) { formError(form, S.need_enterprise); return; }
    const name = form.enterprise.options[form.enterprise.selectedIndex].text.replace(/^★ /, "").split(" · ")[0];
    const data = {
      enterprise: id, visited_at: isoFromInput(form.visited_at.value), raised: form.raised.value.trim(),
      note: form.note.value.trim(), appeals: collectEnterpriseAppeals(form),
    };
    await saveRecord("enterprise_visit", data, { title: name }, form);
    enterpriseKept = null;
    openEnterprise();
  }

  function resetActivity() {
    const form = $("#activity-form");
    form.held_at.value = localInput();
  }

  function fillForm(form, data) {
    Object.entries(data).forEach(function ([k, v]) {
      const input = form.elements[k];
      if (!input || !input.name) return;
      if (input.type === "datetime-local") input.value = localInput(new Date(v));
      else if (input.type === "checkbox") input.checked = !!v;
      else input.value = v == null ? "" : v;
    });
  }

  async function editRecord(clientId) {
    const record = await store.get(clientId);
    if (!record) return;
    if (record.type === "visit") {
      const item = (record.meta && record.meta.item) || {
        household: record.data.household, head_name: (record.meta && record.meta.title) || "#" + record.data.household,
        number: "", village: "", group: "", address: "", tags: [],
      };
      openVisit(item, record);
      return;
    }
    const view = VIEW_OF[record.type] || record.type;
    const form = $("#" + view + "-form");
    clearForm(form);
    fillChoices(form);
    if (record.type === "enterprise_visit") {  // even if no longer in the cached list: the server decides
      const id = record.data.enterprise;
      enterpriseKept = { id: id, name: (record.meta && record.meta.title) || "#" + id };
      fillChoices(form);
    }
    fillForm(form, record.data);
    const rows = record.type === "enterprise_visit" ? "eappeal" : "appeal";
    (record.data.appeals || []).forEach(function (a) { addRow(form, rows, a); });
    editing[record.type] = clientId;
    show(view);
  }

  async function discardRecord(clientId) {
    if (!window.confirm(S.confirm_discard)) return;
    await store.remove(clientId);
    await renderOutbox();
    await renderPlan();
  }

  /* ---------- network: the plan and the sync ---------- */

  /* fetch, given up after TIMEOUT_MS so a dead link cannot hold the sync forever. */
  async function fetchWithin(url, options) {
    const controller = new AbortController();
    const timer = setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    try {
      return await fetch(url, Object.assign({ signal: controller.signal, credentials: "same-origin" }, options));
    } finally {
      clearTimeout(timer);
    }
  }

  async function loadPlan() {
    if (!navigator.onLine) return;
    try {
      const response = await fetchWithin(CFG.urls.plan, { headers: { Accept: "application/json" } });
      if (response.status === 401) { flash(S.login_again, "error", CFG.urls.login); return; }
      if (!response.ok) return;
      const body = await response.json();
      plan = { items: body.items || [], fetched_at: new Date().toISOString() };
      await store.setMeta("plan", plan);
      plan.fresh = true;
      await renderPlan();
    } catch (e) { /* no network: the copy on the phone stays */ }
  }

  /* A list the phone keeps for offline use (meta key), fetched when online; the old copy stays on failure. */
  async function fetchList(url) {
    const response = await fetchWithin(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error("HTTP " + response.status);
    return (await response.json()).items || [];
  }

  async function loadChecklists() {
    if (!navigator.onLine || !CFG.counties.length) return;
    try {
      const byCounty = {};
      for (const county of CFG.counties) {
        byCounty[county] = await fetchList(CFG.api.checklists + "?region=" + encodeURIComponent(county));
      }
      checklists = { by_county: byCounty, fetched_at: new Date().toISOString() };
      await store.setMeta("checklists", checklists);
      // a visit form opened before the first download gets its checklist now; a form being filled is left alone
      if (!$("#view-visit").hidden && $("#checklist-box [data-missing]")) renderChecklist();
    } catch (e) { /* no network or refused: the copy on the phone stays */ }
  }

  async function loadEnterprises() {
    if (!navigator.onLine) return;
    try {
      enterprises = { items: await fetchList(CFG.api.enterprises), fetched_at: new Date().toISOString() };
      await store.setMeta("enterprises", enterprises);
      if (!$("#view-enterprise").hidden) openEnterprise();
    } catch (e) { /* the copy on the phone stays */ }
  }

  /* The household directory, asked with the version on the phone: 304 when unchanged (no download). */
  async function loadDirectory() {
    if (!navigator.onLine) return;
    try {
      const headers = { Accept: "application/json" };
      if (directory && directory.version) headers["If-None-Match"] = '"' + directory.version + '"';
      const response = await fetchWithin(CFG.urls.directory, { headers: headers, cache: "no-store" });
      if (response.status === 304) {
        directory.fetched_at = new Date().toISOString();
      } else if (response.ok) {
        const body = await response.json();
        directory = { items: body.items || [], tags: body.tags || {}, count: body.count || 0,
          truncated: !!body.truncated, version: body.version || "", fetched_at: new Date().toISOString() };
      } else return;
      await store.setMeta("directory", directory);
      renderDirectoryAge();
      await renderFind();
    } catch (e) { /* no network: the copy on the phone stays */ }
  }

  async function loadLists() {
    await Promise.all([loadPlan(), loadDirectory(), loadChecklists(), loadEnterprises()]);
    document.documentElement.dataset.lists = String(Date.now());
  }

  function wire(record) {
    return { client_id: record.client_id, type: record.type, id: record.id, base_version: record.base_version, data: record.data };
  }

  function detailText(body) {
    const detail = body && body.detail;
    if (Array.isArray(detail)) return detail.map(function (d) { return (d.loc || []).slice(-1).join("") + " " + (d.msg || ""); }).join("；");
    return detail ? String(detail) : "";
  }

  async function keepFate(record, status, reason, version) {
    record.status = status;
    record.reason = reason || "";
    record.server_version = version == null ? null : version;
    await store.put(record);
  }

  /* One enterprise visit to POST /api/v1/enterprises/visits: 201 applied, 200 "duplicate" (the same
     client_id again), 422/403/404 with a Chinese reason -> rejected, 409 -> conflict. Same [sent, problems]. */
  async function sendEnterpriseVisit(record) {
    const d = record.data;
    const response = await fetchWithin(CFG.api.enterprise_visits, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ client_id: record.client_id, device: deviceId(), enterprise: d.enterprise,
        visited_at: d.visited_at, raised: d.raised, note: d.note, appeals: d.appeals || [] }),
    });
    if (response.status === 401) throw { stop: S.login_again, link: CFG.urls.login };
    const body = await response.json().catch(function () { return {}; });
    const reason = detailText(body);
    if (response.status === 403 && (!reason || /csrf/i.test(reason))) throw { stop: S.csrf_failed };
    if ([403, 404, 422].includes(response.status)) { await keepFate(record, "rejected", reason); return [0, 1]; }
    if (response.status === 409) { await keepFate(record, "conflict", reason, body.version); return [0, 1]; }
    if (!response.ok) throw { stop: fmt(S.server_error, { status: response.status }) };
    if (body.status === "applied" || body.status === "duplicate") { await store.remove(record.client_id); return [1, 0]; }
    await keepFate(record, "rejected", reason);
    return [0, 1];
  }

  /* Sends one batch and records each record's fate. Returns [sent, problems], or throws {stop: message}. */
  async function send(batch) {
    const response = await fetchWithin(CFG.urls.sync, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ device: deviceId(), records: batch.map(wire) }),
    });
    if (response.status === 401) throw { stop: S.login_again, link: CFG.urls.login };
    if (response.status === 403) throw { stop: S.csrf_failed };
    // The batch as a whole was refused (422, too large) or broke the server (500): one record must be at
    // fault, so send them one by one — the others go out, the one at fault waits for the cadre to fix or
    // discard it. A gateway's 502/503/504 is the network's fault and stops this round instead.
    if ([413, 422, 500].includes(response.status)) {
      if (batch.length > 1) {
        let sent = 0, problems = 0;
        for (const record of batch) { const [s, p] = await send([record]); sent += s; problems += p; }
        return [sent, problems];
      }
      const body = await response.json().catch(function () { return {}; });
      await keepFate(batch[0], "rejected", detailText(body) || fmt(S.record_failed, { status: response.status }));
      return [0, 1];
    }
    if (!response.ok) throw { stop: fmt(S.server_error, { status: response.status }) };
    const body = await response.json();
    let sent = 0, problems = 0;
    for (const result of body.results || []) {
      const record = batch.find(function (r) { return r.client_id === result.client_id; });
      if (!record) continue;
      if (result.status === "applied" || result.status === "duplicate") {
        await store.remove(record.client_id);
        sent += 1;
      } else if (result.status === "rejected" || result.status === "conflict") {
        await keepFate(record, result.status, result.reason, result.version);
        problems += 1;
      }
    }
    return [sent, problems];
  }

  /* manual: the 同步 button; retry: the timer, which only acts when something is waiting. */
  async function sync(manual, retry) {
    if (syncing || !store) return;
    const waiting = (await store.all()).filter(function (r) { return r.status === "waiting"; });
    if (retry && !waiting.length) return;
    if (!navigator.onLine) { if ((waiting.length && !retry) || manual) flash(S.still_offline, "warn"); return; }
    if (!waiting.length) {
      if (manual) flash(S.nothing_to_send, "info");
      await loadLists();
      return;
    }
    syncing = true;
    const button = $("#sync");
    button.disabled = true;
    button.classList.add("busy");
    flash(S.syncing, "info");
    let sent = 0, problems = 0;
    try {
      const batched = waiting.filter(function (r) { return SYNC_TYPES.includes(r.type); });
      for (let i = 0; i < batched.length; i += BATCH) {
        const [s, p] = await send(batched.slice(i, i + BATCH));
        sent += s;
        problems += p;
      }
      for (const record of waiting.filter(function (r) { return r.type === "enterprise_visit"; })) {
        const [s, p] = await sendEnterpriseVisit(record);
        sent += s;
        problems += p;
      }
      const refused = problems ? " · " + fmt(S.not_taken, { n: problems }) : "";
      flash(fmt(S.synced, { n: sent }) + refused, problems ? "error" : "ok");
    } catch (e) {
      if (e && e.stop) flash(e.stop, "error", e.link); else flash(S.network_failed, "error");
    } finally {
      syncing = false;
      button.disabled = false;
      button.classList.remove("busy");
      await renderCount();
      if (!$("#view-outbox").hidden) await renderOutbox();
    }
    await loadLists();
    await renderPlan();
    document.documentElement.dataset.synced = String(Date.now());
  }

  /* ---------- start ---------- */

  function wire_up() {
    $$("[data-go]").forEach(function (b) { b.addEventListener("click", function () { show(b.dataset.go); }); });
    $$("[data-add]").forEach(function (b) {
      b.addEventListener("click", function () { addRow(b.closest("form"), b.dataset.add, {}); });
    });
    document.addEventListener("click", function (event) {
      const target = event.target.closest("[data-remove], [data-edit], [data-discard]");
      if (!target) return;
      if (target.dataset.remove !== undefined) target.closest("[data-row]").remove();
      else if (target.dataset.edit) editRecord(target.dataset.edit);
      else if (target.dataset.discard) discardRecord(target.dataset.discard);
    });
    $("#visit-form").addEventListener("submit", submitVisit);
    $("#activity-form").addEventListener("submit", submitActivity);
    $("#appeal-form").addEventListener("submit", submitAppeal);
    $("#enterprise-form").addEventListener("submit", submitEnterprise);
    $("#visit-tags").addEventListener("change", renderChecklist);
    $("#gps-button").addEventListener("click", locate);
    $("#find").addEventListener("input", renderFind);
    $("#sync").addEventListener("click", function () { sync(true); });
    window.addEventListener("online", function () { renderNet(); sync(); });
    window.addEventListener("offline", renderNet);
    window.addEventListener("hashchange", function () { show(location.hash.slice(1)); });
    // "Online" can mean a bar of signal that carries nothing: keep trying while records wait.
    setInterval(function () { if (document.visibilityState === "visible") sync(false, true); }, RETRY_MS);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") sync(false, true);
    });
  }

  async function start() {
    wire_up();
    renderNet();
    fillChoices(document);
    resetActivity();
    store = await self.FieldStore.open(CFG.user.id);
    await self.FieldStore.remember(CFG.user.id, CFG.urls.scope);  // another user's lists are cleared
    plan = await store.getMeta("plan") || null;
    directory = await store.getMeta("directory") || null;
    checklists = await store.getMeta("checklists") || null;
    enterprises = await store.getMeta("enterprises") || null;
    renderDirectoryAge();
    await renderPlan();
    await renderCount();
    show(location.hash.slice(1) || "plan");
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(CFG.urls.worker, { scope: CFG.urls.scope }).catch(function () {});
    }
    document.documentElement.dataset.ready = "1";
    await sync();
  }

  // For tests and for support staff on a phone's console.
  self.minqingField = {
    sync: function () { return sync(true); },
    loadPlan: loadPlan,
    loadLists: loadLists,
    lists: function () { return { checklists: checklists, enterprises: enterprises, directory: directory }; },
    records: function () { return store.all(); },
    put: function (record) { return store.put(record).then(renderCount); },
    wire: wire,
    device: deviceId,
  };

  start().catch(function (e) { flash(String(e), "error"); });
})();
