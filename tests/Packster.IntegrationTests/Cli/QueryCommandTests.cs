using System.Diagnostics;
using System.Text.Json;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// PRODUCT.md "Command line": <c>which</c>, <c>locate</c>, <c>verify</c> and <c>shell</c> through the real executable
/// (spec/activation.md for which and shell; spec/lockfile.md § Verify).
/// </summary>
public sealed class QueryCommandTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Which_names_the_deployment_version_and_target_of_a_shim()
    {
        var installed = _f.InstallJson(_f.PackSample("hello"));
        using var doc = JsonDocument.Parse(_f.Packster.Ok("which", "hello", "--location", "dev", "--json"));
        var which = doc.RootElement;
        Assert.Equal("hello", which.GetProperty("id").GetString());
        Assert.Equal("1.0.0", which.GetProperty("version").GetString());
        Assert.Equal(installed.GetProperty("deployment").GetString(), which.GetProperty("deployment").GetString());
        Assert.Equal(Path.Combine(installed.GetProperty("path").GetString()!, "bin", "hello"), which.GetProperty("target").GetString());

        var missing = _f.Packster.Run("which", "nope", "--location", "dev");
        Assert.Equal(5, missing.ExitCode);
        Assert.Contains("'nope'", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_finds_files_of_active_deployments_by_glob()
    {
        _f.InstallJson(_f.PackSample("hello"));
        var found = _f.Packster.Ok("locate", "bin/*", "--location", "dev");
        Assert.Contains("hello@1.0.0: ", found, StringComparison.Ordinal);
        Assert.EndsWith(Path.Combine("bin", "hello") + "\n", found, StringComparison.Ordinal);
        // errors.md PST5014 NoFileMatches: no match is exit 5 (exit 1 means a bug).
        Assert.Equal(5, _f.Packster.Run("locate", "*.nothing", "--location", "dev").ExitCode);
    }

    [Fact]
    public void Verify_reports_a_modified_file()
    {
        var installed = _f.InstallJson(_f.PackSample("hello"));
        _f.Packster.Ok("verify", "dev");
        File.AppendAllText(Path.Combine(installed.GetProperty("path").GetString()!, "bin", "hello"), "# tampered\n");
        var r = _f.Packster.Run("verify", "dev");
        Assert.Equal(5, r.ExitCode);
        Assert.Contains("bin/hello", r.Stdout, StringComparison.Ordinal);
        // Like history, verify names its location by argument or by --location, the option every other command takes.
        var byOption = _f.Packster.Run("verify", "--location", "dev");
        Assert.Equal(5, byOption.ExitCode);
        Assert.Contains("bin/hello", byOption.Stdout, StringComparison.Ordinal);
    }

    // spec/lockfile.md § Quick verify: the first quick run hashes and remembers, the next reads nothing, a change is
    // still found, and the index goes with its deployment.
    [Fact]
    public void Verify_quick_remembers_what_it_proved_and_still_finds_a_change()
    {
        var installed = _f.InstallJson(_f.PackSample("hello"));
        var hash = installed.GetProperty("deployment").GetString()!;
        var first = JsonDocument.Parse(_f.Packster.Ok("verify", "dev", "--quick", "--json")).RootElement[0].GetProperty("quick");
        Assert.Equal(0, first.GetProperty("unchanged").GetInt32());
        Assert.True(first.GetProperty("sha256").GetInt32() > 0);
        var index = Path.Combine(_f.LocationPath, ".packster", "verify-index", hash);
        Assert.True(File.Exists(index));

        var second = JsonDocument.Parse(_f.Packster.Ok("verify", "dev", "--quick", "--json")).RootElement[0].GetProperty("quick");
        Assert.Equal(first.GetProperty("sha256").GetInt32(), second.GetProperty("unchanged").GetInt32());
        Assert.Equal(0, second.GetProperty("bytesRead").GetInt64());
        // "`verify --quick --json` says per deployment foldersListed" (whether it is false depends on how long ago the
        // install was: QuickVerifyFolderTests hold that rule).
        Assert.Contains(second.GetProperty("foldersListed").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
        // "`--json` says recordRead": the first run read the record whole (QuickVerifyRecordTests hold when it need not).
        Assert.True(first.GetProperty("recordRead").GetBoolean());
        Assert.Contains(second.GetProperty("recordRead").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });

        File.AppendAllText(Path.Combine(installed.GetProperty("path").GetString()!, "bin", "hello"), "# tampered\n");
        var r = _f.Packster.Run("verify", "dev", "--quick");
        Assert.Equal(5, r.ExitCode);
        Assert.Contains("bin/hello", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("quick: ", r.Stderr, StringComparison.Ordinal);

        _f.Packster.Ok("uninstall", "hello", "--location", "dev");
        Assert.False(File.Exists(index));
    }

    [Fact]
    public async Task Shell_starts_a_subshell_with_the_location_active_and_returns_its_exit_code()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.InstallJson(_f.PackSample("hello"), "-p", "greeting=Howdy");
        var psi = _f.Packster.StartInfo(["shell", "dev"], new Dictionary<string, string> { ["SHELL"] = "/bin/sh" });
        using var p = Process.Start(psi)!;
        p.StandardInput.Write("hello subshell\nexit 3\n");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 3, await stderr);
        Assert.Equal("Howdy, subshell!\n", await stdout);
    }

    // spec/errors.md PST5007: verify says a deployment's folder is missing as such (not as files that differ), with the
    // hint that fits it: the next changing command drops it and a plain install (no --force) brings it back.
    [Fact]
    public void Verify_names_a_missing_deployment_folder_as_such()
    {
        var installed = _f.InstallJson(_f.PackSample("hello"), "-p", "greeting=Howdy");
        Directory.Delete(installed.GetProperty("path").GetString()!, recursive: true);
        var r = _f.Packster.Run("verify", "--location", "dev");
        Assert.Equal(5, r.ExitCode);
        Assert.Contains("error[PST5007]: location dev: 1 deployment folder is missing\n", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: the next command that changes the location drops a deployment whose folder is missing from the lockfile; a plain install brings it back", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("--force", r.Stderr, StringComparison.Ordinal);
    }

    // spec/lockfile.md § Recovery: a deployment whose directory was deleted by hand is dropped (with a warning) when the
    // next command takes the lock. When that command is the uninstall of it, what was asked for is done: exit 0.
    [Fact]
    public void Uninstalling_a_deployment_whose_directory_was_deleted_by_hand_succeeds()
    {
        var installed = _f.InstallJson(_f.PackSample("hello"), "-p", "greeting=Howdy");
        Directory.Delete(installed.GetProperty("path").GetString()!, recursive: true);
        var r = _f.Packster.Run("uninstall", "hello", "--location", "dev");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("was dropped from packster-location.json: its directory is missing", r.Stderr, StringComparison.Ordinal);
        Assert.StartsWith("hello 1.0.0 (", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("was already gone", r.Stdout, StringComparison.Ordinal);
        Assert.Empty(_f.List().EnumerateArray());

        // Naming nothing that was deployed is still an error.
        Assert.Equal(5, _f.Packster.Run("uninstall", "hello", "--location", "dev").ExitCode);
    }

    // spec/lockfile.md § Readers: a deployment whose packster-manifest.toml was deleted is damaged: list shows it as
    // such and the others as usual; which and test give the location error with the --force hint; uninstall refuses
    // (no uninstall handler could run) and nothing is removed, and uninstall --force removes it with a warning.
    [Fact]
    public void A_deployment_without_its_manifest_is_listed_damaged_and_refused_until_forced()
    {
        _f.InstallJson(_f.PackSample("motd"));
        var damaged = _f.InstallJson(_f.PackSample("hello"));
        File.Delete(Path.Combine(damaged.GetProperty("path").GetString()!, "packster-manifest.toml"));

        var list = _f.Packster.Run("list", "--location", "dev");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(list.Stdout.Split('\n'), l => l.StartsWith("hello ", StringComparison.Ordinal) && l.Contains("active, damaged", StringComparison.Ordinal));
        Assert.Contains(list.Stdout.Split('\n'), l => l.StartsWith("motd ", StringComparison.Ordinal) && l.Contains("shims: motd", StringComparison.Ordinal));
        Assert.Contains("is damaged: its packster-manifest.toml is missing; reinstall it with --force", list.Stderr, StringComparison.Ordinal);
        var statuses = _f.List().EnumerateArray().ToDictionary(d => d.GetProperty("id").GetString()!, d => d.GetProperty("status").GetString());
        Assert.Equal("damaged", statuses["hello"]);
        Assert.Equal("deployed", statuses["motd"]);

        foreach (var args in new[] { new[] { "which", "hello" }, ["test", "hello"], ["uninstall", "hello"] })
        {
            var r = _f.Packster.Run([.. args, "--location", "dev"]);
            Assert.True(r.ExitCode == 5, $"{args[0]}: {r}");
            Assert.Contains("error[PST5007]: location dev: deployment hello 1.0.0 (", r.Stderr, StringComparison.Ordinal);
            Assert.Contains("is damaged: its packster-manifest.toml is missing", r.Stderr, StringComparison.Ordinal);
            Assert.Contains("reinstall hello 1.0.0 with --force", r.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("package source folder", r.Stderr, StringComparison.Ordinal);
        }
        Assert.True(Directory.Exists(damaged.GetProperty("path").GetString()), "a refused uninstall removed the deployment");

        var forced = _f.Packster.Run("uninstall", "hello", "--location", "dev", "--force");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Contains("warning: location dev: deployment hello 1.0.0 (", forced.Stderr, StringComparison.Ordinal);
        Assert.Equal(["motd"], _f.List().EnumerateArray().Select(d => d.GetProperty("id").GetString()));
        Assert.False(Directory.Exists(damaged.GetProperty("path").GetString()));
    }

    // spec/lockfile.md § History: pin of a pinned deployment (unpin of an unpinned one) appends nothing and commits
    // nothing — the lockfile, history and generations stay byte for byte.
    [Fact]
    public void Pinning_a_pinned_deployment_again_changes_nothing()
    {
        _f.InstallJson(_f.PackSample("hello"), "-p", "greeting=Howdy");
        Assert.Equal("pinned hello 1.0.0\n", _f.Packster.Ok("pin", "hello", "--location", "dev"));
        var pinned = _f.Snapshot();
        Assert.Equal("hello 1.0.0 was already pinned\n", _f.Packster.Ok("pin", "hello", "--location", "dev"));
        Assert.Equal(pinned, _f.Snapshot());

        Assert.Equal("unpinned hello 1.0.0\n", _f.Packster.Ok("unpin", "hello", "--location", "dev"));
        var unpinned = _f.Snapshot();
        Assert.NotEqual(pinned, unpinned);
        Assert.Equal("hello 1.0.0 was already unpinned\n", _f.Packster.Ok("unpin", "hello", "--location", "dev"));
        Assert.Equal(unpinned, _f.Snapshot());
    }

    // spec/errors.md PST1001: a $SHELL that cannot be run is named with the reason, never PST0001 with .NET's words.
    [Theory]
    [InlineData("missing", "it does not exist")]
    [InlineData("folder", "it is a folder")]
    [InlineData("not-executable", "it may not be run (permission denied)")]
    public void Shell_with_a_SHELL_that_cannot_be_run_says_why(string kind, string why)
    {
        if (OperatingSystem.IsWindows()) return;
        _f.InstallJson(_f.PackSample("hello"), "-p", "greeting=Howdy");
        var shell = kind switch
        {
            "missing" => _f.Temp["no-such-shell"],
            "folder" => Directory.CreateDirectory(_f.Temp["a-folder"]).FullName,
            _ => _f.Temp.Write("plain-file", "echo hi\n"),
        };
        // Root may run anything with an execute bit: a file with none is refused even to root.
        var r = _f.Packster.Run(["shell", "dev"], new Dictionary<string, string> { ["SHELL"] = shell });
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith($"error[PST1001]: cannot start the shell '{shell}' (from SHELL): {why}", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("entering a shell", r.Stderr, StringComparison.Ordinal);
    }
}
