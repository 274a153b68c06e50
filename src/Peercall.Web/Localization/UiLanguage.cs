using Microsoft.JSInterop;
using Peercall.Web.Browser;

namespace Peercall.Web.Localization;

/// <summary>The language the app speaks: the one the person chose, else the browser's first supported one.</summary>
public sealed class UiLanguage(BrowserStorage storage, IJSRuntime js)
{
    private const string StorageKey = "peercall.language";

    public static readonly IReadOnlyList<UiText> Available = [English.Text, Russian.Text];

    public UiText Text { get; private set; } = English.Text;

    public event Action? Changed;

    public async Task InitializeAsync()
    {
        var chosen = await storage.GetAsync<string>(StorageKey);
        var browser = await js.GetValueAsync<string[]?>("navigator.languages") ?? [];
        Text = Find(chosen) ?? browser.Select(Find).FirstOrDefault(t => t is not null) ?? English.Text;
        await js.SetValueAsync("document.documentElement.lang", Text.LanguageCode);
    }

    public async Task ChooseAsync(string languageCode)
    {
        Text = Find(languageCode) ?? English.Text;
        await storage.SetAsync(StorageKey, Text.LanguageCode);
        await js.SetValueAsync("document.documentElement.lang", Text.LanguageCode);
        Changed?.Invoke();
    }

    private static UiText? Find(string? tag) => tag is null
        ? null
        : Available.FirstOrDefault(t => tag.Split('-')[0].Equals(t.LanguageCode, StringComparison.OrdinalIgnoreCase));
}
