using Packster.Locations;

namespace Packster.Activation;

/// <summary>
/// The exclusive lock on one shell profile while packster edits it (spec/activation.md §6): a file
/// <c>&lt;data&gt;/locks/profile-&lt;hash of the profile's real path&gt;.lock</c> locked exactly as
/// <see cref="LocationLock"/> locks (<see cref="LocationLock.TryLockExclusive"/>). Lock files live in Packster's data
/// home, never beside the profile, and are never deleted (deleting a lock file lets two holders lock two files), so
/// nothing is left in the user's home. A second editor waits with one message, then fails with PST5004.
/// </summary>
internal static class ProfileLock
{
    /// <summary>Where the locks of <paramref name="paths"/>' profiles live.</summary>
    public static string Directory(PacksterPaths paths) => FileLock.Directory(paths);

    public static FileLock Acquire(string profile, string lockDirectory, TimeSpan timeout, TextWriter? waiting) =>
        FileLock.Acquire(Path.Combine(lockDirectory, $"profile-{FileLock.KeyOf(profile)}.lock"), profile, timeout, waiting);
}
