using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Peercall.Contracts;
using Peercall.Contracts.Accounts;
using Peercall.Contracts.Contacts;
using Peercall.Contracts.Signaling;
using Peercall.Server.Data;
using Peercall.Server.Hosting;
using Peercall.Server.Presence;
using Peercall.Server.Signaling;

namespace Peercall.Server.Accounts;

public sealed class AccountService(
    PeercallDb db,
    UserManager<User> users,
    TokenIssuer tokens,
    UnknownUsernameLockout unknownNames,
    IPresenceDirectory presence,
    IHubContext<SignalingHub, ISignalingClient> hub,
    TimeProvider time,
    ILogger<AccountService> logger)
{
    private const string WrongCredentials = "The username or password is wrong.";

    public async Task<UserProfile> RegisterAsync(string username, string password, string displayName)
    {
        var user = new User
        {
            Id = Guid.CreateVersion7(),
            UserName = username,
            DisplayName = displayName,
            CreatedAt = time.StoredUtcNow(),
        };
        var result = await users.CreateAsync(user, password);
        if (result.Succeeded)
        {
            await AnnounceAsync(user);
            return user.ToProfile();
        }

        if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.DuplicateUserName)))
            throw new PeercallException(409, ProblemCodes.UsernameTaken, $"The username '{username}' is taken.");
        throw new PeercallException(400, ProblemCodes.ValidationFailed,
            string.Join(" ", result.Errors.Select(e => e.Description)));
    }

    /// <summary>Tells everyone connected about a new account, so complete contact lists show it at once. The
    /// account exists either way: a failure here only delays that until the next reload.</summary>
    private async Task AnnounceAsync(User user)
    {
        try
        {
            await hub.Clients.All.ContactAdded(
                new Contact(user.Id, user.UserName!, user.DisplayName, Contracts.Contacts.Presence.Offline, null));
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "The new account {UserId} could not be announced", user.Id);
        }
    }

    public async Task<TokenPair> LoginAsync(LoginRequest request)
    {
        var username = AccountInput.Tidy(request.Username);
        var user = await users.FindByNameAsync(username);
        if (user is null)
        {
            // Spend the time and give the answers of a real account, so nothing tells which usernames exist.
            if (unknownNames.LockedUntil(username) is { } lockedUntil) throw Locked(lockedUntil);
            users.PasswordHasher.VerifyHashedPassword(new User(), DecoyHash, request.Password ?? "");
            if (unknownNames.Fail(username) is { } nowLockedUntil) throw Locked(nowLockedUntil);
            throw InvalidCredentials();
        }
        if (await users.IsLockedOutAsync(user)) throw Locked(user.LockoutEnd!.Value);

        if (!await users.CheckPasswordAsync(user, request.Password ?? ""))
        {
            await users.AccessFailedAsync(user);
            logger.LogWarning("Failed sign-in for {UserId}", user.Id);
            if (await users.IsLockedOutAsync(user)) throw Locked(user.LockoutEnd!.Value);
            throw InvalidCredentials();
        }
        await users.ResetAccessFailedCountAsync(user);

        var session = new SignInSession { Id = Guid.CreateVersion7(), UserId = user.Id, CreatedAt = time.StoredUtcNow() };
        var (refresh, record) = tokens.CreateRefreshToken(session.Id);
        db.SignInSessions.Add(session);
        db.RefreshTokens.Add(record);
        await db.SaveChangesAsync();
        logger.LogInformation("User {UserId} signed in, session {SessionId}", user.Id, session.Id);
        return tokens.Pair(user, session.Id, refresh);
    }

    public async Task<TokenPair> RefreshAsync(string refreshToken)
    {
        var now = time.StoredUtcNow();
        var record = await db.RefreshTokens.AsNoTracking()
            .SingleOrDefaultAsync(t => t.TokenHash == TokenIssuer.Hash(refreshToken ?? ""));
        if (record is null) throw InvalidRefresh("This refresh token is not known. Sign in again.");

        var session = await db.SignInSessions.AsNoTracking().SingleAsync(s => s.Id == record.SessionId);
        if (session.RevokedAt is not null) throw InvalidRefresh("This session has ended. Sign in again.");
        if (record.ExpiresAt <= now) throw InvalidRefresh("This refresh token has expired. Sign in again.");

        // Consuming is conditional, so two concurrent uses of one token cannot both succeed.
        var consumed = await db.RefreshTokens
            .Where(t => t.Id == record.Id && t.ConsumedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.ConsumedAt, now));
        if (consumed == 0)
        {
            await RevokeSessionAsync(session.Id, "refresh-token-reused");
            logger.LogWarning("Refresh token reused: session {SessionId} of {UserId} revoked", session.Id, session.UserId);
            throw InvalidRefresh("This refresh token was already used, so the session has been ended for safety. Sign in again.");
        }

        var user = await users.FindByIdAsync(session.UserId.ToString())
                   ?? throw InvalidRefresh("This account no longer exists.");
        var (token, next) = tokens.CreateRefreshToken(session.Id);
        db.RefreshTokens.Add(next);
        await db.SaveChangesAsync();
        return tokens.Pair(user, session.Id, token);
    }

    public async Task RevokeSessionAsync(Guid sessionId, string reason)
    {
        var now = time.StoredUtcNow();
        await db.SignInSessions
            .Where(s => s.Id == sessionId && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now).SetProperty(x => x.RevokedReason, reason));
        await presence.CloseSessionAsync(sessionId);
    }

    public Task<bool> IsSessionActiveAsync(Guid sessionId) =>
        db.SignInSessions.AnyAsync(s => s.Id == sessionId && s.RevokedAt == null);

    private static PeercallException InvalidCredentials() =>
        new(401, ProblemCodes.InvalidCredentials, WrongCredentials);

    private static PeercallException InvalidRefresh(string message) =>
        new(401, ProblemCodes.InvalidRefreshToken, message);

    private static PeercallException Locked(DateTimeOffset lockoutEnd)
    {
        var until = lockoutEnd.ToUniversalTime();
        return new PeercallException(403, ProblemCodes.AccountLocked,
            $"Too many failed sign-ins. This account is locked until {until:yyyy-MM-dd HH:mm:ss} UTC.",
            new Dictionary<string, object?> { ["lockedUntil"] = until });
    }

    private static readonly string DecoyHash = new PasswordHasher<User>().HashPassword(new User(), "decoy-password");
}
