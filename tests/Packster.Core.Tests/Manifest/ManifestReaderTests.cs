using System.Text.Json;
using Packster.Deployments;
using Packster.Manifest;
using Packster.Testing;
using static Packster.Core.Tests.Manifest.ManifestTestSupport;

namespace Packster.Core.Tests.Manifest;

/// <summary>spec/manifest.md: every section, read into a typed manifest.</summary>
public sealed class ManifestReaderTests
{
    /// <summary>The full example of spec/manifest.md §Full example (the one in PRODUCT.md).</summary>
    public const string FullExample = """
        id = "hello"
        version = "1.2.0"
        description = "Says hello"
        license = "MIT"
        authors = ["Ada <ada@example.org>"]
        homepage = "https://example.org/hello"

        [platform]
        os = ["linux", "windows", "macos"]
        arch = ["x64", "arm64"]

        [parameters.port]
        type = "integer"
        default = 8080
        required = false
        description = "Port the service listens on"
        enum = [8080, 8081]

        [handlers]
        pack = "scripts/build.sh"
        install = { script = "scripts/install.ps1", timeout = "5m" }
        uninstall = { script = "scripts/uninstall.py", executor = ["python3", "-u"] }
        any = "scripts/any.sh"

        [shims]
        hello = "bin/hello"
        hello-debug = { target = "bin/hello", args = ["--verbose"], env = { HELLO_LOG = "debug" } }

        [provides]
        env = { HELLO_HOME = "{deployment}", HELLO_PORT = "{param.port}" }
        ports = ["{param.port}"]
        shared-files = ["{location}/etc/hello.conf"]
        shared-dirs = ["{location}/var/hello"]

        [dependencies]
        zlib = "^1.2"

        [pack-location]
        dotnet-sdk = "^10.0"

        [install-bundle]
        redis = { version = "^7.2", parameters = { port = 6380 } }
        """;

    [Fact]
    public void The_full_example_reads_into_every_field()
    {
        var m = Parse(FullExample);
        Assert.Equal("hello", m.Id.Value);
        Assert.Equal("1.2.0", m.Version.ToString());
        Assert.Equal("Says hello", m.Description);
        Assert.Equal("MIT", m.License);
        Assert.Equal(["Ada <ada@example.org>"], m.Authors);
        Assert.Equal("https://example.org/hello", m.Homepage?.ToString());
        Assert.Equal(["linux", "windows", "macos"], m.Platform.Os);
        Assert.Equal(["x64", "arm64"], m.Platform.Arch);

        var port = m.Parameters["port"];
        Assert.Equal(ParameterType.Integer, port.Type);
        Assert.Equal(8080, port.Default!.Value.GetInt64());
        Assert.False(port.Required);
        Assert.Equal("Port the service listens on", port.Description);
        Assert.Equal([8080L, 8081L], port.Enum!.Select(e => e.GetInt64()));

        Assert.Equal("scripts/build.sh", m.HandlerFor(HandlerAction.Pack)!.Script.Value);
        Assert.Equal(TimeSpan.FromMinutes(5), m.HandlerFor(HandlerAction.Install)!.Timeout);
        Assert.Null(m.HandlerFor(HandlerAction.Pack)!.Timeout);
        Assert.Equal(["python3", "-u"], m.HandlerFor(HandlerAction.Uninstall)!.Executor);
        Assert.Equal("scripts/any.sh", m.HandlerFor(HandlerAction.Any)!.Script.Value);
        Assert.Null(m.HandlerFor(HandlerAction.Upgrade));

        Assert.Equal(["hello", "hello-debug"], m.Shims.Keys);
        var debug = m.Shims["hello-debug"];
        Assert.Equal("bin/hello", debug.Target.Value);
        Assert.Equal(["--verbose"], debug.Args.Select(a => a.Text));
        Assert.Equal("debug", debug.Env["HELLO_LOG"].Text);

        Assert.Equal(["HELLO_HOME", "HELLO_PORT"], m.Provides.Env.Keys);
        Assert.Equal(["{param.port}"], m.Provides.Ports.Select(p => p.Text));
        Assert.Equal(["{location}/etc/hello.conf"], m.Provides.SharedFiles.Select(p => p.Text));
        Assert.Equal(["{location}/var/hello"], m.Provides.SharedDirs.Select(p => p.Text));

        Assert.Equal("zlib@^1.2", Assert.Single(m.Dependencies).ToString());
        Assert.Equal("dotnet-sdk@^10.0", Assert.Single(m.PackLocation).ToString());
        var redis = Assert.Single(m.InstallBundle);
        Assert.Equal("redis@^7.2", redis.ToString());
        Assert.Equal("{\"port\":6380}", CanonicalJson.Serialize(redis.Parameters!.Value));
    }

    // spec/manifest.md: the manifest is TOML 1.1 (spec/toml.md §6): multi-line inline tables with comments and a
    // trailing comma, the \e and \xHH escapes and times without seconds, whether read from text or from bytes
    // (a file or an archive entry).
    [Fact]
    public void The_manifest_is_read_as_toml_1_1()
    {
        const string toml = Head + """
            description = "caf\xE9 \e[1m!"

            [parameters.start]
            type = "string"
            default = 07:30

            [shims]
            hello-debug = {
                target = "bin/hello",   # the real binary
                args = ["--verbose"],
            }
            """;
        var fromText = Parse(toml);
        var fromBytes = ManifestReader.Read(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(toml)), ManifestTestSupport.File);
        foreach (var m in new[] { fromText, fromBytes })
        {
            Assert.Equal("caf\u00E9 \u001B[1m!", m.Description);
            Assert.Equal("07:30:00", m.Parameters["start"].Default!.Value.GetString());
            Assert.Equal(["--verbose"], m.Shims["hello-debug"].Args.Select(a => a.Text));
        }
    }

    [Fact]
    public void A_minimal_manifest_needs_only_id_and_version()
    {
        var m = Parse(Head);
        Assert.Equal("hello@1.0.0", m.ToString());
        Assert.Null(m.Description);
        Assert.Empty(m.Authors);
        Assert.True(m.Platform.IsAny);
        Assert.Empty(m.Parameters);
        Assert.Empty(m.Handlers);
        Assert.Empty(m.Shims);
        Assert.Empty(m.Provides.Env);
        Assert.Empty(m.Dependencies);
        Assert.Empty(m.PackLocation);
        Assert.Empty(m.InstallBundle);
        Assert.Equal("packster-manifest.toml", Packster.Manifest.Manifest.FileName);
    }

    [Fact]
    public void Version_latest_is_allowed() => Assert.True(Parse("id = \"tool\"\nversion = \"latest\"\n").Version.IsLatest);

    [Fact]
    public void Ports_resolve_through_the_effective_parameters()
    {
        var m = Parse(FullExample);
        var p = EffectiveParameters.Resolve(m.Parameters, JsonDocument.Parse("{\"port\":8081}").RootElement);
        var values = p.TemplateValues("/loc/d/abc", "/loc");
        Assert.Equal([8081], m.Provides.ExpandPorts(values));
        Assert.Equal("/loc/d/abc", m.Provides.Env["HELLO_HOME"].Expand(values));
        Assert.Equal("/loc/etc/hello.conf", m.Provides.SharedFiles[0].Expand(values));
    }

    [Fact]
    public void ReadFromDirectory_reads_the_manifest_file()
    {
        using var dir = new TempDirectory();
        System.IO.File.WriteAllText(Path.Combine(dir.Path, Packster.Manifest.Manifest.FileName), Head);
        var m = ManifestReader.ReadFromDirectory(dir.Path);
        Assert.Equal("hello", m.Id.Value);
        Assert.Equal(Path.Join(dir.Path, Packster.Manifest.Manifest.FileName), m.File);
    }

    /// <summary>spec/manifest.md §Errors: a missing manifest is PST2001 naming the path it looked for.</summary>
    [Fact]
    public void A_missing_manifest_names_the_path()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<PacksterException>(() => ManifestReader.ReadFromDirectory(dir.Path));
        Assert.Equal(ErrorCode.ManifestMissing, e.Code);
        Assert.Contains(Path.Join(dir.Path, Packster.Manifest.Manifest.FileName), e.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.ManifestMissing, Assert.Throws<PacksterException>(() => ManifestReader.Read(Path.Join(dir.Path, "nope.toml"))).Code);
    }

    [Fact]
    public void A_file_with_a_syntax_error_reports_the_file_and_position()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, Packster.Manifest.Manifest.FileName);
        System.IO.File.WriteAllText(path, "id = \"hello\"\nversion = \n");
        var e = Assert.Throws<ManifestException>(() => ManifestReader.Read(path));
        Assert.Equal(ErrorCode.TomlSyntax, e.Code);
        Assert.Equal(path, e.File);
        Assert.Equal(2, e.Position.Line);
        Assert.StartsWith($"{path}:2:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stream_reads_like_a_file_and_errors_name_the_given_file()
    {
        using var ok = new MemoryStream("\uFEFFid = \"hello\"\nversion = \"1.0.0\"\n"u8.ToArray());
        Assert.Equal("hello", ManifestReader.Read(ok, "a.packster!packster-manifest.toml").Id.Value);
        using var bad = new MemoryStream("id = \"hello\"\nversion = \"1\"\n"u8.ToArray());
        var e = Assert.Throws<ManifestException>(() => ManifestReader.Read(bad, "a.packster!packster-manifest.toml"));
        Assert.StartsWith("a.packster!packster-manifest.toml:2:11: version: ", e.Message, StringComparison.Ordinal);
        using var notUtf8 = new MemoryStream([0x69, 0x64, 0x20, 0x3d, 0x20, 0x22, 0xff, 0x22]);
        Assert.Equal(ErrorCode.TomlSyntax, Assert.Throws<ManifestException>(() => ManifestReader.Read(notUtf8, "x.toml")).Code);
    }

    /// <summary>samples/: every sample package's manifest is valid.</summary>
    [Fact]
    public void Every_sample_manifest_parses()
    {
        var samples = Path.Combine(RepositoryRoot(), "samples");
        var dirs = Directory.GetDirectories(samples).Where(d => System.IO.File.Exists(Path.Combine(d, Packster.Manifest.Manifest.FileName))).ToList();
        Assert.True(dirs.Count >= 5, $"expected the five samples under {samples}");
        foreach (var dir in dirs)
        {
            var m = ManifestReader.ReadFromDirectory(dir);
            Assert.Equal(Path.GetFileName(dir), m.Id.Value);
            foreach (var h in m.Handlers.Values) Assert.True(System.IO.File.Exists(h.Script.Under(dir)), $"{m.Id}: handler {h.Script} is missing");
            foreach (var s in m.Shims.Values) Assert.True(System.IO.File.Exists(s.Target.Under(dir)), $"{m.Id}: shim target {s.Target} is missing");
        }
    }

    [Fact]
    public void The_conflict_samples_claim_the_same_shim_and_env_key()
    {
        var root = Path.Combine(RepositoryRoot(), "samples");
        var a = ManifestReader.ReadFromDirectory(Path.Combine(root, "conflict-a"));
        var b = ManifestReader.ReadFromDirectory(Path.Combine(root, "conflict-b"));
        Assert.Contains("tool", a.Shims.Keys.Intersect(b.Shims.Keys));
        Assert.Contains("TOOL_HOME", a.Provides.Env.Keys.Intersect(b.Provides.Env.Keys));
    }
}
