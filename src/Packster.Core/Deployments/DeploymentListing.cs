using System.Collections.Concurrent;
using Packster.Locations;

namespace Packster.Deployments;

/// <summary>
/// What <c>packster list</c> shows of a location: every recorded deployment with where it is and the resources it
/// provides, ordered by id, then newest version first (deployments of one version in lockfile order).
/// </summary>
public static class DeploymentListing
{
    /// <summary>
    /// Deployments one worker takes in turn: a deployment costs a few microseconds, and starting a worker for fewer is
    /// not worth it.
    /// </summary>
    private const int PerWorker = 64;

    /// <summary>
    /// One committed state's deployments, each with what the listing shows of its resources (shim names, environment,
    /// ports: <see cref="DeploymentResources.Summary"/>), found wherever a writer has put its files (spec/lockfile.md
    /// § Readers). At a thousand deployments the listing's time goes to memory it touches for the first time (page
    /// faults, a third of it on this VM): expanding only what is shown, keeping only that, and writing the JSON as
    /// bytes took it from 4,100 page faults to 2,500.
    /// </summary>
    public static IReadOnlyList<ListedDeployment> Read(Location location)
    {
        ArgumentNullException.ThrowIfNull(location);
        Parallelism.WarmUpFor(location.LockfilePath);
        return LocationSnapshot.Read(location, snapshot => Read(location, snapshot));
    }

    private static ListedDeployment[] Read(Location location, LocationSnapshot snapshot)
    {
        var entries = Ordered(snapshot.State.Deployments);
        var listed = new ListedDeployment[entries.Length];
        // Each package's manifest is read and parsed once (its deployments with other parameters share it); each
        // deployment's parameters are checked and its resources expanded on every core.
        var manifests = new ConcurrentDictionary<Model.PackageFileName, Manifest.Manifest>();
        var deployments = PosixFiles.OpenDirectory(location.DeploymentsDirectory);
        try
        {
            Parallelism.Strided(entries.Length, PerWorker, i => listed[i] = One(location, snapshot, entries[i], manifests, deployments));
        }
        finally
        {
            PosixFiles.Close(deployments);
        }
        return listed;
    }

    /// <summary>
    /// One deployment; one whose recorded parameters its manifest refuses (a lockfile may keep such a deployment when it is
    /// not active: left by a packster that took the value, or edited by hand), or whose manifest is missing or invalid
    /// (damaged), is listed without its resources and with the reason, rather than failing the listing of the whole location.
    /// </summary>
    private static ListedDeployment One(Location location, LocationSnapshot snapshot, DeploymentEntry entry,
        ConcurrentDictionary<Model.PackageFileName, Manifest.Manifest> manifests, int deployments)
    {
        try
        {
            return Summarized(location, snapshot, entry, manifests, deployments);
        }
        catch (PacksterException e) when (ParameterErrors.IsParameterError(e.Code))
        {
            return new ListedDeployment(entry, location.DeploymentDirectory(entry.Hash), DeploymentPresence.Deployed, null) { Problem = e.Message };
        }
        catch (LocationErrors.DeploymentDamaged e)
        {
            // Its manifest is missing or changed by hand: listed as damaged (verify tells what), the others as usual.
            return new ListedDeployment(entry, location.DeploymentDirectory(entry.Hash), DeploymentPresence.Deployed, null) { Problem = e.Message, Damaged = true };
        }
    }

    private static ListedDeployment Summarized(Location location, LocationSnapshot snapshot, DeploymentEntry entry,
        ConcurrentDictionary<Model.PackageFileName, Manifest.Manifest> manifests, int deployments)
    {
        var home = location.DeploymentDirectory(entry.Hash);
        // Another deployment of the package read its manifest already: all this one needs of its own files is that its
        // manifest is there, and one lookup answers that at one moment (no directory checks around a read that takes time).
        if (manifests.TryGetValue(entry.Package, out var manifest) && ManifestIsThere(home, entry, deployments))
        {
            return new ListedDeployment(entry, home, DeploymentPresence.Deployed, DeployedPackage.Summarize(location, entry, manifest, home));
        }
        var found = snapshot.Files(entry, dir => DeployedPackage.Summarize(location, entry, DeployedPackage.ReadManifest(location, entry, dir, manifests), home));
        return new ListedDeployment(entry, home, found.Presence, found.Value);
    }

    /// <summary>Whether the manifest in <paramref name="home"/>, the entry's directory, is a file (links followed, as <see cref="File.Exists"/> answers).</summary>
    private static bool ManifestIsThere(string home, DeploymentEntry entry, int deployments) =>
        PosixFiles.FileExistsAt(deployments, entry.Hash.Hex, Manifest.Manifest.FileName)
        ?? File.Exists(Path.Combine(home, Manifest.Manifest.FileName));

    /// <summary>
    /// By id (ordinal), then newest version first; deployments of one version keep their lockfile order. A sort with
    /// one comparison, not an ordered LINQ query: that one cost a listing its generic setup on every run.
    /// </summary>
    private static DeploymentEntry[] Ordered(List<DeploymentEntry> deployments)
    {
        var order = new int[deployments.Count];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) =>
        {
            var x = deployments[a];
            var y = deployments[b];
            var byId = string.CompareOrdinal(x.Id.Value, y.Id.Value);
            if (byId != 0) return byId;
            var byVersion = y.Version.CompareTo(x.Version);
            return byVersion != 0 ? byVersion : a.CompareTo(b);
        });
        var ordered = new DeploymentEntry[order.Length];
        for (var i = 0; i < order.Length; i++) ordered[i] = deployments[order[i]];
        return ordered;
    }
}

/// <summary>
/// One deployment as <c>packster list</c> shows it; <see cref="Resources"/> is null when its files could not be read, or
/// when its recorded parameters are refused (<see cref="Problem"/> says why).
/// </summary>
public sealed record ListedDeployment(DeploymentEntry Entry, string Path, DeploymentPresence Presence, ResourceSummary? Resources)
{
    /// <summary>Why its resources are not shown although its files are there: what resolving its recorded parameters refused, or what is damaged.</summary>
    public string? Problem { get; init; }

    /// <summary>Its folder is there but its manifest is missing or no longer valid (<see cref="LocationErrors.Damaged"/>): listed as <c>damaged</c>.</summary>
    public bool Damaged { get; init; }
}
