using System.Text.Json;
using System.Text.Json.Nodes;
using Packster.Locations;
using Packster.Model;

namespace Packster.Deployments;

/// <summary>
/// A change of the location's policy file that a commit carries (spec/lockfile.md § Recovery, § Policy with a commit):
/// written to <c>.packster/policy.pending</c> before the lockfile commit, naming the SHA-256 of the lockfile that
/// commit writes, and put in place as <c>packster-policy.toml</c> right after it. The next command that takes the lock
/// settles one left behind, before recovery: when the lockfile is the one it names the commit happened and the policy
/// is written; otherwise that commit never happened and the policy file stays as it was. So the policy changes exactly
/// when the deployments do.
/// </summary>
internal static class PolicyJournal
{
    public const string FileName = "policy.pending";

    /// <summary>What to do about a journal that is not a file packster wrote (a FIFO, a folder …).</summary>
    internal const string UnreadableHint = "packster writes this journal as a regular file, and only during a commit; move what is there aside and run the command again";

    public static string PathOf(Location location) => Path.Combine(location.InternalDirectory, FileName);

    /// <summary>Records, before a commit, that the lockfile <paramref name="lockfile"/> brings the policy file <paramref name="policy"/> with it.</summary>
    public static void Write(Location location, Sha256Digest lockfile, string policy)
    {
        var node = new JsonObject { ["lockfile"] = lockfile.Hex, ["policy"] = policy };
        Directory.CreateDirectory(location.InternalDirectory);
        AtomicFile.WriteAllText(PathOf(location), node.ToJsonString() + "\n");
    }

    /// <summary>Writes <paramref name="policy"/> as the location's policy file (its permissions kept), then removes the journal.</summary>
    public static void Promote(Location location, string policy)
    {
        EditedTomlFile.Write(location.PolicyPath, policy, inLocation: true);
        Delete(location);
    }

    /// <summary>
    /// Settles a journal an earlier command left (killed between its commit and the policy write, or before its
    /// commit): the policy written when its commit happened, dropped when it did not. Call it under the lock and before
    /// recovery, which may rewrite the lockfile. A policy that is owed and cannot be written fails the command, changing
    /// nothing: a later commit would otherwise make the journal look uncommitted and lose it. Anything but a regular file
    /// there (a FIFO, a device, a folder) is never opened, which for a FIFO would wait under the lock for a writer: the
    /// command stops with PST9005 (<see cref="FileSystemErrors.FileExists"/>), changing nothing.
    /// </summary>
    public static void Settle(Location location)
    {
        var path = PathOf(location);
        if (!FileSystemErrors.FileExists(path, "cannot read", UnreadableHint)) return;
        string? policy = null;
        try
        {
            var node = StrictJson.Parse(FileSystemErrors.ReadFile(path, "cannot read", UnreadableHint)) as JsonObject ?? throw new JsonException("not an object");
            if (node["lockfile"]?.GetValue<string>() is { } expected && node["policy"]?.GetValue<string>() is { } text
                && Lockfile.DigestIfReadable(location.LockfilePath) is { } actual && string.Equals(expected, actual.Hex, StringComparison.Ordinal))
            {
                policy = text;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            // Written atomically by packster, so this is a hand edit: nothing in it can be trusted to have happened.
        }
        if (policy is null)
        {
            Delete(location);
            return;
        }
        try
        {
            Promote(location, policy);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = FileSystemErrors.Classify(e, location.PolicyPath, "cannot write")!;
            throw new PacksterException(why.Code, $"the policy change an earlier command committed to location '{location.Id}' is not written yet: {why.Message}; nothing was changed",
                why.Hint ?? $"fix what keeps it from being written, then run the command again: the change waits in {PathOf(location)}", e);
        }
    }

    /// <summary>Removes the journal (and temp files of a write a crash interrupted).</summary>
    public static void Delete(Location location)
    {
        AtomicFile.DeleteWithTemps(PathOf(location));
    }
}
