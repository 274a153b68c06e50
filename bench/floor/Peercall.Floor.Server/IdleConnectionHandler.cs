using Microsoft.AspNetCore.Connections;

namespace Peercall.Floor.Server;

/// <summary>Holds a raw TCP connection open and discards whatever it receives.</summary>
public sealed class IdleConnectionHandler : ConnectionHandler
{
    private static int open;

    public static int Open => Volatile.Read(ref open);

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        Interlocked.Increment(ref open);
        try
        {
            var input = connection.Transport.Input;
            while (true)
            {
                var result = await input.ReadAsync();
                input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref open);
        }
    }
}
