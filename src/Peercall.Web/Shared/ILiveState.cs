namespace Peercall.Web.Shared;

/// <summary>App state that components show and re-render when it changes.</summary>
public interface ILiveState
{
    event Action? Changed;
}
