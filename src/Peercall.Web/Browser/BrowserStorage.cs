using System.Text.Json;
using Microsoft.JSInterop;

namespace Peercall.Web.Browser;

/// <summary>The browser's localStorage: what must survive a page reload (session, language).</summary>
public sealed class BrowserStorage(IJSRuntime js)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<T?> GetAsync<T>(string key)
    {
        var text = await js.InvokeAsync<string?>("localStorage.getItem", key);
        if (string.IsNullOrEmpty(text)) return default;
        try
        {
            return JsonSerializer.Deserialize<T>(text, Json);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    public ValueTask SetAsync<T>(string key, T value) =>
        js.InvokeVoidAsync("localStorage.setItem", key, JsonSerializer.Serialize(value, Json));

    public ValueTask RemoveAsync(string key) => js.InvokeVoidAsync("localStorage.removeItem", key);
}
