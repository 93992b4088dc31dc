using HandlerAction = Packster.Manifest.HandlerAction;
namespace Packster.Handlers;

/// <summary>
/// One handler resolved for one action: which manifest slot it fills, its command (for <c>any</c> the action
/// name is already appended), the absolute script path and its effective time limit. A <c>.ps1</c> handler that runs
/// in the hosted PowerShell carries the command's <see cref="HostedPowerShell"/>; its command then only describes it.
/// </summary>
public sealed record PlannedHandler(
    HandlerAction Slot,
    HandlerAction Action,
    HandlerSpec Spec,
    ResolvedCommand Command,
    string ScriptFullPath,
    bool RunsScriptDirectly,
    TimeSpan Timeout,
    HostedPowerShell? PowerShellHost = null)
{
    /// <summary>How messages name this handler: <c>install handler scripts/install.sh</c>, <c>any handler scripts/any.sh (install)</c>.</summary>
    public string Describe() => Slot == HandlerAction.Any
        ? $"any handler {Spec.ScriptPath} ({Action.ToName()})"
        : $"{Action.ToName()} handler {Spec.ScriptPath}";
}
