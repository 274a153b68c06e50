// During development the app is always fetched from the network, so changes show up on reload.
// The published app uses service-worker.published.js instead, which caches the app shell.
self.importScripts('./js/call-notifications-sw.js');
self.addEventListener('fetch', () => { });
