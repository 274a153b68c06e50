namespace Peercall.Web.Calls;

public enum MediaPathState { Connecting, Connected, Interrupted, Lost, Failed }

public enum MediaPathAction { None, RestartIce, GiveUp }

/// <summary>
/// The media path to one remote participant, from its ICE connection state and whether audio keeps arriving: when
/// to restart ICE and when to give up. A path that never connected and fails has failed (the call could not be set
/// up). A path that worked and breaks is interrupted, as soon as a second passes without audio (Chromium's ICE says
/// <c>disconnected</c> only after about five): ICE restarts after <see cref="RestartAfter"/> of interruption, at
/// once on <c>failed</c>, and again every <see cref="RestartEvery"/> while it stays broken (the network may come
/// back different); audio arriving again ends the interruption; after <see cref="LostAfter"/> without media the
/// path is lost and the call ends.
/// </summary>
public sealed class MediaPath(TimeProvider time)
{
    public static readonly TimeSpan RestartAfter = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan RestartEvery = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(30);

    private DateTimeOffset? _interruptedAt;
    private DateTimeOffset? _restartedAt;

    public MediaPathState State { get; private set; } = MediaPathState.Connecting;

    /// <summary>How many times ICE restarted on this path.</summary>
    public int Restarts { get; private set; }

    public MediaPathAction IceStateChanged(string iceState)
    {
        if (State is MediaPathState.Lost or MediaPathState.Failed) return MediaPathAction.None;
        switch (iceState)
        {
            case "connected" or "completed":
                State = MediaPathState.Connected;
                _interruptedAt = null;
                return MediaPathAction.None;
            case "failed" when State == MediaPathState.Connecting:
                State = MediaPathState.Failed;
                return MediaPathAction.GiveUp;
            case "failed":
                Interrupt();
                return Restart(minimumGap: RestartAfter);
            case "disconnected" when State != MediaPathState.Connecting:
                Interrupt();
                return Tick();
            default:
                return MediaPathAction.None;
        }
    }

    /// <summary>Called about once a second, with whether audio arrived since the last call (null while the path
    /// has carried none yet). Audio arriving heals an interrupted path whatever ICE says yet; none arriving
    /// interrupts a connected one; the rest is what the time decides.</summary>
    public MediaPathAction Tick(bool? audioArrived = null)
    {
        if (audioArrived == true && State == MediaPathState.Interrupted)
        {
            State = MediaPathState.Connected;
            _interruptedAt = null;
        }
        if (audioArrived == false && State == MediaPathState.Connected) Interrupt();
        if (State != MediaPathState.Interrupted || _interruptedAt is not { } since) return MediaPathAction.None;
        var broken = time.GetUtcNow() - since;
        if (broken >= LostAfter)
        {
            State = MediaPathState.Lost;
            return MediaPathAction.GiveUp;
        }
        return broken >= RestartAfter ? Restart(minimumGap: RestartEvery) : MediaPathAction.None;
    }

    private void Interrupt()
    {
        State = MediaPathState.Interrupted;
        _interruptedAt ??= time.GetUtcNow();
    }

    private MediaPathAction Restart(TimeSpan minimumGap)
    {
        var now = time.GetUtcNow();
        if (_restartedAt is { } last && now - last < minimumGap) return MediaPathAction.None;
        _restartedAt = now;
        Restarts++;
        return MediaPathAction.RestartIce;
    }
}
