using System.Security.Cryptography;
using Packster.Testing;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// A hostile package's manifest strings on the terminal: its control characters are shown escaped (TerminalText,
/// "so a name cannot move the cursor, recolour the output or forge a line") wherever packster quotes them — manifest
/// errors, `licenses`, `manifest check`, and claims in plans, history and conflicts.
/// </summary>
public sealed class HostileManifestTextTests : IDisposable
{
    /// <summary>TOML escapes: ESC ] 0 ; title BEL, then ESC [ 2 J (clear the screen) and a red X.</summary>
    private const string Escapes = @"\u001b]0;TITLE\u0007\u001b[2J\u001b[1;31mX";

    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    /// <summary>A package written by hand (no `pack`, which would refuse some of these manifests), named by its SHA-256.</summary>
    private string HandMade(string id, string body)
    {
        var bytes = new HostileZipBuilder(withManifest: false)
            .File("packster-manifest.toml", $"id = \"{id}\"\nversion = \"1.0.0\"\n{body}")
            .File("bin/tool", "#!/bin/sh\n", HostileZipBuilder.Executable)
            .Build();
        var path = Path.Combine(_f.Temp["hand-made"], $"{id}-1.0.0-{Convert.ToHexStringLower(SHA256.HashData(bytes))}.packster");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>No ESC or BEL byte reaches the terminal; the escaped form does.</summary>
    private static void Escaped(string output)
    {
        Assert.DoesNotContain('\u001b', output);
        Assert.DoesNotContain('\u0007', output);
        Assert.Contains(@"\u001b]0;TITLE\u0007\u001b[2J\u001b[1;31mX", output, StringComparison.Ordinal);
    }

    // spec/manifest.md: a manifest error is "{file}:{line}:{column}: {key}: {what}", quoting the value; the value of a
    // hostile package is shown escaped, for shims and service exec (PST2008), handler scripts and [platform] os (PST2002).
    [Theory]
    [InlineData("shims", "[shims]\nx = \"bin/" + Escapes + "\"\n", "PST2008")]
    [InlineData("handler", "[handlers]\ninstall = \"" + Escapes + ".sh\"\n", "PST2008")]
    [InlineData("service", "[[service]]\nname = \"s\"\nexec = \"bin/" + Escapes + "\"\n", "PST2008")]
    [InlineData("platform", "[platform]\nos = [\"li" + Escapes + "\"]\n", "PST2002")]
    public void A_manifest_error_quotes_a_hostile_value_escaped(string id, string body, string code)
    {
        var r = _f.Packster.Run("install-file", HandMade(id, body), "--location", "dev");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains($"error[{code}]", r.Stderr, StringComparison.Ordinal);
        Escaped(r.Stderr);
    }

    // spec/licenses.md: `licenses` lists each active deployment's declared licence; TerminalText escapes it.
    [Fact]
    public void Licenses_shows_a_hostile_licence_escaped()
    {
        _f.Packster.Ok("install-file", HandMade("lic", "license = \"MIT" + Escapes + "\"\n"), "--location", "dev");
        Escaped(_f.Packster.Ok("licenses", "--location", "dev"));
    }

    // `manifest check` prints the manifest's description: escaped.
    [Fact]
    public void Manifest_check_shows_a_hostile_description_escaped()
    {
        var source = _f.Temp["described"];
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "packster-manifest.toml"), "id = \"described\"\nversion = \"1.0.0\"\ndescription = \"d" + Escapes + "\"\n");
        Escaped(_f.Packster.Ok("manifest", "check", source));
    }

    // spec/lockfile.md § claims: a shared path comes from the manifest; the dry run's claims line, `history --at` and
    // a resource conflict (PST6000) show it escaped.
    [Fact]
    public void A_hostile_claim_is_shown_escaped_in_plans_history_and_conflicts()
    {
        var claim = "[provides]\nshared-files = [\"/tmp/" + Escapes + "\"]\n";
        var first = HandMade("claim-one", claim);
        Escaped(_f.Packster.Ok("install-file", first, "--location", "dev", "--dry-run"));
        _f.Packster.Ok("install-file", first, "--location", "dev");
        Escaped(_f.Packster.Ok("history", "--location", "dev", "--at", "2"));   // generation 1 created the location

        var conflict = _f.Packster.Run("install-file", HandMade("claim-two", claim), "--location", "dev");
        Assert.Equal(6, conflict.ExitCode);
        Assert.Contains("error[PST6000]", conflict.Stderr, StringComparison.Ordinal);
        Escaped(conflict.Stderr);
    }

    // spec/resources.md § Shell variables: a prompt is expanded — and so run — by the shell at every prompt, so a package
    // may not set one: a parameter value such as '$(touch …)' would run in every shell that activates the location.
    // `pack` and `manifest check` refuse it, and so does install, for a package packed before the rule; nothing changes.
    [Fact]
    public void A_prompt_variable_with_a_parameter_is_never_installed()
    {
        var pwned = Path.Combine(_f.Temp.Path, "PWNED");
        const string Body = "[parameters.title]\ntype = \"string\"\ndefault = \"dev\"\n[provides]\nenv = { PS1 = \"[{param.title}] $ \" }\n";
        var before = _f.Snapshot();
        var r = _f.Packster.Run("install-file", HandMade("prompt", Body), "--location", "dev", "-p", $"title=$(touch {pwned})");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("error[PST2002]", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("provides.env.PS1: PS1 is a shell variable a package may not set", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());

        var source = _f.Temp["prompt-src"];
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "packster-manifest.toml"), "id = \"prompt\"\nversion = \"1.0.0\"\n" + Body);
        foreach (var command in new[] { new[] { "pack", source, "-o", _f.Dist }, ["manifest", "check", source] })
        {
            var refused = _f.Packster.Run(command);
            Assert.Equal(3, refused.ExitCode);
            Assert.Contains("PS1 is a shell variable a package may not set", refused.Stderr, StringComparison.Ordinal);
        }
        Assert.False(File.Exists(pwned));
    }
}
