using System.Text;
using Packster.Locations;
using Packster.Model;

namespace Packster.Activation;

/// <summary>
/// The exclusive lock on one shell profile while packster edits it (spec/activation.md §6): a file
/// <c>&lt;data&gt;/locks/profile-&lt;hash of the profile's real path&gt;.lock</c> locked exactly as
/// <see cref="LocationLock"/> locks (<see cref="LocationLock.TryLockExclusive"/>). Lock files live in Packster's data
/// home, never beside the profile, and are never deleted (deleting a lock file lets two holders lock two files), so
/// nothing is left in the user's home. A second editor waits with one message, then fails with PST5004.
/// </summary>
internal sealed class ProfileLock : IDisposable
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMilliseconds(500);

    private readonly FileStream _stream;

    private ProfileLock(FileStream stream) => _stream = stream;

    /// <summary>Where the locks of <paramref name="paths"/>' profiles live.</summary>
    public static string Directory(PacksterPaths paths) => Path.Combine(paths.DataHome, "locks");

    public static ProfileLock Acquire(string profile, string lockDirectory, TimeSpan timeout, TextWriter? waiting)
    {
        System.IO.Directory.CreateDirectory(lockDirectory);
        var key = Sha256Digest.Compute(Encoding.UTF8.GetBytes(profile)).Hex[..32];
        var path = Path.Combine(lockDirectory, $"profile-{key}.lock");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var delay = FirstPoll;
        var announced = false;
        while (true)
        {
            if (LocationLock.TryLockExclusive(path) is { } stream) return new ProfileLock(stream);
            if (!announced)
            {
                waiting?.WriteLine($"waiting for another packster process to finish editing {profile}…");
                announced = true;
            }
            var left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new PacksterException(ErrorCode.LockTimeout,
                    $"another packster process kept editing '{profile}' for more than {timeout.TotalSeconds:0.###} s",
                    $"run the command again when it has finished (lock: {path})");
            }
            Thread.Sleep(delay < left ? delay : left);
            delay = delay * 2 < LongestPoll ? delay * 2 : LongestPoll;
        }
    }

    public void Dispose() => _stream.Dispose();
}
