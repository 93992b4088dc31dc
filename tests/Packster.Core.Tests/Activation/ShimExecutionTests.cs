using System.Text;
using Packster.Activation;
using Packster.Testing;

namespace Packster.Core.Tests.Activation;

/// <summary>spec/activation.md §1: a POSIX shim passes arguments, stdin, stdout, env, signals and exit codes through.</summary>
public class ShimExecutionTests : IDisposable
{
    private readonly TempDirectory _dir = new("packster-shim");

    public void Dispose() => _dir.Dispose();

    // Everything a shell would interpret if anything in the chain re-parsed it.
    private static readonly string[] Hostile =
    [
        "with space", "  lead and trail  ", "single'quote", "double\"quote", "$(touch pwned)", "`touch pwned2`",
        "*", "?[a-z]", "new\nline", "tab\there", "back\\slash", "$HOME", "${PATH}", "!bang", "-n", "", ";&|<>", "ünïcødé",
        "'\\''",
    ];

    private string WriteTarget(string name, string body)
    {
        var path = _dir.Write("targets dir/" + name, "#!/bin/sh\n" + body);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }

    private string Shim(ShimDefinition def)
    {
        ShimWriter.WriteAll(_dir["loc/shims"], [def], ShimPlatform.Posix);
        return Path.Combine(_dir["loc/shims"], def.Name);
    }

    [ShellFact("sh")]
    public void Fixed_and_caller_arguments_pass_through_unchanged()
    {
        var target = WriteTarget("args", "printf '%s\\0' \"$@\" > \"$ARGS_OUT\"\n");
        var shim = Shim(new ShimDefinition("args", target, Hostile));
        var outFile = _dir["args.out"];
        var result = Shells.Run(shim, Hostile.Reverse(), _dir.Path, new Dictionary<string, string?> { ["ARGS_OUT"] = outFile });
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Hostile.Concat(Hostile.Reverse()).ToList(), Shells.NulRecords(File.ReadAllBytes(outFile)));
        Assert.False(File.Exists(_dir["pwned"]));
        Assert.False(File.Exists(_dir["pwned2"]));
    }

    [ShellFact("sh")]
    public void Stdin_and_stdout_pass_through_byte_for_byte()
    {
        var shim = Shim(new ShimDefinition("mycat", "/bin/cat"));
        var input = Encoding.UTF8.GetBytes("line 1\n\0binary\r\n$(x)\nno newline at end");
        var result = Shells.Run(shim, [], _dir.Path, stdin: input);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(input, result.Stdout);
    }

    [ShellFact("sh")]
    public void Exit_codes_pass_through()
    {
        var shim = Shim(new ShimDefinition("fails", WriteTarget("fails", "exit 42\n")));
        Assert.Equal(42, Shells.Run(shim, [], _dir.Path).ExitCode);
    }

    [ShellFact("sh")]
    public void Env_from_the_shim_reaches_the_target_exactly()
    {
        var value = "it's \"quoted\" $(not run) `nor this`\nsecond line\n";
        var target = WriteTarget("env", "printf '%s\\0' \"$HELLO_LOG\" \"$OTHER\"\n");
        var shim = Shim(new ShimDefinition("env", target, [], new Dictionary<string, string> { ["HELLO_LOG"] = value, ["OTHER"] = "" }));
        var result = Shells.Run(shim, [], _dir.Path, new Dictionary<string, string?> { ["OTHER"] = "from caller" });
        Assert.Equal([value, ""], Shells.NulRecords(result.Stdout));
    }

    [ShellFact("sh")]
    public void The_shim_process_becomes_the_target_so_signals_reach_it()
    {
        // exec replaces the shell: the pid the caller started is the target's pid, so signals go straight to it.
        var shim = Shim(new ShimDefinition("pid", WriteTarget("pid", "printf '%s' \"$$\"\n")));
        var result = Shells.Run(shim, [], _dir.Path);
        Assert.Equal(result.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Text);
    }

    [ShellFact("bash")]
    public void A_shim_runs_from_a_shell_by_name_once_activated()
    {
        var target = WriteTarget("hello", "printf 'hello %s\\n' \"$@\"\n");
        ShimWriter.WriteAll(_dir["loc/shims"], [new ShimDefinition("hello", target, ["fixed arg"])], ShimPlatform.Posix);
        ActivationScripts.Write(_dir["loc"], new ActivationSpec(_dir["loc"], "loc", _dir["loc/shims"]));
        var result = Shells.RunScript("bash", $". {ShellQuoting.Posix(_dir["loc/activate/activate.sh"])}\nhello 'from bash'\n", _dir.Path);
        Assert.Equal("hello fixed arg\nhello from bash\n", result.Text);
    }
}
