using HandlerAction = Packster.Manifest.HandlerAction;
namespace Packster.Handlers;

/// <summary>
/// Every handler an action will run, in order (<c>any</c> first, then the specific one), all resolved before
/// anything is extracted or changed, so a missing interpreter fails the operation while nothing has happened yet.
/// </summary>
public sealed record HandlerPlan(HandlerAction Action, IReadOnlyList<PlannedHandler> Handlers)
{
    public bool IsEmpty => Handlers.Count == 0;
}
