using Packster.Activation;
using Packster.Packaging;
using Packster.Testing;

namespace Packster.Core.Tests.Activation;

/// <summary>
/// spec/activation.md §1 Kinds: a shim that needs nothing set first is a symlink to a native executable or to a script
/// that cannot tell it was started through a link; everything else stays an <c>sh</c> exec script.
/// Every test returns at once, or is skipped, on Windows, where shims are .cmd/.ps1 scripts only.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class ShimKindTests : IDisposable
{
    private readonly TempDirectory _dir = new("packster-shimkind");

    public void Dispose() => _dir.Dispose();

    private string ShimsDir => _dir["loc/shims"];

    private const UnixFileMode Executable = (UnixFileMode)0b111_101_101;

    /// <summary>A copy of a native program from the system, at <c>loc/deployments/d1/bin/&lt;name&gt;</c>.</summary>
    private string NativeTarget(string system, string name)
    {
        var path = _dir["loc/deployments/d1/bin/" + name];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(system, path);
        File.SetUnixFileMode(path, Executable);
        return path;
    }

    private string ScriptTarget(string name, string body)
    {
        var path = _dir.Write("loc/deployments/d1/bin/" + name, "#!/bin/sh\n" + body);
        File.SetUnixFileMode(path, Executable);
        return path;
    }

    private string Write(ShimDefinition shim)
    {
        ShimWriter.WriteAll(ShimsDir, [shim], ShimPlatform.Posix);
        return Path.Combine(ShimsDir, shim.Name);
    }

    private ShimKind KindOf(string name) => ShimWriter.KindOf(ShimsDir, name, ShimPlatform.Posix) ?? throw new FileNotFoundException(name);

    [ShellFact("sh")]
    public void A_native_target_gets_a_symlink_that_runs_it()
    {
        var target = NativeTarget("/bin/echo", "echo");
        var shim = Write(new ShimDefinition("echo", target));
        Assert.Equal(FileKind.Symlink, FileKinds.Of(shim));
        Assert.Equal(ShimKind.Symlink, KindOf("echo"));
        // Relative, inside the location: ../deployments/… from the generation folder.
        Assert.Equal(Path.Combine("..", "deployments", "d1", "bin", "echo"), new FileInfo(shim).LinkTarget);
        var result = Shells.Run("/bin/sh", ["-c", "\"$0\" \"$@\"", shim, "two words", "*"], _dir.Path);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("two words *\n", result.Text);
    }

    [ShellFact("sh")]
    public void A_symlink_shim_keeps_working_when_the_location_is_moved()
    {
        var target = NativeTarget("/bin/echo", "echo");
        Write(new ShimDefinition("echo", target));
        Directory.Move(_dir["loc"], _dir["moved"]);
        var result = Shells.Run(_dir["moved/shims/echo"], ["still here"], _dir.Path);
        Assert.Equal("still here\n", result.Text);
    }

    [Fact]
    public void A_shim_with_fixed_arguments_or_env_stays_a_script()
    {
        if (OperatingSystem.IsWindows()) return;
        var target = NativeTarget("/bin/echo", "echo");
        var withArgs = Write(new ShimDefinition("echo", target, ["--fixed"]));
        Assert.Equal(ShimKind.Script, KindOf("echo"));
        Assert.StartsWith("#!/bin/sh\n", File.ReadAllText(withArgs), StringComparison.Ordinal);

        var withEnv = Write(new ShimDefinition("echo", target, [], new Dictionary<string, string> { ["ECHO_MODE"] = "x" }));
        Assert.Equal(ShimKind.Script, KindOf("echo"));
        Assert.Contains("export ECHO_MODE='x'", File.ReadAllText(withEnv), StringComparison.Ordinal);
    }

    [Fact]
    public void A_shim_named_unlike_its_target_stays_a_script_so_argv0_keeps_the_targets_name()
    {
        // Multi-call programs (busybox, clang, ccache) choose what to be by the name they were started as.
        if (OperatingSystem.IsWindows()) return;
        var target = NativeTarget("/bin/echo", "echo");
        Write(new ShimDefinition("say", target));
        Assert.Equal(ShimKind.Script, KindOf("say"));
    }

    [ShellFact("sh")]
    public void A_script_that_never_asks_how_it_was_started_gets_a_symlink()
    {
        var target = ScriptTarget("greet", "printf 'hi %s\\n' \"$@\"\n");
        var shim = Write(new ShimDefinition("greet", target));
        Assert.Equal(ShimKind.Symlink, KindOf("greet"));
        Assert.Equal("hi you\n", Shells.Run(shim, ["you"], _dir.Path).Text);
    }

    [Theory]
    [InlineData("cd \"$(dirname \"$0\")\"\n")]
    [InlineData("echo \"usage: ${0##*/}\"\n")]
    [InlineData("here=${BASH_SOURCE[0]}\n")]
    [InlineData("lib=$(dirname -- \"$(readlink -f -- \"$1\")\")\n")]
    [InlineData("# python: open(os.path.join(os.path.dirname(__file__), 'data'))\n")]
    [InlineData("# node: require(path.join(__dirname, 'lib'))\n")]
    [InlineData("# perl: use FindBin; use lib \"$FindBin::Bin/../lib\";\n")]
    public void A_script_that_locates_itself_stays_a_script(string body)
    {
        if (OperatingSystem.IsWindows()) return;
        var target = ScriptTarget("tool", body);
        var shim = Write(new ShimDefinition("tool", target));
        Assert.Equal(ShimKind.Script, KindOf("tool"));
        Assert.Contains("exec '" + target + "'", File.ReadAllText(shim), StringComparison.Ordinal);
    }

    [ShellFact("sh")]
    public void A_self_locating_script_behind_a_script_shim_finds_its_own_folder()
    {
        // Why the rule exists: through a symlink "$0" would be the shims folder, and the sibling file not found there.
        var target = ScriptTarget("where", "cat \"$(dirname \"$0\")/data.txt\"\n");
        _dir.Write("loc/deployments/d1/bin/data.txt", "found\n");
        var shim = Write(new ShimDefinition("where", target));
        Assert.Equal("found\n", Shells.Run(shim, [], _dir.Path).Text);
    }

    [Fact]
    public void Targets_that_cannot_be_judged_get_a_script()
    {
        if (OperatingSystem.IsWindows()) return;
        // Missing, not executable, without "#!", too long to read through, a FIFO (reading it would block), a link.
        var missing = _dir["loc/deployments/d1/bin/missing"];
        var plain = _dir.Write("loc/deployments/d1/bin/plain", "#!/bin/sh\necho hi\n");
        var noShebang = ScriptTarget("bare", "");
        File.WriteAllText(noShebang, "echo hi\n");
        var huge = ScriptTarget("huge", new string('#', ShimKinds.MaxScriptBytes) + "\n");
        var fifo = _dir["loc/deployments/d1/bin/fifo"];
        Assert.Equal(0, Mkfifo(fifo));
        File.SetUnixFileMode(fifo, Executable);
        var linked = ScriptTarget("real", "echo hi\n");
        File.CreateSymbolicLink(_dir["loc/deployments/d1/bin/linked"], "real");
        foreach (var (name, path) in new[] { ("missing", missing), ("plain", plain), ("bare", noShebang), ("huge", huge), ("fifo", fifo), ("linked", _dir["loc/deployments/d1/bin/linked"]) })
        {
            Assert.True(ShimKinds.Choose(new ShimDefinition(name, path), ShimPlatform.Posix) == ShimKind.Script, name);
        }
        Assert.Equal(ShimKind.Symlink, ShimKinds.Choose(new ShimDefinition("real", linked), ShimPlatform.Posix));
    }

    [Fact]
    public void Windows_shims_are_always_scripts()
    {
        if (OperatingSystem.IsWindows()) return;
        var target = NativeTarget("/bin/echo", "echo");
        Assert.Equal(ShimKind.Script, ShimKinds.Choose(new ShimDefinition("echo", target), ShimPlatform.Windows));
        ShimWriter.WriteAll(ShimsDir, [new ShimDefinition("echo", target)], ShimPlatform.Windows);
        Assert.Equal(ShimKind.Script, ShimWriter.KindOf(ShimsDir, "echo", ShimPlatform.Windows));
    }

    [ShellFact("sh")]
    public void A_target_that_is_later_not_executable_fails_clearly()
    {
        var target = NativeTarget("/bin/echo", "echo");
        var shim = Write(new ShimDefinition("echo", target));
        File.SetUnixFileMode(target, (UnixFileMode)0b110_100_100);
        var result = Shells.Run("/bin/sh", ["-c", "\"$0\"", shim], _dir.Path);
        Assert.Equal(126, result.ExitCode);
        Assert.Contains("Permission denied", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(shim, result.Stderr, StringComparison.Ordinal);

        File.Delete(target);
        var gone = Shells.Run("/bin/sh", ["-c", "\"$0\"", shim], _dir.Path);
        Assert.Equal(127, gone.ExitCode);
        Assert.Contains(shim, gone.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Regenerating_removes_old_symlinks_and_never_what_they_point_at()
    {
        if (OperatingSystem.IsWindows()) return;
        var target = NativeTarget("/bin/echo", "echo");
        var before = File.ReadAllBytes(target);
        Write(new ShimDefinition("echo", target));
        var firstGeneration = ShimWriter.CurrentGeneration(ShimsDir)!;
        // A kind can change between generations; the swap stays one rename.
        Write(new ShimDefinition("echo", target, ["-n"]));
        Assert.Equal(ShimKind.Script, KindOf("echo"));
        Assert.False(Directory.Exists(firstGeneration));
        ShimWriter.WriteAll(ShimsDir, [], ShimPlatform.Posix);
        Assert.Equal(before, File.ReadAllBytes(target));
        Assert.Equal(Executable, File.GetUnixFileMode(target));
        Assert.Null(ShimWriter.KindOf(ShimsDir, "echo", ShimPlatform.Posix));
    }

    [Fact]
    public async Task A_reader_sees_a_runnable_shim_at_every_moment_while_kinds_alternate()
    {
        // §2: the swap is one rename(2) whatever the generations hold; a reader resolving shims/echo (through both
        // links when it is a symlink shim) never finds it missing, mid-way between a script and a link generation.
        if (OperatingSystem.IsWindows()) return;
        var target = NativeTarget("/bin/echo", "echo");
        var path = Path.Combine(ShimsDir, "echo");
        Write(new ShimDefinition("echo", target));
        using var stop = new CancellationTokenSource();
        var misses = 0;
        var reads = 0;
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (FileKinds.OfTarget(path) != FileKind.Regular) Interlocked.Increment(ref misses);
                reads++;
            }
        });
        var kinds = new HashSet<ShimKind>();
        for (var i = 0; i < 100; i++)
        {
            Write(i % 2 == 0 ? new ShimDefinition("echo", target, ["-n"]) : new ShimDefinition("echo", target));
            kinds.Add(KindOf("echo"));
        }
        stop.Cancel();
        await reader;
        Assert.Equal([ShimKind.Script, ShimKind.Symlink], kinds.Order());
        Assert.True(reads > 100, $"only {reads} reads");
        Assert.Equal(0, misses);
    }

    [Fact]
    public void A_write_through_a_symlink_shim_reaches_the_target_as_a_write_to_the_target_would()
    {
        // Documented (spec/activation.md §1 Kinds): the link adds no permission, it is the same file; verify then
        // reports the deployment as modified, as it would after a write to the deployment's own path.
        if (OperatingSystem.IsWindows()) return;
        var target = ScriptTarget("greet", "echo hi\n");
        var shim = Write(new ShimDefinition("greet", target));
        File.AppendAllText(shim, "# appended\n");
        Assert.EndsWith("# appended\n", File.ReadAllText(target), StringComparison.Ordinal);
    }

    private static int Mkfifo(string path)
    {
        using var process = System.Diagnostics.Process.Start("mkfifo", [path]);
        process.WaitForExit();
        return process.ExitCode;
    }
}
