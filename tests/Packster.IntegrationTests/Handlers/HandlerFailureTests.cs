using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Packster.IntegrationTests.Handlers;

/// <summary>
/// spec/handlers.md §Rollback contract, §Timeouts, §Processes, §Logs: a failing, hanging or cancelled install
/// handler leaves the location as it was (its log aside), no staging directory and no process behind.
/// </summary>
public sealed partial class HandlerFailureTests : IDisposable
{
    private readonly HandlerWorld _w = new();

    public void Dispose() => _w.Dispose();

    private static string Manifest(string id, string install) => $"""
        id = "{id}"
        version = "1.0.0"

        [handlers]
        install = {install}

        """;

    /// <summary>Records its pid and a background child's pid (which keeps the output open) next to the location.</summary>
    private const string Prologue = """
        #!/bin/sh
        pids="$PACKSTER_LOCATION_PATH/../pids"
        echo $$ > "$pids"
        sleep 1000 &
        echo $! >> "$pids"

        """;

    [Fact]
    public void A_failing_install_handler_exits_7_names_itself_and_its_log_and_rolls_back()
    {
        var package = _w.Pack(_w.Source("fail", Manifest("fail", "\"scripts/install.sh\""), ("scripts/install.sh", Prologue + """
            echo "building step 1"
            echo "boom on stderr" >&2
            exit 3
            """)));
        _w.Seed();
        var before = _w.Snapshot();

        var r = _w.Install(package);

        // spec/errors.md PST7000 (exit 7): names the handler, the package, the exit code and the log.
        Assert.True(r.ExitCode == 7, r.ToString());
        Assert.Contains("error[PST7000]: install handler scripts/install.sh of fail 1.0.0 exited with code 3; see ", r.Stderr, StringComparison.Ordinal);
        var log = LogPath(r.Stderr);
        // §Logs: <location>/logs/<id>-<version>-<hash12>-<action>.log survives the rollback and holds the output.
        Assert.Matches(@"/logs/fail-1\.0\.0-[0-9a-f]{12}-install\.log$", log);
        Assert.StartsWith(Path.Combine(_w.F.LocationPath, "logs") + "/", log, StringComparison.Ordinal);
        var text = File.ReadAllText(log);
        Assert.Contains("building step 1\n", text, StringComparison.Ordinal);
        Assert.Contains("boom on stderr\n", text, StringComparison.Ordinal);
        Assert.Contains("<== exited with code 3", text, StringComparison.Ordinal);
        // §Running: output streams to stderr prefixed with [<id> <action>].
        Assert.Contains("[fail install] building step 1\n", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("[fail install] boom on stderr\n", r.Stderr, StringComparison.Ordinal);
        // §Rollback contract: the location is as it was; no staging left.
        Assert.Equal(before, _w.Snapshot());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_w.StagingDirectory));
        // §Processes: the background job it forgot was killed with it.
        Assert.All(_w.Pids("pids"), pid => Assert.False(HandlerWorld.IsRunning(pid), $"process {pid} outlived its handler"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_hanging_install_handler_is_stopped_at_its_limit_with_all_its_processes(bool limitInManifest)
    {
        var install = limitInManifest ? "{ script = \"scripts/install.sh\", timeout = \"2s\" }" : "\"scripts/install.sh\"";
        // A grandchild whose parent exits at once ((…&) orphans it) is only found through the process group.
        var package = _w.Pack(_w.Source("hang", Manifest("hang", install), ("scripts/install.sh", Prologue + """
            (sleep 1000 & echo $! >> "$pids")
            echo "hanging"
            sleep 1000
            """)));
        _w.Seed();
        var before = _w.Snapshot();

        var r = limitInManifest ? _w.Install(package) : _w.Install(package, "--handler-timeout", "2s");

        // §Timeouts: PST7001, exit 7, names the limit and the log.
        Assert.True(r.ExitCode == 7, r.ToString());
        Assert.Contains("error[PST7001]: install handler scripts/install.sh of hang 1.0.0 did not finish within 2s and was stopped with all its processes; see ", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("<== timed out after", File.ReadAllText(LogPath(r.Stderr)), StringComparison.Ordinal);
        Assert.Equal(before, _w.Snapshot());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_w.StagingDirectory));
        var pids = _w.Pids("pids");
        Assert.Equal(3, pids.Count);
        Assert.All(pids, pid => Assert.False(HandlerWorld.IsRunning(pid), $"process {pid} outlived its handler"));
    }

    [Fact]
    public void A_process_that_made_a_session_of_its_own_dies_when_its_install_handler_exits_0()
    {
        // §Processes: "A handler and everything it starts is one unit: nothing it started outlives it" — also a process
        // that left the handler's process group with its own setsid and closed its output (its parent exited).
        var package = _w.Pack(_w.Source("escape", Manifest("escape", "\"scripts/install.sh\""), ("scripts/install.sh", """
            #!/bin/sh
            pidfile="$PACKSTER_LOCATION_PATH/../escapee.pid"
            setsid sh -c 'echo $$ > "$0.new" && mv "$0.new" "$0"; exec sleep 1000' "$pidfile" >/dev/null 2>&1 </dev/null &
            n=0
            while [ ! -s "$pidfile" ]; do n=$((n+1)); [ $n -lt 2000 ] || exit 9; sleep 0.01; done
            echo "escapee started"
            exit 0
            """)));
        _w.Seed();
        try
        {
            var r = _w.Install(package);

            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Contains("[escape install] escapee started\n", r.Stderr, StringComparison.Ordinal);
            var pid = Assert.Single(_w.Pids("escapee.pid"));
            Assert.False(HandlerWorld.IsRunning(pid), $"process {pid} made a session of its own and outlived its handler");
        }
        finally
        {
            // A failing run must not leave the sleep behind.
            if (File.Exists(_w.Evidence("escapee.pid")))
            {
                foreach (var pid in _w.Pids("escapee.pid").Where(HandlerWorld.IsRunning))
                {
                    try
                    {
                        using var survivor = Process.GetProcessById(pid);
                        survivor.Kill();
                    }
                    catch (Exception e) when (e is ArgumentException or InvalidOperationException)
                    {
                        // Gone meanwhile.
                    }
                }
            }
        }
    }

    [Fact]
    public async Task Ctrl_C_during_a_handler_exits_130_rolls_back_and_leaves_no_process()
    {
        var package = _w.Pack(_w.Source("interrupted", Manifest("interrupted", "\"scripts/install.sh\""), ("scripts/install.sh", Prologue + """
            touch "$PACKSTER_LOCATION_PATH/../started"
            sleep 1000
            """)));
        _w.Seed();
        var before = _w.Snapshot();

        using var process = Process.Start(_w.Packster.InterruptibleStartInfo(["install-file", package, "--location", "dev"]))!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        HandlerWorld.WaitForFile(_w.Evidence("started"), process, TimeSpan.FromMinutes(2));
        Signal(process.Id, "INT");
        using (var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            await process.WaitForExitAsync(limit.Token);
        }
        var err = await stderr;
        await stdout;

        // spec/handlers.md §Timeouts: Ctrl-C stops the handler the same way and reports PST7003 (exit 130).
        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}: {err}");
        Assert.Contains("error[PST7003]: install handler scripts/install.sh of interrupted 1.0.0 was cancelled", err, StringComparison.Ordinal);
        Assert.Equal(before, _w.Snapshot());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_w.StagingDirectory));
        var pids = _w.Pids("pids");
        Assert.Equal(2, pids.Count);
        Assert.All(pids, pid => Assert.False(HandlerWorld.IsRunning(pid), $"process {pid} outlived its handler"));
    }

    [Fact]
    public async Task Ctrl_C_during_a_pack_handler_exits_130_and_leaves_no_staging_copy_or_output()
    {
        var source = _w.Source("packint", """
            id = "packint"
            version = "1.0.0"

            [handlers]
            pack = "scripts/build.sh"

            """, ("scripts/build.sh", """
            #!/bin/sh
            evidence="$PACKSTER_EVIDENCE"
            echo $$ > "$evidence/pids"
            printf '%s' "$PWD" > "$evidence/pack-cwd"
            sleep 1000 &
            echo $! >> "$evidence/pids"
            touch "$evidence/started"
            wait

            """));
        var output = Path.Combine(_w.Root, "out");
        Directory.CreateDirectory(output);
        var info = _w.Packster.InterruptibleStartInfo(["pack", source, "-o", output], new Dictionary<string, string> { ["PACKSTER_EVIDENCE"] = _w.Root });

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        HandlerWorld.WaitForFile(_w.Evidence("started"), process, TimeSpan.FromMinutes(2));
        Signal(process.Id, "INT");
        using (var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            await process.WaitForExitAsync(limit.Token);
        }
        var err = await stderr;
        await stdout;

        // spec/handlers.md §When (pack) and §Timeouts: cancelled, nothing written, the staging copy deleted.
        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}: {err}");
        Assert.Contains("error[PST7003]: pack handler scripts/build.sh of packint 1.0.0 was cancelled", err, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
        var staging = File.ReadAllText(_w.Evidence("pack-cwd"));
        Assert.False(Directory.Exists(staging), $"the pack staging copy {staging} was left behind");
        Assert.False(File.Exists(staging + ".parameters.json"), "the pack parameters file was left behind");
        Assert.All(_w.Pids("pids"), pid => Assert.False(HandlerWorld.IsRunning(pid), $"process {pid} outlived its handler"));
    }

    [Fact]
    public void A_missing_interpreter_is_reported_before_anything_is_extracted()
    {
        var package = _w.Pack(_w.Source("nointerp", Manifest("nointerp", "{ script = \"scripts/install.sh\", executor = [\"no-such-interpreter\"] }"),
            ("scripts/install.sh", "#!/bin/sh\ntouch \"$PACKSTER_LOCATION_PATH/../ran\"\n")));
        _w.Seed();
        var before = _w.Snapshot();

        var r = _w.Install(package);

        // §Planning: PST7002 while nothing has happened yet.
        Assert.True(r.ExitCode == 7, r.ToString());
        Assert.Contains("error[PST7002]: handler scripts/install.sh needs 'no-such-interpreter', which is not on PATH", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _w.Snapshot());
        Assert.False(File.Exists(_w.Evidence("ran")));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_fifo_left_by_the_install_handler_is_PST7020_and_rolls_back()
    {
        // spec/handlers.md § What handlers leave: refused before anything opens it (a FIFO's open waits for a writer),
        // PST7020, exit 7, rolled back as for a failing handler (§Rollback contract).
        var package = _w.Pack(_w.Source("fifo", Manifest("fifo", "\"scripts/install.sh\""), ("scripts/install.sh", """
            #!/bin/sh
            mkdir -p run && mkfifo run/control
            """)));
        _w.Seed();
        var before = _w.Snapshot();

        var r = _w.Install(package);

        Assert.True(r.ExitCode == 7, r.ToString());
        Assert.Contains("error[PST7020]: the handlers left 'run/control' in the deployment, a FIFO (named pipe); a deployment holds only files, folders and symbolic links", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _w.Snapshot());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_w.StagingDirectory));
    }

    [Theory]
    [InlineData("pwsh", "error[PST7002]: handler scripts/install.ps1 needs 'pwsh', which is not on PATH")]
    [InlineData("auto", "error[PST7002]: handler scripts/install.ps1 needs packster's hosted PowerShell or 'pwsh', and neither is here: packster-pwsh-host is not at /nonexistent/packster-pwsh-host and 'pwsh' is not on PATH")]
    [InlineData("hosted", "error[PST7009]: handler scripts/install.ps1 is to run in the hosted PowerShell (PACKSTER_POWERSHELL=hosted), but packster-pwsh-host is not at /nonexistent/packster-pwsh-host")]
    public void A_ps1_handler_without_its_powershell_fails_before_extraction(string choice, string error)
    {
        // spec/handlers.md §Executors: "pwsh: only pwsh on PATH, else PST7002 … auto: the hosted PowerShell when
        // packster-pwsh-host is present, else pwsh, else PST7002 naming both … hosted: else PST7009". §Planning: before
        // anything has happened.
        var package = _w.F.PackSample("ps-only");
        _w.Seed();
        var before = _w.Snapshot();
        // packster's PATH without the folders that hold a pwsh, so the machine running the tests may have one.
        var path = string.Join(Path.PathSeparator, (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Where(dir => dir.Length > 0 && !File.Exists(Path.Combine(dir, "pwsh"))));
        var r = _w.Packster.Run(["install-file", package, "--location", "dev"], new Dictionary<string, string>
        {
            ["PATH"] = path,
            ["PACKSTER_POWERSHELL"] = choice,
            ["PACKSTER_PWSH_HOST"] = "/nonexistent/packster-pwsh-host",
        });
        Assert.True(r.ExitCode == 7, r.ToString());
        Assert.Contains(error, r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _w.Snapshot());
    }

    /// <summary>
    /// spec/handlers.md § What handlers leave: "The deployment's packster-manifest.toml must still be the package's, byte
    /// for byte, after each action's handlers" — packster judged the package by it (resources, licence), and activation,
    /// <c>licenses</c> and <c>sbom</c> read it from the deployment. A handler that claims another package's env key and
    /// port through it, or turns its GPL licence into MIT, fails the install with PST7021 and the location is as it was.
    /// </summary>
    [Theory]
    [InlineData("install", "printf '\\n[provides]\\nenv = { FOO = \"from-e2\" }\\nports = [9099]\\n' >> packster-manifest.toml", "its bytes are not the package's")]
    [InlineData("install", "sed -i s/GPL-3.0-only/MIT/ packster-manifest.toml", "its bytes are not the package's")]
    [InlineData("install", "rm packster-manifest.toml", "it was removed")]
    [InlineData("test", "cp packster-manifest.toml m && rm packster-manifest.toml && ln -s m packster-manifest.toml", "it is now a symbolic link")]
    public void A_handler_that_changes_the_deployments_manifest_fails_the_install_and_changes_nothing(string action, string script, string change)
    {
        _w.Seed();
        _w.InstallOk(_w.Pack(_w.Source("e1", """
            id = "e1"
            version = "1.0.0"

            [provides]
            env = { FOO = "from-e1" }
            ports = [9099]

            """)));
        var package = _w.Pack(_w.Source($"e2-{action}-{change.Length}", $"""
            id = "e2"
            version = "1.0.0"
            license = "GPL-3.0-only"

            [handlers]
            {action} = "scripts/edit.sh"

            """, ("scripts/edit.sh", "#!/bin/sh\nset -e\n" + script + "\n")));
        var before = _w.Snapshot();

        var r = _w.Install(package);

        Assert.True(r.ExitCode == 7, r.ToString());
        Assert.Contains($"error[PST7021]: the {action} handlers of e2 1.0.0 changed the deployment's packster-manifest.toml ({change}); ", r.Stderr, StringComparison.Ordinal);
        Assert.Matches($@"; see \S+/logs/e2-1\.0\.0-[0-9a-f]{{12}}-{action}\.log", r.Stderr);
        LogPath(r.Stderr);
        // §Rollback contract: the location, its lockfile and the active deployments are as they were; no staging left.
        Assert.Equal(before, _w.Snapshot());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_w.StagingDirectory));
        Assert.DoesNotContain(_w.F.List().EnumerateArray(), d => d.GetProperty("id").GetString() == "e2");
    }

    /// <summary>
    /// spec/handlers.md § What handlers leave: "The manifest is in the deployment's record like every file, so verify
    /// reports a later change of it."
    /// </summary>
    [Fact]
    public void Verify_reports_a_deployments_manifest_changed_after_the_install()
    {
        var path = _w.InstallOk(_w.Pack(_w.Source("gpl", """
            id = "gpl"
            version = "1.0.0"
            license = "GPL-3.0-only"

            [handlers]
            install = "scripts/install.sh"

            """, ("scripts/install.sh", "#!/bin/sh\necho made > made.txt\n")))).GetProperty("path").GetString()!;
        Assert.Equal(0, _w.Packster.Run("verify", "dev").ExitCode);
        var manifest = Path.Combine(path, "packster-manifest.toml");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(manifest, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("GPL-3.0-only", "MIT", StringComparison.Ordinal));

        var r = _w.Packster.Run("verify", "dev");

        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Contains("packster-manifest.toml", r.Stdout + r.Stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// spec/handlers.md § What handlers leave: "Nothing may appear at PACKSTER_DEPLOYMENT_FINAL_PATH while the handlers
    /// run"; what is there then is theirs, "removed with the staging directory and the location is as it was — also when
    /// the handler that made it then failed" (PST7022; PST7000 for a handler that failed). A link is removed itself.
    /// </summary>
    [Theory]
    [InlineData("mkdir -p \"$PACKSTER_DEPLOYMENT_FINAL_PATH\"", "PST7022")]
    [InlineData("mkdir -p \"$PACKSTER_DEPLOYMENT_FINAL_PATH/bin\" && echo x > \"$PACKSTER_DEPLOYMENT_FINAL_PATH/bin/x\" && chmod -w \"$PACKSTER_DEPLOYMENT_FINAL_PATH/bin\"", "PST7022")]
    [InlineData("ln -s \"$PACKSTER_LOCATION_PATH/../keep\" \"$PACKSTER_DEPLOYMENT_FINAL_PATH\"", "PST7022")]
    [InlineData("mkdir -p \"$PACKSTER_DEPLOYMENT_FINAL_PATH\"\nexit 3", "PST7000")]
    public void A_handler_that_makes_the_final_path_fails_the_install_and_what_it_made_is_removed(string script, string code)
    {
        var keep = _w.Evidence("keep");
        Directory.CreateDirectory(keep);
        File.WriteAllText(Path.Combine(keep, "kept.txt"), "kept");
        var package = _w.Pack(_w.Source($"final-{script.Length}", """
            id = "final"
            version = "1.0.0"

            [handlers]
            install = "scripts/install.sh"

            """, ("scripts/install.sh", "#!/bin/sh\nset -e\n" + script + "\n")));
        _w.Seed();
        var deployments = Path.Combine(_w.F.LocationPath, "deployments");
        var entries = Directory.GetFileSystemEntries(deployments).Order(StringComparer.Ordinal).ToList();
        var before = _w.Snapshot();

        var r = _w.Install(package);

        Assert.True(r.ExitCode == 7, r.ToString());
        Assert.Contains($"error[{code}]: ", r.Stderr, StringComparison.Ordinal);
        if (code == "PST7022")
        {
            Assert.Matches(@"error\[PST7022\]: the install handlers of final 1\.0\.0 made '\S+/deployments/[0-9a-f]{64}' \(PACKSTER_DEPLOYMENT_FINAL_PATH\), where the deployment is published once its handlers have succeeded; it must not exist before, so what they made there is removed; see ", r.Stderr);
        }
        Assert.DoesNotContain("PST5007", r.Stderr, StringComparison.Ordinal);
        LogPath(r.Stderr);
        // §Rollback contract: nothing of it is left under deployments/, and the location is as it was.
        Assert.Equal(entries, Directory.GetFileSystemEntries(deployments).Order(StringComparer.Ordinal).ToList());
        Assert.Equal(before, _w.Snapshot());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_w.StagingDirectory));
        // A link is removed, never what it points to.
        Assert.Equal("kept", File.ReadAllText(Path.Combine(keep, "kept.txt")));
    }

    [PwshFact]
    public void A_ps1_handler_runs_with_pwsh()
    {
        // spec/handlers.md §Executors: PACKSTER_POWERSHELL=pwsh → pwsh -NoProfile -NonInteractive -ExecutionPolicy Bypass -File.
        var package = _w.F.PackSample("ps-only");
        _w.Packster.With("PACKSTER_POWERSHELL", "pwsh");
        var installed = _w.InstallOk(package, "-p", "message=from pwsh");
        var written = File.ReadAllText(Path.Combine(installed.GetProperty("path").GetString()!, "installed.txt"));
        Assert.Equal("from pwsh", written.TrimStart('\uFEFF').TrimEnd());
        var log = File.ReadAllText(Directory.GetFiles(Path.Combine(_w.F.LocationPath, "logs"), "ps-only-*-install.log").Single());
        Assert.Matches(@"==> .*: /\S*pwsh -NoProfile", log);
    }

    private static string LogPath(string stderr)
    {
        var m = SeeLog().Match(stderr);
        Assert.True(m.Success, "no log path in: " + stderr);
        var path = m.Groups[1].Value;
        Assert.True(File.Exists(path), $"the error names log {path}, which does not exist");
        return path;
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    [GeneratedRegex(@"; see (\S+\.log)")]
    private static partial Regex SeeLog();
}
