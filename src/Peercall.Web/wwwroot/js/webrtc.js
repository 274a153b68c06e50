// All of Peercall's WebRTC and media code. The C# side (Calls/) decides what happens and when; this module only
// touches the browser APIs it cannot reach. It has three parts, like the C# side: local media (microphone, camera,
// screen, speaker), one peer link per remote participant (the RTCPeerConnection, perfect negotiation, ICE
// restart), and the rest that only JavaScript reaches: the ringtone and ringback, incoming-call notifications and
// the app badge. Calls back into C# through one DotNetObjectReference (Calls/BrowserMedia.cs).

let events = null;

function notify(method, ...args) {
  events?.invokeMethodAsync(method, ...args).catch(() => { /* the page is going away */ });
}

/** Where C# hears about links and local media; set once per page. */
export function listen(reference) {
  events = reference;
}

// ---------------------------------------------------------------------------------------------------------------
// Local media: what this device sends. Every link sends the same tracks.

const local = {
  microphone: null,
  camera: null,
  screen: null,
  muted: false,
  processing: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
};
const acquiredTracks = new Set();

// Tests that check a received tone's frequency and level turn voice processing off before the app starts.
function processingFor(settings) {
  return globalThis.peercallMediaOptions?.voiceProcessing === false
    ? { echoCancellation: false, noiseSuppression: false, autoGainControl: false }
    : settings;
}

// A LAN carries 720p at 30 fps easily; the camera gives less where it cannot.
const cameraConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };

function failureKind(error) {
  switch (error?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'missing';
    default:
      return 'unavailable';
  }
}

async function capture(constraints) {
  if (!globalThis.isSecureContext || !navigator.mediaDevices?.getUserMedia) return { result: 'insecure' };
  try {
    const stream = await navigator.mediaDevices.getUserMedia(constraints);
    stream.getTracks().forEach(t => acquiredTracks.add(t));
    return { result: 'ok', track: stream.getTracks()[0] };
  } catch (error) {
    return { result: failureKind(error) };
  }
}

function stopTrack(track) {
  if (!track) return;
  track.stop();
  acquiredTracks.delete(track);
}

/** Opens (or moves to) a microphone with the given voice processing; resolves to 'ok', 'denied', 'missing',
 * 'unavailable' or 'insecure'. A call in progress moves to it without renegotiating. */
export async function openMicrophone(deviceId, processing) {
  if (processing) local.processing = processing;
  const audio = { ...processingFor(local.processing) };
  if (deviceId) audio.deviceId = { exact: deviceId };
  const { result, track } = await capture({ audio, video: false });
  if (!track) return result;
  track.enabled = !local.muted;
  const previous = local.microphone;
  local.microphone = track;
  await sendLocalMediaToLinks();
  stopTrack(previous);
  if (mutedListener) listenWhileMuted();
  return result;
}

/** Changes echo cancellation, noise suppression and gain control on the open microphone. */
export async function setVoiceProcessing(processing) {
  local.processing = processing;
  await local.microphone?.applyConstraints({ ...local.microphone.getConstraints(), ...processingFor(processing) })
    .catch(() => { /* the device cannot change it: it keeps what it had */ });
}

/** Turns the camera on (or moves to another one); resolves like openMicrophone. */
export async function openCamera(deviceId) {
  const video = { ...cameraConstraints };
  if (deviceId) video.deviceId = { exact: deviceId };
  const { result, track } = await capture({ audio: false, video });
  if (!track) return result;
  track.contentHint = 'motion';
  const previous = local.camera;
  local.camera = track;
  await sendLocalMediaToLinks();
  stopTrack(previous);
  return result;
}

/** Turns the camera off: its light goes out and the other side sees the avatar. */
export async function closeCamera() {
  const previous = local.camera;
  local.camera = null;
  await sendLocalMediaToLinks();
  stopTrack(previous);
}

/** Asks the browser for a window, tab or screen to share; resolves to 'ok', 'denied' (the person chose
 * nothing) or 'unsupported'. Stopping from the browser's own control ends it like stopScreenShare. */
export async function startScreenShare() {
  if (!navigator.mediaDevices?.getDisplayMedia) return 'unsupported';
  let track;
  try {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 30 } }, audio: false });
    track = stream.getVideoTracks()[0];
  } catch (error) {
    return error?.name === 'NotAllowedError' ? 'denied' : 'unsupported';
  }
  acquiredTracks.add(track);
  track.contentHint = 'detail';
  track.addEventListener('ended', () => {
    if (local.screen !== track) return;
    stopScreenShare().then(() => notify('OnScreenShareEnded'));
  });
  const previous = local.screen;
  local.screen = track;
  await sendLocalMediaToLinks();
  stopTrack(previous);
  return 'ok';
}

export async function stopScreenShare() {
  const previous = local.screen;
  local.screen = null;
  await sendLocalMediaToLinks();
  stopTrack(previous);
}

export function setMuted(muted) {
  local.muted = muted;
  if (local.microphone) local.microphone.enabled = !muted;
  for (const link of links.values()) link.sayMuted();
  listenWhileMuted();
}

// While muted, a copy of the microphone is listened to, so that the app can tell a person who speaks that nobody
// hears them. Nothing of it is sent.
let mutedListener = null;

function listenWhileMuted() {
  stopListeningWhileMuted();
  if (!local.muted || !local.microphone) return;
  const probe = local.microphone.clone();
  probe.enabled = true;
  const { context, analyser } = analyse(new MediaStream([probe]), 1024);
  let loudSince = null;
  const timer = setInterval(() => {
    if (levelOf(analyser) < 0.02) {
      loudSince = null;
      return;
    }
    loudSince ??= performance.now();
    if (performance.now() - loudSince < 400) return;
    notify('OnSpeakingWhileMuted');
    stopListeningWhileMuted();
  }, 100);
  mutedListener = { probe, context, timer };
}

/** An analyser of a stream's sound, in an AudioContext of its own. */
function analyse(stream, fftSize) {
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = fftSize;
  analyser.smoothingTimeConstant = 0;
  context.createMediaStreamSource(stream).connect(analyser);
  context.resume().catch(() => { });
  return { context, analyser };
}

/** The root mean square of what the analyser hears now: 0 is silence, 1 full scale. */
function levelOf(analyser) {
  const samples = new Float32Array(analyser.fftSize);
  analyser.getFloatTimeDomainData(samples);
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / samples.length);
}

function stopListeningWhileMuted() {
  if (!mutedListener) return;
  clearInterval(mutedListener.timer);
  mutedListener.probe.stop();
  mutedListener.context.close().catch(() => { });
  mutedListener = null;
}

export async function listDevices() {
  const devices = navigator.mediaDevices ? await navigator.mediaDevices.enumerateDevices() : [];
  const pick = kind => devices.filter(d => d.kind === kind && d.deviceId).map(d => ({ id: d.deviceId, label: d.label }));
  return {
    microphones: pick('audioinput'),
    cameras: pick('videoinput'),
    speakers: pick('audiooutput'),
    canChooseSpeaker: 'setSinkId' in HTMLMediaElement.prototype,
    canShareScreen: !!navigator.mediaDevices?.getDisplayMedia,
    microphoneId: local.microphone?.getSettings().deviceId ?? null,
    cameraId: local.camera?.getSettings().deviceId ?? null,
    speakerId,
  };
}

let speakerId = '';

export async function chooseSpeaker(deviceId) {
  speakerId = deviceId;
  for (const link of links.values()) await link.playOn(deviceId);
}

/** Shows a local or remote video in an element: 'camera', 'screen', or '<linkId>:camera' / '<linkId>:screen'. */
export function showVideo(element, source) {
  if (!element) return;
  const stream = videoStream(source);
  if (element.srcObject !== stream) {
    element.srcObject = stream;
    if (stream) element.play().catch(() => { /* autoplay refused: the next gesture starts it */ });
  }
}

const localStreams = new WeakMap();

function streamOf(track) {
  if (!track) return null;
  if (!localStreams.has(track)) localStreams.set(track, new MediaStream([track]));
  return localStreams.get(track);
}

function videoStream(source) {
  const [linkId, slot] = source.includes(':') ? source.split(':') : [null, source];
  if (!linkId) return streamOf(local[slot]);
  return links.get(linkId)?.remoteStream(slot) ?? null;
}

async function sendLocalMediaToLinks() {
  for (const link of links.values()) await link.sendLocalMedia();
}

// ---------------------------------------------------------------------------------------------------------------
// Peer links: one RTCPeerConnection per remote participant, with the same three slots on both sides, in this
// order: the microphone, the camera and the screen. The side that starts the link makes the slots; the other
// finds them, in the same order, in the first offer. A slot with nothing to send stays receive-only, and a change
// of what is sent renegotiates through perfect negotiation, so either side may change at any moment.

const slots = ['microphone', 'camera', 'screen'];

// The microphone's slot always sends (muting disables the track), so muting never renegotiates.
function directionOf(slot) {
  return local[slot] || slot === 'microphone' ? 'sendrecv' : 'recvonly';
}
const links = new Map();

class PeerLink {
  constructor(id, configuration, polite, starts) {
    this.id = id;
    this.polite = polite;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.settingRemoteAnswer = false;
    this.pendingCandidates = [];
    this.trace = [];
    this.chain = Promise.resolve();
    this.firstInboundAt = null;
    this.firstFrameAt = null;
    this.restarts = 0;
    this.descriptionsReceived = 0;
    this.audio = new Audio();
    this.audio.autoplay = true;
    this.remoteState = '';
    this.pc = new RTCPeerConnection(rtcConfiguration(configuration));
    this.pc.onnegotiationneeded = () => this.offer();
    this.pc.onicecandidate = e => {
      if (e.candidate) notify('OnLocalSignal', id, 'candidate', JSON.stringify(e.candidate.toJSON()));
    };
    this.pc.oniceconnectionstatechange = () => notify('OnIceStateChanged', id, this.pc.iceConnectionState);
    this.pc.ontrack = e => {
      if (e.track.kind === 'audio') this.playRemoteAudio(e.track);
    };
    if (starts) {
      this.openControl();
      for (const slot of slots) {
        const track = local[slot];
        this.pc.addTransceiver(track ?? (slot === 'microphone' ? 'audio' : 'video'), { direction: directionOf(slot) });
      }
    }
  }

  /** The call's own channel to the peer, negotiated on both sides (id 0), so that a hang-up reaches the peer at
   * once, whatever the server is doing. The side that starts opens it before its first offer; the other side
   * once that offer has set up the association. */
  openControl() {
    this.control = this.pc.createDataChannel('control', { negotiated: true, id: 0 });
    this.control.onopen = () => this.sayMuted();
    this.control.onmessage = event => {
      if (event.data === 'bye') notify('OnPeerHungUp', this.id);
      if (event.data === 'muted' || event.data === 'unmuted') notify('OnPeerMuted', this.id, event.data === 'muted');
    };
  }

  /** Tells the peer whether this side's microphone is muted, for its tile; again whenever it changes. */
  sayMuted() {
    if (this.control?.readyState === 'open') this.control.send(local.muted ? 'muted' : 'unmuted');
  }

  /** Tells the peer this side hangs up, when the channel is open. */
  async sayBye() {
    const control = this.control;
    if (control?.readyState !== 'open') return;
    control.send('bye');
    // Closing the connection at once could drop the message: give it a moment to leave.
    for (let waited = 0; control.bufferedAmount > 0 && waited < 500; waited += 10) {
      await new Promise(resolve => setTimeout(resolve, 10));
    }
  }

  transceiver(slot) {
    return this.pc.getTransceivers().filter(t => !t.stopped)[slots.indexOf(slot)] ?? null;
  }

  /** Puts the local tracks on their slots; a changed direction renegotiates by itself. */
  async sendLocalMedia() {
    for (const slot of slots) {
      const transceiver = this.transceiver(slot);
      if (!transceiver) continue;
      const track = local[slot];
      if (transceiver.sender.track !== track) await transceiver.sender.replaceTrack(track).catch(() => { });
      if (transceiver.direction !== directionOf(slot)) transceiver.direction = directionOf(slot);
    }
    await this.fitCamera();
  }

  /** In a mesh every sender encodes its camera once per other participant. From four people on, each sends it at
   * half the size (360p from 720p), so that a laptop's processor and the LAN keep up. */
  async fitCamera() {
    const sender = this.transceiver('camera')?.sender;
    if (!sender?.track) return;
    const parameters = sender.getParameters();
    // Before the first negotiation there are no encodings yet; the next sendLocalMedia or answer sets them.
    if (!parameters.encodings?.length) return;
    const scale = links.size >= 3 ? 2 : 1;
    if ((parameters.encodings[0].scaleResolutionDownBy ?? 1) === scale) return;
    parameters.encodings[0].scaleResolutionDownBy = scale;
    await sender.setParameters(parameters).catch(error => this.note(`camera size not set: ${error}`));
  }

  async offer() {
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      // A colliding offer from the other side may have rolled ours back (we are polite) before this line runs:
      // then there is nothing of ours to send, and localDescription is an older one.
      if (this.pc.signalingState !== 'have-local-offer') return this.note('offer rolled back');
      this.note('send offer');
      notify('OnLocalSignal', this.id, 'offer', this.pc.localDescription.sdp);
    } catch (error) {
      this.note(`offer failed: ${error}`);
    } finally {
      this.makingOffer = false;
    }
  }

  // The last steps of negotiation, for failure messages of the end-to-end tests.
  note(step) {
    this.trace.push(`${Math.round(performance.now())} ${step} (${this.pc.signalingState})`);
    if (this.trace.length > 40) this.trace.shift();
  }

  receive(kind, payload) {
    const step = () => kind === 'candidate' ? this.addCandidate(JSON.parse(payload)) : this.describe(kind, payload);
    const next = this.chain.then(step).catch(error => {
      this.note(`${kind} refused: ${error}`);
      throw error;
    });
    this.chain = next.catch(() => { });
    return next;
  }

  async describe(type, sdp) {
    const pc = this.pc;
    this.descriptionsReceived++;
    const readyForOffer = !this.makingOffer && (pc.signalingState === 'stable' || this.settingRemoteAnswer);
    const collision = type === 'offer' && !readyForOffer;
    this.ignoreOffer = !this.polite && collision;
    this.note(`received ${type}${collision ? ' (collision)' : ''}${this.ignoreOffer ? ', ignored' : ''}`);
    if (this.ignoreOffer) return;
    this.settingRemoteAnswer = type === 'answer';
    try {
      await pc.setRemoteDescription({ type, sdp });
    } finally {
      this.settingRemoteAnswer = false;
    }
    if (type === 'offer' && !this.control) this.openControl();
    if (type === 'answer') await this.fitCamera();
    const pending = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const candidate of pending) await this.addCandidate(candidate);
    if (type === 'offer') {
      await this.sendLocalMedia();
      await pc.setLocalDescription();
      this.note('send answer');
      notify('OnLocalSignal', this.id, 'answer', pc.localDescription.sdp);
    }
    this.reportRemoteMedia();
  }

  async addCandidate(candidate) {
    if (!this.pc.remoteDescription) {
      this.pendingCandidates.push(candidate);
      return;
    }
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (error) {
      if (!this.ignoreOffer) throw error;
    }
  }

  async restartIce(configuration) {
    this.restarts++;
    this.pc.setConfiguration(rtcConfiguration(configuration));
    // An offer of ours still unanswered at the next restart was lost (sent, say, while the signaling connection
    // itself was coming back, before the server bound the call to it again). Waiting for its answer would hold
    // every later restart back, so it is taken back and the restart makes a fresh one.
    if (this.pc.signalingState === 'have-local-offer' && !this.makingOffer) {
      this.note('unanswered offer taken back');
      await this.pc.setLocalDescription({ type: 'rollback' }).catch(error => this.note(`rollback failed: ${error}`));
    }
    this.pc.restartIce();
  }

  /** The remote camera or screen while the other side sends it. */
  remoteStream(slot) {
    const transceiver = this.transceiver(slot);
    if (!transceiver || !this.receives(transceiver)) return null;
    const track = transceiver.receiver.track;
    if (this.streams?.get(slot)?.getTracks()[0] !== track) {
      this.streams ??= new Map();
      this.streams.set(slot, new MediaStream([track]));
    }
    return this.streams.get(slot);
  }

  // What the last negotiation says, not the track's muted flag: Chromium left the remote track of a slot muted
  // for good, with its packets arriving and decoded, when the other side started sending in an offer that
  // collided with ours (seen in the glare test).
  receives(transceiver) {
    return ['sendrecv', 'recvonly'].includes(transceiver.currentDirection);
  }

  reportRemoteMedia() {
    const state = ['camera', 'screen'].map(slot => {
      const transceiver = this.transceiver(slot);
      return transceiver && this.receives(transceiver) ? slot : '';
    }).filter(Boolean).join(' ');
    if (state === this.remoteState) return;
    this.remoteState = state;
    notify('OnRemoteMediaChanged', this.id, state.includes('camera'), state.includes('screen'));
  }

  playRemoteAudio(track) {
    this.audioStream = new MediaStream([track]);
    this.audio.srcObject = this.audioStream;
    this.playOn(speakerId);
    this.audio.play().catch(() => { /* autoplay refused: the next user gesture starts it */ });
  }

  async playOn(deviceId) {
    if (deviceId && this.audio.setSinkId) await this.audio.setSinkId(deviceId).catch(() => { });
  }

  // Tells C# when audio really arrives, which is when the call screen stops saying "connecting"; and, while the
  // other side sends video, notes when its first frame is decoded, for the measurements.
  async watchForFirstPacket() {
    const pc = this.pc;
    while (links.get(this.id) === this && pc.connectionState !== 'closed') {
      const stats = await pc.getStats().catch(() => new Map());
      const now = performance.timeOrigin + performance.now();
      for (const report of stats.values()) {
        if (report.type !== 'inbound-rtp') continue;
        if (report.kind === 'audio' && report.packetsReceived > 0 && this.firstInboundAt === null) {
          this.firstInboundAt = now;
          notify('OnMediaFlowing', this.id);
        }
        if (report.kind === 'video' && report.framesDecoded > 0) this.firstFrameAt ??= now;
      }
      const videoExpected = this.remoteState !== '' && this.firstFrameAt === null;
      if (this.firstInboundAt !== null && !videoExpected) return;
      await new Promise(resolve => setTimeout(resolve, 20));
    }
  }

  close() {
    const pc = this.pc;
    pc.onnegotiationneeded = pc.onicecandidate = pc.oniceconnectionstatechange = pc.ontrack = null;
    if (this.control) this.control.onmessage = this.control.onopen = null;
    pc.close();
    this.audio.pause();
    this.audio.srcObject = null;
    this.toneAnalysis?.context.close().catch(() => { });
    if (analysis?.link === this) {
      analysis.context.close().catch(() => { });
      analysis = null;
    }
  }
}

function rtcConfiguration(configuration) {
  return {
    iceServers: (configuration?.iceServers ?? []).map(s => ({
      urls: s.urls,
      ...(s.username ? { username: s.username } : {}),
      ...(s.credential ? { credential: s.credential } : {}),
    })),
    iceTransportPolicy: configuration?.iceTransportPolicy === 'relay' ? 'relay' : 'all',
  };
}

/** Opens a link to one remote participant. The side that starts it offers first; the other is the polite one,
 * which gives way when both offer at once. */
export function openLink(id, configuration, starts) {
  closeLink(id);
  const link = new PeerLink(id, configuration, !starts, starts);
  links.set(id, link);
  link.watchForFirstPacket();
  fitCameras();
}

function fitCameras() {
  for (const link of links.values()) link.fitCamera();
}

/** A description ('offer' or 'answer', SDP) or a 'candidate' (RTCIceCandidateInit JSON) from the other side. */
export function receiveSignal(id, kind, payload) {
  const link = links.get(id);
  return link ? link.receive(kind, payload) : Promise.resolve();
}

/** New ICE credentials (and, with the configuration given, fresh TURN credentials) for a link whose path broke. */
export async function restartIce(id, configuration) {
  await links.get(id)?.restartIce(configuration);
}

export async function sayBye(id) {
  await links.get(id)?.sayBye();
}

export function closeLink(id) {
  links.get(id)?.close();
  if (links.delete(id)) fitCameras();
}

function selectedPair(stats) {
  let pair = null;
  for (const report of stats.values()) {
    if (report.type === 'transport' && report.selectedCandidatePairId) pair = stats.get(report.selectedCandidatePairId);
  }
  if (!pair) {
    for (const report of stats.values()) {
      if (report.type === 'candidate-pair' && report.nominated && report.state === 'succeeded') pair = report;
    }
  }
  if (!pair) return null;
  const localCandidate = stats.get(pair.localCandidateId);
  const remoteCandidate = stats.get(pair.remoteCandidateId);
  return {
    roundTripTime: pair.currentRoundTripTime ?? null,
    localType: localCandidate?.candidateType ?? null,
    remoteType: remoteCandidate?.candidateType ?? null,
    protocol: localCandidate?.protocol ?? null,
    localAddress: localCandidate?.address ?? null,
  };
}

/** One reading of a link's audio statistics, for the quality indicator; null when there is no such link. */
export async function readQuality(id) {
  const pc = links.get(id)?.pc;
  if (!pc) return null;
  const stats = await pc.getStats();
  let inbound = null;
  let remoteInbound = null;
  for (const report of stats.values()) {
    if (report.type === 'inbound-rtp' && report.kind === 'audio') inbound = report;
    if (report.type === 'remote-inbound-rtp' && report.kind === 'audio') remoteInbound = report;
  }
  const pair = selectedPair(stats);
  return {
    audioLevel: inbound?.audioLevel ?? 0,
    packetsReceived: inbound?.packetsReceived ?? 0,
    packetsLost: Math.max(0, inbound?.packetsLost ?? 0),
    roundTripTime: pair?.roundTripTime ?? remoteInbound?.roundTripTime ?? null,
    localCandidateType: pair?.localType ?? null,
    remoteCandidateType: pair?.remoteType ?? null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The tones, made with WebAudio: the ringtone that tells the callee (a classic two-tone ring, two seconds on, four
// off) and the ringback that tells the caller the other side is ringing (425 Hz, ITU-T E.180's most common one:
// one second on, four off, quieter). One plays at a time.

const tones = {
  ringtone: { frequencies: [440, 480], on: 2, period: 6, volume: 0.12 },
  ringback: { frequencies: [425], on: 1, period: 5, volume: 0.06 },
};
let tone = null;

export function startTone(kind) {
  stopTone();
  const pattern = tones[kind];
  const context = new AudioContext();
  const gain = context.createGain();
  gain.gain.value = 0;
  gain.connect(context.destination);
  for (const frequency of pattern.frequencies) {
    const oscillator = context.createOscillator();
    oscillator.frequency.value = frequency;
    oscillator.connect(gain);
    oscillator.start();
  }
  const sound = () => {
    const now = context.currentTime;
    gain.gain.setValueAtTime(pattern.volume, now);
    gain.gain.setValueAtTime(0, now + pattern.on);
  };
  sound();
  tone = { kind, context, timer: setInterval(sound, pattern.period * 1000) };
  context.resume().catch(() => { });
}

export function stopTone() {
  if (!tone) return;
  clearInterval(tone.timer);
  tone.context.close().catch(() => { });
  tone = null;
}

// ---------------------------------------------------------------------------------------------------------------
// Incoming-call notifications, for a page that is not in front. They are shown through the service worker, the
// only way to give a notification buttons; its click handler (js/call-notifications-sw.js) brings the app forward
// and posts back what the person chose.

export function notificationPermission() {
  return globalThis.Notification?.permission ?? 'unsupported';
}

export async function requestNotificationPermission() {
  return await Notification.requestPermission();
}

export async function showCallNotification(callId, title, body, accept, decline) {
  if (document.visibilityState !== 'hidden' || notificationPermission() !== 'granted') return false;
  const registration = await navigator.serviceWorker?.getRegistration();
  if (!registration?.active) return false;
  await registration.showNotification(title, {
    body, tag: notificationTag(callId), requireInteraction: true, icon: 'icons/icon-192.png', data: { callId },
    actions: [{ action: 'accept', title: accept }, { action: 'decline', title: decline }],
  });
  return true;
}

export async function closeCallNotification(callId) {
  const registration = await navigator.serviceWorker?.getRegistration();
  for (const notification of await registration?.getNotifications({ tag: notificationTag(callId) }) ?? [])
    notification.close();
}

const notificationTag = callId => `peercall-call-${callId}`;

navigator.serviceWorker?.addEventListener('message', event => {
  if (event.data?.type === 'peercall-call-notification')
    events?.invokeMethodAsync('OnCallNotificationChosen', event.data.callId, event.data.action);
});

// The installed app's badge counts the missed calls not yet seen; a browser without badges ignores it.
export async function setAppBadge(count) {
  try {
    if (count > 0) await navigator.setAppBadge?.(count);
    else await navigator.clearAppBadge?.();
  } catch {
    // Not allowed here (a page that is not an installed app, in some browsers): nothing to show it on.
  }
}

/** Ends everything media: ringtone, every link, and every microphone, camera and screen track, so the
 * browser's recording indicators go off. */
export function endCall() {
  stopTone();
  stopListeningWhileMuted();
  for (const id of [...links.keys()]) closeLink(id);
  local.microphone = local.camera = local.screen = null;
  local.muted = false;
  for (const track of acquiredTracks) track.stop();
  acquiredTracks.clear();
}

// ---------------------------------------------------------------------------------------------------------------
// Read-only probes for the end-to-end tests: what the remote side really sounds and looks like, and what the
// connection really is. They look at the first link, the only one of a call between two people. One hook acts:
// headless Chromium has no "stop sharing" bar, so a test ends the shared screen's track the way that bar does.

let analysis = null;

function firstLink() {
  return links.values().next().value ?? null;
}

function remoteAnalyser() {
  const link = firstLink();
  if (!link?.audioStream) return null;
  if (analysis?.stream !== link.audioStream) {
    analysis?.context.close().catch(() => { });
    analysis = { ...analyse(link.audioStream, 8192), stream: link.audioStream, link };
  }
  return analysis;
}

let canvas = null;

globalThis.peercallDebug = {
  remoteAudio() {
    const a = remoteAnalyser();
    if (!a) return null;
    const spectrum = new Float32Array(a.analyser.frequencyBinCount);
    a.analyser.getFloatFrequencyData(spectrum);
    let peak = 0;
    for (let i = 1; i < spectrum.length; i++) if (spectrum[i] > spectrum[peak]) peak = i;
    return {
      dominantFrequency: peak * a.context.sampleRate / a.analyser.fftSize,
      peakDecibels: Number.isFinite(spectrum[peak]) ? spectrum[peak] : -200,
      rms: levelOf(a.analyser),
    };
  },
  /** The dominant frequency and level of what each link receives, one entry per remote participant. */
  remoteTones() {
    return [...links.values()].filter(link => link.audioStream).map(link => {
      if (link.toneAnalysis?.stream !== link.audioStream) {
        link.toneAnalysis?.context.close().catch(() => { });
        link.toneAnalysis = { ...analyse(link.audioStream, 8192), stream: link.audioStream };
      }
      const { context, analyser } = link.toneAnalysis;
      const spectrum = new Float32Array(analyser.frequencyBinCount);
      analyser.getFloatFrequencyData(spectrum);
      let peak = 0;
      for (let i = 1; i < spectrum.length; i++) if (spectrum[i] > spectrum[peak]) peak = i;
      return { frequency: peak * context.sampleRate / analyser.fftSize, rms: levelOf(analyser) };
    });
  },
  links: () => links.size,
  /** The average colour of the middle of a <video> on the page, and its size; null when it shows nothing. */
  videoColour(selector) {
    const video = document.querySelector(selector);
    if (!video || !video.srcObject || video.videoWidth === 0) return null;
    canvas ??= document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 36;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    context.drawImage(video, video.videoWidth / 4, video.videoHeight / 4, video.videoWidth / 2, video.videoHeight / 2,
      0, 0, 64, 36);
    const pixels = context.getImageData(0, 0, 64, 36).data;
    let r = 0, g = 0, b = 0;
    for (let i = 0; i < pixels.length; i += 4) { r += pixels[i]; g += pixels[i + 1]; b += pixels[i + 2]; }
    const n = pixels.length / 4;
    return { r: r / n, g: g / n, b: b / n, width: video.videoWidth, height: video.videoHeight };
  },
  async stats() {
    const pc = firstLink()?.pc;
    if (!pc) return null;
    const stats = await pc.getStats();
    const audio = [...stats.values()].find(r => r.type === 'inbound-rtp' && r.kind === 'audio');
    const video = [...stats.values()].filter(r => r.type === 'inbound-rtp' && r.kind === 'video');
    return {
      packetsReceived: audio?.packetsReceived ?? 0,
      bytesReceived: audio?.bytesReceived ?? 0,
      audioLevel: audio?.audioLevel ?? 0,
      totalAudioEnergy: audio?.totalAudioEnergy ?? 0,
      framesDecoded: video.reduce((sum, r) => sum + (r.framesDecoded ?? 0), 0),
      pair: selectedPair(stats),
      connectionState: pc.connectionState,
      iceConnectionState: pc.iceConnectionState,
    };
  },
  firstInboundAt: () => firstLink()?.firstInboundAt ?? null,
  firstFrameAt: () => firstLink()?.firstFrameAt ?? null,
  liveMicrophoneTracks: () => [...acquiredTracks].filter(t => t.kind === 'audio' && t.readyState === 'live').length,
  liveTracks: () => [...acquiredTracks].filter(t => t.readyState === 'live').length,
  hasPeer: () => links.size > 0,
  ringing: () => tone?.kind === 'ringtone' && tone.context.state !== 'closed',
  ringback: () => tone?.kind === 'ringback' && tone.context.state !== 'closed',
  localDescriptionSize: () => firstLink()?.pc.localDescription?.sdp.length ?? 0,
  transceivers: () => firstLink()?.pc.getTransceivers().map(t => ({
    mid: t.mid, direction: t.direction, currentDirection: t.currentDirection, muted: t.receiver.track.muted,
    sending: t.sender.track?.kind ?? null,
  })) ?? [],
  signalingState: () => firstLink()?.pc.signalingState ?? null,
  trace: () => firstLink()?.trace ?? [],
  async rtp() {
    const pc = firstLink()?.pc;
    if (!pc) return [];
    const stats = await pc.getStats();
    return [...stats.values()].filter(r => r.type === 'inbound-rtp' || r.type === 'outbound-rtp')
      .map(r => `${r.type} mid ${r.mid} ssrc ${r.ssrc} ${r.packetsReceived ?? r.packetsSent} packets`);
  },
  iceRestarts: () => firstLink()?.restarts ?? 0,
  stopSharingFromBrowser: () => local.screen?.dispatchEvent(new Event('ended')),
  descriptionsReceived: () => firstLink()?.descriptionsReceived ?? 0,
  sentMicrophone: () => firstLink()?.transceiver('microphone')?.sender.track?.getSettings().deviceId ?? null,
  /** The camera as captured and as sent, with what WebRTC says holds the sent size back ("cpu", "bandwidth"...),
   * and how much each link scales it down. */
  async sentCamera() {
    const sender = firstLink()?.transceiver('camera')?.sender;
    if (!sender?.track) return null;
    const sent = [...(await sender.getStats()).values()].find(r => r.type === 'outbound-rtp');
    const captured = sender.track.getSettings();
    return {
      capturedHeight: captured.height, sentHeight: sent?.frameHeight ?? 0,
      limitation: sent?.qualityLimitationReason ?? 'none',
      scales: [...links.values()].map(l => l.transceiver('camera')?.sender.getParameters().encodings?.[0]?.scaleResolutionDownBy ?? 1),
    };
  },
};
