namespace Peercall.Server.Cluster;

/// <summary>
/// One connection to Redis of this node's own, kept open by a thread of its own that waits in the socket's read
/// and handles each reply on that same thread. StackExchange.Redis passes every write and every reply through
/// thread-pool hops; on a busy node each hop can wait for a core, and those waits were most of a cross-node
/// signal's tail (bench/README.md, "Cross-node signals on links of their own"). Reconnects by itself, pinging
/// so that a Redis gone without a word is noticed.
/// </summary>
public abstract class RedisLink : IDisposable
{
    private static readonly TimeSpan PingEvery = TimeSpan.FromSeconds(15);

    /// <summary>Without even a pong for this long, the connection is taken for dead.</summary>
    private static readonly TimeSpan ReadTimeout = 3 * PingEvery;

    private readonly ClusterConnection _redis;
    private readonly Timer _ping;
    private Thread? _thread;
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly bool _realtime;

    /// <param name="realtime">Whether the link's thread asks for real-time scheduling: for a thread that only hands
    /// on what it reads, never for one that does much work with it.</param>
    protected RedisLink(ClusterConnection redis, string name, ILogger logger, bool realtime = false)
    {
        _redis = redis;
        _realtime = realtime;
        Name = $"{redis.Configuration.ClientName}-{name}";
        Logger = logger;
        _ping = new Timer(_ => Ping(), null, PingEvery, PingEvery);
    }

    /// <summary>The thread's and the Redis client's name.</summary>
    public string Name { get; }

    protected ILogger Logger { get; }

    /// <summary>Held while the connection is swapped and while a command is written.</summary>
    protected Lock Gate { get; } = new();

    /// <summary>The open connection, or none while (re)connecting; read and written under <see cref="Gate"/>.</summary>
    protected RespConnection? Connection { get; private set; }

    protected bool Stopped { get; private set; }

    /// <summary>Starts the link's thread, once. Call under <see cref="Gate"/>.</summary>
    protected void EnsureStarted()
    {
        ObjectDisposedException.ThrowIf(Stopped, this);
        if (_thread is not null) return;
        _thread = new Thread(Run) { IsBackground = true, Name = Name };
        _thread.Start();
    }

    /// <summary>Starts the link if need be and waits until it is connected.</summary>
    /// <exception cref="TimeoutException">Not connected in time; the link keeps trying.</exception>
    public async Task ConnectedAsync(TimeSpan timeout)
    {
        Task connected;
        lock (Gate)
        {
            EnsureStarted();
            connected = _connected.Task;
        }
        try
        {
            await connected.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} could not connect to Redis within {timeout.TotalSeconds:N0} s; it keeps trying.");
        }
    }

    /// <summary>Called under <see cref="Gate"/> on each new connection, before any reply is read from it.</summary>
    protected virtual void Connected(RespConnection connection)
    {
    }

    /// <summary>Called on the link's thread with each reply (the elements are valid only during the call); an error
    /// reply is one element, its text.</summary>
    protected abstract void Received(ReadOnlySpan<ReadOnlyMemory<byte>> reply, bool isError);

    /// <summary>Called under <see cref="Gate"/> when the connection is lost, and once when the link stops
    /// (<see cref="Stopped"/> already set).</summary>
    protected virtual void Disconnected(Exception reason)
    {
    }

    private void Ping()
    {
        lock (Gate)
        {
            if (Connection is not { } connection) return;
            try
            {
                connection.Send("PING");
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The connection closed itself; its reading thread notices and reconnects.
            }
        }
    }

    private void Run()
    {
        if (_realtime) EnterRealtime();
        var failures = 0;
        var reply = new ReadOnlyMemory<byte>[4];
        while (!Stopped)
        {
            RespConnection? connection = null;
            try
            {
                connection = RespConnection.Open(_redis.PrimaryEndPoint(), _redis.Configuration, Name, ReadTimeout);
                lock (Gate)
                {
                    if (Stopped) return;
                    Connection = connection;
                    Connected(connection);
                    _connected.TrySetResult();
                }
                if (failures > 0) Logger.LogInformation("{Link} is connected to Redis again", Name);
                failures = 0;
                while (!Stopped)
                {
                    var count = connection.Read(reply, out var isError);
                    Received(reply.AsSpan(0, Math.Min(count, reply.Length)), isError);
                }
            }
            catch (Exception e)
            {
                if (Stopped) return;
                lock (Gate)
                {
                    Connection = null;
                    Disconnected(e);
                    if (_connected.Task.IsCompleted) _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }
                if (failures++ == 0) Logger.LogWarning(e, "{Link} lost its Redis connection; reconnecting", Name);
                Thread.Sleep(TimeSpan.FromMilliseconds(Math.Min(5_000, 100 << Math.Min(failures, 6))));
            }
            finally
            {
                connection?.Dispose();
            }
        }
    }

    private void EnterRealtime()
    {
        if (RealtimeThread.TryEnter() is { } refused)
            Logger.LogInformation("{Link} runs at normal priority: Linux refused it real-time scheduling ({Reason}); " +
                                  "docs/deploy-cluster.md says how to allow it", Name, refused);
        else
            Logger.LogInformation("{Link} runs at real-time priority", Name);
    }

    public void Dispose()
    {
        lock (Gate)
        {
            if (Stopped) return;
            Stopped = true;
            Connection?.Dispose();
            Connection = null;
            Disconnected(new ObjectDisposedException(Name));
            _connected.TrySetCanceled();
        }
        _ping.Dispose();
        _thread?.Join(TimeSpan.FromSeconds(2));
        GC.SuppressFinalize(this);
    }
}
