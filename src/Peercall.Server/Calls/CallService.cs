using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Peercall.Contracts;
using Peercall.Contracts.Calls;
using Peercall.Server.Accounts;
using Peercall.Server.Data;
using Peercall.Server.Hosting;
using Peercall.Server.Presence;

namespace Peercall.Server.Calls;

/// <summary>
/// Every change to a call goes through here, from REST and from the hub alike. A transition is a conditional
/// update (only from the state it was read in), so concurrent actions and every node's background sweep stay
/// correct: exactly one of them wins, the others get a 409 and change nothing.
/// </summary>
public sealed class CallService(
    PeercallDb db,
    IPresenceDirectory presence,
    PresenceService presenceService,
    ICallBindings bindings,
    CallNotifier notifier,
    ICallPlacementLock placement,
    TimeProvider time,
    ILogger<CallService> logger)
{
    private const string AnsweredElsewhere = "This call was already answered on another device.";

    public async Task<Call> PlaceAsync(Guid callerId, PlaceCallRequest request)
    {
        if (!Enum.IsDefined(request.Media))
            throw new PeercallException(400, ProblemCodes.BadRequest, "A call's media is 'audio' or 'video'.");
        if (request.CalleeId == callerId)
            throw new PeercallException(400, ProblemCodes.CannotCallSelf, "You cannot call yourself.");
        var connection = await ResolveConnectionAsync(callerId, request.ConnectionId);

        await using (await placement.EnterAsync())
        {
            var callee = await db.Users.FindAsync(request.CalleeId)
                         ?? throw new PeercallException(404, ProblemCodes.UnknownCallee, "There is no user with this id.");
            var caller = await db.Users.FindAsync(callerId)
                         ?? throw new PeercallException(401, ProblemCodes.InvalidCredentials, "Your account no longer exists.");

            if (await db.Calls.AnyAsync(c => c.CallerId == callerId && c.State == CallState.Ringing))
                throw new PeercallException(409, ProblemCodes.AlreadyCalling,
                    "You are already calling someone. Cancel that call before placing another.");
            if (await IsInAcceptedCallAsync(callerId))
                throw new PeercallException(409, ProblemCodes.AlreadyInCall, "Hang up your current call before placing another.");

            var now = time.StoredUtcNow();
            var call = new CallRequest
            {
                Id = Guid.CreateVersion7(), CallerId = callerId, CalleeId = callee.Id, Media = request.Media,
                State = CallState.Ringing, Reason = CallReason.None, CreatedAt = now, CallerConnectionId = connection,
            };

            if (await ResolveGlareAsync(call, caller, callee) is { } lost) return lost;

            if (await IsInAcceptedCallAsync(callee.Id))
                Finish(call, CallState.Busy, CallReason.CalleeBusy, now);
            else if (await presence.PresenceOfAsync(callee.Id) == Contracts.Contacts.Presence.Offline)
                Finish(call, CallState.Missed, CallReason.CalleeOffline, now);

            db.Calls.Add(call);
            await db.SaveChangesAsync();
            var dto = ToDto(call, caller, callee);
            LogTransition(call, from: null, callerId);
            if (call.State == CallState.Ringing) await notifier.RingAsync(dto);
            return dto;
        }
    }

    public async Task<Call> AcceptAsync(Guid userId, Guid callId, string? connectionId)
    {
        var call = await FindForAsync(callId, c => c.CalleeId == userId);
        var connection = await ResolveConnectionAsync(userId, connectionId);
        if (call.State == CallState.Accepted)
            throw new PeercallException(409, ProblemCodes.IllegalTransition, AnsweredElsewhere);
        if (call.State == CallState.Ringing && await IsInAcceptedCallAsync(userId))
        {
            // The call this user is in may be this one, answered on another of their devices a moment ago.
            if (await db.Calls.AsNoTracking().Where(c => c.Id == callId).Select(c => c.State).SingleAsync() == CallState.Accepted)
                throw new PeercallException(409, ProblemCodes.IllegalTransition, AnsweredElsewhere);
            throw new PeercallException(409, ProblemCodes.AlreadyInCall, "Hang up your current call before answering another.");
        }
        return await TransitionAsync(call, CallState.Accepted, CallReason.Answered, userId, connection);
    }

    public async Task<Call> DeclineAsync(Guid userId, Guid callId, string? connectionId) =>
        await TransitionAsync(await FindForAsync(callId, c => c.CalleeId == userId),
            CallState.Declined, CallReason.Declined, userId, connectionId);

    public async Task<Call> CancelAsync(Guid userId, Guid callId) =>
        await TransitionAsync(await FindForAsync(callId, c => c.CallerId == userId),
            CallState.Cancelled, CallReason.Cancelled, userId, null);

    /// <summary>A party leaves the call: hangs up an accepted call, or, while it rings, cancels (the caller) or
    /// declines (the callee) with the given reason.</summary>
    public async Task<Call> EndAsync(Guid userId, Guid callId, CallReason reason, string? connectionId)
    {
        if (reason is not (CallReason.HungUp or CallReason.MediaFailed or CallReason.MediaLost))
            throw new PeercallException(400, ProblemCodes.BadRequest,
                "A party ends a call with the reason 'hung-up', 'media-failed' or 'media-lost'.");
        var call = await FindForAsync(callId, c => c.CallerId == userId || c.CalleeId == userId);
        if (reason == CallReason.MediaLost && call.State != CallState.Accepted)
            throw new PeercallException(409, ProblemCodes.IllegalTransition,
                $"This call is {Describe(call.State)}; only an answered call can lose its media.");
        var target = call.State switch
        {
            CallState.Ringing when call.CallerId == userId => CallState.Cancelled,
            CallState.Ringing => CallState.Declined,
            _ => CallState.Ended,
        };
        if (call.State == CallState.Ringing && reason == CallReason.HungUp)
            reason = target == CallState.Cancelled ? CallReason.Cancelled : CallReason.Declined;
        return await TransitionAsync(call, target, reason, userId, connectionId);
    }

    /// <summary>Binds an accepted call to a party's new connection after a reconnect.</summary>
    public async Task<Call> ResumeAsync(Guid userId, Guid callId, string connectionId)
    {
        var call = await FindForAsync(callId, c => c.CallerId == userId || c.CalleeId == userId);
        var bound = call.CallerId == userId ? call.CallerConnectionId : call.CalleeConnectionId;
        // Only the device coming back may take the call over, never a second device while the first still talks.
        // The device is its sign-in session: it may come back before the server has noticed its old connection
        // drop, which takes up to the keep-alive timeout when its network went away.
        if (call.State == CallState.Accepted && bound is not null && bound != connectionId
            && await presence.FindAsync(bound) is { } talking
            && talking.SessionId != (await presence.FindAsync(connectionId))?.SessionId)
            throw new PeercallException(409, ProblemCodes.IllegalTransition, "This call is going on on another of your devices.");
        if (call.State != CallState.Accepted || !await bindings.RebindAsync(callId, userId, connectionId))
            throw new PeercallException(409, ProblemCodes.IllegalTransition, $"This call is {Describe(call.State)}; it cannot be resumed.");
        var asCaller = call.CallerId == userId;
        await db.Calls.Where(c => c.Id == callId).ExecuteUpdateAsync(s =>
        {
            if (asCaller) s.SetProperty(c => c.CallerConnectionId, connectionId);
            else s.SetProperty(c => c.CalleeConnectionId, connectionId);
        });
        logger.LogInformation("Call {CallId} resumed by {UserId} on {ConnectionId}", callId, userId, connectionId);
        return await ToDtoAsync(call);
    }

    public async Task<Call> GetAsync(Guid userId, Guid callId) =>
        await ToDtoAsync(await FindForAsync(callId, c => c.CallerId == userId || c.CalleeId == userId));

    /// <summary>Ringing calls past the ring timeout become missed.</summary>
    public async Task<int> ExpireRingingAsync(TimeSpan ringTimeout)
    {
        var cutoff = time.GetUtcNow().UtcDateTime - ringTimeout;
        var expired = await db.Calls.Where(c => c.State == CallState.Ringing && c.CreatedAt <= cutoff).ToListAsync();
        return await CountTransitionsAsync(expired, CallState.Missed, CallReason.NoAnswer);
    }

    /// <summary>Accepted calls whose party has been gone longer than the grace period end.</summary>
    public async Task<int> EndAbandonedAsync(TimeSpan grace)
    {
        var cutoff = time.GetUtcNow().UtcDateTime - grace;
        var ids = await bindings.LostSinceAsync(cutoff);
        var abandoned = await db.Calls.Where(c => ids.Contains(c.Id)).ToListAsync();
        return await CountTransitionsAsync(abandoned, CallState.Ended, CallReason.ConnectionLost);
    }

    /// <summary>A device's connection closed. A clean close means the device left: its calls end now. A dropped
    /// connection may come back, so its accepted call waits out the grace period.</summary>
    public async Task ConnectionClosedAsync(RealtimeConnection connection, bool clean)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var ringingOut = await db.Calls
            .Where(c => c.State == CallState.Ringing && c.CallerConnectionId == connection.Id).ToListAsync();
        await CountTransitionsAsync(ringingOut, CallState.Cancelled, CallReason.ConnectionLost);

        if (await presence.PresenceOfAsync(connection.UserId) == Contracts.Contacts.Presence.Offline)
        {
            var ringingIn = await db.Calls
                .Where(c => c.State == CallState.Ringing && c.CalleeId == connection.UserId).ToListAsync();
            await CountTransitionsAsync(ringingIn, CallState.Missed, CallReason.CalleeOffline);
        }

        foreach (var callId in await bindings.BoundToAsync(connection.Id))
        {
            if (!clean)
            {
                await bindings.MarkLostAsync(callId, connection.Id, now);
                continue;
            }
            if (await db.Calls.FindAsync(callId) is { } stored)
                await CountTransitionsAsync([stored], CallState.Ended, CallReason.ConnectionLost);
        }
    }

    /// <summary>After a restart the bindings in memory are gone. Ringing calls count as missed; accepted calls
    /// wait out the grace period for their parties to reconnect and resume them. On a node of a cluster the
    /// bindings outlive it and other nodes carry on: a ringing call is left to ring, its caller's connection
    /// watched by the others, and only an accepted call whose binding is missing is bound again.</summary>
    public async Task RecoverAfterRestartAsync()
    {
        if (!bindings.OutliveThisNode)
        {
            var ringing = await db.Calls.Where(c => c.State == CallState.Ringing).ToListAsync();
            await CountTransitionsAsync(ringing, CallState.Missed, CallReason.ServerRestarted);
        }

        var now = time.StoredUtcNow();
        foreach (var call in await db.Calls.Where(c => c.State == CallState.Accepted).ToListAsync())
        {
            await bindings.RestoreAsync(call.Id, call.CallerId, call.CalleeId, call.CallerConnectionId, call.CalleeConnectionId, now);
            await presence.SetInCallAsync(call.CallerId, true);
            await presence.SetInCallAsync(call.CalleeId, true);
        }
    }

    private async Task<int> CountTransitionsAsync(IEnumerable<CallRequest> calls, CallState to, CallReason reason)
    {
        var moved = 0;
        foreach (var call in calls)
        {
            try
            {
                await TransitionAsync(call, to, reason, actorId: null, actingConnection: null);
                moved++;
            }
            catch (PeercallException e) when (e.Code == ProblemCodes.IllegalTransition)
            {
                // Another request or node moved it first: nothing left to do.
            }
        }
        return moved;
    }

    private async Task<Call> TransitionAsync(CallRequest call, CallState to, CallReason reason, Guid? actorId,
        string? actingConnection)
    {
        var from = call.State;
        if (!CallTransitions.IsLegal(from, to))
            throw new PeercallException(409, ProblemCodes.IllegalTransition,
                $"This call is {Describe(from)}; it cannot become {Describe(to)}.");

        var now = time.StoredUtcNow();
        var answeredAt = to == CallState.Accepted ? now : call.AnsweredAt;
        var endedAt = to == CallState.Accepted ? (DateTime?)null : now;
        var calleeConnection = to == CallState.Accepted ? actingConnection : call.CalleeConnectionId;
        var calleeHasSeen = to != CallState.Missed;

        var updated = await db.Calls
            .Where(c => c.Id == call.Id && c.State == from)
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.State, to)
                .SetProperty(c => c.Reason, reason)
                .SetProperty(c => c.AnsweredAt, answeredAt)
                .SetProperty(c => c.EndedAt, endedAt)
                .SetProperty(c => c.CalleeConnectionId, calleeConnection)
                .SetProperty(c => c.CalleeHasSeen, calleeHasSeen));
        if (updated == 0)
        {
            var current = await db.Calls.AsNoTracking().Where(c => c.Id == call.Id).Select(c => c.State).SingleAsync();
            throw new PeercallException(409, ProblemCodes.IllegalTransition,
                current == CallState.Accepted && to == CallState.Accepted
                    ? AnsweredElsewhere
                    : $"This call is {Describe(current)} now; it cannot become {Describe(to)}.");
        }

        db.Entry(call).State = EntityState.Detached;
        call.State = to;
        call.Reason = reason;
        call.AnsweredAt = answeredAt;
        call.EndedAt = endedAt;
        call.CalleeConnectionId = calleeConnection;
        call.CalleeHasSeen = calleeHasSeen;
        LogTransition(call, from, actorId);

        if (to == CallState.Accepted)
        {
            await bindings.BindAsync(call.Id, call.CallerId, call.CalleeId, call.CallerConnectionId, calleeConnection);
            await presenceService.SetInCallAsync(call.CallerId, true);
            await presenceService.SetInCallAsync(call.CalleeId, true);
        }
        else if (from == CallState.Accepted)
        {
            await bindings.UnbindAsync(call.Id);
            await presenceService.SetInCallAsync(call.CallerId, false);
            await presenceService.SetInCallAsync(call.CalleeId, false);
        }

        var dto = await ToDtoAsync(call);
        await notifier.StateChangedAsync(dto, actingConnection);
        return dto;
    }

    private async Task<CallRequest> FindForAsync(Guid callId, Func<CallRequest, bool> mayAct)
    {
        var call = await db.Calls.AsNoTracking().SingleOrDefaultAsync(c => c.Id == callId);
        // Someone who may not act on a call learns nothing about it, not even that it exists.
        if (call is null || !mayAct(call))
            throw new PeercallException(404, ProblemCodes.CallNotFound, "There is no such call of yours.");
        return call;
    }

    private async Task<string> ResolveConnectionAsync(Guid userId, string? connectionId)
    {
        if (connectionId is { Length: > 0 })
        {
            var connection = await presence.FindAsync(connectionId);
            if (connection is null || connection.UserId != userId)
                throw new PeercallException(400, ProblemCodes.NoConnection,
                    "connectionId is not one of your open realtime connections.");
            return connection.Id;
        }
        return (await presence.ConnectionsOfAsync(userId)).MaxBy(c => c.OpenedAt)?.Id
               ?? throw new PeercallException(409, ProblemCodes.NoConnection,
                   $"Open the realtime connection ({Contracts.Signaling.SignalingRoutes.Hub}) first: the call's signals travel over it.");
    }

    private async Task<bool> IsInAcceptedCallAsync(Guid userId) =>
        await presence.IsInCallAsync(userId)
        || await db.Calls.AnyAsync(c => c.State == CallState.Accepted && (c.CallerId == userId || c.CalleeId == userId));

    private async Task<CallRequest?> FindGlareAsync(CallRequest call) =>
        await db.Calls.AsNoTracking().SingleOrDefaultAsync(c =>
            c.CallerId == call.CalleeId && c.CalleeId == call.CallerId && c.State == CallState.Ringing);

    /// <summary>When two users call each other at once, the call placed by the user with the smaller id
    /// survives, whichever request arrived first; the other one is cancelled with the reason "glare".</summary>
    private async Task<Call?> ResolveGlareAsync(CallRequest call, User caller, User callee)
    {
        if (await FindGlareAsync(call) is not { } reverse) return null;
        if (reverse.CallerId.CompareTo(call.CallerId) < 0)
        {
            Finish(call, CallState.Cancelled, CallReason.Glare, call.CreatedAt);
            db.Calls.Add(call);
            await db.SaveChangesAsync();
            LogTransition(call, from: null, call.CallerId);
            var dto = ToDto(call, caller, callee);
            await notifier.StateChangedAsync(dto, actingConnection: null);
            return dto;
        }
        await TransitionAsync(reverse, CallState.Cancelled, CallReason.Glare, call.CallerId, actingConnection: null);
        return null;
    }

    private static void Finish(CallRequest call, CallState state, CallReason reason, DateTime now)
    {
        call.State = state;
        call.Reason = reason;
        call.EndedAt = now;
        call.CalleeHasSeen = state is not (CallState.Missed or CallState.Busy);
    }

    private void LogTransition(CallRequest call, CallState? from, Guid? actorId) =>
        logger.LogInformation(
            "Call {CallId} {FromState} -> {ToState} ({Reason}) by {ActorId}; caller {CallerId}, callee {CalleeId}",
            call.Id, from?.ToString() ?? "new", call.State, call.Reason, actorId?.ToString() ?? "server",
            call.CallerId, call.CalleeId);

    private async Task<Call> ToDtoAsync(CallRequest call)
    {
        var parties = await db.Users.AsNoTracking()
            .Where(u => u.Id == call.CallerId || u.Id == call.CalleeId).ToDictionaryAsync(u => u.Id);
        return ToDto(call, parties[call.CallerId], parties[call.CalleeId]);
    }

    public static Call ToDto(CallRequest call, User caller, User callee) => new(
        call.Id, Party(caller), Party(callee), call.Media, call.State, call.Reason,
        Utc(call.CreatedAt), call.AnsweredAt is { } a ? Utc(a) : null, call.EndedAt is { } e ? Utc(e) : null);

    public static CallParty Party(User user) => new(user.Id, user.UserName!, user.DisplayName);

    private static DateTimeOffset Utc(DateTime value) => new(value, TimeSpan.Zero);

    private static string Describe(CallState state) => state.ToString().ToLowerInvariant();
}
