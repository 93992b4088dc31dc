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

    private static string ToolVersion =>
        typeof(SbomCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary><c>--bom FILE</c> of install, install-file and bundle install: only with <c>--dry-run</c> (spec/bom.md § Before a change).</summary>
    public static Option<string?> BomOption() => new("--bom")
    {
        Description = "With --dry-run: write what would be deployed (packages, sha256, licence, dependencies, files with SHA-256, claims) as CycloneDX 1.6 JSON to FILE",
    };

    /// <summary>Refuses <c>--bom</c> without <c>--dry-run</c>, or empty, before anything is read or changed.</summary>
    public static void RequireDryRun(string? bom, bool dryRun)
    {
        if (bom is { Length: 0 }) throw new PacksterException(ErrorCode.InvalidArgument, "--bom is empty: it names no file", "give --bom a file name, or leave it out");
        if (bom is not null && !dryRun)
        {
            throw new PacksterException(ErrorCode.Usage, "--bom describes a planned change: give it with --dry-run", "run the command with --dry-run --bom FILE first, then without both to install");
        }
    }

    /// <summary>
    /// What an install's dry run would deploy (spec/bom.md § Before a change): its dependencies, the package, and the
    /// <c>[install-bundle]</c> entries it plans after the commit, with theirs in turn, each entry as an install of its own.
    /// </summary>
    public static IEnumerable<Packster.Deployments.InstallOutcome> Planned(Packster.Sources.Installation.PackageInstallResult result) =>
        result.Dependencies.Append(result.Root).Concat(result.Bundle.SelectMany(Planned));

    /// <summary>
    /// Writes the pre-install bill of materials of a dry run: each planned package read from its package file
    /// (<paramref name="packagePathOf"/>), or, for one the change keeps as it is, from its deployment directory.
    /// </summary>
    public static void WritePlanned(CliContext context, Packster.Locations.Location location, string file, IReadOnlyList<Packster.Deployments.InstallOutcome> outcomes,
        Func<Packster.Deployments.InstallOutcome, string?> packagePathOf, CancellationToken cancellationToken)
    {
        var state = location.ReadState();
        var planned = outcomes.GroupBy(o => o.Id).Select(g => g.First()).OrderBy(o => o.Id.Value, StringComparer.Ordinal).ToList();
        var packages = planned.Select(o =>
        {
            var kept = o.Status == Packster.Deployments.InstallStatus.Unchanged || o.Plan?.AlreadyInstalled == true ? state.Find(o.Deployment) : null;
            if (kept is not null) return SbomInput.Deployed(location, kept);
            var path = packagePathOf(o) ?? throw new PacksterException(ErrorCode.Internal, $"no package file for {o.Id} {o.Version} to describe");
            return SbomInput.Planned(Packster.Deployments.PackageFile.Open(path), o.Deployment, o.Plan?.Claims ?? [], o.Plan?.Signer, cancellationToken);
        }).ToList();
        var input = new SbomInput(state.LocationId, state.Hash, SbomInput.StateTime(location, state), packages)
        {
            Phase = "pre-build",
            Status = planned.ToDictionary(o => o.Id, o => o.Status == Packster.Deployments.InstallStatus.Unchanged || o.Plan?.AlreadyInstalled == true ? "unchanged" : "planned"),
        };
        WarnOfLicencesLeftOut(context, packages);
        var path = WriteFile(context.ResolvePath(file), LocationSbom.CycloneDx(input, ToolVersion).ToJsonString(Indented) + "\n");
        context.Err.WriteLine($"wrote {path}: bill of materials of {packages.Count} package(s) the change would deploy");
    }

    /// <summary>
    /// spec/bom.md § Sources of each field: a manifest licence that is not a valid SPDX expression is not declared in the
    /// document; one warning line per package says so, so the gap is not silent.
    /// </summary>
    private static void WarnOfLicencesLeftOut(CliContext context, IEnumerable<SbomPackage> packages)
    {
        foreach (var p in packages.Where(p => p.LicenseLeftOut))
        {
            context.Err.WriteLine($"warning: {p.Entry.Id} {p.Entry.Version} declares license '{TerminalText.Printable(p.License!)}', which is not a valid SPDX expression: "
                + "the bill of materials declares no licence for it");
        }
    }

    private static string WriteFile(string path, string text)
    {
        OutputFile.Write(path, Encoding.UTF8.GetBytes(text), "bill of materials");
        return path;
    }

    public static Command Create(CliContext context)
    {
        var location = CommonOptions.Location();
        var format = new Option<string>("--format", "-f")
        {
            Description = "cyclonedx (CycloneDX 1.6 JSON, the default) or spdx (SPDX 2.3 JSON)",
            DefaultValueFactory = _ => "cyclonedx",
        };
        format.AcceptOnlyFromAmong("cyclonedx", "spdx");
        var output = new Option<string?>("--output", "-o") { Description = "Write the document to FILE (a regular file is replaced atomically; a FIFO or /dev/stdout is written into) instead of stdout" };
        var command = new Command("sbom", "Write the location's active deployments as a CycloneDX 1.6 or SPDX 2.3 JSON bill of materials") { location, format, output };
        command.SetAction(parse =>
        {
            var path = CommonOptions.OutputPath(context, parse.GetValue(output), "--output");
            var loc = context.ResolveLocation(parse.GetValue(location));
            var input = SbomInput.Read(loc);
            WarnOfLicencesLeftOut(context, input.Packages);
            var document = parse.GetValue(format) == "spdx" ? LocationSbom.Spdx(input, ToolVersion) : LocationSbom.CycloneDx(input, ToolVersion);
            var text = document.ToJsonString(Indented) + "\n";
            if (path is not null)
            {
                WriteFile(path, text);
                context.Err.WriteLine($"wrote {path}: {Words.Counted(input.Packages.Count, "active deployment")} of location {loc.Id}");
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
