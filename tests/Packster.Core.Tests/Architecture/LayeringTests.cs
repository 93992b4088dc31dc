using System.Reflection;

namespace Packster.Core.Tests.Architecture;

/// <summary>
/// STYLE.md "Layout": Packster.Core is the domain and the engine — no Console, no HttpClient — and Packster.Toml
/// knows nothing about packages. These tests keep the layers honest by reading the assemblies' references.
/// </summary>
public sealed class LayeringTests
{
    private static readonly Assembly Core = typeof(PacksterException).Assembly;
    private static readonly Assembly Toml = typeof(Packster.Toml.TomlDocument).Assembly;

    private static IEnumerable<string> References(Assembly assembly) => assembly.GetReferencedAssemblies().Select(a => a.Name!);

    [Theory]
    [InlineData("System.Console")]
    [InlineData("System.Net.Http")]
    [InlineData("Packster.Sources")]
    [InlineData("packster")]
    [InlineData("Spectre.Console")]
    [InlineData("System.CommandLine")]
    // spec/handlers.md §Hosted PowerShell: PowerShell lives in packster-pwsh-host only; packster is AOT-compiled.
    [InlineData("System.Management.Automation")]
    [InlineData("Microsoft.PowerShell.SDK")]
    [InlineData("packster-pwsh-host")]
    public void Core_does_not_reference(string assembly) => Assert.DoesNotContain(assembly, References(Core));

    [Fact]
    public void Toml_references_nothing_of_packster() =>
        Assert.DoesNotContain(References(Toml), r => r.StartsWith("Packster", StringComparison.Ordinal) || r == "NuGet.Versioning");

    // spec/toml.md §9: Tomlyn is the editing path only. Reading stays with Packster.Toml, and the engine edits TOML
    // through Packster.Toml.Editing, never through Tomlyn's types itself.
    [Fact]
    public void Only_the_editing_path_references_Tomlyn()
    {
        var editing = typeof(Packster.Toml.Editing.TomlEditor).Assembly;
        Assert.Contains("Tomlyn", References(editing));
        Assert.Contains("Packster.Toml", References(editing));
        Assert.DoesNotContain("Tomlyn", References(Toml));
        Assert.DoesNotContain("Tomlyn", References(Core));
        Assert.Contains("Packster.Toml.Editing", References(Core));
    }

    [Fact]
    public void Every_error_code_maps_to_its_area_exit_code()
    {
        // spec/errors.md § Exit codes: the thousands digit is the area and decides the exit code.
        foreach (var code in Enum.GetValues<ErrorCode>())
        {
            var expected = ((int)code / 1000) switch
            {
                0 => 1,
                1 => 2,
                2 or 3 => 3,
                var area => area,
            };
            // Interrupts: 130 here; the CLI makes it 128 + the signal's number (143 for SIGTERM).
            if (code is ErrorCode.HandlerCancelled or ErrorCode.Interrupted) expected = 130;
            Assert.Equal(expected, ExitCodes.For(code));
        }
    }
}
