using Packster.Toml;

namespace Packster;

/// <summary>
/// TOML text that does not parse, in a file whose spec names its own code for that (spec/errors.md): the user's
/// <c>config.toml</c> (and a project config file) is PST8007 SourceConfigInvalid (spec/toml.md §9.1), an environment
/// file PST8017 EnvironmentFileInvalid (spec/export.md). A manifest, a bundle file (spec/bundle.md) and a location's
/// <c>packster-policy.toml</c> keep PST2000 TomlSyntax. The message stays the reader's <c>file:line:column: reason</c>;
/// nesting past the reader's limit stays PST2012 TomlTooDeep, which is about depth, not syntax.
/// </summary>
public static class TomlFileErrors
{
    /// <summary>Runs <paramref name="parse"/>; a syntax error it throws becomes <paramref name="code"/>, its message kept.</summary>
    public static T Parsing<T>(ErrorCode code, Func<T> parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        try
        {
            return parse();
        }
        catch (TomlException e) when (!e.IsNestingLimit && code != ErrorCode.TomlSyntax)
        {
            throw new PacksterException(code, e.Message, "fix the TOML at that line and column", e);
        }
    }
}
