using Packster.Model;

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
    public static IReadOnlyList<DeploymentVerification> Verify(Location location, bool quick = false) =>
        LocationSnapshot.Read(location, snapshot => snapshot.State.Deployments.Select(d => Verify(snapshot, d, quick)).ToList());

    private static DeploymentVerification Verify(LocationSnapshot snapshot, DeploymentEntry entry, bool quick)
    {
        var home = snapshot.Location.DeploymentDirectory(entry.Hash);
        var index = quick ? snapshot.Location.VerifyIndexPath(entry.Hash) : null;
        var found = snapshot.Files(entry, dir => Verify(dir, entry.Hash, index), fromTrash: false);
        return found.Presence switch
        {
            DeploymentPresence.Deployed => found.Value!,
            DeploymentPresence.Removing => new DeploymentVerification(home, null, []) { Removing = true },
            _ => new DeploymentVerification(home, null, [new VerificationProblem(VerificationProblemKind.Missing, ".", "the deployment directory does not exist")]),
        };
    }

    /// <summary>Verifies one deployment directory against its own record (and, when given, the hash it should carry).</summary>
    public static DeploymentVerification Verify(string deploymentDirectory, Sha256Digest? expectedHash = null) =>
        Verify(deploymentDirectory, expectedHash, quickIndex: null);

    private static DeploymentVerification Verify(string deploymentDirectory, Sha256Digest? expectedHash, string? quickIndex)
    {
        var problems = new List<VerificationProblem>();
        if (!Directory.Exists(deploymentDirectory))
        {
            problems.Add(new VerificationProblem(VerificationProblemKind.Missing, ".", "the deployment directory does not exist"));
            return new DeploymentVerification(deploymentDirectory, null, problems);
        }
        var record = DeploymentRecord.ReadFrom(deploymentDirectory);
        if (expectedHash is { } h && record.Deployment != h)
        {
            problems.Add(new VerificationProblem(VerificationProblemKind.Modified, DeploymentRecord.FileName, $"records deployment {record.Deployment}, expected {h}"));
        }

        var (files, links) = DeploymentRecord.List(deploymentDirectory);
        var actualFiles = files.ToDictionary(f => f.Path, f => f.Info, StringComparer.Ordinal);
        var content = new ContentCheck(quickIndex is null ? null : QuickVerifyIndex.Read(quickIndex));
        var actualLinks = links.ToDictionary(l => l.Path, StringComparer.Ordinal);
        var checkModes = !OperatingSystem.IsWindows();
        foreach (var expected in record.Files)
        {
            if (!actualFiles.Remove(expected.Path, out var actual))
            {
                problems.Add(new VerificationProblem(VerificationProblemKind.Missing, expected.Path, "file is missing"));
            }
            else if (content.Differs(expected, actual) is { } found)
            {
                problems.Add(new VerificationProblem(VerificationProblemKind.Modified, expected.Path, $"expected sha256 {expected.Sha256} ({expected.Size} bytes), found {found}"));
            }
            else if (checkModes && expected.Mode is { } em && ModeOf(actual) is { } am && (em & Permissions) != (am & Permissions))
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
        if (quickIndex is not null && content.IndexChanged) content.Saved = QuickVerifyIndex.TryWrite(quickIndex, content.Proven);
        return new DeploymentVerification(deploymentDirectory, record, problems) { Quick = quickIndex is null ? null : content.Statistics };
    }

    /// <summary>
    /// Compares a file's content with its record: by SHA-256 always without an index; with one, by what the index
    /// proves first (spec/lockfile.md § Quick verify), remembering every file found intact for the next run.
    /// </summary>
    private sealed class ContentCheck(Dictionary<string, QuickVerifyIndex.Entry>? index)
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

        /// <summary>Null when the content is the recorded one, else what was found instead.</summary>
        public string? Differs(DeploymentFile expected, FileInfo actual)
        {
            var size = actual.Length;
            if (index is null)
            {
                var sha = Sha256Digest.ComputeFile(actual.FullName);
                return size == expected.Size && sha == expected.Sha256 ? null : $"{sha} ({size} bytes)";
            }
            var ticks = actual.LastWriteTimeUtc.Ticks;
            if (index.TryGetValue(expected.Path, out var known) && known.Sha256 != expected.Sha256) known = null;
            if (size != expected.Size)
            {
                return $"{size} bytes (not read: the size differs)";
            }
            if (known is not null && known.Size == size && known.ModifiedTicks == ticks)
            {
                _byStat++;
                Proven.Add(known);
                return null;
            }
            _bytesRead += size;
            if (known is not null)
            {
                if (QuickVerifyIndex.XxHash(actual.FullName) == known.XxHash128)
                {
                    _byXxHash++;
                    Remember(known with { ModifiedTicks = ticks });
                    return null;
                }
                _bytesRead += size;
                return $"{Sha256Digest.ComputeFile(actual.FullName)} ({size} bytes)";
            }
            _bySha256++;
            var (found, xx) = QuickVerifyIndex.BothHashes(actual.FullName);
            if (found != expected.Sha256) return $"{found} ({size} bytes)";
            Remember(new QuickVerifyIndex.Entry(expected.Path, found, size, ticks, xx));
            return null;
        }

        private void Remember(QuickVerifyIndex.Entry entry)
        {
            Proven.Add(entry);
            _changed = true;
        }
    }

    private static UnixFileMode? ModeOf(FileInfo file) => OperatingSystem.IsWindows() ? null : file.UnixFileMode;

    private const UnixFileMode Permissions = (UnixFileMode)0b111_111_111;
}

/// <summary>The outcome of verifying one deployment; <see cref="IsIntact"/> when nothing differs.</summary>
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
public sealed record QuickVerifyStatistics(int ByStat, int ByXxHash, int BySha256, long BytesRead, bool IndexCurrent);

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
