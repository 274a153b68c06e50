using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Peercall.Contracts.Calls;

namespace Peercall.Web.Calls;

/// <summary>How opening a microphone, a camera or a screen share went.</summary>
public enum CaptureResult { Ok, Denied, Missing, Unavailable, Insecure, Unsupported }

/// <summary>What this device plays while a call rings: the callee's ringtone, the caller's ringback.</summary>
public enum CallTone { Ringtone, Ringback }

public sealed record MediaDevice(string Id, string Label);

public sealed record MediaDevices(IReadOnlyList<MediaDevice> Microphones, IReadOnlyList<MediaDevice> Cameras,
    IReadOnlyList<MediaDevice> Speakers, bool CanChooseSpeaker, bool CanShareScreen, string? MicrophoneId,
    string? CameraId, string? SpeakerId);

/// <summary>Echo cancellation, noise suppression and automatic gain: right for people, so on by default.</summary>
public sealed record VoiceProcessing(bool EchoCancellation = true, bool NoiseSuppression = true,
    bool AutoGainControl = true);

/// <summary>One reading of a link's audio statistics. Counters are cumulative since the link opened.</summary>
/// <param name="AudioLevel">How loud the remote participant is now, 0 to 1.</param>
public sealed record MediaStatsSample(long PacketsReceived, long PacketsLost, double? RoundTripTime,
    string? LocalCandidateType, string? RemoteCandidateType, double AudioLevel = 0);

/// <summary>
/// The C# face of wwwroot/js/webrtc.js: local media, peer links, statistics and the tones. The module calls
/// back through the <c>[JSInvokable]</c> methods, each naming the link it is about.
/// </summary>
public sealed class BrowserMedia(IJSRuntime js) : IAsyncDisposable
{
    private Task<IJSObjectReference>? _module;
    private bool _toneWanted;
    private bool _listening;
    private DotNetObjectReference<BrowserMedia>? _self;

    /// <summary>A link's description ("offer" or "answer") or ICE candidate, to send to the other side.</summary>
    public event Func<string, string, string, Task>? LocalSignal;
    public event Func<string, string, Task>? IceStateChanged;
    public event Action<string>? MediaFlowing;
    /// <summary>The other side of a link started or stopped sending its camera or its screen.</summary>
    public event Action<string, bool, bool>? RemoteMediaChanged;
    /// <summary>The person stopped sharing with the browser's own control.</summary>
    public event Action? ScreenShareEnded;
    /// <summary>The person speaks while muted (once per mute).</summary>
    public event Action? SpeakingWhileMuted;
    /// <summary>The peer of a link said over the link itself that it hangs up.</summary>
    public event Action<string>? PeerHungUp;
    /// <summary>A peer said its microphone is muted (true) or not.</summary>
    public event Action<string, bool>? PeerMuted;
    /// <summary>A call's notification was clicked: "accept", "decline", or "open" (the notification itself).</summary>
    public event Action<Guid, string>? CallNotificationChosen;

    public async Task<CaptureResult> OpenMicrophoneAsync(string? deviceId, VoiceProcessing processing)
    {
        try
        {
            return ParseCapture(await (await ModuleAsync()).InvokeAsync<string>("openMicrophone", deviceId, processing));
        }
        catch (JSException)
        {
            // The module itself could not be loaded (the server went away before it was ever needed).
            return CaptureResult.Unavailable;
        }
    }

    public async Task SetVoiceProcessingAsync(VoiceProcessing processing) =>
        await (await ModuleAsync()).InvokeVoidAsync("setVoiceProcessing", processing);

    public async Task<CaptureResult> OpenCameraAsync(string? deviceId) =>
        ParseCapture(await (await ModuleAsync()).InvokeAsync<string>("openCamera", deviceId));

    public async Task CloseCameraAsync() => await (await ModuleAsync()).InvokeVoidAsync("closeCamera");

    public async Task<CaptureResult> StartScreenShareAsync()
    {
        await ListenAsync();
        return ParseCapture(await (await ModuleAsync()).InvokeAsync<string>("startScreenShare"));
    }

    public async Task StopScreenShareAsync() => await (await ModuleAsync()).InvokeVoidAsync("stopScreenShare");

    public async Task SetMutedAsync(bool muted)
    {
        await ListenAsync();
        await (await ModuleAsync()).InvokeVoidAsync("setMuted", muted);
    }

    public async Task<MediaDevices> ListDevicesAsync() =>
        await (await ModuleAsync()).InvokeAsync<MediaDevices>("listDevices");

    public async Task ChooseSpeakerAsync(string deviceId) =>
        await (await ModuleAsync()).InvokeVoidAsync("chooseSpeaker", deviceId);

    /// <summary>Shows a video in an element: "camera" or "screen" for this device's, "{linkId}:camera" or
    /// "{linkId}:screen" for a remote participant's; nothing when that is not being sent.</summary>
    public async Task ShowVideoAsync(ElementReference element, string source)
    {
        if (LoadedModule is { } module) await module.InvokeVoidAsync("showVideo", element, source);
    }

    public async Task OpenLinkAsync(string linkId, RtcConfiguration configuration, bool starts)
    {
        await ListenAsync();
        await (await ModuleAsync()).InvokeVoidAsync("openLink", linkId, configuration, starts);
    }

    public async Task ReceiveSignalAsync(string linkId, string kind, string payload) =>
        await (await ModuleAsync()).InvokeVoidAsync("receiveSignal", linkId, kind, payload);

    public async Task RestartIceAsync(string linkId, RtcConfiguration configuration) =>
        await (await ModuleAsync()).InvokeVoidAsync("restartIce", linkId, configuration);

    /// <summary>Tells the peer over the link's own channel that this side hangs up.</summary>
    public async Task SayByeAsync(string linkId)
    {
        if (LoadedModule is { } module) await module.InvokeVoidAsync("sayBye", linkId);
    }

    public async Task CloseLinkAsync(string linkId)
    {
        if (LoadedModule is { } module) await module.InvokeVoidAsync("closeLink", linkId);
    }

    public async Task<MediaStatsSample?> ReadStatsAsync(string linkId) =>
        await (await ModuleAsync()).InvokeAsync<MediaStatsSample?>("readQuality", linkId);

    /// <summary>Starts a tone once the module is loaded, unless it was stopped (or the call ended) while the
    /// module was loading; it replaces the tone playing.</summary>
    public async Task StartToneAsync(CallTone tone)
    {
        _toneWanted = true;
        var module = await ModuleAsync();
        if (_toneWanted) await module.InvokeVoidAsync("startTone", tone == CallTone.Ringtone ? "ringtone" : "ringback");
    }

    public async Task StopToneAsync()
    {
        _toneWanted = false;
        if (LoadedModule is { } module) await module.InvokeVoidAsync("stopTone");
    }

    /// <summary>"granted", "denied", "default" (not asked yet) or "unsupported".</summary>
    public async Task<string> NotificationPermissionAsync() =>
        await (await ModuleAsync()).InvokeAsync<string>("notificationPermission");

    public async Task RequestNotificationPermissionAsync() =>
        await (await ModuleAsync()).InvokeAsync<string>("requestNotificationPermission");

    /// <summary>Shows a notification with Accept and Decline for a call that rings while the page is not in
    /// front and notifications are allowed; false when it did not (the page is in front, say).</summary>
    public async Task<bool> ShowCallNotificationAsync(Guid callId, string title, string body, string accept, string decline)
    {
        await ListenAsync();
        return await (await ModuleAsync()).InvokeAsync<bool>("showCallNotification", callId, title, body, accept, decline);
    }

    public async Task CloseCallNotificationAsync(Guid callId)
    {
        if (LoadedModule is { } module) await module.InvokeVoidAsync("closeCallNotification", callId);
    }

    public async Task SetAppBadgeAsync(int count) => await (await ModuleAsync()).InvokeVoidAsync("setAppBadge", count);

    /// <summary>Stops the tone, closes every link and stops every track. Nothing to do while the module is not
    /// loaded: then nothing was started, and a tone waiting for it will not start.</summary>
    public async Task EndAsync()
    {
        _toneWanted = false;
        if (LoadedModule is { } module) await module.InvokeVoidAsync("endCall");
    }

    [JSInvokable]
    public void OnSpeakingWhileMuted() => SpeakingWhileMuted?.Invoke();

    [JSInvokable]
    public void OnPeerHungUp(string linkId) => PeerHungUp?.Invoke(linkId);

    [JSInvokable]
    public void OnPeerMuted(string linkId, bool muted) => PeerMuted?.Invoke(linkId, muted);

    [JSInvokable]
    public void OnCallNotificationChosen(string callId, string action)
    {
        if (Guid.TryParse(callId, out var id)) CallNotificationChosen?.Invoke(id, action);
    }

    [JSInvokable]
    public Task OnLocalSignal(string linkId, string kind, string payload) =>
        LocalSignal?.Invoke(linkId, kind, payload) ?? Task.CompletedTask;

    [JSInvokable]
    public Task OnIceStateChanged(string linkId, string state) =>
        IceStateChanged?.Invoke(linkId, state) ?? Task.CompletedTask;

    [JSInvokable]
    public void OnMediaFlowing(string linkId) => MediaFlowing?.Invoke(linkId);

    [JSInvokable]
    public void OnRemoteMediaChanged(string linkId, bool camera, bool screen) =>
        RemoteMediaChanged?.Invoke(linkId, camera, screen);

    [JSInvokable]
    public void OnScreenShareEnded() => ScreenShareEnded?.Invoke();

    public async ValueTask DisposeAsync()
    {
        if (LoadedModule is { } module) await module.DisposeAsync();
        _self?.Dispose();
    }

    private IJSObjectReference? LoadedModule => _module is { IsCompletedSuccessfully: true } loaded ? loaded.Result : null;

    private async Task ListenAsync()
    {
        if (_listening) return;
        var module = await ModuleAsync();
        _self ??= DotNetObjectReference.Create(this);
        await module.InvokeVoidAsync("listen", _self);
        _listening = true;
    }

    /// <summary>The module, imported once however many calls wait for it; a failed import is tried again by the
    /// next call.</summary>
    private Task<IJSObjectReference> ModuleAsync()
    {
        if (_module is { IsFaulted: true } or { IsCanceled: true }) _module = null;
        return _module ??= js.InvokeAsync<IJSObjectReference>("import", "./js/webrtc.js").AsTask();
    }

    private static CaptureResult ParseCapture(string result) => result switch
    {
        "ok" => CaptureResult.Ok,
        "denied" => CaptureResult.Denied,
        "missing" => CaptureResult.Missing,
        "insecure" => CaptureResult.Insecure,
        "unsupported" => CaptureResult.Unsupported,
        _ => CaptureResult.Unavailable,
    };
}
