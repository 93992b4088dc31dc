using System.Text;
using System.Text.Json;
using Packster.Handlers;
using HandlerAction = Packster.Manifest.HandlerAction;

namespace Packster.Core.Tests.Handlers;

/// <summary>spec/handlers.md §Running: real handlers, real shells, real processes in temp directories.</summary>
public sealed class HandlerRunnerTests : IDisposable
{
    // Every character a shell would treat specially, a newline, a trailing newline and non-ASCII text.
    private const string Nasty = "a\"b'c $(touch pwned1) `touch pwned2` ; touch pwned3 | & > x \\n\nline2 $HOME ${PATH} ünïcødé 日本 🎉\n";

    private static readonly string ParametersJson = JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["nasty"] = Nasty,
        ["log-level"] = "debug",
        ["port"] = 8081,
        ["ratio"] = 1.5,
        ["flag"] = true,
        ["off"] = false,
        ["tags"] = new[] { "x", "y" },
    });

    private readonly HandlerHarness _h = new();

    private static Dictionary<HandlerAction, HandlerSpec> Handlers(params (HandlerAction Action, HandlerSpec Spec)[] specs) =>
        specs.ToDictionary(s => s.Action, s => s.Spec);

    private const string DumpWithShell = """
        set -eu
        out="$PACKSTER_DEPLOYMENT_PATH/$1"
        mkdir -p "$out"
        printf '%s' "$PACKSTER_PARAM_NASTY" > "$out/NASTY"
        printf '%s' "$PACKSTER_PARAM_LOG_LEVEL" > "$out/LOG_LEVEL"
        printf '%s' "$PACKSTER_PARAM_PORT" > "$out/PORT"
        printf '%s' "$PACKSTER_PARAM_RATIO" > "$out/RATIO"
        printf '%s' "$PACKSTER_PARAM_FLAG" > "$out/FLAG"
        printf '%s' "$PACKSTER_PARAM_OFF" > "$out/OFF"
        printf '%s' "${PACKSTER_PARAM_TAGS-absent}" > "$out/TAGS"
        cp "$PACKSTER_PARAMETERS_FILE" "$out/parameters.json"
        """;

    private void AssertReceivedVerbatim(string dumpDirectory)
    {
        string Read(string name) => File.ReadAllText(Path.Combine(_h.Package, dumpDirectory, name), new UTF8Encoding(false, throwOnInvalidBytes: true));
        Assert.Equal(Nasty, Read("NASTY"));
        Assert.Equal("debug", Read("LOG_LEVEL"));
        Assert.Equal("8081", Read("PORT"));
        Assert.Equal("1.5", Read("RATIO"));
        Assert.Equal("true", Read("FLAG"));
        Assert.Equal("false", Read("OFF"));
        Assert.Equal("absent", Read("TAGS"));
        using var received = JsonDocument.Parse(Read("parameters.json"));
        using var given = JsonDocument.Parse(ParametersJson);
        Assert.True(JsonElement.DeepEquals(given.RootElement, received.RootElement));
        Assert.Equal(Nasty, received.RootElement.GetProperty("nasty").GetString());
        // Nothing in a value was ever executed.
        Assert.Empty(Directory.EnumerateFiles(_h.Package, "pwned*", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFiles(Environment.CurrentDirectory, "pwned*"));
    }

    [RequiresProgramFact("sh", "sh is not installed")]
    public async Task Parameters_reach_an_sh_handler_verbatim()
    {
        // spec/handlers.md §Environment: strings verbatim, numbers as JSON text, booleans true/false; structures only in the file.
        _h.Script("scripts/dump.sh", DumpWithShell);
        await _h.RunAsync(Handlers((HandlerAction.Any, new("scripts/dump.sh"))), HandlerAction.Install, ParametersJson);
        AssertReceivedVerbatim("install");
    }

    [LinuxFact]
    public async Task Parameters_never_appear_on_the_command_line_or_in_the_log()
    {
        // spec/handlers.md §Executors: parameters never appear on the command line; §Logs: nor in the log.
        _h.Script("scripts/install.sh", "tr '\\0' ' ' < /proc/$$/cmdline > cmdline.txt\n");
        await _h.RunAsync(Handlers((HandlerAction.Install, new("scripts/install.sh"))), HandlerAction.Install, ParametersJson);
        var commandLine = _h.Read("cmdline.txt");
        Assert.EndsWith(Path.Combine("scripts", "install.sh") + " ", commandLine, StringComparison.Ordinal);
        Assert.DoesNotContain("pwned", commandLine, StringComparison.Ordinal);
        Assert.DoesNotContain("debug", commandLine, StringComparison.Ordinal);
        Assert.DoesNotContain("pwned", File.ReadAllText(_h.LogPath), StringComparison.Ordinal);
    }

    /// <summary>
    /// spec/handlers.md §Running: "A handler the system refuses to start because its environment is too large … is
    /// PST7007 naming the variable, never its value" (install refuses such a parameter first; this is the last guard).
    /// </summary>
    [LinuxFact]
    public async Task A_handler_whose_environment_the_system_refuses_is_PST7007_naming_the_variable()
    {
        _h.Script("scripts/install.sh", "echo started > started.txt\n");
        var blob = new string('q', 200_000);

        var e = await Assert.ThrowsAsync<PacksterException>(() =>
            _h.RunAsync(Handlers((HandlerAction.Install, new("scripts/install.sh"))), HandlerAction.Install, $$"""{"blob":"{{blob}}"}"""));

        Assert.Equal(ErrorCode.HandlerParameterInvalid, e.Code);
        Assert.Contains("could not be started: environment variable PACKSTER_PARAM_BLOB takes 200020 bytes with its name", e.Message, StringComparison.Ordinal);
        Assert.Contains("131071", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("qqqq", e.Message + e.Hint + File.ReadAllText(_h.LogPath), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_h.Package, "started.txt")));
    }

    [PosixFact]
    public async Task An_upgrade_runs_the_install_handler_with_the_previous_version_and_path()
    {
        // spec/handlers.md §When: upgrade falls back to install and gets PACKSTER_PREVIOUS_*.
        _h.Script("scripts/install.sh", "printf '%s|%s|%s' \"$PACKSTER_ACTION\" \"$PACKSTER_PREVIOUS_VERSION\" \"$PACKSTER_PREVIOUS_PATH\" > upgrade.txt\n");
        var previous = _h.Temp("deploy/hello-0.9.0");
        var context = _h.Context(HandlerAction.Upgrade, previousVersion: Packster.Model.PackageVersion.Parse("0.9.0"), previousPath: previous);
        var results = await _h.RunAsync(Handlers((HandlerAction.Install, new("scripts/install.sh"))), HandlerAction.Upgrade, context: context);
        Assert.Equal($"upgrade|0.9.0|{previous}", _h.Read("upgrade.txt"));
        Assert.Equal(HandlerAction.Install, Assert.Single(results).Handler.Slot);
    }

    [RequiresProgramFact("bash", "bash is not installed")]
    public async Task Parameters_reach_a_bash_handler_verbatim_through_an_executor_override()
    {
        // spec/handlers.md §Executors: `executor = [...]` replaces the extension's choice; the script path is appended.
        _h.Script("scripts/dump.bash", DumpWithShell + "\nprintf '%s' \"$BASH_VERSION\" > \"$out/BASH\"\n");
        await _h.RunAsync(Handlers((HandlerAction.Any, new("scripts/dump.bash", Executor: ["bash", "--noprofile", "--norc"]))), HandlerAction.Install, ParametersJson);
        AssertReceivedVerbatim("install");
        Assert.NotEmpty(_h.Read("install/BASH"));
    }

    [RequiresProgramFact("python3", "python3 is not installed")]
    public async Task Parameters_reach_a_python_handler_verbatim()
    {
        _h.Script("scripts/dump.py", """
            import os, shutil, sys
            out = os.path.join(os.environ["PACKSTER_DEPLOYMENT_PATH"], "py")
            os.makedirs(out, exist_ok=True)
            for name in ["NASTY", "LOG_LEVEL", "PORT", "RATIO", "FLAG", "OFF", "TAGS"]:
                value = os.environb.get(("PACKSTER_PARAM_" + name).encode(), b"absent")
                with open(os.path.join(out, name), "wb") as f:
                    f.write(value)
            shutil.copyfile(os.environ["PACKSTER_PARAMETERS_FILE"], os.path.join(out, "parameters.json"))
            """);
        await _h.RunAsync(Handlers((HandlerAction.Install, new("scripts/dump.py"))), HandlerAction.Install, ParametersJson);
        AssertReceivedVerbatim("py");
    }

    [RequiresProgramFact("python3", "python3 is not installed")]
    public async Task An_executor_override_runs_its_program_with_its_arguments_before_the_script()
    {
        _h.Script("scripts/setup.txt", """
            import sys
            open("argv.txt", "w").write(repr([sys.stdout.write_through] + sys.argv[1:]))
            """);
        await _h.RunAsync(Handlers((HandlerAction.Any, new("scripts/setup.txt", Executor: ["python3", "-u"]))), HandlerAction.Uninstall);
        // -u reached python (stdout writes through unbuffered), and `any` got the action as its first argument.
        Assert.Equal("[True, 'uninstall']", _h.Read("argv.txt"));
    }

    [PosixFact]
    public async Task Any_runs_first_with_the_action_as_first_argument_then_the_specific_handler()
    {
        // spec/handlers.md §When: any runs before the specific handler, with the action as its first argument.
        _h.Script("scripts/any.sh", "echo \"any:$#:$1:$PACKSTER_ACTION\" >> order.txt\n");
        _h.Script("scripts/install.sh", "echo \"install:$#:$PACKSTER_ACTION\" >> order.txt\n");
        var results = await _h.RunAsync(
            Handlers((HandlerAction.Install, new("scripts/install.sh")), (HandlerAction.Any, new("scripts/any.sh"))), HandlerAction.Install);
        Assert.Equal("any:1:install:install\ninstall:0:install\n", _h.Read("order.txt"));
        Assert.Equal(new[] { HandlerAction.Any, HandlerAction.Install }, results.Select(r => r.Handler.Slot));
        Assert.All(results, r => Assert.Equal(0, r.ExitCode));
    }

    [PosixFact]
    public async Task A_failing_any_handler_stops_before_the_specific_one()
    {
        _h.Script("scripts/any.sh", "echo any >> order.txt\nexit 4\n");
        _h.Script("scripts/install.sh", "echo install >> order.txt\n");
        var e = await Assert.ThrowsAsync<PacksterException>(() =>
            _h.RunAsync(Handlers((HandlerAction.Install, new("scripts/install.sh")), (HandlerAction.Any, new("scripts/any.sh"))), HandlerAction.Install));
        Assert.Equal(ErrorCode.HandlerFailed, e.Code);
        Assert.Equal($"any handler scripts/any.sh (install) of hello 1.0.0 exited with code 4; see {_h.LogPath}", e.Message);
        Assert.Equal("any\n", _h.Read("order.txt"));
    }

    [PosixFact]
    public async Task A_failing_handler_reports_its_exit_code_and_its_output_is_in_the_log()
    {
        _h.Script("scripts/install.sh", "echo 'building step 1'\necho 'boom on stderr' >&2\nexit 3\n");
        var e = await Assert.ThrowsAsync<PacksterException>(() =>
            _h.RunAsync(Handlers((HandlerAction.Install, new("scripts/install.sh"))), HandlerAction.Install));
        Assert.Equal(ErrorCode.HandlerFailed, e.Code);
        Assert.Equal($"install handler scripts/install.sh of hello 1.0.0 exited with code 3; see {_h.LogPath}", e.Message);

        var log = File.ReadAllLines(_h.LogPath);
        Assert.StartsWith("==> ", log[0], StringComparison.Ordinal);
        Assert.Contains("install handler scripts/install.sh of hello 1.0.0: ", log[0], StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_h.Package, "scripts", "install.sh"), log[0], StringComparison.Ordinal);
        Assert.Contains("building step 1", log);
        Assert.Contains("boom on stderr", log);
        Assert.StartsWith("<== exited with code 3 after ", log[^1], StringComparison.Ordinal);
    }

    [PosixFact]
    public async Task A_handler_that_exits_as_if_by_sigint_without_an_interrupt_of_packster_is_a_failure()
    {
        // spec/handlers.md §Interrupts: a handler that exits 130 (as one that died of SIGINT does) waits a moment for
        // packster's own interrupt; when none comes, its exit is a failure like any other, not a cancellation. The
        // script exits 130 itself: `kill -INT $$` would do nothing where the test run was started with SIGINT ignored.
        _h.Script("scripts/install.sh", "exit 130\n");
        var e = await Assert.ThrowsAsync<PacksterException>(() =>
            _h.RunAsync(Handlers((HandlerAction.Install, new("scripts/install.sh"))), HandlerAction.Install));
        Assert.Equal(ErrorCode.HandlerFailed, e.Code);
        Assert.Equal($"install handler scripts/install.sh of hello 1.0.0 exited with code 130; see {_h.LogPath}", e.Message);
    }

    [PosixFact]
    public async Task Runs_append_to_the_log_each_with_its_own_header()
    {
        _h.Script("scripts/install.sh", "echo \"run $PACKSTER_ACTION\"\n");
        var handlers = Handlers((HandlerAction.Install, new("scripts/install.sh")));
        await _h.RunAsync(handlers, HandlerAction.Install);
        await _h.RunAsync(handlers, HandlerAction.Install);
        var log = File.ReadAllLines(_h.LogPath);
        Assert.Equal(2, log.Count(l => l.StartsWith("==> ", StringComparison.Ordinal)));
        Assert.Equal(2, log.Count(l => l == "run install"));
        Assert.Equal(2, log.Count(l => l.StartsWith("<== exited with code 0", StringComparison.Ordinal)));
    }

    [PosixFact]
    public async Task Output_lines_reach_the_console_prefixed_with_package_and_slot()
    {
        _h.Script("scripts/any.sh", "echo \"from any $1\"\n");
        _h.Script("scripts/install.sh", "echo 'to stdout'\necho 'to stderr' >&2\nprintf 'no newline at end'\n");
        await _h.RunAsync(Handlers((HandlerAction.Install, new("scripts/install.sh")), (HandlerAction.Any, new("scripts/any.sh"))), HandlerAction.Install);
        var lines = _h.Output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("[hello any] from any install", lines);
        Assert.Contains("[hello install] to stdout", lines);
        Assert.Contains("[hello install] to stderr", lines);
        Assert.Contains("[hello install] no newline at end", lines);
        Assert.Equal(4, lines.Length);
        // The log holds the same lines without the prefix.
        Assert.Contains("to stderr", File.ReadAllLines(_h.LogPath));
    }

    [PosixFact]
    public async Task Handlers_run_in_the_deployment_directory_with_an_empty_stdin()
    {
        // `cat` would wait forever on an open terminal; an empty stdin ends it at once.
        _h.Script("scripts/install.sh", "cat > stdin.txt\necho here > where.txt\n");
        await _h.RunAsync(Handlers((HandlerAction.Install, new("scripts/install.sh", TimeSpan.FromMinutes(1)))), HandlerAction.Install);
        Assert.Equal("", _h.Read("stdin.txt"));
        Assert.Equal("here\n", _h.Read("where.txt"));
    }

    [PosixFact]
    public async Task An_executable_without_extension_runs_directly_and_one_without_the_execute_bit_is_refused()
    {
        _h.Script("bin/setup", "#!/bin/sh\necho \"direct $1\" > direct.txt\n", executable: true);
        await _h.RunAsync(Handlers((HandlerAction.Any, new("bin/setup"))), HandlerAction.Install);
        Assert.Equal("direct install\n", _h.Read("direct.txt"));

        _h.Script("bin/plain", "#!/bin/sh\necho nope > plain.txt\n");
        var e = await Assert.ThrowsAsync<PacksterException>(() => _h.RunAsync(Handlers((HandlerAction.Install, new("bin/plain"))), HandlerAction.Install));
        Assert.Equal(ErrorCode.HandlerScriptNotExecutable, e.Code);
        Assert.False(File.Exists(Path.Combine(_h.Package, "plain.txt")));
    }

    [PosixFact]
    public async Task A_script_the_package_does_not_contain_is_reported_by_name()
    {
        var e = await Assert.ThrowsAsync<PacksterException>(() => _h.RunAsync(Handlers((HandlerAction.Install, new("scripts/missing.sh"))), HandlerAction.Install));
        Assert.Equal(ErrorCode.HandlerScriptMissing, e.Code);
        Assert.StartsWith("install handler scripts/missing.sh does not exist", e.Message, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task A_hanging_handler_is_stopped_at_its_limit_with_every_process_it_started()
    {
        // spec/handlers.md §Processes: on timeout the whole tree is killed — children, grandchildren, and
        // orphans whose parent already exited. The 1s is the handler's limit, not a wait for anything.
        _h.Script("scripts/install.sh", """
            echo $$ > handler.pid
            sleep 300 &
            echo $! > child.pid
            sh -c 'sleep 300 & echo $! > grandchild.pid; wait' &
            (sleep 300 & echo $! > orphan.pid)
            while [ ! -s grandchild.pid ]; do :; done
            echo started
            wait
            """);
        var e = await Assert.ThrowsAsync<PacksterException>(() =>
            _h.RunAsync(Handlers((HandlerAction.Install, new("scripts/install.sh", TimeSpan.FromSeconds(1)))), HandlerAction.Install));

        Assert.Equal(ErrorCode.HandlerTimedOut, e.Code);
        Assert.Equal(
            $"install handler scripts/install.sh of hello 1.0.0 did not finish within 1s and was stopped with all its processes; see {_h.LogPath}",
            e.Message);
        Assert.Contains("started", File.ReadAllLines(_h.LogPath));
        Assert.StartsWith("<== timed out after ", File.ReadAllLines(_h.LogPath)[^1], StringComparison.Ordinal);
        foreach (var name in new[] { "handler", "child", "grandchild", "orphan" })
        {
            var pid = ProcessProbe.ReadPid(Path.Combine(_h.Package, name + ".pid"));
            Assert.False(ProcessProbe.IsRunning(pid), $"{name} process {pid} is still running");
        }
    }

    [LinuxFact]
    public async Task Cancelling_stops_the_handler_with_every_process_it_started()
    {
        // spec/handlers.md §Processes: Ctrl-C (the cancellation token) kills the tree and reports PST7003.
        _h.Script("scripts/install.sh", """
            echo $$ > handler.pid
            sh -c 'sleep 300 & echo $! > grandchild.pid; wait' &
            while [ ! -s grandchild.pid ]; do :; done
            echo ready
            sleep 300
            """);
        var e = await CancelledWhenReady();

        Assert.Equal(ErrorCode.HandlerCancelled, e.Code);
        Assert.StartsWith("<== cancelled after ", File.ReadAllLines(_h.LogPath)[^1], StringComparison.Ordinal);
        foreach (var name in new[] { "handler", "grandchild" })
        {
            var pid = ProcessProbe.ReadPid(Path.Combine(_h.Package, name + ".pid"));
            Assert.False(ProcessProbe.IsRunning(pid), $"{name} process {pid} is still running");
        }
    }

    [PosixFact]
    public async Task A_cancelled_operation_starts_no_handler()
    {
        _h.Script("scripts/install.sh", "echo ran > ran.txt\n");
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        var e = await Assert.ThrowsAsync<PacksterException>(() =>
            _h.RunAsync(Handlers((HandlerAction.Install, new("scripts/install.sh"))), HandlerAction.Install, cancellationToken: cancel.Token));
        Assert.Equal(ErrorCode.HandlerCancelled, e.Code);
        Assert.False(File.Exists(Path.Combine(_h.Package, "ran.txt")));
    }

    [LinuxFact]
    public async Task A_background_job_left_behind_by_a_successful_handler_is_killed_when_it_exits()
    {
        // spec/handlers.md §Processes: nothing a handler starts outlives it.
        _h.Script("scripts/install.sh", "sleep 300 &\necho $! > leftover.pid\nexit 0\n");
        var results = await _h.RunAsync(Handlers((HandlerAction.Install, new("scripts/install.sh", TimeSpan.FromMinutes(1)))), HandlerAction.Install);
        Assert.Equal(0, Assert.Single(results).ExitCode);
        var pid = ProcessProbe.ReadPid(Path.Combine(_h.Package, "leftover.pid"));
        Assert.False(ProcessProbe.IsRunning(pid), $"leftover process {pid} is still running");
    }

    private readonly List<int> _escapees = [];

    /// <summary>The pid a handler's escapee recorded; remembered so that <see cref="Dispose"/> kills it should a test fail.</summary>
    private int EscapeePid(HandlerHarness harness, string pidFile)
    {
        var pid = ProcessProbe.ReadPid(Path.Combine(harness.Package, pidFile));
        _escapees.Add(pid);
        return pid;
    }

    [LinuxFact]
    public async Task A_process_that_made_a_session_of_its_own_dies_with_the_handler_that_exited_0()
    {
        // spec/handlers.md §Processes: "A handler and everything it starts is one unit: nothing it started outlives
        // it" — also a descendant that called setsid itself and closed its output; it is killed and reaped.
        _h.Script("scripts/install.sh", Escapee.Script("escapee.pid", closeOutput: true) + "exit 0\n");

        var results = await _h.RunAsync(Handlers((HandlerAction.Install, new("scripts/install.sh", TimeSpan.FromMinutes(2)))), HandlerAction.Install);

        Assert.Equal(0, Assert.Single(results).ExitCode);
        Escapee.AssertGone(EscapeePid(_h, "escapee.pid"), "the escaped process");
    }

    [LinuxFact]
    public async Task A_process_that_made_a_session_of_its_own_and_holds_the_output_no_longer_holds_up_its_handler()
    {
        // spec/handlers.md §Processes: such a process "is killed as soon as the handler exited, like a leftover of its
        // group": the step ends then with the handler's own exit code, not at its limit with PST7001.
        _h.Script("scripts/install.sh", Escapee.Script("escapee.pid", closeOutput: false) + "echo done\nexit 0\n");

        var results = await _h.RunAsync(Handlers((HandlerAction.Install, new("scripts/install.sh", TimeSpan.FromSeconds(30)))), HandlerAction.Install);

        Assert.Equal(0, Assert.Single(results).ExitCode);
        Assert.Contains("done", File.ReadAllLines(_h.LogPath));
        Escapee.AssertGone(EscapeePid(_h, "escapee.pid"), "the escaped process");
    }

    /// <summary>Runs scripts/install.sh as the install handler, cancels it once it prints "ready", and returns the error it ended with.</summary>
    private async Task<PacksterException> CancelledWhenReady()
    {
        using var cancel = new CancellationTokenSource();
        var sink = new SynchronizedStringWriter(line =>
        {
            if (line.EndsWith("ready", StringComparison.Ordinal)) _ = cancel.CancelAsync();
        });
        return await Assert.ThrowsAsync<PacksterException>(() =>
            _h.RunAsync(Handlers((HandlerAction.Install, new("scripts/install.sh"))), HandlerAction.Install, sink: sink, cancellationToken: cancel.Token));
    }

    [LinuxFact]
    public async Task Cancelling_also_kills_an_orphan_that_made_a_session_of_its_own()
    {
        // spec/handlers.md §Processes: on cancellation the orphans of the run that left its group are killed too.
        _h.Script("scripts/install.sh", Escapee.Script("escapee.pid", closeOutput: true, orphanAtOnce: true) + "echo ready\nsleep 300\n");

        var e = await CancelledWhenReady();

        Assert.Equal(ErrorCode.HandlerCancelled, e.Code);
        Escapee.AssertGone(EscapeePid(_h, "escapee.pid"), "the escaped process");
    }

    [LinuxFact]
    public async Task Handlers_running_at_once_kill_only_their_own_escaped_processes()
    {
        // spec/handlers.md §Processes: an orphan is the run's when it holds the run's PACKSTER_HANDLER_RUN token (or
        // descends from it): run B's end kills B's escaped process, not A's, which dies when A's handler exits.
        using var other = new HandlerHarness();
        var release = Path.Combine(other.Package, "release");
        other.Script("scripts/install.sh", Escapee.Script("escapee.pid", closeOutput: true) + $"""
            echo ready
            while [ ! -e '{release}' ]; do sleep 0.01; done
            exit 0
            """);
        _h.Script("scripts/install.sh", Escapee.Script("escapee.pid", closeOutput: true) + "exit 0\n");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = new SynchronizedStringWriter(line =>
        {
            if (line.EndsWith("ready", StringComparison.Ordinal)) ready.TrySetResult();
        });
        var runA = other.RunAsync(Handlers((HandlerAction.Install, new("scripts/install.sh", TimeSpan.FromMinutes(2)))), HandlerAction.Install, sink: sink);
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromMinutes(1));
            var escapeeA = EscapeePid(other, "escapee.pid");

            await _h.RunAsync(Handlers((HandlerAction.Install, new("scripts/install.sh", TimeSpan.FromMinutes(2)))), HandlerAction.Install);

            Escapee.AssertGone(EscapeePid(_h, "escapee.pid"), "run B's escaped process");
            Assert.True(ProcessProbe.IsRunning(escapeeA), $"run A's escaped process {escapeeA} was killed when run B ended");
            File.WriteAllText(release, "");
            Assert.Equal(0, Assert.Single(await runA).ExitCode);
            Escapee.AssertGone(escapeeA, "run A's escaped process");
        }
        finally
        {
            File.WriteAllText(release, "");
            await runA.ContinueWith(_ => { }, TaskScheduler.Default);
            if (File.Exists(Path.Combine(other.Package, "escapee.pid"))) EscapeePid(other, "escapee.pid");
        }
    }

    [RequiresProgramFact("pwsh", "pwsh is not installed")]
    public async Task Parameters_reach_a_PowerShell_handler_verbatim()
    {
        _h.Script("scripts/install.ps1", """
            $out = Join-Path $env:PACKSTER_DEPLOYMENT_PATH 'ps'
            New-Item -ItemType Directory -Force $out | Out-Null
            [IO.File]::WriteAllText((Join-Path $out 'NASTY'), $env:PACKSTER_PARAM_NASTY)
            """);
        await _h.RunAsync(Handlers((HandlerAction.Install, new("scripts/install.ps1"))), HandlerAction.Install, ParametersJson);
        Assert.Equal(Nasty, _h.Read("ps/NASTY"));
    }

    [WindowsFact("cmd.exe exists only on Windows")]
    public async Task A_batch_handler_runs_through_cmd()
    {
        _h.Script("scripts/install.cmd", "@echo %PACKSTER_ACTION%> action.txt\r\n");
        await _h.RunAsync(Handlers((HandlerAction.Install, new("scripts/install.cmd"))), HandlerAction.Install);
        Assert.Equal("install", _h.Read("action.txt").Trim());
    }

    public void Dispose()
    {
        // A test that failed must not leave its escaped sleep running.
        if (File.Exists(Path.Combine(_h.Package, "escapee.pid"))) EscapeePid(_h, "escapee.pid");
        foreach (var pid in _escapees) Escapee.KillIfSleeping(pid);
        _h.Dispose();
    }
}
