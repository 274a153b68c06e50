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

/// <summary>What the app tells the person when a call ends or something in it fails; written in whatever
/// language is current when it is shown.</summary>
public sealed record CallNotice(Func<UiText, string> Text, bool IsError, TimeSpan? Duration = null);

/// <summary>
/// Call control: this device's side of a call with the server. Placing, ringing, answering and ending, always
/// with a reason the person can read. The server owns the call's state; this follows its events. The media is
/// <see cref="LocalMedia"/>'s (what this device sends) and the <see cref="PeerLink"/>s' (one per remote
/// participant; a call between two people has one). Of each pair of joined participants, the one who joined first
/// starts the link; the other opens its side before it answers, or when the first offer comes.
/// </summary>
public sealed class CallSession : ILiveState
{
    private static readonly RtcConfiguration LanOnly = new([], "all", null);
    private static readonly TimeSpan ServerAnswerPatience = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan InfoShownFor = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ErrorShownFor = TimeSpan.FromSeconds(20);

    private readonly PeercallApi _api;
    private readonly RealtimeConnection _realtime;
    private readonly BrowserMedia _media;
    private readonly UiLanguage _language;
    private readonly TimeProvider _time;
    private readonly AccountSession _account;
    private readonly Dictionary<Guid, PeerLink> _links = [];
    private readonly List<CallStateChange> _earlyChanges = [];
    private readonly List<Task<CaptureResult>> _capturing = [];
    private Task<CaptureResult>? _microphone;
    private Task<RtcConfiguration>? _rtcConfiguration;
    private CancellationTokenSource? _ticking;
    private CancellationTokenSource? _noticeExpiry;
    private CallNotice? _notice;
    private int _generation;

    public CallSession(PeercallApi api, RealtimeConnection realtime, BrowserMedia media, LocalMedia local,
        AccountSession account, UiLanguage language, TimeProvider time)
    {
        _api = api;
        _language = language;
        _realtime = realtime;
        _media = media;
        _time = time;
        _account = account;
        Local = local;
        local.Changed += () => Changed?.Invoke();
        realtime.IncomingCall += OnIncomingCallAsync;
        realtime.CallStateChanged += OnCallStateChangedAsync;
        realtime.SignalReceived += OnSignalAsync;
        realtime.Connected += OnReconnectedAsync;
        realtime.Stopping += LeaveAsync;
        media.LocalSignal += (linkId, kind, payload) => LinkOf(linkId)?.SendLocalSignalAsync(kind, payload) ?? Task.CompletedTask;
        media.IceStateChanged += (linkId, state) => LinkOf(linkId)?.IceStateChangedAsync(state) ?? Task.CompletedTask;
        media.MediaFlowing += linkId => LinkOf(linkId)?.MediaStarted();
        media.RemoteMediaChanged += (linkId, camera, screen) => LinkOf(linkId)?.RemoteMediaChanged(camera, screen);
        media.ScreenShareEnded += local.ScreenShareEnded;
        media.SpeakingWhileMuted += local.SpokeWhileMuted;
        media.CallNotificationChosen += (callId, choice) => _ = OnNotificationChosenAsync(callId, choice);
        media.PeerHungUp += linkId => _ = OnPeerHungUpAsync(linkId);
        media.PeerMuted += (linkId, muted) => LinkOf(linkId)?.RemoteMutedChanged(muted);
        account.SignedInOrOut += () => account.IsSignedIn ? Task.CompletedTask : FinishAsync(null);
    }

    public CallPhase Phase { get; private set; }
    public Call? Call { get; private set; }
    public CallParty? OtherParty { get; private set; }
    public bool PlacedByMe { get; private set; }
    /// <summary>A call being placed waits for the microphone (the browser may be asking the person) before it
    /// rings anyone.</summary>
    public bool WaitingForMicrophone => Phase == CallPhase.Outgoing && _microphone is { IsCompleted: false };
    public LocalMedia Local { get; }

    /// <summary>The links to the other joined participants, once the call is answered.</summary>
    public IReadOnlyCollection<PeerLink> Links => _links.Values;
    /// <summary>The link to the other participant of a call between two.</summary>
    public PeerLink? Link => _links.Values.FirstOrDefault();
    public PeerLink? LinkTo(Guid userId) => _links.GetValueOrDefault(userId);
    /// <summary>More than two people were asked into this call: it shows as a grid.</summary>
    public bool IsGroup => Call?.Participants.Count > 2;
    /// <summary>Everyone else who is in the call or being rung into it.</summary>
    public IEnumerable<CallParticipant> Others => Call?.Participants.Where(p => p.Party.Id != Me
        && p.State is ParticipantState.Ringing or ParticipantState.Joined) ?? [];
    public bool MediaFlowing => _links.Values.Any(l => l.MediaFlowing);
    /// <summary>Media stopped and a link is trying to bring it back.</summary>
    public bool Reconnecting => _links.Values.Any(l => l.Reconnecting);
    public bool IsVideoCall => Call?.Media == CallMedia.Video;
    public DateTimeOffset? ConnectedAt { get; private set; }
    /// <summary>What the app tells the person now: one message at a time, each gone by itself after a while
    /// (errors stay longer) or when the next one comes.</summary>
    public CallNotice? Notice
    {
        get => _notice;
        private set
        {
            _notice = value;
            _noticeExpiry?.Cancel();
            _noticeExpiry = null;
            if (value is not null) _ = ExpireAsync(value, (_noticeExpiry = new CancellationTokenSource()).Token);
        }
    }

    public TimeSpan Elapsed => ConnectedAt is { } at ? _time.GetUtcNow() - at : TimeSpan.Zero;

    public event Action? Changed;

    /// <param name="alsoInvite">More people to ring at once, for a group call.</param>
    public async Task PlaceCallAsync(CallParty callee, CallMedia media = CallMedia.Audio, IReadOnlyList<CallParty>? alsoInvite = null)
    {
        if (Phase != CallPhase.Idle || _realtime.ConnectionId is not { } connectionId) return;
        var generation = Begin(CallPhase.Outgoing, callee, placedByMe: true);
        // Nothing reaches the callee until this side can send audio: a refused microphone must not ring them
        // and leave a missed call. The camera may open while it rings.
        var microphone = _microphone = Capture(Local.OpenMicrophoneAsync());
        var camera = media == CallMedia.Video ? Capture(Local.TurnCameraOnAsync()) : null;
        _rtcConfiguration = FetchRtcConfigurationAsync();
        Changed?.Invoke();
        var opened = await microphone;
        if (generation != _generation) return;
        if (opened != CaptureResult.Ok)
        {
            await FinishAsync(new CallNotice(t => MicrophoneText(t, opened), true));
            return;
        }

        Call call;
        try
        {
            call = await _api.PlaceCallAsync(new PlaceCallRequest(callee.Id, media, connectionId,
                alsoInvite?.Select(p => p.Id).ToList()));
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
        if (generation == _generation && Phase == CallPhase.Outgoing) await _media.StartToneAsync(CallTone.Ringback);
        if (camera is not null) await NoticeCameraFailureAsync(camera, generation);
    }

    public async Task CancelAsync()
    {
        if (Phase != CallPhase.Outgoing) return;
        var call = Call;
        await FinishAsync(Outcome(CallReason.Cancelled));
        if (call is not null) await IgnoreFailureAsync(() => _api.CancelCallAsync(call.Id));
    }

    /// <param name="withCamera">For a video call: answer with the camera on (the default) or off.</param>
    public async Task AcceptAsync(bool withCamera = true)
    {
        if (Phase != CallPhase.Incoming || Call is not { } call) return;
        var generation = _generation;
        Phase = CallPhase.Active;
        ConnectedAt = _time.GetUtcNow();
        StartTicking();
        Changed?.Invoke();
        await _media.StopToneAsync();
        await _media.CloseCallNotificationAsync(call.Id);

        // The camera may take longer than the microphone; audio does not wait for it, and the link renegotiates
        // when it comes.
        var camera = call.Media == CallMedia.Video && withCamera ? Capture(Local.TurnCameraOnAsync()) : null;
        var microphone = await (_microphone = Capture(Local.OpenMicrophoneAsync()));
        if (generation != _generation) return;
        if (microphone != CaptureResult.Ok)
        {
            await FailMicrophoneAsync(microphone);
            return;
        }
        try
        {
            // Everyone already in the call joined first and offers once this side has joined.
            foreach (var joined in call.Participants.Where(p => p.State == ParticipantState.Joined && p.Party.Id != Me))
                await OpenLinkAsync(call, joined.Party, starts: false, generation);
            if (generation != _generation) return;
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
        await Local.LoadDevicesAsync();
        if (camera is not null) await NoticeCameraFailureAsync(camera, generation);
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
        // The peers hear it over the call's own channels at once, even when the server does not answer.
        await Task.WhenAll(_links.Values.Select(l => l.SayByeAsync()));
        await EndShowingDurationAsync(call, CallReason.HungUp,
            duration => new CallNotice(t => t.CallEndedAfter(Formats.Duration(duration)), false));
    }

    private async Task OnPeerHungUpAsync(string linkId)
    {
        if (Phase != CallPhase.Active || LinkOf(linkId) is not { } link || Call is not { } call) return;
        if (OthersJoinedBesides(call, link.Party.Id))
        {
            // The call goes on for the rest; the server tells everyone who left.
            await CloseLinkAsync(link);
            return;
        }
        await EndShowingDurationAsync(call, CallReason.HungUp, duration => Outcome(CallReason.HungUp, duration));
    }

    /// <summary>Rings someone into this call.</summary>
    public async Task InviteAsync(CallParty person)
    {
        if (Phase is not (CallPhase.Active or CallPhase.Outgoing) || Call is not { } call) return;
        try
        {
            var updated = await _api.InviteToCallAsync(call.Id, person.Id);
            if (Call?.Id != updated.Id) return;
            Call = updated;
            // Someone in another call or offline is not rung at all: say so at once.
            if (updated.Participants.FirstOrDefault(p => p.Party.Id == person.Id) is { State: not ParticipantState.Ringing } added)
                ShowRingEnded(added);
            Changed?.Invoke();
        }
        catch (Exception e) when (e is PeercallApiException or HttpRequestException)
        {
            Show(new CallNotice(t => e is PeercallApiException { Code: ProblemCodes.CallFull } ? t.CallFull
                : e is HttpRequestException ? t.ServerUnreachable : t.CouldNotAdd(person.DisplayName), true));
        }
    }

    public async Task SetMutedAsync(bool muted)
    {
        if (Phase == CallPhase.Active) await Local.SetMutedAsync(muted);
    }

    public async Task ToggleCameraAsync()
    {
        if (Phase is not (CallPhase.Active or CallPhase.Outgoing)) return;
        if (Local.CameraOn) await Local.TurnCameraOffAsync();
        else await NoticeCameraFailureAsync(Capture(Local.TurnCameraOnAsync()), _generation);
    }

    public async Task ToggleScreenShareAsync()
    {
        if (Phase != CallPhase.Active) return;
        if (Local.SharingScreen)
        {
            await Local.StopScreenShareAsync();
            return;
        }
        var result = await Local.StartScreenShareAsync();
        if (result is CaptureResult.Unsupported or CaptureResult.Unavailable)
            Show(new CallNotice(t => t.ScreenShareUnavailable, true));
    }

    public async Task ChooseMicrophoneAsync(string deviceId)
    {
        if (Phase != CallPhase.Active) return;
        var result = await Local.ChooseMicrophoneAsync(deviceId);
        if (result != CaptureResult.Ok) Show(new CallNotice(t => MicrophoneText(t, result), true));
    }

    public async Task ChooseCameraAsync(string deviceId)
    {
        if (Phase is not (CallPhase.Active or CallPhase.Outgoing)) return;
        await NoticeCameraFailureAsync(Capture(Local.ChooseCameraAsync(deviceId)), _generation);
    }

    public async Task ChooseSpeakerAsync(string deviceId)
    {
        if (Phase == CallPhase.Active) await Local.ChooseSpeakerAsync(deviceId);
    }

    public void DismissNotice()
    {
        Notice = null;
        Changed?.Invoke();
    }

    private PeerLink? LinkOf(string linkId) => _links.Values.FirstOrDefault(l => l.Id == linkId);

    private Guid? Me => _account.User?.Id;

    /// <summary>Someone rung into a call that goes on did not join it: the others learn why.</summary>
    private void ShowRingEnded(CallParticipant participant)
    {
        var name = participant.Party.DisplayName;
        Show(new CallNotice(t => participant.State switch
        {
            ParticipantState.Declined => t.DeclinedToJoin(name),
            ParticipantState.Busy => t.BusyInAnotherCall(name),
            _ when participant.Reason == CallReason.CalleeOffline => t.OfflineWillSeeMissed(name),
            _ => t.DidNotAnswer(name),
        }, false));
    }

    private CallParticipant? Mine(Call call) => call.Participants.FirstOrDefault(p => p.Party.Id == Me);

    private bool OthersJoinedBesides(Call call, Guid userId) =>
        call.Participants.Any(p => p.State == ParticipantState.Joined && p.Party.Id != Me && p.Party.Id != userId);

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
        await _media.StartToneAsync(CallTone.Ringtone);
        var text = _language.Text;
        await _media.ShowCallNotificationAsync(call.Id, IsVideoCall ? text.IncomingVideoCall : text.IncomingCall,
            call.Caller.DisplayName, text.Accept, text.Decline);
    }

    // The person answered from the notification of a call that rings while the page was not in front.
    private Task OnNotificationChosenAsync(Guid callId, string choice)
    {
        if (Phase != CallPhase.Incoming || Call?.Id != callId) return Task.CompletedTask;
        return choice switch
        {
            "accept" => AcceptAsync(),
            "decline" => DeclineAsync(),
            _ => Task.CompletedTask,
        };
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
        var before = Call;
        Call = call;
        var mine = Mine(call);
        if (call.State is CallState.Ringing or CallState.Accepted && Phase is CallPhase.Outgoing or CallPhase.Active)
            foreach (var ended in call.Participants.Where(p => p.Party.Id != Me && p.State != ParticipantState.Joined
                         && before.Participants.Any(b => b.Party.Id == p.Party.Id && b.State == ParticipantState.Ringing)))
                ShowRingEnded(ended);
        switch (call.State)
        {
            case CallState.Ringing:
                Changed?.Invoke();
                return;
            case CallState.Accepted when change.Reason == CallReason.AnsweredElsewhere:
                await FinishAsync(Outcome(CallReason.AnsweredElsewhere));
                return;
            case CallState.Accepted when Phase == CallPhase.Outgoing:
                await _media.StopToneAsync();
                Phase = CallPhase.Active;
                ConnectedAt = _time.GetUtcNow();
                StartTicking();
                Changed?.Invoke();
                await StartAsCallerAsync(call, _generation);
                return;
            case CallState.Accepted when Phase == CallPhase.Incoming && mine is { State: not ParticipantState.Ringing }:
                // The call goes on, but this person's ring ended: unanswered, or declined on another device.
                await FinishAsync(Outcome(mine.State == ParticipantState.Declined ? CallReason.DeclinedElsewhere : CallReason.NoAnswer));
                return;
            case CallState.Accepted when Phase == CallPhase.Active && mine is { State: ParticipantState.Left }:
                var gone = StoredDuration(call) ?? Elapsed;
                await FinishAsync(Outcome(mine.Reason, gone));
                return;
            case CallState.Accepted when Phase == CallPhase.Active:
                await ConnectLinksAsync(call, _generation);
                Changed?.Invoke();
                return;
            case CallState.Accepted:
                Changed?.Invoke();
                return;
            default:
                var duration = Phase == CallPhase.Active ? StoredDuration(call) ?? Elapsed : (TimeSpan?)null;
                await FinishAsync(Outcome(change.Reason, duration));
                return;
        }
    }

    private async Task StartAsCallerAsync(Call call, int generation)
    {
        if (_microphone is not { } microphone || await microphone != CaptureResult.Ok || generation != _generation)
            return;
        await ConnectLinksAsync(call, generation);
        await Local.LoadDevicesAsync();
    }

    /// <summary>Brings the links in line with who is joined: a link to each of them (started by whoever of the
    /// two joined first), none to anyone who left.</summary>
    private async Task ConnectLinksAsync(Call call, int generation)
    {
        if (Mine(call) is not { State: ParticipantState.Joined } mine) return;
        var joined = call.Participants.Where(p => p.State == ParticipantState.Joined && p.Party.Id != mine.Party.Id).ToList();
        foreach (var gone in _links.Values.Where(l => joined.All(p => p.Party.Id != l.Party.Id)).ToList())
            await CloseLinkAsync(gone);
        try
        {
            foreach (var other in joined)
            {
                if (_links.TryGetValue(other.Party.Id, out var known)) known.Party = other.Party;
                else await OpenLinkAsync(call, other.Party, StartsLinkTo(mine, other), generation);
                if (generation != _generation) return;
            }
        }
        catch (JSException)
        {
            if (generation == _generation) await FailConnectionAsync();
        }
    }

    private static bool StartsLinkTo(CallParticipant mine, CallParticipant other) =>
        (mine.JoinedAt, mine.Party.Id.ToString()).CompareTo((other.JoinedAt, other.Party.Id.ToString())) < 0;

    private async Task<PeerLink> OpenLinkAsync(Call call, CallParty party, bool starts, int generation)
    {
        var link = new PeerLink(party, _media, _time,
            (kind, payload) => IgnoreFailureAsync(() => _realtime.SendSignalAsync(new Signal(call.Id, kind, payload, party.Id))),
            FetchRtcConfigurationAsync);
        _links[party.Id] = link;
        link.Changed += () => Changed?.Invoke();
        link.Broken += reason => generation == _generation ? LinkBrokeAsync(call, link, reason) : Task.CompletedTask;
        await link.OpenAsync(_rtcConfiguration ??= FetchRtcConfigurationAsync(), starts);
        return link;
    }

    private async Task CloseLinkAsync(PeerLink link)
    {
        if (_links.GetValueOrDefault(link.Party.Id) == link) _links.Remove(link.Party.Id);
        await link.CloseAsync();
        Changed?.Invoke();
    }

    private async Task OnSignalAsync(Signal signal)
    {
        if (Phase != CallPhase.Active || Call is not { } call || call.Id != signal.CallId) return;
        var from = signal.From ?? (_links.Count == 1 ? _links.Keys.First() : null);
        if (from is not { } sender) return;
        if (!_links.TryGetValue(sender, out var link))
        {
            // Someone who joined just before this side offers before its state change arrives here.
            if (signal.Kind != SignalKind.Offer) return;
            var party = call.Participants.FirstOrDefault(p => p.Party.Id == sender)?.Party ?? new CallParty(sender, "", "");
            try
            {
                link = await OpenLinkAsync(call, party, starts: false, _generation);
            }
            catch (JSException)
            {
                return;
            }
        }
        await link.ReceiveAsync(signal);
    }

    /// <summary>A link that cannot get its media back ends a call between two; in a group only that link goes,
    /// and the others talk on.</summary>
    private async Task LinkBrokeAsync(Call call, PeerLink link, CallReason reason)
    {
        if (!OthersJoinedBesides(call, link.Party.Id))
        {
            await MediaBrokeAsync(call, reason);
            return;
        }
        await CloseLinkAsync(link);
        var name = link.Party.DisplayName;
        Show(new CallNotice(t => t.LostConnectionTo(name), true));
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
        if (Call?.Id == current.Id && current != Call)
            await OnCallStateChangedAsync(new CallStateChange(current, current.Reason));
    }

    private void StartTicking()
    {
        _ticking?.Cancel();
        var ticking = _ticking = new CancellationTokenSource();
        _ = TickAsync(ticking.Token);
    }

    private async Task TickAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                foreach (var link in _links.Values.ToList()) await link.TickAsync();
                if (stop.IsCancellationRequested) return;
                Changed?.Invoke();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task NoticeCameraFailureAsync(Task<CaptureResult> camera, int generation)
    {
        var result = await camera;
        if (result != CaptureResult.Ok && generation == _generation && Phase != CallPhase.Idle)
            Show(new CallNotice(t => CameraText(t, result), true));
    }

    private async Task ExpireAsync(CallNotice notice, CancellationToken replaced)
    {
        try
        {
            await Task.Delay(notice.IsError ? ErrorShownFor : InfoShownFor, _time, replaced);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        if (Notice != notice) return;
        Notice = null;
        Changed?.Invoke();
    }

    private void Show(CallNotice notice)
    {
        Notice = notice;
        Changed?.Invoke();
    }

    private async Task FailMicrophoneAsync(CaptureResult result)
    {
        var call = Call;
        await FinishAsync(new CallNotice(t => MicrophoneText(t, result), true));
        if (call is not null) await EndAsync(call, CallReason.MediaFailed);
    }

    private async Task FailConnectionAsync()
    {
        var call = Call;
        await FinishAsync(new CallNotice(t => t.MediaConnectionFailed, true));
        if (call is not null) await EndAsync(call, CallReason.MediaFailed);
    }

    private async Task MediaBrokeAsync(Call call, CallReason reason)
    {
        if (reason == CallReason.MediaFailed)
        {
            await FailConnectionAsync();
            return;
        }
        await EndShowingDurationAsync(call, reason, duration => Outcome(reason, duration));
    }

    /// <summary>Ends the call here at once, then shows how long it lasted by the server's times, which the other
    /// side shows too; this device's own count stands in when the server cannot be reached.</summary>
    private async Task EndShowingDurationAsync(Call call, CallReason reason, Func<TimeSpan, CallNotice> notice)
    {
        var elapsed = Elapsed;
        await FinishAsync(null);
        var ended = await EndOnServerAsync(call, reason);
        if (Phase == CallPhase.Idle && Notice is null) Show(notice(StoredDuration(ended) ?? elapsed));
    }

    /// <summary>The call as the server stored its end, or null when the server does not answer in time.</summary>
    private async Task<Call?> EndOnServerAsync(Call call, CallReason reason)
    {
        using var patience = new CancellationTokenSource(ServerAnswerPatience);
        try
        {
            return await _api.EndCallAsync(call.Id, reason, patience.Token);
        }
        catch (PeercallApiException e) when (e.Code == ProblemCodes.IllegalTransition)
        {
            // The other side ended it a moment earlier (both hung up, or its hang-up reached the server first):
            // its end is stored.
        }
        catch (Exception e) when (IsUnanswered(e))
        {
            return null;
        }
        try
        {
            return await _api.GetCallAsync(call.Id, patience.Token);
        }
        catch (Exception e) when (IsUnanswered(e))
        {
            return null;
        }
    }

    private static bool IsUnanswered(Exception e) =>
        e is PeercallApiException or HttpRequestException or OperationCanceledException;

    private static TimeSpan? StoredDuration(Call? call) =>
        call is { AnsweredAt: { } answered, EndedAt: { } ended } ? ended - answered : null;

    // "media-failed" tells the other side why, also for a call still ringing (the server then cancels or
    // declines it with that reason).
    private Task EndAsync(Call call, CallReason reason) => IgnoreFailureAsync(() => _api.EndCallAsync(call.Id, reason));

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
        var stillOpening = _capturing.Where(c => !c.IsCompleted).ToList();
        var links = _links.Values.ToList();
        var ringing = Phase == CallPhase.Incoming ? Call : null;
        Reset();
        Notice = notice;
        Changed?.Invoke();
        foreach (var link in links) await link.CloseAsync();
        if (ringing is not null) await _media.CloseCallNotificationAsync(ringing.Id);
        await Local.EndAsync();
        foreach (var capture in stillOpening) _ = CloseLateCaptureAsync(capture);
    }

    private Task<CaptureResult> Capture(Task<CaptureResult> opening)
    {
        _capturing.Add(opening);
        return opening;
    }

    // A microphone or camera still opening when the call ended comes alive afterwards; close it once it does.
    private async Task CloseLateCaptureAsync(Task<CaptureResult> capture)
    {
        await capture;
        if (Phase == CallPhase.Idle) await Local.EndAsync();
    }

    private void Reset()
    {
        _generation++;
        _ticking?.Cancel();
        _ticking = null;
        _earlyChanges.Clear();
        _capturing.Clear();
        _microphone = null;
        _links.Clear();
        Phase = CallPhase.Idle;
        Call = null;
        ConnectedAt = null;
    }

    private CallNotice Outcome(CallReason reason, TimeSpan? duration = null)
    {
        var other = OtherParty?.DisplayName ?? "";
        var placedByMe = PlacedByMe;
        var isError = reason is CallReason.ConnectionLost or CallReason.MediaFailed or CallReason.MediaLost
            or CallReason.ServerRestarted;
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

    private static string MicrophoneText(UiText text, CaptureResult result) => result switch
    {
        CaptureResult.Denied => text.MicrophoneDenied,
        CaptureResult.Missing => text.MicrophoneMissing,
        CaptureResult.Insecure => text.InsecureContext,
        _ => text.MicrophoneUnavailable,
    };

    private static string CameraText(UiText text, CaptureResult result) => result switch
    {
        CaptureResult.Denied => text.CameraDenied,
        CaptureResult.Missing => text.CameraMissing,
        CaptureResult.Insecure => text.InsecureContext,
        _ => text.CameraUnavailable,
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
