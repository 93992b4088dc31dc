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
    public static IReadOnlyList<DeploymentVerification> Verify(Location location) =>
        LocationSnapshot.Read(location, snapshot => snapshot.State.Deployments.Select(d => Verify(snapshot, d)).ToList());

    private static DeploymentVerification Verify(LocationSnapshot snapshot, DeploymentEntry entry)
    {
        var home = snapshot.Location.DeploymentDirectory(entry.Hash);
        var found = snapshot.Files(entry, dir => Verify(dir, entry.Hash), fromTrash: false);
        return found.Presence switch
        {
            DeploymentPresence.Deployed => found.Value!,
            DeploymentPresence.Removing => new DeploymentVerification(home, null, []) { Removing = true },
            _ => new DeploymentVerification(home, null, [new VerificationProblem(VerificationProblemKind.Missing, ".", "the deployment directory does not exist")]),
        };
    }

    /// <summary>Verifies one deployment directory against its own record (and, when given, the hash it should carry).</summary>
    public static DeploymentVerification Verify(string deploymentDirectory, Sha256Digest? expectedHash = null)
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

        var (files, links) = DeploymentRecord.Scan(deploymentDirectory);
        var actualFiles = files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var actualLinks = links.ToDictionary(l => l.Path, StringComparer.Ordinal);
        var checkModes = !OperatingSystem.IsWindows();
        foreach (var expected in record.Files)
        {
            if (!actualFiles.Remove(expected.Path, out var actual))
            {
                problems.Add(new VerificationProblem(VerificationProblemKind.Missing, expected.Path, "file is missing"));
            }
            else if (actual.Size != expected.Size || actual.Sha256 != expected.Sha256)
            {
                problems.Add(new VerificationProblem(VerificationProblemKind.Modified, expected.Path,
                    $"expected sha256 {expected.Sha256} ({expected.Size} bytes), found {actual.Sha256} ({actual.Size} bytes)"));
            }
            else if (checkModes && expected.Mode is { } em && actual.Mode is { } am && (em & Permissions) != (am & Permissions))
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
        return new DeploymentVerification(deploymentDirectory, record, problems);
    }

    private const UnixFileMode Permissions = (UnixFileMode)0b111_111_111;
}

/// <summary>The outcome of verifying one deployment; <see cref="IsIntact"/> when nothing differs.</summary>
public sealed record DeploymentVerification(string Directory, DeploymentRecord? Record, IReadOnlyList<VerificationProblem> Problems)
{
    public bool IsIntact => Problems.Count == 0;

    /// <summary>A writer is removing it (or was interrupted doing so): not verified, and not a problem.</summary>
    public bool Removing { get; init; }
}

public enum VerificationProblemKind
{
    Missing,
    Modified,
    ModeChanged,
    Extra,
}

/// <summary>One difference between a deployment on disk and its record; <see cref="Path"/> is relative to the deployment.</summary>
public sealed record VerificationProblem(VerificationProblemKind Kind, string Path, string Detail)
{
    public override string ToString() => $"{Path}: {Detail}";
}
