using System.Collections.Frozen;
using Peercall.Contracts.Calls;

namespace Peercall.Server.Calls;

/// <summary>
/// The call state machine, written once: a state for each participant, and the call's own state, which follows
/// from theirs.
/// <para>A participant rings, then joins, declines or is missed; a joined participant leaves. Someone who left,
/// declined, was missed or was busy may be rung into the same call again (and be busy or missed again at once,
/// when an invitation finds them in another call or offline). The caller is joined from the start.</para>
/// <para>A call rings until a second person joins (accepted) and ends when fewer than two are left. If nobody
/// answered it is cancelled (the caller left), declined, missed or busy, as the last invitee's ring ended.</para>
/// </summary>
public static class CallTransitions
{
    private static readonly FrozenDictionary<CallState, CallState[]> LegalForCalls = new Dictionary<CallState, CallState[]>
    {
        [CallState.Ringing] = [CallState.Accepted, CallState.Declined, CallState.Cancelled, CallState.Missed, CallState.Busy],
        [CallState.Accepted] = [CallState.Ended],
    }.ToFrozenDictionary();

    // Rung again, which may end at once (busy or offline): only an invitation does that, never a sweep.
    private static readonly ParticipantState[] RingAgain = [ParticipantState.Ringing];

    private static readonly FrozenDictionary<ParticipantState, ParticipantState[]> LegalForParticipants =
        new Dictionary<ParticipantState, ParticipantState[]>
        {
            [ParticipantState.Ringing] = [ParticipantState.Joined, ParticipantState.Declined, ParticipantState.Missed],
            [ParticipantState.Joined] = [ParticipantState.Left],
            [ParticipantState.Left] = RingAgain,
            [ParticipantState.Declined] = RingAgain,
            [ParticipantState.Missed] = RingAgain,
            [ParticipantState.Busy] = RingAgain,
        }.ToFrozenDictionary();

    public static bool IsLegal(CallState from, CallState to) =>
        LegalForCalls.TryGetValue(from, out var next) && next.Contains(to);

    public static bool IsLegal(ParticipantState from, ParticipantState to) =>
        LegalForParticipants.TryGetValue(from, out var next) && next.Contains(to);

    /// <summary>Whether someone may be rung into a call they are no longer ringing for or in.</summary>
    public static bool MayRingAgain(ParticipantState state) => IsLegal(state, ParticipantState.Ringing);

    public static bool IsLive(CallState state) => state is CallState.Ringing or CallState.Accepted;

    public static bool IsIn(ParticipantState state) => state is ParticipantState.Ringing or ParticipantState.Joined;

    /// <summary>What a call becomes now that its participants are in <paramref name="participants"/>, the last
    /// change being one to <paramref name="changedTo"/>; null when it stays as it is.</summary>
    public static CallState? Follow(CallState call, IReadOnlyCollection<ParticipantState> participants, ParticipantState changedTo)
    {
        var joined = participants.Count(p => p == ParticipantState.Joined);
        var ringing = participants.Count(p => p == ParticipantState.Ringing);
        return call switch
        {
            CallState.Ringing when joined >= 2 => CallState.Accepted,
            CallState.Ringing when joined == 0 => CallState.Cancelled,
            CallState.Ringing when ringing == 0 => changedTo switch
            {
                ParticipantState.Declined => CallState.Declined,
                ParticipantState.Busy => CallState.Busy,
                _ => CallState.Missed,
            },
            CallState.Accepted when joined < 2 => CallState.Ended,
            _ => null,
        };
    }

    /// <summary>Whether a participant's missed or busy ring waits to be seen; a ring the caller stopped does not.</summary>
    public static bool WaitsToBeSeen(ParticipantState state, CallReason reason) =>
        state is ParticipantState.Missed or ParticipantState.Busy && reason is not (CallReason.Cancelled or CallReason.Glare);
}
