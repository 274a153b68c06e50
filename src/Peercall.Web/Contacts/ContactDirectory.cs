using Peercall.Client;
using Peercall.Contracts.Contacts;
using Peercall.Web.Accounts;
using Peercall.Web.Shared;
using Peercall.Web.Signaling;

namespace Peercall.Web.Contacts;

/// <summary>
/// The people list as this device knows it: the pages the server returned for the current search, whose people
/// this device watches, kept up to date by their presence events and re-read after every (re)connect and when
/// someone new joins.
/// </summary>
public sealed class ContactDirectory : ILiveState
{
    public const int PageSize = 50;

    private readonly PeercallApi _api;
    private readonly RealtimeConnection _realtime;
    private List<Contact> _contacts = [];
    private int _loadVersion;

    // People whose presence changed while a watch was in flight: their events are newer than its answer.
    private HashSet<Guid>? _changedWhileWatching;

    public ContactDirectory(PeercallApi api, RealtimeConnection realtime, AccountSession account)
    {
        _api = api;
        _realtime = realtime;
        realtime.Connected += () => ReloadAsync();
        realtime.PresenceChanged += OnPresenceChangedAsync;
        realtime.ContactAdded += OnContactAddedAsync;
        account.SignedInOrOut += () =>
        {
            if (!account.IsSignedIn) Clear();
            return Task.CompletedTask;
        };
    }

    public IReadOnlyList<Contact> Contacts => _contacts;
    public string Search { get; private set; } = "";
    public int TotalCount { get; private set; }
    public bool Loaded { get; private set; }
    public bool Failed { get; private set; }
    public bool HasMore => _contacts.Count < TotalCount;

    public event Action? Changed;

    public Task SearchAsync(string search)
    {
        Search = search.Trim();
        return ReloadAsync();
    }

    public async Task ReloadAsync()
    {
        var version = ++_loadVersion;
        try
        {
            var page = await _api.GetContactsAsync(Search, 1, PageSize);
            if (version != _loadVersion) return;
            _contacts = [.. page.Items];
            TotalCount = page.TotalCount;
            Loaded = true;
            Failed = false;
        }
        catch (Exception e) when (e is PeercallApiException or HttpRequestException)
        {
            if (version != _loadVersion) return;
            Failed = true;
        }
        Changed?.Invoke();
        await WatchAsync(version);
    }

    public async Task LoadMoreAsync()
    {
        var version = ++_loadVersion;
        try
        {
            var next = await _api.GetContactsAsync(Search, _contacts.Count / PageSize + 1, PageSize);
            if (version != _loadVersion) return;
            var known = _contacts.Select(c => c.Id).ToHashSet();
            _contacts.AddRange(next.Items.Where(c => !known.Contains(c.Id)));
            TotalCount = next.TotalCount;
        }
        catch (Exception e) when (e is PeercallApiException or HttpRequestException)
        {
            Failed = true;
        }
        Changed?.Invoke();
        await WatchAsync(version);
    }

    /// <summary>Watches the people on the list; their presence may have changed since the server listed them.</summary>
    private async Task WatchAsync(int version)
    {
        if (version != _loadVersion || !Loaded) return;
        var changed = _changedWhileWatching = [];
        IReadOnlyList<UserPresence>? now;
        try
        {
            now = await _realtime.WatchPresenceAsync([.. _contacts.Take(PresenceLimits.MaxWatched).Select(c => c.Id)]);
        }
        catch (Exception)
        {
            // The connection dropped meanwhile: the reconnect reloads the list and watches again.
            return;
        }
        finally
        {
            if (_changedWhileWatching == changed) _changedWhileWatching = null;
        }
        if (now is null || version != _loadVersion) return;
        var answered = now.Where(p => !changed.Contains(p.UserId)).ToDictionary(p => p.UserId, p => p.Presence);
        if (_contacts.Any(c => answered.TryGetValue(c.Id, out var p) && p != c.Presence))
            Update(c => answered.TryGetValue(c.Id, out var p) ? c with { Presence = p } : c);
    }

    private Task OnPresenceChangedAsync(PresenceChange change)
    {
        _changedWhileWatching?.Add(change.UserId);
        if (_contacts.All(c => c.Id != change.UserId)) return Task.CompletedTask;
        Update(c => c.Id == change.UserId ? c with { Presence = change.Presence, LastSeenAt = change.LastSeenAt } : c);
        return Task.CompletedTask;
    }

    /// <summary>A new account shows at once on a list that holds everyone; a search or a list with more pages
    /// shows it when it is next read, in its place.</summary>
    private Task OnContactAddedAsync(Contact contact) =>
        Loaded && !HasMore && Search.Length == 0 ? ReloadAsync() : Task.CompletedTask;

    private void Update(Func<Contact, Contact> change)
    {
        _contacts = [.. _contacts.Select(change).OrderBy(c => c.Presence == Presence.Offline)
            .ThenBy(c => c.DisplayName, StringComparer.OrdinalIgnoreCase)];
        Changed?.Invoke();
    }

    private void Clear()
    {
        _loadVersion++;
        _contacts = [];
        Search = "";
        TotalCount = 0;
        Loaded = false;
        Failed = false;
        Changed?.Invoke();
    }
}
