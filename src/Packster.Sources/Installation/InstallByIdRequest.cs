using System.Text.Json;
using Packster.Deployments;
using Packster.Model;

namespace Packster.Sources.Installation;

/// <summary>
/// What <c>packster install &lt;id&gt;[@&lt;range&gt;]</c> asks for. <see cref="Range"/> null means any stable version. The
/// parameters and flags apply to the named package only; dependencies are installed with their defaults.
/// </summary>
public sealed record InstallByIdRequest(PackageId Id, VersionRange? Range)
{
    public JsonElement? Parameters { get; init; }
    public IReadOnlyList<string> ParameterPairs { get; init; } = [];
    public bool Force { get; init; }
    public bool Inactive { get; init; }
    public bool DryRun { get; init; }
    public TimeSpan? HandlerTimeout { get; init; }

    /// <summary>With <see cref="DryRun"/>: the machine <c>[platform]</c> is checked for (<c>--platform</c>); null: this one.</summary>
    public Packster.Manifest.MachinePlatform? Platform { get; init; }

    /// <summary>
    /// True (the default) when the user asked for this package, which clears its deployment's dependency mark; false
    /// keeps the deployment marked as a dependency (an upgrade of a package that was one, spec/lockfile.md § Lockfile).
    /// </summary>
    public bool AsDependency { get; init; }

    /// <summary>The request for the installer once the package file is known.</summary>
    public InstallRequest ForFile(string path) => new(path)
    {
        Parameters = Parameters,
        ParameterPairs = ParameterPairs,
        Force = Force,
        Inactive = Inactive,
        DryRun = DryRun,
        HandlerTimeout = HandlerTimeout,
        Platform = Platform,
    };

    /// <summary>Parses <c>id</c> or <c>id@range</c> (the range syntax of spec/manifest.md, including <c>latest</c>).</summary>
    public static InstallByIdRequest Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var idText = at < 0 ? text : text[..at];
        if (!PackageId.TryParse(idText, out var id, out var why))
            throw InstallErrors.InvalidRequest(idText, why);
        if (at < 0) return new InstallByIdRequest(id, null);
        var rangeText = text[(at + 1)..];
        if (!VersionRange.TryParse(rangeText, out var range, out var rangeWhy))
            throw InstallErrors.InvalidRange(rangeText, text, rangeWhy);
        return new InstallByIdRequest(id, range);
    }
}
