using System.CommandLine;
using System.Text.Json;
using Packster.Locations;

namespace Packster.Cli.Commands;

/// <summary><c>packster location create &lt;dir&gt; [--id] | setup | show [L]</c>: adapters over <see cref="Location"/>.</summary>
internal static class LocationCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("location", "Create and inspect locations (directories that hold deployments)");
        command.Subcommands.Add(CreateSubcommand(context));
        command.Subcommands.Add(Setup(context));
        command.Subcommands.Add(Show(context));
        foreach (var sub in ActivationCommands.LocationSubcommands(context)) command.Subcommands.Add(sub);
        return command;
    }

    private static Command CreateSubcommand(CliContext context)
    {
        var dir = new Argument<string>("dir") { Description = "The directory to make a location (created if needed; must be empty)" };
        var id = new Option<string>("--id") { Description = "The id to register it under (default: derived from the directory name)" };
        var json = new Option<bool>("--json") { Description = "Print {\"id\",\"path\"} as JSON" };
        var create = new Command("create", "Create a location in a directory and register its id") { dir, id, json };
        create.SetAction(parse =>
        {
            var location = Location.Create(parse.GetValue(dir)!, parse.GetValue(id), context.Paths);
            ActivationCommands.EnsureActivationFiles(context, location);
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
            var location = created ? Location.Create(paths.DefaultLocation, null, paths) : Location.Open(paths.DefaultLocation, paths);
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

    private static void WriteIdentity(Utf8JsonWriter w, Location location, bool created)
    {
        w.WriteStartObject();
        w.WriteString("id", location.Id.Value);
        w.WriteString("path", location.Path);
        w.WriteBoolean("created", created);
        w.WriteEndObject();
    }

    private static void WriteJson(CliContext context, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            write(writer);
        }
        context.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
