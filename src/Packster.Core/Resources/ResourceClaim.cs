using System.Globalization;
using Packster.Activation;
using Packster.Model;

namespace Packster.Resources;

/// <summary>
/// One resource, normalised once so that equal claims compare equal (spec/resources.md §2): shim names compare
/// case-insensitively everywhere, environment keys case-insensitively on Windows only, ports are 1–65535 in
/// decimal, shared paths are full, normalised paths without a trailing separator (case-insensitive on Windows).
/// </summary>
public readonly record struct ResourceClaim
{
    private ResourceClaim(ResourceKind kind, string value, string key)
    {
        Kind = kind;
        Value = value;
        Key = key;
    }

    public ResourceKind Kind { get; }

    /// <summary>The claim as the user wrote it (normalised, original case kept), for messages.</summary>
    public string Value { get; }

    /// <summary>The comparison key: two claims are the same resource exactly when kind and key are equal.</summary>
    public string Key { get; }

    public bool Equals(ResourceClaim other) => Kind == other.Kind && string.Equals(Key, other.Key, StringComparison.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Kind, StringComparer.Ordinal.GetHashCode(Key ?? string.Empty));

    /// <summary>A shim name (validated by <see cref="ShimName"/>); compared case-insensitively on every OS.</summary>
    public static ResourceClaim Shim(string name)
    {
        ShimName.Validate(name);
        return new ResourceClaim(ResourceKind.Shim, name, name.ToUpperInvariant());
    }

    /// <summary>An environment key (<c>[A-Za-z_][A-Za-z0-9_]*</c>); case-insensitive when <paramref name="windows"/>.</summary>
    public static ResourceClaim EnvKey(string key, bool? windows = null)
    {
        EnvKeyName.Validate(key);
        var ignoreCase = windows ?? OperatingSystem.IsWindows();
        return new ResourceClaim(ResourceKind.EnvKey, key, ignoreCase ? key.ToUpperInvariant() : key);
    }

    /// <summary>
    /// A list variable the deployment extends (spec/resources.md § List variables). Not exclusive: two extensions of one
    /// name are no conflict, an extension and a scalar of the same name are. <see cref="Of"/> makes one owner's entry.
    /// </summary>
    public static ResourceClaim EnvList(string key, bool? windows = null)
    {
        EnvKeyName.Validate(key);
        var ignoreCase = windows ?? OperatingSystem.IsWindows();
        return new ResourceClaim(ResourceKind.EnvList, key, ignoreCase ? key.ToUpperInvariant() : key);
    }

    /// <summary>True for claims several owners may hold at once (list variables).</summary>
    public bool IsShared => Kind == ResourceKind.EnvList;

    /// <summary>
    /// The variable name an env claim (scalar or list) is about, as compared: a scalar and a list claim with the same
    /// name collide. Null for other kinds.
    /// </summary>
    public string? VariableKey => Kind switch
    {
        ResourceKind.EnvKey => Key,
        ResourceKind.EnvList => Key.Split('\n')[0],
        _ => null,
    };

    /// <summary>This shared claim as held by <paramref name="owner"/>: distinct per owner, so ownership tables keep every holder.</summary>
    public ResourceClaim Of(Sha256Digest owner) => IsShared ? new ResourceClaim(Kind, Value, VariableKey + "\n" + owner.Hex) : this;

    public static ResourceClaim Port(int port)
    {
        if (port is < 1 or > 65535)
        {
            throw new PacksterException(ErrorCode.ResourceClaimInvalid, $"invalid port {port}: expected 1-65535");
        }
        var text = port.ToString(CultureInfo.InvariantCulture);
        return new ResourceClaim(ResourceKind.Port, text, text);
    }

    /// <summary>A port written as text (after template expansion), e.g. <c>"8080"</c>.</summary>
    public static ResourceClaim Port(string text)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            throw new PacksterException(ErrorCode.ResourceClaimInvalid, $"invalid port '{TerminalText.Printable(text)}': expected a decimal number 1-65535");
        }
        return Port(port);
    }

    public static ResourceClaim SharedFile(string path, bool? windows = null) => SharedPath(ResourceKind.SharedFile, path, windows);

    public static ResourceClaim SharedDir(string path, bool? windows = null) => SharedPath(ResourceKind.SharedDir, path, windows);

    /// <summary>True when this shared path is <paramref name="other"/> or lies inside it (or the reverse).</summary>
    internal bool PathOverlaps(ResourceClaim other)
    {
        if (!IsPath || !other.IsPath) return false;
        if (Key == other.Key) return true;
        // A shared directory covers everything beneath it, whoever claims the inner path.
        return (other.Kind == ResourceKind.SharedDir && IsUnder(Key, other.Key))
            || (Kind == ResourceKind.SharedDir && IsUnder(other.Key, Key));
    }

    internal bool IsPath => Kind is ResourceKind.SharedFile or ResourceKind.SharedDir;

    /// <summary>How messages name the claim; a value from a hostile manifest is shown with its control characters escaped.</summary>
    public override string ToString() => $"{Kind.Display()} '{TerminalText.Printable(Value)}'";

    private static bool IsUnder(string inner, string outer) =>
        inner.Length > outer.Length && inner.StartsWith(outer, StringComparison.Ordinal)
        && (inner[outer.Length] == '/' || outer.EndsWith('/'));

    private static ResourceClaim SharedPath(ResourceKind kind, string path, bool? windows)
    {
        if (string.IsNullOrEmpty(path) || path.Contains('\0', StringComparison.Ordinal) || !Path.IsPathFullyQualified(path))
        {
            throw new PacksterException(ErrorCode.ResourceClaimInvalid,
                $"invalid {kind.Display()} '{TerminalText.Printable(path)}': expected an absolute path", "use {location} or {deployment} to build shared paths");
        }
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? string.Empty;
        while (full.Length > root.Length && (full.EndsWith(Path.DirectorySeparatorChar) || full.EndsWith(Path.AltDirectorySeparatorChar)))
        {
            full = full[..^1];
        }
        var ignoreCase = windows ?? OperatingSystem.IsWindows();
        // The key always uses '/' so that containment checks are one rule on every OS.
        var key = full.Replace('\\', '/');
        return new ResourceClaim(kind, full, ignoreCase ? key.ToUpperInvariant() : key);
    }
}
