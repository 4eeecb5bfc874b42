// connectwell's service worker: the offline page when a page cannot be loaded.
//
// It caches the offline page and static files (styles, scripts, icons) only. Pages, the API
// and anything else can hold people's data: they always go to the network and are never
// stored here, so a shared phone keeps nobody's pages after they sign out.
const CACHE = "connectwell-v1";
const OFFLINE = "/offline";
const PRECACHE = [
  OFFLINE,
  "/static/app.css",
  "/static/register-sw.js",
  "/static/icons/icon-192.png",
  "/static/icons/icon-512.png",
  "/static/icons/maskable-512.png",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

function isStatic(url) {
  return url.origin === self.location.origin && url.pathname.startsWith("/static/");
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return; // forms and API calls: the network, untouched
  }
  if (request.mode === "navigate") {
    // A page: always from the network; only when that fails, the offline page.
    event.respondWith(
      fetch(request).catch(() => caches.match(OFFLINE).then((page) => page || Response.error()))
    );
    return;
  }
  const url = new URL(request.url);
  if (isStatic(url)) {
    // Static files: the network first (a new release), the cached copy when offline.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
          }
          return response;
        })
        .catch(() => caches.match(request).then((cached) => cached || Response.error()))
    );
  }
});
