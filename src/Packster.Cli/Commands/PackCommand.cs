using System.CommandLine;
using System.Text.Json.Nodes;
using Packster.Packaging;
using Packster.Sources.Installation;

namespace Packster.Cli.Commands;

/// <summary><c>packster pack &lt;source-dir&gt; [-o &lt;out-dir&gt;] [--json]</c>.</summary>
internal static class PackCommand
{
    public static Command Create(CliContext context)
    {
        var source = new Argument<string>("source-dir") { Description = "The package's source folder (holds packster-manifest.toml)" };
        var output = new Option<string?>("--output", "-o") { Description = "Where to write the .packster file (default: the current directory)" };
        var json = CommonOptions.Json();
        var timeout = CommonOptions.HandlerTimeout();
        var packSource = SupplyOptions.Source();
        packSource.Description = "Resolve [pack-location] requirements only from this configured source";
        var offline = SupplyOptions.Offline();
        var command = new Command("pack", "Pack a folder into {id}-{version}-{sha256}.packster") { source, output, json, timeout, packSource, offline };
        command.SetAction(async (parse, ct) =>
        {
            var sourceDir = context.ResolvePath(parse.GetValue(source)!);
            var outDir = context.ResolvePath(parse.GetValue(output) ?? ".");
            // Sources are opened only when a [pack-location] needs them: packing anything else never touches them.
            OpenSupply? supply = null;
            using var closeSupply = new CallOnDispose(() => supply?.Dispose());
            async Task<PackEnvironment> PackLocationAsync(Packster.Manifest.Manifest manifest, CancellationToken token)
            {
                supply ??= SupplyOptions.Open(context, parse.GetValue(packSource), parse.GetValue(offline));
                return await new PackLocationEnvironment(supply.Supply, InstallerDefaults.For(context), context.Environment)
                    .CreateAsync(manifest, token).ConfigureAwait(false);
            }
            var (result, _) = await ProgressDisplay.RunAsync(context, "packing", progress =>
            {
                var p = progress is null ? null : new Progress<PackProgress>(x => progress.Report((x.BytesDone, x.BytesTotal)));
                return new SourcePacker(new SourcePackerOptions
                {
                    HandlerOutput = context.Err,
                    BaseEnvironment = context.Environment,
                    Executors = context.Executors,
                    HandlerTimeout = CommonOptions.ParseTimeout(parse.GetValue(timeout)),
                    Progress = p,
                    PackEnvironment = PackLocationAsync,
                }).PackAsync(sourceDir, outDir, ct);
            }).ConfigureAwait(false);

            if (parse.GetValue(json))
            {
                CommonOptions.WriteJson(context.Out, new JsonObject
                {
                    ["id"] = result.FileName.Id.Value,
                    ["version"] = result.FileName.Version.ToString(),
                    ["sha256"] = result.FileName.Sha256.Hex,
                    ["path"] = result.Path,
                    ["size"] = result.Size,
                });
            }
            else
            {
                context.Out.WriteLine(result.Path);
                context.Err.WriteLine($"packed {result.FileName.Id} {result.FileName.Version}: {result.FileCount} files, {Bytes.Format(result.Size)}");
            }
            return 0;
        });
        return command;
    }
}

/// <summary>Runs an action when disposed, so a <c>using</c> can clean up something created later in the scope.</summary>
internal sealed class CallOnDispose(Action action) : IDisposable
{
    public void Dispose() => action();
}
