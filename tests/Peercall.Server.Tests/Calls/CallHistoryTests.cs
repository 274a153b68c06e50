using System.Net;
using Peercall.Contracts;
using Peercall.Contracts.Calls;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Calls;

public sealed class CallHistoryTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    [Fact]
    public async Task History_lists_my_calls_newest_first_with_the_other_party_direction_state_reason_and_duration()
    {
        var alice = await server.SignUpAsync("alice", displayName: "Alice A.");
        var bob = await server.SignUpAsync("bob", displayName: "Bob B.");
        var carol = await server.SignUpAsync("carol");
        var stranger = await server.SignUpAsync("stranger");
        await using var alicePhone = await alice.ConnectAsync();
        await using var bobPhone = await bob.ConnectAsync();

        var talked = await alice.Api.PlaceCallAsync(new PlaceCallRequest(bob.Id));
        await bob.Api.AcceptCallAsync(talked.Id);
        await server.AdvanceAsync(TimeSpan.FromSeconds(95));
        await bob.Api.EndCallAsync(talked.Id);
        await server.AdvanceAsync(TimeSpan.FromSeconds(1));
        var declined = await bob.Api.PlaceCallAsync(new PlaceCallRequest(alice.Id));
        await alice.Api.DeclineCallAsync(declined.Id);
        await server.AdvanceAsync(TimeSpan.FromSeconds(1));
        var unanswered = await alice.Api.PlaceCallAsync(new PlaceCallRequest(carol.Id));

        var history = await alice.Api.GetCallHistoryAsync();

        Assert.Equal(3, history.TotalCount);
        Assert.Equal([unanswered.Id, declined.Id, talked.Id], history.Items.Select(e => e.CallId));
        var (missed, incoming, outgoing) = (history.Items[0], history.Items[1], history.Items[2]);

        Assert.Equal(new CallParty(carol.Id, carol.Username, carol.Profile.DisplayName), missed.OtherParty);
        Assert.Equal((CallDirection.Outgoing, CallState.Missed, CallReason.CalleeOffline), (missed.Direction, missed.State, missed.Reason));
        Assert.Null(missed.DurationSeconds);

        Assert.Equal(new CallParty(bob.Id, bob.Username, "Bob B."), incoming.OtherParty);
        Assert.Equal((CallDirection.Incoming, CallState.Declined, CallReason.Declined), (incoming.Direction, incoming.State, incoming.Reason));
        Assert.Null(incoming.AnsweredAt);
        Assert.Null(incoming.DurationSeconds);
        Assert.True(incoming.Seen);

        Assert.Equal((CallDirection.Outgoing, CallState.Ended, CallReason.HungUp), (outgoing.Direction, outgoing.State, outgoing.Reason));
        Assert.Equal(95, outgoing.DurationSeconds!.Value, precision: 0);
        Assert.Equal(outgoing.AnsweredAt!.Value + TimeSpan.FromSeconds(95), outgoing.EndedAt!.Value, TimeSpan.FromSeconds(1));

        var bobs = await bob.Api.GetCallHistoryAsync();
        Assert.Equal([(declined.Id, CallDirection.Outgoing), (talked.Id, CallDirection.Incoming)],
            bobs.Items.Select(e => (e.CallId, e.Direction)));
        Assert.Equal(new CallParty(alice.Id, alice.Username, "Alice A."), bobs.Items[0].OtherParty);
        Assert.Empty((await stranger.Api.GetCallHistoryAsync()).Items);
    }

    [Fact]
    public async Task History_is_paged()
    {
        var caller = await server.SignUpAsync("pager");
        await using var phone = await caller.ConnectAsync();
        var calls = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            var callee = await server.SignUpAsync("offline");
            calls.Add((await caller.Api.PlaceCallAsync(new PlaceCallRequest(callee.Id))).Id);
            await server.AdvanceAsync(TimeSpan.FromSeconds(1));
        }
        calls.Reverse();

        var pages = new List<Contracts.Contacts.Page<CallHistoryEntry>>();
        for (var number = 1; number <= 3; number++) pages.Add(await caller.Api.GetCallHistoryAsync(number, pageSize: 2));

        Assert.Equal([2, 2, 1], pages.Select(p => p.Items.Count));
        Assert.All(pages, p => Assert.Equal(5, p.TotalCount));
        Assert.Equal([1, 2, 3], pages.Select(p => p.PageNumber));
        Assert.Equal(calls, pages.SelectMany(p => p.Items).Select(e => e.CallId));
        Assert.Empty((await caller.Api.GetCallHistoryAsync(4, pageSize: 2)).Items);
    }

    [Theory]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=1000", "pageSize")]
    [InlineData("page=0", "page")]
    public async Task A_page_out_of_range_gives_a_validation_problem(string query, string field)
    {
        var me = await server.SignUpAsync("paging");
        using var response = await server.SendAsync(HttpMethod.Get, $"api/calls?{query}", accessToken: me.AccessToken);
        var problem = await Refusals.ProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed);
        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }
}
