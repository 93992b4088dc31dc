using Packster.Deployments;
using Packster.Locations;

namespace Packster.Cli.Commands;

/// <summary>
/// The read-modify-write of a rules file by <c>trust require|warn|off|revoke</c> and <c>licenses allow|deny</c>: the
/// user's <c>config.toml</c>, or with a location its <c>packster-policy.toml</c>, which is the location's own and so is
/// edited under the location's lock, as every change to a location is (spec/lockfile.md § Lock). The edit then waits for
/// a <c>sync</c> or <c>import</c> whose commit carries the policy file, so neither overwrites the other, and the session
/// first settles a policy change an interrupted commit left journaled, and lets recovery clear a killed run's temp files
/// while no edit of its own is under way (spec/lockfile.md § Recovery).
/// </summary>
internal static class PolicyFileEdit
{
    /// <summary>Runs <paramref name="edit"/> on the file it is given: the user config (no location), else the location's policy file under its lock.</summary>
    public static T Run<T>(CliContext context, Location? location, Func<string, RulesFileKind, T> edit, CancellationToken cancellationToken)
    {
        if (location is null)
        {
            // Read, changed and written under the user config's lock (spec/sources.md §1): a second edit at the same time waits.
            using var held = FileLock.ForUserFile(context.Paths, context.Paths.UserConfigFile, context.Err, cancellationToken);
            return edit(context.Paths.UserConfigFile, RulesFileKind.UserConfig);
        }
        using var session = LocationSession.Open(location, context.Err, cancellationToken);
        return edit(location.PolicyPath, RulesFileKind.LocationPolicy);
    }
}
