using System.CommandLine;
using System.Text.Json.Nodes;
using Packster.Model;
using Packster.Sources;
using Packster.Sources.Cache;
using Packster.Sources.Installation;

namespace Packster.Cli.Commands;

/// <summary><c>packster mirror &lt;from&gt; &lt;to&gt; [--filter id[@range]]… [--dry-run] [--json]</c> (spec/sources.md § Mirror).</summary>
internal static class MirrorCommand
{
    public static Command Create(CliContext context)
    {
        var from = new Argument<string>("from") { Description = "The configured source to copy from" };
        var to = new Argument<string>("to") { Description = "The configured source to copy to (a folder or Artifactory: one that can be published to)" };
        var filters = new Option<string[]>("--filter") { Description = "Copy only this id, or id@range (repeatable); default: everything", AllowMultipleArgumentsPerToken = false };
        var dryRun = CommonOptions.DryRun();
        var json = CommonOptions.Json();
        var command = new Command("mirror", "Copy every package file (and signature) one source has and another lacks, verifying each by its sha256") { from, to, filters, dryRun, json };
        command.SetAction(async (parse, ct) =>
        {
            var config = SourceCommand.LoadConfig(context);
            var sourceContext = SourceCommand.SourceContextFor(context);
            var origin = SourceFactory.Open(config.Get(parse.GetValue(from)!), sourceContext);
            var target = SourceFactory.Open(config.Get(parse.GetValue(to)!), sourceContext);
            try
            {
                var mirror = new SourceMirror(origin, target, new PackageCache(context.Paths.CacheDirectory))
                {
                    Filters = [.. (parse.GetValue(filters) ?? []).Select(Filter)],
                    Warnings = context.Err,
                };
                var asJson = parse.GetValue(json);
                var items = parse.GetValue(dryRun) ? await mirror.PlanAsync(ct)
                    : await mirror.RunAsync(asJson ? null : new SynchronousProgress<MirrorItem>(i => Line(context, i, dry: false)), ct);
                if (asJson)
                {
                    CommonOptions.WriteJson(context.Out, new JsonArray([.. items.Select(i => (JsonNode)new JsonObject
                    {
                        ["file"] = i.File.FileName,
                        ["status"] = parse.GetValue(dryRun) && i.Status == MirrorStatus.Copied ? "missing" : i.Status.ToString().ToLowerInvariant(),
                        ["detail"] = i.Detail,
                    })]));
                }
                else if (parse.GetValue(dryRun))
                {
                    foreach (var i in items.Where(i => i.Status == MirrorStatus.Copied)) Line(context, i, dry: true);
                }
                var copied = items.Count(i => i.Status == MirrorStatus.Copied);
                var present = items.Count(i => i.Status == MirrorStatus.Present);
                var failed = items.Where(i => i.Status == MirrorStatus.Failed).ToList();
                context.Err.WriteLine(parse.GetValue(dryRun)
                    ? $"dry run: {copied} of {items.Count} package files would be copied from '{origin.Name}' to '{target.Name}'; {present} already there"
                    : items.Count == 0 ? NothingOffered(origin.Name, parse.GetValue(filters) ?? [])
                    : copied == 0 && failed.Count == 0 ? $"nothing to copy: '{target.Name}' already has all {present} package files of '{origin.Name}' that match"
                    : $"copied {copied} package file{(copied == 1 ? "" : "s")} from '{origin.Name}' to '{target.Name}'; {present} already there");
                if (failed.Count > 0)
                {
                    throw new PacksterException(ErrorCode.SourceProtocol, $"{failed.Count} package file{(failed.Count == 1 ? "" : "s")} could not be copied: {string.Join("; ", failed.Select(f => $"{f.File.FileName}: {f.Detail}"))}",
                        copied > 0 ? "the others were copied; run the mirror again after fixing the cause"
                            : "no package file was copied; run the mirror again after fixing the cause");
                }
                return 0;
            }
            finally
            {
                (origin as IDisposable)?.Dispose();
                (target as IDisposable)?.Dispose();
            }
        });
        return command;
    }

    /// <summary>Said when the source offers nothing to consider: not "already has all 0", which reads as a full target.</summary>
    private static string NothingOffered(string origin, string[] filters) => filters.Length == 0
        ? $"nothing to copy: '{origin}' has no package files"
        : $"nothing to copy: no package file of '{origin}' matches {string.Join(", ", filters.Select(f => $"--filter {f}"))}";

    private static void Line(CliContext context, MirrorItem item, bool dry)
    {
        if (item.Status == MirrorStatus.Present) return;
        var verb = dry ? "would copy" : item.Status == MirrorStatus.Copied ? "copied" : "FAILED";
        context.Out.WriteLine($"{verb} {item.File.FileName}{(item.Detail is null ? "" : $" ({item.Detail})")}");
    }

    private static (PackageId Id, VersionRange? Range) Filter(string text)
    {
        var request = InstallByIdRequest.Parse(text);
        return (request.Id, request.Range);
    }

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
