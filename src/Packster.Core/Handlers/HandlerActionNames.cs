using System.Diagnostics.CodeAnalysis;
using HandlerAction = Packster.Manifest.HandlerAction;

namespace Packster.Handlers;

/// <summary>The manifest and environment spelling of the manifest's <see cref="HandlerAction"/>: lowercase <c>pack</c>, <c>install</c>, ….</summary>
public static class HandlerActionNames
{
    public static string ToName(this HandlerAction action) => action switch
    {
        HandlerAction.Pack => "pack",
        HandlerAction.Install => "install",
        HandlerAction.Upgrade => "upgrade",
        HandlerAction.Uninstall => "uninstall",
        HandlerAction.Test => "test",
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
            "test" => HandlerAction.Test,
            "any" => HandlerAction.Any,
            _ => null,
        };
        return action is not null;
    }
}
