using System.CommandLine;
using System.Text.Json.Nodes;
using Packster.Sources.Installation;

namespace Packster.Cli.Commands;

/// <summary>
/// <c>packster fetch &lt;id&gt;[@&lt;range&gt;] [--source S] [--offline] [--output DIR] [--json]</c> (spec/sources.md §4):
/// resolves as <c>install</c> does and downloads the package file (with its detached signature) into the download
/// cache, verified, without deploying it — to fill a cache ahead of time or hand a file on. Large files arrive in
/// parallel byte ranges and resume after an interruption.
/// </summary>
internal static class FetchCommand
{
    public static Command Create(CliContext context)
    {
        var package = new Argument<string>("package") { Description = "<id> or <id>@<range>, as install takes it" };
        var source = SupplyOptions.Source();
        var offline = SupplyOptions.Offline();
        var output = new Option<string?>("--output", "-o") { Description = "Also copy the file (and its .sig) into this folder" };
        var json = CommonOptions.Json();
        var command = new Command("fetch", "Download a package file into the download cache, verified, without deploying it")
        {
            package, source, offline, output, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var request = InstallByIdRequest.Parse(parse.GetValue(package)!);
            var target = parse.GetValue(output) is { } folder ? Path.GetFullPath(folder, context.CurrentDirectory) : null;
            // A wrong --output costs no download.
            if (target is not null) FileSystemErrors.RefuseNoFolder(target, OutputFolder, OutputFolderHint);
            var supplied = await ProgressDisplay.RunAsync(context, "downloading", async progress =>
            {
                using var supply = SupplyOptions.Open(context, parse.GetValue(source), parse.GetValue(offline), progress);
                return await supply.Supply.ResolveAsync(request.Id, request.Range, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
            var path = supplied.File.Path;
            var signature = path + Trust.PackageSignature.Extension;
            var signed = File.Exists(signature);
            if (target is not null)
            {
                FileSystemErrors.CreateFolder(target, OutputFolder, OutputFolderHint);
                var copy = Path.Combine(target, Path.GetFileName(path));
                File.Copy(path, copy, overwrite: true);
                if (signed) File.Copy(signature, copy + Trust.PackageSignature.Extension, overwrite: true);
                path = copy;
            }
            if (parse.GetValue(json))
            {
                CommonOptions.WriteJson(context.Out, new JsonObject
                {
                    ["file"] = Path.GetFileName(path),
                    ["path"] = path,
                    ["source"] = supplied.Source,
                    ["size"] = new FileInfo(path).Length,
                    ["signed"] = signed,
                });
                return 0;
            }
            context.Out.WriteLine(path);
            return 0;
        });
        return command;
    }

    private const string OutputFolder = "output folder";
    private const string OutputFolderHint = "give --output a folder, or a path where packster can create one";
}
