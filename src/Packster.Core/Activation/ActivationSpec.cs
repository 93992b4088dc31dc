using Packster.Resources;

namespace Packster.Activation;

/// <summary>
/// What activating a location does: put <see cref="ShimsDir"/> first on PATH and set <see cref="Env"/>
/// (spec/activation.md §3). Validated: absolute paths without NUL, line breaks or the PATH list separator; env keys
/// per <see cref="EnvKeyName"/>; values without NUL.
/// </summary>
public sealed record ActivationSpec
{
    public ActivationSpec(string locationPath, string locationId, string shimsDir, IReadOnlyDictionary<string, string>? env = null,
        IReadOnlyDictionary<string, ListValue>? lists = null)
    {
        ActivationId.Validate(locationId);
        CheckPath(locationPath, "location path");
        CheckPath(shimsDir, "shims folder");
        env ??= new Dictionary<string, string>();
        foreach (var (key, value) in env)
        {
            EnvKeyName.Validate(key);
            if (value.Contains('\0', StringComparison.Ordinal))
            {
                throw new PacksterException(ErrorCode.ActivationEnvInvalid, $"the value of environment variable {key} contains a NUL character");
            }
        }
        lists ??= new Dictionary<string, ListValue>();
        foreach (var (key, list) in lists)
        {
            EnvKeyName.Validate(key);
            if (env.ContainsKey(key)) throw new PacksterException(ErrorCode.ActivationEnvInvalid, $"environment variable {key} is both set and extended as a list");
            foreach (var entry in list.Prepend.Concat(list.Append))
            {
                // An entry holding the separator would become two entries; an empty one would mean "the current directory".
                if (entry.Length == 0 || entry.AsSpan().IndexOfAny('\0', '\n', '\r') >= 0 || entry.Contains(Path.PathSeparator, StringComparison.Ordinal))
                {
                    throw new PacksterException(ErrorCode.ActivationEnvInvalid,
                        $"an entry of list variable {key} ('{entry}') is empty, or holds '{Path.PathSeparator}' or a line break: it cannot be one entry of the list");
                }
            }
        }
        LocationPath = locationPath;
        LocationId = locationId;
        ShimsDir = shimsDir;
        Env = new SortedDictionary<string, string>(env.ToDictionary(), StringComparer.Ordinal);
        Lists = new SortedDictionary<string, ListValue>(lists.ToDictionary(), StringComparer.Ordinal);
    }

    /// <summary>List variables: entries put before and after the value the variable had (spec/activation.md §3 List variables).</summary>
    public IReadOnlyDictionary<string, ListValue> Lists { get; }

    /// <summary>Every variable activation sets (scalars and lists), whose old values deactivation restores.</summary>
    public IEnumerable<string> Keys => Env.Keys.Concat(Lists.Keys).Order(StringComparer.Ordinal);

    /// <summary>
    /// The value of list <paramref name="key"/> after activation when it was <paramref name="old"/> (null: unset):
    /// the prepended entries, the old value when not empty, the appended entries, joined by <paramref name="separator"/>.
    /// </summary>
    public string Compose(string key, string? old, char separator)
    {
        var list = Lists[key];
        var parts = new List<string>(list.Prepend);
        if (!string.IsNullOrEmpty(old)) parts.Add(old);
        parts.AddRange(list.Append);
        return string.Join(separator, parts);
    }

    public string LocationPath { get; }
    public string LocationId { get; }
    public string ShimsDir { get; }
    public IReadOnlyDictionary<string, string> Env { get; }

    /// <summary>
    /// Refuses a location path no activation can put on PATH (<see cref="ErrorCode.ActivationEnvInvalid"/>): checked
    /// by <c>location create</c> before anything is made, so such a location is never half created.
    /// </summary>
    public static void CheckLocationPath(string path)
    {
        CheckPath(path, "location path");
        CheckPath(Path.Combine(path, "shims"), "shims folder");
    }

    private static void CheckPath(string path, string what)
    {
        if (string.IsNullOrEmpty(path) || !Path.IsPathFullyQualified(path) || path.AsSpan().IndexOfAny('\0', '\n', '\r') >= 0
            || path.Contains(Path.PathSeparator, StringComparison.Ordinal))
        {
            throw new PacksterException(ErrorCode.ActivationEnvInvalid,
                $"invalid {what} '{path}' for activation: expected an absolute path without line breaks or '{Path.PathSeparator}'");
        }
    }
}

/// <summary>The entries of one list variable, merged over the active deployments in their order.</summary>
public sealed record ListValue(IReadOnlyList<string> Prepend, IReadOnlyList<string> Append);
