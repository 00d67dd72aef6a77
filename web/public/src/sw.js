// The public pages' service worker (served at /sw.js, scope /; registered by the report form).
// It keeps on the phone what the report form needs to open with no network — the form in both
// languages, its script and style — so a person who reopens / offline sees the reports still
// waiting on the phone (offline.js's queue, in localStorage) and can edit or cancel them.
//
// What it must never store: an API answer (case data), a POST, or a page behind a tracking link
// (it shows a case). A tracking link opened with no network gets the shell page /offline, which
// holds no case data. Everything it does not name below goes to the network untouched, so the
// ops room and the partner page under the same scope are not affected.
//
// PRECACHE (the form's hashed script and style) and VERSION are written in by web/build.mjs.
/* global PRECACHE, VERSION */

const PREFIX = 'opsroom-public-';
const CACHE = PREFIX + VERSION;
// As the server reads ?lang=: English when asked for, Arabic otherwise.
const language = (url) => (url.searchParams.get('lang') === 'en' ? 'en' : 'ar');
const formPage = (lang) => `/?lang=${lang}`;
const offlinePage = (lang) => `/offline?lang=${lang}`;
const HASHED = /\.[0-9a-f]{10}\.[a-z]+$/;

self.addEventListener('install', (event) => {
  const pages = ['ar', 'en'].flatMap((lang) => [formPage(lang), offlinePage(lang)]);
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll([...PRECACHE, ...pages]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k)))),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  const page = request.mode === 'navigate';
  if (page && url.pathname === '/') event.respondWith(theForm(request, language(url)));
  else if (page && url.pathname.startsWith('/track/')) event.respondWith(aTrackingPage(request, language(url)));
  else if (url.pathname.startsWith('/static/') && HASHED.test(url.pathname)) event.respondWith(anAsset(request));
});

// The form: from the network when there is one (advisories change), kept for the next offline
// visit; from the phone otherwise. A refusal (429) or an error page is never kept.
async function theForm(request, lang) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.status === 200) await cache.put(formPage(lang), response.clone());
    return response;
  } catch {
    return (await cache.match(formPage(lang))) || Response.error();
  }
}

// A tracking page shows a case: never stored; offline, the shell says the page needs the network.
async function aTrackingPage(request, lang) {
  try {
    return await fetch(request);
  } catch {
    return (await caches.match(offlinePage(lang), { cacheName: CACHE })) || Response.error();
  }
}

// Hashed assets never change: the phone's copy is always right (the gazetteer is kept once used).
async function anAsset(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.status === 200) await cache.put(request, response.clone());
  return response;
}
