/* The phone's side of the field app: the outbox of records not yet accepted by the server and the last
   visit plan, kept in IndexedDB (one database per user, so a shared phone never sends one cadre's
   records under another's log-in). Plain IndexedDB: two stores do not need a library. */
(function () {
  "use strict";

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

  class FieldStore {
    constructor(db) { this.db = db; }

    static async open(userId) {
      const store = new FieldStore(await openDatabase("minqing-field-" + userId));
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
  }

  self.FieldStore = FieldStore;
  self.fieldUuid = uuid;
})();
