using System.Net;
using System.Text.Json;
using Peercall.Contracts;
using Peercall.Contracts.Calls;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Calls;

/// <summary>Only the callee answers, only the caller cancels, only a party hangs up; to anyone else a call they may
/// not touch looks exactly like one that does not exist.</summary>
public sealed class CallPermissionTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    public static TheoryData<string, string?> Actions => new()
    {
        { "GET", null },
        { "accept", "{}" },
        { "decline", null },
        { "cancel", null },
        { "end", "{}" },
    };

    [Theory]
    [MemberData(nameof(Actions))]
    public async Task To_someone_else_a_call_is_indistinguishable_from_one_that_does_not_exist(string action, string? body)
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.RingingAsync();
        var stranger = await server.SignUpAsync("stranger");
        await using var strangerPhone = await stranger.ConnectAsync();

        var real = await SendAsync(stranger, call.Id, action, body);
        var madeUp = await SendAsync(stranger, Guid.NewGuid(), action, body);

        Assert.Equal(Comparable(madeUp), Comparable(real));
        Assert.Equal(ProblemCodes.CallNotFound, real.GetProperty("code").GetString());
        Assert.Equal(CallState.Ringing, (await parties.Caller.Api.GetCallAsync(call.Id)).State);
    }

    [Fact]
    public async Task Only_the_callee_may_accept_or_decline()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.RingingAsync();

        await Refusals.ApiAsync(() => parties.Caller.Api.AcceptCallAsync(call.Id), HttpStatusCode.NotFound, ProblemCodes.CallNotFound);
        await Refusals.ApiAsync(() => parties.Caller.Api.DeclineCallAsync(call.Id), HttpStatusCode.NotFound, ProblemCodes.CallNotFound);
        await Refusals.HubAsync(() => parties.CallerPhone.Connection.AcceptCall(call.Id), ProblemCodes.CallNotFound);
        await Refusals.HubAsync(() => parties.CallerPhone.Connection.DeclineCall(call.Id), ProblemCodes.CallNotFound);
        Assert.Equal(CallState.Ringing, (await parties.Caller.Api.GetCallAsync(call.Id)).State);
    }

    [Fact]
    public async Task Only_the_caller_may_cancel()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.RingingAsync();

        await Refusals.ApiAsync(() => parties.Callee.Api.CancelCallAsync(call.Id), HttpStatusCode.NotFound, ProblemCodes.CallNotFound);
        await Refusals.HubAsync(() => parties.CalleePhone.Connection.CancelCall(call.Id), ProblemCodes.CallNotFound);
        Assert.Equal(CallState.Ringing, (await parties.Caller.Api.GetCallAsync(call.Id)).State);
    }

    [Fact]
    public async Task Only_a_party_may_hang_up_or_resume()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.AcceptedAsync();
        var stranger = await server.SignUpAsync("stranger");
        await using var strangerPhone = await stranger.ConnectAsync();

        await Refusals.ApiAsync(() => stranger.Api.EndCallAsync(call.Id), HttpStatusCode.NotFound, ProblemCodes.CallNotFound);
        await Refusals.HubAsync(() => strangerPhone.Connection.EndCall(call.Id, CallReason.HungUp), ProblemCodes.CallNotFound);
        await Refusals.HubAsync(() => strangerPhone.Connection.ResumeCall(call.Id), ProblemCodes.CallNotFound);
        Assert.Equal(CallState.Accepted, (await parties.Caller.Api.GetCallAsync(call.Id)).State);
    }

    [Fact]
    public async Task Calling_yourself_gives_400()
    {
        var me = await server.SignUpAsync("narcissus");
        await using var phone = await me.ConnectAsync();
        await Refusals.ApiAsync(() => me.Api.PlaceCallAsync(new PlaceCallRequest(me.Id)), HttpStatusCode.BadRequest,
            ProblemCodes.CannotCallSelf);
        await Refusals.HubAsync(() => phone.Connection.PlaceCall(new PlaceCallRequest(me.Id)), ProblemCodes.CannotCallSelf);
        Assert.Empty((await me.Api.GetCallHistoryAsync()).Items);
    }

    [Fact]
    public async Task Calling_an_unknown_user_gives_404()
    {
        var me = await server.SignUpAsync("caller");
        await using var phone = await me.ConnectAsync();
        await Refusals.ApiAsync(() => me.Api.PlaceCallAsync(new PlaceCallRequest(Guid.NewGuid())), HttpStatusCode.NotFound,
            ProblemCodes.UnknownCallee);
        await Refusals.ApiAsync(() => me.Api.PlaceCallAsync(new PlaceCallRequest(Guid.Empty)), HttpStatusCode.NotFound,
            ProblemCodes.UnknownCallee);
        Assert.Empty((await me.Api.GetCallHistoryAsync()).Items);
    }

    [Fact]
    public async Task A_second_outgoing_call_while_one_rings_gives_409()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var first = await parties.RingingAsync();
        var third = await server.SignUpAsync("third");
        await using var thirdPhone = await third.ConnectAsync();

        await Refusals.ApiAsync(() => parties.Caller.Api.PlaceCallAsync(new PlaceCallRequest(third.Id)),
            HttpStatusCode.Conflict, ProblemCodes.AlreadyCalling);
        await Refusals.ApiAsync(() => parties.Caller.Api.PlaceCallAsync(new PlaceCallRequest(parties.Callee.Id)),
            HttpStatusCode.Conflict, ProblemCodes.AlreadyCalling);
        Assert.True(await TestDevice.NothingAsync(thirdPhone.Incoming));
        Assert.Equal([first.Id], (await parties.Caller.Api.GetCallHistoryAsync()).Items.Select(e => e.CallId));

        await parties.Caller.Api.CancelCallAsync(first.Id);
        var next = await parties.Caller.Api.PlaceCallAsync(new PlaceCallRequest(third.Id));
        Assert.Equal(CallState.Ringing, next.State);
    }

    [Fact]
    public async Task Placing_a_call_while_in_one_gives_409()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        await parties.AcceptedAsync();
        var third = await server.SignUpAsync("third");
        await using var thirdPhone = await third.ConnectAsync();

        await Refusals.ApiAsync(() => parties.Caller.Api.PlaceCallAsync(new PlaceCallRequest(third.Id)),
            HttpStatusCode.Conflict, ProblemCodes.AlreadyInCall);
        await Refusals.ApiAsync(() => parties.Callee.Api.PlaceCallAsync(new PlaceCallRequest(third.Id)),
            HttpStatusCode.Conflict, ProblemCodes.AlreadyInCall);
    }

    [Fact]
    public async Task Answering_a_second_call_while_in_one_gives_409()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var third = await server.SignUpAsync("third");
        await using var thirdPhone = await third.ConnectAsync();
        var first = await parties.RingingAsync();
        var second = await third.Api.PlaceCallAsync(new PlaceCallRequest(parties.Callee.Id));
        await parties.Callee.Api.AcceptCallAsync(first.Id);

        await Refusals.ApiAsync(() => parties.Callee.Api.AcceptCallAsync(second.Id), HttpStatusCode.Conflict,
            ProblemCodes.AlreadyInCall);
        Assert.Equal(CallState.Ringing, (await third.Api.GetCallAsync(second.Id)).State);
        Assert.Equal(CallState.Declined, (await parties.Callee.Api.DeclineCallAsync(second.Id)).State);
    }

    [Fact]
    public async Task Placing_a_call_needs_an_open_realtime_connection_of_the_caller()
    {
        var caller = await server.SignUpAsync("unplugged");
        var callee = await server.SignUpAsync("callee");
        await using var calleePhone = await callee.ConnectAsync();

        await Refusals.ApiAsync(() => caller.Api.PlaceCallAsync(new PlaceCallRequest(callee.Id)),
            HttpStatusCode.Conflict, ProblemCodes.NoConnection);
        await Refusals.ApiAsync(
            () => caller.Api.PlaceCallAsync(new PlaceCallRequest(callee.Id, CallMedia.Audio, calleePhone.Id)),
            HttpStatusCode.BadRequest, ProblemCodes.NoConnection);
        Assert.True(await TestDevice.NothingAsync(calleePhone.Incoming));
    }

    [Fact]
    public async Task Answering_on_someone_elses_connection_gives_400()
    {
        await using var parties = await CallParties.ConnectAsync(server);
        var call = await parties.RingingAsync();
        await Refusals.ApiAsync(() => parties.Callee.Api.AcceptCallAsync(call.Id, parties.CallerPhone.Id),
            HttpStatusCode.BadRequest, ProblemCodes.NoConnection);
        await Refusals.ApiAsync(() => parties.Callee.Api.AcceptCallAsync(call.Id, "made-up-connection"),
            HttpStatusCode.BadRequest, ProblemCodes.NoConnection);
        Assert.Equal(CallState.Ringing, (await parties.Callee.Api.GetCallAsync(call.Id)).State);
    }

    [Fact]
    public async Task Call_endpoints_need_a_token()
    {
        foreach (var (method, path) in new[]
                 {
                     (HttpMethod.Post, "api/calls"), (HttpMethod.Get, "api/calls"), (HttpMethod.Get, "api/calls/missed"),
                     (HttpMethod.Post, "api/calls/missed/seen"), (HttpMethod.Get, $"api/calls/{Guid.NewGuid()}"),
                     (HttpMethod.Post, $"api/calls/{Guid.NewGuid()}/accept"), (HttpMethod.Post, $"api/calls/{Guid.NewGuid()}/end"),
                 })
        {
            using var response = await server.SendAsync(method, path, method == HttpMethod.Post ? "{}" : null);
            await Refusals.ProblemAsync(response, HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized);
        }
    }

    private async Task<JsonElement> SendAsync(TestUser user, Guid callId, string action, string? body)
    {
        using var response = action == "GET"
            ? await server.SendAsync(HttpMethod.Get, $"api/calls/{callId}", accessToken: user.AccessToken)
            : await server.SendAsync(HttpMethod.Post, $"api/calls/{callId}/{action}", body, user.AccessToken);
        return await Refusals.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    /// <summary>The problem without its per-request trace id.</summary>
    private static string Comparable(JsonElement problem) =>
        JsonSerializer.Serialize(problem.EnumerateObject().Where(p => p.Name != "traceId").ToDictionary(p => p.Name, p => p.Value));
}
