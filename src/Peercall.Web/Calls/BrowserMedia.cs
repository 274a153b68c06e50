using Microsoft.JSInterop;
using Peercall.Contracts.Calls;

namespace Peercall.Web.Calls;

public enum MicrophoneResult { Ok, Denied, Missing, Unavailable, Insecure }

public sealed record MediaDevice(string Id, string Label);

public sealed record MediaDevices(IReadOnlyList<MediaDevice> Microphones, IReadOnlyList<MediaDevice> Speakers,
    bool CanChooseSpeaker, string? MicrophoneId, string? SpeakerId);

/// <summary>One reading of the peer connection's statistics. Counters are cumulative since the call began.</summary>
public sealed record MediaStatsSample(long PacketsReceived, long PacketsLost, double? RoundTripTime,
    string? LocalCandidateType, string? RemoteCandidateType);

/// <summary>
/// The C# face of wwwroot/js/webrtc.js: microphone, peer connection, statistics, devices and ringtone. The module
/// calls back through <see cref="OnLocalCandidate"/>, <see cref="OnConnectionStateChanged"/> and
/// <see cref="OnMediaFlowing"/>.
/// </summary>
public sealed class BrowserMedia(IJSRuntime js) : IAsyncDisposable
{
    private Task<IJSObjectReference>? _module;
    private bool _ringtoneWanted;
    private DotNetObjectReference<BrowserMedia>? _self;

    public event Func<string, Task>? LocalCandidate;
    public event Func<string, Task>? ConnectionStateChanged;
    public event Func<Task>? MediaFlowing;

    public async Task<MicrophoneResult> OpenMicrophoneAsync(string? deviceId = null)
    {
        try
        {
            return ParseMicrophoneResult(await (await ModuleAsync()).InvokeAsync<string>("openMicrophone", deviceId));
        }
        catch (JSException)
        {
            // The module itself could not be loaded (the server went away before it was ever needed).
            return MicrophoneResult.Unavailable;
        }
    }

    public async Task CreatePeerAsync(RtcConfiguration configuration)
    {
        _self ??= DotNetObjectReference.Create(this);
        await (await ModuleAsync()).InvokeVoidAsync("createPeer", configuration, _self);
    }

    public async Task<string> CreateOfferAsync() => await (await ModuleAsync()).InvokeAsync<string>("createOffer");

    public async Task<string> AnswerOfferAsync(string offerSdp) =>
        await (await ModuleAsync()).InvokeAsync<string>("answerOffer", offerSdp);

    public async Task AcceptAnswerAsync(string answerSdp) =>
        await (await ModuleAsync()).InvokeVoidAsync("acceptAnswer", answerSdp);

    public async Task AddRemoteCandidateAsync(string candidateJson) =>
        await (await ModuleAsync()).InvokeVoidAsync("addRemoteCandidate", candidateJson);

    public async Task<MediaStatsSample?> ReadStatsAsync() =>
        await (await ModuleAsync()).InvokeAsync<MediaStatsSample?>("readQuality");

    public async Task SetMutedAsync(bool muted) => await (await ModuleAsync()).InvokeVoidAsync("setMuted", muted);

    public async Task<MediaDevices> ListDevicesAsync() =>
        await (await ModuleAsync()).InvokeAsync<MediaDevices>("listDevices");

    public async Task<MicrophoneResult> SwitchMicrophoneAsync(string deviceId) =>
        ParseMicrophoneResult(await (await ModuleAsync()).InvokeAsync<string>("switchMicrophone", deviceId));

    public async Task ChooseSpeakerAsync(string deviceId) =>
        await (await ModuleAsync()).InvokeVoidAsync("chooseSpeaker", deviceId);

    /// <summary>Starts the ringtone once the module is loaded, unless it was stopped (or the call ended) while the
    /// module was loading.</summary>
    public async Task StartRingtoneAsync()
    {
        _ringtoneWanted = true;
        var module = await ModuleAsync();
        if (_ringtoneWanted) await module.InvokeVoidAsync("startRingtone");
    }

    public async Task StopRingtoneAsync()
    {
        _ringtoneWanted = false;
        if (LoadedModule is { } module) await module.InvokeVoidAsync("stopRingtone");
    }

    /// <summary>Stops the ringtone, closes the peer connection and stops every microphone track. Nothing to do
    /// while the module is not loaded: then nothing was started, and a ringtone waiting for it will not start.</summary>
    public async Task EndAsync()
    {
        _ringtoneWanted = false;
        if (LoadedModule is { } module) await module.InvokeVoidAsync("endCall");
    }

    [JSInvokable]
    public Task OnLocalCandidate(string candidateJson) => Raise(LocalCandidate, candidateJson);

    [JSInvokable]
    public Task OnConnectionStateChanged(string state) => Raise(ConnectionStateChanged, state);

    [JSInvokable]
    public Task OnMediaFlowing() => MediaFlowing?.Invoke() ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (LoadedModule is { } module) await module.DisposeAsync();
        _self?.Dispose();
    }

    private IJSObjectReference? LoadedModule => _module is { IsCompletedSuccessfully: true } loaded ? loaded.Result : null;

    /// <summary>The module, imported once however many calls wait for it; a failed import is tried again by the
    /// next call.</summary>
    private Task<IJSObjectReference> ModuleAsync()
    {
        if (_module is { IsFaulted: true } or { IsCanceled: true }) _module = null;
        return _module ??= js.InvokeAsync<IJSObjectReference>("import", "./js/webrtc.js").AsTask();
    }

    private static Task Raise(Func<string, Task>? handler, string value) =>
        handler?.Invoke(value) ?? Task.CompletedTask;

    private static MicrophoneResult ParseMicrophoneResult(string result) => result switch
    {
        "ok" => MicrophoneResult.Ok,
        "denied" => MicrophoneResult.Denied,
        "missing" => MicrophoneResult.Missing,
        "insecure" => MicrophoneResult.Insecure,
        _ => MicrophoneResult.Unavailable,
    };
}
