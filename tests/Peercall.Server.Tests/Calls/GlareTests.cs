using Peercall.Contracts.Calls;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Calls;

/// <summary>When two users call each other at once, the call placed by the user with the smaller id survives,
/// whichever request arrived first, and the other is cancelled with the reason glare.</summary>
public sealed class GlareTests(PeercallServer server) : IClassFixture<PeercallServer>
{
    [Fact]
    public async Task When_the_smaller_id_called_first_the_answering_call_is_cancelled_with_glare()
    {
        var (smaller, larger) = await TwoUsersAsync();
        await using var smallerPhone = await smaller.ConnectAsync();
        await using var largerPhone = await larger.ConnectAsync();

        var first = await smaller.Api.PlaceCallAsync(new PlaceCallRequest(larger.Id));
        var second = await larger.Api.PlaceCallAsync(new PlaceCallRequest(smaller.Id));

        Assert.Equal((CallState.Cancelled, CallReason.Glare), (second.State, second.Reason));
        Assert.Equal(CallState.Ringing, (await smaller.Api.GetCallAsync(first.Id)).State);
        Assert.Equal(first.Id, (await largerPhone.IncomingAsync()).Id);
        Assert.True(await TestDevice.NothingAsync(smallerPhone.Incoming));
        await AssertOneRingingAsync(smaller, first.Id);
    }

    [Fact]
    public async Task When_the_larger_id_called_first_that_call_is_cancelled_with_glare_and_the_other_rings()
    {
        var (smaller, larger) = await TwoUsersAsync();
        await using var smallerPhone = await smaller.ConnectAsync();
        await using var largerPhone = await larger.ConnectAsync();

        var first = await larger.Api.PlaceCallAsync(new PlaceCallRequest(smaller.Id));
        Assert.Equal(first.Id, (await smallerPhone.IncomingAsync()).Id);
        var second = await smaller.Api.PlaceCallAsync(new PlaceCallRequest(larger.Id));

        Assert.Equal(CallState.Ringing, second.State);
        var cancelled = await largerPhone.StateAsync(first.Id, CallState.Cancelled);
        Assert.Equal(CallReason.Glare, cancelled.Reason);
        Assert.Equal(CallReason.Glare, (await smallerPhone.StateAsync(first.Id, CallState.Cancelled)).Reason);
        Assert.Equal(second.Id, (await largerPhone.IncomingAsync()).Id);
        await AssertOneRingingAsync(smaller, second.Id);
    }

    [Fact]
    public async Task Calls_placed_at_the_same_moment_leave_exactly_the_one_of_the_smaller_id()
    {
        for (var round = 0; round < 5; round++)
        {
            var (smaller, larger) = await TwoUsersAsync();
            await using var smallerPhone = await smaller.ConnectAsync();
            await using var largerPhone = await larger.ConnectAsync();

            var calls = await Task.WhenAll(
                larger.Api.PlaceCallAsync(new PlaceCallRequest(smaller.Id)),
                smaller.Api.PlaceCallAsync(new PlaceCallRequest(larger.Id)));

            var survivor = calls[1];
            await AssertOneRingingAsync(smaller, survivor.Id);
            var other = await smaller.Api.GetCallAsync(calls[0].Id);
            Assert.Equal((CallState.Cancelled, CallReason.Glare), (other.State, other.Reason));
        }
    }

    [Fact]
    public async Task The_surviving_call_can_be_answered_as_usual()
    {
        var (smaller, larger) = await TwoUsersAsync();
        await using var smallerPhone = await smaller.ConnectAsync();
        await using var largerPhone = await larger.ConnectAsync();
        var survivor = await smaller.Api.PlaceCallAsync(new PlaceCallRequest(larger.Id));
        await larger.Api.PlaceCallAsync(new PlaceCallRequest(smaller.Id));

        var accepted = await larger.Api.AcceptCallAsync(survivor.Id);
        Assert.Equal(CallState.Accepted, accepted.State);
    }

    private async Task<(TestUser Smaller, TestUser Larger)> TwoUsersAsync()
    {
        var a = await server.SignUpAsync("glare");
        var b = await server.SignUpAsync("glare");
        return a.Id.CompareTo(b.Id) < 0 ? (a, b) : (b, a);
    }

    private static async Task AssertOneRingingAsync(TestUser party, Guid survivor)
    {
        var history = await party.Api.GetCallHistoryAsync();
        Assert.Equal([survivor], history.Items.Where(e => e.State == CallState.Ringing).Select(e => e.CallId));
        Assert.Equal(2, history.TotalCount);
    }
}
