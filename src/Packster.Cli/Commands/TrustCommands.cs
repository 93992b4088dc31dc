using System.CommandLine;
using System.Text.Json.Nodes;
using Packster.Deployments;
using Packster.Model;
using Packster.Sources.Config;
using Packster.Toml.Editing;
using Packster.Trust;

namespace Packster.Cli.Commands;

/// <summary>
/// <c>packster key generate|list|export|import</c>, <c>packster sign</c> and <c>packster trust require|warn|off|revoke|show</c>
/// (spec/signing.md).
/// </summary>
internal static class TrustCommands
{
    public static KeyStore Keys(CliContext context) => new(Path.Combine(context.Paths.DataHome, "keys"), Locations.LocationLock.TimeoutFrom(context.Paths));

    public static Option<string?> PassphraseEnv() => new("--passphrase-env")
    {
        Description = "NAME of the environment variable holding the private key's passphrase (never the passphrase itself)",
    };

    public static string? Passphrase(CliContext context, string? variable)
    {
        if (variable is null) return null;
        return context.GetEnv(variable) ?? throw new PacksterException(ErrorCode.InvalidArgument, $"--passphrase-env {variable}: the variable is not set or empty", "export it, or leave --passphrase-env out for an unencrypted key");
    }

    public static Command Key(CliContext context)
    {
        var generateName = new Argument<string>("name") { Description = "The key's name in the key store" };
        var passphrase = PassphraseEnv();
        var generate = new Command("generate", "Make an ECDSA P-256 signing key: the private key stays in the key store (0600), the public key is printed") { generateName, passphrase };
        generate.SetAction(parse =>
        {
            var key = Keys(context).Generate(parse.GetValue(generateName)!, Passphrase(context, parse.GetValue(passphrase)), context.Err);
            context.Err.WriteLine($"generated key {key.Name} (id {key.Id}) in {Keys(context).Directory}");
            context.Out.Write(key.Pem);
            return 0;
        });

        var json = CommonOptions.Json();
        var list = new Command("list", "List the keys in the key store: name, id, and whether the private key is here") { json };
        list.SetAction(parse =>
        {
            var store = Keys(context);
            var keys = store.List();
            foreach (var skipped in store.Unreadable()) context.Err.WriteLine($"warning: skipped {skipped.Message}: not a public key");
            if (parse.GetValue(json))
            {
                CommonOptions.WriteJson(context.Out, new JsonArray([.. keys.Select(k => (JsonNode)new JsonObject
                {
                    ["name"] = k.Name,
                    ["id"] = k.Id,
                    ["private"] = store.HasPrivateKey(k.Name),
                })]));
                return 0;
            }
            if (keys.Count == 0) context.Err.WriteLine($"no keys in {store.Directory}");
            foreach (var k in keys) context.Out.WriteLine($"{k.Id}  {k.Name}{(store.HasPrivateKey(k.Name) ? "  (private key here)" : "")}");
            return 0;
        });

        var exportName = new Argument<string>("key") { Description = "A key name or id" };
        var export = new Command("export", "Print a key's public key (PEM), for those who will trust it") { exportName };
        export.SetAction(parse =>
        {
            context.Out.Write(Keys(context).Find(parse.GetValue(exportName)!).Pem);
            return 0;
        });

        var importFile = new Argument<string>("file") { Description = "A PEM public key file (as 'packster key export' prints)" };
        var importName = new Option<string?>("--name") { Description = "The name to keep it under (default: the file's name without extension)" };
        var import = new Command("import", "Add someone's public key to the key store, so it can be trusted") { importFile, importName };
        import.SetAction(parse =>
        {
            var file = context.ResolvePath(parse.GetValue(importFile)!);
            FileSystemErrors.RequireFile(file, "key file");
            var pem = KeyStore.ReadKeyFile(file);
            var key = Keys(context).Import(parse.GetValue(importName) ?? Path.GetFileNameWithoutExtension(file), pem, file, context.Err);
            context.Out.WriteLine($"imported key {key.Name} (id {key.Id})");
            return 0;
        });
        return new Command("key", "Signing keys: generate, list, export and import") { generate, list, export, import };
    }

    public static Command Sign(CliContext context)
    {
        var file = new Argument<string>("package-file") { Description = "A .packster file" };
        var key = new Option<string>("--key") { Description = "The name of the private key to sign with", Required = true };
        var passphrase = PassphraseEnv();
        var command = new Command("sign", "Write a detached signature <package>.sig beside a package (the package is not changed)") { file, key, passphrase };
        command.SetAction(parse =>
        {
            var path = SignFile(context, context.ResolvePath(parse.GetValue(file)!), parse.GetValue(key)!, parse.GetValue(passphrase));
            context.Out.WriteLine(path);
            return 0;
        });
        return command;
    }

    /// <summary>Signs a package file (verified first: its content must hash to its name); returns the .sig path.</summary>
    public static string SignFile(CliContext context, string packagePath, string keyName, string? passphraseEnv)
    {
        using var signingKey = Keys(context).Load(keyName, Passphrase(context, passphraseEnv));
        return SignFile(context, packagePath, signingKey);
    }

    public static string SignFile(CliContext context, string packagePath, SigningKey signingKey)
    {
        var package = PackageFile.Open(packagePath);
        var signature = PackageSignature.Create(package.Name, signingKey);
        var sigPath = packagePath + PackageSignature.Extension;
        AtomicFile.Write(sigPath, signature.Serialize());
        context.Err.WriteLine($"signed {package.Name.FileName} with key {signingKey.Name} (id {signingKey.Id})");
        return sigPath;
    }

    public static Command Trust(CliContext context)
    {
        var command = new Command("trust", "Set the signature policy of the user or a location, revoke keys, show the policy in force");
        foreach (var mode in new[] { SignatureMode.Require, SignatureMode.Warn, SignatureMode.Off }) command.Subcommands.Add(SetMode(context, mode));
        command.Subcommands.Add(Revoke(context));
        command.Subcommands.Add(Show(context));
        return command;
    }

    private static Command SetMode(CliContext context, SignatureMode mode)
    {
        var location = CommonOptions.Location();
        location.Description = "Set it in this location's packster-policy.toml instead of the user config";
        var keys = new Option<string[]>("--key") { Description = "Add a key (name or id, from the key store) to the trusted keys; repeatable", AllowMultipleArgumentsPerToken = false };
        var source = new Option<string?>("--source") { Description = "Set it for the packages of this configured source ([sources.NAME] in the user config) instead" };
        var name = TrustRules.ModeName(mode);
        var command = new Command(name, mode switch
        {
            SignatureMode.Require => "Install only packages signed by a trusted key",
            SignatureMode.Warn => "Warn about unsigned or untrusted packages, and install them",
            _ => "Do not check signatures (revoked keys are still refused)",
        }) { location, keys, source };
        command.Validators.Add(r =>
        {
            if (r.GetResult(location) is not null && r.GetResult(source) is not null) r.AddError("give --location or --source, not both");
        });
        command.SetAction((parse, ct) =>
        {
            if (parse.GetValue(source) is { } sourceName)
            {
                SetSourceMode(context, sourceName, mode, parse.GetValue(keys) ?? []);
                return Task.FromResult(0);
            }
            var loc = parse.GetValue(location) is { } l ? context.ResolveLocation(l) : null;
            // Read, changed and written under the location's lock (spec/signing.md § Trust policy).
            var edited = PolicyFileEdit.Run(context, loc, (file, kind) =>
            {
                var current = TrustRules.Read(file, kind);
                var store = Keys(context);
                var trusted = current.TrustedKeys.Concat((parse.GetValue(keys) ?? []).Select(k => store.Find(k).Id)).Distinct(StringComparer.Ordinal).ToList();
                EditedTomlFile.Edit(file, editor =>
                {
                    editor.Set(["trust", "signatures"], TomlValue.String(name));
                    if (trusted.Count > 0) editor.Set(["trust", "trusted-keys"], TomlValue.Strings(trusted));
                }, kind == RulesFileKind.LocationPolicy);
                return (File: file, Trusted: trusted);
            }, ct);
            context.Out.WriteLine($"trust.signatures = \"{name}\", trusted keys [{string.Join(", ", edited.Trusted)}] in {edited.File}");
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary><c>trust MODE --source S</c>: the source's own <c>signatures</c> and <c>trusted-keys</c>, edited in place in the user config.</summary>
    private static void SetSourceMode(CliContext context, string sourceName, SignatureMode mode, IReadOnlyList<string> keys)
    {
        var store = Keys(context);
        List<string> trusted = [];
        var config = SourceConfig.Edit(context.Paths, context.Err, config =>
        {
            var current = config.Get(sourceName);
            trusted = [.. current.TrustedKeys.Concat(keys.Select(k => store.Find(k).Id)).Distinct(StringComparer.Ordinal)];
            config.Add(current with { Signatures = mode, TrustedKeys = trusted }, replace: true);
        });
        context.Out.WriteLine($"sources.{sourceName}.signatures = \"{TrustRules.ModeName(mode)}\", trusted keys [{string.Join(", ", trusted)}] in {config.Path}");
    }

    private static Command Revoke(CliContext context)
    {
        var keyId = new Argument<string>("key-id") { Description = "The id of the key to refuse from now on, even for packages it signed before" };
        var location = CommonOptions.Location();
        location.Description = "Revoke in this location's packster-policy.toml instead of the user config";
        var command = new Command("revoke", "Refuse every signature by a key") { keyId, location };
        command.SetAction((parse, ct) =>
        {
            var id = parse.GetValue(keyId)!;
            if (id.Length != 16 || !id.All(char.IsAsciiHexDigitLower)) throw new PacksterException(ErrorCode.InvalidArgument, $"'{id}' is not a key id (16 lowercase hex digits)", "'packster key list' prints key ids");
            var loc = parse.GetValue(location) is { } l ? context.ResolveLocation(l) : null;
            var edited = PolicyFileEdit.Run(context, loc, (file, kind) =>
            {
                var revoked = TrustRules.Read(file, kind).RevokedKeys.Append(id).Distinct(StringComparer.Ordinal).ToList();
                EditedTomlFile.Edit(file, editor => editor.Set(["trust", "revoked-keys"], TomlValue.Strings(revoked)), kind == RulesFileKind.LocationPolicy);
                return (File: file, Revoked: revoked);
            }, ct);
            context.Out.WriteLine($"trust.revoked-keys = [{string.Join(", ", edited.Revoked)}] in {edited.File}");
            return Task.FromResult(0);
        });
        return command;
    }

    private static Command Show(CliContext context)
    {
        var location = CommonOptions.Location();
        var json = CommonOptions.Json();
        var command = new Command("show", "Print the signature policy in force for a location: the stricter of the user's and the location's") { location, json };
        command.SetAction(parse =>
        {
            // Without a location (none asked for, no default) the user's policy is still worth showing, said to be alone.
            var loc = context.ResolveLocationOrNone(parse.GetValue(location));
            var user = context.Config.Rules.Trust;
            var policy = new TrustPolicy(loc is null ? [user] : [user, TrustRules.Read(loc.PolicyPath, RulesFileKind.LocationPolicy)]);
            var trusted = policy.Rules.SelectMany(r => r.TrustedKeys).Distinct().Where(policy.IsTrusted).ToList();
            var revoked = policy.Rules.SelectMany(r => r.RevokedKeys).Distinct().ToList();
            var sources = context.Config.Sources.SelectMany(d => d.TrustRules().Select(r => (d.Name, Rules: r))).ToList();
            if (parse.GetValue(json))
            {
                CommonOptions.WriteJson(context.Out, new JsonObject
                {
                    ["signatures"] = TrustRules.ModeName(policy.Mode),
                    ["from"] = policy.ModeOrigin,
                    ["location"] = loc?.Path,
                    ["trustedKeys"] = new JsonArray([.. trusted.Select(k => (JsonNode)k)]),
                    ["revokedKeys"] = new JsonArray([.. revoked.Select(k => (JsonNode)k)]),
                    ["sources"] = new JsonObject([.. sources.Select(s => KeyValuePair.Create(s.Name, (JsonNode?)new JsonObject
                    {
                        ["signatures"] = s.Rules.Mode is { } m ? TrustRules.ModeName(m) : null,
                        ["trustedKeys"] = new JsonArray([.. s.Rules.TrustedKeys.Select(k => (JsonNode)k)]),
                    }))]),
                });
                return 0;
            }
            context.Out.WriteLine($"signatures = \"{TrustRules.ModeName(policy.Mode)}\" (from {policy.ModeOrigin})");
            context.Out.WriteLine($"trusted keys: [{string.Join(", ", trusted)}]");
            context.Out.WriteLine($"revoked keys: [{string.Join(", ", revoked)}]");
            foreach (var (sourceName, rules) in sources)
            {
                context.Out.WriteLine($"source {sourceName}: signatures = \"{TrustRules.ModeName(rules.Mode ?? SignatureMode.Off)}\", trusted keys [{string.Join(", ", rules.TrustedKeys)}] (added to the above for its packages)");
            }
            if (loc is null) context.Out.WriteLine(context.NoLocationNote("signature policy"));
            return 0;
        });
        return command;
    }
}
