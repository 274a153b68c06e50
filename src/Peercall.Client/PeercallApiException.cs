using System.Net;
using Peercall.Contracts;

namespace Peercall.Client;

/// <summary>The server answered with an error; <see cref="Problem"/> holds what it said.</summary>
public sealed class PeercallApiException(HttpStatusCode status, Problem problem)
    : Exception(problem.Detail ?? problem.Title ?? $"The server answered {(int)status}.")
{
    public HttpStatusCode Status { get; } = status;
    public Problem Problem { get; } = problem;
    public string? Code => Problem.Code;
}
