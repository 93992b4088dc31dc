using Packster.Resources;

namespace Packster.Activation;

/// <summary>
/// What activating a location does: put <see cref="ShimsDir"/> first on PATH and set <see cref="Env"/>
/// (spec/activation.md §3). Validated: absolute paths without NUL, line breaks or the PATH list separator; env keys
/// per <see cref="EnvKeyName"/>; values without NUL.
/// </summary>
public sealed record ActivationSpec
{
    public ActivationSpec(string locationPath, string locationId, string shimsDir, IReadOnlyDictionary<string, string>? env = null)
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
        LocationPath = locationPath;
        LocationId = locationId;
        ShimsDir = shimsDir;
        Env = new SortedDictionary<string, string>(env.ToDictionary(), StringComparer.Ordinal);
    }

    public string LocationPath { get; }
    public string LocationId { get; }
    public string ShimsDir { get; }
    public IReadOnlyDictionary<string, string> Env { get; }

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
