using Peercall.Contracts.Calls;

namespace Peercall.Server.Calls;

/// <summary>A call from its request to its end: the original design's call_request. Only
/// <see cref="CallTransitions"/> changes <see cref="State"/>.</summary>
public sealed class CallRequest
{
    public Guid Id { get; set; }
    public Guid CallerId { get; set; }
    public Guid CalleeId { get; set; }
    public CallMedia Media { get; set; }
    public CallState State { get; set; }
    public CallReason Reason { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? AnsweredAt { get; set; }
    public DateTime? EndedAt { get; set; }

    /// <summary>The realtime connections the call is bound to, one per side; the callee's is set on accept.</summary>
    public string? CallerConnectionId { get; set; }
    public string? CalleeConnectionId { get; set; }

    /// <summary>False while a missed or busy call is waiting for the callee to see it.</summary>
    public bool CalleeHasSeen { get; set; } = true;
}
