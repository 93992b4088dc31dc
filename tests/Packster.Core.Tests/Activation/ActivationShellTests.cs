using Packster.Activation;
using Packster.Testing;

namespace Packster.Core.Tests.Activation;

/// <summary>
/// spec/activation.md §3–§4 in real shells: activation puts the shims first on PATH and sets env keys; deactivation
/// restores PATH and every touched variable byte for byte (set, empty and unset); packster-use switches locations.
/// </summary>
public class ActivationShellTests : IDisposable
{
    private const string OriginalSet = "orig 'value' \"q\" $(x) `y` *\nsecond line\n";
    private readonly TempDirectory _dir = new("packster-activation");
    private readonly string _locA;
    private readonly string _locB;
    private readonly string _data;

    public ActivationShellTests()
    {
        _locA = _dir["loc a"];
        _locB = _dir["loc b"];
        _data = _dir["data home"];
        MakeLocation(_locA, "loc-a", "A", new() { ["SET_KEY"] = "from A", ["EMPTY_KEY"] = "A's \"empty\"", ["UNSET_KEY"] = "A\nnew", ["SHARED"] = "a" });
        MakeLocation(_locB, "loc-b", "B", new() { ["SHARED"] = "b", ["B_ONLY"] = "$(b) 'only'" });
        new LocationRegistry(_data).Register("loc-b", _locB);
        _dir.Write("init.sh", ShellInit.Render(ActivationShell.Bash));
        _dir.Write("init.fish", ShellInit.Render(ActivationShell.Fish));
    }

    public void Dispose() => _dir.Dispose();

    private void MakeLocation(string path, string id, string who, Dictionary<string, string> env)
    {
        var target = _dir.Write($"targets/{id}", $"#!/bin/sh\nprintf '{who}\\n'\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(target, (UnixFileMode)0b111_101_101);
        ShimWriter.WriteAll(Path.Combine(path, "shims"), [new ShimDefinition("who", target)], ShimPlatform.Posix);
        ActivationScripts.Write(path, new ActivationSpec(path, id, Path.Combine(path, "shims"), env));
    }

    private static string OriginalPath(string shell) =>
        // fish turns empty PATH entries into "."; the POSIX shells get an empty entry and a space to preserve.
        shell == "fish" ? Shells.BasePath + ":/opt/with space" : Shells.BasePath + "::/opt/with space";

    private Dictionary<string, string?> Env(string shell) => new()
    {
        ["PATH"] = OriginalPath(shell),
        ["SET_KEY"] = OriginalSet,
        ["EMPTY_KEY"] = "",
        ["UNSET_KEY"] = null,
        ["PACKSTER_DATA_HOME"] = _data,
    };

    private Dictionary<string, string> Snapshot(string name)
    {
        var records = Shells.NulRecords(File.ReadAllBytes(_dir[name]));
        return records.Where(r => !r.StartsWith("_=", StringComparison.Ordinal) && !r.StartsWith("SHLVL=", StringComparison.Ordinal))
            .ToDictionary(r => r[..r.IndexOf('=', StringComparison.Ordinal)], r => r[(r.IndexOf('=', StringComparison.Ordinal) + 1)..]);
    }

    private static string Q(string shell, string text) => shell == "fish" ? ShellQuoting.Fish(text) : ShellQuoting.Posix(text);

    private void ActivateTwiceThenDeactivateRestoresEverything(string shell)
    {
        var script = shell == "fish" ? ".fish" : ".sh";
        var source = shell == "fish" ? "source" : ".";
        var activate = Q(shell, Path.Combine(_locA, "activate", "activate" + script));
        var text = $"""
            env -0 > before.env
            {source} {activate}
            env -0 > during.env
            who > who.out
            {source} {activate}
            env -0 > twice.env
            _packster_deactivate
            env -0 > after.env
            {source} {activate}
            {source} {Q(shell, Path.Combine(_locA, "activate", "deactivate" + script))}
            env -0 > after-file.env

            """;
        var result = Shells.RunScript(shell, text, _dir.Path, Env(shell));
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("", result.Stderr);

        var before = Snapshot("before.env");
        var during = Snapshot("during.env");
        Assert.Equal(Path.Combine(_locA, "shims") + ":" + OriginalPath(shell), during["PATH"]);
        Assert.Equal("from A", during["SET_KEY"]);
        Assert.Equal("A's \"empty\"", during["EMPTY_KEY"]);
        Assert.Equal("A\nnew", during["UNSET_KEY"]);
        Assert.Equal("A\n", File.ReadAllText(_dir["who.out"]));
        // Activating the same location again first deactivates it: nothing doubles up.
        Assert.Equal(during, Snapshot("twice.env"));
        Assert.Equal(before, Snapshot("after.env"));
        Assert.Equal(before, Snapshot("after-file.env"));
        Assert.Equal(OriginalSet, before["SET_KEY"]);
        Assert.Equal("", before["EMPTY_KEY"]);
        Assert.False(before.ContainsKey("UNSET_KEY"));
    }

    [ShellFact("bash")] public void Bash_activate_then_deactivate_restores_every_variable() => ActivateTwiceThenDeactivateRestoresEverything("bash");
    [ShellFact("sh")] public void Sh_activate_then_deactivate_restores_every_variable() => ActivateTwiceThenDeactivateRestoresEverything("sh");
    [ShellFact("zsh")] public void Zsh_activate_then_deactivate_restores_every_variable() => ActivateTwiceThenDeactivateRestoresEverything("zsh");
    [ShellFact("fish")] public void Fish_activate_then_deactivate_restores_every_variable() => ActivateTwiceThenDeactivateRestoresEverything("fish");

    private void PackosterUseSwitchesAndRestores(string shell)
    {
        var init = shell == "fish" ? "source init.fish" : ". ./init.sh";
        var text = $"""
            {init}
            env -0 > before.env
            packster-use {Q(shell, _locA)}
            env -0 > a.env
            packster-use loc-b
            env -0 > b.env
            who > who.out
            packster-use does-not-exist 2> err.txt
            echo $status$? > rc.txt
            env -0 > b2.env
            packster-deactivate
            env -0 > after.env

            """;
        // `$status$?`: fish reads $status, the POSIX shells $? (the unset $status expands to nothing there).
        if (shell == "fish") text = text.Replace("$status$?", "$status", StringComparison.Ordinal);
        else text = text.Replace("$status$?", "$?", StringComparison.Ordinal);
        var result = Shells.RunScript(shell, text, _dir.Path, Env(shell));
        Assert.True(result.ExitCode == 0, result.Stderr);

        var before = Snapshot("before.env");
        var a = Snapshot("a.env");
        var b = Snapshot("b.env");
        Assert.StartsWith(Path.Combine(_locA, "shims") + ":", a["PATH"], StringComparison.Ordinal);
        // Switching removes A's shims from PATH entirely and restores A's keys before B's are set.
        Assert.Equal(Path.Combine(_locB, "shims") + ":" + OriginalPath(shell), b["PATH"]);
        Assert.DoesNotContain(Path.Combine(_locA, "shims"), b["PATH"], StringComparison.Ordinal);
        Assert.Equal(OriginalSet, b["SET_KEY"]);
        Assert.Equal("", b["EMPTY_KEY"]);
        Assert.False(b.ContainsKey("UNSET_KEY"));
        Assert.Equal("b", b["SHARED"]);
        Assert.Equal("$(b) 'only'", b["B_ONLY"]);
        Assert.Equal("B\n", File.ReadAllText(_dir["who.out"]));
        // An unknown location: exit status 1, a clear message, and nothing changed.
        Assert.Equal("1\n", File.ReadAllText(_dir["rc.txt"]));
        Assert.Contains("packster-use: unknown location 'does-not-exist'", File.ReadAllText(_dir["err.txt"]), StringComparison.Ordinal);
        Assert.Equal(b, Snapshot("b2.env"));
        Assert.Equal(before, Snapshot("after.env"));
    }

    [ShellFact("bash")] public void Bash_packster_use_switches_locations() => PackosterUseSwitchesAndRestores("bash");
    [ShellFact("zsh")] public void Zsh_packster_use_switches_locations() => PackosterUseSwitchesAndRestores("zsh");
    [ShellFact("fish")] public void Fish_packster_use_switches_locations() => PackosterUseSwitchesAndRestores("fish");

    private void StrictModeUsersAreNotBroken(string shell)
    {
        // Many users run with `set -eu`; activation must not trip over unset variables or non-zero statuses.
        var text = $"""
            set -eu
            . ./init.sh
            env -0 > before.env
            packster-use {ShellQuoting.Posix(_locA)}
            packster-use loc-b
            packster-deactivate
            packster-deactivate
            env -0 > after.env
            echo done

            """;
        var result = Shells.RunScript(shell, text, _dir.Path, Env(shell));
        Assert.Equal("", result.Stderr);
        Assert.Equal("done\n", result.Text);
        Assert.Equal(Snapshot("before.env"), Snapshot("after.env"));
    }

    [ShellFact("bash")] public void Bash_with_set_eu_activates_and_deactivates() => StrictModeUsersAreNotBroken("bash");
    [ShellFact("zsh")] public void Zsh_with_set_eu_activates_and_deactivates() => StrictModeUsersAreNotBroken("zsh");

    // spec/activation.md §3 "Each key: restore the saved value byte for byte … or unset it if it was unset", whatever
    // the caller's IFS (strict mode's newline and tab, none at all, a character inside a key) and with globbing off.
    private void CallersIfsAndNoglobDoNotChangeDeactivation(string shell)
    {
        var useInit = shell != "sh";
        foreach (var (name, ifs) in new[] { ("strict", "\n\t"), ("empty", ""), ("comma", ","), ("underscore", "_") })
        {
            var text = $"""
                {(useInit ? ". ./init.sh" : ":")}
                IFS='{ifs}'
                {(shell == "zsh" ? "setopt noglob" : "set -f")}
                env -0 > before-{name}.env
                . {ShellQuoting.Posix(Path.Combine(_locA, "activate", "activate.sh"))}
                _packster_deactivate
                env -0 > after-{name}.env
                . {ShellQuoting.Posix(Path.Combine(_locA, "activate", "activate.sh"))}
                . {ShellQuoting.Posix(Path.Combine(_locB, "activate", "activate.sh"))}
                env -0 > b-{name}.env
                {(useInit ? "packster-use " + ShellQuoting.Posix(_locA) + "; packster-use loc-b; packster-deactivate" : ":")}
                . {ShellQuoting.Posix(Path.Combine(_locA, "activate", "deactivate.sh"))}
                env -0 > after2-{name}.env
                printf '[%s]' "$IFS" > ifs-{name}.txt

                """;
            var result = Shells.RunScript(shell, text, _dir.Path, Env(shell));
            Assert.True(result.ExitCode == 0, $"{name}: {result.Stderr}");
            Assert.Equal("", result.Stderr);
            var before = Snapshot($"before-{name}.env");
            Assert.Equal(before, Snapshot($"after-{name}.env"));
            var b = Snapshot($"b-{name}.env");
            Assert.Equal(OriginalSet, b["SET_KEY"]);
            Assert.Equal("", b["EMPTY_KEY"]);
            Assert.False(b.ContainsKey("UNSET_KEY"), name);
            Assert.False(b.Keys.Any(k => k.StartsWith("_PACKSTER_OLD_SET", StringComparison.Ordinal) || k.StartsWith("_PACKSTER_OLD_EMPTY", StringComparison.Ordinal)), name);
            Assert.Equal(before, Snapshot($"after2-{name}.env"));
            // The caller's IFS is its own again afterwards.
            Assert.Equal($"[{ifs}]", File.ReadAllText(_dir[$"ifs-{name}.txt"]));
        }
    }

    [ShellFact("bash")] public void Bash_deactivation_ignores_the_callers_ifs_and_noglob() => CallersIfsAndNoglobDoNotChangeDeactivation("bash");
    [ShellFact("sh")] public void Sh_deactivation_ignores_the_callers_ifs_and_noglob() => CallersIfsAndNoglobDoNotChangeDeactivation("sh");
    [ShellFact("zsh")] public void Zsh_deactivation_ignores_the_callers_ifs_and_noglob() => CallersIfsAndNoglobDoNotChangeDeactivation("zsh");

    [ShellFact("bash")]
    public void Deactivate_keeps_later_path_changes_and_removes_only_the_shims_entry()
    {
        // spec/activation.md §3: PATH restored exactly when untouched since activation, else only the shims entry goes.
        var text = $"""
            . {ShellQuoting.Posix(Path.Combine(_locA, "activate", "activate.sh"))}
            PATH=/first:$PATH:/extra
            _packster_deactivate
            printf '%s' "$PATH" > path.txt

            """;
        var result = Shells.RunScript("bash", text, _dir.Path, Env("bash"));
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("/first:" + OriginalPath("bash") + ":/extra", File.ReadAllText(_dir["path.txt"]));
    }

    [ShellFact("fish")]
    public void Fish_deactivate_keeps_later_path_changes_and_removes_only_the_shims_entry()
    {
        var text = $"""
            source {ShellQuoting.Fish(Path.Combine(_locA, "activate", "activate.fish"))}
            set -gx PATH /first $PATH /extra
            _packster_deactivate
            printf '%s' "$PATH" > path.txt

            """;
        var result = Shells.RunScript("fish", text, _dir.Path, Env("fish"));
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("/first:" + OriginalPath("fish") + ":/extra", File.ReadAllText(_dir["path.txt"]));
    }

    [ShellFact("sh")]
    public void Activation_of_a_location_survives_into_a_child_shell_that_can_deactivate_it()
    {
        // The saved state lives in exported variables, so a child shell (with no functions) deactivates exactly.
        var text = $"""
            env -0 > before.env
            . {ShellQuoting.Posix(Path.Combine(_locA, "activate", "activate.sh"))}
            sh -c '. "$1"; env -0 > child.env' sh {ShellQuoting.Posix(Path.Combine(_locA, "activate", "deactivate.sh"))}

            """;
        var result = Shells.RunScript("sh", text, _dir.Path, Env("sh"));
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(Snapshot("before.env"), Snapshot("child.env"));
    }

    [ShellFact("bash")]
    public void Path_that_was_empty_is_restored_empty()
    {
        var text = $"""
            PATH=
            . {ShellQuoting.Posix(Path.Combine(_locA, "activate", "activate.sh"))}
            printf '%s' "$PATH" > during.txt
            _packster_deactivate
            printf '[%s]' "${"{"}PATH-unset{"}"}" > after.txt

            """;
        var result = Shells.RunScript("bash", text, _dir.Path, Env("bash"));
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(Path.Combine(_locA, "shims"), File.ReadAllText(_dir["during.txt"]));
        Assert.Equal("[]", File.ReadAllText(_dir["after.txt"]));
    }
}

/// <summary>spec/activation.md §3: ActivationEnvironment produces exactly the environment that sourcing activate.sh produces.</summary>
public class ActivationEnvironmentTests : IDisposable
{
    private readonly TempDirectory _dir = new("packster-actenv");

    public void Dispose() => _dir.Dispose();

    private static Dictionary<string, string?> Parse(byte[] envDashZero) =>
        Shells.NulRecords(envDashZero).Where(r => !r.StartsWith("_=", StringComparison.Ordinal))
            .ToDictionary(r => r[..r.IndexOf('=', StringComparison.Ordinal)], r => (string?)r[(r.IndexOf('=', StringComparison.Ordinal) + 1)..]);

    [ShellFact("bash")]
    public void Matches_bash_when_switching_from_another_location()
    {
        var a = new ActivationSpec(_dir["a"], "a", _dir["a/shims"], new Dictionary<string, string> { ["ONLY_A"] = "1", ["SHARED"] = "a" });
        var b = new ActivationSpec(_dir["b"], "b", _dir["b/shims"], new Dictionary<string, string> { ["SHARED"] = "b\nline", ["EMPTY"] = "x", ["NEW"] = "" });
        ActivationScripts.Write(_dir["a"], a);
        ActivationScripts.Write(_dir["b"], b);
        var text = $"""
            . {ShellQuoting.Posix(ActivationScripts.PathFor(_dir["a"], ActivationShell.Bash))}
            env -0 > a.env
            . {ShellQuoting.Posix(ActivationScripts.PathFor(_dir["b"], ActivationShell.Bash))}
            env -0 > b.env
            _packster_deactivate
            env -0 > none.env

            """;
        var result = Shells.RunScript("bash", text, _dir.Path, new Dictionary<string, string?> { ["SHARED"] = "orig", ["EMPTY"] = "" });
        Assert.True(result.ExitCode == 0, result.Stderr);

        var expected = Parse(File.ReadAllBytes(_dir["a.env"]));
        ActivationEnvironment.Activate(expected, b);
        Assert.Equal(Parse(File.ReadAllBytes(_dir["b.env"])).OrderBy(p => p.Key, StringComparer.Ordinal), expected.OrderBy(p => p.Key, StringComparer.Ordinal));
        ActivationEnvironment.Deactivate(expected);
        Assert.Equal(Parse(File.ReadAllBytes(_dir["none.env"])).OrderBy(p => p.Key, StringComparer.Ordinal), expected.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void Deactivate_without_an_active_location_changes_nothing()
    {
        var env = new Dictionary<string, string?> { ["PATH"] = "/bin", ["X"] = "" };
        ActivationEnvironment.Deactivate(env);
        Assert.Equal(new Dictionary<string, string?> { ["PATH"] = "/bin", ["X"] = "" }, env);
    }
}
