using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Peercall.Contracts;
using Peercall.Contracts.Accounts;
using Peercall.Contracts.Calls;
using Peercall.Contracts.Connect;
using Peercall.Contracts.Contacts;
using Peercall.Contracts.Signaling;

namespace Peercall.Client;

/// <summary>
/// The REST side of Peercall. It keeps the signed-in session, attaches the access token, and refreshes it
/// shortly before it expires (or once after a 401), so callers never handle tokens themselves.
/// </summary>
public sealed class PeercallApi(HttpClient http, TimeProvider? time = null)
{
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(60);
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly SemaphoreSlim _refreshGate = new(1, 1);

    public HttpClient Http => http;
    public TokenPair? Session { get; private set; }

    /// <summary>Raised whenever the session is created, rotated or cleared (null), for example to persist it.</summary>
    public event Action<TokenPair?>? SessionChanged;

    public void RestoreSession(TokenPair? session) => Session = session;

    public Task<UserProfile> RegisterAsync(RegisterRequest request, CancellationToken ct = default) =>
        SendAsync<UserProfile>(HttpMethod.Post, "api/auth/register", request, authenticated: false, ct);

    public async Task<TokenPair> LoginAsync(LoginRequest request, CancellationToken ct = default)
    {
        var pair = await SendAsync<TokenPair>(HttpMethod.Post, "api/auth/login", request, authenticated: false, ct);
        SetSession(pair);
        return pair;
    }

    /// <summary>Rotates the refresh token. Concurrent callers share one refresh.</summary>
    public async Task<TokenPair> RefreshAsync(CancellationToken ct = default)
    {
        var used = Session ?? throw new InvalidOperationException("Not signed in.");
        await _refreshGate.WaitAsync(ct);
        try
        {
            if (Session is { } current && current.RefreshToken != used.RefreshToken)
                return current;
            try
            {
                var pair = await SendAsync<TokenPair>(HttpMethod.Post, "api/auth/refresh",
                    new RefreshRequest(used.RefreshToken), authenticated: false, ct);
                SetSession(pair);
                return pair;
            }
            catch (PeercallApiException e) when (e.Status == HttpStatusCode.Unauthorized)
            {
                SetSession(null);
                throw;
            }
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    public async Task LogoutAsync(CancellationToken ct = default)
    {
        if (Session is null) return;
        try
        {
            await SendAsync<object?>(HttpMethod.Post, "api/auth/logout", null, authenticated: true, ct);
        }
        finally
        {
            SetSession(null);
        }
    }

    /// <summary>An access token valid for at least <see cref="RefreshMargin"/>, refreshing first when needed.</summary>
    public async Task<string?> GetAccessTokenAsync(CancellationToken ct = default)
    {
        if (Session is not { } session) return null;
        if (session.ExpiresAt - _time.GetUtcNow() > RefreshMargin) return session.AccessToken;
        return (await RefreshAsync(ct)).AccessToken;
    }

    public Task<UserProfile> GetMeAsync(CancellationToken ct = default) =>
        SendAsync<UserProfile>(HttpMethod.Get, "api/users/me", null, authenticated: true, ct);

    public Task<Page<Contact>> GetContactsAsync(string? search = null, int page = 1, int pageSize = 50,
        CancellationToken ct = default) =>
        SendAsync<Page<Contact>>(HttpMethod.Get,
            $"api/users?page={page}&pageSize={pageSize}&search={Uri.EscapeDataString(search ?? "")}",
            null, authenticated: true, ct);

    public Task<Call> PlaceCallAsync(PlaceCallRequest request, CancellationToken ct = default) =>
        SendAsync<Call>(HttpMethod.Post, "api/calls", request, authenticated: true, ct);

    public Task<Call> GetCallAsync(Guid callId, CancellationToken ct = default) =>
        SendAsync<Call>(HttpMethod.Get, $"api/calls/{callId}", null, authenticated: true, ct);

    public Task<Call> AcceptCallAsync(Guid callId, string? connectionId = null, CancellationToken ct = default) =>
        SendAsync<Call>(HttpMethod.Post, $"api/calls/{callId}/accept", new AcceptCallRequest(connectionId),
            authenticated: true, ct);

    public Task<Call> DeclineCallAsync(Guid callId, CancellationToken ct = default) =>
        SendAsync<Call>(HttpMethod.Post, $"api/calls/{callId}/decline", null, authenticated: true, ct);

    public Task<Call> CancelCallAsync(Guid callId, CancellationToken ct = default) =>
        SendAsync<Call>(HttpMethod.Post, $"api/calls/{callId}/cancel", null, authenticated: true, ct);

    public Task<Call> EndCallAsync(Guid callId, CallReason reason = CallReason.HungUp, CancellationToken ct = default) =>
        SendAsync<Call>(HttpMethod.Post, $"api/calls/{callId}/end", new EndCallRequest(reason),
            authenticated: true, ct);

    public Task<Call> InviteToCallAsync(Guid callId, Guid userId, CancellationToken ct = default) =>
        SendAsync<Call>(HttpMethod.Post, $"api/calls/{callId}/participants", new InviteRequest(userId),
            authenticated: true, ct);

    public Task<Page<CallHistoryEntry>> GetCallHistoryAsync(int page = 1, int pageSize = 50,
        CancellationToken ct = default) =>
        SendAsync<Page<CallHistoryEntry>>(HttpMethod.Get, $"api/calls?page={page}&pageSize={pageSize}", null,
            authenticated: true, ct);

    public Task<MissedCallsSummary> GetMissedCallsAsync(CancellationToken ct = default) =>
        SendAsync<MissedCallsSummary>(HttpMethod.Get, "api/calls/missed", null, authenticated: true, ct);

    public Task<MissedCallsSummary> MarkMissedCallsSeenAsync(CancellationToken ct = default) =>
        SendAsync<MissedCallsSummary>(HttpMethod.Post, "api/calls/missed/seen", null, authenticated: true, ct);

    public Task<RtcConfiguration> GetRtcConfigurationAsync(CancellationToken ct = default) =>
        SendAsync<RtcConfiguration>(HttpMethod.Get, "api/calls/rtc-configuration", null, authenticated: true, ct);

    /// <summary>The addresses other devices open the server at, and its certificates (no sign-in needed).</summary>
    public Task<ConnectInfo> GetConnectInfoAsync(CancellationToken ct = default) =>
        SendAsync<ConnectInfo>(HttpMethod.Get, "api/connect", null, authenticated: false, ct);

    /// <summary>Why the server would refuse this account a realtime connection now (too many connections, server
    /// full or stopping), or null when it would take one. For clients that cannot see why a WebSocket was refused,
    /// as browsers cannot: the hub answers a plain request with the same refusal.</summary>
    public async Task<Problem?> GetRealtimeRefusalAsync(CancellationToken ct = default)
    {
        try
        {
            await SendAsync<object?>(HttpMethod.Get, SignalingRoutes.Hub.TrimStart('/'), null, authenticated: true, ct);
            return null;
        }
        catch (PeercallApiException e) when (e.Code is ProblemCodes.TooManyConnections or ProblemCodes.ServerFull or ProblemCodes.ServerStopping)
        {
            return e.Problem;
        }
        catch (PeercallApiException)
        {
            return null;
        }
    }

    private void SetSession(TokenPair? pair)
    {
        Session = pair;
        SessionChanged?.Invoke(pair);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, bool authenticated,
        CancellationToken ct)
    {
        using var response = await SendOnceAsync(method, path, body, authenticated, ct);
        if (response.StatusCode == HttpStatusCode.Unauthorized && authenticated && Session is not null)
        {
            await RefreshAsync(ct);
            using var retried = await SendOnceAsync(method, path, body, authenticated, ct);
            return await ReadAsync<T>(retried, ct);
        }
        return await ReadAsync<T>(response, ct);
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, string path, object? body,
        bool authenticated, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        if (authenticated && await GetAccessTokenAsync(ct) is { } token)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request, ct);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            if (response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0)
                return default!;
            return (await response.Content.ReadFromJsonAsync<T>(Json, ct))!;
        }
        Problem? problem = null;
        try
        {
            problem = await response.Content.ReadFromJsonAsync<Problem>(Json, ct);
        }
        catch (JsonException)
        {
        }
        throw new PeercallApiException(response.StatusCode,
            problem ?? new Problem(null, response.ReasonPhrase, (int)response.StatusCode, null, null, null));
    }
}
