using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Peercall.Contracts.Contacts;
using Peercall.Server.Accounts;
using Peercall.Server.Data;
using Peercall.Server.Hosting;
using Peercall.Server.Presence;

namespace Peercall.Server.Contacts;

public static class ContactsApi
{
    public const int MaxPageSize = 200;
    public const int MaxSearchLength = 64;

    public static IEndpointRouteBuilder MapContactsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("api/users", List).WithTags("Contacts").RequireAuthorization()
            .WithName("ListContacts")
            .WithSummary("Everyone else, online first, with presence; searchable and paged");
        return app;
    }

    private static async Task<Results<Ok<Page<Contact>>, ValidationProblem>> List(
        ClaimsPrincipal principal, PeercallDb db, IPresenceDirectory presence,
        string? search = null, int page = 1, int pageSize = 50)
    {
        var errors = new Dictionary<string, string[]>();
        if (page < 1) errors["page"] = ["Pages are numbered from 1."];
        if (pageSize is < 1 or > MaxPageSize) errors["pageSize"] = [$"A page holds 1 to {MaxPageSize} users."];
        var term = AccountInput.Tidy(search);
        if (term.Length > MaxSearchLength) errors["search"] = [$"A search has at most {MaxSearchLength} characters."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var me = principal.UserId();

        // Presence lives outside the database (in memory, or in Redis on a cluster), so the ordering (online first)
        // is done here on a slim projection. The search is matched here too: SQLite's UPPER() folds only ASCII
        // letters, and names may be in any script.
        var present = await presence.PresentAsync();
        var upper = term.ToUpperInvariant();
        var matches = (await db.Users.AsNoTracking().Where(u => u.Id != me)
                .Select(u => new { u.Id, u.UserName, u.NormalizedUserName, u.DisplayName, u.LastSeenAt })
                .ToListAsync())
            .Where(u => upper.Length == 0
                        || u.NormalizedUserName!.Contains(upper, StringComparison.Ordinal)
                        || u.DisplayName.ToUpperInvariant().Contains(upper, StringComparison.Ordinal))
            .ToList();
        var contacts = matches
            .Select(u => new Contact(u.Id, u.UserName!, u.DisplayName,
                present.GetValueOrDefault(u.Id, Contracts.Contacts.Presence.Offline),
                u.LastSeenAt is { } seen ? new DateTimeOffset(seen, TimeSpan.Zero) : null))
            .OrderBy(c => c.Presence == Contracts.Contacts.Presence.Offline)
            .ThenBy(c => c.DisplayName, StringComparer.CurrentCultureIgnoreCase)
            .ThenBy(c => c.Username, StringComparer.OrdinalIgnoreCase)
            .Skip((int)Math.Min((long)(page - 1) * pageSize, int.MaxValue))
            .Take(pageSize)
            .ToList();
        return TypedResults.Ok(new Page<Contact>(contacts, page, pageSize, matches.Count));
    }
}
