using Peercall.Contracts.Contacts;
using Peercall.Web.Localization;

namespace Peercall.Web.Tests.Localization;

public sealed class FormatsTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 15, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(Presence.Online, null, "online")]
    [InlineData(Presence.InCall, null, "in a call")]
    [InlineData(Presence.Offline, null, "offline")]
    [InlineData(Presence.Offline, 20, "last seen just now")]
    [InlineData(Presence.Offline, 5 * 60 + 10, "last seen 5 min ago")]
    [InlineData(Presence.Offline, 3 * 3600, "last seen 3 h ago")]
    [InlineData(Presence.Offline, 26 * 3600, "last seen yesterday")]
    [InlineData(Presence.Offline, 5 * 86400, "last seen 5 days ago")]
    public void Presence_reads_naturally_in_English(Presence presence, int? secondsAgo, string expected) =>
        Assert.Equal(expected, Formats.Presence(English.Text, presence,
            secondsAgo is { } s ? Now.AddSeconds(-s) : null, Now));

    [Theory]
    [InlineData(1, "был(а) 1 мин назад")]
    [InlineData(2 * 86400, "был(а) 2 дня назад")]
    [InlineData(5 * 86400, "был(а) 5 дней назад")]
    [InlineData(21 * 86400, "был(а) 21 день назад")]
    public void Russian_counts_take_the_right_form(int secondsOrDays, string expected)
    {
        var ago = secondsOrDays < 86400 ? TimeSpan.FromMinutes(secondsOrDays) : TimeSpan.FromSeconds(secondsOrDays);
        Assert.Equal(expected, Formats.LastSeen(Russian.Text, ago));
    }

    [Theory]
    [InlineData(1, "1 пропущенный звонок")]
    [InlineData(3, "3 пропущенных звонка")]
    [InlineData(11, "11 пропущенных звонков")]
    [InlineData(22, "22 пропущенных звонка")]
    [InlineData(25, "25 пропущенных звонков")]
    public void Russian_missed_call_counts_agree_with_the_number(int count, string expected) =>
        Assert.Equal(expected, Russian.Text.UnseenMissedCalls(count));

    [Theory]
    [InlineData(0, "0:00")]
    [InlineData(7, "0:07")]
    [InlineData(125, "2:05")]
    [InlineData(3725, "1:02:05")]
    public void Durations_are_minutes_and_seconds(int seconds, string expected) =>
        Assert.Equal(expected, Formats.Duration(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData("en", 0.0423, "42 ms")]
    [InlineData("ru", 0.0423, "42 мс")]
    [InlineData("ru", 1.5, "1500 мс")]
    public void Round_trips_are_milliseconds_in_the_language_shown(string language, double seconds, string expected) =>
        Assert.Equal(expected, Formats.Milliseconds(language == "ru" ? Russian.Text : English.Text, seconds));

    [Fact]
    public void Every_string_exists_in_every_language_and_differs_from_English()
    {
        var properties = typeof(UiText).GetProperties().Where(p => p.PropertyType == typeof(string)).ToList();
        foreach (var property in properties)
        {
            var english = (string)property.GetValue(English.Text)!;
            var russian = (string)property.GetValue(Russian.Text)!;
            Assert.False(string.IsNullOrWhiteSpace(english), property.Name);
            Assert.False(string.IsNullOrWhiteSpace(russian), property.Name);
            Assert.True(english != russian, $"{property.Name} is not translated: \"{russian}\".");
        }
    }
}
