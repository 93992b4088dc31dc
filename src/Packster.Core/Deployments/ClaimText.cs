using Packster.Resources;

namespace Packster.Deployments;

/// <summary>
/// How a <see cref="ResourceClaim"/> is written in the lockfile: <c>kind:value</c> with kind one of
/// <c>shim</c>, <c>env</c>, <c>envlist</c>, <c>port</c>, <c>file</c>, <c>dir</c> (spec/lockfile.md § claims).
/// </summary>
public static class ClaimText
{
    public static string Format(ResourceClaim claim) => $"{Prefix(claim.Kind)}:{claim.Value}";

    public static ResourceClaim Parse(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) throw new PacksterException(ErrorCode.LockfileUnreadable, $"lockfile claim '{text}' is not 'kind:value'");
        var value = text[(colon + 1)..];
        return text[..colon] switch
        {
            "shim" => ResourceClaim.Shim(value),
            "env" => ResourceClaim.EnvKey(value),
            "envlist" => ResourceClaim.EnvList(value),
            "port" => ResourceClaim.Port(value),
            "file" => ResourceClaim.SharedFile(value),
            "dir" => ResourceClaim.SharedDir(value),
            var kind => throw new PacksterException(ErrorCode.LockfileUnreadable, $"lockfile claim '{text}' has unknown kind '{kind}'"),
        };
    }

    private static string Prefix(ResourceKind kind) => kind switch
    {
        ResourceKind.Shim => "shim",
        ResourceKind.EnvKey => "env",
        ResourceKind.EnvList => "envlist",
        ResourceKind.Port => "port",
        ResourceKind.SharedFile => "file",
        ResourceKind.SharedDir => "dir",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
