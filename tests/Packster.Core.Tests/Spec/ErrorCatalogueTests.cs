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

/// <summary>
/// spec/errors.md is not only complete but true: every code can be produced. The table is built from the tests
/// themselves — for each code, the test methods that name it (<c>ErrorCode.X</c> or <c>"PST####"</c>) — and checked
/// complete; codes that cannot be produced on this machine are listed with the reason.
/// </summary>
public sealed partial class ErrorCatalogueProductionTests
{
    private static readonly Dictionary<ErrorCode, string> CannotBeProducedHere = new()
    {
        [ErrorCode.Internal] = "PST0001 is a bug by definition: a test that produced it on purpose would be testing a bug",
        [ErrorCode.LockUnavailable] = "flock fails with other than EWOULDBLOCK only on a file system without locks (ENOLCK: NFS without "
            + "its lock daemon), which cannot be mounted here; contention and the DOTNET_SYSTEM_IO_DISABLEFILELOCKING case are tested",
    };

    [GeneratedRegex(@"\[\w*(?:Fact|Theory)\b[^\]]*\][^{]*?(?:public|internal) (?:async )?(?:void|Task) (\w+)")]
    private static partial Regex TestMethod();

    private static string TestsRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var tests = Path.Combine(dir.FullName, "tests");
            if (File.Exists(Path.Combine(dir.FullName, "Packster.sln")) && Directory.Exists(tests)) return tests;
        }
        throw new InvalidOperationException("tests/ not found");
    }

    /// <summary>Code → the test methods (file: method) whose body names it.</summary>
    private static Dictionary<ErrorCode, List<string>> Table()
    {
        var table = Enum.GetValues<ErrorCode>().ToDictionary(c => c, _ => new List<string>());
        foreach (var file in Directory.EnumerateFiles(TestsRoot(), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || file.EndsWith("ErrorCatalogueTests.cs", StringComparison.Ordinal)) continue;
            var text = File.ReadAllText(file);
            var methods = TestMethod().Matches(text).ToList();
            for (var i = 0; i < methods.Count; i++)
            {
                var start = methods[i].Index;
                var end = i + 1 < methods.Count ? methods[i + 1].Index : text.Length;
                var body = text[start..end];
                foreach (var code in table.Keys)
                {
                    if (body.Contains("ErrorCode." + code + ")", StringComparison.Ordinal) || body.Contains("ErrorCode." + code + ",", StringComparison.Ordinal)
                        || body.Contains("ErrorCode." + code + " ", StringComparison.Ordinal) || body.Contains("ErrorCode." + code + ";", StringComparison.Ordinal)
                        || body.Contains(ExitCodes.Format(code), StringComparison.Ordinal))
                    {
                        table[code].Add($"{Path.GetFileNameWithoutExtension(file)}.{methods[i].Groups[1].Value}");
                    }
                }
            }
        }
        return table;
    }

    [Fact]
    public void Every_error_code_is_produced_by_a_test_or_listed_with_the_reason_it_cannot_be()
    {
        var table = Table();
        var missing = table.Where(p => p.Value.Count == 0 && !CannotBeProducedHere.ContainsKey(p.Key))
            .Select(p => $"{ExitCodes.Format(p.Key)} {p.Key}").ToList();
        Assert.True(missing.Count == 0, "no test produces: " + string.Join(", ", missing));
        // PST0001 is named by tests only to assert its absence, so the listed codes are not checked for mentions.
    }
}
