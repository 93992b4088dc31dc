using System.Diagnostics.CodeAnalysis;

namespace Packster.Handlers;

/// <summary>The moments a package's handlers run at; <see cref="Any"/> is the manifest slot that runs at each of them.</summary>
public enum HandlerAction
{
    Pack,
    Install,
    Upgrade,
    Uninstall,

    /// <summary>Not an action of its own: the handler run before the specific one at every action, with the action as its first argument.</summary>
    Any,
}

/// <summary>The manifest and environment spelling of <see cref="HandlerAction"/>: lowercase <c>pack</c>, <c>install</c>, ….</summary>
public static class HandlerActionNames
{
    public static string ToName(this HandlerAction action) => action switch
    {
        HandlerAction.Pack => "pack",
        HandlerAction.Install => "install",
        HandlerAction.Upgrade => "upgrade",
        HandlerAction.Uninstall => "uninstall",
        HandlerAction.Any => "any",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    /// <summary>Reads a manifest key of the <c>[handlers]</c> table (exact, lowercase).</summary>
    public static bool TryParse(string? name, [NotNullWhen(true)] out HandlerAction? action)
    {
        action = name switch
        {
            "pack" => HandlerAction.Pack,
            "install" => HandlerAction.Install,
            "upgrade" => HandlerAction.Upgrade,
            "uninstall" => HandlerAction.Uninstall,
            "any" => HandlerAction.Any,
            _ => null,
        };
        return action is not null;
    }
}
