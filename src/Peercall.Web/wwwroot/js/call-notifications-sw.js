// Imported by both service workers. A click on an incoming-call notification, or on its Accept or Decline button,
// brings the app forward (opening it when no window is left) and tells it what was chosen.
self.addEventListener('notificationclick', event => {
  event.notification.close();
  event.waitUntil(bringAppForward(event.notification.data?.callId, event.action || 'open'));
});

async function bringAppForward(callId, action) {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const app = windows[0] ?? await self.clients.openWindow('./');
  if (!app) return;
  await app.focus?.().catch(() => { });
  app.postMessage({ type: 'peercall-call-notification', callId, action });
}
