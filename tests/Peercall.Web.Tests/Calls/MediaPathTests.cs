using Microsoft.Extensions.Time.Testing;
using Peercall.Web.Calls;

namespace Peercall.Web.Tests.Calls;

/// <summary>When a broken media path restarts ICE and when it gives up, on a clock the test moves.</summary>
public sealed class MediaPathTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly MediaPath _path;

    public MediaPathTests() => _path = new MediaPath(_time);

    [Fact]
    public void A_path_that_fails_before_it_ever_connected_has_failed_and_is_not_restarted()
    {
        Assert.Equal(MediaPathAction.None, _path.IceStateChanged("checking"));
        Assert.Equal(MediaPathAction.None, _path.IceStateChanged("disconnected"));
        Assert.Equal(MediaPathAction.GiveUp, _path.IceStateChanged("failed"));
        Assert.Equal(MediaPathState.Failed, _path.State);
        Assert.Equal(0, _path.Restarts);
    }

    [Fact]
    public void A_short_disconnection_heals_without_a_restart()
    {
        _path.IceStateChanged("connected");
        Assert.Equal(MediaPathAction.None, _path.IceStateChanged("disconnected"));
        Assert.Equal(MediaPathState.Interrupted, _path.State);
        Step(TimeSpan.FromSeconds(2));
        Assert.Equal(MediaPathAction.None, _path.IceStateChanged("connected"));
        Assert.Equal(MediaPathState.Connected, _path.State);
        Step(TimeSpan.FromSeconds(40));
        Assert.Equal(MediaPathAction.None, _path.Tick());
    }

    [Fact]
    public void A_second_without_audio_interrupts_the_path_before_ice_notices_and_audio_arriving_heals_it()
    {
        Assert.Equal(MediaPathAction.None, _path.Tick(audioArrived: false));
        Assert.Equal(MediaPathState.Connecting, _path.State);
        _path.IceStateChanged("connected");

        Assert.Equal(MediaPathAction.None, _path.Tick(audioArrived: false));
        Assert.Equal(MediaPathState.Interrupted, _path.State);
        Step(MediaPath.RestartAfter);
        Assert.Equal(MediaPathAction.RestartIce, _path.Tick(audioArrived: false));
        Assert.Equal(MediaPathAction.None, _path.Tick(audioArrived: true));
        Assert.Equal(MediaPathState.Connected, _path.State);
        Step(MediaPath.LostAfter);
        Assert.Equal(MediaPathAction.None, _path.Tick());
    }

    [Fact]
    public void A_lasting_disconnection_restarts_ice_after_the_delay_then_again_while_it_stays_broken()
    {
        _path.IceStateChanged("connected");
        _path.IceStateChanged("disconnected");
        Step(MediaPath.RestartAfter - TimeSpan.FromMilliseconds(100));
        Assert.Equal(MediaPathAction.None, _path.Tick());
        Step(TimeSpan.FromMilliseconds(100));
        Assert.Equal(MediaPathAction.RestartIce, _path.Tick());
        Assert.Equal(MediaPathAction.None, _path.Tick());
        Step(MediaPath.RestartEvery);
        Assert.Equal(MediaPathAction.RestartIce, _path.Tick());
        Assert.Equal(2, _path.Restarts);
    }

    [Fact]
    public void Failed_after_it_worked_restarts_at_once_but_not_over_and_over()
    {
        _path.IceStateChanged("connected");
        Assert.Equal(MediaPathAction.RestartIce, _path.IceStateChanged("failed"));
        Assert.Equal(MediaPathAction.None, _path.IceStateChanged("checking"));
        Assert.Equal(MediaPathAction.None, _path.IceStateChanged("failed"));
        Step(MediaPath.RestartAfter);
        Assert.Equal(MediaPathAction.RestartIce, _path.IceStateChanged("failed"));
    }

    [Fact]
    public void The_path_is_lost_after_the_bound_counted_from_when_media_stopped_not_from_the_last_restart()
    {
        _path.IceStateChanged("connected");
        _path.IceStateChanged("disconnected");
        Step(TimeSpan.FromSeconds(10));
        _path.IceStateChanged("failed");
        _path.IceStateChanged("checking");
        Step(MediaPath.LostAfter - TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(1));
        Assert.NotEqual(MediaPathAction.GiveUp, _path.Tick());
        Step(TimeSpan.FromMilliseconds(1));
        Assert.Equal(MediaPathAction.GiveUp, _path.Tick());
        Assert.Equal(MediaPathState.Lost, _path.State);
        Assert.Equal(MediaPathAction.None, _path.IceStateChanged("connected"));
        Assert.Equal(MediaPathState.Lost, _path.State);
    }

    private void Step(TimeSpan span) => _time.Advance(span);
}
