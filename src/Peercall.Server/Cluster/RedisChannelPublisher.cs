using System.Text;
using StackExchange.Redis;

namespace Peercall.Server.Cluster;

/// <summary>Publishes on a <see cref="RedisLink"/>: the command is written on the caller's thread, and Redis's
/// answers, read on the link's thread, complete the publications in the order they were written. While the link is
/// down a publication fails at once, instead of waiting for a reconnection that may be seconds away.</summary>
public sealed class RedisChannelPublisher(ClusterConnection redis, string name, ILogger logger) : RedisLink(redis, name, logger)
{
    /// <summary>Stands for a ping's answer among the publications waiting for theirs.</summary>
    private static readonly TaskCompletionSource PingAnswer = new();

    private readonly Queue<TaskCompletionSource> _unanswered = new();

    /// <summary>Publishes <paramref name="messageStart"/> followed by <paramref name="messageEnd"/> as one message on
    /// <paramref name="channel"/> (the name as Redis knows it). Both parts are written to Redis's connection before
    /// this returns; the task completes when Redis has answered.</summary>
    /// <exception cref="RedisConnectionException">The link is not connected, or the write failed (thrown, or the
    /// task's, if the connection is lost before Redis answered).</exception>
    public Task PublishAsync(string channel, ReadOnlySpan<byte> messageStart, ReadOnlySpan<byte> messageEnd)
    {
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (Gate)
        {
            EnsureStarted();
            if (Connection is not { } connection)
                throw new RedisConnectionException(ConnectionFailureType.UnableToConnect,
                    $"{Name} is not connected to Redis at the moment; it keeps trying.");
            try
            {
                connection.Send(["PUBLISH", channel], messageStart, messageEnd);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                throw new RedisConnectionException(ConnectionFailureType.SocketFailure, $"{Name} could not write to Redis.", e);
            }
            _unanswered.Enqueue(answered);
        }
        return answered.Task;
    }

    protected override void Ping(RespConnection connection)
    {
        connection.Send("PING");
        _unanswered.Enqueue(PingAnswer);
    }

    protected override void Received(ReadOnlySpan<ReadOnlyMemory<byte>> reply, bool isError)
    {
        TaskCompletionSource? answered;
        lock (Gate) _unanswered.TryDequeue(out answered);
        if (answered is null || answered == PingAnswer) return;
        if (isError) answered.TrySetException(new RedisServerException(Encoding.UTF8.GetString(reply[0].Span)));
        else answered.TrySetResult();
    }

    protected override void Disconnected(Exception reason)
    {
        while (_unanswered.TryDequeue(out var answered))
            answered.TrySetException(new RedisConnectionException(ConnectionFailureType.SocketFailure,
                $"{Name} lost its Redis connection before Redis answered.", reason));
    }
}
