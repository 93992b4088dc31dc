using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// spec/parameters.md § Secret parameters through the real executable: the value reaches the handler and nothing
/// else — not the lockfile, records, history, logs, outputs, errors or the deployment hash.
/// </summary>
public sealed class SecretParameterTests : IDisposable
{
    private const string Secret = "s3cr3t-VALUE-7f1c";
    private const string Other = "other-VALUE-29ab";
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    private string Vault(string version, string? extra = null)
    {
        var dir = _f.Temp[$"vault-{version}"];
        Directory.CreateDirectory(Path.Combine(dir, "scripts"));
        File.WriteAllText(Path.Combine(dir, "scripts", "install.sh"), """
            #!/bin/sh
            set -e
            echo "token is $PACKSTER_PARAM_TOKEN"
            printf '%s' "$PACKSTER_PARAM_TOKEN" | sha256sum | cut -d' ' -f1 > "$PACKSTER_DEPLOYMENT_PATH/token.sha"
            grep -c '"token"' "$PACKSTER_PARAMETERS_FILE" > "$PACKSTER_DEPLOYMENT_PATH/file-has-token"
            stat -c %a "$PACKSTER_PARAMETERS_FILE" > "$PACKSTER_DEPLOYMENT_PATH/file-mode"
            echo run >> "$PACKSTER_PARAM_MARKER"
            """);
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), $"""
            id = "vault"
            version = "{version}"

            [parameters.token]
            type = "string"
            required = true
            secret = true

            [parameters.marker]
            type = "string"
            required = true

            [handlers]
            install = "scripts/install.sh"
            {extra}
            """);
        return dir;
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Every file under <paramref name="root"/> whose bytes contain <paramref name="value"/>.</summary>
    private static List<string> FilesHolding(string root, string value)
    {
        var needle = Encoding.UTF8.GetBytes(value);
        return [.. Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(f => new FileInfo(f).LinkTarget is null && File.ReadAllBytes(f).AsSpan().IndexOf(needle) >= 0)];
    }

    // § Secret parameters: the handler gets the value (environment and a 0600 parameters file); the output, logs,
    // lockfile, history, records, cache and the outputs of list/history/dry-run never hold it.
    [Fact]
    public void A_secret_reaches_the_handler_and_is_written_nowhere()
    {
        var package = _f.Pack(Vault("1.0.0"));
        var marker = _f.Temp["marker"];
        var r = _f.Packster.Run("install-file", package, "--location", "dev", "-p", "token=" + Secret, "-p", "marker=" + marker, "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        var installed = JsonDocument.Parse(r.Stdout).RootElement;
        var path = installed.GetProperty("path").GetString()!;
        Assert.Equal(Sha256(Secret), File.ReadAllText(Path.Combine(path, "token.sha")).Trim());
        Assert.Equal("1", File.ReadAllText(Path.Combine(path, "file-has-token")).Trim());
        Assert.Equal("600", File.ReadAllText(Path.Combine(path, "file-mode")).Trim());
        Assert.Contains("token is ***", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, r.Stdout + r.Stderr, StringComparison.Ordinal);

        var outputs = string.Concat(
            _f.Packster.Ok("list", "--location", "dev", "--json"),
            _f.Packster.Ok("history", "--location", "dev", "--json"),
            _f.Packster.Ok("install-file", package, "--location", "dev", "-p", "token=" + Secret, "-p", "marker=" + marker, "--dry-run", "--json"),
            _f.Packster.Ok("sbom", "--location", "dev"));
        Assert.DoesNotContain(Secret, outputs, StringComparison.Ordinal);
        Assert.Empty(FilesHolding(_f.Temp.Path, Secret));
        // The lockfile records the other parameter, so the test would see a secret written the same way.
        Assert.Contains(marker.Replace("\\", "\\\\", StringComparison.Ordinal), File.ReadAllText(_f.LockfilePath), StringComparison.Ordinal);
    }

    // § Secret parameters: the deployment hash leaves secrets out, so another secret is the same deployment; packster
    // cannot know whether it changed, so giving one runs the handlers again.
    [Fact]
    public void Another_secret_is_the_same_deployment_and_runs_the_handlers_again()
    {
        var package = _f.Pack(Vault("1.0.0"));
        var marker = _f.Temp["marker"];
        var first = _f.InstallJson(package, "-p", "token=" + Secret, "-p", "marker=" + marker);
        var second = _f.InstallJson(package, "-p", "token=" + Other, "-p", "marker=" + marker);
        Assert.Equal(first.GetProperty("deployment").GetString(), second.GetProperty("deployment").GetString());
        Assert.Equal("installed", second.GetProperty("status").GetString());
        Assert.Equal(2, File.ReadAllLines(marker).Length);
        Assert.Equal(Sha256(Other), File.ReadAllText(Path.Combine(second.GetProperty("path").GetString()!, "token.sha")).Trim());
        Assert.Single(_f.List().EnumerateArray());
        Assert.Empty(FilesHolding(_f.Temp.Path, Other));
    }

    // spec/lockfile.md § Dry run: "`alreadyInstalled` [is] what the run does"; spec/parameters.md § Secret parameters:
    // given a secret, "an install of an existing deployment is not \"unchanged\"" — so neither is its dry run.
    [Fact]
    public void A_dry_run_given_a_secret_plans_the_rebuild_the_run_makes()
    {
        var package = _f.Pack(Vault("1.0.0"));
        var marker = _f.Temp["marker"];
        _f.InstallJson(package, "-p", "token=" + Secret, "-p", "marker=" + marker);

        var plan = _f.InstallJson(package, "-p", "token=" + Secret, "-p", "marker=" + marker, "--dry-run").GetProperty("plan");
        Assert.False(plan.GetProperty("alreadyInstalled").GetBoolean());
        Assert.Contains(plan.GetProperty("handlers").EnumerateArray(), h => h.GetString()!.Contains("install", StringComparison.Ordinal));
        var text = _f.Packster.Ok("install-file", package, "--location", "dev", "-p", "token=" + Secret, "-p", "marker=" + marker, "--dry-run");
        Assert.DoesNotContain("already installed", text, StringComparison.Ordinal);

        var run = _f.InstallJson(package, "-p", "token=" + Secret, "-p", "marker=" + marker);
        Assert.Equal("installed", run.GetProperty("status").GetString());
        Assert.Equal(2, File.ReadAllLines(marker).Length);
    }

    // § Secret parameters: "Handler output that contains a secret value is written to the log and the console with
    // *** in its place" — also a value of several lines (a PEM key) printed line by line, and the value as the
    // parameters file holds it, JSON-escaped, when a handler prints that file.
    [Fact]
    public void A_secret_of_several_lines_or_with_escapes_is_masked_however_a_handler_prints_it()
    {
        var dir = Vault("1.0.0");
        File.WriteAllText(Path.Combine(dir, "scripts", "install.sh"), """
            #!/bin/sh
            printf '%s\n' "$PACKSTER_PARAM_TOKEN"
            cat "$PACKSTER_PARAMETERS_FILE"
            """);
        var key = "-----BEGIN KEY-----\nMIIEsecretLINEone+Q\nMIIEsecretLINEtwo\"quoted\\slash\n-----END KEY-----";
        var parameters = _f.Temp["parameters.json"];
        File.WriteAllText(parameters, JsonSerializer.Serialize(new Dictionary<string, string> { ["token"] = key, ["marker"] = _f.Temp["marker"] }));
        var r = _f.Packster.Run("install-file", _f.Pack(dir), "--location", "dev", "--parameters-file", parameters);
        Assert.True(r.ExitCode == 0, r.ToString());
        var logs = string.Concat(Directory.EnumerateFiles(Path.Combine(_f.LocationPath, "logs")).Select(File.ReadAllText));
        foreach (var seen in new[] { r.Stdout + r.Stderr, logs })
        {
            Assert.DoesNotContain("MIIEsecretLINE", seen, StringComparison.Ordinal);
            Assert.Contains("\"token\": \"***\"", seen, StringComparison.Ordinal);
        }
        // The handler ran and its other output is kept.
        Assert.Contains("\"marker\":", r.Stderr, StringComparison.Ordinal);
    }

    // § Secret parameters: masked "as it is and as PACKSTER_PARAMETERS_FILE writes it". A number given in another form
    // (9.87654321e8, 47114711.00) is written there in its canonical text (§ Canonical JSON, spec/handlers.md § Environment), the
    // text PACKSTER_PARAM_* gives and the mask covers: neither form reaches the console or the log.
    [Theory]
    [InlineData("-p", "pin=9.87654321e8", "987654321", "9.87654321e8")]
    [InlineData("--parameters", "{\"pin\": 47114711.00}", "47114711", "47114711.00")]
    public void A_secret_number_given_in_another_form_is_written_canonically_and_masked(string option, string value, string canonical, string given)
    {
        var dir = _f.Temp["pin"];
        Directory.CreateDirectory(Path.Combine(dir, "scripts"));
        File.WriteAllText(Path.Combine(dir, "scripts", "install.sh"), """
            #!/bin/sh
            cat "$PACKSTER_PARAMETERS_FILE"
            echo "pin is $PACKSTER_PARAM_PIN"
            grep '"pin"' "$PACKSTER_PARAMETERS_FILE" > "$PACKSTER_LOCATION_PATH/../pin-line"
            """);
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), """
            id = "pin"
            version = "1.0.0"

            [parameters.pin]
            type = "number"
            secret = true

            [handlers]
            install = "scripts/install.sh"
            """);

        var r = _f.Packster.Run("install-file", _f.Pack(dir), "--location", "dev", option, value);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"  \"pin\": {canonical}\n", File.ReadAllText(Path.Combine(_f.LocationPath, "..", "pin-line")));
        var logs = string.Concat(Directory.EnumerateFiles(Path.Combine(_f.LocationPath, "logs")).Select(File.ReadAllText));
        foreach (var seen in new[] { r.Stdout + r.Stderr, logs })
        {
            Assert.DoesNotContain(canonical, seen, StringComparison.Ordinal);
            Assert.DoesNotContain(given, seen, StringComparison.Ordinal);
            Assert.Contains("\"pin\": ***\n", seen, StringComparison.Ordinal);
            Assert.Contains("pin is ***\n", seen, StringComparison.Ordinal);
        }
    }

    // § Secret parameters: not stored, so a later install (an upgrade by hand) must be given it again; a wrong value is
    // reported without echoing it; a template may not name a secret.
    [Fact]
    public void Secrets_are_given_again_never_echoed_and_never_templated()
    {
        var marker = _f.Temp["marker"];
        _f.InstallJson(_f.Pack(Vault("1.0.0")), "-p", "token=" + Secret, "-p", "marker=" + marker);
        var before = _f.Snapshot();

        var missing = _f.Packster.Run("install-file", _f.Pack(Vault("1.1.0")), "--location", "dev", "-p", "marker=" + marker);
        Assert.Equal(3, missing.ExitCode);
        Assert.Contains("parameter 'token' is required and has no default; it is secret, so packster keeps no copy", missing.Stderr, StringComparison.Ordinal);

        var wrong = _f.Packster.Run("install-file", _f.Pack(Vault("1.2.0")), "--location", "dev", "--parameters", "{\"token\": 987654321, \"marker\": \"m\"}");
        Assert.Equal(3, wrong.ExitCode);
        Assert.Contains("parameter 'token': expected a string, found an integer (***)", wrong.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("987654321", wrong.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());

        var templated = _f.Packster.Run("manifest", "check", Vault("2.0.0", "\n[provides]\nenv = { VAULT_TOKEN = \"{param.token}\" }\n"));
        Assert.Equal(3, templated.ExitCode);
        Assert.Contains("'{param.token}' is a secret parameter", templated.Stderr, StringComparison.Ordinal);
    }

    // § Secret parameters: "An error about a secret value names the parameter and shows *** for the value" — for -p too.
    [Fact]
    public void A_malformed_secret_given_with_p_is_not_echoed()
    {
        var dir = _f.Temp["pinned"];
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), """
            id = "pinned"
            version = "1.0.0"

            [parameters.pin]
            type = "integer"
            secret = true

            [parameters.list]
            type = "array"
            secret = true
            """);
        var package = _f.Pack(dir);
        var before = _f.Snapshot();

        var pin = _f.Packster.Run("install-file", package, "--location", "dev", "-p", "pin=notanumbersecret");
        var list = _f.Packster.Run("install-file", package, "--location", "dev", "-p", "list=[unquotedsecret");

        Assert.Equal(3, pin.ExitCode);
        Assert.Contains("error[PST3002]: parameter 'pin': expected an integer, found '***'", pin.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, list.ExitCode);
        Assert.Contains("error[PST3002]: parameter 'list': expected an array, found '***', which is not valid JSON", list.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", pin.Stdout + pin.Stderr + list.Stdout + list.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());
    }

    /// <summary>
    /// A package <paramref name="id"/> whose secret <c>token</c> defaults to "defaultsecretvalue", with one script run by
    /// the handlers <paramref name="handlers"/> name (<c>install = "scripts/handler.sh"</c> …).
    /// </summary>
    private string SecretDefaultPackage(string id, string script, params string[] handlers)
    {
        var dir = _f.Temp[id];
        Directory.CreateDirectory(Path.Combine(dir, "scripts"));
        File.WriteAllText(Path.Combine(dir, "scripts", "handler.sh"), "#!/bin/sh\n" + script);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(dir, "scripts", "handler.sh"), (UnixFileMode)0b111_101_101);
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), $$"""
            id = "{{id}}"
            version = "1.0.0"

            [parameters.token]
            type = "string"
            secret = true
            default = "defaultsecretvalue"

            [handlers]
            {{string.Join("\n", handlers.Select(h => $"{h} = \"scripts/handler.sh\""))}}
            """);
        return _f.Pack(dir);
    }

    // § Secret parameters: "Handlers that run from what the lockfile recorded (uninstall, packster test) do not get
    // it: neither the value given at install nor the manifest's default".
    [Fact]
    public void An_uninstall_handler_gets_neither_the_given_secret_nor_its_default()
    {
        var package = SecretDefaultPackage("defaulted", "echo \"$PACKSTER_ACTION token=[${PACKSTER_PARAM_TOKEN-unset}]\"\ncat \"$PACKSTER_PARAMETERS_FILE\"\n", "install", "uninstall");
        _f.InstallJson(package, "-p", "token=UserGivenSecret");

        var r = _f.Packster.Run("uninstall", "defaulted", "--location", "dev");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("uninstall token=[unset]", r.Stdout + r.Stderr, StringComparison.Ordinal);
        foreach (var value in new[] { "defaultsecretvalue", "UserGivenSecret" })
        {
            Assert.DoesNotContain(value, r.Stdout + r.Stderr, StringComparison.Ordinal);
            // The package's own manifest holds the default; the logs hold neither value.
            Assert.Empty(FilesHolding(Path.Combine(_f.LocationPath, "logs"), value));
        }
    }

    // § Secret parameters: where a secret's default is given (install), it is masked as a given value is.
    [Fact]
    public void A_secret_default_given_at_install_is_masked()
    {
        var package = SecretDefaultPackage("maskeddefault", "echo \"token=[$PACKSTER_PARAM_TOKEN]\"\n", "install");

        var r = _f.Packster.Run("install-file", package, "--location", "dev");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("token=[***]", r.Stdout + r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("defaultsecretvalue", r.Stdout + r.Stderr, StringComparison.Ordinal);
        Assert.Empty(FilesHolding(Path.Combine(_f.LocationPath, "logs"), "defaultsecretvalue"));
    }
}
