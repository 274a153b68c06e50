namespace Peercall.Server.Hosting;

/// <summary>
/// Counts the messages this server handles for its users: hub invocations, and signals that other nodes pass on
/// for its connections. Keep-alives do not count. A relay of a thousand signals a second allocates too little for
/// the allocation rate to tell it from an idle server, so the memory trim asks this too.
/// </summary>
public sealed class ActivityMeter
{
    private long _messages;

    public long Messages => Interlocked.Read(ref _messages);

    public void Handled() => Interlocked.Increment(ref _messages);
}
