using System.CommandLine;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Packster.Bom;

namespace Packster.Cli.Commands;

/// <summary><c>packster sbom [--location L] [--format cyclonedx|spdx] [-o FILE]</c>: the active set as a software bill of materials (spec/bom.md).</summary>
internal static class SbomCommand
{
    // Relaxed escaping: the document is a file, not HTML; "1.0.0+abc" stays readable.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, IndentSize = 2, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(CliContext context)
    {
        var location = CommonOptions.Location();
        var format = new Option<string>("--format", "-f")
        {
            Description = "cyclonedx (CycloneDX 1.6 JSON, the default) or spdx (SPDX 2.3 JSON)",
            DefaultValueFactory = _ => "cyclonedx",
        };
        format.AcceptOnlyFromAmong("cyclonedx", "spdx");
        var output = new Option<string?>("--output", "-o") { Description = "Write the document to FILE (replaced atomically) instead of stdout" };
        var command = new Command("sbom", "Write the location's active deployments as a CycloneDX 1.6 or SPDX 2.3 JSON bill of materials") { location, format, output };
        command.SetAction(parse =>
        {
            var loc = context.ResolveLocation(parse.GetValue(location));
            var input = SbomInput.Read(loc);
            var version = typeof(SbomCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            var document = parse.GetValue(format) == "spdx" ? LocationSbom.Spdx(input, version) : LocationSbom.CycloneDx(input, version);
            var text = document.ToJsonString(Indented) + "\n";
            if (parse.GetValue(output) is { } file)
            {
                var path = context.ResolvePath(file);
                AtomicFile.Write(path, Encoding.UTF8.GetBytes(text));
                context.Err.WriteLine($"wrote {path}: {input.Packages.Count} active deployments of location {loc.Id}");
            }
            else
            {
                context.Out.Write(text);
            }
            return 0;
        });
        return command;
    }
}
