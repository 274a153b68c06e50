using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Peercall.Contracts;

namespace Peercall.Server.Hosting;

/// <summary>Every error leaves as ProblemDetails with a stable <c>code</c>, never with a stack trace.</summary>
public static class ProblemHandling
{
    public static IServiceCollection AddPeercallProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            problem.Extensions.TryAdd("code", problem is HttpValidationProblemDetails
                ? ProblemCodes.ValidationFailed
                : CodeFor(problem.Status));
            problem.Extensions.TryAdd("traceId", context.HttpContext.TraceIdentifier);
            problem.Detail ??= DetailFor(problem.Status);
        });
        services.AddExceptionHandler<PeercallExceptionHandler>();
        // Unreadable bodies throw, so they reach the handler below and get a message that says what is wrong.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }

    public static WebApplication UsePeercallProblems(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    public static IResult ToResult(this PeercallException e)
    {
        var extensions = new Dictionary<string, object?>(e.Extensions) { ["code"] = e.Code };
        return TypedResults.Problem(detail: e.Message, statusCode: e.Status, title: TitleFor(e.Status),
            extensions: extensions);
    }

    private static string CodeFor(int? status) => status switch
    {
        400 or 413 or 415 => ProblemCodes.BadRequest,
        401 => ProblemCodes.Unauthorized,
        403 => ProblemCodes.Forbidden,
        404 => ProblemCodes.NotFound,
        405 => ProblemCodes.MethodNotAllowed,
        429 => ProblemCodes.RateLimited,
        >= 500 => ProblemCodes.ServerError,
        _ => $"http-{status}",
    };

    private static string? DetailFor(int? status) => status switch
    {
        401 => "Sign in first: send a valid access token as 'Authorization: Bearer <token>'.",
        404 => "There is nothing at this address.",
        405 => "This address does not accept that HTTP method.",
        413 => "The request body is too large.",
        415 => "Send the request body as JSON with 'Content-Type: application/json'.",
        >= 500 => "Something went wrong on the server. The error has been logged.",
        _ => null,
    };

    private static string? TitleFor(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        409 => "Conflict",
        429 => "Too many requests",
        _ => null,
    };

    private sealed class PeercallExceptionHandler(IProblemDetailsService problems, ILogger<PeercallExceptionHandler> logger)
        : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
        {
            var (status, code, detail) = exception switch
            {
                PeercallException e => (e.Status, e.Code, e.Message),
                BadHttpRequestException e => (e.StatusCode, ProblemCodes.BadRequest, DescribeBadRequest(e)),
                _ => (500, ProblemCodes.ServerError, "Something went wrong on the server. The error has been logged."),
            };
            if (status >= 500) logger.LogError(exception, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);

            http.Response.StatusCode = status;
            var problem = new ProblemDetails { Status = status, Title = TitleFor(status), Detail = detail };
            problem.Extensions["code"] = code;
            if (exception is PeercallException pe)
                foreach (var (key, value) in pe.Extensions) problem.Extensions[key] = value;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = http, ProblemDetails = problem, Exception = exception,
            });
        }

        private static string DescribeBadRequest(BadHttpRequestException e) => e.InnerException switch
        {
            JsonException { Path: { Length: > 0 } path } =>
                $"The request body is not valid JSON for this endpoint: check the value at '{path}'.",
            JsonException => "The request body is not valid JSON.",
            _ when e.StatusCode == 413 => "The request body is too large.",
            _ when e.Message.Contains("was not provided", StringComparison.Ordinal)
                   || e.Message.Contains("no body was provided", StringComparison.Ordinal) =>
                "The request body is missing: send a JSON object.",
            _ when e.Message.Contains("Content-Type", StringComparison.OrdinalIgnoreCase) =>
                "Send the request body as JSON with 'Content-Type: application/json'.",
            _ => "The request could not be read.",
        };
    }
}
