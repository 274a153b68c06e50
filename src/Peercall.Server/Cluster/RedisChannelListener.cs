using System.Text;

namespace Peercall.Server.Cluster;

/// <summary>Listens on Redis channels on a <see cref="RedisLink"/> and hands each message over on the link's
/// thread. It subscribes again after every reconnection; what was published while it was away is lost, as with
/// any Redis subscription.</summary>
public sealed class RedisChannelListener : RedisLink
{
    private readonly Action<ReadOnlyMemory<byte>> _onMessage;
    private readonly Dictionary<string, TaskCompletionSource> _subscribed = new(StringComparer.Ordinal);

    /// <param name="onMessage">Called on the link's thread with each message; it must not block. The bytes are
    /// valid only during the call.</param>
    /// <param name="realtime">Whether the thread asks for real-time scheduling (see <see cref="RedisLink"/>).</param>
    public RedisChannelListener(ClusterConnection redis, string name, Action<ReadOnlyMemory<byte>> onMessage, ILogger logger,
        bool realtime = false)
        : base(redis, name, logger, realtime) => _onMessage = onMessage;

    /// <summary>Subscribes to <paramref name="channel"/> (the name as Redis knows it) for good, and waits until
    /// Redis confirms it.</summary>
    /// <exception cref="TimeoutException">Redis did not confirm in time; the listener keeps trying.</exception>
    public async Task ListenAsync(string channel, TimeSpan timeout)
    {
        TaskCompletionSource confirmed;
        lock (Gate)
        {
            EnsureStarted();
            if (!_subscribed.TryGetValue(channel, out confirmed!))
            {
                _subscribed[channel] = confirmed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                try
                {
                    Connection?.Send("SUBSCRIBE", channel);
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException)
                {
                    // Subscribed again with the others once the link has reconnected.
                }
            }
        }
        try
        {
            await confirmed.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Redis did not confirm the subscription to {channel} within " +
                                       $"{timeout.TotalSeconds:N0} s; {Name} keeps trying.");
        }
    }

    protected override void Connected(RespConnection connection)
    {
        if (_subscribed.Count > 0) connection.Send(["SUBSCRIBE", .. _subscribed.Keys]);
    }

    protected override void Received(ReadOnlySpan<ReadOnlyMemory<byte>> reply, bool isError)
    {
        if (isError) throw new IOException($"Redis refused a subscription: {Encoding.UTF8.GetString(reply[0].Span)}");
        if (reply.Length != 3) return;
        var kind = reply[0].Span;
        if (kind.SequenceEqual("message"u8)) Deliver(reply[2]);
        else if (kind.SequenceEqual("subscribe"u8)) Confirm(Encoding.UTF8.GetString(reply[1].Span));
    }

    protected override void Disconnected(Exception reason)
    {
        foreach (var (channel, confirmed) in _subscribed.Where(s => s.Value.Task.IsCompleted).ToList())
            _subscribed[channel] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Stopped)
            foreach (var confirmed in _subscribed.Values) confirmed.TrySetCanceled();
    }

    private void Deliver(ReadOnlyMemory<byte> message)
    {
        try
        {
            _onMessage(message);
        }
        catch (Exception e)
        {
            Logger.LogWarning(e, "{Link} could not hand a message over", Name);
        }
    }

    private void Confirm(string channel)
    {
        lock (Gate)
            if (_subscribed.TryGetValue(channel, out var confirmed)) confirmed.TrySetResult();
    }
}
