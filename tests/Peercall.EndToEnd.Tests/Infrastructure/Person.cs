using System.Text.Json;
using Peercall.Client;
using Peercall.Contracts.Accounts;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Infrastructure;

/// <summary>How a person's browser is started.</summary>
/// <param name="ToneHertz">What their fake microphone plays.</param>
/// <param name="Camera">The colour their fake camera shows; null: Chromium's moving test pattern.</param>
/// <param name="Microphone">False: the browser has no microphone at all.</param>
/// <param name="GrantMicrophone">False: the browser refuses microphone access (no auto-accepting permission UI).</param>
/// <param name="VoiceProcessing">Echo cancellation, noise suppression and gain control, on for real users; off
/// by default here so a tone arrives at full level.</param>
/// <param name="ExecutablePath">Another Chromium launcher, e.g. a wrapper that starts it inside a network namespace.</param>
/// <param name="ExtraArgs">More Chromium flags (certificate trust, for example).</param>
public sealed record BrowserOptions(
    int ToneHertz = 440,
    Colour? Camera = null,
    bool Microphone = true,
    bool GrantMicrophone = true,
    bool VoiceProcessing = false,
    string Locale = "en-US",
    int Width = 1280,
    int Height = 800,
    string? ExecutablePath = null,
    IReadOnlyList<string>? ExtraArgs = null);

/// <summary>
/// One person in their own Chromium process (so their fake microphone plays their own tone), driving the web app
/// as they would, plus read-only probes of what their browser really hears and sends.
/// </summary>
public sealed class Person : IAsyncDisposable
{
    public const string Password = "correct horse battery";

    private static readonly string[] CommonArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required",
    ];

    private readonly Uri _server;
    private readonly List<string> _consoleErrors = [];

    private Person(Uri server, string username, string displayName, IBrowser browser, IBrowserContext context,
        IPage page)
    {
        _server = server;
        Username = username;
        DisplayName = displayName;
        Browser = browser;
        Context = context;
        Page = page;
    }

    public string Username { get; }
    public string DisplayName { get; }
    public IBrowser Browser { get; }
    public IBrowserContext Context { get; }
    public IPage Page { get; }
    public IReadOnlyList<string> ConsoleErrors => _consoleErrors;

    /// <param name="server">Another server than the shared one, for tests that need other settings.</param>
    /// <param name="baseAddress">A server this test process did not start as a <see cref="ServerProcess"/>.</param>
    public static async Task<Person> LaunchAsync(EndToEndFixture env, string name, BrowserOptions? options = null,
        string? username = null, ServerProcess? server = null, Uri? baseAddress = null)
    {
        baseAddress ??= (server ?? env.Server).BaseAddress;
        options ??= new BrowserOptions();
        var args = new List<string>(CommonArgs);
        if (options.GrantMicrophone) args.Add("--use-fake-ui-for-media-stream");
        if (options.Microphone)
        {
            args.Add("--use-fake-device-for-media-stream");
            args.Add($"--use-file-for-fake-audio-capture={Tones.Wav(options.ToneHertz)}");
            if (options.Camera is { } colour) args.Add($"--use-file-for-fake-video-capture={Colours.Mjpeg(colour)}");
        }
        args.AddRange(options.ExtraArgs ?? []);
        var browser = await env.Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = options.ExecutablePath ?? "/usr/bin/chromium",
            Headless = true,
            Args = args,
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            Locale = options.Locale,
            ViewportSize = new ViewportSize { Width = options.Width, Height = options.Height },
        });
        if (!options.VoiceProcessing)
            await context.AddInitScriptAsync("globalThis.peercallMediaOptions = { voiceProcessing: false };");
        var page = await context.NewPageAsync();
        var displayName = char.ToUpperInvariant(name[0]) + name[1..];
        var person = new Person(baseAddress, username ?? env.UniqueName(name), displayName, browser, context, page);
        page.Console += (_, message) =>
        {
            if (message.Type == "error") lock (person._consoleErrors) person._consoleErrors.Add(message.Text);
        };
        page.PageError += (_, error) =>
        {
            lock (person._consoleErrors) person._consoleErrors.Add($"Uncaught: {error}");
        };
        page.RequestFailed += (_, request) =>
        {
            lock (person._consoleErrors) person._consoleErrors.Add($"Request failed: {request.Url} ({request.Failure})");
        };
        return person;
    }

    public PeercallApi NewApi() => new(new HttpClient { BaseAddress = _server });

    /// <summary>A client of the REST API signed in as this person, to read what the server stored.</summary>
    public async Task<PeercallApi> SignedInApiAsync()
    {
        var api = NewApi();
        await api.LoginAsync(new LoginRequest(Username, Password));
        return api;
    }

    public async Task RegisterThroughApiAsync() =>
        await NewApi().RegisterAsync(new RegisterRequest(Username, Password, DisplayName));

    /// <summary>Registers over the API, then signs in through the app's form.</summary>
    public async Task SignUpAsync()
    {
        await RegisterThroughApiAsync();
        await SignInThroughUiAsync();
    }

    public async Task OpenAsync(string path = "")
    {
        await Page.GotoAsync(path);
        try
        {
            await Expect(Page.Locator("[data-test=signin-form], [data-test=register-form], [data-test=contacts], " +
                                      "[data-test=no-contacts], [data-test=history], [data-test=no-history]").First)
                .ToBeVisibleAsync(new() { Timeout = 30_000 });
        }
        catch (PlaywrightException e)
        {
            // The app's own error banner says only "Something went wrong"; the browser console says what.
            string errors;
            lock (_consoleErrors) errors = string.Join("\n", _consoleErrors);
            throw new PlaywrightException($"{e.Message}\nBrowser console errors of {Username}:\n{errors}", e);
        }
    }

    /// <param name="expectConnected">Wait for the realtime connection too, as after every sign-in that the server
    /// does not refuse.</param>
    public async Task SignInThroughUiAsync(bool expectConnected = true)
    {
        if (!Page.Url.Contains("/signin")) await OpenAsync("signin");
        await Page.GetByTestId("username").FillAsync(Username);
        await Page.GetByTestId("password").FillAsync(Password);
        await Page.GetByTestId("submit").ClickAsync();
        await Expect(Page.GetByTestId("me")).ToHaveTextAsync(DisplayName);
        if (expectConnected) await ExpectConnectedAsync();
    }

    public async Task RegisterThroughUiAsync()
    {
        await OpenAsync("register");
        await Page.GetByTestId("username").FillAsync(Username);
        await Page.GetByTestId("display-name").FillAsync(DisplayName);
        await Page.GetByTestId("password").FillAsync(Password);
        await Page.GetByTestId("submit").ClickAsync();
        await Expect(Page.GetByTestId("me")).ToHaveTextAsync(DisplayName);
        await ExpectConnectedAsync();
    }

    public async Task SignOutAsync()
    {
        await Page.GetByTestId("sign-out").ClickAsync();
        await Expect(Page.GetByTestId("signin-form")).ToBeVisibleAsync();
    }

    /// <summary>The realtime connection is up once the contact list's call buttons are usable.</summary>
    public async Task ExpectConnectedAsync()
    {
        await Expect(Page.GetByTestId("reconnecting")).ToHaveCountAsync(0);
        await Expect(Page.Locator("[data-test=contacts], [data-test=no-contacts]").First).ToBeVisibleAsync();
    }

    public ILocator Contact(Person other) =>
        Page.Locator($"[data-test=contact][data-username=\"{other.Username}\"]");

    public Task ExpectPresenceAsync(Person other, string presence) =>
        Expect(Contact(other).GetByTestId("presence")).ToHaveAttributeAsync("data-presence", presence);

    public async Task CallAsync(Person other)
    {
        await Page.GetByTestId("nav-contacts").ClickAsync();
        await Page.GetByTestId("search").FillAsync(other.Username);
        await Contact(other).GetByTestId("call").ClickAsync();
    }

    public async Task VideoCallAsync(Person other)
    {
        await Page.GetByTestId("nav-contacts").ClickAsync();
        await Page.GetByTestId("search").FillAsync(other.Username);
        await Contact(other).GetByTestId("video-call").ClickAsync();
    }

    /// <summary>Starts a group call from the contact list: picks each person (searching for them in turn) and
    /// calls them all at once.</summary>
    public async Task GroupCallAsync(bool video, params Person[] others)
    {
        await Page.GetByTestId("nav-contacts").ClickAsync();
        await Page.GetByTestId("group-call").ClickAsync();
        foreach (var other in others)
        {
            await Page.GetByTestId("search").FillAsync(other.Username);
            await Contact(other).GetByTestId("pick").CheckAsync();
        }
        await Page.GetByTestId(video ? "video-call-group" : "call-group").ClickAsync();
    }

    /// <summary>The corner preview shows this person's own camera.</summary>
    public Task ExpectSelfViewAsync(Colour colour) =>
        Eventually.HoldsAsync(async () => await VideoColourAsync("self-view") is { } c && colour.IsCloseTo(c.R, c.G, c.B),
            TimeSpan.FromSeconds(10), $"{DisplayName}'s self-view shows {colour}");

    /// <summary>How many microphone, camera and screen tracks this browser still captures.</summary>
    public Task<int> LiveTracksAsync() => Page.EvaluateAsync<int>("() => window.peercallDebug?.liveTracks() ?? 0");

    public ILocator IncomingCall => Page.GetByTestId("incoming-call");
    public ILocator CallScreen => Page.GetByTestId("call-screen");
    /// <summary>What the app says about the last call (without its duration).</summary>
    public ILocator Notice => Page.GetByTestId("call-notice-outcome");

    public Task ExpectInCallAsync() =>
        Expect(Page.Locator("[data-test=call-screen][data-phase=active]")).ToBeVisibleAsync();

    /// <summary>The call screen shows the call as connected: audio has arrived.</summary>
    public async Task ExpectAudioArrivedAsync(float timeoutMs = 10_000)
    {
        await Expect(Page.Locator("[data-test=call-screen][data-phase=active]")).ToBeVisibleAsync(new() { Timeout = timeoutMs });
        await Expect(CallScreen.GetByTestId("connecting")).ToHaveCountAsync(0, new() { Timeout = timeoutMs });
    }

    public async Task<RemoteAudio?> RemoteAudioAsync()
    {
        var json = await Page.EvaluateAsync<JsonElement?>("() => window.peercallDebug?.remoteAudio() ?? null");
        return json is { ValueKind: JsonValueKind.Object } value ? value.Deserialize<RemoteAudio>(JsonOptions) : null;
    }

    /// <summary>The strongest frequency in what arrives from the other side, as the median of a few readings.</summary>
    public async Task<double> DominantFrequencyAsync()
    {
        var readings = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            if (await RemoteAudioAsync() is { Rms: > 0.01 } audio) readings.Add(audio.DominantFrequency);
            await Task.Delay(200);
        }
        Assert.True(readings.Count >= 3, $"{Username} hears almost nothing ({readings.Count} audible readings of 5).");
        readings.Sort();
        return readings[readings.Count / 2];
    }

    /// <summary>The dominant frequency and level of what arrives from each other participant, one per link.</summary>
    public async Task<IReadOnlyList<RemoteTone>> RemoteTonesAsync()
    {
        var json = await Page.EvaluateAsync<JsonElement?>("() => window.peercallDebug?.remoteTones() ?? []");
        return json is { ValueKind: JsonValueKind.Array } value ? value.Deserialize<List<RemoteTone>>(JsonOptions)! : [];
    }

    /// <summary>Waits until this person hears exactly these tones, one from each other participant, and still
    /// does half a second later: their own tone is not among them and nobody is missing.</summary>
    public async Task ExpectHearingAsync(params int[] hertz)
    {
        IReadOnlyList<RemoteTone> heard = [];
        bool Matches(IReadOnlyList<RemoteTone> tones) => RemoteTone.AreExactly(tones, hertz, minimumRms: 0.01);
        await Eventually.HoldsAsync(async () =>
            {
                if (!Matches(heard = await RemoteTonesAsync())) return false;
                await Task.Delay(500);
                return Matches(heard = await RemoteTonesAsync());
            }, TimeSpan.FromSeconds(20),
            () => $"{DisplayName} hears {string.Join(", ", hertz)} Hz; heard: {string.Join(", ", heard.Select(t => $"{t.Frequency:0} Hz at {t.Rms:0.000}"))}");
    }

    /// <summary>Rings someone into the call this person is in, through the call screen's "Add person".</summary>
    public async Task AddToCallAsync(Person other)
    {
        await CallScreen.GetByTestId("add-person").ClickAsync();
        await CallScreen.GetByTestId("add-search").FillAsync(other.Username);
        await AddCandidate(other).GetByTestId("add-contact").ClickAsync();
    }

    /// <summary>Someone in the list that "Add person" opens.</summary>
    public ILocator AddCandidate(Person other) => CallScreen.Locator($"[data-test=add-candidate][data-user=\"{other.Username}\"]");

    /// <summary>The tile of another participant on the group call screen.</summary>
    public ILocator Tile(Person other) => CallScreen.Locator($"[data-test=participant][data-user=\"{other.Username}\"]");

    /// <summary>The average colour of the middle of a video on the call screen ("remote-camera", "remote-screen",
    /// "self-view"), or null while it shows nothing.</summary>
    public Task<VideoColour?> VideoColourAsync(string testId) => ColourOfAsync($"[data-test={testId}]");

    /// <summary>Waits until another participant's tile on the group call screen shows their camera's colour.</summary>
    public async Task ExpectTileVideoAsync(Person other, Colour colour)
    {
        VideoColour? seen = null;
        var selector = $"[data-test=participant][data-user=\"{other.Username}\"] video";
        await Eventually.HoldsAsync(async () => (seen = await ColourOfAsync(selector)) is { } c && colour.IsCloseTo(c.R, c.G, c.B),
            TimeSpan.FromSeconds(15), () => $"{DisplayName} sees {other.DisplayName}'s tile in {colour} (last seen: {seen})");
    }

    private async Task<VideoColour?> ColourOfAsync(string selector)
    {
        var json = await Page.EvaluateAsync<JsonElement?>("selector => window.peercallDebug?.videoColour(selector) ?? null", selector);
        return json is { ValueKind: JsonValueKind.Object } value ? value.Deserialize<VideoColour>(JsonOptions) : null;
    }

    /// <summary>Waits until a video on the call screen shows the colour, and then that frames keep being decoded.</summary>
    public async Task ExpectVideoAsync(string testId, Colour colour)
    {
        VideoColour? seen = null;
        await Eventually.HoldsAsync(async () => (seen = await VideoColourAsync(testId)) is { } c && colour.IsCloseTo(c.R, c.G, c.B),
            TimeSpan.FromSeconds(10), async () => $"{DisplayName}'s {testId} shows {colour} (last seen: {seen}; link: {await LinkStateAsync()})");
        var before = (await StatsAsync())!.FramesDecoded;
        await Task.Delay(700);
        var after = (await StatsAsync())!.FramesDecoded;
        Assert.True(after - before >= 5, $"{DisplayName} decoded {after - before} video frames in 0.7 s.");
    }

    /// <summary>Audio packets and video frames both keep arriving again (after the path broke).</summary>
    public async Task ExpectMediaFlowingAgainAsync(TimeSpan? timeout = null)
    {
        MediaStats? before = null, after = null;
        await Eventually.HoldsAsync(async () =>
            {
                before = await StatsAsync();
                await Task.Delay(200);
                after = await StatsAsync();
                return after?.PacketsReceived - before?.PacketsReceived >= 3 && after?.FramesDecoded - before?.FramesDecoded >= 2;
            }, timeout ?? TimeSpan.FromSeconds(10),
            async () => after is null
                ? $"{DisplayName}'s call is over: {(await Page.GetByTestId("call-notice").AllInnerTextsAsync()).FirstOrDefault()}"
                : $"{DisplayName} receives media again (200 ms: {after.PacketsReceived - before?.PacketsReceived} packets, " +
                  $"{after.FramesDecoded - before?.FramesDecoded} frames; ICE {after.IceConnectionState}; link: {await LinkStateAsync()})");
    }

    /// <summary>The camera as captured and as sent, and what holds the sent size back; null without a camera.</summary>
    public async Task<SentCamera?> SentCameraAsync()
    {
        var json = await Page.EvaluateAsync<JsonElement?>("async () => (await window.peercallDebug?.sentCamera()) ?? null");
        return json is { ValueKind: JsonValueKind.Object } value ? value.Deserialize<SentCamera>(JsonOptions) : null;
    }

    public Task<int> IceRestartsAsync() => Page.EvaluateAsync<int>("() => window.peercallDebug?.iceRestarts() ?? 0");

    /// <summary>The first link's transceivers and signaling state, for failure messages.</summary>
    public Task<string> LinkStateAsync() => Page.EvaluateAsync<string>(
        "async () => JSON.stringify({ signaling: window.peercallDebug?.signalingState(), transceivers: window.peercallDebug?.transceivers(), trace: window.peercallDebug?.trace(), rtp: await window.peercallDebug?.rtp() })");

    public async Task<MediaStats?> StatsAsync()
    {
        var json = await Page.EvaluateAsync<JsonElement?>("async () => (await window.peercallDebug?.stats()) ?? null");
        return json is { ValueKind: JsonValueKind.Object } value ? value.Deserialize<MediaStats>(JsonOptions) : null;
    }

    /// <summary>Asserts that audio keeps arriving (at least 20 packets in a second; Opus sends 50) and returns the
    /// media statistics at the end of that second.</summary>
    public async Task<MediaStats> ExpectPacketsArrivingAsync()
    {
        var before = (await StatsAsync())!;
        await Task.Delay(1_000);
        var after = (await StatsAsync())!;
        Assert.True(after.PacketsReceived - before.PacketsReceived >= 20,
            $"{DisplayName} received {after.PacketsReceived - before.PacketsReceived} packets in a second.");
        return after;
    }

    public Task<int> LiveMicrophoneTracksAsync() =>
        Page.EvaluateAsync<int>("() => window.peercallDebug?.liveMicrophoneTracks() ?? 0");

    public Task<bool> HasPeerConnectionAsync() =>
        Page.EvaluateAsync<bool>("() => window.peercallDebug?.hasPeer() ?? false");

    public Task<bool> RingtonePlayingAsync() =>
        Page.EvaluateAsync<bool>("() => window.peercallDebug?.ringing() ?? false");

    /// <summary>Whether the caller's ringback (the other side is ringing) plays.</summary>
    public Task<bool> RingbackPlayingAsync() =>
        Page.EvaluateAsync<bool>("() => window.peercallDebug?.ringback() ?? false");

    /// <summary>Wall-clock milliseconds (performance.timeOrigin + now) when the first audio packet arrived.</summary>
    public Task<double?> FirstInboundPacketAtAsync() =>
        Page.EvaluateAsync<double?>("() => window.peercallDebug?.firstInboundAt() ?? null");

    /// <summary>Wall-clock milliseconds when the first remote video frame was decoded.</summary>
    public Task<double?> FirstVideoFrameAtAsync() =>
        Page.EvaluateAsync<double?>("() => window.peercallDebug?.firstFrameAt() ?? null");

    /// <summary>The session the app keeps in localStorage, or null when signed out.</summary>
    public async Task<TokenPair?> StoredSessionAsync()
    {
        var json = await Page.EvaluateAsync<string?>("() => localStorage.getItem('peercall.session')");
        return json is null ? null : JsonSerializer.Deserialize<TokenPair>(json, JsonOptions);
    }

    /// <summary>Every piece of text the page shows or announces (placeholders, labels, titles), except what the
    /// browser supplies itself (device names in the device pickers).</summary>
    public Task<string[]> VisibleTextsAsync() => Page.EvaluateAsync<string[]>("""
        () => {
          const texts = [];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const parent = node.parentElement;
            if (!parent || parent.closest('select, script, style') || !parent.checkVisibility()) continue;
            if (node.textContent.trim()) texts.push(node.textContent.trim());
          }
          for (const e of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
            if (!e.checkVisibility() || e.closest('select')) continue;
            for (const a of ['placeholder', 'aria-label', 'title']) if (e.getAttribute(a)) texts.push(e.getAttribute(a));
          }
          return texts;
        }
        """);

    public async Task OpenHistoryAsync()
    {
        await Page.GetByTestId("nav-history").ClickAsync();
        await Expect(Page.Locator("[data-test=history], [data-test=no-history]").First).ToBeVisibleAsync();
    }

    public ILocator HistoryEntries => Page.GetByTestId("history-entry");

    /// <summary>The app never crashed: Blazor's error bar stayed hidden and nothing unhandled was logged.</summary>
    public async Task ExpectNoAppErrorsAsync()
    {
        await Expect(Page.Locator("#blazor-error-ui")).ToBeHiddenAsync();
        lock (_consoleErrors)
            Assert.DoesNotContain(_consoleErrors, e => e.Contains("Unhandled", StringComparison.OrdinalIgnoreCase));
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        await Browser.CloseAsync();
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}

public sealed record RemoteAudio(double DominantFrequency, double PeakDecibels, double Rms);

public sealed record CandidatePair(double? RoundTripTime, string? LocalType, string? RemoteType, string? Protocol,
    string? LocalAddress);

public sealed record MediaStats(long PacketsReceived, long BytesReceived, double AudioLevel, double TotalAudioEnergy,
    long FramesDecoded, CandidatePair? Pair, string ConnectionState, string IceConnectionState);

public sealed record VideoColour(double R, double G, double B, int Width, int Height);

public sealed record RemoteTone(double Frequency, double Rms)
{
    /// <summary>One tone per frequency asked for (within 20 Hz), each at least this loud, and nothing else.</summary>
    public static bool AreExactly(IReadOnlyList<RemoteTone> tones, int[] hertz, double minimumRms) =>
        tones.Count == hertz.Length && tones.All(t => t.Rms > minimumRms)
        && tones.Select(t => t.Frequency).Order().Zip(hertz.Order(), (f, h) => Math.Abs(f - h) <= 20).All(ok => ok);
}

public sealed record SentCamera(int CapturedHeight, int SentHeight, string Limitation, IReadOnlyList<double> Scales);
