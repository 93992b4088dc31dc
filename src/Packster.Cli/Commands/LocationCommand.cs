using System.CommandLine;
using System.Text.Json;
using Packster.Deployments;
using Packster.Locations;

namespace Packster.Cli.Commands;

/// <summary><c>packster location create &lt;dir&gt; [--id] | setup | show [L] | repair [L]</c>: adapters over <see cref="Location"/>.</summary>
internal static class LocationCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("location", "Create and inspect locations (directories that hold deployments)");
        command.Subcommands.Add(CreateSubcommand(context));
        command.Subcommands.Add(Setup(context));
        command.Subcommands.Add(Show(context));
        command.Subcommands.Add(Repair(context));
        foreach (var sub in ActivationCommands.LocationSubcommands(context)) command.Subcommands.Add(sub);
        return command;
    }

    private static Command CreateSubcommand(CliContext context)
    {
        var dir = new Argument<string>("dir") { Description = "The directory to make a location (created if needed; must be empty)" };
        var id = new Option<string>("--id") { Description = "The id to register it under (default: derived from the directory name)" };
        var json = new Option<bool>("--json") { Description = "Print {\"id\",\"path\"} as JSON" };
        var system = new Option<bool>("--system")
        {
            Description = "Share it with every user: readable by all, registered in the machine's registry (PACKSTER_SYSTEM_ROOT, default /), never writable by others",
        };
        var group = new Option<string?>("--group") { Description = "With --system: the group whose members may change it (setgid folders, files 0664)" };
        var create = new Command("create", "Create a location in a directory and register its id") { dir, id, json, system, group };
        create.SetAction(parse =>
        {
            var shared = parse.GetValue(system);
            if (parse.GetValue(group) is not null && !shared)
            {
                throw new PacksterException(ErrorCode.Usage, "--group only applies to a location created with --system", "add --system, or leave out --group");
            }
            // The group is checked before anything exists, so a wrong name leaves nothing behind.
            var sharedGroup = parse.GetValue(group) is { } name ? SystemGroup.Find(name) : null;
            var existed = Directory.Exists(context.Paths.ResolvePath(parse.GetValue(dir)!));
            // A system location's id is checked in the machine's registry and registered there under its lock.
            var machine = shared ? new SystemLocations(context.Paths) : null;
            using var machineHeld = machine?.Lock(context.Paths, context.Err);
            var location = Location.Create(parse.GetValue(dir)!, parse.GetValue(id), context.Paths, context.Err);
            ActivationCommands.EnsureActivationFiles(context, location);
            if (machine is not null)
            {
                try
                {
                    machine.EnsureAvailable(location);
                    SystemLocations.Share(location, sharedGroup);
                    machine.Register(location);
                }
                catch
                {
                    SystemLocations.Discard(location, removeFolder: !existed);
                    throw;
                }
            }
            if (parse.GetValue(json)) WriteJson(context, w => WriteIdentity(w, location, created: true));
            else context.Out.WriteLine($"created location {location.Id} at {location.Path}");
            return ExitCodes.Success;
        });
        return create;
    }

    private static Command Setup(CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print {\"id\",\"path\",\"created\"} as JSON" };
        var setup = new Command("setup", "Create the default user location if it does not exist yet") { json };
        setup.SetAction(parse =>
        {
            var paths = context.Paths;
            var created = !Location.IsLocation(paths.DefaultLocation);
            var location = created ? Location.Create(paths.DefaultLocation, null, paths, context.Err) : Location.Open(paths.DefaultLocation, paths);
            ActivationCommands.EnsureActivationFiles(context, location);
            if (parse.GetValue(json)) WriteJson(context, w => WriteIdentity(w, location, created));
            else context.Out.WriteLine(created ? $"created the default location at {location.Path}" : $"the default location already exists at {location.Path}");
            return ExitCodes.Success;
        });
        return setup;
    }

    private static Command Show(CliContext context)
    {
        var target = new Argument<string?>("location") { Description = "A location path or registered id (default: PACKSTER_LOCATION, then the default location)", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print the location as JSON" };
        var show = new Command("show", "Show a location: id, path, hash and its deployments") { target, json };
        show.SetAction(parse =>
        {
            var location = Location.Resolve(parse.GetValue(target), context.Paths);
            var state = location.ReadState();
            var active = state.ActiveDeployments.OrderBy(d => d.Id).ToList();
            if (!Recovery.Inspect(location).IsClean)
            {
                context.Err.WriteLine("note: this location has leftovers of an interrupted operation; the next change to it cleans them up");
            }
            if (parse.GetValue(json))
            {
                WriteJson(context, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("id", location.Id.Value);
                    w.WriteString("path", location.Path);
                    w.WriteString("hash", state.Hash.Hex);
                    w.WriteNumber("deployments", state.Deployments.Count);
                    w.WriteStartArray("active");
                    foreach (var d in active)
                    {
                        w.WriteStartObject();
                        w.WriteString("id", d.Id.Value);
                        w.WriteString("version", d.Version.ToString());
                        w.WriteString("package", d.Package.FileName);
                        w.WriteString("deployment", d.Hash.Hex);
                        w.WriteString("path", location.DeploymentDirectory(d.Hash));
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                });
                return ExitCodes.Success;
            }
            context.Out.WriteLine($"location     {location.Id}");
            context.Out.WriteLine($"path         {location.Path}");
            context.Out.WriteLine($"hash         {state.Hash}");
            context.Out.WriteLine($"deployments  {state.Deployments.Count} ({active.Count} active)");
            foreach (var d in active)
            {
                context.Out.WriteLine($"  {d.Id} {d.Version}  {d.Hash.Hex[..12]}");
            }
            return ExitCodes.Success;
        });
        return show;
    }

    private static Command Repair(CliContext context)
    {
        var target = new Argument<string?>("location") { Description = "A location path or registered id (default: PACKSTER_LOCATION, then the default location)", Arity = ArgumentArity.ZeroOrOne };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would change and change nothing" };
        var json = new Option<bool>("--json") { Description = "Print {\"dryRun\",\"problems\",\"changes\",\"leftovers\"} as JSON" };
        var repair = new Command("repair",
            "Fix a lockfile that breaks the location's rules (e.g. two active versions of one package) and regenerate shims and activation scripts")
            { target, dryRun, json };
        repair.SetAction((parse, ct) =>
        {
            var location = Location.Resolve(parse.GetValue(target), context.Paths);
            var report = LocationRepair.Run(location, parse.GetValue(dryRun), context.Err, cancellationToken: ct);
            if (parse.GetValue(json))
            {
                WriteJson(context, w =>
                {
                    w.WriteStartObject();
                    w.WriteBoolean("dryRun", report.DryRun);
                    w.WriteStartArray("problems");
                    foreach (var p in report.Violations) w.WriteStringValue(p);
                    w.WriteEndArray();
                    w.WriteStartArray("changes");
                    foreach (var c in report.Changes)
                    {
                        w.WriteStartObject();
                        w.WriteString("action", ActionName(c.Action));
                        w.WriteString("id", c.Deployment.Id.Value);
                        w.WriteString("version", c.Deployment.Version.ToString());
                        w.WriteString("deployment", c.Deployment.Hash.Hex);
                        w.WriteString("reason", c.Reason);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteStartArray("leftovers");
                    foreach (var l in report.Leftovers) w.WriteStringValue(l);
                    w.WriteEndArray();
                    w.WriteEndObject();
                });
                return Task.FromResult(ExitCodes.Success);
            }
            foreach (var p in report.Violations) context.Out.WriteLine($"problem: {p}");
            var verb = report.DryRun ? "would " : "";
            foreach (var c in report.Changes)
            {
                context.Out.WriteLine($"{verb}{(report.DryRun ? ActionVerb(c.Action) : ActionPast(c.Action))} {LockfileInvariants.Describe(c.Deployment)}: {c.Reason}");
            }
            foreach (var l in report.Leftovers) context.Out.WriteLine($"removed leftover {l}");
            if (report.Changes.Count == 0 && report.Leftovers.Count == 0)
            {
                context.Out.WriteLine(report.DryRun ? $"nothing to repair in location {location.Id}" : $"nothing to repair in location {location.Id}; shims and activation scripts regenerated");
            }
            return Task.FromResult(ExitCodes.Success);
        });
        return repair;
    }

    private static string ActionName(RepairAction action) => action switch
    {
        RepairAction.Dropped => "drop",
        RepairAction.Deactivated => "deactivate",
        RepairAction.ClaimsRewritten => "rewrite-claims",
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    private static string ActionVerb(RepairAction action) => action switch
    {
        RepairAction.ClaimsRewritten => "rewrite the claims of",
        _ => ActionName(action),
    };

    private static string ActionPast(RepairAction action) => action switch
    {
        RepairAction.Dropped => "dropped",
        RepairAction.Deactivated => "deactivated",
        RepairAction.ClaimsRewritten => "rewrote the claims of",
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    private static void WriteIdentity(Utf8JsonWriter w, Location location, bool created)
    {
        w.WriteStartObject();
        w.WriteString("id", location.Id.Value);
        w.WriteString("path", location.Path);
        w.WriteBoolean("created", created);
        w.WriteEndObject();
    }

    private static void WriteJson(CliContext context, Action<Utf8JsonWriter> write) => CommonOptions.WriteJson(context, write, indented: true);
}
