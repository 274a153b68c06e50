using System.Net;
using System.Net.Sockets;

namespace Peercall.Reachability.Tests.Infrastructure;

public static class FreePort
{
    // Below Linux's ephemeral range (32768-60999), from which every outgoing connection and every port-0 listener
    // of the tests running beside these takes its port: one of those took a port between this check and the
    // server's bind ("address already in use") while the connection-capacity tests opened thousands.
    private const int First = 20000;
    private const int Last = 32767;

    /// <summary>A loopback port that is free for both TCP and UDP right now.</summary>
    public static int Next()
    {
        while (true)
        {
            var port = Random.Shared.Next(First, Last + 1);
            using var tcp = new TcpListener(IPAddress.Loopback, port);
            try
            {
                tcp.Start();
            }
            catch (SocketException)
            {
                continue;
            }
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
