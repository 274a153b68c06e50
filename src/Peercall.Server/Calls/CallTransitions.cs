using System.Collections.Frozen;
using Peercall.Contracts.Calls;

namespace Peercall.Server.Calls;

/// <summary>
/// The call state machine, written once. A call is created as ringing, or directly as missed (the callee is
/// offline) or busy (the callee is in a call). From there:
/// ringing → accepted → ended; ringing → declined; ringing → cancelled; ringing → missed.
/// </summary>
public static class CallTransitions
{
    private static readonly FrozenDictionary<CallState, CallState[]> Legal = new Dictionary<CallState, CallState[]>
    {
        [CallState.Ringing] = [CallState.Accepted, CallState.Declined, CallState.Cancelled, CallState.Missed],
        [CallState.Accepted] = [CallState.Ended],
    }.ToFrozenDictionary();

    public static bool IsLegal(CallState from, CallState to) =>
        Legal.TryGetValue(from, out var next) && next.Contains(to);
}
