// All of Peercall's WebRTC and media code. The C# side (Calls/BrowserMedia.cs) decides what happens and when;
// this module only touches the browser APIs it cannot reach: the microphone, the peer connection, its
// statistics, audio output and the ringtone. One call at a time per page.

const call = {
  pc: null,
  events: null,           // DotNetObjectReference that receives candidates and state changes
  localStream: null,
  remoteStream: null,
  audio: null,            // plays the remote stream; also needed for Chromium to route it into WebAudio
  speakerId: '',
  muted: false,
  pendingCandidates: [],  // remote candidates that arrived before the remote description
  chain: Promise.resolve(),
  firstInboundAt: null,
};
const acquiredTracks = new Set();
let ringtone = null;
let analysis = null;

// Voice processing (echo cancellation, noise suppression, gain control) is right for people; tests that check
// the received tone's frequency and level may turn it off before the app starts.
function voiceProcessing() {
  return globalThis.peercallMediaOptions?.voiceProcessing !== false;
}

function audioConstraints(deviceId) {
  const on = voiceProcessing();
  const audio = { echoCancellation: on, noiseSuppression: on, autoGainControl: on };
  if (deviceId) audio.deviceId = { exact: deviceId };
  return { audio, video: false };
}

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

async function getMicrophone(deviceId) {
  if (!globalThis.isSecureContext || !navigator.mediaDevices?.getUserMedia) return { result: 'insecure' };
  try {
    const stream = await navigator.mediaDevices.getUserMedia(audioConstraints(deviceId));
    stream.getTracks().forEach(t => acquiredTracks.add(t));
    return { result: 'ok', stream };
  } catch (error) {
    return { result: failureKind(error) };
  }
}

function notify(method, ...args) {
  const events = call.events;
  if (!events) return;
  events.invokeMethodAsync(method, ...args).catch(() => { /* the call ended on the C# side meanwhile */ });
}

/** Opens the microphone; resolves to 'ok', 'denied', 'missing', 'unavailable' or 'insecure'. */
export async function openMicrophone(deviceId) {
  const { result, stream } = await getMicrophone(deviceId);
  if (stream) {
    stopStream(call.localStream);
    call.localStream = stream;
    stream.getAudioTracks().forEach(t => t.enabled = !call.muted);
  }
  return result;
}

export function createPeer(configuration, events) {
  closePeer();
  call.events = events;
  call.pendingCandidates = [];
  call.chain = Promise.resolve();
  call.firstInboundAt = null;
  const pc = new RTCPeerConnection({
    iceServers: (configuration?.iceServers ?? []).map(s => ({
      urls: s.urls,
      ...(s.username ? { username: s.username } : {}),
      ...(s.credential ? { credential: s.credential } : {}),
    })),
    iceTransportPolicy: configuration?.iceTransportPolicy === 'relay' ? 'relay' : 'all',
  });
  call.pc = pc;
  for (const track of call.localStream?.getAudioTracks() ?? []) pc.addTrack(track, call.localStream);
  pc.onicecandidate = e => { if (e.candidate) notify('OnLocalCandidate', JSON.stringify(e.candidate.toJSON())); };
  pc.ontrack = e => playRemote(e.streams[0] ?? new MediaStream([e.track]));
  pc.onconnectionstatechange = () => notify('OnConnectionStateChanged', pc.connectionState);
  watchForFirstPacket(pc);
}

// Signalling steps run one after another, in the order they were asked for, whatever order their awaits resolve.
function serially(step) {
  const next = call.chain.then(step);
  call.chain = next.catch(() => { });
  return next;
}

export function createOffer() {
  return serially(async () => {
    const offer = await call.pc.createOffer();
    await call.pc.setLocalDescription(offer);
    return offer.sdp;
  });
}

export function answerOffer(sdp) {
  return serially(async () => {
    await call.pc.setRemoteDescription({ type: 'offer', sdp });
    await addPendingCandidates();
    const answer = await call.pc.createAnswer();
    await call.pc.setLocalDescription(answer);
    return answer.sdp;
  });
}

export function acceptAnswer(sdp) {
  return serially(async () => {
    await call.pc.setRemoteDescription({ type: 'answer', sdp });
    await addPendingCandidates();
  });
}

export function addRemoteCandidate(json) {
  return serially(async () => {
    const candidate = JSON.parse(json);
    if (call.pc.remoteDescription) await call.pc.addIceCandidate(candidate);
    else call.pendingCandidates.push(candidate);
  });
}

async function addPendingCandidates() {
  const pending = call.pendingCandidates;
  call.pendingCandidates = [];
  for (const candidate of pending) await call.pc.addIceCandidate(candidate);
}

function playRemote(stream) {
  call.remoteStream = stream;
  if (!call.audio) call.audio = new Audio();
  call.audio.autoplay = true;
  call.audio.srcObject = stream;
  if (call.speakerId && call.audio.setSinkId) call.audio.setSinkId(call.speakerId).catch(() => { });
  call.audio.play().catch(() => { /* autoplay refused: the next user gesture starts it */ });
}

async function inboundAudio(pc) {
  const stats = await pc.getStats();
  for (const report of stats.values()) {
    if (report.type === 'inbound-rtp' && report.kind === 'audio') return report;
  }
  return null;
}

// Tells C# when audio really arrives, which is when the call screen stops saying "connecting".
async function watchForFirstPacket(pc) {
  while (call.pc === pc && pc.connectionState !== 'closed') {
    const inbound = await inboundAudio(pc).catch(() => null);
    if (inbound?.packetsReceived > 0) {
      call.firstInboundAt = performance.timeOrigin + performance.now();
      notify('OnMediaFlowing');
      return;
    }
    await new Promise(resolve => setTimeout(resolve, 20));
  }
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
  const local = stats.get(pair.localCandidateId);
  const remote = stats.get(pair.remoteCandidateId);
  return {
    roundTripTime: pair.currentRoundTripTime ?? null,
    localType: local?.candidateType ?? null,
    remoteType: remote?.candidateType ?? null,
    protocol: local?.protocol ?? null,
  };
}

/** One reading of the call's statistics, for the quality indicator; null when there is no call. */
export async function readQuality() {
  const pc = call.pc;
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
    packetsReceived: inbound?.packetsReceived ?? 0,
    packetsLost: Math.max(0, inbound?.packetsLost ?? 0),
    roundTripTime: pair?.roundTripTime ?? remoteInbound?.roundTripTime ?? null,
    localCandidateType: pair?.localType ?? null,
    remoteCandidateType: pair?.remoteType ?? null,
  };
}

export function setMuted(muted) {
  call.muted = muted;
  call.localStream?.getAudioTracks().forEach(t => t.enabled = !muted);
}

export async function listDevices() {
  const devices = navigator.mediaDevices ? await navigator.mediaDevices.enumerateDevices() : [];
  const pick = kind => devices.filter(d => d.kind === kind && d.deviceId).map(d => ({ id: d.deviceId, label: d.label }));
  return {
    microphones: pick('audioinput'),
    speakers: pick('audiooutput'),
    canChooseSpeaker: 'setSinkId' in HTMLMediaElement.prototype,
    microphoneId: call.localStream?.getAudioTracks()[0]?.getSettings().deviceId ?? null,
    speakerId: call.speakerId,
  };
}

/** Moves the call to another microphone without renegotiating; resolves like openMicrophone. */
export async function switchMicrophone(deviceId) {
  const { result, stream } = await getMicrophone(deviceId);
  if (!stream) return result;
  const track = stream.getAudioTracks()[0];
  track.enabled = !call.muted;
  const sender = call.pc?.getSenders().find(s => s.track?.kind === 'audio');
  if (sender) await sender.replaceTrack(track);
  stopStream(call.localStream);
  call.localStream = stream;
  return result;
}

export async function chooseSpeaker(deviceId) {
  call.speakerId = deviceId;
  if (call.audio?.setSinkId) await call.audio.setSinkId(deviceId);
}

/** A classic two-tone ring cadence made with WebAudio: two seconds on, four off. */
export function startRingtone() {
  stopRingtone();
  const context = new AudioContext();
  const gain = context.createGain();
  gain.gain.value = 0;
  gain.connect(context.destination);
  for (const frequency of [440, 480]) {
    const oscillator = context.createOscillator();
    oscillator.frequency.value = frequency;
    oscillator.connect(gain);
    oscillator.start();
  }
  const ring = () => {
    const now = context.currentTime;
    gain.gain.setValueAtTime(0.12, now);
    gain.gain.setValueAtTime(0, now + 2);
  };
  ring();
  ringtone = { context, timer: setInterval(ring, 6000) };
  context.resume().catch(() => { });
}

export function stopRingtone() {
  if (!ringtone) return;
  clearInterval(ringtone.timer);
  ringtone.context.close().catch(() => { });
  ringtone = null;
}

function stopStream(stream) {
  stream?.getTracks().forEach(t => t.stop());
}

function closePeer() {
  if (call.pc) {
    call.pc.onicecandidate = call.pc.ontrack = call.pc.onconnectionstatechange = null;
    call.pc.close();
  }
  call.pc = null;
  call.events = null;
  if (call.audio) {
    call.audio.pause();
    call.audio.srcObject = null;
  }
  stopStream(call.remoteStream);
  call.remoteStream = null;
  if (analysis) {
    analysis.context.close().catch(() => { });
    analysis = null;
  }
}

/** Ends everything media: ringtone, peer connection, and every microphone track, so the browser's
 * recording indicator goes off. */
export function endCall() {
  stopRingtone();
  closePeer();
  stopStream(call.localStream);
  call.localStream = null;
  call.muted = false;
  for (const track of acquiredTracks) track.stop();
  acquiredTracks.clear();
}

function remoteAnalyser() {
  if (!call.remoteStream) return null;
  if (analysis?.stream !== call.remoteStream) {
    analysis?.context.close().catch(() => { });
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 8192;
    analyser.smoothingTimeConstant = 0;
    context.createMediaStreamSource(call.remoteStream).connect(analyser);
    context.resume().catch(() => { });
    analysis = { context, analyser, stream: call.remoteStream };
  }
  return analysis;
}

// Read-only probes for the end-to-end tests: what the remote side really sounds like, and what the
// connection really is.
globalThis.peercallDebug = {
  remoteAudio() {
    const a = remoteAnalyser();
    if (!a) return null;
    const spectrum = new Float32Array(a.analyser.frequencyBinCount);
    a.analyser.getFloatFrequencyData(spectrum);
    let peak = 0;
    for (let i = 1; i < spectrum.length; i++) if (spectrum[i] > spectrum[peak]) peak = i;
    const samples = new Float32Array(a.analyser.fftSize);
    a.analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const s of samples) sum += s * s;
    return {
      dominantFrequency: peak * a.context.sampleRate / a.analyser.fftSize,
      peakDecibels: Number.isFinite(spectrum[peak]) ? spectrum[peak] : -200,
      rms: Math.sqrt(sum / samples.length),
    };
  },
  async stats() {
    if (!call.pc) return null;
    const stats = await call.pc.getStats();
    const inbound = [...stats.values()].find(r => r.type === 'inbound-rtp' && r.kind === 'audio');
    return {
      packetsReceived: inbound?.packetsReceived ?? 0,
      bytesReceived: inbound?.bytesReceived ?? 0,
      audioLevel: inbound?.audioLevel ?? 0,
      totalAudioEnergy: inbound?.totalAudioEnergy ?? 0,
      pair: selectedPair(stats),
      connectionState: call.pc.connectionState,
    };
  },
  firstInboundAt: () => call.firstInboundAt,
  liveMicrophoneTracks: () => [...acquiredTracks].filter(t => t.readyState === 'live').length,
  hasPeer: () => call.pc !== null,
  ringing: () => ringtone !== null && ringtone.context.state !== 'closed',
};
