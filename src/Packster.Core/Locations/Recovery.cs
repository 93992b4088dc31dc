using System.IO.Enumeration;
using Packster.Model;

namespace Packster.Locations;

/// <summary>
/// Brings a location back to what its lockfile says after a crash (spec/lockfile.md § Recovery). The lockfile is the
/// truth: leftover staging, trash and lockfile temp files are removed; deployment directories it does not record are
/// removed (an install that died before its commit is rolled back); recorded deployments whose directory is missing
/// (after a holder died, also whose <c>packster-deployment.json</c> is missing or files are short) are dropped from it,
/// with a warning. An unreadable lockfile stops it
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
        // After a holder died mid-operation (kill -9, power cut), also compare sizes: data not yet on disk comes back
        // as zero-length files, which a record's mere presence does not reveal.
        var checkSizes = heldLock?.PreviousHolderDied == true;
        // The same readings, made ahead of the lock while the command read its package, when nothing they read has changed.
        var ahead = heldLock is null || checkSizes ? null : location.ReadAhead?.TakeLockfile();
        if (ahead is null) Parallelism.WarmUpFor(location.LockfilePath);
        // Read first: if the lockfile cannot be read, nothing may be judged unrecorded, so nothing is touched.
        var (state, bytes, layout) = ahead is { } read ? (read.Lockfile.State, read.Lockfile.Bytes, read.Lockfile.Layout) : location.ReadStateWithLayout();
        var report = new RecoveryReport { State = state, LockfileBytes = bytes, LockfileLayout = layout, LockfileSha256 = ahead?.Lockfile.Sha256 };

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
        // The other files a commit replaces through a temp file (a generation record, the history journal, the activation
        // scripts) leave theirs only when their writer died between the two: looked for then, or when only inspecting.
        if (checkSizes || !repair)
        {
            foreach (var temp in AbandonedTemps(location))
            {
                if (repair) File.Delete(temp);
                report.RemovedTempFiles.Add(temp);
            }
        }

        var deployments = state.Deployments.ToList();
        var surveyed = ahead?.Deployments.Stamp ?? FileStamp.ForChanges(location.DeploymentsDirectory);
        // After a clean holder, deployments/ is listed only when it does not count as many folders as are recorded
        // (step 5): a holder that ends cleanly leaves it as its lockfile says, and a folder a hand adds or removes
        // changes the count. A record is looked for only after a holder died (or when nothing is repaired): a commit
        // publishes a deployment whole and durable, and nothing but a hand takes its record away while it is recorded.
        var (unrecorded, reasons, names) = ahead is { Deployments.Entries: null } || (repair && !checkSizes && ahead is null && HoldsRecordedCount(location, deployments.Count))
            ? AsRecorded(deployments)
            : Judge(location, deployments, ahead?.Deployments.Entries ?? Survey(location, records: checkSizes || !repair), checkSizes);
        unrecorded.Sort(StringComparer.Ordinal);
        foreach (var name in unrecorded)
        {
            if (repair) RemoveAside(location, Path.Join(location.DeploymentsDirectory, name));
            report.RemovedUnrecorded.Add(name);
        }

        var aside = new List<string>();
        foreach (var (d, reason) in deployments.Zip(reasons))
        {
            if (reason is null) continue;
            var dir = location.DeploymentDirectory(d.Hash);
            report.Dropped.Add(new DroppedDeployment(d.Id, d.Version, d.Hash, d.Active, reason) { Entry = d });
            warnings?.WriteLine($"warning: deployment {d.Id}@{d.Version} ({d.Hash}) was dropped from {Lockfile.FileName}: {reason}; reinstall it if you need it");
            if (!repair) continue;
            // Only renamed aside before the commit: until the lockfile stops recording it, a reader still finds it in
            // the trash (spec/lockfile.md § Readers).
            if (Directory.Exists(dir)) aside.Add(location.MoveAside(dir));
            state.Deployments.Remove(d);
        }
        // Nothing removed: what deployments/ holds is what was surveyed, every entry a recorded deployment. The commits
        // of this holder need not list it again while it stays so (Location.Commit).
        if (repair && unrecorded.Count == 0 && report.Dropped.Count == 0) location.KnowDeployments(names, surveyed);
        else if (repair) location.ForgetDeployments();
        if (repair && report.Dropped.Count > 0)
        {
            report.LockfileBefore = bytes;
            report.LockfileBytes = Lockfile.Serialize(state);
            report.LockfileLayout = null;
            report.LockfileSha256 = null;
            location.Commit(state, report.LockfileBytes, heldLock!);
            report.LockfileRewritten = true;
            foreach (var dir in aside) FileTree.Delete(dir);
        }
        return report;
    }

    /// <summary>
    /// What <c>deployments/</c> holds: every entry's name, and, with <paramref name="records"/>, whether a
    /// <c>packster-deployment.json</c> is there under it (links followed; never for what is not a directory; without,
    /// every entry counts as having one). One listing, then one lookup of two names per entry, on every core in strides:
    /// at 1,000 deployments the lookups were a tenth of an install's CPU time, so an ordinary command after a clean holder
    /// makes none (spec/lockfile.md § Recovery, step 6). Changes nothing, so it is also made ahead of the lock
    /// (<see cref="LocationReadAhead"/>).
    /// </summary>
    internal static (string Name, bool HasRecord)[] Survey(Location location, bool records)
    {
        if (!Directory.Exists(location.DeploymentsDirectory)) return [];
        var names = new FileSystemEnumerable<string>(location.DeploymentsDirectory, static (ref FileSystemEntry e) => e.FileName.ToString(),
            new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false }).ToArray();
        var entries = new (string Name, bool HasRecord)[names.Length];
        if (!records)
        {
            for (var i = 0; i < names.Length; i++) entries[i] = (names[i], true);
            return entries;
        }
        // Looked up under deployments/ opened once: two names per entry, not its whole path.
        var directory = PosixFiles.OpenDirectory(location.DeploymentsDirectory);
        try
        {
            Parallelism.Strided(names.Length, 64, i => entries[i] = (names[i], HasRecord(location, directory, names[i])));
        }
        finally
        {
            PosixFiles.Close(directory);
        }
        return entries;
    }

    /// <summary>
    /// Steps 5 and 6 of spec/lockfile.md § Recovery, judged from <paramref name="survey"/> and not acted on: the names
    /// <c>deployments/</c> holds that no deployment of <paramref name="deployments"/> has, and for each deployment, in
    /// order, why it is to be dropped (null: it stays).
    /// </summary>
    /// <remarks>Also gives the names surveyed as a set (for <see cref="Location.KnowDeployments"/>): made once, and the set of names recorded only when some surveyed name is not.</remarks>
    private static (List<string> Unrecorded, string?[] Reasons, HashSet<string> Names) Judge(Location location, List<DeploymentEntry> deployments,
        (string Name, bool HasRecord)[] survey, bool checkSizes)
    {
        var names = new HashSet<string>(survey.Length, StringComparer.Ordinal);
        var withoutRecord = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, hasRecord) in survey)
        {
            names.Add(name);
            if (!hasRecord) withoutRecord.Add(name);
        }
        var reasons = new string?[deployments.Count];
        var present = 0;
        for (var i = 0; i < deployments.Count; i++)
        {
            var hex = deployments[i].Hash.Hex;
            if (!names.Contains(hex))
            {
                reasons[i] = "its directory is missing";
                continue;
            }
            present++;
            // Whether the name is there (what a crash can take away); what it holds is verify's to judge.
            if (withoutRecord.Contains(hex)) reasons[i] = $"its directory has no {DeploymentRecord.FileName} (incomplete)";
        }
        // After a crash, a read of each record still there and a stat per file: on every core, in strides.
        if (checkSizes)
        {
            Parallelism.Strided(deployments.Count, 1, i => reasons[i] ??= IncompleteFile(location.DeploymentDirectory(deployments[i].Hash)));
        }
        // Every name surveyed is a recorded deployment's when as many are present as there are names (hashes are unique).
        List<string> unrecorded = [];
        if (present != names.Count)
        {
            var recorded = deployments.Select(d => d.Hash.Hex).ToHashSet(StringComparer.Ordinal);
            unrecorded = names.Where(name => !recorded.Contains(name)).ToList();
        }
        return (unrecorded, reasons, names);
    }

    /// <summary>
    /// Whether <c>deployments/</c> holds as many folders as <paramref name="recorded"/>, as its link count tells without a
    /// listing (<see cref="PosixFiles.FolderCount"/>); false where the count is not to be had.
    /// </summary>
    internal static bool HoldsRecordedCount(Location location, int recorded) => PosixFiles.FolderCount(location.DeploymentsDirectory) == recorded;

    /// <summary>What <see cref="Judge"/> finds when <c>deployments/</c> holds exactly the recorded deployments: nothing to remove or drop.</summary>
    private static (List<string> Unrecorded, string?[] Reasons, HashSet<string> Names) AsRecorded(List<DeploymentEntry> deployments)
    {
        var names = new HashSet<string>(deployments.Count, StringComparer.Ordinal);
        foreach (var d in deployments) names.Add(d.Hash.Hex);
        return ([], new string?[deployments.Count], names);
    }

    /// <summary>Whether <c>name/packster-deployment.json</c> is there under <c>deployments/</c>, opened as <paramref name="directory"/> (-1: by whole path).</summary>
    private static bool HasRecord(Location location, int directory, string name) => directory >= 0
        ? PosixFiles.ExistsAt(directory, name, DeploymentRecord.FileName)
        : File.Exists(Path.Join(location.DeploymentsDirectory, name, DeploymentRecord.FileName));

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

    /// <summary>
    /// Temp files of atomic writes (<c>{name}.{32 hex}.tmp</c>, § Atomic write) in <c>generations/</c>, <c>activate/</c>,
    /// of the history and policy journals in <c>.packster/</c> and of the policy file: what a writer killed before its rename left. Only names of that
    /// shape: nothing else in those folders is touched.
    /// </summary>
    private static IEnumerable<string> AbandonedTemps(Location location) =>
        Entries(Path.Combine(location.Path, Location.GenerationsDirectoryName), "*" + AtomicFile.TempSuffix)
            .Concat(Entries(location.ActivateDirectory, "*" + AtomicFile.TempSuffix))
            .Concat(Entries(location.InternalDirectory, AtomicFile.TempPattern(Packster.Deployments.HistoryJournal.FileName)))
            .Concat(Entries(location.InternalDirectory, AtomicFile.TempPattern(Packster.Deployments.PolicyJournal.FileName)))
            .Concat(Entries(location.Path, AtomicFile.TempPattern(Path.GetFileName(location.PolicyPath))))
            .Where(path => AtomicFile.IsTempName(Path.GetFileName(path)) && File.Exists(path));

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

    /// <summary>The SHA-256 of <see cref="LockfileBytes"/>, when computed with the reading (ahead of the lock); null otherwise.</summary>
    internal Sha256Digest? LockfileSha256 { get; set; }

    /// <summary>Where each entry lies in <see cref="LockfileBytes"/>, when the reading made a layout of them.</summary>
    internal LockfileLayout? LockfileLayout { get; set; }

    public bool IsClean => RemovedTempFiles.Count == 0 && RemovedStaging.Count == 0 && RemovedTrash.Count == 0
        && RemovedUnrecorded.Count == 0 && Dropped.Count == 0;
}

/// <summary>A deployment recovery removed from the lockfile, and why.</summary>
public sealed record DroppedDeployment(PackageId Id, PackageVersion Version, Sha256Digest Hash, bool WasActive, string Reason)
{
    /// <summary>The lockfile's entry as it was before it was dropped.</summary>
    public DeploymentEntry? Entry { get; init; }
}
