namespace Packster.IntegrationTests.Handlers;

/// <summary>
/// spec/handlers.md §Environment and §Logs: a hostile handler that prints its whole environment sees only the
/// documented minimal set (no credential variable of packster's caller), and handler logs are owner-only.
/// </summary>
public sealed class HandlerSecretTests : IDisposable
{
    private const string Secret = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";
    private readonly HandlerWorld _w = new();

    public void Dispose() => _w.Dispose();

    /// <summary>Prints everything it was given, to the console (hence the log) and to a file next to the location.</summary>
    private const string Dumper = """
        #!/bin/sh
        env
        env > "$PACKSTER_LOCATION_PATH/../env-seen"

        """;

    private Dictionary<string, string> Caller() => new()
    {
        ["REGISTRY_TOKEN"] = Secret,
        ["SOME_PASSWORD"] = Secret,
        ["WANTED_BY_HANDLER"] = "visible",
        ["PACKSTER_PASS_ENV"] = "WANTED_BY_HANDLER",
        ["LANG"] = "C.UTF-8",
    };

    [Fact]
    public void An_install_handler_that_prints_its_environment_sees_no_secret_of_the_caller()
    {
        var package = _w.Pack(_w.Source("dumper", """
            id = "dumper"
            version = "1.0.0"

            [handlers]
            install = "scripts/install.sh"

            """, ("scripts/install.sh", Dumper)));
        // The token is also named by a source, as `source add --token-env` stores it.
        _w.Packster.Ok("source", "add", "corp", "--type", "http", "--url", "https://packages.example/", "--token-env", "REGISTRY_TOKEN");

        var r = _w.Packster.Run(["install-file", package, "--location", "dev"], Caller());

        Assert.True(r.ExitCode == 0, r.ToString());
        var seen = File.ReadAllText(_w.Evidence("env-seen"));
        // §Environment: credentials of the caller never reach a handler, its output or its log.
        Assert.DoesNotContain(Secret, seen, StringComparison.Ordinal);
        Assert.DoesNotContain("REGISTRY_TOKEN", seen, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, r.Stderr + r.Stdout, StringComparison.Ordinal);
        var log = Directory.GetFiles(Path.Combine(_w.F.LocationPath, "logs"), "dumper-*-install.log").Single();
        Assert.DoesNotContain(Secret, File.ReadAllText(log), StringComparison.Ordinal);
        // The minimal set: PATH, HOME, locale, the PACKSTER_* variables, and what PACKSTER_PASS_ENV names.
        var lines = seen.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("PATH=/", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("HOME=", StringComparison.Ordinal));
        Assert.Contains("LANG=C.UTF-8", lines);
        Assert.Contains("PACKSTER_ACTION=install", lines);
        Assert.Contains("WANTED_BY_HANDLER=visible", lines);
        // §Logs: mode 0600, whatever the umask.
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(log));
    }

    /// <summary>A source folder <paramref name="id"/> whose pack handler prints its environment and copies it to <c>$PACKSTER_EVIDENCE/env-seen</c>.</summary>
    private string PackDumper(string id) => _w.Source(id, $"""
        id = "{id}"
        version = "1.0.0"

        [handlers]
        pack = "scripts/build.sh"

        """, ("scripts/build.sh", """
        #!/bin/sh
        env
        env > "$PACKSTER_EVIDENCE/env-seen"

        """));

    [Fact]
    public void A_pack_handler_that_prints_its_environment_sees_no_secret_of_the_caller()
    {
        var source = PackDumper("packdumper");
        var caller = Caller();
        caller["PACKSTER_EVIDENCE"] = _w.Root;
        var output = Path.Combine(_w.Root, "out");

        var r = _w.Packster.Run(["pack", source, "-o", output], caller);

        Assert.True(r.ExitCode == 0, r.ToString());
        var seen = File.ReadAllText(_w.Evidence("env-seen"));
        Assert.DoesNotContain(Secret, seen, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, r.Stderr + r.Stdout, StringComparison.Ordinal);
        Assert.Contains("WANTED_BY_HANDLER=visible", seen.Split('\n'));
        var log = Directory.GetFiles(Path.Combine(_w.Packster.Home["data"], "logs"), "packdumper-*-pack.log").Single();
        Assert.DoesNotContain(Secret, File.ReadAllText(log), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(log));
    }

    /// <summary>The credentials of <see cref="CallerWithPacksterCredentials"/>, named as sources name them.</summary>
    private void AddSourcesReadingPacksterVariables()
    {
        _w.Packster.Ok("source", "add", "corp", "--type", "artifactory", "--url", "https://art.example/artifactory", "--repo", "tools", "--token-env", "PACKSTER_ART_TOKEN");
        _w.Packster.Ok("source", "add", "lab", "--type", "http", "--url", "https://lab.example/", "--user", "ada", "--password-env", "PACKSTER_LAB_PASSWORD");
    }

    private Dictionary<string, string> CallerWithPacksterCredentials() => new()
    {
        ["PACKSTER_ART_TOKEN"] = Secret,
        ["PACKSTER_LAB_PASSWORD"] = Secret + "pw",
        ["PACKSTER_PASS_ENV"] = "PACKSTER_ART_TOKEN",
        ["PACKSTER_EVIDENCE"] = _w.Root,
    };

    [Fact]
    public void A_handler_never_gets_a_PACKSTER_variable_a_source_reads_its_credential_from()
    {
        // spec/handlers.md §Environment: every PACKSTER_* variable is inherited, except those a configured source's
        // token-env or password-env names, even when PACKSTER_PASS_ENV lists them; spec/sources.md §7: a credential
        // never appears in logs.
        var package = _w.Pack(_w.Source("dumper", """
            id = "dumper"
            version = "1.0.0"

            [handlers]
            install = "scripts/install.sh"

            """, ("scripts/install.sh", Dumper)));
        AddSourcesReadingPacksterVariables();

        var r = _w.Packster.Run(["install-file", package, "--location", "dev"], CallerWithPacksterCredentials());

        Assert.True(r.ExitCode == 0, r.ToString());
        var seen = File.ReadAllText(_w.Evidence("env-seen"));
        Assert.DoesNotContain(Secret, seen, StringComparison.Ordinal);
        Assert.DoesNotContain("PACKSTER_ART_TOKEN=", seen, StringComparison.Ordinal);
        Assert.DoesNotContain("PACKSTER_LAB_PASSWORD=", seen, StringComparison.Ordinal);
        Assert.Contains("PACKSTER_EVIDENCE=" + _w.Root, seen.Split('\n'));
        var log = Directory.GetFiles(Path.Combine(_w.F.LocationPath, "logs"), "dumper-*-install.log").Single();
        Assert.DoesNotContain(Secret, File.ReadAllText(log), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, r.Stderr + r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pack_handler_never_gets_a_PACKSTER_variable_a_source_reads_its_credential_from()
    {
        // spec/handlers.md §Environment, as above, for the pack handler.
        var source = PackDumper("packdumper");
        AddSourcesReadingPacksterVariables();

        var r = _w.Packster.Run(["pack", source, "-o", Path.Combine(_w.Root, "out")], CallerWithPacksterCredentials());

        Assert.True(r.ExitCode == 0, r.ToString());
        var seen = File.ReadAllText(_w.Evidence("env-seen"));
        Assert.DoesNotContain(Secret, seen, StringComparison.Ordinal);
        Assert.Contains("PACKSTER_EVIDENCE=" + _w.Root, seen.Split('\n'));
        var log = Directory.GetFiles(Path.Combine(_w.Packster.Home["data"], "logs"), "packdumper-*-pack.log").Single();
        Assert.DoesNotContain(Secret, File.ReadAllText(log), StringComparison.Ordinal);
    }

    [Fact]
    public void A_pack_handler_never_gets_the_variable_pack_reads_the_signing_passphrase_from()
    {
        // spec/handlers.md §Environment: "so is, at pack --sign, the variable --passphrase-env names" — even a PACKSTER_* one.
        var source = PackDumper("signeddumper");
        var caller = new Dictionary<string, string> { ["PACKSTER_KEY_PASS"] = Secret, ["PACKSTER_EVIDENCE"] = _w.Root };
        var key = _w.Packster.Run(["key", "generate", "release", "--passphrase-env", "PACKSTER_KEY_PASS"], caller);
        Assert.True(key.ExitCode == 0, key.ToString());

        var r = _w.Packster.Run(["pack", source, "-o", Path.Combine(_w.Root, "out"), "--sign", "release", "--passphrase-env", "PACKSTER_KEY_PASS"], caller);

        Assert.True(r.ExitCode == 0, r.ToString());
        var seen = File.ReadAllText(_w.Evidence("env-seen"));
        Assert.DoesNotContain(Secret, seen, StringComparison.Ordinal);
        Assert.Contains("PACKSTER_EVIDENCE=" + _w.Root, seen.Split('\n'));
        var log = Directory.GetFiles(Path.Combine(_w.Packster.Home["data"], "logs"), "signeddumper-*-pack.log").Single();
        Assert.DoesNotContain(Secret, File.ReadAllText(log), StringComparison.Ordinal);
    }
}
