using Packster.Model;

namespace Packster.Locations;

/// <summary>
/// Brings a location back to what its lockfile says after a crash (spec/lockfile.md § Recovery). The lockfile is the
/// truth: leftover staging, trash and lockfile temp files are removed; deployment directories it does not record are
/// removed (an install that died before its commit is rolled back); recorded deployments whose directory or
/// <c>packster-deployment.json</c> is missing are dropped from it, with a warning. An unreadable lockfile stops it
/// before anything is touched. Every mutating command runs it right after taking the lock; it is cheap when clean.
/// </summary>
public static class Recovery
{
    /// <summary>Repairs <paramref name="location"/>; warnings (one line each) go to <paramref name="warnings"/>.</summary>
    public static RecoveryReport Run(Location location, LocationLock heldLock, TextWriter? warnings = null)
    {
        location.RequireHeld(heldLock);
        return Examine(location, repair: true, warnings, heldLock);
    }

    /// <summary>What <see cref="Run"/> would do, changing nothing: for read-only commands such as <c>verify</c>.</summary>
    public static RecoveryReport Inspect(Location location) => Examine(location, repair: false, null, null);

    private static RecoveryReport Examine(Location location, bool repair, TextWriter? warnings, LocationLock? heldLock)
    {
        Parallelism.WarmUpFor(location.LockfilePath);
        // Read first: if the lockfile cannot be read, nothing may be judged unrecorded, so nothing is touched.
        var (state, bytes, layout) = location.ReadStateWithLayout();
        var report = new RecoveryReport { State = state, LockfileBytes = bytes, LockfileLayout = layout };

        foreach (var temp in Entries(location.Path, AtomicFile.TempPattern(Lockfile.FileName)))
        {
            if (repair) File.Delete(temp);
            report.RemovedTempFiles.Add(temp);
        }
        report.RemovedStaging.AddRange(repair ? FileTree.DeleteChildren(location.StagingDirectory) : Entries(location.StagingDirectory));
        report.RemovedTrash.AddRange(repair ? FileTree.DeleteChildren(location.TrashDirectory) : Entries(location.TrashDirectory));
        // A replaced store object or a store index is written into the store's tmp/ and renamed: what is left there is garbage.
        var storeTemp = ExtractedFileStore.Of(location).TempDirectory;
        report.RemovedTempFiles.AddRange(repair ? FileTree.DeleteChildren(storeTemp) : Entries(storeTemp));

        // One listing of deployments/ answers both "unrecorded?" and "missing?": no stat per deployment for the latter.
        var (present, unrecorded) = location.ListDeployments(state, directoriesOnly: false);
        unrecorded.Sort(StringComparer.Ordinal);
        foreach (var name in unrecorded)
        {
            if (repair) RemoveAside(location, Path.Join(location.DeploymentsDirectory, name));
            report.RemovedUnrecorded.Add(name);
        }

        // After a holder died mid-operation (kill -9, power cut), also compare sizes: data not yet on disk comes back
        // as zero-length files, which a record's mere presence does not reveal.
        var checkSizes = heldLock?.PreviousHolderDied == true;
        var deployments = state.Deployments.ToList();
        // A stat per deployment (and after a crash, one per file): on every core, in strides, and judged in order below.
        var reasons = new string?[deployments.Count];
        // Looked up under deployments/ opened once: two names per deployment, not its whole path.
        var directory = PosixFiles.OpenDirectory(location.DeploymentsDirectory);
        try
        {
            Parallelism.Strided(deployments.Count, 64, i => reasons[i] = WhyIncomplete(location, directory, deployments[i], present, checkSizes));
        }
        finally
        {
            PosixFiles.Close(directory);
        }
        var aside = new List<string>();
        foreach (var (d, reason) in deployments.Zip(reasons))
        {
            if (reason is null) continue;
            var dir = location.DeploymentDirectory(d.Hash);
            report.Dropped.Add(new DroppedDeployment(d.Id, d.Version, d.Hash, d.Active, reason));
            warnings?.WriteLine($"warning: deployment {d.Id}@{d.Version} ({d.Hash}) was dropped from {Lockfile.FileName}: {reason}; reinstall it if you need it");
            if (!repair) continue;
            // Only renamed aside before the commit: until the lockfile stops recording it, a reader still finds it in
            // the trash (spec/lockfile.md § Readers).
            if (Directory.Exists(dir)) aside.Add(location.MoveAside(dir));
            state.Deployments.Remove(d);
        }
        if (repair && report.Dropped.Count > 0)
        {
            report.LockfileBefore = bytes;
            report.LockfileBytes = Lockfile.Serialize(state);
            report.LockfileLayout = null;
            location.Commit(state, report.LockfileBytes, heldLock!);
            report.LockfileRewritten = true;
            foreach (var dir in aside) FileTree.Delete(dir);
        }
        return report;
    }

    /// <summary>Why recovery drops <paramref name="d"/> (step 6 of spec/lockfile.md § Recovery); null when it stays.</summary>
    /// <param name="directory">deployments/, opened (<see cref="PosixFiles.OpenDirectory"/>); -1 to look up whole paths.</param>
    private static string? WhyIncomplete(Location location, int directory, DeploymentEntry d, HashSet<string> present, bool checkSizes)
    {
        if (!present.Contains(d.Hash.Hex)) return "its directory is missing";
        // Whether the name is there (what a crash can take away); what it holds is verify's to judge.
        var hasRecord = directory >= 0
            ? PosixFiles.ExistsAt(directory, d.Hash.Hex, DeploymentRecord.FileName)
            : File.Exists(Path.Join(location.DeploymentsDirectory, d.Hash.Hex, DeploymentRecord.FileName));
        return !hasRecord ? $"its directory has no {DeploymentRecord.FileName} (incomplete)"
            : checkSizes ? IncompleteFile(location.DeploymentDirectory(d.Hash))
            : null;
    }

    /// <summary>Why the deployment in <paramref name="dir"/> is incomplete: a recorded file missing or of another size; null when none is.</summary>
    private static string? IncompleteFile(string dir)
    {
        DeploymentRecord record;
        try
        {
            record = DeploymentRecord.ReadFrom(dir);
        }
        catch (PacksterException e) when (e.Code == ErrorCode.DeploymentRecordUnreadable)
        {
            return $"its {DeploymentRecord.FileName} is unreadable ({e.Message})";
        }
        foreach (var file in record.Files)
        {
            var info = new FileInfo(Path.Combine(dir, file.Path));
            if (!info.Exists) return $"its file {file.Path} is missing";
            if (info.Length != file.Size) return $"its file {file.Path} has {info.Length} bytes, {file.Size} recorded (not written to disk before a crash?)";
        }
        return null;
    }

    private static void RemoveAside(Location location, string entry)
    {
        if (Directory.Exists(entry))
        {
            // Renamed aside first, so a crash halfway through the delete leaves trash, not a half-deleted deployment.
            FileTree.Delete(location.MoveAside(entry));
        }
        else
        {
            File.Delete(entry);
        }
    }

    private static List<string> Entries(string directory, string pattern = "*") =>
        Directory.Exists(directory) ? Directory.EnumerateFileSystemEntries(directory, pattern).Order(StringComparer.Ordinal).ToList() : [];
}

/// <summary>What recovery found and (for <see cref="Recovery.Run"/>) removed or repaired; <see cref="IsClean"/> when nothing.</summary>
public sealed class RecoveryReport
{
    /// <summary>Leftover <c>packster-location.json.*.tmp</c> files (a crash during a lockfile write).</summary>
    public List<string> RemovedTempFiles { get; } = [];

    /// <summary>Leftover entries of <c>.packster/staging/</c> (a crash before publish).</summary>
    public List<string> RemovedStaging { get; } = [];

    /// <summary>Leftover entries of <c>.packster/trash/</c> (a crash before the trash was emptied).</summary>
    public List<string> RemovedTrash { get; } = [];

    /// <summary>Names of entries in <c>deployments/</c> that the lockfile does not record (a crash between publish and commit).</summary>
    public List<string> RemovedUnrecorded { get; } = [];

    /// <summary>Recorded deployments removed from the lockfile because their directory was missing or incomplete.</summary>
    public List<DroppedDeployment> Dropped { get; } = [];

    /// <summary>
    /// The lockfile's state after recovery, as read under the lock: the installer can mutate and commit it without
    /// reading the lockfile again. (For <see cref="Recovery.Inspect"/>: the state as read, nothing dropped.)
    /// </summary>
    public LocationState State { get; internal set; } = null!;

    /// <summary>True when the lockfile was rewritten: activation (shims, scripts) should be regenerated from it.</summary>
    public bool LockfileRewritten { get; set; }

    /// <summary>The lockfile's bytes before recovery rewrote it (null when it did not): what its history commit line starts from.</summary>
    public byte[]? LockfileBefore { get; internal set; }

    /// <summary>The lockfile's bytes as recovery left it: the ones <see cref="State"/> was read from, or, when it rewrote the file, the ones it wrote.</summary>
    public byte[] LockfileBytes { get; internal set; } = [];

    /// <summary>Where each entry lies in <see cref="LockfileBytes"/>, when the reading made a layout of them.</summary>
    internal LockfileLayout? LockfileLayout { get; set; }

    public bool IsClean => RemovedTempFiles.Count == 0 && RemovedStaging.Count == 0 && RemovedTrash.Count == 0
        && RemovedUnrecorded.Count == 0 && Dropped.Count == 0;
}

/// <summary>A deployment recovery removed from the lockfile, and why.</summary>
public sealed record DroppedDeployment(PackageId Id, PackageVersion Version, Sha256Digest Hash, bool WasActive, string Reason);
