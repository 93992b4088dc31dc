using Packster.Resources;

namespace Packster.Activation;

/// <summary>
/// One shim: a valid <see cref="ShimName"/> that execs the absolute <see cref="TargetPath"/> with fixed
/// <see cref="Args"/> before the caller's, and <see cref="Env"/> set for the target only (spec/activation.md §1).
/// </summary>
public sealed record ShimDefinition
{
    public ShimDefinition(string name, string targetPath, IReadOnlyList<string>? args = null, IReadOnlyDictionary<string, string>? env = null)
    {
        ShimName.Validate(name);
        if (string.IsNullOrEmpty(targetPath) || !Path.IsPathFullyQualified(targetPath) || HasNul(targetPath))
        {
            throw Invalid(name, $"target '{targetPath}' is not an absolute path");
        }
        args ??= [];
        env ??= new Dictionary<string, string>();
        if (args.Any(HasNul)) throw Invalid(name, "an argument contains a NUL character");
        foreach (var (key, value) in env)
        {
            EnvKeyName.Validate(key);
            if (HasNul(value)) throw Invalid(name, $"the value of {key} contains a NUL character");
        }
        Name = name;
        TargetPath = targetPath;
        Args = args.ToArray();
        // Sorted so the generated text does not depend on dictionary order.
        Env = new SortedDictionary<string, string>(env.ToDictionary(), StringComparer.Ordinal);
    }

    public string Name { get; }
    public string TargetPath { get; }
    public IReadOnlyList<string> Args { get; }
    public IReadOnlyDictionary<string, string> Env { get; }

    internal static PacksterException Invalid(string name, string why) =>
        new(ErrorCode.ShimDefinitionInvalid, $"invalid shim '{name}': {why}");

    private static bool HasNul(string s) => s.Contains('\0', StringComparison.Ordinal);
}
