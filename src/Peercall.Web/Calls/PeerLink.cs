using Microsoft.JSInterop;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Signaling;

namespace Peercall.Web.Calls;

/// <summary>
/// This device's link to one remote participant of a call: the peer connection (in webrtc.js), the signals that
/// set it up and renegotiate it (perfect negotiation: the side that starts the link offers first and the other
/// gives way when both offer at once), what the other side sends, and the health of the media path, restarting
/// ICE with fresh credentials when it breaks.
/// </summary>
public sealed class PeerLink
{
    private readonly BrowserMedia _media;
    private readonly Func<SignalKind, string, Task> _send;
    private readonly Func<Task<RtcConfiguration>> _freshConfiguration;
    private readonly CallQualityMeter _meter = new();
    private readonly TimeProvider _time;
    private Task _sending = Task.CompletedTask;
    private Task _opening = Task.CompletedTask;
    private long _lastPacketsReceived;
    private bool _closed;

    /// <summary>The level above which a remote participant counts as speaking (RTCInboundRtpStreamStats.audioLevel,
    /// 0 to 1; about -40 dBov).</summary>
    private const double SpeakingLevel = 0.01;

    public PeerLink(CallParty party, BrowserMedia media, TimeProvider time, Func<SignalKind, string, Task> send,
        Func<Task<RtcConfiguration>> freshConfiguration)
    {
        Party = party;
        Path = new MediaPath(time);
        _media = media;
        _time = time;
        _send = send;
        _freshConfiguration = freshConfiguration;
    }

    public string Id { get; } = Guid.NewGuid().ToString("N");
    /// <summary>The remote participant; their name may arrive after their first signal.</summary>
    public CallParty Party { get; set; }
    public MediaPath Path { get; }
    public bool MediaFlowing { get; private set; }
    public bool RemoteCamera { get; private set; }
    public bool RemoteScreen { get; private set; }
    public CallQuality? Quality { get; private set; }
    public bool RemoteMuted { get; private set; }
    public bool Speaking { get; private set; }

    /// <summary>Media stopped and the link is trying to bring it back.</summary>
    public bool Reconnecting => Path.State == MediaPathState.Interrupted;

    /// <summary>The path failed to connect (<see cref="CallReason.MediaFailed"/>) or was lost for good
    /// (<see cref="CallReason.MediaLost"/>).</summary>
    public event Func<CallReason, Task>? Broken;
    public event Action? Changed;

    /// <summary>Opens the peer connection once the configuration is there; signals received meanwhile wait for it.
    /// The side that starts offers first.</summary>
    public Task OpenAsync(Task<RtcConfiguration> configuration, bool starts) => _opening = OpenWhenConfiguredAsync(configuration, starts);

    private async Task OpenWhenConfiguredAsync(Task<RtcConfiguration> configuration, bool starts) =>
        await _media.OpenLinkAsync(Id, await configuration, starts);

    /// <summary>A signal from the other side.</summary>
    public async Task ReceiveAsync(Signal signal)
    {
        await _opening;
        if (_closed) return;
        var kind = signal.Kind switch { SignalKind.Offer => "offer", SignalKind.Answer => "answer", _ => "candidate" };
        try
        {
            await _media.ReceiveSignalAsync(Id, kind, signal.Payload);
        }
        catch (JSException)
        {
            // A description or candidate the browser refused; ICE restart or the loss bound settle what follows.
        }
    }

    /// <summary>Sends in the order the browser produced them: a candidate means nothing before its description.</summary>
    public Task SendLocalSignalAsync(string kind, string payload)
    {
        var signalKind = kind switch { "offer" => SignalKind.Offer, "answer" => SignalKind.Answer, _ => SignalKind.Candidate };
        return _sending = SendAfterAsync(_sending, signalKind, payload);
    }

    private async Task SendAfterAsync(Task previous, SignalKind kind, string payload)
    {
        await previous;
        if (!_closed) await _send(kind, payload);
    }

    public Task IceStateChangedAsync(string state)
    {
        var action = Path.IceStateChanged(state);
        Changed?.Invoke();
        return ActAsync(action);
    }

    public void MediaStarted()
    {
        MediaFlowing = true;
        Changed?.Invoke();
    }

    public void RemoteMutedChanged(bool muted)
    {
        RemoteMuted = muted;
        Changed?.Invoke();
    }

    public void RemoteMediaChanged(bool camera, bool screen)
    {
        RemoteCamera = camera;
        RemoteScreen = screen;
        Changed?.Invoke();
    }

    /// <summary>About once a second: statistics for the quality indicator, whether audio still arrives, and what
    /// the time decides about a broken path.</summary>
    public async Task TickAsync()
    {
        if (_closed) return;
        MediaStatsSample? sample = null;
        try
        {
            sample = await _media.ReadStatsAsync(Id);
        }
        catch (JSException)
        {
            // The page is going away or the link closed between two readings.
        }
        bool? audioArrived = null;
        if (sample is not null)
        {
            Quality = _meter.Add(sample, _time.GetUtcNow());
            Speaking = !RemoteMuted && sample.AudioLevel > SpeakingLevel;
            if (MediaFlowing) audioArrived = sample.PacketsReceived > _lastPacketsReceived;
            _lastPacketsReceived = sample.PacketsReceived;
        }
        await ActAsync(Path.Tick(audioArrived));
    }

    public Task SayByeAsync() => _media.SayByeAsync(Id);

    public async Task CloseAsync()
    {
        _closed = true;
        await _media.CloseLinkAsync(Id);
    }

    private async Task ActAsync(MediaPathAction action)
    {
        if (_closed) return;
        switch (action)
        {
            case MediaPathAction.RestartIce:
                var configuration = await _freshConfiguration();
                try
                {
                    if (!_closed) await _media.RestartIceAsync(Id, configuration);
                }
                catch (JSException)
                {
                    // The link closed meanwhile; a link still broken tries again at the next restart.
                }
                break;
            case MediaPathAction.GiveUp when Broken is { } broken:
                await broken(Path.State == MediaPathState.Failed ? CallReason.MediaFailed : CallReason.MediaLost);
                break;
        }
    }
}
