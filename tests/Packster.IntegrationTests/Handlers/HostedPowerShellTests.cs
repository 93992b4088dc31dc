using System.Text.RegularExpressions;
using Packster.IntegrationTests.Cli;
using Packster.Testing;

namespace Packster.IntegrationTests.Handlers;

/// <summary>
/// spec/handlers.md §Hosted PowerShell: .ps1 handlers run in packster-pwsh-host, found in pwsh-host/ beside packster,
/// with no pwsh installed; started once per command; one script at a time with exactly its own environment; the
/// same results as pwsh -File; a timeout kills the host.
/// </summary>
public sealed partial class HostedPowerShellTests : IDisposable
{
    private readonly HandlerWorld _w = new();

    public void Dispose() => _w.Dispose();

    /// <summary>PATH without the folders that hold a pwsh: the hosted PowerShell must not need one.</summary>
    private static string PathWithoutPwsh => string.Join(Path.PathSeparator, (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator).Where(dir => dir.Length > 0 && !File.Exists(Path.Combine(dir, "pwsh"))));

    /// <summary>
    /// `any` and `install` are both .ps1: each records the pid of the process it runs in and that process's program;
    /// `any` also sets an environment variable and a global variable that `install` must not see.
    /// </summary>
    private string TwoHandlerPackage(string id, string timeout = "2m") => _w.Pack(_w.Source(id, $$"""
        id = "{{id}}"
        version = "1.0.0"

        [parameters.message]
        type = "string"
        default = "hi"

        [handlers]
        any = "scripts/any.ps1"
        install = { script = "scripts/install.ps1", timeout = "{{timeout}}" }

        """,
        ("scripts/any.ps1", """
            $evidence = Join-Path $env:PACKSTER_LOCATION_PATH '..'
            Add-Content -Path (Join-Path $evidence 'pids') -Value "$PID $((Get-Process -Id $PID).Path)"
            $env:LEAKED_BY_ANY = 'any was here'
            $global:LeakedByAny = 'any was here'
            "any: $($args -join ',')"
            """),
        ("scripts/install.ps1", """
            $evidence = Join-Path $env:PACKSTER_LOCATION_PATH '..'
            Add-Content -Path (Join-Path $evidence 'pids') -Value "$PID $((Get-Process -Id $PID).Path)"
            "env seen: [$env:LEAKED_BY_ANY] global seen: [$global:LeakedByAny]"
            if ($env:PACKSTER_PARAM_MESSAGE -eq 'hang') { Start-Sleep -Seconds 1000 }
            """)));

    [Fact]
    public void A_ps1_handler_installs_through_the_hosted_powershell_with_no_pwsh_on_PATH()
    {
        // §Executors: "auto (the default): the hosted PowerShell when packster-pwsh-host is present".
        var package = _w.F.PackSample("ps-only");
        var r = _w.Packster.Run(["install-file", package, "--location", "dev", "-p", "message=hosted", "--json"],
            new Dictionary<string, string> { ["PATH"] = PathWithoutPwsh });
        Assert.True(r.ExitCode == 0, r.ToString());
        var deployment = Directory.GetDirectories(Path.Combine(_w.F.LocationPath, "deployments")).Single();
        Assert.Equal("hosted", File.ReadAllText(Path.Combine(deployment, "installed.txt")).TrimStart('\uFEFF').TrimEnd());
        // §Running: streamed with the prefix; §Logs: the command names the host.
        Assert.Contains("[ps-only install] ps-only: wrote ", r.Stderr, StringComparison.Ordinal);
        var log = File.ReadAllText(Directory.GetFiles(Path.Combine(_w.F.LocationPath, "logs"), "ps-only-*-install.log").Single());
        Assert.Matches(@"==> .*: \S*/pwsh-host/packster-pwsh-host \S*/scripts/install\.ps1 \(in ", log);
        Assert.Contains("<== exited with code 0 after ", log, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_ps1_handlers_of_one_command_share_one_host_and_not_their_environment()
    {
        // §Hosted PowerShell: "started at most once per packster command … sets exactly the handler environment …
        // nothing one script set reaches the next".
        var package = TwoHandlerPackage("twice");
        var r = _w.Packster.Run(["install-file", package, "--location", "dev"], new Dictionary<string, string> { ["PATH"] = PathWithoutPwsh });
        Assert.True(r.ExitCode == 0, r.ToString());

        var runs = File.ReadAllLines(_w.Evidence("pids")).Where(l => l.Length > 0).Select(l => l.Split(' ', 2)).ToList();
        Assert.Equal(2, runs.Count);
        Assert.Equal(runs[0][0], runs[1][0]);
        Assert.EndsWith("/pwsh-host/packster-pwsh-host", runs[0][1], StringComparison.Ordinal);
        Assert.Contains("[twice any] any: install", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("[twice install] env seen: [] global seen: []", r.Stderr, StringComparison.Ordinal);
        // The host ends with the command.
        Assert.False(HandlerWorld.IsRunning(int.Parse(runs[0][0])), "packster-pwsh-host outlived packster");
    }

    [PwshFact]
    public void Through_pwsh_each_script_is_its_own_process()
    {
        // The control for the test above: the same package through pwsh records two different pids, so equal pids
        // there do come from one host.
        var package = TwoHandlerPackage("spawned");
        _w.Packster.With("PACKSTER_POWERSHELL", "pwsh");
        _w.InstallOk(package);
        var pids = File.ReadAllLines(_w.Evidence("pids")).Where(l => l.Length > 0).Select(l => l.Split(' ')[0]).ToList();
        Assert.Equal(2, pids.Distinct().Count());
        Assert.Contains("\nenv seen: [] global seen: []", File.ReadAllText(Directory.GetFiles(Path.Combine(_w.F.LocationPath, "logs")).Single()), StringComparison.Ordinal);
    }

    [Fact]
    public void A_hosted_handler_past_its_limit_is_stopped_with_the_host()
    {
        // §Timeouts: PST7001; §Hosted PowerShell: "a timeout kills the host with everything it started".
        var package = TwoHandlerPackage("slow", timeout: "3s");
        _w.Seed();
        var before = _w.Snapshot();
        // §Hosted PowerShell: started with POWERSHELL_DIAGNOSTICS_OPTOUT=1 and DOTNET_EnableDiagnostics=0, so the killed
        // host leaves no diagnostics pipe in the temp folder (nothing outside a location is written).
        using var temp = new TempDirectory("packster-host-tmp");
        var r = _w.Packster.Run(["install-file", package, "--location", "dev", "-p", "message=hang"],
            new Dictionary<string, string> { ["PATH"] = PathWithoutPwsh, ["TMPDIR"] = temp.Path });
        Assert.True(r.ExitCode == 7, r.ToString());
        Assert.Contains("error[PST7001]: install handler scripts/install.ps1 of slow 1.0.0 did not finish within 3s and was stopped with all its processes; see ", r.Stderr, StringComparison.Ordinal);
        var host = int.Parse(File.ReadAllLines(_w.Evidence("pids"))[0].Split(' ')[0]);
        Assert.False(HandlerWorld.IsRunning(host), "the host of a timed-out handler is still running");
        var hostPid = new Regex($@"(?<!\d){host}(?!\d)");
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(temp.Path), entry => hostPid.IsMatch(Path.GetFileName(entry)));
        Assert.Equal(before, _w.Snapshot());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_w.StagingDirectory));
    }

    [Fact]
    public async Task Ctrl_C_during_a_hosted_handler_exits_130_and_leaves_neither_the_host_nor_its_programs()
    {
        // §Interrupts and §Hosted PowerShell: "on timeout or interrupt packster kills it with its whole tree and group".
        var package = _w.Pack(_w.Source("stopped", """
            id = "stopped"
            version = "1.0.0"

            [handlers]
            install = "scripts/install.ps1"

            """,
            ("scripts/install.ps1", """
                $evidence = Join-Path $env:PACKSTER_LOCATION_PATH '..'
                $child = Start-Process -FilePath sleep -ArgumentList 1000 -PassThru
                Set-Content -Path (Join-Path $evidence 'pids') -Value "$PID`n$($child.Id)"
                New-Item -ItemType File -Path (Join-Path $evidence 'started') | Out-Null
                Start-Sleep -Seconds 1000
                """)));
        _w.Seed();
        var before = _w.Snapshot();

        var start = _w.Packster.InterruptibleStartInfo(["install-file", package, "--location", "dev"]);
        start.Environment["PATH"] = PathWithoutPwsh;
        using var process = System.Diagnostics.Process.Start(start)!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        HandlerWorld.WaitForFile(_w.Evidence("started"), process, TimeSpan.FromMinutes(2));
        using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using (var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            await process.WaitForExitAsync(limit.Token);
        }
        var err = await stderr;
        await stdout;

        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}: {err}");
        Assert.Contains("error[PST7003]: install handler scripts/install.ps1 of stopped 1.0.0 was cancelled", err, StringComparison.Ordinal);
        Assert.Equal(before, _w.Snapshot());
        var pids = _w.Pids("pids");
        Assert.Equal(2, pids.Count);
        Assert.All(pids, pid => Assert.False(HandlerWorld.IsRunning(pid), $"process {pid} outlived the interrupted handler"));
    }

    [Fact]
    public void A_hosted_handler_leaves_no_program_running_after_it_ends()
    {
        // §Hosted PowerShell: "after each script the host kills whatever is left in its process group" (§Processes):
        // the next script of the same host no longer finds the program the first one left behind.
        var package = _w.Pack(_w.Source("forgetful", """
            id = "forgetful"
            version = "1.0.0"

            [handlers]
            any = "scripts/any.ps1"
            install = "scripts/install.ps1"

            """,
            ("scripts/any.ps1", """
                $child = Start-Process -FilePath sleep -ArgumentList 1000 -PassThru
                Set-Content -Path (Join-Path $env:PACKSTER_LOCATION_PATH '../pids') -Value "$($child.Id)"
                "left running: $($child.Id)"
                """),
            ("scripts/install.ps1", """
                $left = [int](Get-Content (Join-Path $env:PACKSTER_LOCATION_PATH '../pids'))
                $state = (Get-Content "/proc/$left/status" -ErrorAction SilentlyContinue | Select-String '^State:') -replace '\s+', ' '
                "the program any left: [$state]"
                """)));
        var r = _w.Packster.Run(["install-file", package, "--location", "dev"], new Dictionary<string, string> { ["PATH"] = PathWithoutPwsh });
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("[forgetful any] left running: ", r.Stderr, StringComparison.Ordinal);
        // Gone, or a zombie its parent (the host) has not reaped yet: either way no longer running.
        Assert.Matches(@"\[forgetful install\] the program any left: \[(|State: Z \(zombie\))\]", r.Stderr);
        Assert.False(HandlerWorld.IsRunning(_w.Pids("pids").Single()));
    }

    [Fact]
    public void A_program_a_hosted_handler_started_that_left_the_hosts_group_is_killed_when_the_script_ends()
    {
        // §Hosted PowerShell: "Each script gets a PACKSTER_HANDLER_RUN token of its own … A process a script starts that
        // leaves the host's group with its own setsid and whose parent exits is found by that token (§Processes) and
        // killed when the script ends". The host's group kill cannot reach it; only the token tells it from packster's
        // other children.
        if (!OperatingSystem.IsLinux()) return;
        var package = _w.Pack(_w.Source("escaping", """
            id = "escaping"
            version = "1.0.0"

            [handlers]
            install = "scripts/install.ps1"

            """,
            ("scripts/install.ps1", """
                sh (Join-Path $PSScriptRoot 'escape.sh') (Join-Path $env:PACKSTER_LOCATION_PATH '../escapee.pid')
                "escaped: $LASTEXITCODE"
                """),
            // A session of its own, its parent (the subshell) gone at once: an orphan outside the host's group.
            ("scripts/escape.sh", """
                (setsid sh -c 'echo $$ > "$0.new" && mv "$0.new" "$0"; exec sleep 300' "$1" >/dev/null 2>&1 </dev/null &)
                n=0
                while [ ! -s "$1" ]; do n=$((n+1)); [ $n -lt 2000 ] || exit 9; sleep 0.01; done
                """)));
        var r = _w.Packster.Run(["install-file", package, "--location", "dev"], new Dictionary<string, string> { ["PATH"] = PathWithoutPwsh });
        var escapee = _w.Pids("escapee.pid").Single();
        try
        {
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Contains("[escaping install] escaped: 0", r.Stderr, StringComparison.Ordinal);
            Assert.False(HandlerWorld.IsRunning(escapee), $"the escaped process {escapee} outlived the hosted handler");
        }
        finally
        {
            if (HandlerWorld.IsRunning(escapee)) System.Diagnostics.Process.GetProcessById(escapee).Kill();
        }
    }

    [Fact]
    public void An_unknown_PACKSTER_POWERSHELL_is_refused_with_the_values_it_takes()
    {
        // §Executors: "PACKSTER_POWERSHELL=auto|hosted|pwsh; anything else is PST7010".
        var package = _w.F.PackSample("ps-only");
        _w.Seed();
        var before = _w.Snapshot();
        var r = _w.Packster.Run(["install-file", package, "--location", "dev"], new Dictionary<string, string> { ["PACKSTER_POWERSHELL"] = "powershell7" });
        Assert.True(r.ExitCode == 7, r.ToString());
        Assert.Contains("error[PST7010]: PACKSTER_POWERSHELL is 'powershell7', which is not a way to run .ps1 handlers", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: use PACKSTER_POWERSHELL=auto (the default), hosted or pwsh", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _w.Snapshot());
    }

    [Fact]
    public void A_host_that_dies_instead_of_answering_fails_the_handler_with_what_it_said()
    {
        // §Hosted PowerShell: "a host that exits or breaks the protocol: PST7011, with the end of its stderr".
        var broken = _w.Evidence("broken-host");
        File.WriteAllText(broken, "#!/bin/sh\necho 'the runtime is missing' >&2\nexit 3\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(broken, (UnixFileMode)0b111_101_101);
        var package = _w.F.PackSample("ps-only");
        _w.Seed();
        var before = _w.Snapshot();
        var r = _w.Packster.Run(["install-file", package, "--location", "dev"], new Dictionary<string, string> { ["PACKSTER_PWSH_HOST"] = broken });
        Assert.True(r.ExitCode == 7, r.ToString());
        Assert.Contains($"error[PST7011]: install handler scripts/install.ps1 could not be run: packster-pwsh-host ({broken}) stopped answering (exit code 3: the runtime is missing)", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _w.Snapshot());
    }

    /// <summary>A handler that shows everything a handler is given, then ends as <c>mode</c> says.</summary>
    private static string ShowAndEnd(HandlerWorld world, string id) => world.Pack(world.Source(id, $"""
        id = "{id}"
        version = "1.0.0"

        [parameters.mode]
        type = "string"
        default = "ok"

        [parameters.count]
        type = "integer"
        default = 7

        [handlers]
        any = "scripts/show.ps1"

        """,
        ("scripts/show.ps1", """
            "args: $($args -join '|')"
            "action: $env:PACKSTER_ACTION id: $env:PACKSTER_PACKAGE_ID version: $env:PACKSTER_PACKAGE_VERSION"
            "params: mode=$env:PACKSTER_PARAM_MODE count=$env:PACKSTER_PARAM_COUNT"
            $file = Get-Content -Raw $env:PACKSTER_PARAMETERS_FILE | ConvertFrom-Json
            "file: mode=$($file.mode) count=$($file.count)"
            "cwd is the deployment: $((Get-Location).Path -eq $env:PACKSTER_DEPLOYMENT_PATH) $([Environment]::CurrentDirectory -eq $env:PACKSTER_DEPLOYMENT_PATH)"
            "secret: [$env:SECRET_TOKEN] passed: [$env:PASSED_ON]"
            sh -c 'echo from a program on stdout; echo from a program on stderr >&2'
            Write-Warning 'careful'
            switch ($env:PACKSTER_PARAM_MODE) {
              'exit3' { 'leaving with 3'; exit 3 }
              'throw' { 'about to throw'; throw 'boom from the handler' }
              'error' { Write-Error 'not terminating'; 'after the error' }
            }
            'done'
            """)));

    [PwshTheory]
    [InlineData("ok", 0)]
    [InlineData("exit3", 7)]
    [InlineData("throw", 7)]
    [InlineData("error", 0)]
    public void A_handler_gives_the_same_result_hosted_and_through_pwsh(string mode, int expectedExit)
    {
        // §Hosted PowerShell: "the same arguments, PACKSTER_* variables, parameters file, working directory, exit
        // code (exit N; 1 after a terminating error, whose earlier output is kept), streamed output and log as pwsh -File".
        var results = new Dictionary<string, (ProcessResult Run, string[] Log)>();
        foreach (var choice in new[] { "hosted", "pwsh" })
        {
            using var world = new HandlerWorld();
            var package = ShowAndEnd(world, "same");
            var r = world.Packster.Run(["install-file", package, "--location", "dev", "-p", $"mode={mode}"], new Dictionary<string, string>
            {
                ["PACKSTER_POWERSHELL"] = choice,
                ["SECRET_TOKEN"] = "s3cret",
                ["PASSED_ON"] = "yes",
                ["PACKSTER_PASS_ENV"] = "PASSED_ON",
            });
            // Paths differ between the two temp homes and staging directories: compare them by role.
            string Scrub(string text) => StagingName().Replace(text.Replace(world.F.LocationPath, "<location>", StringComparison.Ordinal), "<staging>");
            var log = File.ReadAllLines(Directory.GetFiles(Path.Combine(world.F.LocationPath, "logs")).Single()).Select(Scrub).ToArray();
            results[choice] = (r with { Stderr = Scrub(r.Stderr) }, log);
        }
        var (hosted, pwsh) = (results["hosted"], results["pwsh"]);
        Assert.True(hosted.Run.ExitCode == expectedExit, hosted.Run.ToString());
        Assert.True(pwsh.Run.ExitCode == expectedExit, pwsh.Run.ToString());

        var hostedLines = Body(hosted.Log);
        Assert.Equal(Body(pwsh.Log), hostedLines);
        Assert.Equal(Prefixed(pwsh.Run.Stderr), Prefixed(hosted.Run.Stderr));
        Assert.Contains("args: install", hostedLines);
        Assert.Contains($"params: mode={mode} count=7", hostedLines);
        Assert.Contains($"file: mode={mode} count=7", hostedLines);
        Assert.Contains("cwd is the deployment: True True", hostedLines);
        Assert.Contains("secret: [] passed: [yes]", hostedLines);
        Assert.Contains("WARNING: careful", hostedLines);
        if (mode == "exit3") Assert.Contains("exited with code 3", hosted.Run.Stderr, StringComparison.Ordinal);
        if (mode == "throw")
        {
            Assert.Contains("about to throw", hostedLines);
            Assert.Contains(hostedLines, l => l.Contains("boom from the handler", StringComparison.Ordinal));
            Assert.Contains("exited with code 1", hosted.Run.Stderr, StringComparison.Ordinal);
        }
    }

    /// <summary>The handler's lines in a log (between header and footer), without colour codes, with the lines that reach
    /// the log through the other stream (the program's stderr, and pwsh's own error line for Write-Error) sorted after the
    /// rest: pwsh writes them to stderr, and two pipes read side by side keep no order between them.</summary>
    private static List<string> Body(string[] log) =>
        log.Where(l => !l.StartsWith("==> ", StringComparison.Ordinal) && !l.StartsWith("<== ", StringComparison.Ordinal))
            .Select(l => Ansi().Replace(l, "")).OrderBy(l => CrossesStreams(l) ? l : "", StringComparer.Ordinal).ToList();

    private static List<string> Prefixed(string stderr) =>
        stderr.Split('\n').Where(l => l.StartsWith("[same any] ", StringComparison.Ordinal)).Select(l => Ansi().Replace(l, "").TrimEnd('\r'))
            .OrderBy(l => CrossesStreams(l) ? l : "", StringComparer.Ordinal).ToList();

    private static bool CrossesStreams(string line) =>
        line.Contains("from a program", StringComparison.Ordinal) || line.Contains("Write-Error: ", StringComparison.Ordinal);

    [GeneratedRegex("staging/[0-9a-f]{32}")]
    private static partial Regex StagingName();

    [GeneratedRegex("\u001b\\[[0-9;?]*[A-Za-z]")]
    private static partial Regex Ansi();
}
