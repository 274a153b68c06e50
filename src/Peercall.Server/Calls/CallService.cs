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
/// Every change to a call goes through here, from REST and from the hub alike. Each is a change of one
/// participant's state (<see cref="CallTransitions"/>), made as a conditional update (only from the state it was
/// read in), after which the call's own state follows from everyone's, again conditionally. So concurrent actions
/// and every node's background sweep stay correct: exactly one of them wins, the others get a 409 and change
/// nothing.
/// </summary>
public sealed class CallService(
    PeercallDb db,
    IPresenceDirectory presence,
    PresenceService presenceService,
    ICallBindings bindings,
    CallNotifier notifier,
    ICallPlacementLock placement,
    IOptions<CallOptions> options,
    TimeProvider time,
    ILogger<CallService> logger)
{
    private const string AnsweredElsewhere = "This call was already answered on another device.";
    private const string NotYours = "There is no such call of yours.";

    public async Task<Call> PlaceAsync(Guid callerId, PlaceCallRequest request)
    {
        if (!Enum.IsDefined(request.Media))
            throw new PeercallException(400, ProblemCodes.BadRequest, "A call's media is 'audio' or 'video'.");
        var invitees = new[] { request.CalleeId }.Concat(request.AlsoInvite ?? []).Distinct().ToList();
        if (invitees.Contains(callerId))
            throw new PeercallException(400, ProblemCodes.CannotCallSelf, "You cannot call yourself.");
        if (invitees.Count + 1 > options.Value.MeshMaxParticipants) throw CallFull();
        var connection = await ResolveConnectionAsync(callerId, request.ConnectionId);

        await using (await placement.EnterAsync())
        {
            var users = await db.Users.AsNoTracking().Where(u => invitees.Contains(u.Id) || u.Id == callerId).ToDictionaryAsync(u => u.Id);
            if (!users.ContainsKey(callerId))
                throw new PeercallException(401, ProblemCodes.InvalidCredentials, "Your account no longer exists.");
            if (invitees.Any(id => !users.ContainsKey(id)))
                throw new PeercallException(404, ProblemCodes.UnknownCallee, "There is no user with this id.");

            if (await db.Calls.AnyAsync(c => c.CallerId == callerId && c.State == CallState.Ringing))
                throw new PeercallException(409, ProblemCodes.AlreadyCalling,
                    "You are already calling someone. Cancel that call before placing another.");
            if (await IsInAcceptedCallAsync(callerId))
                throw new PeercallException(409, ProblemCodes.AlreadyInCall, "Hang up your current call before placing another.");

            var now = time.StoredUtcNow();
            var call = new CallRequest
            {
                Id = Guid.CreateVersion7(), CallerId = callerId, CalleeId = request.CalleeId, Media = request.Media,
                State = CallState.Ringing, Reason = CallReason.None, CreatedAt = now,
            };
            call.Participants.Add(new CallMember
            {
                CallId = call.Id, UserId = callerId, Seat = 0, State = ParticipantState.Joined, Reason = CallReason.None,
                InvitedAt = now, JoinedAt = now, ConnectionId = connection,
            });

            if (invitees.Count == 1 && await ResolveGlareAsync(call, users) is { } lost) return lost;

            foreach (var invitee in invitees)
            {
                var (state, reason) = await RingStateOfAsync(invitee);
                call.Participants.Add(new CallMember
                {
                    CallId = call.Id, UserId = invitee, Seat = call.Participants.Count, State = state, Reason = reason, InvitedBy = callerId,
                    InvitedAt = now, HasSeen = !CallTransitions.WaitsToBeSeen(state, reason),
                });
            }
            if (CallTransitions.Follow(call.State, [.. call.Participants.Select(p => p.State)], call.Participants[^1].State) is { } outcome)
                Finish(call, outcome, call.Participants[^1].Reason, now);

            db.Calls.Add(call);
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
            LogCall(call, from: null, callerId);
            var dto = ToDto(call, users);
            if (call.State == CallState.Ringing)
                await notifier.RingAsync(dto, call.Participants.Where(p => p.State == ParticipantState.Ringing).Select(p => p.UserId));
            return dto;
        }
    }

    /// <summary>Rings someone into a call the inviter is in. Inviting someone who is already ringing or joined
    /// changes nothing: two people adding the same person at once both get what they wanted.</summary>
    public async Task<Call> InviteAsync(Guid inviterId, Guid callId, Guid inviteeId, string? connectionId)
    {
        if (inviteeId == inviterId)
            throw new PeercallException(400, ProblemCodes.CannotCallSelf, "You are already in this call.");
        var call = await FindForAsync(callId, inviterId);
        if (MemberOf(call, inviterId).State != ParticipantState.Joined || !CallTransitions.IsLive(call.State))
            throw new PeercallException(409, ProblemCodes.IllegalTransition,
                $"This call is {Describe(call.State)} and you are not in it; only someone in a call can add people.");

        await using (await placement.EnterAsync())
        {
            if (!await db.Users.AnyAsync(u => u.Id == inviteeId))
                throw new PeercallException(404, ProblemCodes.UnknownCallee, "There is no user with this id.");
            call = await LoadAsync(callId);
            if (!CallTransitions.IsLive(call.State))
                throw new PeercallException(409, ProblemCodes.IllegalTransition, $"This call is {Describe(call.State)} now.");
            var existing = call.Participants.SingleOrDefault(p => p.UserId == inviteeId);
            if (existing is not null && CallTransitions.IsIn(existing.State)) return await ToDtoAsync(call);
            if (call.Participants.Count(p => CallTransitions.IsIn(p.State)) >= options.Value.MeshMaxParticipants)
                throw CallFull();

            var (state, reason) = await RingStateOfAsync(inviteeId);
            var now = time.StoredUtcNow();
            var member = existing ?? new CallMember { CallId = callId, UserId = inviteeId, State = state };
            var from = existing?.State;
            if (existing is null)
            {
                member.Reason = reason;
                member.Seat = call.Participants.Max(p => p.Seat) + 1;
                member.InvitedBy = inviterId;
                member.InvitedAt = now;
                member.HasSeen = !CallTransitions.WaitsToBeSeen(state, reason);
                db.Add(member);
                await db.SaveChangesAsync();
                db.ChangeTracker.Clear();
                call.Participants.Add(member);
            }
            else
            {
                await MoveMemberAsync(call, member, state, reason, connection: null, invitedBy: inviterId);
            }
            LogMember(call, member, from, inviterId);
            var dto = await ToDtoAsync(call);
            if (state == ParticipantState.Ringing) await notifier.RingAsync(dto, [inviteeId]);
            await notifier.StateChangedAsync(dto, Recipients(dto, inviteeId), actor: null, actingConnection: connectionId);
            return dto;
        }
    }

    public async Task<Call> AcceptAsync(Guid userId, Guid callId, string? connectionId)
    {
        var call = await FindRungAsync(callId, userId);
        var connection = await ResolveConnectionAsync(userId, connectionId);
        var member = MemberOf(call, userId);
        if (member.State == ParticipantState.Joined)
            throw new PeercallException(409, ProblemCodes.IllegalTransition, AnsweredElsewhere);
        if (member.State == ParticipantState.Ringing && await IsInAcceptedCallAsync(userId))
        {
            // The call this user is in may be this one, answered on another of their devices a moment ago.
            if ((await LoadAsync(callId)).Participants.Single(p => p.UserId == userId).State == ParticipantState.Joined)
                throw new PeercallException(409, ProblemCodes.IllegalTransition, AnsweredElsewhere);
            throw new PeercallException(409, ProblemCodes.AlreadyInCall, "Hang up your current call before answering another.");
        }
        return await ChangeAsync(call, userId, ParticipantState.Joined, CallReason.Answered, userId, connection);
    }

    public async Task<Call> DeclineAsync(Guid userId, Guid callId, string? connectionId) =>
        await ChangeAsync(await FindRungAsync(callId, userId), userId, ParticipantState.Declined, CallReason.Declined, userId, connectionId);

    public async Task<Call> CancelAsync(Guid userId, Guid callId)
    {
        var call = await FindForAsync(callId, userId);
        if (call.CallerId != userId) throw new PeercallException(404, ProblemCodes.CallNotFound, NotYours);
        if (call.State != CallState.Ringing)
            throw new PeercallException(409, ProblemCodes.IllegalTransition,
                $"This call is {Describe(call.State)}; it cannot become cancelled.");
        return await ChangeAsync(call, userId, ParticipantState.Left, CallReason.Cancelled, userId, null);
    }

    /// <summary>A participant leaves the call: hangs up a call they are in (the caller's leaving a call nobody
    /// answered yet cancels it), or declines one that rings them, with the given reason.</summary>
    public async Task<Call> EndAsync(Guid userId, Guid callId, CallReason reason, string? connectionId)
    {
        if (reason is not (CallReason.HungUp or CallReason.MediaFailed or CallReason.MediaLost))
            throw new PeercallException(400, ProblemCodes.BadRequest,
                "A party ends a call with the reason 'hung-up', 'media-failed' or 'media-lost'.");
        var call = await FindForAsync(callId, userId);
        if (reason == CallReason.MediaLost && call.State != CallState.Accepted)
            throw new PeercallException(409, ProblemCodes.IllegalTransition,
                $"This call is {Describe(call.State)}; only an answered call can lose its media.");
        var member = MemberOf(call, userId);
        switch (member.State)
        {
            case ParticipantState.Ringing:
                return await ChangeAsync(call, userId, ParticipantState.Declined,
                    reason == CallReason.HungUp ? CallReason.Declined : reason, userId, connectionId);
            case ParticipantState.Joined:
                return await ChangeAsync(call, userId, ParticipantState.Left,
                    reason == CallReason.HungUp && call.State == CallState.Ringing ? CallReason.Cancelled : reason, userId, connectionId);
            default:
                throw new PeercallException(409, ProblemCodes.IllegalTransition,
                    $"This call is {Describe(call.State)}; it cannot become ended.");
        }
    }

    /// <summary>Binds a participant of an accepted call to their new connection after a reconnect.</summary>
    public async Task<Call> ResumeAsync(Guid userId, Guid callId, string connectionId)
    {
        var call = await FindForAsync(callId, userId);
        var member = MemberOf(call, userId);
        var bound = member.ConnectionId;
        // Only the device coming back may take the call over, never a second device while the first still talks.
        // The device is its sign-in session: it may come back before the server has noticed its old connection
        // drop, which takes up to the keep-alive timeout when its network went away.
        if (call.State == CallState.Accepted && member.State == ParticipantState.Joined && bound is not null
            && bound != connectionId
            && await presence.FindAsync(bound) is { } talking
            && talking.SessionId != (await presence.FindAsync(connectionId))?.SessionId)
            throw new PeercallException(409, ProblemCodes.IllegalTransition, "This call is going on on another of your devices.");
        if (call.State != CallState.Accepted || member.State != ParticipantState.Joined
            || !await bindings.RebindAsync(callId, userId, connectionId))
            throw new PeercallException(409, ProblemCodes.IllegalTransition, $"This call is {Describe(call.State)}; it cannot be resumed.");
        await db.CallParticipants.Where(p => p.CallId == callId && p.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.ConnectionId, connectionId));
        logger.LogInformation("Call {CallId} resumed by {UserId} on {ConnectionId}", callId, userId, connectionId);
        return await ToDtoAsync(call);
    }

    public async Task<Call> GetAsync(Guid userId, Guid callId) => await ToDtoAsync(await FindForAsync(callId, userId));

    /// <summary>Invitees rung past the ring timeout are missed.</summary>
    public async Task<int> ExpireRingingAsync(TimeSpan ringTimeout)
    {
        var cutoff = time.GetUtcNow().UtcDateTime - ringTimeout;
        var expired = await db.CallParticipants.AsNoTracking()
            .Where(p => p.State == ParticipantState.Ringing && p.InvitedAt <= cutoff)
            .Select(p => new { p.CallId, p.UserId }).ToListAsync();
        return await CountChangesAsync(expired.Select(p => (p.CallId, p.UserId)), ParticipantState.Missed, CallReason.NoAnswer);
    }

    /// <summary>Participants of accepted calls gone longer than the grace period leave them.</summary>
    public async Task<int> EndAbandonedAsync(TimeSpan grace)
    {
        var cutoff = time.GetUtcNow().UtcDateTime - grace;
        var lost = await bindings.LostSinceAsync(cutoff);
        return await CountChangesAsync(lost.Select(l => (l.CallId, l.UserId)), ParticipantState.Left, CallReason.ConnectionLost);
    }

    /// <summary>A device's connection closed. A clean close means the device left: its calls end for it now. A
    /// dropped connection may come back, so its accepted calls wait out the grace period.</summary>
    public async Task ConnectionClosedAsync(RealtimeConnection connection, bool clean)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var ringingOut = await db.CallParticipants.AsNoTracking()
            .Where(p => p.ConnectionId == connection.Id && p.State == ParticipantState.Joined
                        && db.Calls.Any(c => c.Id == p.CallId && c.State == CallState.Ringing))
            .Select(p => new { p.CallId, p.UserId }).ToListAsync();
        await CountChangesAsync(ringingOut.Select(p => (p.CallId, p.UserId)), ParticipantState.Left, CallReason.ConnectionLost);

        if (await presence.PresenceOfAsync(connection.UserId) == Contracts.Contacts.Presence.Offline)
        {
            var ringingIn = await db.CallParticipants.AsNoTracking()
                .Where(p => p.UserId == connection.UserId && p.State == ParticipantState.Ringing)
                .Select(p => p.CallId).ToListAsync();
            await CountChangesAsync(ringingIn.Select(id => (id, connection.UserId)), ParticipantState.Missed, CallReason.CalleeOffline);
        }

        foreach (var callId in await bindings.BoundToAsync(connection.Id))
        {
            if (clean) await CountChangesAsync([(callId, connection.UserId)], ParticipantState.Left, CallReason.ConnectionLost);
            else await bindings.MarkLostAsync(callId, connection.Id, now);
        }
    }

    /// <summary>After a restart the bindings in memory are gone. Ringing invitees count as missed; accepted calls
    /// wait out the grace period for their participants to reconnect and resume them. On a node of a cluster the
    /// bindings outlive it and other nodes carry on: a ringing call is left to ring, its caller's connection
    /// watched by the others, and only an accepted call whose binding is missing is bound again.</summary>
    public async Task RecoverAfterRestartAsync()
    {
        if (!bindings.OutliveThisNode)
        {
            var ringing = await db.CallParticipants.AsNoTracking().Where(p => p.State == ParticipantState.Ringing)
                .Select(p => new { p.CallId, p.UserId }).ToListAsync();
            await CountChangesAsync(ringing.Select(p => (p.CallId, p.UserId)), ParticipantState.Missed, CallReason.ServerRestarted);
        }

        var now = time.StoredUtcNow();
        var joined = await db.CallParticipants.AsNoTracking()
            .Where(p => p.State == ParticipantState.Joined && db.Calls.Any(c => c.Id == p.CallId && c.State == CallState.Accepted))
            .Select(p => new { p.CallId, p.UserId }).ToListAsync();
        foreach (var call in joined.GroupBy(p => p.CallId))
        {
            await bindings.RestoreAsync(call.Key, [.. call.Select(p => p.UserId)], now);
            foreach (var member in call) await presence.SetInCallAsync(member.UserId, true);
        }
    }

    private async Task<int> CountChangesAsync(IEnumerable<(Guid CallId, Guid UserId)> members, ParticipantState to, CallReason reason)
    {
        var moved = 0;
        foreach (var (callId, userId) in members)
        {
            try
            {
                await ChangeAsync(await LoadAsync(callId), userId, to, reason, actorId: null, actingConnection: null);
                moved++;
            }
            catch (PeercallException e) when (e.Code == ProblemCodes.IllegalTransition)
            {
                // Another request or node moved it first: nothing left to do.
            }
        }
        return moved;
    }

    /// <summary>One participant's transition, then the call's, which follows from everyone's.</summary>
    private async Task<Call> ChangeAsync(CallRequest call, Guid userId, ParticipantState to, CallReason reason,
        Guid? actorId, string? actingConnection)
    {
        var member = MemberOf(call, userId);
        var from = member.State;
        if (!CallTransitions.IsLegal(from, to) || (to == ParticipantState.Joined && !CallTransitions.IsLive(call.State)))
            throw new PeercallException(409, ProblemCodes.IllegalTransition,
                $"This call is {Describe(call.State)}; it cannot become {Describe(to)} for you.");
        await MoveMemberAsync(call, member, to, reason, to == ParticipantState.Joined ? actingConnection : member.ConnectionId, invitedBy: null);
        LogMember(call, member, from, actorId);
        var changed = new List<Guid> { userId };

        call = await LoadAsync(call.Id);
        if (to == ParticipantState.Joined && !CallTransitions.IsLive(call.State))
        {
            // The call ended between the check and the join: this participant leaves with it.
            await MoveMemberAsync(call, MemberOf(call, userId), ParticipantState.Left, call.Reason, member.ConnectionId, null);
            throw new PeercallException(409, ProblemCodes.IllegalTransition, $"This call is {Describe(call.State)} now.");
        }
        var callFrom = call.State;
        var next = CallTransitions.Follow(call.State, [.. call.Participants.Select(p => p.State)], to);
        if (next is { } callTo && await MoveCallAsync(call, callTo, callTo == CallState.Accepted ? CallReason.Answered : reason))
        {
            LogCall(call, callFrom, actorId);
            if (callTo == CallState.Accepted)
            {
                foreach (var joined in call.Participants.Where(p => p.State == ParticipantState.Joined))
                    await JoinMediaAsync(call.Id, joined);
            }
            else
            {
                var settled = await SettleEndedAsync(call, reason);
                changed.AddRange(settled.Select(s => s.UserId));
                if (callFrom == CallState.Accepted)
                {
                    await bindings.UnbindAsync(call.Id);
                    var wereIn = settled.Where(s => s.From == ParticipantState.Joined).Select(s => s.UserId);
                    foreach (var user in from == ParticipantState.Joined ? wereIn.Append(userId) : wereIn)
                        await presenceService.SetInCallAsync(user, false);
                }
            }
        }
        else
        {
            // Another request or node may have moved the call meanwhile (two people answering at once).
            if (next is not null) call = await LoadAsync(call.Id);
            if (call.State == CallState.Accepted && to == ParticipantState.Joined) await JoinMediaAsync(call.Id, MemberOf(call, userId));
            // Leaving an answered call takes this participant out of its media, also when another's leaving ended
            // the call meanwhile (and so settled everyone else but not them).
            if (call.AnsweredAt is not null && from == ParticipantState.Joined) await LeaveMediaAsync(call.Id, userId);
        }

        // Who is in is read again with the call: someone who left by themselves meanwhile hears of it from their own
        // request, not twice.
        var dto = await ToDtoAsync(call);
        await notifier.StateChangedAsync(dto, Recipients(dto, [.. changed]), actorId, actingConnection);
        return dto;
    }

    /// <summary>A call that is over lets go of everyone still in it: the joined leave, the ringing are missed.</summary>
    private async Task<List<(Guid UserId, ParticipantState From)>> SettleEndedAsync(CallRequest call, CallReason reason)
    {
        var settled = new List<(Guid, ParticipantState)>();
        foreach (var member in call.Participants.Where(p => CallTransitions.IsIn(p.State)).ToList())
        {
            var from = member.State;
            var to = from == ParticipantState.Joined ? ParticipantState.Left : ParticipantState.Missed;
            try
            {
                await MoveMemberAsync(call, member, to, to == ParticipantState.Missed ? CallReason.Cancelled : reason,
                    member.ConnectionId, invitedBy: null);
            }
            catch (PeercallException e) when (e.Code == ProblemCodes.IllegalTransition)
            {
                continue; // It moved by itself meanwhile.
            }
            LogMember(call, member, from, actorId: null);
            settled.Add((member.UserId, from));
        }
        return settled;
    }

    private async Task JoinMediaAsync(Guid callId, CallMember member)
    {
        await bindings.BindAsync(callId, member.UserId, member.ConnectionId);
        await presenceService.SetInCallAsync(member.UserId, true);
    }

    private async Task LeaveMediaAsync(Guid callId, Guid userId)
    {
        await bindings.UnbindAsync(callId, userId);
        await presenceService.SetInCallAsync(userId, false);
    }

    private async Task MoveMemberAsync(CallRequest call, CallMember member, ParticipantState to, CallReason reason,
        string? connection, Guid? invitedBy)
    {
        var from = member.State;
        var now = time.StoredUtcNow();
        var ringsAgain = to is ParticipantState.Ringing or ParticipantState.Busy || (to == ParticipantState.Missed && from != ParticipantState.Ringing);
        var invitedAt = ringsAgain ? now : member.InvitedAt;
        var joinedAt = to == ParticipantState.Joined ? now : ringsAgain ? null : member.JoinedAt;
        DateTime? leftAt = to is ParticipantState.Joined or ParticipantState.Ringing ? null : now;
        var hasSeen = !CallTransitions.WaitsToBeSeen(to, reason);
        var inviter = invitedBy ?? member.InvitedBy;
        var updated = await db.CallParticipants
            .Where(p => p.CallId == call.Id && p.UserId == member.UserId && p.State == from)
            .ExecuteUpdateAsync(s => s
                .SetProperty(p => p.State, to)
                .SetProperty(p => p.Reason, reason)
                .SetProperty(p => p.InvitedAt, invitedAt)
                .SetProperty(p => p.InvitedBy, inviter)
                .SetProperty(p => p.JoinedAt, joinedAt)
                .SetProperty(p => p.LeftAt, leftAt)
                .SetProperty(p => p.ConnectionId, connection)
                .SetProperty(p => p.HasSeen, hasSeen));
        if (updated == 0)
        {
            var current = await db.CallParticipants.AsNoTracking()
                .Where(p => p.CallId == call.Id && p.UserId == member.UserId).Select(p => p.State).SingleAsync();
            throw new PeercallException(409, ProblemCodes.IllegalTransition,
                current == ParticipantState.Joined && to == ParticipantState.Joined
                    ? AnsweredElsewhere
                    : $"This call is {Describe(call.State)} now; it cannot become {Describe(to)} for you.");
        }
        member.State = to;
        member.Reason = reason;
        member.InvitedAt = invitedAt;
        member.InvitedBy = inviter;
        member.JoinedAt = joinedAt;
        member.LeftAt = leftAt;
        member.ConnectionId = connection;
        member.HasSeen = hasSeen;
    }

    /// <summary>The call's own transition; false when another request or node made it first.</summary>
    private async Task<bool> MoveCallAsync(CallRequest call, CallState to, CallReason reason)
    {
        var from = call.State;
        if (!CallTransitions.IsLegal(from, to)) return false;
        var now = time.StoredUtcNow();
        var answeredAt = to == CallState.Accepted ? now : call.AnsweredAt;
        var endedAt = to == CallState.Accepted ? (DateTime?)null : now;
        var updated = await db.Calls
            .Where(c => c.Id == call.Id && c.State == from)
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.State, to)
                .SetProperty(c => c.Reason, reason)
                .SetProperty(c => c.AnsweredAt, answeredAt)
                .SetProperty(c => c.EndedAt, endedAt));
        if (updated == 0) return false;
        call.State = to;
        call.Reason = reason;
        call.AnsweredAt = answeredAt;
        call.EndedAt = endedAt;
        return true;
    }

    private async Task<CallRequest> LoadAsync(Guid callId) =>
        await db.Calls.AsNoTracking().Include(c => c.Participants).SingleAsync(c => c.Id == callId);

    private async Task<CallRequest> FindForAsync(Guid callId, Guid userId)
    {
        var call = await db.Calls.AsNoTracking().Include(c => c.Participants).SingleOrDefaultAsync(c => c.Id == callId);
        // Someone who was never in a call learns nothing about it, not even that it exists.
        if (call is null || call.Participants.All(p => p.UserId != userId))
            throw new PeercallException(404, ProblemCodes.CallNotFound, NotYours);
        return call;
    }

    /// <summary>A call this user was rung for: only they may answer or decline it.</summary>
    private async Task<CallRequest> FindRungAsync(Guid callId, Guid userId)
    {
        var call = await FindForAsync(callId, userId);
        if (MemberOf(call, userId).InvitedBy is null) throw new PeercallException(404, ProblemCodes.CallNotFound, NotYours);
        return call;
    }

    private static CallMember MemberOf(CallRequest call, Guid userId) => call.Participants.Single(p => p.UserId == userId);

    /// <summary>Who hears of a change: everyone ringing or joined, and whoever the change just let go.</summary>
    private static IReadOnlyList<Guid> Recipients(Call call, params Guid[] changed) =>
        call.Participants.Where(p => CallTransitions.IsIn(p.State) || changed.Contains(p.Party.Id)).Select(p => p.Party.Id).ToList();

    private async Task<(ParticipantState, CallReason)> RingStateOfAsync(Guid userId)
    {
        if (await IsInAcceptedCallAsync(userId)) return (ParticipantState.Busy, CallReason.CalleeBusy);
        if (await presence.PresenceOfAsync(userId) == Contracts.Contacts.Presence.Offline)
            return (ParticipantState.Missed, CallReason.CalleeOffline);
        return (ParticipantState.Ringing, CallReason.None);
    }

    private PeercallException CallFull() => new(409, ProblemCodes.CallFull,
        $"A call holds at most {options.Value.MeshMaxParticipants} people here, because everyone sends their media to "
        + "everyone else. A larger call needs a media server (SFU), which this server does not have.");

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
        || await db.CallParticipants.AnyAsync(p => p.UserId == userId && p.State == ParticipantState.Joined
                                                   && db.Calls.Any(c => c.Id == p.CallId && c.State == CallState.Accepted));

    /// <summary>When two users call each other at once, the call placed by the user with the smaller id
    /// survives, whichever request arrived first; the other one is cancelled with the reason "glare". A group call
    /// that rings others too always survives: the new call's caller is rung into it already, and the others would
    /// otherwise stop ringing for a call that has nothing to do with them.</summary>
    private async Task<Call?> ResolveGlareAsync(CallRequest call, IReadOnlyDictionary<Guid, User> users)
    {
        var reverse = await db.Calls.AsNoTracking().Include(c => c.Participants).SingleOrDefaultAsync(c =>
            c.CallerId == call.CalleeId && c.State == CallState.Ringing
            && c.Participants.Any(p => p.UserId == call.CallerId && p.State == ParticipantState.Ringing));
        if (reverse is null) return null;
        var reverseRingsOthers = reverse.Participants.Any(p =>
            p.UserId != reverse.CallerId && p.UserId != call.CallerId && CallTransitions.IsIn(p.State));
        if (reverseRingsOthers || reverse.CallerId.CompareTo(call.CallerId) < 0)
        {
            call.Participants.Add(new CallMember
            {
                CallId = call.Id, UserId = call.CalleeId, Seat = 1, State = ParticipantState.Missed, Reason = CallReason.Glare,
                InvitedBy = call.CallerId, InvitedAt = call.CreatedAt,
            });
            Finish(call, CallState.Cancelled, CallReason.Glare, call.CreatedAt);
            db.Calls.Add(call);
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
            LogCall(call, from: null, call.CallerId);
            var dto = ToDto(call, users);
            await notifier.StateChangedAsync(dto, [call.CallerId, call.CalleeId], actor: null, actingConnection: null);
            return dto;
        }
        await ChangeAsync(reverse, reverse.CallerId, ParticipantState.Left, CallReason.Glare, call.CallerId, actingConnection: null);
        return null;
    }

    /// <summary>A call over at its creation: nobody could be rung. The caller leaves it at once.</summary>
    private static void Finish(CallRequest call, CallState state, CallReason reason, DateTime now)
    {
        call.State = state;
        call.Reason = reason;
        call.EndedAt = now;
        var caller = call.Participants[0];
        caller.State = ParticipantState.Left;
        caller.Reason = reason;
        caller.LeftAt = now;
    }

    private void LogCall(CallRequest call, CallState? from, Guid? actorId) =>
        logger.LogInformation(
            "Call {CallId} {FromState} -> {ToState} ({Reason}) by {ActorId}; caller {CallerId}, callee {CalleeId}",
            call.Id, from?.ToString() ?? "new", call.State, call.Reason, actorId?.ToString() ?? "server",
            call.CallerId, call.CalleeId);

    private void LogMember(CallRequest call, CallMember member, ParticipantState? from, Guid? actorId) =>
        logger.LogInformation("Call {CallId}: participant {UserId} {FromState} -> {ToState} ({Reason}) by {ActorId}",
            call.Id, member.UserId, from?.ToString() ?? "new", member.State, member.Reason, actorId?.ToString() ?? "server");

    private async Task<Call> ToDtoAsync(CallRequest call)
    {
        call = await LoadAsync(call.Id);
        var ids = call.Participants.Select(p => p.UserId).ToList();
        return ToDto(call, await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id));
    }

    public static Call ToDto(CallRequest call, IReadOnlyDictionary<Guid, User> users) => new(
        call.Id, Party(users[call.CallerId]), Party(users[call.CalleeId]), call.Media, call.State, call.Reason,
        Utc(call.CreatedAt), call.AnsweredAt is { } a ? Utc(a) : null, call.EndedAt is { } e ? Utc(e) : null,
        Participants(call.Participants, users));

    /// <summary>The caller first, then everyone else in the order they were first rung.</summary>
    public static IReadOnlyList<CallParticipant> Participants(IEnumerable<CallMember> members, IReadOnlyDictionary<Guid, User> users) =>
        members.OrderBy(p => p.Seat)
            .Select(p => new CallParticipant(Party(users[p.UserId]), p.State, p.Reason, Utc(p.InvitedAt),
                p.JoinedAt is { } j ? Utc(j) : null, p.LeftAt is { } l ? Utc(l) : null))
            .ToList();

    public static CallParty Party(User user) => new(user.Id, user.UserName!, user.DisplayName);

    private static DateTimeOffset Utc(DateTime value) => new(value, TimeSpan.Zero);

    private static string Describe(CallState state) => state.ToString().ToLowerInvariant();

    private static string Describe(ParticipantState state) => state.ToString().ToLowerInvariant();
}
