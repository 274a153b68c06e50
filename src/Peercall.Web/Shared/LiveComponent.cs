using Microsoft.AspNetCore.Components;
using Peercall.Web.Localization;

namespace Peercall.Web.Shared;

/// <summary>
/// A component that speaks the current language (<see cref="T"/>, cascaded from App.razor) and re-renders when
/// any state it follows changes.
/// </summary>
public abstract class LiveComponent : ComponentBase, IDisposable
{
    private readonly List<ILiveState> _followed = [];

    [CascadingParameter] protected UiText T { get; set; } = English.Text;

    protected void Follow(params ILiveState[] states)
    {
        foreach (var state in states)
        {
            state.Changed += Rerender;
            _followed.Add(state);
        }
    }

    protected void Rerender() => _ = InvokeAsync(StateHasChanged);

    public virtual void Dispose()
    {
        foreach (var state in _followed) state.Changed -= Rerender;
        _followed.Clear();
        GC.SuppressFinalize(this);
    }
}
