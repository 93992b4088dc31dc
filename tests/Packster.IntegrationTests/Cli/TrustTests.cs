using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Packster.IntegrationTests.Cli;

/// <summary>spec/signing.md through the real executable: keys, detached signatures, the trust policy and its refusals.</summary>
public sealed class TrustTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    private string Package(string version, string? extra = null)
    {
        var dir = _f.Temp[$"tool-{version}"];
        Directory.CreateDirectory(Path.Combine(dir, "bin"));
        File.WriteAllText(Path.Combine(dir, "bin", "tool"), $"#!/bin/sh\necho {version}\n");
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), $"id = \"tool\"\nversion = \"{version}\"\n{extra}");
        return dir;
    }

    private string KeyId(string name)
    {
        using var doc = JsonDocument.Parse(_f.Packster.Ok("key", "list", "--json"));
        return doc.RootElement.EnumerateArray().Single(k => k.GetProperty("name").GetString() == name).GetProperty("id").GetString()!;
    }

    private string SignedPackage(string version, string key)
    {
        using var doc = JsonDocument.Parse(_f.Packster.Ok("pack", Package(version), "-o", _f.Dist, "--sign", key, "--json"));
        Assert.True(File.Exists(doc.RootElement.GetProperty("signature").GetString()));
        return doc.RootElement.GetProperty("path").GetString()!;
    }

    private void AssertRefused(string package, string why)
    {
        var before = _f.Snapshot();
        var r = _f.Packster.Run("install-file", package, "--location", "dev");
        Assert.True(r.ExitCode == 4, r.ToString());
        var line = r.Stderr.Split('\n')[0];
        Assert.StartsWith("error[PST4030]: tool ", line, StringComparison.Ordinal);
        Assert.Contains(why, line, StringComparison.Ordinal);
        Assert.Contains("policy: ", line, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());
    }

    // § Trust policy: "A `[trust]` table that is malformed or holds a key other than these three is PST2030 ... and the
    // command changes nothing": a misspelt key never leaves signatures off in silence.
    [Fact]
    public void A_misspelt_trust_key_stops_every_command_and_changes_nothing()
    {
        var package = _f.Pack(Package("1.0.0"));
        var config = _f.Temp.Write("config.toml", "[trust]\nsignature = \"require\"\n");
        var policy = Path.Combine(_f.LocationPath, "packster-policy.toml");
        var before = _f.Snapshot();
        string[][] commands = [["trust", "show", "--location", "dev"], ["install-file", package, "--location", "dev"], ["trust", "warn"], ["licenses", "allow", "MIT"]];
        foreach (var args in commands)
        {
            var r = _f.Packster.Run(args);
            Assert.True(r.ExitCode == 3, r.ToString());
            Assert.StartsWith($"error[PST2030]: {config}:2:1: unknown key 'signature' in [trust]; did you mean 'signatures'?", r.Stderr, StringComparison.Ordinal);
            Assert.Equal("[trust]\nsignature = \"require\"\n", File.ReadAllText(config));
            Assert.Equal(before, _f.Snapshot());
        }

        File.WriteAllText(config, "");
        File.WriteAllText(policy, "[trust]\nrevoked-key = [\"0123456789abcdef\"]\n");
        before = _f.Snapshot();
        var refused = _f.Packster.Run("install-file", package, "--location", "dev");
        Assert.True(refused.ExitCode == 3, refused.ToString());
        Assert.StartsWith($"error[PST2030]: {policy}:2:1: unknown key 'revoked-key' in [trust]; did you mean 'revoked-keys'?", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());
    }

    // § What is signed, § Signature file: another implementation checks a signature with the exported public key.
    // spec/signing.md § Trust policy: without a location (none given, no default) `trust show` prints the user's policy
    // alone and says so; spec/licenses.md § Policy: `licenses policy` likewise. A location named and missing is PST5000.
    [Fact]
    public void Without_a_location_the_users_policy_is_shown_alone_and_said_to_be()
    {
        var config = _f.Temp.Write("config.toml", "[trust]\nsignatures = \"warn\"\n[licenses]\ndeny = [\"copyleft\"]\n");
        var trust = _f.Packster.Run("trust", "show");
        Assert.True(trust.ExitCode == 0, trust.ToString());
        Assert.StartsWith($"signatures = \"warn\" (from {config})", trust.Stdout, StringComparison.Ordinal);
        Assert.Contains("so this is the user's signature policy alone; no location's packster-policy.toml is included", trust.Stdout, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(_f.Packster.Ok("trust", "show", "--json")))
        {
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("location").ValueKind);
            Assert.Equal("warn", json.RootElement.GetProperty("signatures").GetString());
        }

        var licenses = _f.Packster.Run("licenses", "policy");
        Assert.True(licenses.ExitCode == 0, licenses.ToString());
        Assert.StartsWith($"user ({config}): allow [], deny [copyleft]", licenses.Stdout, StringComparison.Ordinal);
        Assert.Contains("so this is the user's licence policy alone; no location's packster-policy.toml is included", licenses.Stdout, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(_f.Packster.Ok("licenses", "policy", "--json")))
        {
            Assert.Equal(["user"], json.RootElement.EnumerateArray().Select(r => r.GetProperty("scope").GetString()));
        }

        // With a location, its policy is part of what is shown, and no such line is printed.
        Assert.DoesNotContain("no location", _f.Packster.Ok("trust", "show", "--location", "dev"), StringComparison.Ordinal);
        foreach (var command in new[] { "trust show", "licenses policy" })
        {
            var missing = _f.Packster.Run([.. command.Split(' '), "--location", _f.Temp["nosuch"]]);
            Assert.True(missing.ExitCode == 5, missing.ToString());
            Assert.StartsWith("error[PST5000]: ", missing.Stderr, StringComparison.Ordinal);
        }

        // A misspelt key in the user's policy is not hidden by the missing location.
        File.WriteAllText(config, "[trust]\nsignature = \"require\"\n");
        var typo = _f.Packster.Run("trust", "show");
        Assert.True(typo.ExitCode == 3, typo.ToString());
        Assert.StartsWith($"error[PST2030]: {config}:2:1: unknown key 'signature' in [trust]", typo.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Openssl_verifies_a_packster_signature()
    {
        _f.Packster.Ok("key", "generate", "ci");
        var package = SignedPackage("1.0.0", "ci");
        File.WriteAllText(_f.Temp["pub.pem"], _f.Packster.Ok("key", "export", "ci"));
        var sig = JsonNode.Parse(File.ReadAllText(package + ".sig"))!;
        var name = Path.GetFileName(package);
        File.WriteAllBytes(_f.Temp["sig.der"], Convert.FromBase64String(sig["signature"]!.GetValue<string>()));
        File.WriteAllText(_f.Temp["msg"], $"packster-signature-v1\n{name}\n{sig["sha256"]!.GetValue<string>()}\n");
        Assert.Equal(name[^(64 + 9)..^9], sig["sha256"]!.GetValue<string>());
        Assert.Equal(KeyId("ci"), sig["key"]!.GetValue<string>());

        Assert.Equal((0, "Verified OK"), Openssl("dgst", "-sha256", "-verify", _f.Temp["pub.pem"], "-signature", _f.Temp["sig.der"], _f.Temp["msg"]));
        File.WriteAllText(_f.Temp["msg"], $"packster-signature-v1\n{name}\n{new string('0', 64)}\n");
        Assert.NotEqual(0, Openssl("dgst", "-sha256", "-verify", _f.Temp["pub.pem"], "-signature", _f.Temp["sig.der"], _f.Temp["msg"]).Code);
    }

    private static (int Code, string Out) Openssl(params string[] args)
    {
        var psi = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result.Trim());
    }

    // § Trust policy: under "require", only a signature by a trusted key over exactly this package installs; every
    // attack is refused with one line naming the package, the key and the policy, and the location is unchanged.
    [Fact]
    public void Require_refuses_every_package_a_trusted_key_did_not_sign()
    {
        _f.Packster.Ok("key", "generate", "ci");
        _f.Packster.Ok("key", "generate", "stranger");
        _f.Packster.Ok("trust", "require", "--location", "dev", "--key", "ci");

        var good = SignedPackage("1.0.0", "ci");
        var unsigned = _f.Pack(Package("1.1.0"));
        AssertRefused(unsigned, "it is unsigned");

        // A signature swapped from another package.
        File.Copy(good + ".sig", unsigned + ".sig");
        AssertRefused(unsigned, $"the signature by {KeyId("ci")} does not verify");

        // A signature for the same id and version but another hash.
        var other = SignedPackage("1.2.0", "ci");
        var sameVersion = _f.Pack(Package("1.2.0", "description = \"other bytes\"\n"));
        File.Copy(other + ".sig", sameVersion + ".sig");
        AssertRefused(sameVersion, "does not verify");

        // A truncated signature file.
        var truncated = SignedPackage("1.3.0", "ci");
        var bytes = File.ReadAllBytes(truncated + ".sig");
        File.WriteAllBytes(truncated + ".sig", bytes[..(bytes.Length / 2)]);
        AssertRefused(truncated, "not a format-1 ecdsa-p256-sha256 signature file");

        // A key id collision: a signature that names the trusted key's id but was made by another key.
        var forged = SignedPackage("1.4.0", "stranger");
        var sig = JsonNode.Parse(File.ReadAllText(forged + ".sig"))!;
        sig["key"] = KeyId("ci");
        File.WriteAllText(forged + ".sig", sig.ToJsonString());
        AssertRefused(forged, "does not verify");

        // A signature by a key that is in the store but not trusted.
        AssertRefused(SignedPackage("1.5.0", "stranger"), $"key {KeyId("stranger")} ('stranger') is not trusted");

        Assert.Contains("error[PST4030]", _f.Packster.Run("install-file", unsigned, "--location", "dev").Stderr, StringComparison.Ordinal);
        var installed = _f.InstallJson(good);
        Assert.Equal("installed", installed.GetProperty("status").GetString());
        // § Lockfile: the deployment records which key signed it.
        Assert.Equal(KeyId("ci"), _f.List()[0].GetProperty("signer").GetString());
        Assert.Contains($"\"signer\": \"{KeyId("ci")}\"", File.ReadAllText(_f.LockfilePath), StringComparison.Ordinal);
    }

    // spec/signing.md § Keys: a `.pub` file in the store that is not a public key "is skipped, not fatal … a signature
    // check treats it as absent … and the message names the files skipped. One damaged file in the folder does not stop
    // every install and `key list`; it can make no signature pass."
    [Fact]
    public void A_damaged_key_file_in_the_store_is_skipped_and_passes_nothing()
    {
        _f.Packster.Ok("key", "generate", "ci");
        _f.Packster.Ok("key", "generate", "gone");
        _f.Packster.Ok("trust", "require", "--location", "dev", "--key", "ci", "--key", "gone");
        var byGone = SignedPackage("1.1.0", "gone");
        Assert.True(File.Exists(KeyFile("gone")));
        File.WriteAllText(KeyFile("gone"), "-----BEGIN PUBLIC KEY-----\ndamaged\n-----END PUBLIC KEY-----\n");

        Assert.Equal("installed", _f.InstallJson(SignedPackage("1.0.0", "ci")).GetProperty("status").GetString());
        var refused = _f.Packster.Run("install-file", byGone, "--location", "dev");
        Assert.Equal(4, refused.ExitCode);
        var line = refused.Stderr.Split('\n').Single(l => l.StartsWith("error[", StringComparison.Ordinal));
        Assert.StartsWith("error[PST4030]: ", line, StringComparison.Ordinal);
        Assert.Contains("is not in the key store (skipped as not public keys: ", line, StringComparison.Ordinal);
        Assert.Contains(KeyFile("gone"), line, StringComparison.Ordinal);
    }

    private string KeyFile(string name) => Path.Combine(_f.Temp.Path, "data", "keys", name + ".pub");

    // § Trust policy: a revoked key is refused even under "off" and for packages it signed before; the user's
    // "require" cannot be relaxed by a location, and a package cannot carry a policy.
    [Fact]
    public void Revocation_and_strictness_cannot_be_undone_by_a_location_or_a_package()
    {
        _f.Packster.Ok("key", "generate", "ci");
        var package = SignedPackage("1.0.0", "ci");
        _f.Packster.Ok("trust", "revoke", KeyId("ci"));
        _f.Packster.Ok("trust", "off", "--location", "dev");
        var before = _f.Snapshot();
        var r = _f.Packster.Run("install-file", package, "--location", "dev");
        Assert.Equal(4, r.ExitCode);
        Assert.Contains($"key {KeyId("ci")} is revoked", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());

        _f.Packster.Ok("key", "generate", "next");
        _f.Packster.Ok("trust", "require", "--key", "next");
        using (var show = JsonDocument.Parse(_f.Packster.Ok("trust", "show", "--location", "dev", "--json")))
        {
            Assert.Equal("require", show.RootElement.GetProperty("signatures").GetString());
            Assert.Equal(_f.Temp["config.toml"], show.RootElement.GetProperty("from").GetString());
        }
        AssertRefused(_f.Pack(Package("2.0.0")), "it is unsigned");

        var carrying = _f.Packster.Run("pack", Package("3.0.0", "[trust]\nsignatures = \"off\"\n"), "-o", _f.Dist);
        Assert.Equal(3, carrying.ExitCode);
        Assert.Contains("PST2003", carrying.Stderr, StringComparison.Ordinal);
        Assert.Contains("trust: unknown key", carrying.Stderr, StringComparison.Ordinal);
    }

    // § Keys: a name is never reused, an unknown key is named, a malformed [trust] table is refused before anything changes.
    // spec/signing.md § Keys: keys are ECDSA P-256; a key of another algorithm is named as such, and `sign --key`
    // names a key of the store, so its hint points there rather than at choosing a new name.
    [Fact]
    public void An_rsa_key_and_a_bad_key_name_to_sign_with_are_refused_in_their_own_words()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var rsaPub = _f.Temp.Write("rsa.pub", rsa.ExportSubjectPublicKeyInfoPem() + "\n");
        var import = _f.Packster.Run("key", "import", rsaPub, "--name", "rsa");
        Assert.True(import.ExitCode == 4, import.ToString());
        Assert.StartsWith($"error[PST4032]: {rsaPub}: an RSA key; Packster accepts only ECDSA P-256 keys (ecdsa-p256-sha256)", import.Stderr, StringComparison.Ordinal);
        var garbage = _f.Packster.Run("key", "import", _f.Temp.Write("junk.pub", "not a key\n"), "--name", "junk");
        Assert.Contains("not a PEM public key", garbage.Stderr, StringComparison.Ordinal);

        var package = _f.Pack(Package("1.0.0"));
        var sign = _f.Packster.Run("sign", package, "--key", "../x");
        Assert.True(sign.ExitCode == 2, sign.ToString());
        Assert.StartsWith("error[PST1001]: '../x' is not a key name", sign.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: name a key of the key store; 'packster key list' shows them", sign.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: choose another name", _f.Packster.Run("key", "generate", "../x").Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_and_policy_mistakes_are_refused_with_their_own_codes()
    {
        _f.Packster.Ok("key", "generate", "ci");
        var again = _f.Packster.Run("key", "generate", "ci");
        Assert.Equal(4, again.ExitCode);
        Assert.Contains("error[PST4033]: a key named ci is already in", again.Stderr, StringComparison.Ordinal);
        var imported = _f.Packster.Run("key", "import", WriteExport("ci"), "--name", "copy");
        Assert.Equal(4, imported.ExitCode);
        Assert.Contains("PST4033", imported.Stderr, StringComparison.Ordinal);
        var unknown = _f.Packster.Run("key", "export", "nobody");
        Assert.Equal(4, unknown.ExitCode);
        Assert.Contains("error[PST4034]: no key nobody", unknown.Stderr, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(_f.LocationPath, "packster-policy.toml"), "[trust]\nsignatures = \"always\"\n");
        var before = _f.Snapshot();
        var r = _f.Packster.Run("install-file", _f.Pack(Package("1.0.0")), "--location", "dev");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("error[PST2030]", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());
    }

    private string WriteExport(string key)
    {
        var file = _f.Temp[key + "-export.pem"];
        File.WriteAllText(file, _f.Packster.Ok("key", "export", key));
        return file;
    }

    // § Trust policy: "warn" installs what "require" would refuse, with a warning naming why.
    [Fact]
    public void Warn_installs_with_a_warning()
    {
        _f.Packster.Ok("trust", "warn", "--location", "dev");
        var r = _f.Packster.Run("install-file", _f.Pack(Package("1.0.0")), "--location", "dev");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("warning: tool-1.0.0-", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("it is unsigned", r.Stderr, StringComparison.Ordinal);
    }

    // § Keys: the private key is owner-only; an encrypted key needs its passphrase, named by variable.
    [Fact]
    public void Private_keys_are_owner_only_and_an_encrypted_one_needs_its_passphrase()
    {
        _f.Packster.With("SIGNING_PASS", "correct horse").Ok("key", "generate", "release", "--passphrase-env", "SIGNING_PASS");
        var keyFile = Directory.EnumerateFiles(_f.Temp.Path, "release.key", SearchOption.AllDirectories).Single();
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.Contains("ENCRYPTED PRIVATE KEY", File.ReadAllText(keyFile), StringComparison.Ordinal);

        var package = _f.Pack(Package("1.0.0"));
        var noPass = _f.Packster.Run("sign", package, "--key", "release");
        Assert.Equal(4, noPass.ExitCode);
        Assert.Contains("it is encrypted", noPass.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(package + ".sig"));
        var wrong = _f.Packster.With("SIGNING_PASS", "not the passphrase").Run("sign", package, "--key", "release", "--passphrase-env", "SIGNING_PASS");
        Assert.Equal(4, wrong.ExitCode);
        Assert.Contains("error[PST4032]", wrong.Stderr, StringComparison.Ordinal);
        Assert.Contains("the passphrase does not open it", wrong.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("not the passphrase", wrong.Stderr, StringComparison.Ordinal);
        _f.Packster.With("SIGNING_PASS", "correct horse").Ok("sign", package, "--key", "release", "--passphrase-env", "SIGNING_PASS");
        Assert.True(File.Exists(package + ".sig"));
    }

    // spec/signing.md § Signature file: `key` is a key id, 16 lowercase hex digits; anything else makes the file a
    // malformed signature, whose words never carry the file's text to the terminal. A key of escape sequences was
    // printed raw in the PST4030 line, and in the warning under "warn".
    [Fact]
    public void A_signature_whose_key_is_no_key_id_is_malformed_and_never_printed_raw()
    {
        _f.Packster.Ok("key", "generate", "ci");
        var package = SignedPackage("1.0.0", "ci");
        var sig = JsonNode.Parse(File.ReadAllText(package + ".sig"))!;
        sig["key"] = "\u001b]0;pwned\u0007\u001b[2J";
        File.WriteAllText(package + ".sig", sig.ToJsonString());

        _f.Packster.Ok("trust", "require", "--location", "dev", "--key", "ci");
        AssertRefused(package, "its key id is not 16 lowercase hex digits");
        var refused = _f.Packster.Run("install-file", package, "--location", "dev", "--dry-run");
        Assert.True(refused.ExitCode == 4, refused.ToString());
        Assert.DoesNotContain('\u001b', refused.Stdout + refused.Stderr);

        _f.Packster.Ok("trust", "warn", "--location", "dev");
        var warned = _f.Packster.Run("install-file", package, "--location", "dev", "--dry-run");
        Assert.True(warned.ExitCode == 0, warned.ToString());
        Assert.Contains("its key id is not 16 lowercase hex digits", warned.Stdout + warned.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', warned.Stdout + warned.Stderr);
    }
}
