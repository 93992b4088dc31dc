using System.Diagnostics;
using System.Text.Json;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// spec/lockfile.md § Transactions through the real executable: a bundle install, or an install with its
/// dependencies, commits every deployment or none; the handlers already run are undone by uninstall handlers; a kill
/// at any moment leaves the old or the new state.
/// </summary>
public sealed class TransactionTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public TransactionTests()
    {
        Directory.CreateDirectory(_f.Dist);
        _f.Packster.Ok("source", "add", "shelf", "--type", "folder", "--url", _f.Dist);
    }

    public void Dispose() => _f.Dispose();

    /// <summary>A package whose install handler records itself in the marker folder and whose uninstall handler removes the record.</summary>
    private string Package(string id, string version, bool failInstall = false, string extra = "")
    {
        var dir = _f.Temp[$"{id}-{version}"];
        Directory.CreateDirectory(Path.Combine(dir, "scripts"));
        File.WriteAllText(Path.Combine(dir, "scripts", "install.sh"),
            failInstall ? "#!/bin/sh\necho 'cannot set up' >&2\nexit 3\n" : $"#!/bin/sh\ntouch \"$PACKSTER_PARAM_MARKERS/{id}-{version}\"\n");
        File.WriteAllText(Path.Combine(dir, "scripts", "uninstall.sh"), $"#!/bin/sh\nrm -f \"$PACKSTER_PARAM_MARKERS/{id}-{version}\"\n");
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), $"""
            id = "{id}"
            version = "{version}"
            {extra}
            [parameters.markers]
            type = "string"
            default = "{_f.Temp["markers"]}"

            [parameters.round]
            type = "integer"
            default = 0

            [handlers]
            install = "scripts/install.sh"
            uninstall = "scripts/uninstall.sh"
            """);
        Directory.CreateDirectory(_f.Temp["markers"]);
        return _f.Pack(dir);
    }

    private string[] Markers() => [.. Directory.EnumerateFiles(_f.Temp["markers"]).Select(Path.GetFileName).Order()!];

    private Dictionary<string, string> LocationWithoutLogs() =>
        _f.Snapshot().Where(kv => !kv.Key.StartsWith("logs", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);

    // § Transactions: the second requirement's handler fails; the first, already staged with its handler run, is
    // undone by its uninstall handler, and the location is byte for byte as before except logs.
    [Fact]
    public void A_failing_bundle_install_changes_nothing_and_undoes_the_handlers_that_ran()
    {
        if (OperatingSystem.IsWindows()) return;
        Package("alpha", "1.0.0");
        Package("beta", "1.0.0", failInstall: true);
        File.WriteAllText(_f.Temp["bundle.toml"], "[packages]\nalpha = \"^1\"\nbeta = \"^1\"\n");
        var before = LocationWithoutLogs();

        var r = _f.Packster.Run("bundle", "install", _f.Temp["bundle.toml"], "--location", "dev");
        Assert.Equal(7, r.ExitCode);
        Assert.Contains("cannot set up", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("the 1 change of this transaction was undone", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, LocationWithoutLogs());
        Assert.Empty(Markers());
        Assert.Contains(Directory.EnumerateFiles(Path.Combine(_f.LocationPath, "logs")).Select(Path.GetFileName),
            l => l!.StartsWith("alpha-1.0.0-", StringComparison.Ordinal) && l.EndsWith("-uninstall.log", StringComparison.Ordinal));

        // The same bundle without the broken package commits both in one generation.
        File.WriteAllText(_f.Temp["bundle.toml"], "[packages]\nalpha = \"^1\"\n");
        _f.Packster.Ok("bundle", "install", _f.Temp["bundle.toml"], "--location", "dev");
        Assert.Equal(["alpha-1.0.0"], Markers());
        // The failed transaction made no generation; the one that committed made exactly one.
        using var generations = JsonDocument.Parse(_f.Packster.Ok("generations", "--location", "dev", "--json"));
        Assert.Single(generations.RootElement.EnumerateArray(), g => g.GetProperty("command").GetString()!.StartsWith("packster bundle install", StringComparison.Ordinal));
    }

    // § Transactions: an install whose package fails after its dependency was staged leaves neither.
    [Fact]
    public void An_install_whose_root_fails_does_not_keep_its_dependencies()
    {
        if (OperatingSystem.IsWindows()) return;
        Package("lib", "1.0.0");
        Package("app", "1.0.0", failInstall: true, extra: "[dependencies]\nlib = \"^1\"\n");
        var before = LocationWithoutLogs();
        var r = _f.Packster.Run("install", "app", "--location", "dev");
        Assert.Equal(7, r.ExitCode);
        Assert.Equal(before, LocationWithoutLogs());
        Assert.Empty(Markers());

        Package("app", "1.1.0", extra: "[dependencies]\nlib = \"^1\"\n");
        using var ok = JsonDocument.Parse(_f.Packster.Ok("install", "app@1.1.0", "--location", "dev", "--json"));
        Assert.Equal("installed", ok.RootElement.GetProperty("dependencies")[0].GetProperty("status").GetString());
        Assert.Equal(["app-1.1.0", "lib-1.0.0"], Markers());
    }

    // § Multi-deployment transactions: a dependency's shims are written before the commit for the dependent's handlers,
    // and taken back with it when the dependent fails.
    [Fact]
    public void Shims_written_ahead_for_a_dependent_are_taken_back_when_it_fails()
    {
        if (OperatingSystem.IsWindows()) return;
        var lib = _f.Temp["libtool-1.0.0"];
        Directory.CreateDirectory(Path.Combine(lib, "bin"));
        File.WriteAllText(Path.Combine(lib, "bin", "libtool"), "#!/bin/sh\necho libtool\n");
        File.SetUnixFileMode(Path.Combine(lib, "bin", "libtool"), (UnixFileMode)0b111_101_101);
        File.WriteAllText(Path.Combine(lib, "packster-manifest.toml"), "id = \"libtool\"\nversion = \"1.0.0\"\n[shims]\nlibtool = \"bin/libtool\"\n");
        _f.Pack(lib);
        var app = _f.Temp["app-2.0.0"];
        Directory.CreateDirectory(app);
        // The handler proves the dependency's shim is there, then fails the install.
        File.WriteAllText(Path.Combine(app, "install.sh"), "#!/bin/sh\n\"$PACKSTER_LOCATION_PATH/shims/libtool\" > \"$PACKSTER_PARAM_SEEN\"\nexit 5\n");
        File.WriteAllText(Path.Combine(app, "packster-manifest.toml"),
            $"id = \"app\"\nversion = \"2.0.0\"\n[dependencies]\nlibtool = \"^1\"\n[parameters.seen]\ntype = \"string\"\ndefault = \"{_f.Temp["seen.txt"]}\"\n[handlers]\ninstall = \"install.sh\"\n");
        _f.Pack(app);

        var r = _f.Packster.Run("install", "app", "--location", "dev");
        Assert.Equal(7, r.ExitCode);
        Assert.Equal("libtool", File.ReadAllText(_f.Temp["seen.txt"]).Trim());
        Assert.False(File.Exists(Path.Combine(_f.LocationPath, "shims", "libtool")), "the shim of the undone dependency is still there");
        Assert.Empty(_f.List().EnumerateArray());
        _f.Packster.Ok("verify", "dev");
    }

    // § Multi-deployment transactions: after each deployment that becomes active with shims, the shims of the state so
    // far are written, so the third requirement's handler runs the shims of both earlier ones: one a symlink, one a
    // script that sets a variable first (spec/activation.md), each read once for all the later packages.
    [Fact]
    public void A_bundles_later_handler_runs_the_shims_of_every_earlier_requirement()
    {
        if (OperatingSystem.IsWindows()) return;
        Tool("plain", "", "#!/bin/sh\necho plain ran\n");
        Tool("withenv", "[shims]\nwithenv = { target = \"bin/withenv\", env = { WITHENV_SHIM = \"yes\" } }\n",
            "#!/bin/sh\necho withenv ran with $WITHENV_SHIM\n");
        var user = _f.Temp["user-1.0.0"];
        Directory.CreateDirectory(user);
        File.WriteAllText(Path.Combine(user, "install.sh"),
            "#!/bin/sh\nset -e\nshims=\"$PACKSTER_LOCATION_PATH/shims\"\n{ \"$shims/plain\"; \"$shims/withenv\"; } > \"$PACKSTER_PARAM_SEEN\"\n");
        File.WriteAllText(Path.Combine(user, "packster-manifest.toml"),
            $"id = \"user\"\nversion = \"1.0.0\"\n[parameters.seen]\ntype = \"string\"\ndefault = \"{_f.Temp["seen.txt"]}\"\n[handlers]\ninstall = \"install.sh\"\n");
        _f.Pack(user);
        File.WriteAllText(_f.Temp["bundle.toml"], "[packages]\nplain = \"^1\"\nwithenv = \"^1\"\nuser = \"^1\"\n");

        _f.Packster.Ok("bundle", "install", _f.Temp["bundle.toml"], "--location", "dev");

        Assert.Equal("plain ran\nwithenv ran with yes\n", File.ReadAllText(_f.Temp["seen.txt"]));
        Assert.Equal(3, _f.List().GetArrayLength());
        Assert.Equal("symlink", Which("plain"));
        Assert.Equal("script", Which("withenv"));
        _f.Packster.Ok("verify", "dev");
    }

    /// <summary>A package with one shim of its own name, whose target prints what it was run with.</summary>
    private void Tool(string id, string manifest, string script)
    {
        var dir = _f.Temp[$"{id}-1.0.0"];
        Directory.CreateDirectory(Path.Combine(dir, "bin"));
        File.WriteAllText(Path.Combine(dir, "bin", id), script);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(dir, "bin", id), (UnixFileMode)0b111_101_101);
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"),
            $"id = \"{id}\"\nversion = \"1.0.0\"\n" + (manifest.Length > 0 ? manifest : $"[shims]\n{id} = \"bin/{id}\"\n"));
        _f.Pack(dir);
    }

    /// <summary>The kind <c>which --json</c> gives the shim <paramref name="name"/>.</summary>
    private string? Which(string name)
    {
        using var which = JsonDocument.Parse(_f.Packster.Ok("which", name, "--location", "dev", "--json"));
        return which.RootElement.GetProperty("kind").GetString();
    }

    // § Transactions, § Crash consistency: 200 kills during bundle installs that each deploy alpha and beta anew (a new
    // "round" parameter, so a new deployment each, handlers run): two in three at a crash point drawn at random (from
    // the first extraction to after the commit), one in three at a random moment. After each kill the lockfile holds
    // the old pair or the new one, never one of each, and the next command finds the location consistent.
    [Fact]
    public void Bundle_installs_killed_at_random_moments_leave_the_old_or_the_new_set()
    {
        if (OperatingSystem.IsWindows()) return;
        Package("alpha", "1.0.0");
        Package("beta", "1.0.0");
        var random = new Random(20261203);
        var (kept, replaced) = (0, 0);
        var previous = ActiveSet();
        for (var round = 1; round <= 200; round++)
        {
            var bundle = _f.Temp["bundle.toml"];
            File.WriteAllText(bundle, $"[packages]\nalpha = {{ version = \"1.0.0\", parameters = {{ round = {round} }} }}\nbeta = {{ version = \"1.0.0\", parameters = {{ round = {round} }} }}\n");
            var point = round % 3 == 0 ? null : CrashPoints[random.Next(CrashPoints.Length)];
            var extra = point is null ? null : new Dictionary<string, string> { [CrashPoint.Variable] = point };
            using (var process = Process.Start(_f.Packster.StartInfo(["bundle", "install", bundle, "--location", "dev"], extra))!)
            {
                process.StandardInput.Close();
                _ = process.StandardOutput.ReadToEndAsync();
                _ = process.StandardError.ReadToEndAsync();
                process.WaitForExit(point is null ? random.Next(0, 1500) : 180_000);
                if (!process.HasExited) process.Kill();
                process.WaitForExit();
            }
            var active = ActiveSet();
            Assert.True(active == previous || active == $"alpha@{round},beta@{round}", $"round {round}: '{active}' is neither the old set '{previous}' nor the new one");
            if (active == previous) kept++;
            else replaced++;
            previous = active;
        }
        // Both outcomes happened: the kills landed before and after commits.
        Assert.True(kept > 0 && replaced > 0, $"kept {kept}, replaced {replaced}");
        _f.Packster.Ok("gc", "--location", "dev");
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_f.LocationPath, ".packster", "staging")));
        var recorded = _f.List().EnumerateArray().Select(d => d.GetProperty("deployment").GetString()!).Order().ToList();
        Assert.Equal(recorded, Directory.GetDirectories(Path.Combine(_f.LocationPath, "deployments")).Select(Path.GetFileName).Order().ToList()!);
        _f.Packster.Ok("verify", "dev");
        // spec/history.md § Replay: through 200 kills no commit line was lost or written twice.
        Assert.Contains("replays to its lockfile", _f.Packster.Ok("history", "--location", "dev", "--check"), StringComparison.Ordinal);
    }

    private static readonly string[] CrashPoints =
    [
        "install.extracted", "install.handlers-done", "install.staged", "install.published", "commit.journal-written",
        "commit.generation-pending", "atomic-write.before-rename", "commit.lockfile-written", "transaction.committed",
    ];

    /// <summary>The active set as the lockfile on disk says, as id@round (a reader: no recovery runs).</summary>
    private string ActiveSet()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(_f.LockfilePath));
        return string.Join(",", doc.RootElement.GetProperty("deployments").EnumerateArray()
            .Where(d => d.GetProperty("active").GetBoolean())
            .Select(d => $"{d.GetProperty("id").GetString()}@{(d.GetProperty("parameters").TryGetProperty("round", out var r) ? r.GetInt32() : 0)}").Order(StringComparer.Ordinal));
    }
}
