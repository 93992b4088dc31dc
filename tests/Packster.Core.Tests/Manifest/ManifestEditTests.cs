using Packster.Manifest;
using Packster.Testing;

namespace Packster.Core.Tests.Manifest;

/// <summary>spec/manifest.md § Changing a manifest and § Starting a manifest: keys, values, ids and shims.</summary>
public sealed class ManifestEditTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-manifest-edit");

    public void Dispose() => _temp.Dispose();

    // spec/manifest.md § Changing a manifest: "KEY is a TOML key: parts separated by `.` ...; a part that is not a bare
    // key is quoted"; "Text that is not one key (`a b`, `a = 1`, `a.`) is PST2015 ManifestSetInputInvalid".
    [Theory]
    [InlineData("version", new[] { "version" })]
    [InlineData("platform.os", new[] { "platform", "os" })]
    [InlineData("shims.\"my.tool\".target", new[] { "shims", "my.tool", "target" })]
    [InlineData("parameters . port", new[] { "parameters", "port" })]
    public void Keys_are_read_as_TOML_keys(string text, string[] path) => Assert.Equal(path, ManifestEdit.ParseKey(text));

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("a = 1")]
    [InlineData("a # comment")]
    [InlineData("a.")]
    [InlineData("a\nb")]
    public void Text_that_is_not_one_key_is_refused(string text)
    {
        var e = Assert.Throws<PacksterException>(() => ManifestEdit.ParseKey(text));
        Assert.Equal(ErrorCode.ManifestSetInputInvalid, e.Code);
    }

    // spec/manifest.md § Changing a manifest: "VALUE is a string unless `--json` is given."
    [Fact]
    public void A_plain_value_is_a_string_and_a_JSON_value_keeps_its_type()
    {
        Assert.Equal("\"8080\"", ManifestEdit.ParseValue("8080", json: false).Text);
        Assert.Equal("8080", ManifestEdit.ParseValue("8080", json: true).Text);
        Assert.Equal("[\"linux\", \"macos\"]", ManifestEdit.ParseValue("[\"linux\",\"macos\"]", json: true).Text);
        Assert.Equal("true", ManifestEdit.ParseValue("true", json: true).Text);
        Assert.Equal(ErrorCode.ManifestSetInputInvalid, Assert.Throws<PacksterException>(() => ManifestEdit.ParseValue("linux", json: true)).Code);
    }

    // spec/errors.md PST2015: "with `--json` VALUE is not JSON or is `null` (which TOML cannot hold); nothing is read
    // or written". An escaped lone surrogate is valid JSON syntax but no Unicode text, so no TOML string either.
    [Theory]
    [InlineData("\"\\ud800\"")]
    [InlineData("[\"\\udc00x\"]")]
    [InlineData("{\"\\ud800\": 1}")]
    public void A_JSON_string_with_a_lone_surrogate_is_refused_in_words(string json)
    {
        var e = Assert.Throws<PacksterException>(() => ManifestEdit.ParseValue(json, json: true));
        Assert.Equal(ErrorCode.ManifestSetInputInvalid, e.Code);
        Assert.Contains("unpaired surrogate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_that_is_invalid_before_can_be_fixed_with_set()
    {
        var file = _temp.Write("pkg/packster-manifest.toml", "id = \"pkg\"\nversion = \"one\"   # fix me\n");
        var result = ManifestEdit.Set(file, ["version"], ManifestEdit.ParseValue("1.0.0", json: false), valueIsPlainText: true);
        Assert.True(result.Changed);
        Assert.Equal("id = \"pkg\"\nversion = \"1.0.0\"   # fix me\n", File.ReadAllText(file));
    }

    [Fact]
    public void A_manifest_that_is_not_TOML_is_reported_as_such_and_not_touched()
    {
        var file = _temp.Write("pkg/packster-manifest.toml", "id = \"pkg\"\nid = \"again\"\n");
        var e = Assert.Throws<ManifestException>(() => ManifestEdit.Set(file, ["version"], ManifestEdit.ParseValue("1.0.0", false), true));
        Assert.Equal(ErrorCode.TomlSyntax, e.Code);
        Assert.Equal("id = \"pkg\"\nid = \"again\"\n", File.ReadAllText(file));
    }

    // spec/manifest.md § Starting a manifest: "the folder's name made into an id: lowercased, every character other than
    // `a-z 0-9 . _ -` as `-` (runs of them as one), a `-` before a digit as `_`".
    [Theory]
    [InlineData("Tool Box", "tool-box")]
    [InlineData("my_tool.v2", "my_tool.v2")]
    [InlineData("tool-2", "tool_2")]
    [InlineData("--Weird  Name!!", "weird-name")]
    public void The_default_id_is_made_from_the_folder_name(string folder, string id)
    {
        Directory.CreateDirectory(_temp[folder]);
        Assert.Equal(id, ManifestScaffold.IdFromFolderName(_temp[folder]).Value);
    }

    [Fact]
    public void A_folder_name_with_nothing_usable_needs_an_id()
    {
        Directory.CreateDirectory(_temp["éé"]);
        var e = Assert.Throws<PacksterException>(() => ManifestScaffold.IdFromFolderName(_temp["éé"]));
        Assert.Equal(ErrorCode.InvalidPackageId, e.Code);
        Assert.Contains("--id", e.Hint, StringComparison.Ordinal);
    }

    // spec/manifest.md § Starting a manifest: "a file with an execute bit (on Unix), or a file named `*.exe`, `*.cmd`,
    // `*.bat` or `*.ps1`"; "When two files give one shim name ..., the file is skipped".
    [Fact]
    public void Shims_are_found_for_executables_under_bin()
    {
        _temp.Write("pkg/bin/run.bat", "@echo run");
        _temp.Write("pkg/bin/run.exe", "MZ");
        _temp.Write("pkg/bin/notes.md", "# notes");
        _temp.Write("pkg/lib/other.exe", "MZ");
        var script = _temp.Write("pkg/bin/deploy.sh", "#!/bin/sh\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);

        var (shims, skipped) = ManifestScaffold.FindShims(_temp["pkg"]);

        var expected = OperatingSystem.IsWindows() ? new[] { ("run", "bin/run.bat") } : [("deploy.sh", "bin/deploy.sh"), ("run", "bin/run.bat")];
        Assert.Equal(expected, shims.Select(s => (s.Name.Value, s.Target)));
        var skip = Assert.Single(skipped);
        Assert.Equal("bin/run.exe", skip.Target);
    }

    [Fact]
    public void A_link_to_a_folder_under_bin_is_not_followed()
    {
        if (OperatingSystem.IsWindows()) return; // creating links needs a privilege there
        _temp.Write("pkg/bin/tools/run.cmd", "@echo run");
        Directory.CreateSymbolicLink(_temp["pkg/bin/tools/loop"], _temp["pkg/bin"]);
        var (shims, _) = ManifestScaffold.FindShims(_temp["pkg"]);
        Assert.Equal(["bin/tools/run.cmd"], shims.Select(s => s.Target));
    }
}
