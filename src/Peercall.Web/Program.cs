using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;
using Peercall.Client;
using Peercall.Web;
using Peercall.Web.Accounts;
using Peercall.Web.Browser;
using Peercall.Web.Calls;
using Peercall.Web.Contacts;
using Peercall.Web.History;
using Peercall.Web.Localization;
using Peercall.Web.Signaling;

var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.RootComponents.Add<App>("#app");
builder.RootComponents.Add<HeadOutlet>("head::after");

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(_ => new HttpClient { BaseAddress = new Uri(builder.HostEnvironment.BaseAddress) });
builder.Services.AddSingleton(sp => new PeercallApi(sp.GetRequiredService<HttpClient>(),
    sp.GetRequiredService<TimeProvider>()));
builder.Services.AddSingleton<BrowserStorage>();
builder.Services.AddSingleton<UiLanguage>();
builder.Services.AddSingleton<AccountSession>();
builder.Services.AddSingleton<RealtimeConnection>();
builder.Services.AddSingleton<ContactDirectory>();
builder.Services.AddSingleton<CallHistory>();
builder.Services.AddSingleton<BrowserMedia>();
builder.Services.AddSingleton<LocalMedia>();
builder.Services.AddSingleton<CallSession>();

var host = builder.Build();
await host.Services.GetRequiredService<UiLanguage>().InitializeAsync();
var account = host.Services.GetRequiredService<AccountSession>();
await account.RestoreAsync();

// The features follow the realtime connection's events from construction, so they exist before it connects.
host.Services.GetRequiredService<ContactDirectory>();
host.Services.GetRequiredService<CallHistory>();
host.Services.GetRequiredService<CallSession>();
var realtime = host.Services.GetRequiredService<RealtimeConnection>();
if (account.IsSignedIn) _ = realtime.StartAsync();

await host.RunAsync();
