using System.Text;
using System.Text.Json;
using Peercall.Contracts;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Signaling;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Signaling;

/// <summary>
/// The hub as web pages meet it: through the official SignalR JavaScript client (@microsoft/signalr), which sends
/// everything queued in one tick as a single WebSocket message. Limits are the server's per hub message, never per
/// WebSocket message: a batch over 80 KB is served, and a flood is refused invocation by invocation.
/// </summary>
public sealed class OfficialJavaScriptClientTests(PeercallServer server, OfficialJavaScriptClient javaScript)
    : IClassFixture<PeercallServer>, IClassFixture<OfficialJavaScriptClient>
{
    /// <summary>Peercall:Signaling:MessageBurst as the test server has it: the default.</summary>
    private const int MessageBurst = 200;

    /// <summary>SignalR's MaximumReceiveMessageSize on the hub, which applies to each hub message.</summary>
    private const int MaxHubMessageBytes = 80 * 1024;

    [Fact]
    public async Task An_offer_and_its_candidates_sent_in_one_websocket_message_over_80_KB_are_all_relayed_in_order()
    {
        await using var parties = await AcceptedCallAsync("browser", "phone");
        var (browser, calleePhone, call) = parties;

        // One description is at most 64 KB, so the batch carries two to go past 80 KB: the offer, its candidates as
        // ICE gathers them, and the renegotiation the page starts at once when a screen share is added. Each is a
        // hub message well within the limits; only their WebSocket message is over 80 KB.
        List<Signal> signals =
        [
            new(call.Id, SignalKind.Offer, SessionDescription.Offer(videoTracks: 10)),
            .. Enumerable.Range(0, 25).Select(i => new Signal(call.Id, SignalKind.Candidate, IceCandidate(i))),
            new(call.Id, SignalKind.Offer, SessionDescription.Offer(videoTracks: 11)),
        ];
        Assert.All(signals, s => Assert.True(s.Payload.Length <= (s.Kind == SignalKind.Candidate
            ? SignalLimits.MaxCandidateLength : SignalLimits.MaxDescriptionLength)));

        var outcomes = await browser.InvokeAsync(signals.Select(s => new HubCall(nameof(ISignalingHub.SendSignal), s)));

        AssertStillOpen(browser);
        Assert.All(outcomes, o => Assert.Null(o.Error));
        Assert.True(browser.SentMessageLengths.Max() > MaxHubMessageBytes,
            $"The client did not batch: its largest WebSocket message was {browser.SentMessageLengths.Max()} characters.");
        var received = new List<Signal>();
        for (var i = 0; i < signals.Count; i++) received.Add(await calleePhone.SignalAsync());
        Assert.Equal(signals.Select(s => s with { From = call.Caller.Id, To = call.Callee.Id }), received);
        Assert.Equal("Connected", await browser.StateAsync());
        Assert.False(string.IsNullOrEmpty((await browser.InvokeAsync(nameof(ISignalingHub.GetConnectionId))).As<string>()));
    }

    [Fact]
    public async Task A_flood_of_500_signals_in_one_tick_is_refused_past_the_budget_and_the_connection_stays_open()
    {
        await using var parties = await AcceptedCallAsync("flooder", "victim");
        var (browser, calleePhone, call) = parties;
        var flood = Enumerable.Range(0, 500).Select(i => new Signal(call.Id, SignalKind.Candidate, IceCandidate(i))).ToList();

        var outcomes = await browser.InvokeAsync(flood.Select(s => new HubCall(nameof(ISignalingHub.SendSignal), s)));

        AssertStillOpen(browser);
        var refused = outcomes.Count(o => o.Code == ProblemCodes.TooManyMessages);
        var relayed = outcomes.Count(o => o.Error is null);
        Assert.True(refused + relayed == flood.Count,
            $"Other errors: {string.Join("; ", outcomes.Where(o => o.Error is not null && o.Code != ProblemCodes.TooManyMessages).Select(o => o.Error).Distinct())}");
        // The burst, less the PlaceCall this connection already spent: the test server's clock stands still, so
        // nothing is refilled during the flood.
        Assert.Equal(MessageBurst - 1, relayed);
        Assert.True(refused > 0);

        var expected = flood.Where((_, i) => outcomes[i].Error is null).Select(s => s with { From = call.Caller.Id, To = call.Callee.Id }).ToList();
        var received = new List<Signal>();
        for (var i = 0; i < relayed; i++) received.Add(await calleePhone.SignalAsync());
        Assert.Equal(expected, received);
        Assert.True(await TestDevice.NothingAsync(calleePhone.Signals), "A refused signal was relayed.");

        // Once the budget has refilled, the same connection is served again.
        await server.AdvanceAsync(TimeSpan.FromSeconds(1));
        var id = await browser.InvokeAsync(nameof(ISignalingHub.GetConnectionId));
        Assert.Null(id.Error);
        Assert.False(string.IsNullOrEmpty(id.As<string>()));
        Assert.Equal("Connected", await browser.StateAsync());
        AssertStillOpen(browser);
    }

    /// <summary>The JavaScript client places a call as a page would, bound to its connection, and the callee's C#
    /// device accepts it.</summary>
    private async Task<JavaScriptCallParties> AcceptedCallAsync(string caller, string callee)
    {
        var callerUser = await server.SignUpAsync(caller);
        var calleeUser = await server.SignUpAsync(callee);
        var calleePhone = await calleeUser.ConnectAsync();
        JavaScriptHubConnection? browser = null;
        try
        {
            browser = await javaScript.ConnectAsync(server, callerUser);
            var call = (await browser.InvokeAsync(nameof(ISignalingHub.PlaceCall), new { calleeId = calleeUser.Id })).As<Call>();
            await TestDevice.NextAsync(calleePhone.Incoming, c => c.Id == call.Id);
            Assert.Equal(CallState.Accepted, (await calleePhone.Connection.AcceptCall(call.Id)).State);
            await browser.ReceivedAsync(nameof(ISignalingClient.CallStateChanged), args =>
            {
                var change = args[0].Deserialize<CallStateChange>(JavaScriptHubConnection.Json)!;
                return change.Call.Id == call.Id && change.Call.State == CallState.Accepted;
            });
            return new JavaScriptCallParties(browser, calleePhone, call);
        }
        catch
        {
            if (browser is not null) await browser.DisposeAsync();
            await calleePhone.DisposeAsync();
            throw;
        }
    }

    private sealed record JavaScriptCallParties(JavaScriptHubConnection Browser, TestDevice CalleePhone, Call Call)
        : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Browser.DisposeAsync();
            await CalleePhone.DisposeAsync();
        }
    }

    private static void AssertStillOpen(JavaScriptHubConnection browser) =>
        Assert.False(browser.Closed.Task.IsCompleted,
            $"The server closed the JavaScript client's connection: {(browser.Closed.Task.IsCompleted ? browser.Closed.Task.Result : null)}");

    /// <summary>An RTCIceCandidateInit as Chrome trickles them: host, server-reflexive and relayed candidates.</summary>
    private static string IceCandidate(int i)
    {
        var port = 50000 + i;
        var candidate = (i % 3) switch
        {
            0 => $"candidate:{1000000 + i} 1 udp 2122260223 192.168.1.20 {port} typ host generation 0 ufrag EsAw network-id 1",
            1 => $"candidate:{2000000 + i} 1 udp 1686052607 203.0.113.7 {port} typ srflx raddr 192.168.1.20 rport {port} generation 0 ufrag EsAw network-id 1",
            _ => $"candidate:{3000000 + i} 1 udp 41885439 198.51.100.30 {port} typ relay raddr 203.0.113.7 rport {port} generation 0 ufrag EsAw network-id 1",
        };
        return JsonSerializer.Serialize(new { candidate, sdpMid = "0", sdpMLineIndex = 0, usernameFragment = "EsAw" });
    }

    /// <summary>Offers shaped as Chrome writes them: one audio section and a video section per track, each with
    /// Chrome's codec list.</summary>
    private static class SessionDescription
    {
        private static readonly (int Payload, int Rtx, string Codec, string? Format)[] VideoCodecs =
        [
            (96, 97, "VP8/90000", null),
            (102, 103, "H264/90000", "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f"),
            (104, 105, "H264/90000", "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f"),
            (106, 107, "H264/90000", "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"),
            (108, 109, "H264/90000", "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f"),
            (127, 125, "H264/90000", "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f"),
            (39, 40, "H264/90000", "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f"),
            (45, 46, "AV1/90000", "level-idx=5;profile=0;tier=0"),
            (98, 99, "VP9/90000", "profile-id=0"),
            (100, 101, "VP9/90000", "profile-id=2"),
            (112, 113, "H264/90000", "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f"),
        ];

        private const string Transport = """
            c=IN IP4 0.0.0.0
            a=rtcp:9 IN IP4 0.0.0.0
            a=ice-ufrag:EsAw
            a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y
            a=ice-options:trickle
            a=fingerprint:sha-256 0F:74:31:25:CB:A2:13:EC:28:6F:6D:2C:61:FF:5D:C2:BC:B9:DB:3D:98:14:8D:1A:BB:EA:33:0C:A4:60:A8:8E
            a=setup:actpass
            """;

        public static string Offer(int videoTracks)
        {
            var sdp = new StringBuilder();
            var mids = string.Join(' ', Enumerable.Range(0, videoTracks + 1));
            Lines(sdp, $"""
                v=0
                o=- 4611731400430051336 {videoTracks} IN IP4 127.0.0.1
                s=-
                t=0 0
                a=group:BUNDLE {mids}
                a=extmap-allow-mixed
                a=msid-semantic: WMS 6a2b3c4d-stream
                m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
                {Transport}
                a=mid:0
                a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
                a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
                a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
                a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
                a=sendrecv
                a=msid:6a2b3c4d-stream 0a1b2c3d-audio
                a=rtcp-mux
                a=rtpmap:111 opus/48000/2
                a=rtcp-fb:111 transport-cc
                a=fmtp:111 minptime=10;useinbandfec=1
                a=rtpmap:63 red/48000/2
                a=fmtp:63 111/111
                a=rtpmap:9 G722/8000
                a=rtpmap:0 PCMU/8000
                a=rtpmap:8 PCMA/8000
                a=rtpmap:13 CN/8000
                a=rtpmap:110 telephone-event/48000
                a=rtpmap:126 telephone-event/8000
                a=ssrc:1001 cname:Fh2kQ9vT3xLw8ZpA
                a=ssrc:1001 msid:6a2b3c4d-stream 0a1b2c3d-audio
                """);
            for (var track = 1; track <= videoTracks; track++)
            {
                var payloads = string.Join(' ', VideoCodecs.SelectMany(c => new[] { c.Payload, c.Rtx }).Concat([116, 117, 118]));
                Lines(sdp, $"""
                    m=video 9 UDP/TLS/RTP/SAVPF {payloads}
                    {Transport}
                    a=mid:{track}
                    a=extmap:14 urn:ietf:params:rtp-hdrext:toffset
                    a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
                    a=extmap:13 urn:3gpp:video-orientation
                    a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
                    a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
                    a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type
                    a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing
                    a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space
                    a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
                    a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
                    a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
                    a=sendrecv
                    a=msid:6a2b3c4d-stream 0a1b2c3d-video{track}
                    a=rtcp-mux
                    a=rtcp-rsize
                    """);
                foreach (var (payload, rtx, codec, format) in VideoCodecs)
                {
                    sdp.Append($"a=rtpmap:{payload} {codec}\r\n");
                    foreach (var feedback in new[] { "goog-remb", "transport-cc", "ccm fir", "nack", "nack pli" })
                        sdp.Append($"a=rtcp-fb:{payload} {feedback}\r\n");
                    if (format is not null) sdp.Append($"a=fmtp:{payload} {format}\r\n");
                    sdp.Append($"a=rtpmap:{rtx} rtx/90000\r\na=fmtp:{rtx} apt={payload}\r\n");
                }
                var ssrc = 2000 + 2 * track;
                Lines(sdp, $"""
                    a=rtpmap:116 red/90000
                    a=rtpmap:117 rtx/90000
                    a=fmtp:117 apt=116
                    a=rtpmap:118 ulpfec/90000
                    a=ssrc-group:FID {ssrc} {ssrc + 1}
                    a=ssrc:{ssrc} cname:Fh2kQ9vT3xLw8ZpA
                    a=ssrc:{ssrc} msid:6a2b3c4d-stream 0a1b2c3d-video{track}
                    a=ssrc:{ssrc + 1} cname:Fh2kQ9vT3xLw8ZpA
                    a=ssrc:{ssrc + 1} msid:6a2b3c4d-stream 0a1b2c3d-video{track}
                    """);
            }
            return sdp.ToString();
        }

        /// <summary>SDP lines end with CRLF, whatever the line endings of this file.</summary>
        private static void Lines(StringBuilder sdp, string lines)
        {
            foreach (var line in lines.Split('\n')) sdp.Append(line.TrimEnd('\r')).Append("\r\n");
        }
    }
}
