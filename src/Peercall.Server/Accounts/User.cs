using Microsoft.AspNetCore.Identity;
using Peercall.Contracts.Accounts;

namespace Peercall.Server.Accounts;

public sealed class User : IdentityUser<Guid>
{
    public string DisplayName { get; set; } = "";
    public DateTime CreatedAt { get; set; }

    /// <summary>When the user's last realtime connection closed; null while they have never connected.</summary>
    public DateTime? LastSeenAt { get; set; }

    public UserProfile ToProfile() =>
        new(Id, UserName!, DisplayName, new DateTimeOffset(CreatedAt, TimeSpan.Zero));
}
