using System.Buffers.Text;
using System.IO.Pipelines;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Peercall.Contracts;
using Peercall.Contracts.Signaling;
using Peercall.Server.Accounts;
using Peercall.Server.Certificates;
using Peercall.Server.Hosting;
using Peercall.Server.Realtime;

namespace Peercall.Server.Signaling;

/// <summary>
/// Where realtime connections come in. A plain HTTP/1.1 connection that opens with a WebSocket upgrade to the hub,
/// with a good token, on a server with room, is taken before Kestrel's HTTP layer sees it (the lean way, see
/// <see cref="WebSocketUpgrade"/>). Everything else goes through HTTP: refusals get the same ProblemDetails as
/// every endpoint (401, 503 server-full or server-stopping, the LAN's redirect to HTTPS), and WebSockets over
/// HTTPS and HTTP/2 are taken there (<see cref="AcceptAsync"/>).
/// </summary>
public sealed class RealtimeEntrance
{
    /// <summary>A connection that sends nothing for this long is left to HTTP and its own timeouts.</summary>
    private static readonly TimeSpan FirstRequestTimeout = TimeSpan.FromSeconds(10);

    private readonly ConnectionCapacity _capacity;
    private readonly SessionTokens _tokens;
    private readonly SignalingHub _hub;
    private readonly SignalingOptions _limits;
    private readonly HttpsListeners _listeners;
    private readonly TimeProvider _time;
    private readonly ILogger<RealtimeEntrance> _logger;

    public RealtimeEntrance(ConnectionCapacity capacity, SessionTokens tokens, SignalingHub hub, LocalConnections local,
        IOptions<SignalingOptions> options, HttpsListeners https, IHostApplicationLifetime lifetime, TimeProvider time,
        ILogger<RealtimeEntrance> logger)
    {
        (_capacity, _tokens, _hub, _limits, _listeners, _time, _logger) = (capacity, tokens, hub, options.Value, https, time, logger);
        // Clients are told to reconnect, to another node or to this one once it is back.
        lifetime.ApplicationStopping.Register(() =>
        {
            foreach (var session in local.All())
                _ = session.CloseAsync(error: null, allowReconnect: true, WebSocketFrames.GoingAway);
        });
    }

    /// <summary>Kestrel connection middleware: takes the connection when it opens the hub the lean way. While it
    /// is open, only the session's own state is kept: the request, the token and its principal are gone.</summary>
    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (await TryOpenAsync(connection) is not { } session)
        {
            await next(connection);
            return;
        }
        try
        {
            await session.RunAsync(_hub);
        }
        catch (Exception e)
        {
            LogFailure(session, e);
        }
        finally
        {
            _capacity.Exit();
        }
    }

    /// <summary>The hub's endpoint, for WebSockets that came through HTTP: authorized, and counted by
    /// <see cref="ConnectionCapacity.RefuseWhenFullAsync"/> in front of it.</summary>
    public async Task<IResult> AcceptAsync(HttpContext http)
    {
        if (!WebSocketUpgrade.IsRequest(http))
            return new PeercallException(400, ProblemCodes.BadRequest,
                $"{SignalingRoutes.Hub} takes WebSocket connections only, without negotiation (SignalR clients: " +
                "the WebSockets transport with skipNegotiation). See docs/protocol.md.").ToResult();
        var session = NewSession(http.User.UserId(), http.User.SessionId(), await WebSocketUpgrade.AcceptAsync(http), http.Abort);
        try
        {
            await session.RunAsync(_hub);
        }
        catch (Exception e)
        {
            LogFailure(session, e);
        }
        return TypedResults.Empty;
    }

    /// <summary>The session of a connection whose first request is a good upgrade to the hub, answered; or null,
    /// having consumed nothing, when HTTP is to handle the connection.</summary>
    private async Task<HubSession?> TryOpenAsync(ConnectionContext connection)
    {
        UpgradeRequest? request;
        try
        {
            using var timeout = new CancellationTokenSource(FirstRequestTimeout);
            request = await WebSocketUpgrade.TryReadAsync(connection.Transport.Input, SignalingRoutes.Hub, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        // On a server that sends LAN clients from HTTP to HTTPS, HTTP answers them with that redirect.
        if (request?.Token is not { } token || !_listeners.ServesPlainHttp((connection.LocalEndPoint as IPEndPoint)?.Address))
            return null;
        ClaimsPrincipal? principal;
        try
        {
            principal = await _tokens.ValidateAsync(token);
        }
        catch (Exception e)
        {
            // HTTP then answers it, through the same failure, with the same error as any other request.
            _logger.LogDebug(e, "A realtime connection's token could not be checked here");
            return null;
        }
        if (principal is null || !_capacity.TryEnter()) return null;
        try
        {
            await WebSocketUpgrade.AcceptAsync(connection.Transport, request);
        }
        catch
        {
            _capacity.Exit();
            throw;
        }
        return NewSession(principal.UserId(), principal.SessionId(), connection.Transport, connection.Abort);
    }

    private HubSession NewSession(Guid userId, Guid sessionId, IDuplexPipe transport, Action abort) =>
        new(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)), userId, sessionId,
            new MessageBudget(_limits.MessagesPerSecond, _limits.MessageBurst, _time), transport, abort);

    private void LogFailure(HubSession session, Exception e) =>
        _logger.LogError(e, "Realtime connection {ConnectionId} failed", session.Id);
}
