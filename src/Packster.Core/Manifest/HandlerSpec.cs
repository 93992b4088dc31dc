namespace Packster.Manifest;

/// <summary>
/// When a handler runs. <see cref="Any"/> runs at each action, with the action name as its first argument.
/// <see cref="Test"/> runs after install/upgrade in staging and again on <c>packster test</c>; a package without a
/// test handler has no test action, so <c>any</c> is never called with <c>test</c> for it (spec/handlers.md §When).
/// </summary>
public enum HandlerAction
{
    Pack,
    Install,
    Upgrade,
    Uninstall,
    Test,
    Any,
}

/// <summary>
/// A handler script inside the package. <see cref="Timeout"/> null means "the caller's default";
/// <see cref="Executor"/> null means "chosen by the script's extension".
/// </summary>
public sealed record HandlerSpec(HandlerAction Action, PackagePath Script, TimeSpan? Timeout, IReadOnlyList<string>? Executor)
{
    /// <summary>The manifest key for an action: pack, install, upgrade, uninstall, test, any.</summary>
    public static string KeyOf(HandlerAction action) => action.ToString().ToLowerInvariant();
}
