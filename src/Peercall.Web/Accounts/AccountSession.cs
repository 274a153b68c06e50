using Peercall.Client;
using Peercall.Contracts.Accounts;
using Peercall.Web.Browser;
using Peercall.Web.Shared;

namespace Peercall.Web.Accounts;

/// <summary>
/// Who is signed in on this device. The session (tokens) lives in localStorage so a reload keeps it, and the
/// access token is refreshed shortly before it expires even while the person is only listening.
/// </summary>
public sealed class AccountSession : ILiveState, IDisposable
{
    private const string StorageKey = "peercall.session";
    private static readonly TimeSpan MinimumRefreshDelay = TimeSpan.FromSeconds(1);

    private readonly PeercallApi _api;
    private readonly BrowserStorage _storage;
    private readonly TimeProvider _time;
    private ITimer? _refreshTimer;
    private bool _signingOut;

    public AccountSession(PeercallApi api, BrowserStorage storage, TimeProvider time)
    {
        _api = api;
        _storage = storage;
        _time = time;
        _api.SessionChanged += OnSessionChanged;
    }

    public UserProfile? User => _api.Session?.User;
    public bool IsSignedIn => _api.Session is not null;

    /// <summary>True when the server ended the session (refresh refused), so the sign-in page can say why.</summary>
    public bool Expired { get; private set; }

    /// <summary>Raised after signing in or out, for the features that start or stop with a session.</summary>
    public event Func<Task>? SignedInOrOut;

    public event Action? Changed;

    /// <summary>Raised before signing out, while the session is still valid, so a call in progress ends and the
    /// realtime connection closes before the server revokes the session.</summary>
    public event Func<Task>? SigningOut;

    public async Task RestoreAsync()
    {
        var saved = await _storage.GetAsync<TokenPair>(StorageKey);
        if (saved is null) return;
        _api.RestoreSession(saved);
        ScheduleRefresh(saved);
    }

    public async Task SignInAsync(string username, string password)
    {
        Expired = false;
        await _api.LoginAsync(new LoginRequest(username, password));
        await AnnounceAsync();
    }

    public async Task RegisterAsync(string username, string password, string? displayName)
    {
        await _api.RegisterAsync(new RegisterRequest(username, password,
            string.IsNullOrWhiteSpace(displayName) ? null : displayName.Trim()));
        await SignInAsync(username, password);
    }

    public async Task SignOutAsync()
    {
        if (!IsSignedIn) return;
        _signingOut = true;
        try
        {
            await RaiseAsync(SigningOut);
            await _api.LogoutAsync();
        }
        catch (Exception e) when (e is PeercallApiException or HttpRequestException)
        {
            // The server may be unreachable; the session is forgotten here all the same.
        }
        finally
        {
            _signingOut = false;
        }
        await AnnounceAsync();
    }

    public void Dispose() => _refreshTimer?.Dispose();

    private void OnSessionChanged(TokenPair? session)
    {
        _ = session is null ? _storage.RemoveAsync(StorageKey) : _storage.SetAsync(StorageKey, session);
        ScheduleRefresh(session);
        if (session is null && !_signingOut)
        {
            Expired = true;
            _ = AnnounceAsync();
        }
    }

    private void ScheduleRefresh(TokenPair? session)
    {
        _refreshTimer?.Dispose();
        _refreshTimer = null;
        if (session is null) return;
        // A little before PeercallApi would refresh on its own at the next request (so also while the person only
        // listens), and never in a tight loop.
        var due = session.ExpiresAt - PeercallApi.RefreshMargin - TimeSpan.FromSeconds(5) - _time.GetUtcNow();
        _refreshTimer = _time.CreateTimer(_ => _ = RefreshAsync(), null,
            due < MinimumRefreshDelay ? MinimumRefreshDelay : due, Timeout.InfiniteTimeSpan);
    }

    private async Task RefreshAsync()
    {
        try
        {
            await _api.RefreshAsync();
        }
        catch (HttpRequestException)
        {
            // Offline for now: the next request or reconnect refreshes on its own.
        }
        catch (PeercallApiException)
        {
            // A refused refresh clears the session, which OnSessionChanged reports.
        }
    }

    private async Task AnnounceAsync()
    {
        await RaiseAsync(SignedInOrOut);
        Changed?.Invoke();
    }

    private static async Task RaiseAsync(Func<Task>? handlers)
    {
        if (handlers is null) return;
        foreach (var handler in handlers.GetInvocationList().Cast<Func<Task>>()) await handler();
    }
}
