namespace Packster.Activation;

/// <summary>
/// The profile edits of one <c>location enable</c> or <c>disable</c> (spec/activation.md §6), all prepared before any
/// is written: every profile's lock taken, every profile read and its markers checked. Then <see cref="Write"/> writes
/// them in turn and, when one fails, puts back those already written, so a failure leaves every profile as it was.
/// Profiles that are one file (a symlink to another profile) are edited once.
/// </summary>
public sealed class ProfileEdits : IDisposable
{
    private readonly List<ProfileEdit> _edits = [];

    private ProfileEdits()
    {
    }

    /// <summary>Prepares adding (or rewriting) the block of <paramref name="locationId"/> in each profile, each with the script it sources.</summary>
    public static ProfileEdits PrepareEnable(IEnumerable<(string Profile, string Script)> profiles, string locationId, string lockDirectory,
        TimeSpan lockTimeout, TextWriter? waiting) =>
        Prepare(profiles.Select(p => (p.Profile, (Func<ProfileEdit>)(() =>
            ProfileSnippet.PrepareEnable(p.Profile, locationId, p.Script, lockDirectory, lockTimeout, waiting)))));

    /// <summary>Prepares removing the block of <paramref name="locationId"/> from each profile; one marked <c>DeleteWhenEmpty</c> goes once empty.</summary>
    public static ProfileEdits PrepareDisable(IEnumerable<(string Profile, bool DeleteWhenEmpty)> profiles, string locationId, string lockDirectory,
        TimeSpan lockTimeout, TextWriter? waiting) =>
        Prepare(profiles.Select(p => (p.Profile, (Func<ProfileEdit>)(() =>
            ProfileSnippet.PrepareDisable(p.Profile, locationId, lockDirectory, lockTimeout, waiting, p.DeleteWhenEmpty)))));

    private static ProfileEdits Prepare(IEnumerable<(string Profile, Func<ProfileEdit> Prepare)> profiles)
    {
        var edits = new ProfileEdits();
        try
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (profile, prepare) in profiles)
            {
                // The second lock on one real file would wait for the first: a profile that is another's link is edited once.
                if (!seen.Add(ProfileSnippet.RealPath(profile))) continue;
                edits._edits.Add(prepare());
            }
            return edits;
        }
        catch
        {
            edits.Dispose();
            throw;
        }
    }

    /// <summary>Whether any profile changes.</summary>
    public bool Changes => _edits.Any(e => e.Changes);

    /// <summary>Writes every edit; when one fails, those already written are put back and the failure is thrown.</summary>
    public void Write()
    {
        try
        {
            foreach (var edit in _edits) edit.Write();
        }
        catch
        {
            Undo();
            throw;
        }
    }

    /// <summary>Puts back every profile written, the last first. The failure that called for it is what is reported.</summary>
    public void Undo()
    {
        for (var i = _edits.Count - 1; i >= 0; i--)
        {
            try
            {
                _edits[i].Undo();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The others are still put back.
            }
        }
    }

    public void Dispose()
    {
        foreach (var edit in _edits) edit.Dispose();
    }
}
