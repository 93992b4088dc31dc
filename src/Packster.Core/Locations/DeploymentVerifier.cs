using Packster.Model;
using Packster.Packaging;

namespace Packster.Locations;

/// <summary>
/// Checks that deployments are still what was installed: every file of <c>packster-deployment.json</c> present with
/// the recorded size, SHA-256 and (on POSIX) permission bits, every link with its target, and nothing else added.
/// Reads only; reports problems rather than throwing, except for an unreadable record.
/// </summary>
public static class DeploymentVerifier
{
    /// <summary>
    /// Verifies every deployment of one committed state of <paramref name="location"/>, in lockfile order, without the
    /// lock: a deployment a writer is removing (spec/lockfile.md § Readers) is reported as such, not as missing.
    /// </summary>
    /// <remarks>
    /// With <paramref name="quick"/> (spec/lockfile.md § Quick verify) a file whose size and modification time are those
    /// its index entry remembers is not read, a file whose time moved is compared by XXH128, and a file the index does
    /// not vouch for is hashed with SHA-256 as without it; the index is then brought up to date.
    /// </remarks>
    public static IReadOnlyList<DeploymentVerification> Verify(Location location, bool quick = false) => Verify(location, quick, FolderSettling);

    /// <summary>
    /// As above; a folder whose times are less than <paramref name="folderSettling"/> older than the run are not
    /// remembered in the quick index (spec/lockfile.md § Quick verify: a change within the file system's timestamp
    /// granularity would not move them). Tests pass zero to have fresh folders remembered.
    /// </summary>
    internal static IReadOnlyList<DeploymentVerification> Verify(Location location, bool quick, TimeSpan folderSettling) =>
        LocationSnapshot.Read(location, snapshot => snapshot.State.Deployments.Select(d => Verify(snapshot, d, quick, folderSettling)).ToList());

    /// <summary>How much older than a run a folder's times must be for the quick index to remember them.</summary>
    private static readonly TimeSpan FolderSettling = TimeSpan.FromSeconds(2);

    private static DeploymentVerification Verify(LocationSnapshot snapshot, DeploymentEntry entry, bool quick, TimeSpan folderSettling)
    {
        var home = snapshot.Location.DeploymentDirectory(entry.Hash);
        var index = quick ? snapshot.Location.VerifyIndexPath(entry.Hash) : null;
        var found = snapshot.Files(entry, dir => Verify(dir, entry.Hash, index, folderSettling), fromTrash: false);
        return found.Presence switch
        {
            DeploymentPresence.Deployed => found.Value!,
            DeploymentPresence.Removing => new DeploymentVerification(home, null, []) { Removing = true },
            _ => new DeploymentVerification(home, null, [new VerificationProblem(VerificationProblemKind.Missing, ".", "the deployment directory does not exist")]),
        };
    }

    /// <summary>Verifies one deployment directory against its own record (and, when given, the hash it should carry).</summary>
    public static DeploymentVerification Verify(string deploymentDirectory, Sha256Digest? expectedHash = null) =>
        Verify(deploymentDirectory, expectedHash, quickIndex: null, FolderSettling);

    private static DeploymentVerification Verify(string deploymentDirectory, Sha256Digest? expectedHash, string? quickIndex, TimeSpan folderSettling)
    {
        var problems = new List<VerificationProblem>();
        if (!Directory.Exists(deploymentDirectory))
        {
            problems.Add(new VerificationProblem(VerificationProblemKind.Missing, ".", "the deployment directory does not exist"));
            return new DeploymentVerification(deploymentDirectory, null, problems);
        }
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(deploymentDirectory));
        var indexBytes = quickIndex is null ? null : QuickVerifyIndex.Load(quickIndex);
        var remembered = QuickVerifyIndex.Folders(indexBytes);
        var started = DateTime.UtcNow;
        // Taken before the record is read: what a later run compares it with (§ Quick verify, record).
        var recordStamp = quickIndex is null ? default : FileStamp.Of(Path.Join(root, DeploymentRecord.FileName));
        var knownRecord = QuickVerifyIndex.Record(indexBytes);
        if (knownRecord is not null && remembered is not null && knownRecord.Matches(recordStamp)
            && Unchanged(deploymentDirectory, root, expectedHash, indexBytes!, knownRecord, remembered) is { } unchanged)
        {
            return unchanged;
        }
        // The walk is system calls and the record and index are parsing: one overlaps the other. A quick run whose
        // index remembers every folder with the stamp it still has lists nothing (§ Quick verify, folders).
        var listing = Task.Run(() =>
            remembered is not null && remembered.All(f => f.Matches(FileStamp.Of(f.Path == "." ? root : Path.Join(root, f.Path), directory: true)))
                ? new Listing(null, null, remembered)
                : Walk(root, quickIndex is not null));
        DeploymentRecord record;
        (QuickVerifyIndex.Entry?[] Entries, int Count)? index;
        try
        {
            record = DeploymentRecord.ReadFrom(deploymentDirectory);
            index = quickIndex is null ? null : QuickVerifyIndex.Read(indexBytes, record.Files);
        }
        catch (Exception e)
        {
            // The record's failure is the one to report; the walk is awaited (its own failure observed) so nothing runs on.
            listing.ContinueWith(t => t.Exception, TaskScheduler.Default).Wait();
            if (e is not PacksterException { Code: ErrorCode.DeploymentRecordUnreadable }) throw;
            // A record missing or unreadable is this deployment's problem, not the end of the run: the others are verified.
            var recordPath = Path.Combine(deploymentDirectory, DeploymentRecord.FileName);
            var detail = e.Message.StartsWith(recordPath + ": ", StringComparison.Ordinal) ? e.Message[(recordPath.Length + 2)..] : e.Message;
            problems.Add(new VerificationProblem(File.Exists(recordPath) ? VerificationProblemKind.Modified : VerificationProblemKind.Missing, DeploymentRecord.FileName, detail));
            return new DeploymentVerification(deploymentDirectory, null, problems);
        }
        var listed = listing.GetAwaiter().GetResult();
        // Folders unchanged: the deployment holds the recorded paths, links as they were (a link's target cannot be
        // changed in place); each file's own stamp is still taken. Anything but a regular file there: list after all.
        if (listed.Files is null) listed = StatRecorded(root, record, listed.Folders) ?? Walk(root, remember: true);
        var (files, links) = (listed.Files!, listed.Links!);
        if (expectedHash is { } h && record.Deployment != h)
        {
            problems.Add(new VerificationProblem(VerificationProblemKind.Modified, DeploymentRecord.FileName, $"records deployment {record.Deployment}, expected {h}"));
        }

        var actualFiles = files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var content = new ContentCheck(index);
        var actualLinks = links.ToDictionary(l => l.Path, StringComparer.Ordinal);
        var checkModes = !OperatingSystem.IsWindows();
        var present = new ListedFile?[record.Files.Count];
        // A FIFO, socket or device where a file was recorded is reported, never opened: a FIFO's open waits for a writer.
        var special = new string?[present.Length];
        for (var i = 0; i < present.Length; i++)
        {
            present[i] = actualFiles.Remove(record.Files[i].Path, out var actual) ? actual : null;
            if (present[i] is { Stamp.Kind: FileStampKind.Special } odd)
            {
                special[i] = FileKinds.Of(odd.FullPath).Describe();
                present[i] = null;
            }
        }
        var outcomes = content.CheckAll(record.Files, present);
        for (var i = 0; i < present.Length; i++)
        {
            var expected = record.Files[i];
            if (special[i] is { } kind)
            {
                problems.Add(new VerificationProblem(VerificationProblemKind.Modified, expected.Path, $"expected a file with sha256 {expected.Sha256}, found {kind}"));
            }
            else if (present[i] is not { } actual)
            {
                problems.Add(new VerificationProblem(VerificationProblemKind.Missing, expected.Path, "file is missing"));
            }
            else if (outcomes[i].Found is { } found)
            {
                problems.Add(new VerificationProblem(VerificationProblemKind.Modified, expected.Path, $"expected sha256 {expected.Sha256} ({expected.Size} bytes), found {found}"));
            }
            else if (checkModes && expected.Mode is { } em && actual.Stamp.Mode is { } am && (em & Permissions) != (am & Permissions))
            {
                problems.Add(new VerificationProblem(VerificationProblemKind.ModeChanged, expected.Path,
                    $"expected mode {Convert.ToString((int)(em & Permissions), 8)}, found {Convert.ToString((int)(am & Permissions), 8)}"));
            }
        }
        foreach (var expected in record.Links)
        {
            if (!actualLinks.Remove(expected.Path, out var actual))
            {
                problems.Add(new VerificationProblem(VerificationProblemKind.Missing, expected.Path, "link is missing"));
            }
            else if (actual.Target != expected.Target)
            {
                problems.Add(new VerificationProblem(VerificationProblemKind.Modified, expected.Path, $"link points to '{actual.Target}', expected '{expected.Target}'"));
            }
        }
        foreach (var extra in actualFiles.Keys.Concat(actualLinks.Keys).Order(StringComparer.Ordinal))
        {
            problems.Add(new VerificationProblem(VerificationProblemKind.Extra, extra, "not part of the deployment"));
        }
        if (quickIndex is not null)
        {
            // Folders are remembered only after a listing that found exactly the recorded paths, and only when their
            // times are settled: a change within the timestamp granularity after their lstat would not move them.
            var complete = !problems.Any(p => p.Kind is VerificationProblemKind.Missing or VerificationProblemKind.Extra);
            var settled = started.Ticks - folderSettling.Ticks;
            var folders = complete && listed.Folders is { } stamped && stamped.All(f => Math.Max(f.ModifiedTicks, f.ChangedTicks) < settled) ? stamped : null;
            var foldersChanged = !SameFolders(folders, remembered);
            // The record is remembered with the folders, once every recorded file was found intact and it has settled too.
            var recordLine = folders is not null && problems.Count == 0 && content.Proven.Count == record.Files.Count
                && recordStamp.Kind == FileStampKind.File && recordStamp.Inode != 0 && Math.Max(recordStamp.ModifiedTicks, recordStamp.ChangedTicks) < settled
                ? QuickVerifyIndex.RecordStamp.Of(record.Files.Count, recordStamp) : null;
            var changed = content.IndexChanged || foldersChanged || recordLine != knownRecord;
            if (changed) content.Saved = QuickVerifyIndex.TryWrite(quickIndex, content.Proven, folders, recordLine);
            return new DeploymentVerification(deploymentDirectory, record, problems)
            {
                Quick = content.Statistics with { IndexCurrent = !changed || content.Saved, FoldersListed = listed.FoldersListed },
            };
        }
        return new DeploymentVerification(deploymentDirectory, record, problems);
    }

    /// <summary>
    /// A quick run's answer when the record, every folder and every file still have the stamps the index remembers from
    /// a run that found them all intact: the deployment is unchanged, and only the record's header is read (for the
    /// package and signature that <c>verify</c> checks against today's policy). Null when anything moved or does not
    /// read as expected: the deployment is then verified as without this.
    /// </summary>
    private static DeploymentVerification? Unchanged(string directory, string root, Sha256Digest? expectedHash, byte[] indexBytes,
        QuickVerifyIndex.RecordStamp known, List<QuickVerifyIndex.Folder> folders)
    {
        if (!folders.All(f => f.Matches(FileStamp.Of(f.Path == "." ? root : Path.Join(root, f.Path), directory: true)))) return null;
        if (!QuickVerifyIndex.FilesUnchanged(indexBytes, root, known.Files)) return null;
        var recordFile = Path.Join(root, DeploymentRecord.FileName);
        var header = DeploymentRecord.TryReadHeader(recordFile);
        // Read between two stamps that both match: the header is that of the record the index was proven against.
        if (header is null || !known.Matches(FileStamp.Of(recordFile)) || (expectedHash is { } h && header.Deployment != h)) return null;
        return new DeploymentVerification(directory, header, [])
        {
            Quick = new QuickVerifyStatistics(known.Files, 0, 0, 0, IndexCurrent: true) { FoldersListed = false, RecordRead = false },
        };
    }

    /// <summary>
    /// The deployment's files and links (both null until known, when the index's folders were all unchanged), the
    /// folders' stamps, and whether the folders were listed to find them.
    /// </summary>
    private sealed record Listing(IReadOnlyList<ListedFile>? Files, IReadOnlyList<DeploymentLink>? Links, List<QuickVerifyIndex.Folder>? Folders)
    {
        public bool FoldersListed { get; init; } = true;
    }

    /// <summary>Lists the deployment; with <paramref name="remember"/>, stamps its folders for the quick index.</summary>
    private static Listing Walk(string root, bool remember)
    {
        // Only where lstat gives a folder's ctime and inode: a Windows folder's write time alone is not trusted.
        var folders = remember && !OperatingSystem.IsWindows() ? new List<QuickVerifyIndex.Folder>() : null;
        var (files, links) = DeploymentRecord.List(root, folders);
        return new Listing(files, links, folders);
    }

    /// <summary>
    /// The recorded files, each with one lstat of its own, in unchanged <paramref name="folders"/>; null when one is gone
    /// or not a regular file any more.
    /// </summary>
    private static Listing? StatRecorded(string root, DeploymentRecord record, List<QuickVerifyIndex.Folder>? folders)
    {
        var files = new ListedFile?[record.Files.Count];
        Parallelism.Strided(files.Length, 256, i =>
        {
            var path = record.Files[i].Path;
            var stamp = FileStamp.Of(root, path, isDirectory: false);
            // Inode 0: the lstat failed (the file went since the folders were checked).
            files[i] = stamp.Kind == FileStampKind.File && stamp.Inode != 0 ? new ListedFile(root, path, stamp) : null;
        });
        return files.Any(f => f is null) ? null : new Listing(files!, record.Links, folders) { FoldersListed = false };
    }

    private static bool SameFolders(IReadOnlyList<QuickVerifyIndex.Folder>? a, IReadOnlyList<QuickVerifyIndex.Folder>? b) =>
        a is null ? b is null : b is not null && a.OrderBy(f => f.Path, StringComparer.Ordinal).SequenceEqual(b.OrderBy(f => f.Path, StringComparer.Ordinal));

    /// <summary>
    /// Compares files' content with their record: by SHA-256 always without an index; with one, by what the index
    /// proves first (spec/lockfile.md § Quick verify), remembering every file found intact for the next run.
    /// Files that must be read are hashed in parallel, one worker per processor, largest first; what each check found
    /// is then taken in record order, so problems, counts and the index do not depend on which worker finished first.
    /// </summary>
    /// <remarks><paramref name="index"/> holds the index entries by position in the record, and how many the index holds.</remarks>
    private sealed class ContentCheck((QuickVerifyIndex.Entry?[] Entries, int Count)? index)
    {
        private int _byStat;
        private int _byXxHash;
        private int _bySha256;
        private long _bytesRead;
        private bool _changed;

        public List<QuickVerifyIndex.Entry> Proven { get; } = [];

        /// <summary>Whether the index on disk no longer says exactly what this run proved.</summary>
        public bool IndexChanged => _changed || Proven.Count != index?.Count;
        public bool Saved { get; set; }

        public QuickVerifyStatistics Statistics => new(_byStat, _byXxHash, _bySha256, _bytesRead, !IndexChanged || Saved);

        /// <summary>What each present file's check found, by position in <paramref name="expected"/> (default for absent ones).</summary>
        public Outcome[] CheckAll(IReadOnlyList<DeploymentFile> expected, ListedFile?[] actual)
        {
            var outcomes = new Outcome[expected.Count];
            var toRead = new List<int>();
            for (var i = 0; i < outcomes.Length; i++)
            {
                if (actual[i] is not { } file) continue;
                if (FromMetadata(i, expected[i], file) is { } decided) outcomes[i] = decided;
                else toRead.Add(i);
            }
            // Biggest first: a large file started last would leave the other workers idle at the end.
            toRead.Sort((a, b) => actual[b]!.Stamp.Size.CompareTo(actual[a]!.Stamp.Size));
            Parallelism.For(toRead.Count, k => outcomes[toRead[k]] = Read(toRead[k], expected[toRead[k]], actual[toRead[k]]!));
            for (var i = 0; i < outcomes.Length; i++)
            {
                if (actual[i] is not null) Count(outcomes[i]);
            }
            return outcomes;
        }

        /// <summary>The outcome when metadata decides it (quick only: the size differs, or the index vouches for the stamp); else null.</summary>
        private Outcome? FromMetadata(int position, DeploymentFile expected, ListedFile actual)
        {
            if (index is null) return null;
            var stamp = actual.Stamp;
            if (stamp.Size != expected.Size) return new Outcome($"{stamp.Size} bytes (not read: the size differs)", Proof.None, 0, null, false);
            return index.Value.Entries[position] is { } known && known.Matches(stamp) ? new Outcome(null, Proof.Stat, 0, known, false) : null;
        }

        /// <summary>Reads one file; safe to run on any thread (it touches nothing shared).</summary>
        private Outcome Read(int position, DeploymentFile expected, ListedFile actual)
        {
            var size = actual.Stamp.Size;
            if (index is null)
            {
                var sha = Sha256Digest.ComputeFile(actual.FullPath);
                return new Outcome(size == expected.Size && sha == expected.Sha256 ? null : $"{sha} ({size} bytes)", Proof.None, 0, null, false);
            }
            if (index.Value.Entries[position] is { } known)
            {
                if (QuickVerifyIndex.XxHash(actual.FullPath) == known.XxHash128)
                {
                    return new Outcome(null, Proof.XxHash, size, known.StampedWith(actual.Stamp), true);
                }
                return new Outcome($"{Sha256Digest.ComputeFile(actual.FullPath)} ({size} bytes)", Proof.None, 2 * size, null, false);
            }
            var (found, xx) = QuickVerifyIndex.BothHashes(actual.FullPath);
            if (found != expected.Sha256) return new Outcome($"{found} ({size} bytes)", Proof.Sha256, size, null, false);
            return new Outcome(null, Proof.Sha256, size, QuickVerifyIndex.Entry.Of(expected.Path, found, actual.Stamp, xx), true);
        }

        private void Count(Outcome outcome)
        {
            _bytesRead += outcome.BytesRead;
            switch (outcome.Proof)
            {
                case Proof.Stat: _byStat++; break;
                case Proof.XxHash: _byXxHash++; break;
                case Proof.Sha256: _bySha256++; break;
            }
            if (outcome.Proven is { } entry) Proven.Add(entry);
            _changed |= outcome.Remembered;
        }
    }

    /// <summary>How a quick check proved a file (or counted it), as the summary reports it.</summary>
    private enum Proof
    {
        None,
        Stat,
        XxHash,
        Sha256,
    }

    /// <summary>
    /// One file's check: <see cref="Found"/> is null when the content is the recorded one, else what was found instead;
    /// <see cref="Proven"/> the index entry to keep (<see cref="Remembered"/> when it is new or changed).
    /// </summary>
    private readonly record struct Outcome(string? Found, Proof Proof, long BytesRead, QuickVerifyIndex.Entry? Proven, bool Remembered);

    private const UnixFileMode Permissions = (UnixFileMode)0b111_111_111;
}

/// <summary>
/// The outcome of verifying one deployment; <see cref="IsIntact"/> when nothing differs. <see cref="Record"/> is null when
/// the deployment was not there to read; when a quick run found it unchanged without reading the record's files
/// (<see cref="QuickVerifyStatistics.RecordRead"/> false) it holds the record's header only, with no files or links.
/// </summary>
public sealed record DeploymentVerification(string Directory, DeploymentRecord? Record, IReadOnlyList<VerificationProblem> Problems)
{
    public bool IsIntact => Problems.Count == 0;

    /// <summary>A writer is removing it (or was interrupted doing so): not verified, and not a problem.</summary>
    public bool Removing { get; init; }

    /// <summary>How a quick verification proved the files (null for a full one).</summary>
    public QuickVerifyStatistics? Quick { get; init; }
}

/// <summary>
/// Files a quick verification found intact without reading (<see cref="ByStat"/>), by XXH128 after their time moved
/// (<see cref="ByXxHash"/>) and by SHA-256 for want of an index entry (<see cref="BySha256"/>); bytes read in all; whether
/// the index is now current.
/// </summary>
public sealed record QuickVerifyStatistics(int ByStat, int ByXxHash, int BySha256, long BytesRead, bool IndexCurrent)
{
    /// <summary>Whether the deployment's folders were listed (false: the index vouched for every folder, spec/lockfile.md § Quick verify).</summary>
    public bool FoldersListed { get; init; } = true;

    /// <summary>
    /// Whether the record's files were read (false: the index vouched for the record, its folders and its files, and
    /// only the record's header was read; spec/lockfile.md § Quick verify).
    /// </summary>
    public bool RecordRead { get; init; } = true;
}

public enum VerificationProblemKind
{
    Missing,
    Modified,
    ModeChanged,
    Extra,

    /// <summary>The recorded signature no longer passes the trust policy (spec/signing.md § Verify).</summary>
    Signature,
}

/// <summary>One difference between a deployment on disk and its record; <see cref="Path"/> is relative to the deployment.</summary>
public sealed record VerificationProblem(VerificationProblemKind Kind, string Path, string Detail)
{
    public override string ToString() => $"{Path}: {Detail}";
}
