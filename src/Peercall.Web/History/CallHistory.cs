using Peercall.Client;
using Peercall.Contracts.Calls;
using Peercall.Web.Accounts;
using Peercall.Web.Calls;
using Peercall.Web.Shared;
using Peercall.Web.Signaling;

namespace Peercall.Web.History;

/// <summary>The signed-in person's calls, newest first, and how many missed ones they have not looked at yet.</summary>
public sealed class CallHistory : ILiveState
{
    public const int PageSize = 50;

    private readonly PeercallApi _api;
    private readonly BrowserMedia _media;
    private List<CallHistoryEntry> _entries = [];
    private bool _viewing;
    // Null until the first count is shown: the badge of an installed app outlives the page, so it is set once
    // even when the count is 0, and after that only when the count changes.
    private int? _badge;

    public CallHistory(PeercallApi api, RealtimeConnection realtime, AccountSession account, BrowserMedia media)
    {
        _api = api;
        _media = media;
        realtime.Connected += RefreshAsync;
        realtime.CallStateChanged += change => change.Call.State is CallState.Ringing or CallState.Accepted
            ? Task.CompletedTask
            : RefreshAsync();
        account.SignedInOrOut += () =>
        {
            if (!account.IsSignedIn) Clear();
            return Task.CompletedTask;
        };
    }

    public IReadOnlyList<CallHistoryEntry> Entries => _entries;
    public int TotalCount { get; private set; }
    public int UnseenMissedCount { get; private set; }
    public bool Loaded { get; private set; }
    public bool Failed { get; private set; }

    public event Action? Changed;

    /// <summary>Called by the history page: it loads the list and marks missed calls as seen while it is open.</summary>
    public async Task OpenAsync()
    {
        _viewing = true;
        await RefreshAsync();
    }

    public void Close() => _viewing = false;

    public async Task LoadMoreAsync()
    {
        try
        {
            var next = await _api.GetCallHistoryAsync(_entries.Count / PageSize + 1, PageSize);
            var known = _entries.Select(e => e.CallId).ToHashSet();
            _entries.AddRange(next.Items.Where(e => !known.Contains(e.CallId)));
            TotalCount = next.TotalCount;
        }
        catch (Exception e) when (e is PeercallApiException or HttpRequestException)
        {
            Failed = true;
        }
        Changed?.Invoke();
    }

    private async Task RefreshAsync()
    {
        try
        {
            if (_viewing)
            {
                var page = await _api.GetCallHistoryAsync(1, PageSize);
                _entries = [.. page.Items];
                TotalCount = page.TotalCount;
                Loaded = true;
                UnseenMissedCount = (await _api.MarkMissedCallsSeenAsync()).UnseenCount;
            }
            else
            {
                UnseenMissedCount = (await _api.GetMissedCallsAsync()).UnseenCount;
            }
            Failed = false;
        }
        catch (Exception e) when (e is PeercallApiException or HttpRequestException)
        {
            Failed = true;
        }
        Changed?.Invoke();
        await ShowBadgeAsync();
    }

    private void Clear()
    {
        _entries = [];
        TotalCount = 0;
        UnseenMissedCount = 0;
        Loaded = false;
        Failed = false;
        Changed?.Invoke();
        _ = ShowBadgeAsync();
    }

    private async Task ShowBadgeAsync()
    {
        if (_badge == UnseenMissedCount) return;
        _badge = UnseenMissedCount;
        await _media.SetAppBadgeAsync(UnseenMissedCount);
    }
}
