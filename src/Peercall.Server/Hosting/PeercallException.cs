namespace Peercall.Server.Hosting;

/// <summary>A refusal a client must see: a stable code, an HTTP status and a message a person can read.
/// REST turns it into ProblemDetails, the hub into a HubException; nothing has been changed when it is thrown.</summary>
public sealed class PeercallException(int status, string code, string message,
    IReadOnlyDictionary<string, object?>? extensions = null) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public IReadOnlyDictionary<string, object?> Extensions { get; } = extensions ?? new Dictionary<string, object?>();
}
