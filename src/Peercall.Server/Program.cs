using Peercall.Server.Accounts;
using Peercall.Server.Calls;
using Peercall.Server.Certificates;
using Peercall.Server.Cluster;
using Peercall.Server.Connect;
using Peercall.Server.Contacts;
using Peercall.Server.Data;
using Peercall.Server.Deployment;
using Peercall.Server.Hosting;
using Peercall.Server.Presence;
using Peercall.Server.Signaling;
using Peercall.Server.WebClient;

var builder = WebApplication.CreateBuilder(ServiceHosting.Options(args));
builder.AddServiceHosting()
    .AddPeercallHttp()
    .AddPeercallHttps()
    .AddPeercallData()
    .AddAccounts()
    .AddPresence()
    .AddCalls()
    .AddSignaling()
    .AddCluster()
    .AddConnectPage()
    .AddWebClient();

var app = builder.Build();
if (!await app.MigrateDatabaseAsync())
{
    await app.DisposeAsync(); // writes out the log, which says why
    return 1;
}

app.UseHttpsOnLan();
app.UsePeercallHttp();
app.MapAccountsApi();
app.MapContactsApi();
app.MapCallsApi();
app.MapSignaling();
app.MapConnectPage();
app.MapPeercallDiagnostics();
app.MapWebClient();

app.Run();
return 0;

public partial class Program;
