using Peercall.Contracts.Contacts;

namespace Peercall.Web.Localization;

/// <summary>Numbers and times written the way each language expects; the app runs in invariant globalization
/// mode, so nothing here relies on .NET cultures.</summary>
public static class Formats
{
    public static string Presence(UiText text, Presence presence, DateTimeOffset? lastSeenAt, DateTimeOffset now) =>
        presence switch
        {
            Contracts.Contacts.Presence.Online => text.PresenceOnline,
            Contracts.Contacts.Presence.InCall => text.PresenceInCall,
            _ when lastSeenAt is { } seen => LastSeen(text, now - seen),
            _ => text.PresenceOffline,
        };

    public static string LastSeen(UiText text, TimeSpan ago) => ago switch
    {
        { TotalMinutes: < 1 } => text.LastSeenJustNow,
        { TotalHours: < 1 } => text.LastSeenMinutes((int)ago.TotalMinutes),
        { TotalDays: < 1 } => text.LastSeenHours((int)ago.TotalHours),
        _ => text.LastSeenDays((int)ago.TotalDays),
    };

    public static string Duration(TimeSpan duration)
    {
        var d = duration < TimeSpan.Zero ? TimeSpan.Zero : duration;
        return d.TotalHours >= 1
            ? $"{(int)d.TotalHours}:{d.Minutes:00}:{d.Seconds:00}"
            : $"{d.Minutes}:{d.Seconds:00}";
    }

    /// <summary>"Today 14:05", "Yesterday 09:12", "3 Mar 18:40" (and the year when it is not this one).</summary>
    public static string When(UiText text, DateTimeOffset at, DateTimeOffset now)
    {
        var local = at.ToLocalTime();
        var today = now.ToLocalTime().Date;
        var time = $"{local.Hour:00}:{local.Minute:00}";
        if (local.Date == today) return $"{text.Today} {time}";
        if (local.Date == today.AddDays(-1)) return $"{text.Yesterday} {time}";
        var year = local.Year == today.Year ? "" : $" {local.Year}";
        return $"{local.Day} {text.MonthsShort[local.Month - 1]}{year} {time}";
    }

    public static string Milliseconds(UiText text, double seconds) => $"{Math.Round(seconds * 1000):0} {text.MillisecondsUnit}";

    public static string Percent(double fraction) => $"{Math.Round(fraction * 100):0} %";
}
