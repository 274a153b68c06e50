using System.Text.RegularExpressions;
using Microsoft.AspNetCore.SignalR;

namespace Peercall.Client;

/// <summary>
/// The server refused a hub call. On the wire SignalR puts its own words before the server's "code: detail"
/// ("An unexpected error occurred invoking 'X' on the server. HubException: code: detail"); this keeps only the
/// server's, so that <see cref="Exception.Message"/> starts with the stable <see cref="Code"/>.
/// </summary>
public sealed partial class PeercallHubException(string code, string detail, HubException wire)
    : HubException($"{code}: {detail}", wire)
{
    public string Code { get; } = code;
    public string Detail { get; } = detail;

    /// <summary>The refusal carried by a hub error, or null for an error that carries no code.</summary>
    public static PeercallHubException? From(HubException e) =>
        Refusal().Match(e.Message) is { Success: true } match
            ? new PeercallHubException(match.Groups["code"].Value, match.Groups["detail"].Value, e)
            : null;

    [GeneratedRegex(@"(?:^|HubException: )(?<code>[a-z]+(?:-[a-z]+)*): (?<detail>.*)\z", RegexOptions.Singleline)]
    private static partial Regex Refusal();
}
