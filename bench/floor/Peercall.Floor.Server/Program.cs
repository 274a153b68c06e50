// The smallest servers that hold idle connections, to measure what one connection costs:
//   A   WebSocket endpoint, logging at Warning
//   A0  A without any logging provider
//   C   empty SignalR hub
//   D   Kestrel connection handler on raw TCP, no HTTP
// With a PEM certificate and key after the stats file, the port serves TLS (HTTPS and wss), as Peercall's does
// with --tls in the benchmark, which passes Peercall's own certificate here.
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Peercall.Floor.Server;

if (args.Length is not (3 or 5) || args[0] is not ("A" or "A0" or "C" or "D") || !int.TryParse(args[1], out var port))
{
    Console.Error.WriteLine("Usage: Peercall.Floor.Server <A|A0|C|D> <port> <statsFile> [<certificate.pem> <key.pem>]");
    return 2;
}
var mode = args[0];
var certificate = args.Length == 5 ? X509Certificate2.CreateFromPemFile(args[3], args[4]) : null;

// No appsettings.json: the default logging providers stay, as in a normal app, unless A0 removes them.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
if (mode == "A0")
{
    builder.Logging.ClearProviders();
}
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen =>
{
    if (certificate is not null)
    {
        listen.UseHttps(certificate);
    }
    if (mode == "D")
    {
        listen.UseConnectionHandler<IdleConnectionHandler>();
    }
}));
if (mode == "C")
{
    builder.Services.AddSignalR();
}

var app = builder.Build();
if (mode is "A" or "A0")
{
    app.UseWebSockets();
    app.Map("/ws", IdleWebSocket.HoldAsync);
}
if (mode == "C")
{
    app.MapHub<EmptyHub>("/hub");
    // For the benchmark's readiness check.
    app.MapGet("/healthz", () => "ok");
}

GcStats.StartWriting(args[2]);
app.Run();
return 0;
