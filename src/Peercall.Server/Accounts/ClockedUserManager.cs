using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Peercall.Server.Data;

namespace Peercall.Server.Accounts;

/// <summary>
/// Identity's user manager with its lockout measured on the injected <see cref="TimeProvider"/> instead of the wall
/// clock, so a lockout starts and ends on the same time line as every other timeout and as the time in its error.
/// </summary>
public sealed class ClockedUserManager(
    IUserStore<User> store,
    IOptions<IdentityOptions> options,
    IPasswordHasher<User> passwordHasher,
    IEnumerable<IUserValidator<User>> userValidators,
    IEnumerable<IPasswordValidator<User>> passwordValidators,
    ILookupNormalizer normalizer,
    IdentityErrorDescriber errors,
    IServiceProvider services,
    ILogger<UserManager<User>> logger,
    TimeProvider time)
    : UserManager<User>(store, options, passwordHasher, userValidators, passwordValidators, normalizer, errors, services, logger)
{
    public override Task<bool> IsLockedOutAsync(User user) =>
        Task.FromResult(user.LockoutEnabled && user.LockoutEnd >= time.GetUtcNow());

    /// <summary>Counts a failed sign-in; the one that reaches the limit locks the account and starts the count anew.</summary>
    public override Task<IdentityResult> AccessFailedAsync(User user)
    {
        if (++user.AccessFailedCount >= Options.Lockout.MaxFailedAccessAttempts)
        {
            user.LockoutEnd = time.StoredNow() + Options.Lockout.DefaultLockoutTimeSpan;
            user.AccessFailedCount = 0;
        }
        return UpdateAsync(user);
    }
}
