/* The field app's service worker (scope {{ scope }}): keeps the app shell so /field/ opens with no network.
   The records themselves live in the page's IndexedDB outbox; this worker never touches the API.
   Version {{ version }}: a new version replaces the old cache once the phone is online again. */
"use strict";

const VERSION = "{{ version }}";
const PREFIX = "minqing-field-";
const CACHE = PREFIX + VERSION;
const SHELL = new URL("{{ shell }}", self.location.href).href;
const ASSETS = [{% for url in assets %}"{{ url }}"{% if not forloop.last %}, {% endif %}{% endfor %}]
  .map(function (a) { return new URL(a, self.location.href).href; });
const NETWORK_WAIT_MS = 4000;  // a dead mountain link must not keep the cadre staring at a white page

async function cacheShell(cache) {
  // Without following redirects: a logged-out fetch must not store the log-in page as the app.
  try {
    const response = await fetch(SHELL, { credentials: "same-origin", redirect: "manual", cache: "no-store" });
    if (response.ok && response.type === "basic") await cache.put(SHELL, response);
  } catch (e) { /* the page stores it on its next online load */ }
}

self.addEventListener("install", function (event) {
  event.waitUntil((async function () {
    const cache = await caches.open(CACHE);
    await cache.addAll(ASSETS);
    await cacheShell(cache);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", function (event) {
  event.waitUntil((async function () {
    const names = await caches.keys();
    await Promise.all(names.filter(function (n) { return n.startsWith(PREFIX) && n !== CACHE; })
      .map(function (n) { return caches.delete(n); }));
    await self.clients.claim();
  })());
});

function offlinePage() {
  return new Response("<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
    "<p style='font:18px system-ui;padding:1rem'>{{ offline_text|escapejs }}</p>",
    { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

/* The shell: the network when it answers quickly (fresh lists, fresh token), else the copy. */
async function shell(event) {
  const cache = await caches.open(CACHE);
  const network = fetch(event.request).then(async function (response) {
    if (response.ok && response.type === "basic" && !response.redirected) await cache.put(SHELL, response.clone());
    return response;
  });
  event.waitUntil(network.catch(function () {}));
  const cached = await cache.match(SHELL);
  if (!cached) return network.catch(offlinePage);
  const timeout = new Promise(function (resolve) { setTimeout(function () { resolve(null); }, NETWORK_WAIT_MS); });
  try {
    const response = await Promise.race([network, timeout]);
    return response || cached;
  } catch (e) {
    return cached;
  }
}

/* Scripts, styles, icons, manifest: the cached copy of this version. */
async function asset(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, { ignoreSearch: true, ignoreVary: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const bare = url.origin + url.pathname;
  if (request.mode === "navigate" && bare === SHELL) event.respondWith(shell(event));
  else if (ASSETS.includes(bare)) event.respondWith(asset(request));
});
