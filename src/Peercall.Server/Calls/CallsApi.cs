using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Contacts;
using Peercall.Server.Hosting;
using Peercall.Server.Turn;

namespace Peercall.Server.Calls;

public static class CallsApi
{
    public const int MaxPageSize = 200;

    public static IEndpointRouteBuilder MapCallsApi(this IEndpointRouteBuilder app)
    {
        var calls = app.MapGroup("api/calls").WithTags("Calls").RequireAuthorization();
        calls.MapPost("", Place).WithName("PlaceCall").WithSummary("Call someone: their devices ring");
        calls.MapGet("", History).WithName("CallHistory").WithSummary("Your calls, newest first");
        calls.MapGet("missed", Missed).WithName("MissedCalls").WithSummary("How many missed calls you have not seen");
        calls.MapPost("missed/seen", MarkSeen).WithName("MarkMissedCallsSeen").WithSummary("Mark your missed calls as seen");
        calls.MapGet("rtc-configuration", RtcConfiguration).WithName("RtcConfiguration")
            .WithSummary("ICE servers and transport policy for RTCPeerConnection");
        calls.MapGet("{callId:guid}", Get).WithName("GetCall").WithSummary("One of your calls");
        calls.MapPost("{callId:guid}/accept", Accept).WithName("AcceptCall").WithSummary("Answer a ringing call (callee)");
        calls.MapPost("{callId:guid}/decline", Decline).WithName("DeclineCall").WithSummary("Decline a ringing call (callee)");
        calls.MapPost("{callId:guid}/cancel", Cancel).WithName("CancelCall").WithSummary("Stop ringing your call (caller)");
        calls.MapPost("{callId:guid}/participants", Invite).WithName("InviteToCall").WithSummary("Ring someone into a call you are in");
        calls.MapPost("{callId:guid}/end", End).WithName("EndCall").WithSummary("Hang up (either party)");
        return app;
    }

    private static async Task<Created<Call>> Place(PlaceCallRequest request, ClaimsPrincipal user, CallService calls)
    {
        var call = await calls.PlaceAsync(user.UserId(), request);
        return TypedResults.Created($"/api/calls/{call.Id}", call);
    }

    private static async Task<Ok<Call>> Get(Guid callId, ClaimsPrincipal user, CallService calls) =>
        TypedResults.Ok(await calls.GetAsync(user.UserId(), callId));

    private static async Task<Ok<Call>> Accept(Guid callId, AcceptCallRequest? request, ClaimsPrincipal user, CallService calls) =>
        TypedResults.Ok(await calls.AcceptAsync(user.UserId(), callId, request?.ConnectionId));

    private static async Task<Ok<Call>> Decline(Guid callId, ClaimsPrincipal user, CallService calls) =>
        TypedResults.Ok(await calls.DeclineAsync(user.UserId(), callId, connectionId: null));

    private static async Task<Ok<Call>> Cancel(Guid callId, ClaimsPrincipal user, CallService calls) =>
        TypedResults.Ok(await calls.CancelAsync(user.UserId(), callId));

    private static async Task<Ok<Call>> Invite(Guid callId, InviteRequest request, ClaimsPrincipal user, CallService calls) =>
        TypedResults.Ok(await calls.InviteAsync(user.UserId(), callId, request.UserId, connectionId: null));

    private static async Task<Ok<Call>> End(Guid callId, EndCallRequest? request, ClaimsPrincipal user, CallService calls) =>
        TypedResults.Ok(await calls.EndAsync(user.UserId(), callId, request?.Reason ?? CallReason.HungUp, connectionId: null));

    private static async Task<Results<Ok<Page<CallHistoryEntry>>, ValidationProblem>> History(
        ClaimsPrincipal user, CallHistory history, int page = 1, int pageSize = 50)
    {
        var errors = new Dictionary<string, string[]>();
        if (page < 1) errors["page"] = ["Pages are numbered from 1."];
        if (pageSize is < 1 or > MaxPageSize) errors["pageSize"] = [$"A page holds 1 to {MaxPageSize} calls."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await history.PageAsync(user.UserId(), page, pageSize));
    }

    private static async Task<Ok<MissedCallsSummary>> Missed(ClaimsPrincipal user, CallHistory history) =>
        TypedResults.Ok(await history.MissedAsync(user.UserId()));

    private static async Task<Ok<MissedCallsSummary>> MarkSeen(ClaimsPrincipal user, CallHistory history) =>
        TypedResults.Ok(await history.MarkSeenAsync(user.UserId()));

    private static Ok<RtcConfiguration> RtcConfiguration(ClaimsPrincipal user, IOptions<IceOptions> ice, TimeProvider time) =>
        TypedResults.Ok(IceConfiguration.For(ice.Value, user.UserId(), time.GetUtcNow()));
}
