using System.Text.Json;
using Packster.Model;
using HandlerAction = Packster.Manifest.HandlerAction;

namespace Packster.Handlers;

/// <summary>
/// What a handler is told about the operation it runs in: the action, the package, where the deployment (or the
/// pack staging copy) and the location are, the effective parameters (a JSON object), and for upgrades the
/// version and path being replaced.
/// </summary>
public sealed record HandlerContext(
    HandlerAction Action,
    PackageId PackageId,
    PackageVersion PackageVersion,
    string DeploymentPath,
    string? LocationPath,
    JsonElement Parameters,
    PackageVersion? PreviousVersion = null,
    string? PreviousPath = null)
{
    /// <summary>
    /// The texts of secret parameter values: handler output that contains one is logged and shown with <c>***</c>
    /// in its place (spec/parameters.md § Secret parameters).
    /// </summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    /// <summary><c>hello 1.0.0</c>, as messages name the package.</summary>
    public string PackageDisplay => $"{PackageId} {PackageVersion}";
}
