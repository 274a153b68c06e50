using Microsoft.AspNetCore.SignalR;
using Microsoft.JSInterop;
using Peercall.Client;
using Peercall.Contracts;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Signaling;
using Peercall.Web.Accounts;
using Peercall.Web.Localization;
using Peercall.Web.Shared;
using Peercall.Web.Signaling;

namespace Peercall.Web.Calls;

public enum CallPhase { Idle, Outgoing, Incoming, Active }

/// <summary>What the app tells the person when a call ends or cannot start; written in whatever language is
/// current when it is shown.</summary>
public sealed record CallNotice(Func<UiText, string> Text, bool IsError, TimeSpan? Duration = null);

/// <summary>
/// This device's side of a call: placing, ringing, answering, the WebRTC offer/answer/ICE exchange, and ending,
/// always with a reason the person can read. The server owns the call's state; this follows its events and
/// drives <see cref="BrowserMedia"/>. By convention the caller makes the offer once the call is accepted.
/// </summary>
public sealed class CallSession : ILiveState
{
    private static readonly RtcConfiguration LanOnly = new([], "all", null);

    private readonly PeercallApi _api;
    private readonly RealtimeConnection _realtime;
    private readonly BrowserMedia _media;
    private readonly TimeProvider _time;
    private readonly CallQualityMeter _meter = new();
    private readonly List<Signal> _pendingSignals = [];
    private readonly List<string> _pendingLocalCandidates = [];
    private readonly List<CallStateChange> _earlyChanges = [];
    private Task<MicrophoneResult>? _microphone;
    private Task<RtcConfiguration>? _rtcConfiguration;
    private CancellationTokenSource? _statsLoop;
    private bool _peerReady;
    private bool _localDescriptionSent;
    private int _generation;

    public CallSession(PeercallApi api, RealtimeConnection realtime, BrowserMedia media, AccountSession account,
        TimeProvider time)
    {
        _api = api;
        _realtime = realtime;
        _media = media;
        _time = time;
        realtime.IncomingCall += OnIncomingCallAsync;
        realtime.CallStateChanged += OnCallStateChangedAsync;
        realtime.SignalReceived += OnSignalAsync;
        realtime.Connected += OnReconnectedAsync;
        media.LocalCandidate += OnLocalCandidateAsync;
        media.ConnectionStateChanged += OnConnectionStateChangedAsync;
        media.MediaFlowing += OnMediaFlowingAsync;
        realtime.Stopping += LeaveAsync;
        account.SignedInOrOut += () => account.IsSignedIn ? Task.CompletedTask : FinishAsync(null);
    }

    public CallPhase Phase { get; private set; }
    public Call? Call { get; private set; }
    public CallParty? OtherParty { get; private set; }
    public bool PlacedByMe { get; private set; }
    public bool MediaFlowing { get; private set; }
    public bool Muted { get; private set; }
    public DateTimeOffset? ConnectedAt { get; private set; }
    public CallQuality? Quality { get; private set; }
    public MediaDevices? Devices { get; private set; }
    public CallNotice? Notice { get; private set; }

    public TimeSpan Elapsed => ConnectedAt is { } at ? _time.GetUtcNow() - at : TimeSpan.Zero;

    public event Action? Changed;

    public async Task PlaceCallAsync(CallParty callee)
    {
        if (Phase != CallPhase.Idle || _realtime.ConnectionId is not { } connectionId) return;
        var generation = Begin(CallPhase.Outgoing, callee, placedByMe: true);
        // The microphone opens while it rings, so audio can start the moment the callee answers.
        var microphone = _microphone = _media.OpenMicrophoneAsync();
        _rtcConfiguration = FetchRtcConfigurationAsync();
        Changed?.Invoke();

        Call call;
        try
        {
            call = await _api.PlaceCallAsync(new PlaceCallRequest(callee.Id, CallMedia.Audio, connectionId));
        }
        catch (Exception e) when (e is PeercallApiException or HttpRequestException)
        {
            if (generation == _generation) await FinishAsync(new CallNotice(t => StartFailure(t, e), true));
            return;
        }
        if (generation != _generation)
        {
            // Cancelled or signed out while the request was on its way.
            if (call.State == CallState.Ringing) await IgnoreFailureAsync(() => _api.CancelCallAsync(call.Id));
            return;
        }
        Call = call;
        OtherParty = call.Callee;
        if (call.State != CallState.Ringing)
        {
            await FinishAsync(Outcome(call.Reason));
            return;
        }
        Changed?.Invoke();

        var early = _earlyChanges.Where(c => c.Call.Id == call.Id).ToList();
        _earlyChanges.Clear();
        foreach (var change in early) await OnCallStateChangedAsync(change);

        var opened = await microphone;
        if (generation == _generation && opened != MicrophoneResult.Ok) await FailMicrophoneAsync(opened);
    }

    public async Task CancelAsync()
    {
        if (Phase != CallPhase.Outgoing) return;
        var call = Call;
        await FinishAsync(Outcome(CallReason.Cancelled));
        if (call is not null) await IgnoreFailureAsync(() => _api.CancelCallAsync(call.Id));
    }

    public async Task AcceptAsync()
    {
        if (Phase != CallPhase.Incoming || Call is not { } call) return;
        var generation = _generation;
        Phase = CallPhase.Active;
        ConnectedAt = _time.GetUtcNow();
        StartStatsLoop();
        Changed?.Invoke();
        await _media.StopRingtoneAsync();

        var microphone = await (_microphone = _media.OpenMicrophoneAsync());
        if (generation != _generation) return;
        if (microphone != MicrophoneResult.Ok)
        {
            await FailMicrophoneAsync(microphone);
            return;
        }
        try
        {
            await _media.CreatePeerAsync(await _rtcConfiguration!);
            if (generation != _generation) return;
            _peerReady = true;
            Call = await _api.AcceptCallAsync(call.Id, _realtime.ConnectionId);
        }
        catch (Exception e) when (e is PeercallApiException or HttpRequestException)
        {
            if (generation == _generation) await FinishAsync(new CallNotice(t => t.CallNoLongerRinging, true));
            return;
        }
        catch (JSException)
        {
            if (generation == _generation) await FailConnectionAsync();
            return;
        }
        await LoadDevicesAsync();
        await ApplyPendingSignalsAsync(generation);
    }

    public async Task DeclineAsync()
    {
        if (Phase != CallPhase.Incoming || Call is not { } call) return;
        await FinishAsync(null);
        await IgnoreFailureAsync(() => _api.DeclineCallAsync(call.Id));
    }

    public async Task HangUpAsync()
    {
        if (Phase != CallPhase.Active || Call is not { } call) return;
        var elapsed = Elapsed;
        await FinishAsync(new CallNotice(t => t.CallEndedAfter(Formats.Duration(elapsed)), false));
        await IgnoreFailureAsync(() => _api.EndCallAsync(call.Id, CallReason.HungUp));
    }

    public async Task SetMutedAsync(bool muted)
    {
        if (Phase != CallPhase.Active) return;
        Muted = muted;
        await _media.SetMutedAsync(muted);
        Changed?.Invoke();
    }

    public async Task ChooseMicrophoneAsync(string deviceId)
    {
        if (Phase != CallPhase.Active) return;
        var result = await _media.SwitchMicrophoneAsync(deviceId);
        if (result != MicrophoneResult.Ok) Notice = new CallNotice(t => MicrophoneText(t, result), true);
        await LoadDevicesAsync();
    }

    public async Task ChooseSpeakerAsync(string deviceId)
    {
        if (Phase != CallPhase.Active) return;
        await _media.ChooseSpeakerAsync(deviceId);
        await LoadDevicesAsync();
    }

    public void DismissNotice()
    {
        Notice = null;
        Changed?.Invoke();
    }

    private Task LeaveAsync() => Phase switch
    {
        CallPhase.Active => HangUpAsync(),
        CallPhase.Outgoing => CancelAsync(),
        _ => FinishAsync(null),
    };

    private async Task OnIncomingCallAsync(Call call)
    {
        if (Phase != CallPhase.Idle) return;
        Begin(CallPhase.Incoming, call.Caller, placedByMe: false);
        Call = call;
        _rtcConfiguration = FetchRtcConfigurationAsync();
        Changed?.Invoke();
        await _media.StartRingtoneAsync();
    }

    private async Task OnCallStateChangedAsync(CallStateChange change)
    {
        var call = change.Call;
        if (Call is null && Phase == CallPhase.Outgoing)
        {
            _earlyChanges.Add(change);
            return;
        }
        if (Call?.Id != call.Id) return;
        Call = call;
        switch (call.State)
        {
            case CallState.Ringing:
                return;
            case CallState.Accepted when change.Reason == CallReason.AnsweredElsewhere:
                await FinishAsync(Outcome(CallReason.AnsweredElsewhere));
                return;
            case CallState.Accepted when Phase == CallPhase.Outgoing:
                Phase = CallPhase.Active;
                ConnectedAt = _time.GetUtcNow();
                StartStatsLoop();
                Changed?.Invoke();
                await StartAsCallerAsync(_generation);
                return;
            case CallState.Accepted:
                return;
            default:
                var duration = Phase == CallPhase.Active ? Elapsed : (TimeSpan?)null;
                await FinishAsync(Outcome(change.Reason, duration));
                return;
        }
    }

    private async Task StartAsCallerAsync(int generation)
    {
        if (_microphone is not { } microphone || await microphone != MicrophoneResult.Ok || generation != _generation)
            return;
        try
        {
            await _media.CreatePeerAsync(await _rtcConfiguration!);
            if (generation != _generation) return;
            _peerReady = true;
            var offer = await _media.CreateOfferAsync();
            if (generation != _generation || Call is not { } call) return;
            await _realtime.SendSignalAsync(new Signal(call.Id, SignalKind.Offer, offer));
            await SendPendingLocalCandidatesAsync(generation);
        }
        catch (JSException)
        {
            if (generation == _generation) await FailConnectionAsync();
            return;
        }
        catch (Exception e) when (e is HubException or InvalidOperationException)
        {
            // The realtime connection dropped; the server ends the call if it does not come back in time.
            return;
        }
        await LoadDevicesAsync();
        await ApplyPendingSignalsAsync(generation);
    }

    private async Task OnSignalAsync(Signal signal)
    {
        if (Phase != CallPhase.Active || Call?.Id != signal.CallId) return;
        if (!_peerReady)
        {
            _pendingSignals.Add(signal);
            return;
        }
        await ApplySignalAsync(signal, _generation);
    }

    private async Task ApplyPendingSignalsAsync(int generation)
    {
        var pending = _pendingSignals.ToList();
        _pendingSignals.Clear();
        foreach (var signal in pending) await ApplySignalAsync(signal, generation);
    }

    private async Task ApplySignalAsync(Signal signal, int generation)
    {
        try
        {
            switch (signal.Kind)
            {
                case SignalKind.Offer:
                    var answer = await _media.AnswerOfferAsync(signal.Payload);
                    if (generation != _generation) return;
                    await _realtime.SendSignalAsync(new Signal(signal.CallId, SignalKind.Answer, answer));
                    await SendPendingLocalCandidatesAsync(generation);
                    break;
                case SignalKind.Answer:
                    await _media.AcceptAnswerAsync(signal.Payload);
                    break;
                case SignalKind.Candidate:
                    await _media.AddRemoteCandidateAsync(signal.Payload);
                    break;
            }
        }
        catch (JSException)
        {
            if (generation == _generation) await FailConnectionAsync();
        }
        catch (Exception e) when (e is HubException or InvalidOperationException)
        {
            // As above: a dropped realtime connection is the server's to resolve.
        }
    }

    private async Task OnLocalCandidateAsync(string candidateJson)
    {
        if (Phase != CallPhase.Active || Call is not { } call) return;
        if (!_localDescriptionSent)
        {
            _pendingLocalCandidates.Add(candidateJson);
            return;
        }
        await IgnoreFailureAsync(() => _realtime.SendSignalAsync(new Signal(call.Id, SignalKind.Candidate, candidateJson)));
    }

    // A candidate only makes sense to the other side after our offer or answer, so they wait for it.
    private async Task SendPendingLocalCandidatesAsync(int generation)
    {
        _localDescriptionSent = true;
        var pending = _pendingLocalCandidates.ToList();
        _pendingLocalCandidates.Clear();
        foreach (var candidate in pending)
        {
            if (generation != _generation || Call is not { } call) return;
            await IgnoreFailureAsync(() => _realtime.SendSignalAsync(new Signal(call.Id, SignalKind.Candidate, candidate)));
        }
    }

    private Task OnConnectionStateChangedAsync(string state) =>
        state == "failed" && Phase == CallPhase.Active ? FailConnectionAsync() : Task.CompletedTask;

    private Task OnMediaFlowingAsync()
    {
        if (Phase != CallPhase.Active) return Task.CompletedTask;
        MediaFlowing = true;
        Changed?.Invoke();
        return Task.CompletedTask;
    }

    // A reconnect is a new connection: an accepted call is bound to it again (media kept flowing peer to peer
    // meanwhile), and since the events of the gap are gone, the call's state is read again.
    private async Task OnReconnectedAsync()
    {
        if (Phase == CallPhase.Idle || Call is not { } call) return;
        Call? current = null;
        if (Phase == CallPhase.Active && call.State == CallState.Accepted)
        {
            try
            {
                current = await _realtime.ResumeCallAsync(call.Id);
            }
            catch (Exception e) when (e is HubException or InvalidOperationException)
            {
                // Not resumable: it ended during the gap, and its state below says how.
            }
        }
        try
        {
            current ??= await _api.GetCallAsync(call.Id);
        }
        catch (Exception e) when (e is PeercallApiException or HttpRequestException)
        {
            return; // Unknown for now; the next event corrects it.
        }
        if (Call?.Id == current.Id && current.State != call.State)
            await OnCallStateChangedAsync(new CallStateChange(current, current.Reason));
    }

    private void StartStatsLoop()
    {
        _statsLoop?.Cancel();
        var loop = _statsLoop = new CancellationTokenSource();
        _ = ReadStatsAsync(loop.Token);
    }

    private async Task ReadStatsAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var sample = await _media.ReadStatsAsync();
                if (stop.IsCancellationRequested) return;
                if (sample is not null) Quality = _meter.Add(sample, _time.GetUtcNow());
                Changed?.Invoke();
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (JSException)
        {
            // The page is going away or the call closed between two readings.
        }
    }

    private async Task LoadDevicesAsync()
    {
        try
        {
            Devices = await _media.ListDevicesAsync();
        }
        catch (JSException)
        {
            Devices = null;
        }
        Changed?.Invoke();
    }

    private async Task FailMicrophoneAsync(MicrophoneResult result)
    {
        var call = Call;
        await FinishAsync(new CallNotice(t => MicrophoneText(t, result), true));
        if (call is not null) await EndBecauseMediaFailedAsync(call);
    }

    private async Task FailConnectionAsync()
    {
        var call = Call;
        await FinishAsync(new CallNotice(t => t.AudioConnectionFailed, true));
        if (call is not null) await EndBecauseMediaFailedAsync(call);
    }

    // "media-failed" tells the other side why, also for a call still ringing (the server then cancels or
    // declines it with that reason).
    private Task EndBecauseMediaFailedAsync(Call call) =>
        IgnoreFailureAsync(() => _api.EndCallAsync(call.Id, CallReason.MediaFailed));

    private int Begin(CallPhase phase, CallParty otherParty, bool placedByMe)
    {
        Reset();
        Phase = phase;
        OtherParty = otherParty;
        PlacedByMe = placedByMe;
        Notice = null;
        return _generation;
    }

    private async Task FinishAsync(CallNotice? notice)
    {
        var microphone = _microphone;
        Reset();
        Notice = notice;
        Changed?.Invoke();
        await _media.EndAsync();
        if (microphone is { IsCompleted: false }) _ = CloseLateMicrophoneAsync(microphone);
    }

    // A microphone still opening when the call ended comes alive afterwards; close it once it does.
    private async Task CloseLateMicrophoneAsync(Task<MicrophoneResult> microphone)
    {
        await microphone;
        if (Phase == CallPhase.Idle) await _media.EndAsync();
    }

    private void Reset()
    {
        _generation++;
        _statsLoop?.Cancel();
        _statsLoop = null;
        _meter.Reset();
        _pendingSignals.Clear();
        _pendingLocalCandidates.Clear();
        _earlyChanges.Clear();
        _microphone = null;
        _peerReady = false;
        _localDescriptionSent = false;
        Phase = CallPhase.Idle;
        Call = null;
        MediaFlowing = false;
        Muted = false;
        ConnectedAt = null;
        Quality = null;
        Devices = null;
    }

    private CallNotice Outcome(CallReason reason, TimeSpan? duration = null)
    {
        var other = OtherParty?.DisplayName ?? "";
        var placedByMe = PlacedByMe;
        var isError = reason is CallReason.ConnectionLost or CallReason.MediaFailed or CallReason.ServerRestarted;
        return new CallNotice(t => t.CallOutcome(reason, other, placedByMe), isError, duration);
    }

    private async Task<RtcConfiguration> FetchRtcConfigurationAsync()
    {
        try
        {
            return await _api.GetRtcConfigurationAsync();
        }
        catch (Exception e) when (e is PeercallApiException or HttpRequestException)
        {
            return LanOnly;
        }
    }

    private static string MicrophoneText(UiText text, MicrophoneResult result) => result switch
    {
        MicrophoneResult.Denied => text.MicrophoneDenied,
        MicrophoneResult.Missing => text.MicrophoneMissing,
        MicrophoneResult.Insecure => text.InsecureContext,
        _ => text.MicrophoneUnavailable,
    };

    private static string StartFailure(UiText text, Exception error) => error switch
    {
        PeercallApiException { Code: ProblemCodes.AlreadyInCall or ProblemCodes.AlreadyCalling } => text.AlreadyInCall,
        PeercallApiException { Code: ProblemCodes.RateLimited } => text.RateLimited,
        HttpRequestException => text.ServerUnreachable,
        _ => text.CallCouldNotStart,
    };

    private static async Task IgnoreFailureAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (e is PeercallApiException or HttpRequestException or HubException
                                      or InvalidOperationException)
        {
            // Best effort: the server's own timeouts settle what this could not.
        }
    }
}
