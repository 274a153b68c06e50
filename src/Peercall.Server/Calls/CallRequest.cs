using Peercall.Contracts.Calls;

namespace Peercall.Server.Calls;

/// <summary>A call from its request to its end: the original design's call_request. Only
/// <see cref="CallTransitions"/> changes <see cref="State"/>; it follows its <see cref="Participants"/>.</summary>
public sealed class CallRequest
{
    public Guid Id { get; set; }
    public Guid CallerId { get; set; }
    /// <summary>The first person rung: the other party of a call between two.</summary>
    public Guid CalleeId { get; set; }
    public CallMedia Media { get; set; }
    public CallState State { get; set; }
    public CallReason Reason { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? AnsweredAt { get; set; }
    public DateTime? EndedAt { get; set; }

    public List<CallMember> Participants { get; set; } = [];
}

/// <summary>One person in a call (the contracts' CallParticipant). Only <see cref="CallTransitions"/> changes
/// <see cref="State"/>.</summary>
public sealed class CallMember
{
    public Guid CallId { get; set; }
    public Guid UserId { get; set; }
    /// <summary>Their place in the call's list: the order in which people were first rung, the caller 0.</summary>
    public int Seat { get; set; }
    public ParticipantState State { get; set; }
    public CallReason Reason { get; set; }
    /// <summary>Who rang them in; null for the caller.</summary>
    public Guid? InvitedBy { get; set; }
    public DateTime InvitedAt { get; set; }
    public DateTime? JoinedAt { get; set; }
    public DateTime? LeftAt { get; set; }

    /// <summary>The realtime connection this person's signals travel on while joined.</summary>
    public string? ConnectionId { get; set; }

    /// <summary>False while a missed or busy call is waiting for this person to see it.</summary>
    public bool HasSeen { get; set; } = true;
}
