namespace Packster.IntegrationTests.Install;

/// <summary><c>[pack-location]</c> through <c>packster pack</c> (spec/sources.md § pack-location).</summary>
public sealed class PackLocationTests : IDisposable
{
    private readonly SourceFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Pack_handlers_run_with_a_temporary_location_active_that_is_deleted_afterwards()
    {
        // spec/sources.md § pack-location: requirements installed into a temporary location whose shims are first on
        // PATH and whose env keys are set while pack handlers run; the location is removed when pack ends.
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "compiler", "1.4.0", """
            [shims]
            cc-fake = "bin/cc-fake"
            [provides]
            env = { COMPILER_HOME = "{deployment}" }
            """, ("bin/cc-fake", "#!/bin/sh\necho compiled-by-1.4.0\n"));

        var source = _f.Temp["tool-src"];
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "packster-manifest.toml"), """
            id = "tool"
            version = "1.0.0"
            [handlers]
            pack = "build.sh"
            [pack-location]
            compiler = "^1.0"
            """);
        File.WriteAllText(Path.Combine(source, "build.sh"), """
            #!/bin/sh
            set -e
            cc-fake > built.txt
            test -d "$COMPILER_HOME"
            echo "$_PACKSTER_ACTIVE" > active.txt
            """);
        SourceFixture.MakeExecutable(Path.Combine(source, "build.sh"));

        var tmp = _f.Temp["tmp"];
        Directory.CreateDirectory(tmp);
        var r = _f.Packster.Run(["pack", source, "-o", _f.Temp["dist"], "--json"], new Dictionary<string, string> { ["TMPDIR"] = tmp });
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Empty(Directory.EnumerateDirectories(tmp, "packster-pack-location-*"));

        using var doc = System.Text.Json.JsonDocument.Parse(r.Stdout);
        var package = doc.RootElement.GetProperty("path").GetString()!;
        using var installed = System.Text.Json.JsonDocument.Parse(_f.Packster.Ok("install-file", package, "--location", "dev", "--json"));
        var deployment = installed.RootElement.GetProperty("path").GetString()!;
        Assert.Equal("compiled-by-1.4.0", File.ReadAllText(Path.Combine(deployment, "built.txt")).Trim());
        Assert.Equal("pack-location", File.ReadAllText(Path.Combine(deployment, "active.txt")).Trim());
        // The user's location is untouched: the compiler went only into the temporary one.
        Assert.DoesNotContain(_f.List().EnumerateArray(), d => d.GetProperty("id").GetString() == "compiler");
    }

    [Fact]
    public void A_pack_handler_executor_can_be_a_shim_of_the_pack_location()
    {
        // spec/sources.md § pack location: executors are searched on the PATH the handlers get.
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "interp", "2.0.0", "[shims]\nfake-interp = \"bin/fake-interp\"",
            ("bin/fake-interp", "#!/bin/sh\necho \"interpreted $1\" > interp.txt\n"));
        var source = _f.Temp["app-src"];
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "packster-manifest.toml"), """
            id = "scripted"
            version = "1.0.0"
            [handlers]
            pack = { script = "build.step", executor = ["fake-interp"] }
            [pack-location]
            interp = "^2"
            """);
        File.WriteAllText(Path.Combine(source, "build.step"), "anything\n");

        var r = _f.Packster.Run("pack", source, "-o", _f.Temp["dist"], "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = System.Text.Json.JsonDocument.Parse(r.Stdout);
        using var installed = System.Text.Json.JsonDocument.Parse(_f.Packster.Ok("install-file", doc.RootElement.GetProperty("path").GetString()!, "--location", "dev", "--json"));
        var text = File.ReadAllText(Path.Combine(installed.RootElement.GetProperty("path").GetString()!, "interp.txt")).Trim();
        Assert.StartsWith("interpreted ", text, StringComparison.Ordinal);
        Assert.EndsWith("build.step", text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unresolvable_pack_location_requirement_fails_the_pack_with_exit_8()
    {
        _f.AddFolderSource("local");
        var source = _f.Temp["tool-src"];
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "packster-manifest.toml"), "id = \"tool\"\nversion = \"1.0.0\"\n[handlers]\npack = \"build.sh\"\n[pack-location]\nmissing = \"^1\"\n");
        File.WriteAllText(Path.Combine(source, "build.sh"), "#!/bin/sh\nexit 0\n");
        SourceFixture.MakeExecutable(Path.Combine(source, "build.sh"));
        var r = _f.Packster.Run("pack", source, "-o", _f.Temp["dist"]);
        Assert.Equal(8, r.ExitCode);
        Assert.Contains("missing", r.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_f.Temp["dist"]) && Directory.EnumerateFiles(_f.Temp["dist"]).Any());
    }
}
