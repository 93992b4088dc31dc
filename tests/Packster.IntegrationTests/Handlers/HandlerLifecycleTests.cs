using System.Security.Cryptography;
using System.Text.Json;

namespace Packster.IntegrationTests.Handlers;

/// <summary>
/// spec/handlers.md §When through the real CLI: <c>any</c> before the specific handler, <c>upgrade</c> (or
/// <c>install</c>) with PACKSTER_PREVIOUS_*, <c>uninstall</c> before removal, and <c>pack</c> in a staging copy.
/// </summary>
public sealed class HandlerLifecycleTests : IDisposable
{
    private readonly HandlerWorld _w = new();

    public void Dispose() => _w.Dispose();

    [Fact]
    public void Any_runs_first_with_the_action_as_its_first_argument_and_output_is_prefixed()
    {
        var package = _w.Pack(_w.Source("order", """
            id = "order"
            version = "1.0.0"

            [handlers]
            any = "scripts/any.sh"
            install = "scripts/install.sh"

            """,
            ("scripts/any.sh", "#!/bin/sh\nprintf 'any %s %s %s\\n' \"$#\" \"$1\" \"$PACKSTER_ACTION\" >> \"$PACKSTER_DEPLOYMENT_PATH/order.txt\"\necho 'any says hi'\n"),
            ("scripts/install.sh", "#!/bin/sh\nprintf 'install %s %s\\n' \"$#\" \"$PACKSTER_ACTION\" >> \"$PACKSTER_DEPLOYMENT_PATH/order.txt\"\necho 'install says hi' >&2\n")));

        var r = _w.Install(package, "--json");

        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        var order = File.ReadAllText(Path.Combine(doc.RootElement.GetProperty("path").GetString()!, "order.txt"));
        // §When: `any` before the specific handler, with the action name as its first argument — also at pack, where
        // it ran alone in the staging copy and its line was packed with the rest.
        Assert.Equal("any 1 pack pack\nany 1 install install\ninstall 0 install\n", order);
        // §Running: each line on stderr prefixed with [<id> <slot>]; stdout stays the command's own output.
        Assert.Contains("[order any] any says hi\n", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("[order install] install says hi\n", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("says hi", r.Stdout, StringComparison.Ordinal);
    }

    private const string Recorder = """
        #!/bin/sh
        out="$PACKSTER_DEPLOYMENT_PATH/ran-$(basename "$0" .sh).txt"
        printf '%s\n' "$PACKSTER_ACTION" "${PACKSTER_PREVIOUS_VERSION--}" "${PACKSTER_PREVIOUS_PATH--}" "$PACKSTER_DEPLOYMENT_PATH" "$PACKSTER_DEPLOYMENT_FINAL_PATH" > "$out"

        """;

    private string Versioned(string version, bool withUpgrade) => _w.Pack(_w.Source($"up-{version}-{withUpgrade}", $"""
        id = "up"
        version = "{version}"

        [handlers]
        install = "scripts/install.sh"
        {(withUpgrade ? "upgrade = \"scripts/upgrade.sh\"" : "")}

        """, ("scripts/install.sh", Recorder), ("scripts/upgrade.sh", Recorder)));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Installing_a_newer_version_runs_upgrade_or_install_with_the_previous_version_and_path(bool withUpgrade)
    {
        var v1 = _w.InstallOk(Versioned("1.0.0", withUpgrade));
        var v1Path = v1.GetProperty("path").GetString()!;
        var first = File.ReadAllLines(Path.Combine(v1Path, "ran-install.txt"));
        Assert.Equal(["install", "-", "-"], first[..3]);
        Assert.StartsWith(_w.StagingDirectory + "/", first[3], StringComparison.Ordinal);
        Assert.Equal(v1Path, first[4]);

        var v2 = _w.InstallOk(Versioned("2.0.0", withUpgrade));
        var v2Path = v2.GetProperty("path").GetString()!;

        // §When: upgrade runs instead of install; without an upgrade handler, install runs with PACKSTER_ACTION=upgrade.
        var ran = withUpgrade ? "ran-upgrade.txt" : "ran-install.txt";
        Assert.False(File.Exists(Path.Combine(v2Path, withUpgrade ? "ran-install.txt" : "ran-upgrade.txt")));
        var lines = File.ReadAllLines(Path.Combine(v2Path, ran));
        Assert.Equal("upgrade", lines[0]);
        Assert.Equal("1.0.0", lines[1]);
        Assert.Equal(v1Path, lines[2]);
        // §Environment: PACKSTER_DEPLOYMENT_PATH is the staging directory; PACKSTER_DEPLOYMENT_FINAL_PATH where it ends up.
        Assert.StartsWith(_w.StagingDirectory + "/", lines[3], StringComparison.Ordinal);
        Assert.Equal(v2Path, lines[4]);

        // The previous deployment stays, inactive; the new one is active.
        var list = _w.F.List().EnumerateArray().ToDictionary(d => d.GetProperty("version").GetString()!, d => d.GetProperty("active").GetBoolean());
        Assert.Equal(new Dictionary<string, bool> { ["1.0.0"] = false, ["2.0.0"] = true }, list);
    }

    /// <summary>
    /// spec/handlers.md §When: <c>upgrade</c> runs "when the new deployment takes over from the active, lower version";
    /// spec/lockfile.md § History: <c>upgrade</c> is "an install that took over from an active older deployment". The
    /// same version with other parameters takes over as an <c>install</c>, without <c>PACKSTER_PREVIOUS_*</c>.
    /// </summary>
    [Fact]
    public void The_same_version_with_other_parameters_takes_over_as_an_install_not_an_upgrade()
    {
        var package = _w.Pack(_w.Source("same", """
            id = "same"
            version = "2.0.0"

            [parameters.m]
            type = "string"
            default = "a"

            [handlers]
            install = "scripts/install.sh"
            upgrade = "scripts/upgrade.sh"

            """, ("scripts/install.sh", Recorder), ("scripts/upgrade.sh", Recorder)));
        var firstPath = _w.InstallOk(package).GetProperty("path").GetString()!;

        var secondPath = _w.InstallOk(package, "-p", "m=b").GetProperty("path").GetString()!;

        Assert.NotEqual(firstPath, secondPath);
        Assert.False(File.Exists(Path.Combine(secondPath, "ran-upgrade.txt")), "the upgrade handler ran for the same version");
        Assert.Equal(["install", "-", "-"], File.ReadAllLines(Path.Combine(secondPath, "ran-install.txt"))[..3]);
        // §Logs: the action's log is the install's.
        var hash12 = Path.GetFileName(secondPath)[..12];
        var logs = Directory.GetFiles(Path.Combine(_w.F.LocationPath, "logs")).Select(Path.GetFileName).ToList();
        Assert.Contains($"same-2.0.0-{hash12}-install.log", logs);
        Assert.DoesNotContain($"same-2.0.0-{hash12}-upgrade.log", logs);
        // The new deployment still takes over activation; the history says install, with the one it replaced.
        var list = _w.F.List().EnumerateArray().ToDictionary(d => d.GetProperty("path").GetString()!, d => d.GetProperty("active").GetBoolean());
        Assert.Equal(new Dictionary<string, bool> { [firstPath] = false, [secondPath] = true }, list);
        // spec/lockfile.md § History: the operation's line (a "commit" line follows it).
        using var last = JsonDocument.Parse(File.ReadAllLines(Path.Combine(_w.F.LocationPath, "history.jsonl"))
            .Last(l => l.Contains(Path.GetFileName(secondPath), StringComparison.Ordinal) && !l.Contains("\"action\":\"commit\"", StringComparison.Ordinal)));
        Assert.Equal("install", last.RootElement.GetProperty("action").GetString());
        Assert.Equal(Path.GetFileName(secondPath), last.RootElement.GetProperty("deployment").GetString());
        Assert.Equal("2.0.0", last.RootElement.GetProperty("previous").GetProperty("version").GetString());
    }

    [Fact]
    public void A_failing_upgrade_handler_leaves_the_previous_version_active_and_untouched()
    {
        _w.InstallOk(Versioned("1.0.0", withUpgrade: true));
        var v2 = _w.Pack(_w.Source("up-2-failing", """
            id = "up"
            version = "2.0.0"

            [handlers]
            upgrade = "scripts/upgrade.sh"

            """, ("scripts/upgrade.sh", "#!/bin/sh\necho \"migrating from $PACKSTER_PREVIOUS_VERSION\"\nexit 5\n")));
        var before = _w.Snapshot();

        var r = _w.Install(v2);

        // §When (upgrade): as for install; the previous deployment is untouched and stays active.
        Assert.True(r.ExitCode == 7, r.ToString());
        Assert.Contains("error[PST7000]: upgrade handler scripts/upgrade.sh of up 2.0.0 exited with code 5; see ", r.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"see \S+/logs/up-2\.0\.0-[0-9a-f]{12}-upgrade\.log", r.Stderr);
        Assert.Contains("[up upgrade] migrating from 1.0.0", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _w.Snapshot());
        var list = _w.F.List();
        Assert.Equal(1, list.GetArrayLength());
        Assert.Equal("1.0.0", list[0].GetProperty("version").GetString());
        Assert.True(list[0].GetProperty("active").GetBoolean());
    }

    private string Uninstallable(int exitCode) => _w.Pack(_w.Source($"un-{exitCode}", """
        id = "un"
        version = "1.0.0"

        [parameters.name]
        type = "string"
        default = "x"

        [handlers]
        uninstall = "scripts/uninstall.sh"

        """, ("scripts/uninstall.sh", $"""
        #!/bin/sh
        if [ -f "$PACKSTER_DEPLOYMENT_PATH/packster-deployment.json" ]; then state=present; else state=absent; fi
        printf '%s %s %s\n' "$state" "$PACKSTER_ACTION" "$PACKSTER_PARAM_NAME" >> "$PACKSTER_LOCATION_PATH/../uninstall-saw"
        echo "uninstall handler ran"
        exit {exitCode}

        """)));

    [Fact]
    public void The_uninstall_handler_runs_before_the_deployment_is_removed()
    {
        var path = _w.InstallOk(Uninstallable(0), "-p", "name=it's me").GetProperty("path").GetString()!;

        var r = _w.Packster.Run("uninstall", "un", "--location", "dev");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("present uninstall it's me\n", File.ReadAllText(_w.Evidence("uninstall-saw")));
        Assert.Contains("[un uninstall] uninstall handler ran", r.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(path));
        Assert.Equal(0, _w.F.List().GetArrayLength());
    }

    /// <summary>
    /// spec/handlers.md § Environment: a number reaches a handler as its canonical text, so the install handler (on the
    /// parameters as given) and the uninstall handler (on the lockfile's canonical record) see the same value.
    /// </summary>
    [Fact]
    public void Install_and_uninstall_handlers_see_a_number_as_the_same_text()
    {
        const string record = "#!/bin/sh\nprintf '%s %s\\n' \"$PACKSTER_ACTION\" \"$PACKSTER_PARAM_RATIO\" >> \"$PACKSTER_LOCATION_PATH/../ratio-saw\"\n";
        var package = _w.Pack(_w.Source("ratio", """
            id = "ratio"
            version = "1.0.0"

            [parameters.ratio]
            type = "number"
            default = 1

            [handlers]
            install = "scripts/record.sh"
            uninstall = "scripts/record.sh"

            """, ("scripts/record.sh", record)));
        _w.InstallOk(package, "-p", "ratio=1.50");

        var r = _w.Packster.Run("uninstall", "ratio", "--location", "dev");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("install 1.5\nuninstall 1.5\n", File.ReadAllText(_w.Evidence("ratio-saw")));
    }

    [Fact]
    public void A_failing_uninstall_handler_aborts_the_uninstall_unless_forced()
    {
        var path = _w.InstallOk(Uninstallable(4)).GetProperty("path").GetString()!;
        var before = _w.Snapshot();

        var refused = _w.Packster.Run("uninstall", "un", "--location", "dev");

        // §Rollback contract: a failing uninstall handler aborts with nothing removed.
        Assert.True(refused.ExitCode == 7, refused.ToString());
        Assert.Contains("error[PST7000]: uninstall handler scripts/uninstall.sh of un 1.0.0 exited with code 4; see ", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _w.Snapshot());
        Assert.True(Directory.Exists(path));
        Assert.Equal(1, _w.F.List().GetArrayLength());

        // --force removes it anyway and reports the failure as a warning.
        var forced = _w.Packster.Run("uninstall", "un", "--location", "dev", "--force");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Contains("warning: uninstall handler scripts/uninstall.sh of un 1.0.0 exited with code 4", forced.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(path));
        Assert.Equal(0, _w.F.List().GetArrayLength());
        Assert.Equal("present uninstall x\npresent uninstall x\n", File.ReadAllText(_w.Evidence("uninstall-saw")));
    }

    [Fact]
    public void Force_removes_a_deployment_whose_uninstall_handler_cannot_run_here()
    {
        // §Rollback contract: --force removes it anyway, whatever the handler failure (here PST7006: a .cmd off Windows).
        if (OperatingSystem.IsWindows()) return;
        var path = _w.InstallOk(_w.Pack(_w.Source("wincmd", """
            id = "wincmd"
            version = "1.0.0"

            [handlers]
            uninstall = "scripts/uninstall.cmd"

            """, ("scripts/uninstall.cmd", "@echo off\r\necho bye\r\n")))).GetProperty("path").GetString()!;

        var refused = _w.Packster.Run("uninstall", "wincmd", "--location", "dev");
        Assert.True(refused.ExitCode == 7, refused.ToString());
        Assert.Contains("PST7006", refused.Stderr, StringComparison.Ordinal);
        Assert.True(Directory.Exists(path));

        var forced = _w.Packster.Run("uninstall", "wincmd", "--location", "dev", "--force");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Contains("warning: handler scripts/uninstall.cmd is a Windows batch file", forced.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(path));
        Assert.Equal(0, _w.F.List().GetArrayLength());
    }

    private const string PackManifest = """
        id = "packit"
        version = "1.0.0"

        [handlers]
        pack = "scripts/build.sh"

        """;

    // spec/handlers.md §Pack staging: "The output folder is judged before anything is copied or run: a file … where -o
    // would create it is PST9005 …, and no handler runs." Before, the handlers ran first and the package was refused after.
    [Fact]
    public void A_file_where_the_output_folder_belongs_is_refused_before_a_pack_handler_runs()
    {
        var source = _w.Source("packout", PackManifest, ("scripts/build.sh", "#!/bin/sh\nset -eu\ntouch \"$PACKSTER_EVIDENCE/pack-handler-ran\"\n"));
        var output = Path.Combine(_w.Root, "out-is-a-file");
        File.WriteAllText(output, "x");

        var r = _w.Packster.Run(["pack", source, "-o", output], new Dictionary<string, string> { ["PACKSTER_EVIDENCE"] = _w.Root });

        Assert.True(r.ExitCode == 9, r.ToString());
        Assert.StartsWith($"error[PST9005]: cannot create output folder '{output}': it is a regular file, not a folder", r.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_w.Evidence("pack-handler-ran")), "the pack handler ran before the output was judged");
        Assert.Equal("x", File.ReadAllText(output));
    }

    [Fact]
    public void Pack_handlers_run_in_a_staging_copy_whose_result_is_packed_and_the_source_is_untouched()
    {
        var source = _w.Source("packit", PackManifest,
            ("data.txt", "original\n"),
            ("victim.txt", "keep me\n"),
            ("sub/nested.txt", "nested\n"),
            ("scripts/build.sh", """
                #!/bin/sh
                set -eu
                echo "generated at pack" > generated.txt
                echo "changed" >> data.txt
                rm victim.txt
                chmod 600 sub/nested.txt
                touch -d '2001-02-03 04:05:06' sub/nested.txt
                printf '%s' "$PWD" > pack-cwd.txt
                echo "pack handler ran"

                """));
        var before = SourceSnapshot(source);

        var r = _w.Packster.Run("pack", source, "-o", _w.F.Dist, "--json");

        Assert.True(r.ExitCode == 0, r.ToString());
        // §Pack staging: the user's folder is byte-, mode- and mtime-identical afterwards.
        Assert.Equal(before, SourceSnapshot(source));
        Assert.Contains("[packit pack] pack handler ran\n", r.Stderr, StringComparison.Ordinal);
        // §Logs: pack logs go to <data>/logs/<id>-<version>-pack.log (PACKSTER_DATA_HOME here).
        Assert.Contains("pack handler ran\n", File.ReadAllText(Path.Combine(_w.Root, "data", "logs", "packit-1.0.0-pack.log")), StringComparison.Ordinal);

        using var packed = JsonDocument.Parse(r.Stdout);
        var deployment = _w.InstallOk(packed.RootElement.GetProperty("path").GetString()!).GetProperty("path").GetString()!;
        Assert.Equal("generated at pack\n", File.ReadAllText(Path.Combine(deployment, "generated.txt")));
        Assert.Equal("original\nchanged\n", File.ReadAllText(Path.Combine(deployment, "data.txt")));
        Assert.False(File.Exists(Path.Combine(deployment, "victim.txt")));
        var cwd = File.ReadAllText(Path.Combine(deployment, "pack-cwd.txt"));
        Assert.False(cwd.StartsWith(source, StringComparison.Ordinal), $"the pack handler ran in the source folder ({cwd})");
        Assert.False(Directory.Exists(cwd), "the pack staging copy was left behind");
    }

    [Fact]
    public void A_failing_pack_handler_writes_nothing_to_the_output_folder_and_names_its_log()
    {
        var source = _w.Source("packfail", PackManifest, ("scripts/build.sh", "#!/bin/sh\necho 'compiler exploded'\nexit 2\n"));
        var output = Path.Combine(_w.Root, "out");
        Directory.CreateDirectory(output);

        var r = _w.Packster.Run("pack", source, "-o", output);

        Assert.True(r.ExitCode == 7, r.ToString());
        var log = Path.Combine(_w.Root, "data", "logs", "packit-1.0.0-pack.log");
        Assert.Contains($"error[PST7000]: pack handler scripts/build.sh of packit 1.0.0 exited with code 2; see {log}", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("compiler exploded\n", File.ReadAllText(log), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
    }

    // spec/handlers.md § Pack staging: "An error about what the handlers left … names the source folder (or the file
    // relative to it), never the staging copy, … and says it was found after the pack handlers ran; the code is the one
    // the same folder packed without handlers gets." Before, these named /tmp/packster-pack-<guid>, already deleted.
    [Theory]
    [InlineData("mkfifo out.fifo", "PST4005", "'out.fifo' in '{source}' is a FIFO (named pipe)")]
    [InlineData("ln -s /etc/passwd bad", "PST4004", "symlink 'bad' -> '/etc/passwd' in '{name}' is unsafe: the target is absolute")]
    [InlineData("echo 'garbage = =' >> packster-manifest.toml", "PST2000", "{source}/packster-manifest.toml:")]
    [InlineData("rm packster-manifest.toml", "PST2001", "{source}/packster-manifest.toml: manifest not found")]
    [InlineData("rm scripts/build.sh", "PST2011", "{source}/packster-manifest.toml: handlers.pack 'scripts/build.sh': no such file in '{source}'")]
    public void Errors_about_what_the_pack_handlers_left_name_the_source_folder_not_the_staging_copy(string script, string code, string words)
    {
        if (OperatingSystem.IsWindows()) return;
        var source = _w.Source($"packbad-{code}", PackManifest, ("scripts/build.sh", $"#!/bin/sh\n{script}\n"));
        var output = Path.Combine(_w.Root, "out");
        Directory.CreateDirectory(output);

        var r = _w.Packster.Run("pack", source, "-o", output);

        Assert.NotEqual(0, r.ExitCode);
        var expected = words.Replace("{source}", source, StringComparison.Ordinal).Replace("{name}", Path.GetFileName(source), StringComparison.Ordinal);
        Assert.Contains($"error[{code}]: {expected}", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("(found after the pack handlers ran, in their copy of the folder)", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("packster-pack-", r.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
    }

    [Fact]
    public void Pack_handlers_get_the_declared_defaults_even_when_a_required_parameter_has_none()
    {
        // spec/handlers.md §Environment (pack): nobody gives parameters to pack; a required one without default is absent.
        var source = _w.Source("packdefaults", """
            id = "packdefaults"
            version = "1.0.0"

            [parameters.token]
            type = "string"
            required = true

            [parameters.port]
            type = "integer"
            default = 8080

            [handlers]
            pack = "scripts/build.sh"

            """, ("scripts/build.sh", "#!/bin/sh\nset -eu\ncp \"$PACKSTER_PARAMETERS_FILE\" seen.json\nprintf '%s' \"${PACKSTER_PARAM_TOKEN-unset}\" > token.txt\n"));

        var package = _w.Pack(source);

        var deployment = _w.InstallOk(package, "-p", "token=t0k").GetProperty("path").GetString()!;
        using var seen = JsonDocument.Parse(File.ReadAllText(Path.Combine(deployment, "seen.json")));
        Assert.Equal("""{"port":8080}""", JsonSerializer.Serialize(seen.RootElement));
        Assert.Equal("unset", File.ReadAllText(Path.Combine(deployment, "token.txt")));
    }

    /// <summary>Every entry under <paramref name="root"/>: content hash, mode and modification time.</summary>
    private static SortedDictionary<string, string> SourceSnapshot(string root)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Append(root))
        {
            var mode = OperatingSystem.IsWindows() ? "" : File.GetUnixFileMode(path).ToString();
            var mtime = File.GetLastWriteTimeUtc(path).Ticks;
            var content = File.Exists(path) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))) : "dir";
            result[Path.GetRelativePath(root, path)] = $"{content} {mode} {mtime}";
        }
        return result;
    }
}
