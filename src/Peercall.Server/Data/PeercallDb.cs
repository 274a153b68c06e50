using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Peercall.Server.Accounts;
using Peercall.Server.Calls;

namespace Peercall.Server.Data;

/// <summary>The database every feature uses. Each provider has a subclass only so that it has migrations of
/// its own; the model is the same.</summary>
public abstract class PeercallDb(DbContextOptions options) : IdentityUserContext<User, Guid>(options)
{
    public DbSet<SignInSession> SignInSessions => Set<SignInSession>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<CallRequest> Calls => Set<CallRequest>();
    public DbSet<CallMember> CallParticipants => Set<CallMember>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configuration)
    {
        // Every timestamp is UTC; SQLite would otherwise hand them back as DateTimeKind.Unspecified.
        configuration.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configuration.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder model)
    {
        base.OnModelCreating(model);

        model.Entity<User>(user =>
        {
            user.Property(u => u.DisplayName).HasMaxLength(64);
            user.Property(u => u.UserName).HasMaxLength(32);
            user.Property(u => u.NormalizedUserName).HasMaxLength(32);
        });

        model.Entity<SignInSession>(session =>
        {
            session.HasOne<User>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
            session.Property(s => s.RevokedReason).HasMaxLength(64);
        });

        model.Entity<RefreshToken>(token =>
        {
            token.HasOne<SignInSession>().WithMany().HasForeignKey(t => t.SessionId).OnDelete(DeleteBehavior.Cascade);
            token.Property(t => t.TokenHash).HasMaxLength(64);
            token.HasIndex(t => t.TokenHash).IsUnique();
        });

        model.Entity<CallRequest>(call =>
        {
            call.HasOne<User>().WithMany().HasForeignKey(c => c.CallerId).OnDelete(DeleteBehavior.Cascade);
            call.HasOne<User>().WithMany().HasForeignKey(c => c.CalleeId).OnDelete(DeleteBehavior.Cascade);
            call.Property(c => c.Media).HasConversion<string>().HasMaxLength(16);
            call.Property(c => c.State).HasConversion<string>().HasMaxLength(16);
            call.Property(c => c.Reason).HasConversion<string>().HasMaxLength(32);
            call.HasIndex(c => new { c.State, c.CreatedAt });
            call.HasIndex(c => new { c.CallerId, c.CreatedAt });
            call.HasIndex(c => new { c.CalleeId, c.CreatedAt });
            call.HasMany(c => c.Participants).WithOne().HasForeignKey(p => p.CallId).OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<CallMember>(member =>
        {
            member.ToTable("CallParticipants");
            member.HasKey(p => new { p.CallId, p.UserId });
            member.HasOne<User>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
            member.Property(p => p.State).HasConversion<string>().HasMaxLength(16);
            member.Property(p => p.Reason).HasConversion<string>().HasMaxLength(32);
            member.Property(p => p.ConnectionId).HasMaxLength(64);
            member.HasIndex(p => new { p.CallId, p.Seat }).IsUnique();
            member.HasIndex(p => new { p.UserId, p.State });
            member.HasIndex(p => new { p.State, p.InvitedAt });
            member.HasIndex(p => p.ConnectionId);
        });
    }

    private sealed class UtcDateTimeConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}

public sealed class SqlitePeercallDb(DbContextOptions<SqlitePeercallDb> options) : PeercallDb(options);

public sealed class PostgresPeercallDb(DbContextOptions<PostgresPeercallDb> options) : PeercallDb(options);
