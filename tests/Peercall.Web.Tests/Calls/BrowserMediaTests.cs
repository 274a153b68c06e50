using Microsoft.JSInterop;
using Peercall.Web.Calls;

namespace Peercall.Web.Tests.Calls;

/// <summary>
/// What BrowserMedia's calls do while the JavaScript module is still being imported, which in a browser takes as
/// long as the network does. The runtime here holds the import until the test lets it go, so each interleaving is
/// checked exactly rather than by a race that a browser test wins or loses (a declined call whose ringtone started
/// after it was stopped was seen that way).
/// </summary>
public sealed class BrowserMediaTests
{
    private readonly HeldImportRuntime _js = new();
    private readonly BrowserMedia _media;

    public BrowserMediaTests() => _media = new BrowserMedia(_js);

    [Theory]
    [InlineData("stop")]
    [InlineData("end")]
    public async Task A_tone_stopped_while_the_module_loads_never_starts(string how)
    {
        var starting = _media.StartToneAsync(CallTone.Ringtone);
        await (how == "stop" ? _media.StopToneAsync() : _media.EndAsync());
        _js.FinishImport();
        await starting;

        Assert.DoesNotContain("startTone", _js.Module.Calls);
        Assert.Equal(1, _js.Imports);
    }

    [Fact]
    public async Task A_tone_started_then_stopped_is_started_and_stopped()
    {
        var starting = _media.StartToneAsync(CallTone.Ringtone);
        var listing = _media.ListDevicesAsync();
        _js.FinishImport();
        await Task.WhenAll(starting, listing);
        await _media.StopToneAsync();
        await _media.EndAsync();

        Assert.Equal(1, _js.Imports);
        Assert.Equal(["listDevices", "startTone"], _js.Module.Calls.Take(2).Order());
        Assert.Equal(["stopTone", "endCall"], _js.Module.Calls.Skip(2));
    }

    [Fact]
    public async Task Nothing_is_imported_to_stop_what_was_never_started()
    {
        await _media.StopToneAsync();
        await _media.EndAsync();
        await _media.DisposeAsync();

        Assert.Equal(0, _js.Imports);
    }

    [Fact]
    public async Task After_a_failed_import_the_next_call_imports_again()
    {
        var starting = _media.StartToneAsync(CallTone.Ringtone);
        _js.FailImport();
        await Assert.ThrowsAsync<JSException>(() => starting);
        await _media.StopToneAsync();

        var again = _media.StartToneAsync(CallTone.Ringtone);
        _js.FinishImport();
        await again;
        Assert.Equal(["startTone"], _js.Module.Calls);
        Assert.Equal(2, _js.Imports);
    }

    private sealed class HeldImportRuntime : IJSRuntime
    {
        private TaskCompletionSource<IJSObjectReference> _import = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public RecordingModule Module { get; } = new();
        public int Imports { get; private set; }

        public void FinishImport() => _import.SetResult(Module);

        public void FailImport()
        {
            _import.SetException(new JSException("Failed to fetch dynamically imported module"));
            _import = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) =>
            InvokeAsync<TValue>(identifier, CancellationToken.None, args);

        public async ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args)
        {
            Assert.Equal("import", identifier);
            Imports++;
            return (TValue)await _import.Task;
        }
    }

    private sealed class RecordingModule : IJSObjectReference
    {
        public List<string> Calls { get; } = [];

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) =>
            InvokeAsync<TValue>(identifier, CancellationToken.None, args);

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args)
        {
            Calls.Add(identifier);
            return ValueTask.FromResult(default(TValue)!);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
