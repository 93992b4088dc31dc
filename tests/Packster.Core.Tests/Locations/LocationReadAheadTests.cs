using Packster.Deployments;
using Packster.Locations;
using Packster.Model;

namespace Packster.Core.Tests.Locations;

/// <summary>
/// spec/lockfile.md § Reading ahead of the lock: what a command reads of a location before it holds the lock is used
/// under the lock only while what it was read from is unchanged; anything changed meanwhile is read again there.
/// </summary>
public sealed class LocationReadAheadTests
{
    private static readonly Dictionary<string, string> Files = new() { ["bin/hello"] = "#!/bin/sh\necho hi\n" };

    private static RecoveryReport Recover(Location location)
    {
        using var held = LocationLock.Acquire(location, TimeSpan.Zero);
        return Recovery.Run(location, held);
    }

    private static Location ReadAhead(Location location)
    {
        location.StartReadAhead();
        Assert.NotNull(location.ReadAhead);
        location.ReadAhead.Reading.Wait();
        return location;
    }

    [Fact]
    public void What_was_read_ahead_is_used_while_nothing_it_read_has_changed()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var first = LocationTestBed.Install(location, "hello", "1.0.0", Files);
        var second = LocationTestBed.Install(location, "other", "1.0.0", Files);

        var report = Recover(ReadAhead(location));

        // Only the reading ahead hashes the lockfile with the reading; the one under the lock leaves it to the commit.
        Assert.Equal(Sha256Digest.Compute(File.ReadAllBytes(location.LockfilePath)), report.LockfileSha256);
        Assert.True(report.IsClean);
        Assert.Equal(new[] { first.Hash.Hex, second.Hash.Hex }.Order(StringComparer.Ordinal), report.State.Deployments.Select(d => d.Hash.Hex).Order(StringComparer.Ordinal));
        // Once: a second session of the process reads under its lock.
        Assert.Null(location.ReadAhead!.TakeLockfile());
    }

    [Fact]
    public void A_lockfile_replaced_after_the_reading_ahead_is_read_again_under_the_lock()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        LocationTestBed.Install(location, "hello", "1.0.0", Files);
        ReadAhead(location);
        // Another command (another Location object, as another process has) commits meanwhile.
        var later = LocationTestBed.Install(Location.Open(location.Path, bed.Paths), "later", "2.0.0", Files);

        var report = Recover(location);

        Assert.Null(report.LockfileSha256);
        Assert.Contains(later.Hash, report.State.Deployments.Select(d => d.Hash));
        Assert.True(report.IsClean);
    }

    [Fact]
    public void A_deployment_published_after_the_reading_ahead_and_never_committed_is_still_removed()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var kept = LocationTestBed.Install(location, "hello", "1.0.0", Files);
        ReadAhead(location);
        var orphan = LocationTestBed.Hash("published by a command that died before its commit");
        LocationTestBed.PublishUncommitted(Location.Open(location.Path, bed.Paths), orphan);

        var report = Recover(location);

        // The lockfile is unchanged, but deployments/ is not: its survey is made again, and finds the orphan.
        Assert.Equal([orphan.Hex], report.RemovedUnrecorded);
        Assert.False(Directory.Exists(location.DeploymentDirectory(orphan)));
        Assert.True(Directory.Exists(location.DeploymentDirectory(kept.Hash)));
    }

    [WhereFolderCountsAreKeptFact]
    public void Ahead_of_the_lock_deployments_is_listed_only_when_it_does_not_count_the_recorded_folders()
    {
        // spec/lockfile.md § Reading ahead of the lock: "only when the count is not the lockfile's number of deployments
        // is deployments/ listed".
        using var bed = new LocationTestBed();
        var counted = bed.CreateLocation("counted");
        var listed = bed.CreateLocation("listed");
        foreach (var location in new[] { counted, listed }) LocationTestBed.Install(location, "hello", "1.0.0", Files);
        var orphan = LocationTestBed.Hash("a folder made by hand");
        Directory.CreateDirectory(listed.DeploymentDirectory(orphan));

        Assert.Null(ReadAhead(counted).ReadAhead!.TakeLockfile()!.Value.Deployments.Entries);
        var entries = ReadAhead(listed).ReadAhead!.TakeLockfile()!.Value.Deployments.Entries;
        Assert.NotNull(entries);
        Assert.Contains(entries, e => e.Name == orphan.Hex);
    }

    [Fact]
    public void A_listing_of_generations_is_used_only_while_the_folder_is_unchanged()
    {
        using var bed = new LocationTestBed();
        var changed = bed.CreateLocation("changed");
        var unchanged = bed.CreateLocation("unchanged");
        foreach (var location in new[] { changed, unchanged })
        {
            Directory.CreateDirectory(Generations.DirectoryOf(location));
            File.WriteAllText(Path.Combine(Generations.DirectoryOf(location), "1.json"), "{}");
            ReadAhead(location);
        }
        File.WriteAllText(Path.Combine(Generations.DirectoryOf(changed), "2.json"), "{}");

        Assert.Null(changed.ReadAhead!.TakeGenerations());
        var listed = unchanged.ReadAhead!.TakeGenerations();
        Assert.NotNull(listed);
        Assert.Equal([1], listed.Committed);
        Assert.Empty(listed.Pending);
        Assert.Null(unchanged.ReadAhead.TakeGenerations());
    }

    /// <summary>spec/lockfile.md § Commit: a commit never records a deployment whose directory is not in deployments/.</summary>
    [Fact]
    public void A_commit_lists_deployments_again_once_the_folder_changed_since_recovery_surveyed_it()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var gone = LocationTestBed.Install(location, "hello", "1.0.0", Files);
        using var held = LocationLock.Acquire(location, TimeSpan.Zero);
        var state = Recovery.Run(location, held).State;
        // Removed behind the holder's back after recovery saw it: the names recovery knew no longer hold.
        Directory.Delete(location.DeploymentDirectory(gone.Hash), recursive: true);

        var e = Assert.Throws<PacksterException>(() => location.Commit(state, held));
        Assert.Equal(ErrorCode.LocationInconsistent, e.Code);
    }

    [Fact]
    public void A_deployment_published_under_the_lock_is_known_to_the_commit_that_records_it()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        LocationTestBed.Install(location, "hello", "1.0.0", Files);
        using var held = LocationLock.Acquire(location, TimeSpan.Zero);
        var state = Recovery.Run(location, held).State;
        var added = LocationTestBed.Hash("published under this lock");
        var staging = location.CreateStaging();
        File.WriteAllText(Path.Combine(staging, "payload"), "x");
        location.PublishDeployment(staging, added, held);
        state.Deployments.Add(new DeploymentEntry(LocationTestBed.Package("added", "1.0.0"), added, []));
        location.Commit(state, held);
        Assert.Contains(added, location.ReadState().Deployments.Select(d => d.Hash));

        // A state recording one more, never published, is still refused: the names known are the folder's.
        var never = LocationTestBed.Hash("never published");
        state.Deployments.Add(new DeploymentEntry(LocationTestBed.Package("never", "1.0.0"), never, []));
        var e = Assert.Throws<PacksterException>(() => location.Commit(state, held));
        Assert.Equal(ErrorCode.LocationInconsistent, e.Code);
    }
}
