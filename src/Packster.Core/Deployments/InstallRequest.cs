using System.Text.Json;

namespace Packster.Deployments;

/// <summary>What <c>packster install-file</c> asks for. <see cref="Parameters"/> is the given JSON object (null: none given).</summary>
public sealed record InstallRequest(string PackagePath)
{
    public JsonElement? Parameters { get; init; }

    /// <summary><c>key=value</c> pairs (<c>-p</c>), typed by the declarations and merged over <see cref="Parameters"/>.</summary>
    public IReadOnlyList<string> ParameterPairs { get; init; } = [];

    /// <summary>Reinstall even when the same deployment exists.</summary>
    public bool Force { get; init; }

    /// <summary>Deploy without claiming resources or becoming active.</summary>
    public bool Inactive { get; init; }

    /// <summary>Plan only: report what would happen and change nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>With <see cref="DryRun"/>: check <c>[platform]</c> against this machine description instead of this machine (<c>--platform</c>).</summary>
    public Manifest.MachinePlatform? Platform { get; init; }

    /// <summary>Replaces every handler's time limit.</summary>
    public TimeSpan? HandlerTimeout { get; init; }

    /// <summary>
    /// The trust rules of the source the package came from (<c>[sources.NAME] signatures, trusted-keys</c>), added to
    /// the user's and the location's (spec/signing.md § Trust policy); empty for a local file.
    /// </summary>
    public IReadOnlyList<Trust.TrustRules> SourceTrust { get; init; } = [];
}

/// <summary>Whether an install created a deployment or found it already there.</summary>
public enum InstallStatus
{
    Installed,
    Unchanged,
    Planned,
}

/// <summary>The result of an install (or, for a dry run, its plan).</summary>
public sealed record InstallOutcome(
    Model.PackageId Id,
    Model.PackageVersion Version,
    Model.PackageFileName Package,
    Model.Sha256Digest Deployment,
    string Path,
    InstallStatus Status,
    bool Active)
{
    /// <summary>For dry runs: what would be extracted and claimed and which handlers would run.</summary>
    public InstallPlanDetails? Plan { get; init; }
}

/// <summary>What a dry run reports.</summary>
public sealed record InstallPlanDetails(
    int FileCount,
    long Bytes,
    IReadOnlyList<string> Claims,
    IReadOnlyList<string> Handlers,
    string? Replaces,
    bool WouldActivate,
    bool AlreadyInstalled)
{
    /// <summary>The id of the trusted key whose signature was verified, when there is one.</summary>
    public string? Signer { get; init; }

    /// <summary>
    /// What the deployment claims once active, whether or not this install activates it (<see cref="Claims"/>: only
    /// when it does): <c>sync --dry-run</c> judges the active set it would make with them (spec/export.md § sync).
    /// </summary>
    public IReadOnlyList<string> ClaimsWhenActive { get; init; } = [];
}
