namespace Peercall.Bench.Load;

/// <summary>Told about what load connections receive. Runs on their receive loops, so it must be quick.</summary>
public interface IConnectionListener
{
    /// <summary>A server-to-client message: a hub invocation record for Peercall, a JSON message for PeerJS.</summary>
    void OnMessage(LoadConnection connection, ReadOnlySpan<byte> message);

    /// <summary>A completion of an invocation that nobody awaits, such as a relayed signal's acknowledgement.</summary>
    void OnUnawaitedCompletion(LoadConnection connection, ReadOnlySpan<byte> record) { }

    void OnClosed(LoadConnection connection, string reason);
}

/// <summary>A load client's connection to either server, with a slot number its owner uses to find its state.</summary>
public abstract class LoadConnection(IConnectionListener listener) : LeanWebSocket
{
    protected IConnectionListener Listener { get; } = listener;

    /// <summary>The owner's index for this connection (for example its global connection number).</summary>
    public int Slot { get; init; }

    /// <summary>When the connection was ready (handshake done), in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    public long ConnectedAt { get; protected set; }

    /// <summary>The last presence watch this connection has seen the awaited event for.</summary>
    public int SeenWatch { get; set; }

    /// <summary>Keeps the connection alive: a SignalR ping or a PeerJS heartbeat.</summary>
    public abstract void SendKeepAlive();

    protected override void OnClosed(string reason) => Listener.OnClosed(this, reason);
}

/// <summary>For a connection whose messages nobody needs, such as a presence subject's own.</summary>
public sealed class IgnoringListener : IConnectionListener
{
    public static readonly IgnoringListener Instance = new();

    public void OnMessage(LoadConnection connection, ReadOnlySpan<byte> message)
    {
    }

    public void OnClosed(LoadConnection connection, string reason)
    {
    }
}
