using System.CommandLine;
using Packster.Deployments;

namespace Packster.Cli.Commands;

/// <summary><c>uninstall</c>, <c>use</c>, <c>pin</c> and <c>unpin</c>: the commands that change which deployments exist or are active.</summary>
internal static class DeploymentCommands
{
    public static Command Uninstall(CliContext context)
    {
        var selector = new Argument<string>("package") { Description = "id, id@version, or a deployment hash (or a unique prefix of 8+ digits)" };
        var location = CommonOptions.Location();
        var force = new Option<bool>("--force") { Description = "Remove even when the uninstall handler fails" };
        var timeout = CommonOptions.HandlerTimeout();
        var command = new Command("uninstall", "Remove a deployment from a location") { selector, location, force, timeout };
        command.SetAction(async (parse, ct) =>
        {
            var loc = context.ResolveLocation(parse.GetValue(location));
            var outcome = await new Uninstaller(loc, InstallerDefaults.For(context))
                .UninstallAsync(parse.GetValue(selector)!, parse.GetValue(force), CommonOptions.ParseTimeout(parse.GetValue(timeout)), ct).ConfigureAwait(false);
            var removed = outcome.Removed;
            context.Out.WriteLine(outcome.AlreadyGone
                ? $"{removed.Id} {removed.Version} ({removed.Hash.Hex[..12]}) was already gone: it was dropped from {Packster.Locations.Lockfile.FileName}, as the warning says"
                : $"uninstalled {removed.Id} {removed.Version} ({removed.Hash.Hex[..12]})");
            if (outcome.NowActive is { } next) context.Out.WriteLine($"{next.Id} {next.Version} ({next.Hash.Hex[..12]}) is now active");
            if (outcome.NoneActive) context.Out.WriteLine($"no deployment of {removed.Id} is active now; 'packster use {removed.Id}@<version>' makes one active");
            return 0;
        });
        return command;
    }

    public static Command Use(CliContext context)
    {
        var selector = new Argument<string>("package") { Description = "id@version (or a deployment hash) to make active" };
        var location = CommonOptions.Location();
        var command = new Command("use", "Make one deployed version of a package the active one") { selector, location };
        command.SetAction((parse, ct) =>
        {
            var loc = context.ResolveLocation(parse.GetValue(location));
            var active = new Switcher(loc, InstallerDefaults.For(context)).Use(parse.GetValue(selector)!, ct);
            context.Out.WriteLine($"using {active.Id} {active.Version} in location {loc.Id}");
            // One the new deployment does not declare would run unseen, on ports the guard gave back: stopped, as after
            // a rollback (spec/activation.md § Services).
            foreach (var stopped in ServiceManager.StopServicesNoLongerDeclared(loc, [active.Id], TimeSpan.FromSeconds(10)))
            {
                context.Err.WriteLine($"stopped service {stopped}: {active.Id} {active.Version} does not declare it");
            }
            NoteServicesRunningFromOthers(context, loc, active);
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>After an install or upgrade made <paramref name="outcome"/> the active deployment of its package: as after <c>use</c>.</summary>
    internal static void NoteServicesRunningFromOthers(CliContext context, Packster.Locations.Location location, InstallOutcome outcome)
    {
        if (!outcome.Active || outcome.Status == InstallStatus.Planned) return;
        if (location.ReadState().ActiveDeployments.FirstOrDefault(d => d.Hash.Hex == outcome.Deployment.Hex) is { } active) NoteServicesRunningFromOthers(context, location, active);
    }

    /// <summary>After <paramref name="active"/> took over (<c>use</c>, <c>rollback</c>, install, upgrade): the services of its package that still run from another deployment.</summary>
    internal static void NoteServicesRunningFromOthers(CliContext context, Packster.Locations.Location location, Packster.Locations.DeploymentEntry active)
    {
        foreach (var name in ServiceManager.RunningFromOthers(location, active))
        {
            context.Err.WriteLine($"note: service {active.Id}/{name} still runs from the deployment it was started from; 'packster service stop {active.Id}/{name}' and 'service start {active.Id}/{name}' run it from {active.Version}");
        }
    }

    public static Command Pin(CliContext context, bool pin)
    {
        var selector = new Argument<string>("package") { Description = "id (its active deployment), id@version or a deployment hash" };
        var location = CommonOptions.Location();
        var command = new Command(pin ? "pin" : "unpin",
            pin ? "Keep a deployment active when newer versions are installed" : "Let newer versions take over again") { selector, location };
        command.SetAction((parse, ct) =>
        {
            var loc = context.ResolveLocation(parse.GetValue(location));
            var (entry, changed) = new Switcher(loc, InstallerDefaults.For(context)).SetPinned(parse.GetValue(selector)!, pin, ct);
            context.Out.WriteLine(changed ? $"{(pin ? "pinned" : "unpinned")} {entry.Id} {entry.Version}" : $"{entry.Id} {entry.Version} was already {(pin ? "pinned" : "unpinned")}");
            return Task.FromResult(0);
        });
        return command;
    }
}
