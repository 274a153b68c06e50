using Microsoft.JSInterop;
using Peercall.Web.Browser;

namespace Peercall.Web.Calls;

/// <summary>
/// What this device sends in a call: its microphone, camera and screen, the devices they come from, and the voice
/// processing the person chose, kept in this browser. Every peer link sends the same tracks; switching a device
/// replaces the track without renegotiating, turning the camera or the screen on or off renegotiates.
/// </summary>
public sealed class LocalMedia(BrowserMedia media, BrowserStorage storage)
{
    private const string ProcessingKey = "peercall.voice-processing";

    public bool Muted { get; private set; }
    /// <summary>The person spoke while muted: nobody hears them.</summary>
    public bool SpeakingWhileMuted { get; private set; }
    public bool CameraOn { get; private set; }
    public bool SharingScreen { get; private set; }
    public bool SelfViewHidden { get; private set; }
    public MediaDevices? Devices { get; private set; }
    public VoiceProcessing Processing { get; private set; } = new();

    public event Action? Changed;

    public async Task<CaptureResult> OpenMicrophoneAsync()
    {
        Processing = await StoredProcessingAsync();
        return await media.OpenMicrophoneAsync(null, Processing);
    }

    public async Task<CaptureResult> TurnCameraOnAsync(string? deviceId = null)
    {
        var result = await CaptureAsync(() => media.OpenCameraAsync(deviceId));
        if (result == CaptureResult.Ok) CameraOn = true;
        await LoadDevicesAsync();
        return result;
    }

    public async Task TurnCameraOffAsync()
    {
        CameraOn = false;
        Changed?.Invoke();
        await media.CloseCameraAsync();
    }

    public async Task<CaptureResult> StartScreenShareAsync()
    {
        var result = await CaptureAsync(media.StartScreenShareAsync);
        SharingScreen = result == CaptureResult.Ok;
        Changed?.Invoke();
        return result;
    }

    public async Task StopScreenShareAsync()
    {
        SharingScreen = false;
        Changed?.Invoke();
        await media.StopScreenShareAsync();
    }

    public void SpokeWhileMuted()
    {
        if (!Muted) return;
        SpeakingWhileMuted = true;
        Changed?.Invoke();
    }

    /// <summary>The browser's own "stop sharing" control ended the share.</summary>
    public void ScreenShareEnded()
    {
        SharingScreen = false;
        Changed?.Invoke();
    }

    public async Task SetMutedAsync(bool muted)
    {
        Muted = muted;
        SpeakingWhileMuted = false;
        Changed?.Invoke();
        await media.SetMutedAsync(muted);
    }

    public void SetSelfViewHidden(bool hidden)
    {
        SelfViewHidden = hidden;
        Changed?.Invoke();
    }

    public async Task<CaptureResult> ChooseMicrophoneAsync(string deviceId)
    {
        var result = await media.OpenMicrophoneAsync(deviceId, Processing);
        await LoadDevicesAsync();
        return result;
    }

    public Task<CaptureResult> ChooseCameraAsync(string deviceId) => TurnCameraOnAsync(deviceId);

    public async Task ChooseSpeakerAsync(string deviceId)
    {
        await media.ChooseSpeakerAsync(deviceId);
        await LoadDevicesAsync();
    }

    public async Task SetVoiceProcessingAsync(VoiceProcessing processing)
    {
        Processing = processing;
        Changed?.Invoke();
        await storage.SetAsync(ProcessingKey, processing);
        await media.SetVoiceProcessingAsync(processing);
    }

    public async Task LoadDevicesAsync()
    {
        try
        {
            Devices = await media.ListDevicesAsync();
        }
        catch (JSException)
        {
            Devices = null;
        }
        Changed?.Invoke();
    }

    /// <summary>Stops every track and forgets the call's choices; the voice processing stays as chosen.</summary>
    public async Task EndAsync()
    {
        Muted = CameraOn = SharingScreen = SpeakingWhileMuted = false;
        Devices = null;
        await media.EndAsync();
    }

    private async Task<VoiceProcessing> StoredProcessingAsync()
    {
        try
        {
            return await storage.GetAsync<VoiceProcessing>(ProcessingKey) ?? new VoiceProcessing();
        }
        catch (JSException)
        {
            return new VoiceProcessing();
        }
    }

    private static async Task<CaptureResult> CaptureAsync(Func<Task<CaptureResult>> capture)
    {
        try
        {
            return await capture();
        }
        catch (JSException)
        {
            return CaptureResult.Unavailable;
        }
    }
}
