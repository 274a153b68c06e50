// Opens idle connections to a Peercall.Floor.Server, prints READY, and keeps them open until killed.
//   ws   WebSocket upgrade on /ws (modes A, A0)
//   hub  WebSocket upgrade on /hub and the SignalR JSON handshake, no negotiate (mode C)
//   raw  TCP connect only (mode D)
using System.Diagnostics;
using System.Net.Sockets;
using Peercall.Floor.Client;

if (args.Length is < 3 or > 4 || args[0] is not ("ws" or "hub" or "raw")
    || !int.TryParse(args[1], out var port) || !int.TryParse(args[2], out var count))
{
    Console.Error.WriteLine("Usage: Peercall.Floor.Client <ws|hub|raw> <port> <count> [concurrency]");
    return 2;
}
var kind = args[0];
var concurrency = args.Length > 3 ? int.Parse(args[3]) : 64;

var sockets = new Socket?[count];
int failed = 0;
var stopwatch = Stopwatch.StartNew();
await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency },
    async (index, _) =>
    {
        try
        {
            sockets[index] = await IdleConnection.OpenAsync(kind, port, index);
        }
        catch (Exception ex) when (ex is SocketException or IOException or InvalidDataException)
        {
            if (Interlocked.Increment(ref failed) <= 5)
            {
                Console.Error.WriteLine($"connection {index}: {ex.GetType().Name}: {ex.Message}");
            }
        }
    });
Console.WriteLine($"READY ok={count - failed} failed={failed} elapsedMs={stopwatch.ElapsedMilliseconds}");

if (kind != "hub")
{
    await Task.Delay(Timeout.Infinite);
}
// SignalR drops a client it has not heard from for 30 s, so hub connections ping every 15 s.
var open = sockets.OfType<Socket>().ToArray();
while (true)
{
    await Task.Delay(TimeSpan.FromSeconds(15));
    var pinged = open.Count(IdleConnection.TryPingHub);
    Console.WriteLine($"pinged {pinged}");
}
