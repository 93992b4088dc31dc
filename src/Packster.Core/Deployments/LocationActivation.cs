using Packster.Activation;
using Packster.Locations;
using Packster.Model;
using Packster.Resources;

namespace Packster.Deployments;

/// <summary>
/// Keeps a location's shims and activation scripts equal to what its lockfile says is active. They are derived
/// files: regenerated after every commit, and by recovery when a crash left them behind the lockfile.
/// </summary>
public static class LocationActivation
{
    private const string GenerationMarker = ".generation";

    /// <summary>Current owners of every claimed resource in <paramref name="state"/>, for the resource guard.</summary>
    public static Dictionary<ResourceClaim, ResourceOwner> Owners(LocationState state)
    {
        var owners = new Dictionary<ResourceClaim, ResourceOwner>();
        foreach (var d in state.ActiveDeployments)
        {
            var owner = OwnerOf(state, d);
            foreach (var text in d.Claims)
            {
                // A shared claim (a list variable) is held by every deployment that extends it: one entry per holder.
                owners[ClaimText.Parse(text).Of(d.Hash)] = owner;
            }
        }
        return owners;
    }

    public static ResourceOwner OwnerOf(LocationState state, DeploymentEntry entry) =>
        new(state.LocationId.Value, entry.Id, entry.Version, entry.Hash);

    /// <summary>True when the shims and scripts were generated from exactly this lockfile state.</summary>
    public static bool IsCurrent(Location location, LocationState state)
    {
        var marker = Path.Combine(location.ActivateDirectory, GenerationMarker);
        // A marker that is not a regular file (a FIFO would wait for a writer) marks nothing current: it is rewritten.
        return File.Exists(marker) && RegularFile.TryReadAllBytes(marker, out _) is { } bytes && System.Text.Encoding.UTF8.GetString(bytes).Trim() == state.Hash.Hex;
    }

    /// <summary>Regenerates shims and activation scripts for the active deployments of <paramref name="state"/>.</summary>
    public static void Refresh(Location location, LocationState state, LocationLock heldLock) =>
        Write(location, state, Render(location, state), heldLock);

    /// <summary>
    /// Every derived file of <paramref name="state"/> — its shims, activation scripts for every shell,
    /// the profile scripts — rendered without writing anything. Rendering is where a value that some script cannot
    /// carry fails, so a mutation renders before it commits (spec/activation.md § Derived files): such a value then
    /// fails the command with nothing changed, instead of failing every command after the commit.
    /// </summary>
    public static DerivedFiles Render(Location location, LocationState state)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(state);
        var active = state.ActiveDeployments.Select(d => DeployedPackage.Load(location, d)).ToList();
        var shims = active.SelectMany(p => p.Resources.Shims).ToList();
        ShimWriter.CheckSet(shims);
        // Shims are rendered for the platform they are written on (a Windows target path may not hold '"', a POSIX one
        // may); values are judged the same on every platform by ValueRules before they get here.
        foreach (var shim in shims)
        {
            _ = ShimScripts.Files(shim, ShimPlatforms.Current).ToList();
        }
        var spec = SpecOf(location, active);
        var scripts = ActivationScripts.RenderAll(spec);
        var desktop = active.SelectMany(p => p.Resources.Desktop.Select(d =>
            (DesktopEntries.FileName(location.Id.Value, p.Entry.Id.Value, d.Id), DesktopEntries.Render(d, location.Id.Value, p.Entry.Id.Value)))).ToList();
        var shortcuts = DesktopEntries.Shortcuts([.. active.SelectMany(p => p.Resources.Desktop.Select(d => (p.Entry.Id.Value, d)))]);
        return new DerivedFiles(shims, spec, scripts) { Desktop = desktop, Shortcuts = shortcuts };
    }

    /// <summary>Writes what <see cref="Render"/> rendered for <paramref name="state"/>, and marks the files as generated from it.</summary>
    public static void Write(Location location, LocationState state, DerivedFiles files, LocationLock heldLock)
    {
        ArgumentNullException.ThrowIfNull(heldLock);
        ArgumentNullException.ThrowIfNull(files);
        CrashPoint.Hit("activation.write");
        // While the marker is there the shims folder is one a full write made durable (shims written ahead of a
        // transaction's commit remove the marker first): when it already holds these shims, it is kept.
        var marker = Path.Combine(location.ActivateDirectory, GenerationMarker);
        ShimWriter.WriteAll(location.ShimsDirectory, files.Shims, ShimPlatforms.Current, keepIfHeld: File.Exists(marker));
        // The scripts for every shell and the profile scripts: one batch, flushed together.
        Directory.CreateDirectory(location.ActivateDirectory);
        AtomicFile.WriteIfChanged([.. ActivationScripts.Files(location.ActivateDirectory, files.Scripts), .. PersistentActivation.Files(location, files.Spec)]);
        WriteDesktop(location, files);
        // Last, and not flushed: everything it marks is durable by now, so after a crash it is the old marker, the new
        // one, or one that matches no hash — and a marker that does not match the lockfile's hash makes the next command
        // regenerate (spec/lockfile.md § Derived state). Flushing it was two journal commits on every commit.
        AtomicFile.WriteIfChanged(marker, System.Text.Encoding.UTF8.GetBytes(state.Hash.Hex + "\n"), durable: false);
    }

    /// <summary>What activating <paramref name="location"/> means: its shims folder first on PATH and its active deployments' env.</summary>
    public static ActivationSpec Spec(Location location, LocationState state) =>
        SpecOf(location, state.ActiveDeployments.Select(d => DeployedPackage.Load(location, d)).ToList());

    private static ActivationSpec SpecOf(Location location, IReadOnlyList<DeployedPackage> active)
    {
        var env = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in active)
        {
            foreach (var (key, value) in p.Resources.Env) env[key] = value;
        }
        // List variables: each deployment's entries in a defined order — higher priority first, then by package id and
        // deployment hash, so the order never depends on timing (spec/resources.md § List variables).
        var lists = active.SelectMany(p => p.Resources.EnvLists.Select(l => (Package: p, Key: l.Key, List: l.Value)))
            .GroupBy(x => x.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g =>
            {
                var ordered = g.OrderByDescending(x => x.List.Priority).ThenBy(x => x.Package.Entry.Id.Value, StringComparer.Ordinal)
                    .ThenBy(x => x.Package.Entry.Hash.Hex, StringComparer.Ordinal).ToList();
                return new ListValue([.. ordered.SelectMany(x => x.List.Prepend)], [.. ordered.SelectMany(x => x.List.Append)]);
            }, StringComparer.Ordinal);
        return new ActivationSpec(location.Path, location.Id.Value, location.ShimsDirectory, env, lists);
    }

    /// <summary>
    /// Inside a transaction, before its commit: the shims of its in-progress <paramref name="state"/>, so a later
    /// package's handlers can run an earlier one's shims (spec/lockfile.md § Transactions). The generation marker is
    /// removed first, durably, so if the transaction never commits (undone, killed, or the power cut) the next refresh
    /// regenerates everything from the lockfile; that is also why these shims need not reach the disk before they are
    /// swapped in. <paramref name="known"/> keeps each deployment's shims across the calls of one transaction: a
    /// deployment's hash fixes its package and parameters, so its manifest is read and its shims' kinds (spec/activation.md) chosen once, not once per later package.
    /// </summary>
    /// <param name="ahead">The transaction's shims written so far, which this call brings up to date (<see cref="ShimWriter.Ahead"/>).</param>
    public static void WriteShimsAhead(Location location, LocationState state, LocationLock heldLock,
        Dictionary<Sha256Digest, (ShimDefinition Shim, ShimKind Kind)[]> known, ShimWriter.Ahead ahead)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(heldLock);
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(ahead);
        var marker = Path.Combine(location.ActivateDirectory, GenerationMarker);
        if (File.Exists(marker))
        {
            File.Delete(marker);
            DirectorySync.Flush(location.ActivateDirectory);
        }
        var platform = ShimPlatforms.Current;
        var shims = new List<(ShimDefinition Shim, ShimKind Kind)>();
        foreach (var d in state.ActiveDeployments)
        {
            if (!known.TryGetValue(d.Hash, out var own))
            {
                known[d.Hash] = own = [.. DeployedPackage.Load(location, d).Resources.Shims.Select(s => (s, ShimKinds.Choose(s, platform)))];
            }
            shims.AddRange(own);
        }
        ahead.Write(location.ShimsDirectory, shims, platform);
    }

    /// <summary>
    /// The menu entries in <c>&lt;location&gt;/applications/</c>, and, for a location enabled for the user, where the
    /// user's menu finds them: the user's applications folder on Linux and the BSDs (freedesktop menus), the location's
    /// own Start-menu folder on Windows (shortcuts). Exactly the active deployments' entries.
    /// </summary>
    public static void WriteDesktop(Location location, DerivedFiles files)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(files);
        var applications = Path.Combine(location.Path, DesktopEntries.DirectoryName);
        DesktopEntries.Sync(applications, location.Id.Value, files.Desktop);
        if (OperatingSystem.IsWindows())
        {
            DesktopEntries.SyncShortcuts(Path.Combine(applications, DesktopEntries.ShortcutDirectoryName), files.Shortcuts);
            if (new EnabledLocations(location.Paths).IsEnabled(location))
                DesktopEntries.SyncShortcuts(DesktopEntries.StartMenuDirectory(location.Paths, location.Id.Value), files.Shortcuts);
        }
        else if (!OperatingSystem.IsMacOS() && new EnabledLocations(location.Paths).IsEnabled(location))
        {
            DesktopEntries.Sync(DesktopEntries.UserDirectory(location.Paths), location.Id.Value, files.Desktop);
        }
    }

    /// <summary>Regenerates only when the derived files lag the lockfile (after a crash between commit and refresh).</summary>
    public static bool RefreshIfStale(Location location, LocationState state, LocationLock heldLock)
    {
        if (IsCurrent(location, state)) return false;
        Refresh(location, state, heldLock);
        return true;
    }
}

/// <summary>A location's derived files as rendered from one lockfile state (<see cref="LocationActivation.Render"/>).</summary>
public sealed record DerivedFiles(IReadOnlyList<ShimDefinition> Shims, ActivationSpec Spec, IReadOnlyList<(string FileName, string Text)> Scripts)
{
    /// <summary>The <c>.desktop</c> files of the active deployments' menu entries.</summary>
    public IReadOnlyList<(string FileName, string Text)> Desktop { get; init; } = [];

    /// <summary>The same entries as Windows shortcuts (<c>.lnk</c>), rendered on every OS, written on Windows.</summary>
    public IReadOnlyList<(string FileName, byte[] Bytes)> Shortcuts { get; init; } = [];
}
