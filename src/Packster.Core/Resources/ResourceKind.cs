namespace Packster.Resources;

/// <summary>The kinds of resource a deployment claims while it is active (spec/resources.md §1).</summary>
public enum ResourceKind
{
    Shim,
    EnvKey,
    Port,
    SharedFile,
    SharedDir,

    /// <summary>A list variable (LD_LIBRARY_PATH…) the deployment extends: shared by every deployment that does, never with a scalar of the same name.</summary>
    EnvList,
}

/// <summary>How users read a resource kind in messages.</summary>
public static class ResourceKindNames
{
    public static string Display(this ResourceKind kind) => kind switch
    {
        ResourceKind.Shim => "shim",
        ResourceKind.EnvKey => "environment variable",
        ResourceKind.Port => "port",
        ResourceKind.SharedFile => "shared file",
        ResourceKind.SharedDir => "shared directory",
        ResourceKind.EnvList => "list variable",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
