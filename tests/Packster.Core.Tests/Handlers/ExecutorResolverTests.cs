using Packster.Handlers;
using Packster.Testing;
using HandlerAction = Packster.Manifest.HandlerAction;

namespace Packster.Core.Tests.Handlers;

/// <summary>spec/handlers.md §Executors and §Planning: which program runs a handler, decided before anything is extracted.</summary>
public sealed class ExecutorResolverTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-executors");

    // Planning happens before extraction: the package root does not exist yet.
    private string Root => _temp["not-extracted-yet"];

    /// <summary>A PATH directory holding fake programs with the given names (empty executable files).</summary>
    private string FakePath(params string[] programs)
    {
        var directory = Directory.CreateDirectory(_temp[$"bin-{Guid.NewGuid():N}"]).FullName;
        foreach (var program in programs)
        {
            var path = Path.Combine(directory, program);
            File.WriteAllText(path, "");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return directory;
    }

    private static ExecutorResolver Posix(string path) => new(new ExecutableSearch(path, isWindows: false));

    private static ExecutorResolver Windows(string path) => new(new ExecutableSearch(path, isWindows: true, ".COM;.EXE;.BAT;.CMD"));

    private string Script(string relative) => Path.Combine(Path.GetFullPath(Root), relative.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>PowerShell settings as PACKSTER_POWERSHELL and PACKSTER_PWSH_HOST give them.</summary>
    private static PowerShellExecutors PowerShell(string choice, string hostPath) =>
        PowerShellExecutors.For(new Dictionary<string, string> { ["PACKSTER_POWERSHELL"] = choice, ["PACKSTER_PWSH_HOST"] = hostPath });

    [PosixFact]
    public void A_ps1_handler_runs_hosted_when_the_host_is_present_unless_pwsh_is_asked_for()
    {
        // spec/handlers.md §Executors: "auto (default): the hosted PowerShell when packster-pwsh-host exists, else pwsh".
        var bin = FakePath("pwsh");
        var host = Path.Combine(FakePath("packster-pwsh-host"), "packster-pwsh-host");
        var handlers = new Dictionary<HandlerAction, HandlerSpec> { [HandlerAction.Any] = new("scripts/any.ps1"), [HandlerAction.Install] = new("scripts/install.ps1") };

        foreach (var choice in new[] { "", "auto", "hosted" })
        {
            var plan = new ExecutorResolver(new ExecutableSearch(bin, isWindows: false), PowerShell(choice, host)).Plan(handlers, HandlerAction.Install, Root);
            Assert.All(plan.Handlers, h => Assert.NotNull(h.PowerShellHost));
            Assert.Same(plan.Handlers[0].PowerShellHost, plan.Handlers[1].PowerShellHost);
            Assert.Equal(host, plan.Handlers[0].Command.FileName);
            Assert.Equal([Script("scripts/any.ps1"), "install"], plan.Handlers[0].Command.Arguments);
        }

        var spawned = new ExecutorResolver(new ExecutableSearch(bin, isWindows: false), PowerShell("pwsh", host)).Plan(handlers, HandlerAction.Install, Root);
        Assert.All(spawned.Handlers, h => Assert.Null(h.PowerShellHost));
        Assert.Equal(Path.Combine(bin, "pwsh"), spawned.Handlers[1].Command.FileName);

        // Without the host, auto falls back to pwsh.
        var fallback = new ExecutorResolver(new ExecutableSearch(bin, isWindows: false), PowerShell("auto", host + "-missing")).Resolve(new HandlerSpec("a.ps1"), Root);
        Assert.Equal(Path.Combine(bin, "pwsh"), fallback.FileName);
    }

    [Fact]
    public void PACKSTER_POWERSHELL_takes_auto_hosted_or_pwsh()
    {
        // spec/handlers.md §Executors: `auto` (also unset or empty), `hosted`, `pwsh`; "anything else — PST7010", other
        // spellings and white space included.
        foreach (var other in new[] { "powershell", "PWSH", "HOSTED", " Hosted ", "Auto", " auto", "pwsh\n" })
        {
            var e = Assert.Throws<PacksterException>(() => PowerShell(other, "/nowhere"));
            Assert.Equal(ErrorCode.PowerShellChoiceInvalid, e.Code);
        }
        Assert.Equal(PowerShellChoice.Pwsh, PowerShell("pwsh", "/nowhere").Choice);
        Assert.Equal(PowerShellChoice.Hosted, PowerShell("hosted", "/nowhere").Choice);
        Assert.Equal(PowerShellChoice.Auto, PowerShell("auto", "/nowhere").Choice);
        Assert.Equal(PowerShellChoice.Auto, PowerShell("", "/nowhere").Choice);
        Assert.Equal(PowerShellExecutors.DefaultHostPath(AppContext.BaseDirectory),
            PowerShellExecutors.For(new Dictionary<string, string>()).Hosted.HostPath);
    }

    [PosixFact]
    public void Picks_the_interpreter_by_extension_from_the_given_PATH()
    {
        var bin = FakePath("sh", "pwsh", "python3");
        var resolver = Posix(bin);

        Assert.Equal(new[] { Script("scripts/a.sh") }, resolver.Resolve(new HandlerSpec("scripts/a.sh"), Root).Arguments);
        Assert.Equal(Path.Combine(bin, "sh"), resolver.Resolve(new HandlerSpec("scripts/a.sh"), Root).FileName);

        var ps = resolver.Resolve(new HandlerSpec("scripts/install.ps1"), Root);
        Assert.Equal(Path.Combine(bin, "pwsh"), ps.FileName);
        Assert.Equal(new[] { "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File", Script("scripts/install.ps1") }, ps.Arguments);

        var py = resolver.Resolve(new HandlerSpec("scripts/x.PY"), Root);
        Assert.Equal(Path.Combine(bin, "python3"), py.FileName);
        Assert.Equal(new[] { Script("scripts/x.PY") }, py.Arguments);
    }

    [PosixFact]
    public void A_file_without_a_known_extension_runs_directly()
    {
        var command = Posix(FakePath()).Resolve(new HandlerSpec("bin/setup"), Root);
        Assert.Equal(Script("bin/setup"), command.FileName);
        Assert.Empty(command.Arguments);
    }

    [PosixFact]
    public void A_manifest_executor_overrides_the_extension_and_gets_the_script_appended()
    {
        var bin = FakePath("python3");
        var command = Posix(bin).Resolve(new HandlerSpec("scripts/install.sh", Executor: ["python3", "-u"]), Root);
        Assert.Equal(Path.Combine(bin, "python3"), command.FileName);
        Assert.Equal(new[] { "-u", Script("scripts/install.sh") }, command.Arguments);
    }

    [PosixFact]
    public void An_executor_inside_the_package_is_not_required_to_exist_while_planning()
    {
        var command = Posix(FakePath()).Resolve(new HandlerSpec("scripts/setup.lua", Executor: ["tools/lua", "-W"]), Root);
        Assert.Equal(Script("tools/lua"), command.FileName);
        Assert.Equal(new[] { "-W", Script("scripts/setup.lua") }, command.Arguments);
    }

    [Fact]
    public void A_missing_interpreter_is_reported_while_planning_before_anything_exists()
    {
        // spec/handlers.md §Planning: "handler scripts/install.ps1 needs 'pwsh', which is not on PATH"
        var resolver = Posix(FakePath("sh", "python3"));
        var handlers = new Dictionary<HandlerAction, HandlerSpec>
        {
            [HandlerAction.Any] = new("scripts/any.sh"),
            [HandlerAction.Install] = new("scripts/install.ps1"),
        };
        var e = Assert.Throws<PacksterException>(() => resolver.Plan(handlers, HandlerAction.Install, Root));
        Assert.Equal(ErrorCode.HandlerExecutorMissing, e.Code);
        Assert.Equal("handler scripts/install.ps1 needs 'pwsh', which is not on PATH", e.Message);
        Assert.Contains("PowerShell", e.Hint, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Root));
    }

    [Fact]
    public void A_missing_python_or_named_executor_is_reported_with_its_name()
    {
        var resolver = Posix(FakePath("sh"));
        var python = Assert.Throws<PacksterException>(() => resolver.Resolve(new HandlerSpec("scripts/u.py"), Root));
        Assert.Equal("handler scripts/u.py needs 'python3', which is not on PATH", python.Message);

        var named = Assert.Throws<PacksterException>(() => resolver.Resolve(new HandlerSpec("scripts/u.rb", Executor: ["ruby"]), Root));
        Assert.Equal(ErrorCode.HandlerExecutorMissing, named.Code);
        Assert.Equal("handler scripts/u.rb needs 'ruby', which is not on PATH", named.Message);
    }

    [PosixFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_program_without_the_execute_bit_on_PATH_does_not_count()
    {
        var bin = FakePath("pwsh");
        File.SetUnixFileMode(Path.Combine(bin, "pwsh"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var e = Assert.Throws<PacksterException>(() => Posix(bin).Resolve(new HandlerSpec("a.ps1"), Root));
        Assert.Equal(ErrorCode.HandlerExecutorMissing, e.Code);
    }

    [Fact]
    public void Batch_files_are_refused_off_Windows_with_a_clear_error()
    {
        var e = Assert.Throws<PacksterException>(() => Posix(FakePath("sh")).Resolve(new HandlerSpec("scripts/install.cmd"), Root));
        Assert.Equal(ErrorCode.HandlerPlatformUnsupported, e.Code);
        Assert.Equal("handler scripts/install.cmd is a Windows batch file, and cmd.exe exists only on Windows", e.Message);
    }

    [Fact]
    // PATHEXT lists extensions in upper case; the fakes use that spelling so the simulation also holds on case-sensitive file systems.
    public void On_Windows_batch_files_run_through_cmd_and_PowerShell_falls_back_to_Windows_PowerShell()
    {
        var bin = FakePath("cmd.EXE", "powershell.EXE", "py.EXE");
        var resolver = Windows(bin);

        var batch = resolver.Resolve(new HandlerSpec("scripts/install.bat"), Root);
        Assert.Equal(Path.Combine(bin, "cmd.EXE"), batch.FileName);
        Assert.Equal(new[] { "/d", "/c", Script("scripts/install.bat") }, batch.Arguments);

        var ps = resolver.Resolve(new HandlerSpec("scripts/install.ps1"), Root);
        Assert.Equal(Path.Combine(bin, "powershell.EXE"), ps.FileName);

        var py = resolver.Resolve(new HandlerSpec("scripts/install.py"), Root);
        Assert.Equal(Path.Combine(bin, "py.EXE"), py.FileName);
        Assert.Equal(new[] { "-3", Script("scripts/install.py") }, py.Arguments);
    }

    [Fact]
    public void On_Windows_a_missing_PowerShell_names_both_programs()
    {
        var e = Assert.Throws<PacksterException>(() => Windows(FakePath("cmd.EXE")).Resolve(new HandlerSpec("scripts/install.ps1"), Root));
        Assert.Equal("handler scripts/install.ps1 needs 'pwsh' or 'powershell.exe', which are not on PATH", e.Message);
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../outside.sh")]
    [InlineData("scripts/../../x.sh")]
    [InlineData("scripts\\install.sh")]
    [InlineData("scripts//install.sh")]
    [InlineData("./install.sh")]
    [InlineData("C:/x.sh")]
    [InlineData("")]
    public void Script_paths_stay_inside_the_package(string script)
    {
        var e = Assert.Throws<PacksterException>(() => Posix(FakePath("sh")).Resolve(new HandlerSpec(script), Root));
        Assert.Equal(ErrorCode.InvalidPath, e.Code);
    }

    [PosixFact]
    public void Any_runs_first_with_the_action_name_appended()
    {
        var bin = FakePath("sh");
        var handlers = new Dictionary<HandlerAction, HandlerSpec>
        {
            [HandlerAction.Install] = new("scripts/install.sh"),
            [HandlerAction.Any] = new("scripts/any.sh"),
        };
        var plan = Posix(bin).Plan(handlers, HandlerAction.Install, Root);
        Assert.Equal(new[] { HandlerAction.Any, HandlerAction.Install }, plan.Handlers.Select(h => h.Slot));
        Assert.Equal(new[] { Script("scripts/any.sh"), "install" }, plan.Handlers[0].Command.Arguments);
        Assert.Equal(new[] { Script("scripts/install.sh") }, plan.Handlers[1].Command.Arguments);
        Assert.Equal("any handler scripts/any.sh (install)", plan.Handlers[0].Describe());
    }

    [PosixFact]
    public void An_upgrade_without_an_upgrade_handler_runs_the_install_handler()
    {
        var handlers = new Dictionary<HandlerAction, HandlerSpec> { [HandlerAction.Install] = new("scripts/install.sh") };
        var plan = Posix(FakePath("sh")).Plan(handlers, HandlerAction.Upgrade, Root);
        var only = Assert.Single(plan.Handlers);
        Assert.Equal(HandlerAction.Install, only.Slot);
        Assert.Equal(HandlerAction.Upgrade, only.Action);
        Assert.Equal("upgrade handler scripts/install.sh", only.Describe());
    }

    [PosixFact]
    public void An_action_without_handlers_plans_nothing()
    {
        var handlers = new Dictionary<HandlerAction, HandlerSpec> { [HandlerAction.Install] = new("scripts/install.sh") };
        Assert.True(Posix(FakePath()).Plan(handlers, HandlerAction.Uninstall, Root).IsEmpty);
    }

    [PosixFact]
    public void Time_limits_come_from_the_override_then_the_manifest_then_the_default()
    {
        var handlers = new Dictionary<HandlerAction, HandlerSpec>
        {
            [HandlerAction.Any] = new("scripts/any.sh"),
            [HandlerAction.Install] = new("scripts/install.sh", TimeSpan.FromMinutes(5)),
        };
        var resolver = Posix(FakePath("sh"));
        var plan = resolver.Plan(handlers, HandlerAction.Install, Root);
        Assert.Equal(ExecutorResolver.DefaultTimeout, plan.Handlers[0].Timeout);
        Assert.Equal(TimeSpan.FromMinutes(10), ExecutorResolver.DefaultTimeout);
        Assert.Equal(TimeSpan.FromMinutes(5), plan.Handlers[1].Timeout);

        var overridden = resolver.Plan(handlers, HandlerAction.Install, Root, TimeSpan.FromSeconds(30));
        Assert.All(overridden.Handlers, h => Assert.Equal(TimeSpan.FromSeconds(30), h.Timeout));
    }

    public void Dispose() => _temp.Dispose();
}
