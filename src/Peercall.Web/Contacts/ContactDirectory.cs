using Peercall.Client;
using Peercall.Contracts.Contacts;
using Peercall.Web.Accounts;
using Peercall.Web.Shared;
using Peercall.Web.Signaling;

namespace Peercall.Web.Contacts;

/// <summary>
/// The people list as this device knows it: the last page the server returned for the current search, kept
/// up to date by presence events and re-read after every (re)connect.
/// </summary>
public sealed class ContactDirectory : ILiveState
{
    public const int PageSize = 50;

    private readonly PeercallApi _api;
    private List<Contact> _contacts = [];
    private int _loadVersion;

    public ContactDirectory(PeercallApi api, RealtimeConnection realtime, AccountSession account)
    {
        _api = api;
        realtime.Connected += () => ReloadAsync();
        realtime.PresenceChanged += OnPresenceChangedAsync;
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
    }

    private async Task OnPresenceChangedAsync(PresenceChange change)
    {
        var index = _contacts.FindIndex(c => c.Id == change.UserId);
        if (index < 0)
        {
            // Someone this page has not seen: a new account, or one beyond the loaded page.
            if (Loaded && !HasMore && Search.Length == 0) await ReloadAsync();
            return;
        }
        _contacts[index] = _contacts[index] with { Presence = change.Presence, LastSeenAt = change.LastSeenAt };
        _contacts = [.. _contacts.OrderBy(c => c.Presence == Presence.Offline)
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
