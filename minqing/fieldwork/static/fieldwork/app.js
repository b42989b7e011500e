/* The field app (/field/): a cadre's visit list, and visits, group activities and appeals recorded into
   the phone's outbox (store.js) with or without network, then sent to POST /api/v1/sync.

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
  let syncing = false;
  let visitItem = null;  // the plan item of the open visit form
  const editing = { visit: null, activity: null, appeal: null };  // client_id being edited, per form

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
    return CFG[name] || [];
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
    const box = $("#plan-list");
    box.replaceChildren();
    if (!plan) { $("#plan-age").textContent = ""; box.append(el("p", { class: "empty", text: S.plan_none })); return; }
    const when = shortTime(plan.fetched_at);
    $("#plan-age").textContent = fmt(plan.fresh ? S.plan_fetched : S.plan_stale, { when: when });
    if (!plan.items.length) { box.append(el("p", { class: "empty", text: S.plan_empty })); return; }
    const pending = new Set((await store.all()).filter(function (r) { return r.type === "visit"; })
      .map(function (r) { return r.data.household; }));
    const names = Object.fromEntries(CFG.tags.map(function (t) { return [t.code, t.name]; }));
    let heading = null;
    let list = null;
    plan.items.forEach(function (item) {
      const key = item.village + " " + (item.group || "");
      if (key !== heading) {
        heading = key;
        box.append(el("h2", { class: "group", text: key }));
        list = el("ul", { class: "plan" });
        box.append(list);
      }
      const badge = pending.has(item.household)
        ? el("span", { class: "due done", text: S.status_waiting })
        : el("span", { class: "due " + (item.overdue ? "late" : ""), text: item.overdue ? S.overdue : S.due });
      const tags = el("span", { class: "tags" }, (item.tags || []).map(function (c) {
        return el("span", { class: "tag", text: names[c] || c });
      }));
      const last = item.last_visit ? S.last_visit + " " + item.last_visit : S.never_visited;
      const button = el("button", { type: "button", class: "hh", "data-household": String(item.household) }, [
        el("span", { class: "line" }, [el("b", { text: item.head_name }), el("span", { class: "num", text: item.number }), badge]),
        el("span", { class: "addr", text: item.address || "" }),
        tags,
        el("span", { class: "hint", text: last + " · " + S.due_on + " " + item.due_on }),
      ]);
      button.addEventListener("click", function () { openVisit(item, null); });
      list.append(el("li", {}, [button]));
    });
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
      const item = el("li", { class: "rec " + r.status, "data-client-id": r.client_id, "data-status": r.status }, [
        el("div", { class: "line" }, [
          el("span", { class: "type", text: S["type_" + r.type] || r.type }),
          el("b", { text: (r.meta && r.meta.title) || "" }),
          el("span", { class: "state", text: S["status_" + r.status] || r.status }),
        ]),
        el("span", { class: "hint", text: shortTime(r.created_at) + (details.length ? " · " + details.join(" · ") : "") }),
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

  function openVisit(item, record) {
    const form = $("#visit-form");
    clearForm(form);
    visitItem = item;
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
    let help, appeals;
    try { help = collectHelp(form); appeals = collectAppeals(form); } catch (e) { formError(form, e.message); return; }
    const data = {
      household: household, visited_at: isoFromInput(form.visited_at.value), note: form.note.value.trim(),
      lat: number(form.lat.value), lng: number(form.lng.value),
      tags_add: checked.filter(function (c) { return !original.includes(c); }),
      tags_remove: original.filter(function (c) { return !checked.includes(c); }),
      help: help, appeals: appeals,
    };
    await saveRecord("visit", data, { title: visitItem.head_name, item: visitItem }, form);
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
    const form = $("#" + record.type + "-form");
    clearForm(form);
    fillChoices(form);
    fillForm(form, record.data);
    (record.data.appeals || []).forEach(function (a) { addRow(form, "appeal", a); });
    editing[record.type] = clientId;
    show(record.type);
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

  function wire(record) {
    return { client_id: record.client_id, type: record.type, id: record.id, base_version: record.base_version, data: record.data };
  }

  function detailText(body) {
    const detail = body && body.detail;
    if (Array.isArray(detail)) return detail.map(function (d) { return (d.loc || []).slice(-1).join("") + " " + (d.msg || ""); }).join("；");
    return detail ? String(detail) : "";
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
    if (response.status === 422) {
      // the batch as a whole did not parse: find the record at fault by sending them one by one
      if (batch.length > 1) {
        let sent = 0, problems = 0;
        for (const record of batch) { const [s, p] = await send([record]); sent += s; problems += p; }
        return [sent, problems];
      }
      const body = await response.json().catch(function () { return {}; });
      batch[0].status = "rejected";
      batch[0].reason = detailText(body);
      await store.put(batch[0]);
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
        record.status = result.status;
        record.reason = result.reason || "";
        record.server_version = result.version == null ? null : result.version;
        await store.put(record);
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
      await loadPlan();
      return;
    }
    syncing = true;
    const button = $("#sync");
    button.disabled = true;
    button.classList.add("busy");
    flash(S.syncing, "info");
    let sent = 0, problems = 0;
    try {
      for (let i = 0; i < waiting.length; i += BATCH) {
        const [s, p] = await send(waiting.slice(i, i + BATCH));
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
    await loadPlan();
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
    $("#gps-button").addEventListener("click", locate);
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
    plan = await store.getMeta("plan") || null;
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
    records: function () { return store.all(); },
    put: function (record) { return store.put(record).then(renderCount); },
    wire: wire,
    device: deviceId,
  };

  start().catch(function (e) { flash(String(e), "error"); });
})();
