using Peercall.Contracts;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Signaling;
using Microsoft.Extensions.DependencyInjection;
using Peercall.Server.Hosting;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Signaling;

/// <summary>The server relays a signal only between the two bound connections of an accepted call.</summary>
public sealed class SignalRelayTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    private const string Candidate = """{"candidate":"candidate:1 1 udp 2122260223 192.168.1.20 54321 typ host","sdpMid":"0","sdpMLineIndex":0}""";

    [Fact]
    public async Task Offer_answer_and_candidates_pass_both_ways_unchanged()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.AcceptedAsync();
        var offer = new Signal(call.Id, SignalKind.Offer, "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=Café ☎ 会议\r\n");

        await parties.CallerPhone.Connection.SendSignal(offer);
        Assert.Equal(offer with { From = parties.Caller.Id, To = parties.Callee.Id }, await parties.CalleePhone.SignalAsync());

        var answer = new Signal(call.Id, SignalKind.Answer, "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\n");
        await parties.CalleePhone.Connection.SendSignal(answer);
        Assert.Equal(answer with { From = parties.Callee.Id, To = parties.Caller.Id }, await parties.CallerPhone.SignalAsync());

        for (var i = 0; i < 5; i++)
        {
            await parties.CallerPhone.Connection.SendSignal(new Signal(call.Id, SignalKind.Candidate, Candidate));
            await parties.CalleePhone.Connection.SendSignal(new Signal(call.Id, SignalKind.Candidate, Candidate));
        }
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(SignalKind.Candidate, (await parties.CalleePhone.SignalAsync()).Kind);
            Assert.Equal(SignalKind.Candidate, (await parties.CallerPhone.SignalAsync()).Kind);
        }
        Assert.True(await TestDevice.NothingAsync(parties.CallerPhone.Signals, window: TimeSpan.FromMilliseconds(200)),
            "A sender never gets its own signals back.");
    }

    [Fact]
    public async Task A_signal_from_someone_not_in_the_call_is_refused_and_goes_nowhere()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.AcceptedAsync();
        var stranger = await server.SignUpAsync("stranger");
        await using var strangerPhone = await stranger.ConnectAsync();

        await Refusals.HubAsync(() => strangerPhone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0 evil")),
            ProblemCodes.SignalRefused);
        await Refusals.HubAsync(() => strangerPhone.Connection.SendSignal(new Signal(call.Id, SignalKind.Candidate, Candidate)),
            ProblemCodes.SignalRefused);

        Assert.True(await TestDevice.NothingAsync(parties.CalleePhone.Signals));
        Assert.True(await TestDevice.NothingAsync(parties.CallerPhone.Signals, window: TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public async Task A_signal_for_a_ringing_call_is_refused()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.RingingAsync();

        await Refusals.HubAsync(() => parties.CallerPhone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0")),
            ProblemCodes.SignalRefused);
        await Refusals.HubAsync(() => parties.CalleePhone.Connection.SendSignal(new Signal(call.Id, SignalKind.Answer, "v=0")),
            ProblemCodes.SignalRefused);
        Assert.True(await TestDevice.NothingAsync(parties.CalleePhone.Signals));
    }

    [Fact]
    public async Task A_signal_from_the_callees_device_that_did_not_answer_is_refused()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        await using var calleeLaptop = await parties.Callee.ConnectAsync();
        var call = await parties.AcceptedAsync();

        await Refusals.HubAsync(() => calleeLaptop.Connection.SendSignal(new Signal(call.Id, SignalKind.Answer, "v=0")),
            ProblemCodes.SignalRefused);
        Assert.True(await TestDevice.NothingAsync(parties.CallerPhone.Signals));

        await parties.CallerPhone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0"));
        await parties.CalleePhone.SignalAsync();
        Assert.True(await TestDevice.NothingAsync(calleeLaptop.Signals));
    }

    [Fact]
    public async Task Signals_stop_when_the_call_ends()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.AcceptedAsync();
        await parties.Caller.Api.EndCallAsync(call.Id);

        await Refusals.HubAsync(() => parties.CalleePhone.Connection.SendSignal(new Signal(call.Id, SignalKind.Candidate, Candidate)),
            ProblemCodes.SignalRefused);
        Assert.True(await TestDevice.NothingAsync(parties.CallerPhone.Signals));
    }

    [Fact]
    public async Task A_signal_for_a_call_that_does_not_exist_is_refused()
    {
        var user = await server.SignUpAsync("lonely");
        await using var phone = await user.ConnectAsync();
        await Refusals.HubAsync(() => phone.Connection.SendSignal(new Signal(Guid.NewGuid(), SignalKind.Offer, "v=0")),
            ProblemCodes.SignalRefused);
    }

    [Theory]
    [InlineData(SignalKind.Offer, 64 * 1024)]
    [InlineData(SignalKind.Answer, 64 * 1024)]
    [InlineData(SignalKind.Candidate, 2 * 1024)]
    public async Task A_signal_at_its_size_limit_is_relayed_and_one_character_more_is_refused(SignalKind kind, int limit)
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.AcceptedAsync();

        var atLimit = new Signal(call.Id, kind, Sdp(limit));
        await parties.CallerPhone.Connection.SendSignal(atLimit);
        Assert.Equal(atLimit with { From = parties.Caller.Id, To = parties.Callee.Id }, await parties.CalleePhone.SignalAsync());

        var e = await Refusals.HubAsync(() => parties.CallerPhone.Connection.SendSignal(new Signal(call.Id, kind, Sdp(limit + 1))),
            ProblemCodes.SignalTooLarge);
        Assert.Contains(limit.ToString(), e.Detail);
        Assert.True(await TestDevice.NothingAsync(parties.CalleePhone.Signals, window: TimeSpan.FromMilliseconds(200)));

        // The connection keeps working.
        Assert.False(parties.CallerPhone.Lost.Task.IsCompleted);
        await parties.CallerPhone.Connection.SendSignal(new Signal(call.Id, SignalKind.Candidate, Candidate));
        Assert.Equal(Candidate, (await parties.CalleePhone.SignalAsync()).Payload);
    }

    [Fact]
    public async Task A_signal_without_a_payload_or_with_an_unknown_kind_is_refused()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.AcceptedAsync();

        await Refusals.HubAsync(() => parties.CallerPhone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, null!)),
            ProblemCodes.BadRequest);
        await Refusals.HubAsync(() => parties.CallerPhone.Connection.SendSignal(new Signal(call.Id, (SignalKind)9, "v=0")),
            ProblemCodes.BadRequest);
        await Refusals.HubAsync(() => parties.CallerPhone.Connection.SendSignal(null!), ProblemCodes.BadRequest);

        Assert.True(await TestDevice.NothingAsync(parties.CalleePhone.Signals));
        await parties.CallerPhone.Connection.SendSignal(new Signal(call.Id, SignalKind.Offer, "v=0"));
        await parties.CalleePhone.SignalAsync();
    }

    /// <summary>Text shaped like SDP, exactly <paramref name="length"/> characters long.</summary>
    private static string Sdp(int length)
    {
        var text = new System.Text.StringBuilder(length + 64);
        while (text.Length < length) text.Append("a=candidate:1 1 udp 2122260223 192.168.1.20 54321 typ host\r\n");
        return text.ToString(0, length);
    }
}
