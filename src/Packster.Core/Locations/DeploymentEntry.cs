using System.Text.Json.Nodes;
using Packster.Model;

namespace Packster.Locations;

/// <summary>One deployment as the lockfile records it: which package, with which effective parameters, under which hash.</summary>
public sealed class DeploymentEntry
{
    public DeploymentEntry(PackageFileName package, Sha256Digest hash, JsonObject parameters)
    {
        Package = package;
        Hash = hash;
        Parameters = parameters;
    }

    public PackageFileName Package { get; }
    public PackageId Id => Package.Id;
    public PackageVersion Version => Package.Version;
    public Sha256Digest PackageSha256 => Package.Sha256;

    /// <summary>The deployment hash; also the name of its directory under <c>deployments/</c>.</summary>
    public Sha256Digest Hash { get; }

    /// <summary>The deployment's directory relative to the location root, always with '/'.</summary>
    public string RelativePath => Location.DeploymentsDirectoryName + "/" + Hash.Hex;

    /// <summary>The effective parameters (defaults applied). Written with keys sorted.</summary>
    public JsonObject Parameters { get; }

    /// <summary>When it was installed (UTC, whole seconds); null when the installer records no time.</summary>
    public DateTimeOffset? InstalledAt { get; set; }

    /// <summary>Active deployments own their claims: shims, env keys, ports, shared files and dirs.</summary>
    public bool Active { get; set; }

    /// <summary>Pinned deployments are not replaced by <c>upgrade</c>.</summary>
    public bool Pinned { get; set; }

    /// <summary>
    /// Installed only because another package depends on it (spec/lockfile.md § Lockfile); an explicit install of it
    /// clears the mark. <c>gc --orphans</c> removes marked deployments no deployment in use needs.
    /// </summary>
    public bool Dependency { get; set; }

    /// <summary>The key id of the verified signature it was installed with, or null (spec/signing.md § Lockfile).</summary>
    public string? Signer { get; set; }

    /// <summary>
    /// The resources this deployment claims while active, as <c>kind:value</c> strings written by the resource
    /// guard (e.g. <c>shim:hello</c>, <c>env:HELLO_HOME</c>, <c>port:8080</c>). Written sorted, without duplicates.
    /// </summary>
    public SortedSet<string> Claims { get; } = new(StringComparer.Ordinal);

    public override string ToString() => $"{Id}@{Version} ({Hash})";
}
