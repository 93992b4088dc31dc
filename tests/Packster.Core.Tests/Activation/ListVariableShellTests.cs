using Packster.Activation;
using Packster.Testing;

namespace Packster.Core.Tests.Activation;

/// <summary>
/// spec/activation.md §3 List variables, in real shells: activation puts a list variable's entries before and after the
/// value it had (an empty or unset one adds nothing but the entries, never an empty entry); deactivation restores
/// the value exactly — set, empty or unset. `packster shell`'s environment (ActivationEnvironment) gives the same.
/// </summary>
public sealed class ListVariableShellTests : IDisposable
{
    private static readonly ListValue Libs = new(["/opt/a lib", "/opt/b"], ["/opt/z"]);
    private readonly TempDirectory _dir = new("packster-lists");
    private readonly string _location;
    private readonly ActivationSpec _spec;

    public ListVariableShellTests()
    {
        _location = _dir["loc"];
        Directory.CreateDirectory(Path.Combine(_location, "shims"));
        _spec = new ActivationSpec(_location, "libs", Path.Combine(_location, "shims"), new Dictionary<string, string> { ["TOOL_HOME"] = "/opt/a lib" },
            new Dictionary<string, ListValue> { ["LD_LIBRARY_PATH"] = Libs, ["PKG_CONFIG_PATH"] = Libs, ["PYTHONPATH"] = Libs, ["PSModulePath"] = new(["/opt/ps"], []) });
        ActivationScripts.Write(_location, _spec);
    }

    public void Dispose() => _dir.Dispose();

    private static Dictionary<string, string?> Before() => new()
    {
        ["PATH"] = Shells.BasePath,
        ["LD_LIBRARY_PATH"] = "/usr/x:/usr/y",
        ["PKG_CONFIG_PATH"] = "",
        ["PYTHONPATH"] = null,
        ["PSModulePath"] = "/usr/ps",
        ["TOOL_HOME"] = null,
    };

    private static readonly Dictionary<string, string?> Expected = new()
    {
        ["LD_LIBRARY_PATH"] = "/opt/a lib:/opt/b:/usr/x:/usr/y:/opt/z",
        ["PKG_CONFIG_PATH"] = "/opt/a lib:/opt/b:/opt/z",
        ["PYTHONPATH"] = "/opt/a lib:/opt/b:/opt/z",
        ["TOOL_HOME"] = "/opt/a lib",
    };

    private Dictionary<string, string> Snapshot(string name) =>
        Shells.NulRecords(File.ReadAllBytes(_dir[name]))
            .Where(r => !r.StartsWith("_=", StringComparison.Ordinal) && !r.StartsWith("SHLVL=", StringComparison.Ordinal))
            .ToDictionary(r => r[..r.IndexOf('=', StringComparison.Ordinal)], r => r[(r.IndexOf('=', StringComparison.Ordinal) + 1)..]);

    private void ActivateThenDeactivate(string shell)
    {
        var (source, ext) = shell switch { "fish" => ("source", ".fish"), "pwsh" => (".", ".ps1"), _ => (".", ".sh") };
        string Q(string text) => shell switch { "fish" => ShellQuoting.Fish(text), "pwsh" => ShellQuoting.Pwsh(text), _ => ShellQuoting.Posix(text) };
        // `env -0` is the outside view: what a process started from the shell receives.
        var text = $"""
            env -0 > before.env
            {source} {Q(Path.Combine(_location, "activate", "activate" + ext))}
            env -0 > during.env
            {source} {Q(Path.Combine(_location, "activate", "activate" + ext))}
            env -0 > twice.env
            _packster_deactivate
            env -0 > after.env

            """;
        var result = Shells.RunScript(shell, text, _dir.Path, Before());
        Assert.True(result.ExitCode == 0, result.Stderr);
        var before = Snapshot("before.env");
        var during = Snapshot("during.env");
        foreach (var (key, value) in Expected) Assert.True(value == during.GetValueOrDefault(key), $"{shell}: {key} is '{during.GetValueOrDefault(key)}', expected '{value}'");
        // pwsh adds its own module folders to PSModulePath when it starts: the entry goes before whatever the shell had.
        Assert.Equal("/opt/ps:" + before["PSModulePath"], during["PSModulePath"]);
        var twice = Snapshot("twice.env");
        if (shell == "pwsh")
        {
            // pwsh's limit (spec/activation.md §3): the first deactivation turned the empty PKG_CONFIG_PATH into unset.
            during.Remove("_PACKSTER_OLD_PKG_CONFIG_PATH");
            twice.Remove("_PACKSTER_OLD_PKG_CONFIG_PATH");
        }
        Assert.Equal(during, twice);
        var after = Snapshot("after.env");
        Assert.Equal("/usr/x:/usr/y", after["LD_LIBRARY_PATH"]);
        Assert.False(after.ContainsKey("PYTHONPATH"));
        // pwsh cannot tell an empty variable from an unset one (spec/activation.md §3): there, empty restores as unset.
        if (shell == "pwsh") before.Remove("PKG_CONFIG_PATH");
        Assert.Equal(before, after);
    }

    [ShellFact("bash")] public void Bash_lists() => ActivateThenDeactivate("bash");
    [ShellFact("sh")] public void Sh_lists() => ActivateThenDeactivate("sh");
    [ShellFact("zsh")] public void Zsh_lists() => ActivateThenDeactivate("zsh");
    [ShellFact("fish")] public void Fish_lists() => ActivateThenDeactivate("fish");
    [ShellFact("pwsh")] public void Pwsh_lists() => ActivateThenDeactivate("pwsh");

    [Fact]
    public void The_environment_block_of_packster_shell_composes_and_restores_the_same_way()
    {
        var environment = Before();
        ActivationEnvironment.Activate(environment, _spec);
        foreach (var (key, value) in Expected) Assert.Equal(value, environment[key]);
        Assert.Equal("/opt/ps:/usr/ps", environment["PSModulePath"]);
        ActivationEnvironment.Deactivate(environment);
        foreach (var (key, value) in Before().Where(kv => kv.Key != "PATH")) Assert.Equal(value, environment.GetValueOrDefault(key));
    }

    [Fact]
    public void An_entry_that_would_split_or_be_empty_is_refused()
    {
        foreach (var entry in new[] { "", "/a" + Path.PathSeparator + "/b", "/a\nb" })
        {
            var e = Assert.Throws<PacksterException>(() => new ActivationSpec(_location, "libs", Path.Combine(_location, "shims"), null,
                new Dictionary<string, ListValue> { ["LIBS"] = new([entry], []) }));
            Assert.Equal(ErrorCode.ActivationEnvInvalid, e.Code);
        }
    }

    [Fact]
    public void Cmd_and_pwsh_text_compose_around_the_old_value()
    {
        var cmd = File.ReadAllText(Path.Combine(_location, "activate", "activate.cmd"));
        Assert.Contains("if defined LD_LIBRARY_PATH set \"_PACKSTER_OLD_LD_LIBRARY_PATH=%LD_LIBRARY_PATH%\"", cmd, StringComparison.Ordinal);
        Assert.Contains("set \"LD_LIBRARY_PATH=/opt/a lib;/opt/b;%LD_LIBRARY_PATH%;/opt/z\"", cmd, StringComparison.Ordinal);
        Assert.Contains("set \"LD_LIBRARY_PATH=/opt/a lib;/opt/b;/opt/z\"", cmd, StringComparison.Ordinal);
        Assert.Contains("_PACKSTER_KEYS=LD_LIBRARY_PATH PKG_CONFIG_PATH PSModulePath PYTHONPATH TOOL_HOME", cmd, StringComparison.Ordinal);
    }

    // spec/activation.md §6: the profile script of a location enabled for the user adds each entry only where missing,
    // so sourcing it twice (a nested login shell) changes nothing.
    private void ProfileTwiceAddsEachEntryOnce(string shell)
    {
        var fish = shell == "fish";
        var profile = _dir.Write("profile" + (fish ? ".fish" : ".sh"), fish ? Packster.Deployments.PersistentActivation.RenderFish(_spec) : Packster.Deployments.PersistentActivation.RenderPosix(_spec));
        var source = fish ? "source" : ".";
        var q = fish ? ShellQuoting.Fish(profile) : ShellQuoting.Posix(profile);
        var result = Shells.RunScript(shell, $"{source} {q}\nenv -0 > once.env\n{source} {q}\nenv -0 > twice.env\n", _dir.Path, Before());
        Assert.True(result.ExitCode == 0, result.Stderr);
        var once = Snapshot("once.env");
        foreach (var (key, value) in Expected) Assert.True(value == once.GetValueOrDefault(key), $"{shell}: {key} is '{once.GetValueOrDefault(key)}', expected '{value}'");
        Assert.Equal(once, Snapshot("twice.env"));
    }

    [ShellFact("bash")] public void Bash_profile_lists() => ProfileTwiceAddsEachEntryOnce("bash");
    [ShellFact("sh")] public void Sh_profile_lists() => ProfileTwiceAddsEachEntryOnce("sh");
    [ShellFact("fish")] public void Fish_profile_lists() => ProfileTwiceAddsEachEntryOnce("fish");
}
