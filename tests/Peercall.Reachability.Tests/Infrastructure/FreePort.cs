using System.Net;
using System.Net.Sockets;

namespace Peercall.Reachability.Tests.Infrastructure;

public static class FreePort
{
    /// <summary>A loopback port that is free for both TCP and UDP right now.</summary>
    public static int Next()
    {
        while (true)
        {
            using var tcp = new TcpListener(IPAddress.Loopback, 0);
            tcp.Start();
            var port = ((IPEndPoint)tcp.LocalEndpoint).Port;
            try
            {
                using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }
    }

    /// <summary>Waits until something accepts TCP connections on <paramref name="endpoint"/>.</summary>
    public static async Task WaitForListenerAsync(IPEndPoint endpoint, TimeSpan timeout, Func<string> describeFailure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var client = new TcpClient(endpoint.AddressFamily);
            try
            {
                await client.ConnectAsync(endpoint);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            catch (SocketException)
            {
                throw new TimeoutException($"Nothing listened on {endpoint} within {timeout.TotalSeconds} s. {describeFailure()}");
            }
        }
    }
}
