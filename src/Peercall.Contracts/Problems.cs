namespace Peercall.Contracts;

/// <summary>An RFC 9457 problem as the server sends it. <see cref="Code"/> is stable; clients branch on it.</summary>
public sealed record Problem(
    string? Type,
    string? Title,
    int? Status,
    string? Detail,
    string? Code,
    IReadOnlyDictionary<string, string[]>? Errors);

/// <summary>The stable error codes carried in <see cref="Problem.Code"/> and in hub errors.</summary>
public static class ProblemCodes
{
    public const string ValidationFailed = "validation-failed";
    public const string UsernameTaken = "username-taken";
    public const string InvalidCredentials = "invalid-credentials";
    public const string AccountLocked = "account-locked";
    public const string InvalidRefreshToken = "invalid-refresh-token";
    public const string RateLimited = "rate-limited";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not-found";
    public const string MethodNotAllowed = "method-not-allowed";
    public const string CallNotFound = "call-not-found";
    public const string IllegalTransition = "illegal-transition";
    public const string CannotCallSelf = "cannot-call-self";
    public const string UnknownCallee = "unknown-callee";
    public const string AlreadyCalling = "already-calling";
    public const string AlreadyInCall = "already-in-call";
    public const string CallFull = "call-full";
    public const string NoConnection = "no-realtime-connection";
    public const string SignalRefused = "signal-refused";
    public const string SignalTooLarge = "signal-too-large";
    public const string TooManyMessages = "too-many-messages";
    public const string ServerFull = "server-full";
    public const string TooManyConnections = "too-many-connections";
    public const string ServerStopping = "server-stopping";
    public const string BadRequest = "bad-request";
    public const string ServerError = "server-error";
}
