using System.Text.Json;
using Packster.Testing;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// spec/toml.md §9: the files a person also edits (config.toml, packster-manifest.toml) are changed in place by the real
/// <c>packster</c>: every line the command was not asked to change stays byte for byte, and a refused change leaves the
/// file byte-identical.
/// </summary>
public sealed class PersonEditedTomlTests : IDisposable
{
    private const string CommentedConfig = """
        # Packster user configuration
        # (kept by hand; packster edits only what it is asked to)

        deny = [
          "leftpad",       # withdrawn upstream
          'tool@1.4.2',    # a literal string, kept as written
        ]

        [licenses]
        # no copyleft in the tools we ship
        deny = ["copyleft"]

        # The corporate mirror, consulted first.
        [sources.corp]
        type = "artifactory"
        url = 'https://art.example.com/artifactory'   # a literal string
        repo = "tools"
        token-env = "ART_TOKEN"
        priority = 1_0

        # A local folder of packages.
        [sources.local]
        type = "folder"
        url = "/srv/packages"

        # end of file

        """;

    private const string CommentedManifest = """
        # The hello tool (hand-written manifest)
        id = "hello"
        version = "1.2.0"   # bumped by CI
        description = 'Says hello'

        [platform]
        arch = ["x64", "arm64"]   # no 32-bit builds

        # the command
        [shims]
        hello = { target = "bin/hello", args = ["--greet"] }   # with a flag

        [parameters.port]
        type = "integer"
        default = 0x1F90   # 8080, in hex
        """;

    private readonly TempDirectory _home = new("packster-it");
    private readonly PacksterProcess _packster;

    public PersonEditedTomlTests() => _packster = new PacksterProcess(_home);

    public void Dispose() => _home.Dispose();

    private string Config => _home["config.toml"];

    private string PackageFolder()
    {
        var manifest = _home.Write("hello/packster-manifest.toml", CommentedManifest);
        var tool = _home.Write("hello/bin/hello", "#!/bin/sh\necho hello\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tool, (UnixFileMode)0b111_101_101);
        return Path.GetDirectoryName(manifest)!;
    }

    // spec/toml.md §9: "source add appends the new [sources.NAME] table after the last line; source remove takes it out
    // again with the blank line before it: the file is then byte-identical to what it was".
    [Fact]
    public void Source_add_then_source_remove_gives_back_the_commented_config_byte_for_byte()
    {
        _home.Write("config.toml", CommentedConfig);

        _packster.Ok("source", "add", "mirror", "--type", "http", "--url", "https://mirror.example/packages/", "--priority", "20");
        var added = File.ReadAllText(Config);
        var diff = LineDiff.Of(CommentedConfig, added);
        Assert.Empty(diff.Removed);
        // (The diff pairs the blank line above the new table with the file's last one, so the new blank line comes last.)
        Assert.Equal(["[sources.mirror]", "type = \"http\"", "url = \"https://mirror.example/packages/\"", "priority = 20", ""], diff.Added);
        Assert.StartsWith(CommentedConfig, added, StringComparison.Ordinal);
        Assert.Equal(["corp", "mirror", "local"], SourceNames()); // consulted by priority: 10, 20, 100

        _packster.Ok("source", "remove", "mirror");
        Assert.Equal(CommentedConfig, File.ReadAllText(Config));
    }

    // spec/toml.md §9: "a symbolic link is followed, so the file it ends at is replaced and the link stays a link (a
    // `config.toml` … linked into a dotfiles repository keeps pointing there)".
    [Fact]
    public void A_config_linked_into_a_dotfiles_folder_stays_a_link_and_the_edit_lands_there()
    {
        if (OperatingSystem.IsWindows()) return;
        var real = _home.Write("dotfiles/packster/config.toml", CommentedConfig);
        File.CreateSymbolicLink(_home["links-to-dotfiles.toml"], real);
        File.CreateSymbolicLink(Config, _home["links-to-dotfiles.toml"]);

        _packster.Ok("source", "add", "mirror", "--type", "http", "--url", "https://mirror.example/packages/");
        Assert.Equal(real, File.ResolveLinkTarget(Config, returnFinalTarget: true)!.FullName);
        Assert.NotNull(new FileInfo(Config).LinkTarget);
        Assert.Contains("[sources.mirror]", File.ReadAllText(real), StringComparison.Ordinal);
        Assert.StartsWith(CommentedConfig, File.ReadAllText(real), StringComparison.Ordinal);

        _packster.Ok("source", "remove", "mirror");
        Assert.Equal(CommentedConfig, File.ReadAllText(real));
        Assert.NotNull(new FileInfo(Config).LinkTarget);
    }

    // spec/toml.md §9: "Removing a table removes the comment lines directly above it and one blank line; other comments stay."
    [Fact]
    public void Source_remove_takes_out_exactly_the_source_and_its_comment()
    {
        _home.Write("config.toml", CommentedConfig);
        _packster.Ok("source", "remove", "corp");
        var diff = LineDiff.Of(CommentedConfig, File.ReadAllText(Config));
        Assert.Empty(diff.Added);
        Assert.Equal(["# The corporate mirror, consulted first.", "[sources.corp]", "type = \"artifactory\"",
            "url = 'https://art.example.com/artifactory'   # a literal string", "repo = \"tools\"", "token-env = \"ART_TOKEN\"", "priority = 1_0", ""], diff.Removed);
        Assert.Equal(CommentedConfig.Replace("""

            # The corporate mirror, consulted first.
            [sources.corp]
            type = "artifactory"
            url = 'https://art.example.com/artifactory'   # a literal string
            repo = "tools"
            token-env = "ART_TOKEN"
            priority = 1_0

            """, "", StringComparison.Ordinal), File.ReadAllText(Config));
        Assert.Equal(["local"], SourceNames());
    }

    // spec/toml.md §9: "A replaced value keeps the comment on its line; everything else stays byte for byte." and
    // "Setting a value equal to the one written leaves it as written" (priority = 1_0 stays 1_0).
    [Fact]
    public void Source_add_replace_changes_only_the_lines_that_differ()
    {
        _home.Write("config.toml", CommentedConfig);
        _packster.Ok("source", "add", "corp", "--type", "artifactory", "--url", "https://art2.example.com/artifactory", "--repo", "tools",
            "--token-env", "ART_TOKEN", "--priority", "10", "--replace");
        var diff = LineDiff.Of(CommentedConfig, File.ReadAllText(Config));
        Assert.Equal(["url = 'https://art.example.com/artifactory'   # a literal string"], diff.Removed);
        Assert.Equal(["url = \"https://art2.example.com/artifactory\"   # a literal string"], diff.Added);
    }

    [Fact]
    public void A_refused_source_add_or_remove_leaves_the_config_byte_identical()
    {
        _home.Write("config.toml", CommentedConfig);
        var insecure = _packster.Run("source", "add", "lab", "--type", "http", "--url", "http://lab.example/");
        Assert.True(insecure.ExitCode == 8, insecure.ToString());
        Assert.Contains("error[PST8006]", insecure.Stderr, StringComparison.Ordinal);
        var missing = _packster.Run("source", "remove", "nope");
        Assert.True(missing.ExitCode == 8, missing.ToString());
        Assert.Contains("error[PST8000]", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(CommentedConfig, File.ReadAllText(Config));
    }

    // spec/manifest.md § Changing a manifest: "an existing value is replaced where it stands, keeping what followed it on
    // its line (its comment)"; "A new key goes after the last key of its table"; "a key inside an inline table ... is set
    // inside it"; "a value equal to the one written ... leaves the file unchanged".
    [Fact]
    public void Manifest_set_changes_one_line_of_a_commented_manifest_and_keeps_every_other_byte()
    {
        var folder = PackageFolder();
        var file = Path.Join(folder, "packster-manifest.toml");

        var r = _packster.Run("manifest", "set", "version", "1.5.0", "--manifest", folder);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("set version = \"1.5.0\"", r.Stdout, StringComparison.Ordinal);
        var diff = LineDiff.Of(CommentedManifest, File.ReadAllText(file));
        Assert.Equal(["version = \"1.2.0\"   # bumped by CI"], diff.Removed);
        Assert.Equal(["version = \"1.5.0\"   # bumped by CI"], diff.Added);

        _packster.Ok("manifest", "set", "platform.os", "--json", "[\"linux\", \"macos\"]", "--manifest", file);
        _packster.Ok("manifest", "set", "shims.hello.args", "--json", "[\"--greet\", \"--loud\"]", "--manifest", file);
        diff = LineDiff.Of(CommentedManifest, File.ReadAllText(file));
        Assert.Equal(["version = \"1.2.0\"   # bumped by CI", "hello = { target = \"bin/hello\", args = [\"--greet\"] }   # with a flag"], diff.Removed);
        Assert.Equal(["version = \"1.5.0\"   # bumped by CI", "os = [\"linux\", \"macos\"]",
            "hello = { target = \"bin/hello\", args = [\"--greet\", \"--loud\"] }   # with a flag"], diff.Added);
        Assert.Contains("arch = [\"x64\", \"arm64\"]   # no 32-bit builds\nos = [\"linux\", \"macos\"]\n", File.ReadAllText(file), StringComparison.Ordinal);

        // The same value again changes nothing, and 0x1F90 keeps its spelling.
        var same = _packster.Run("manifest", "set", "parameters.port.default", "--json", "8080", "--manifest", folder);
        Assert.True(same.ExitCode == 0, same.ToString());
        Assert.Contains("unchanged", same.Stdout, StringComparison.Ordinal);
        Assert.Contains("default = 0x1F90   # 8080, in hex", File.ReadAllText(file), StringComparison.Ordinal);

        using var check = JsonDocument.Parse(_packster.Ok("manifest", "check", folder, "--json"));
        Assert.Equal("1.5.0", check.RootElement.GetProperty("version").GetString());
        Assert.Equal("linux", check.RootElement.GetProperty("platform").GetProperty("os")[0].GetString());
    }

    // spec/manifest.md § Changing a manifest: "Nothing is written unless the result passes `manifest check`"; "Exit 0,
    // or 3 with the file byte-identical".
    [Theory]
    [InlineData("PST2006", "version", "one.two")]                     // InvalidVersion: not SemVer
    [InlineData("PST2004", "parameters.port.default", "8081")]        // ManifestWrongType: a plain value is a string
    [InlineData("PST2003", "descripton", "typo")]                     // ManifestUnknownKey
    [InlineData("PST2011", "shims.gone", "bin/gone")]                 // ManifestFileMissing: the target is not in the folder
    [InlineData("PST2013", "id.part", "x")]                           // TomlEditRefused: 'id' is a string, not a table
    [InlineData("PST2013", "platform", "linux")]                      // TomlEditRefused: [platform] is a table
    [InlineData("PST2015", "a b", "x")]                               // ManifestSetInputInvalid: not a TOML key
    [InlineData("PST2015", "platform.os", "--json", "[\"linux\"")]    // ManifestSetInputInvalid: not JSON
    [InlineData("PST2015", "description", "--json", "null")]          // ManifestSetInputInvalid: JSON null has no TOML form
    public void A_refused_manifest_set_names_its_code_and_leaves_the_file_byte_identical(string code, string key, params string[] value)
    {
        var folder = PackageFolder();
        var r = _packster.Run(["manifest", "set", key, .. value, "--manifest", folder]);
        Assert.True(r.ExitCode == 3, r.ToString());
        Assert.Contains($"error[{code}]", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(CommentedManifest, File.ReadAllText(Path.Join(folder, "packster-manifest.toml")));
        if (code == "PST2004") Assert.Contains("give --json", r.Stderr, StringComparison.Ordinal);
    }

    // spec/manifest.md § Starting a manifest: "Writes a commented `packster-manifest.toml` ... that passes `manifest check`
    // as written"; "one shim for every executable under `bin/` (any depth)".
    [Fact]
    public void Manifest_init_scaffolds_a_manifest_that_checks_and_packs_with_a_shim_per_executable()
    {
        var folder = _home["Tool Box"];
        var tool = _home.Write("Tool Box/bin/greet", "#!/bin/sh\necho hi\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tool, (UnixFileMode)0b111_101_101);
        _home.Write("Tool Box/bin/setup.cmd", "@echo setup\r\n");
        _home.Write("Tool Box/bin/tools/clean.ps1", "Write-Output clean\n");
        _home.Write("Tool Box/bin/readme.txt", "not a program\n");

        var r = _packster.Run("manifest", "init", folder, "--version", "2.0.0");
        Assert.True(r.ExitCode == 0, r.ToString());
        var text = File.ReadAllText(Path.Join(folder, "packster-manifest.toml"));
        Assert.StartsWith("# packster-manifest.toml:", text, StringComparison.Ordinal);
        Assert.Contains("id = \"tool-box\"\n", text, StringComparison.Ordinal);
        Assert.Contains("version = \"2.0.0\"\n", text, StringComparison.Ordinal);
        Assert.Contains("# [platform]\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("readme", text, StringComparison.Ordinal);

        using var check = JsonDocument.Parse(_packster.Ok("manifest", "check", folder, "--json"));
        var shims = check.RootElement.GetProperty("shims");
        string[] expected = OperatingSystem.IsWindows() ? ["clean", "setup"] : ["clean", "greet", "setup"];
        Assert.Equal(expected, shims.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("bin/setup.cmd", shims.GetProperty("setup").GetProperty("target").GetString());
        Assert.Equal("bin/tools/clean.ps1", shims.GetProperty("clean").GetProperty("target").GetString());

        using var pack = JsonDocument.Parse(_packster.Ok("pack", folder, "-o", _home["dist"], "--json"));
        Assert.Equal("tool-box", pack.RootElement.GetProperty("id").GetString());
        Assert.Equal("2.0.0", pack.RootElement.GetProperty("version").GetString());
    }

    [Fact]
    public void Manifest_init_refuses_to_replace_a_manifest_without_force()
    {
        var folder = PackageFolder();
        var file = Path.Join(folder, "packster-manifest.toml");
        var r = _packster.Run("manifest", "init", folder);
        Assert.True(r.ExitCode == 3, r.ToString());
        Assert.Contains("error[PST2014]", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(CommentedManifest, File.ReadAllText(file));

        var bad = _packster.Run("manifest", "init", folder, "--force", "--id", "Hello World");
        Assert.True(bad.ExitCode == 3, bad.ToString());
        Assert.Contains("error[PST2005]", bad.Stderr, StringComparison.Ordinal);
        Assert.Equal(CommentedManifest, File.ReadAllText(file));

        _packster.Ok("manifest", "init", folder, "--force", "--id", "hello2");
        Assert.Contains("id = \"hello2\"", File.ReadAllText(file), StringComparison.Ordinal);
        Assert.Contains("hello = \"bin/hello\"", File.ReadAllText(file), StringComparison.Ordinal);
    }

    private List<string> SourceNames()
    {
        using var json = JsonDocument.Parse(_packster.Ok("source", "list", "--json"));
        return [.. json.RootElement.EnumerateArray().Select(s => s.GetProperty("name").GetString()!)];
    }
}

/// <summary>A line diff (longest common subsequence): the lines only in the old text, and those only in the new one.</summary>
internal sealed record LineDiff(IReadOnlyList<string> Removed, IReadOnlyList<string> Added)
{
    public static LineDiff Of(string before, string after)
    {
        var a = before.Split('\n');
        var b = after.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        }
        var removed = new List<string>();
        var added = new List<string>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y]) { x++; y++; }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y])) added.Add(b[y++]);
            else removed.Add(a[x++]);
        }
        return new LineDiff(removed, added);
    }
}
