using System.CommandLine;
using System.Text.Json.Nodes;
using Packster;
using Packster.Packaging;
using Packster.Sources.Installation;

namespace Packster.Cli.Commands;

/// <summary>
/// <c>packster pack &lt;source-dir&gt; [-o &lt;out-dir&gt;] [--json]</c>, or <c>packster pack --from &lt;archive&gt;
/// [--strip-components N] [--id ID --version V] [--shim name=path]… [--manifest FILE]</c> (spec/pack-from.md).
/// </summary>
internal static class PackCommand
{
    public static Command Create(CliContext context)
    {
        var source = new Argument<string?>("source-dir")
        {
            Description = "The package's source folder (holds packster-manifest.toml); omit it with --from",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var from = new Option<string?>("--from")
        {
            Description = "Pack a vendor archive (.tar, .tar.gz, .tar.xz, .tar.zst, .tar.bz2, .zip, .7z) instead of a folder: "
                + "every entry passes the extraction filter first, and the package is the one 'pack' makes of the extracted folder",
        };
        var strip = new Option<int>("--strip-components")
        {
            Description = "With --from: drop this many leading folders from every entry's path (like tar); shorter entries are skipped",
            CustomParser = r => CommonOptions.WholeNumber(r, "--strip-components") ?? 0,
        };
        var id = new Option<string?>("--id") { Description = "With --from: the package id of a generated manifest (needs --version)" };
        var version = new Option<string?>("--version") { Description = "With --from: the package version of a generated manifest (needs --id)" };
        var shim = new Option<string[]>("--shim")
        {
            Description = "With --from and --id: add a shim to the generated manifest, as name=path inside the package (repeatable)",
            AllowMultipleArgumentsPerToken = false,
        };
        var manifestFile = new Option<string?>("--manifest")
        {
            Description = "With --from: use this packster-manifest.toml for the package (instead of --id/--version/--shim or the archive's own)",
        };
        var output = new Option<string?>("--output", "-o") { Description = "Where to write the .packster file (default: the current directory)" };
        var json = CommonOptions.Json();
        var timeout = CommonOptions.HandlerTimeout();
        var packSource = SupplyOptions.Source();
        packSource.Description = "Resolve [pack-location] requirements only from this configured source";
        var offline = SupplyOptions.Offline();
        var sign = new Option<string?>("--sign") { Description = "Sign the package with this key from the key store: writes <package>.sig beside it" };
        var passphrase = TrustCommands.PassphraseEnv();
        var platform = CommonOptions.Platform("the package must run there, or nothing is packed");
        var compression = new Option<string>("--compression")
        {
            Description = "zstd (default: faster to pack and install, small files in solid runs only packster reads) or deflate (every unzip reads it)",
            DefaultValueFactory = _ => "zstd",
        };
        compression.AcceptOnlyFromAmong("zstd", "deflate");
        var noSolid = new Option<bool>("--no-solid")
        {
            Description = "With zstd: compress every file on its own, no solid runs (larger on source trees; 7-Zip and libarchive read every entry)",
        };
        var command = new Command("pack", "Pack a folder into {id}-{version}-{sha256}.packster")
        {
            source, output, json, timeout, packSource, offline, from, strip, id, version, shim, manifestFile, sign, passphrase, platform, compression, noSolid,
        };
        command.SetAction(async (parse, ct) =>
        {
            // The key opens (and its passphrase works) before anything is packed.
            using var signingKey = parse.GetValue(sign) is { } keyName ? TrustCommands.Keys(context).Load(keyName, TrustCommands.Passphrase(context, parse.GetValue(passphrase))) : null;
            // Handlers never see the passphrase, whatever the variable is called (spec/handlers.md §Environment).
            var handlerEnvironment = context.HandlerEnvironmentWithout(parse.GetValue(passphrase));
            var archive = parse.GetValue(from);
            var sourceArgument = parse.GetValue(source);
            if (archive is null)
            {
                var fromOnly = new Option[] { strip, id, version, shim, manifestFile }.FirstOrDefault(o => parse.GetResult(o) is not null);
                if (fromOnly is not null)
                {
                    throw new PacksterException(ErrorCode.PackFromOptionInvalid, $"{fromOnly.Name} only applies to 'pack --from <archive>'", "see 'packster pack --help'");
                }
                if (sourceArgument is null) throw new PacksterException(ErrorCode.Usage, "pack needs a source folder or --from <archive>", "see 'packster pack --help'");
            }
            else if (sourceArgument is not null)
            {
                throw new PacksterException(ErrorCode.PackFromOptionInvalid, $"pack takes a source folder ('{sourceArgument}') or --from <archive>, not both", "see 'packster pack --help'");
            }
            var request = archive is null ? null : new ArchivePackRequest
            {
                StripComponents = parse.GetValue(strip),
                Id = parse.GetValue(id),
                Version = parse.GetValue(version),
                Shims = parse.GetValue(shim) ?? [],
                ManifestFile = parse.GetValue(manifestFile) is { } file ? context.ResolvePath(file) : null,
            };
            var sourceDir = context.ResolvePath(archive ?? sourceArgument!);
            var outDir = context.ResolvePath(parse.GetValue(output) ?? ".");
            var machine = CommonOptions.ParsePlatform(parse.GetValue(platform));
            // Sources are opened only when a [pack-location] needs them: packing anything else never touches them.
            OpenSupply? supply = null;
            using var closeSupply = new CallOnDispose(() => supply?.Dispose());
            async Task<PackEnvironment> PackLocationAsync(Packster.Manifest.Manifest manifest, CancellationToken token)
            {
                supply ??= SupplyOptions.Open(context, parse.GetValue(packSource), parse.GetValue(offline));
                return await new PackLocationEnvironment(supply.Supply, InstallerDefaults.For(context), handlerEnvironment)
                    .CreateAsync(manifest, token).ConfigureAwait(false);
            }
            var (result, _) = await ProgressDisplay.RunAsync(context, "packing", progress =>
            {
                var p = progress is null ? null : new Progress<PackProgress>(x => progress.Report((x.BytesDone, x.BytesTotal)));
                var options = new SourcePackerOptions
                {
                    HandlerOutput = context.Err,
                    BaseEnvironment = handlerEnvironment,
                    Executors = context.Executors,
                    HandlerTimeout = CommonOptions.ParseTimeout(parse.GetValue(timeout)),
                    Progress = p,
                    PackEnvironment = PackLocationAsync,
                    // Checked as soon as the manifest is known, before the output folder is created or a file in it replaced.
                    Accept = machine is null ? null : manifest => RequirePlatform(manifest, machine),
                    Pack = PackOptions.Default with
                    {
                        Compression = parse.GetValue(compression) == "deflate" ? PackCompression.Deflate : PackCompression.Zstd,
                        Solid = !parse.GetValue(noSolid),
                    },
                };
                return request is null
                    ? new SourcePacker(options).PackAsync(sourceDir, outDir, ct)
                    : new ArchivePacker(options).PackAsync(sourceDir, request, outDir, ct);
            }).ConfigureAwait(false);
            var signature = signingKey is null ? null : TrustCommands.SignFile(context, result.Path, signingKey);

            if (parse.GetValue(json))
            {
                CommonOptions.WriteJson(context.Out, new JsonObject
                {
                    ["id"] = result.FileName.Id.Value,
                    ["version"] = result.FileName.Version.ToString(),
                    ["sha256"] = result.FileName.Sha256.Hex,
                    ["path"] = result.Path,
                    ["size"] = result.Size,
                    ["signature"] = signature,
                });
            }
            else
            {
                context.Out.WriteLine(result.Path);
                context.Err.WriteLine($"packed {result.FileName.Id} {result.FileName.Version}: {Words.Counted(result.FileCount, "file")}, {Bytes.Format(result.Size)}");
            }
            return 0;
        });
        return command;
    }

    /// <summary><c>pack --platform</c>: the package's <c>[platform]</c> must allow that machine (spec/manifest.md § [platform]).</summary>
    private static void RequirePlatform(Packster.Manifest.Manifest manifest, Packster.Manifest.MachinePlatform machine)
    {
        if (manifest.Platform.Refusal(machine) is { } refusal)
        {
            throw new PacksterException(ErrorCode.PlatformUnsupported, $"{manifest.Id} {manifest.Version} would not install on {machine}: {refusal}; nothing was packed",
                "change [platform] in the manifest, or pack for another --platform");
        }
    }
}

/// <summary>Runs an action when disposed, so a <c>using</c> can clean up something created later in the scope.</summary>
internal sealed class CallOnDispose(Action action) : IDisposable
{
    public void Dispose() => action();
}
