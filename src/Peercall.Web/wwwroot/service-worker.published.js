// Caches the app shell (everything the build lists in service-worker-assets.js) so the app opens instantly
// and installs as a PWA. API, realtime and health requests always go to the network.
self.importScripts('./service-worker-assets.js', './js/call-notifications-sw.js');
self.addEventListener('install', event => event.waitUntil(onInstall()));
self.addEventListener('activate', event => event.waitUntil(onActivate()));
self.addEventListener('fetch', event => event.respondWith(onFetch(event)));

const cacheNamePrefix = 'peercall-shell-';
const cacheName = `${cacheNamePrefix}${self.assetsManifest.version}`;
const offlineAssetsInclude = [/\.dll$/, /\.pdb$/, /\.wasm/, /\.html/, /\.js$/, /\.json$/, /\.css$/, /\.woff$/,
  /\.png$/, /\.jpe?g$/, /\.gif$/, /\.ico$/, /\.blat$/, /\.dat$/, /\.svg$/, /\.webmanifest$/];
const offlineAssetsExclude = [/^service-worker\.js$/];
// Server-rendered pages (the connect page, the API docs) and live data never come from the cache.
const networkOnly = [/^\/api\//, /^\/hubs\//, /^\/openapi\//, /^\/healthz/, /^\/connect/];

const base = '/';
const baseUrl = new URL(base, self.origin);
const manifestUrlList = self.assetsManifest.assets.map(asset => new URL(asset.url, baseUrl).href);

async function onInstall() {
  const assetsRequests = self.assetsManifest.assets
    .filter(asset => offlineAssetsInclude.some(pattern => pattern.test(asset.url)))
    .filter(asset => !offlineAssetsExclude.some(pattern => pattern.test(asset.url)))
    .map(asset => new Request(asset.url, { integrity: asset.hash, cache: 'no-cache' }));
  await caches.open(cacheName).then(cache => cache.addAll(assetsRequests));
}

async function onActivate() {
  const cacheKeys = await caches.keys();
  await Promise.all(cacheKeys
    .filter(key => key.startsWith(cacheNamePrefix) && key !== cacheName)
    .map(key => caches.delete(key)));
}

async function onFetch(event) {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.origin || networkOnly.some(p => p.test(url.pathname))) {
    return fetch(request);
  }
  // Navigations get index.html from the cache, so client-side routes work offline too.
  const shellRequest = request.mode === 'navigate' && !manifestUrlList.some(u => u === request.url)
    ? 'index.html'
    : request;
  const cache = await caches.open(cacheName);
  return (await cache.match(shellRequest)) ?? fetch(request);
}
