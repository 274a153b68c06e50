using Peercall.Server.Accounts;
using Peercall.Server.Calls;
using Peercall.Server.Contacts;
using Peercall.Server.Data;
using Peercall.Server.Hosting;
using Peercall.Server.Presence;
using Peercall.Server.Signaling;
using Peercall.Server.WebClient;

var builder = WebApplication.CreateBuilder(args);
builder.AddPeercallHttp()
    .AddPeercallData()
    .AddAccounts()
    .AddPresence()
    .AddCalls()
    .AddSignaling();

var app = builder.Build();
await app.MigrateDatabaseAsync();

app.UsePeercallHttp();
app.MapAccountsApi();
app.MapContactsApi();
app.MapCallsApi();
app.MapSignaling();
app.MapPeercallDiagnostics();
app.MapWebClient();

app.Run();

public partial class Program;
