using System.Text.RegularExpressions;

namespace Packster.Core.Tests.Spec;

/// <summary>spec/errors.md is the catalogue: every error code the code can raise has a row there, and no row names a code that does not exist.</summary>
public sealed partial class ErrorCatalogueTests
{
    private static string Catalogue()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "spec", "errors.md");
            if (File.Exists(path)) return File.ReadAllText(path);
        }
        throw new InvalidOperationException("spec/errors.md not found");
    }

    [GeneratedRegex(@"^\| (PST\d{4}) \| (\w+) \|", RegexOptions.Multiline)]
    private static partial Regex Row();

    [Fact]
    public void Every_error_code_has_a_row_with_its_name()
    {
        var rows = Row().Matches(Catalogue()).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        foreach (var code in Enum.GetValues<ErrorCode>())
        {
            var key = ExitCodes.Format(code);
            Assert.True(rows.ContainsKey(key), $"{key} ({code}) has no row in spec/errors.md");
            Assert.Equal(code.ToString(), rows[key]);
        }
        var known = Enum.GetValues<ErrorCode>().Select(ExitCodes.Format).ToHashSet();
        Assert.All(rows.Keys, k => Assert.Contains(k, known));
    }
}
