namespace Packster.Manifest;

/// <summary>When a handler runs. <see cref="Any"/> runs at each action, with the action name as its first argument.</summary>
public enum HandlerAction
{
    Pack,
    Install,
    Upgrade,
    Uninstall,
    Any,
}

/// <summary>
/// A handler script inside the package. <see cref="Timeout"/> null means "the caller's default";
/// <see cref="Executor"/> null means "chosen by the script's extension".
/// </summary>
public sealed record HandlerSpec(HandlerAction Action, PackagePath Script, TimeSpan? Timeout, IReadOnlyList<string>? Executor)
{
    /// <summary>The manifest key for an action: pack, install, upgrade, uninstall, any.</summary>
    public static string KeyOf(HandlerAction action) => action.ToString().ToLowerInvariant();
}
