/* The phone's side of the field app: the outbox of records not yet accepted by the server and the lists
   kept for offline use (visit plan, household directory, checklists, enterprises, in the "meta" store),
   in IndexedDB: one database per user, so a shared phone never sends one cadre's records under another's
   log-in. Plain IndexedDB: two stores do not need a library.

   Also loaded by every work page (base.html): logging out there first clears the lists of the user who
   used the field app on this phone (FieldStore.forgetAll), so a lost or handed-on phone does not keep a
   village's households. The outbox stays: records not yet sent are sent at the next log-in. */
(function () {
  "use strict";

  const PREFIX = "minqing-field-";  // databases minqing-field-<user id>
  const USER_KEY = "minqing-field-user";  // localStorage: whose lists are on this phone
  const SHELL_KEY = "minqing-field-shell";  // localStorage: the app page's URL, cached by the worker
  const FORGET_WAIT_MS = 3000;  // log-out goes ahead after this even if the browser's storage hangs

  function openDatabase(name) {
    return new Promise(function (resolve, reject) {
      const request = indexedDB.open(name, 1);
      request.onupgradeneeded = function () {
        const db = request.result;
        if (!db.objectStoreNames.contains("outbox")) db.createObjectStore("outbox", { keyPath: "client_id" });
        if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  /** A v4 UUID made on the phone: the record's identity, so a resend is recognised as the same record. */
  function uuid() {
    if (self.crypto && typeof self.crypto.randomUUID === "function") return self.crypto.randomUUID();
    const b = self.crypto.getRandomValues(new Uint8Array(16));  // plain http on a LAN has no randomUUID
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    const h = Array.from(b, function (x) { return x.toString(16).padStart(2, "0"); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  /* An existing database, or null: never creates one (an upgrade means it did not exist: abort it). */
  function openExisting(name) {
    return new Promise(function (resolve) {
      let request;
      try { request = indexedDB.open(name); } catch (e) { resolve(null); return; }
      request.onupgradeneeded = function () { request.transaction.abort(); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function (event) { if (event.preventDefault) event.preventDefault(); resolve(null); };
    });
  }

  /* Empties a user's "meta" store (plan, directory and the other lists); the outbox is left alone. */
  async function clearLists(name) {
    const db = await openExisting(name);
    if (!db) return;
    try {
      if (!db.objectStoreNames.contains("meta")) return;
      await new Promise(function (resolve, reject) {
        const tx = db.transaction("meta", "readwrite");
        tx.objectStore("meta").clear();
        tx.oncomplete = function () { resolve(); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    } finally {
      db.close();
    }
  }

  function remembered(key) { try { return localStorage.getItem(key); } catch (e) { return null; } }

  /* The lists of the remembered user and of every minqing-field-* database the browser lists, but `keep`. */
  async function clearAll(user, keep) {
    const names = new Set();
    if (user) names.add(PREFIX + user);
    if (self.indexedDB && indexedDB.databases) {
      const all = await indexedDB.databases().catch(function () { return []; });
      all.forEach(function (d) { if (d.name && d.name.startsWith(PREFIX)) names.add(d.name); });
    }
    names.delete(keep);
    await Promise.all(Array.from(names).map(function (n) { return clearLists(n).catch(function () {}); }));
  }

  class FieldStore {
    constructor(db) { this.db = db; }

    static async open(userId) {
      const store = new FieldStore(await openDatabase(PREFIX + userId));
      // Ask the browser not to evict the outbox when the phone runs short of space.
      if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
      return store;
    }

    /* One transaction; resolves with the last request's result once the transaction has committed. */
    run(storeName, mode, work) {
      const db = this.db;
      return new Promise(function (resolve, reject) {
        const tx = db.transaction(storeName, mode);
        let result;
        const request = work(tx.objectStore(storeName));
        if (request) request.onsuccess = function () { result = request.result; };
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    }

    async all() {
      const rows = await this.run("outbox", "readonly", function (s) { return s.getAll(); });
      return (rows || []).sort(function (a, b) { return a.created_at < b.created_at ? -1 : 1; });
    }

    get(clientId) { return this.run("outbox", "readonly", function (s) { return s.get(clientId); }); }
    put(record) { return this.run("outbox", "readwrite", function (s) { return s.put(record); }); }
    remove(clientId) { return this.run("outbox", "readwrite", function (s) { return s.delete(clientId); }); }

    /* An edited record replaces the old one in one step: never both, never neither. */
    replace(oldClientId, record) {
      return this.run("outbox", "readwrite", function (s) {
        if (oldClientId) s.delete(oldClientId);
        return s.put(record);
      });
    }

    getMeta(key) { return this.run("meta", "readonly", function (s) { return s.get(key); }); }
    setMeta(key, value) { return this.run("meta", "readwrite", function (s) { return s.put(value, key); }); }

    /* The app started for userId: remember it, and clear the lists of any other user who used the app
       here before (logged out elsewhere, or whose session simply ended). Their outboxes stay. */
    static async remember(userId, shellUrl) {
      const previous = remembered(USER_KEY);
      try {
        localStorage.setItem(USER_KEY, String(userId));
        localStorage.setItem(SHELL_KEY, shellUrl);
      } catch (e) { /* private mode: nothing is remembered */ }
      await clearAll(previous, PREFIX + userId);
    }

    /* Log-out: clear the lists of every field-app user of this phone, and drop the cached app page
       (it carries the user's name and villages), so a logged-out phone opens neither offline. */
    static async forgetAll() {
      await clearAll(remembered(USER_KEY), null);
      const shell = remembered(SHELL_KEY);
      if (shell && self.caches) {
        const url = new URL(shell, location.href).href;
        const keys = (await caches.keys()).filter(function (k) { return k.startsWith(PREFIX); });
        await Promise.all(keys.map(function (k) { return caches.open(k).then(function (c) { return c.delete(url); }); }));
      }
      try { localStorage.removeItem(USER_KEY); } catch (e) { /* nothing remembered */ }
    }
  }

  /* The log-out form of the work pages (base.html: form.logout) and any form marked data-field-forget:
     forget first, then submit. Bounded in time: a log-out never waits on the phone's storage for long. */
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    if (!form.matches("form.logout, form[data-field-forget]") || form.dataset.fieldForgotten) return;
    event.preventDefault();
    form.dataset.fieldForgotten = "1";
    const limit = new Promise(function (resolve) { setTimeout(resolve, FORGET_WAIT_MS); });
    Promise.race([FieldStore.forgetAll().catch(function () {}), limit]).then(function () { form.submit(); });
  });

  self.FieldStore = FieldStore;
  self.fieldUuid = uuid;
})();
