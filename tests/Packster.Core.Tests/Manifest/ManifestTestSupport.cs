using Packster.Manifest;

namespace Packster.Core.Tests.Manifest;

internal static class ManifestTestSupport
{
    public const string File = "pkg/packster-manifest.toml";
    public const string Head = "id = \"hello\"\nversion = \"1.0.0\"\n";

    public static Packster.Manifest.Manifest Parse(string toml) => ManifestReader.Parse(toml, File);

    /// <summary>Parses and expects a failure; returns it so tests can check code, position, key and message.</summary>
    public static ManifestException Fail(string toml) => Assert.Throws<ManifestException>(() => Parse(toml));

    public static void AssertError(ManifestException e, ErrorCode code, int line, int column, string? key, string contains)
    {
        Assert.Equal(code, e.Code);
        Assert.Equal(File, e.File);
        Assert.Equal((line, column), (e.Position.Line, e.Position.Column));
        Assert.Equal(key, e.Key);
        Assert.Contains(contains, e.Message, StringComparison.Ordinal);
        var prefix = key is null ? $"{File}:{line}:{column}: " : $"{File}:{line}:{column}: {key}: ";
        Assert.StartsWith(prefix, e.Message, StringComparison.Ordinal);
    }

    /// <summary>The repository root, found by walking up from the test binaries to Packster.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Packster.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Packster.sln not found above " + AppContext.BaseDirectory);
    }
}
