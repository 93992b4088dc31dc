using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Packster.Deployments;

namespace Packster.Cli.Commands;

/// <summary>
/// <c>packster service start|stop|status [name] [--location L]</c>: the <c>[[service]]</c> processes of a location's active
/// deployments (spec/activation.md § Services).
/// </summary>
internal static class ServiceCommand
{
    public static Command Create(CliContext context) =>
        new("service", "Start, stop and check the [[service]] processes of a location's active deployments") { Start(context), Stop(context), Status(context) };

    private static Argument<string> Name() => new("name") { Description = "The service: its name, or <package>/<name> when several packages declare one" };

    private static Option<string> Timeout(string what, string fallback) => new("--timeout")
    {
        Description = $"{what} (e.g. 30s, 2m; default {fallback})",
        DefaultValueFactory = _ => fallback,
    };

    private static Command Start(CliContext context)
    {
        var name = Name();
        var location = CommonOptions.Location();
        var timeout = Timeout("How long the service has to accept connections on its ports", "30s");
        var json = CommonOptions.Json();
        var command = new Command("start", "Start a service in the background and wait until its ports accept connections") { name, location, timeout, json };
        command.SetAction((parse, ct) =>
        {
            var loc = context.ResolveLocation(parse.GetValue(location));
            // A service, like a handler, never gets the variables the sources read credentials from (spec/activation.md § Services).
            var status = new ServiceManager(loc, context.HandlerEnvironment).Start(parse.GetValue(name)!, Packster.Handlers.TimeSpanText.Parse(parse.GetValue(timeout)!), ct);
            Write(context, [status], parse.GetValue(json), status.WasRunning ? "already running" : "started");
            return Task.FromResult(0);
        });
        return command;
    }

    private static Command Stop(CliContext context)
    {
        var name = Name();
        var location = CommonOptions.Location();
        var timeout = Timeout("How long the service has to end after SIGTERM before SIGKILL", "10s");
        var command = new Command("stop", "Stop a running service: SIGTERM, then SIGKILL after the timeout") { name, location, timeout };
        command.SetAction(parse =>
        {
            var loc = context.ResolveLocation(parse.GetValue(location));
            var selector = parse.GetValue(name)!;
            var stopped = new ServiceManager(loc, context.Environment).Stop(selector, Packster.Handlers.TimeSpanText.Parse(parse.GetValue(timeout)!));
            context.Out.WriteLine(stopped is null ? $"service {selector} was not running" : $"stopped service {stopped.Package}/{stopped.Name}");
            return 0;
        });
        return command;
    }

    private static Command Status(CliContext context)
    {
        var name = new Argument<string?>("name") { Description = "One service (default: all of the location's)", Arity = ArgumentArity.ZeroOrOne };
        var location = CommonOptions.Location();
        var json = CommonOptions.Json();
        var command = new Command("status", "Whether each service runs, since when, and which of its ports accept connections") { name, location, json };
        command.SetAction(parse =>
        {
            var loc = context.ResolveLocation(parse.GetValue(location));
            var manager = new ServiceManager(loc, context.Environment);
            IReadOnlyList<ServiceStatus> statuses = parse.GetValue(name) is { } selector ? [manager.StatusOf(manager.Find(selector))] : manager.Status();
            if (statuses.Count == 0 && !parse.GetValue(json)) context.Out.WriteLine($"no services in location {loc.Id}");
            Write(context, statuses, parse.GetValue(json), null);
            return 0;
        });
        return command;
    }

    private static void Write(CliContext context, IReadOnlyList<ServiceStatus> statuses, bool json, string? verb)
    {
        if (json)
        {
            CommonOptions.WriteJson(context.Out, new JsonArray([.. statuses.Select(s => (JsonNode)new JsonObject
            {
                ["package"] = s.Package,
                ["name"] = s.Name,
                ["state"] = s.State,
                ["pid"] = s.Pid,
                ["since"] = s.Since?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["ports"] = new JsonArray([.. s.Ports.Select(p => (JsonNode)p)]),
                ["listening"] = new JsonArray([.. s.Listening.Select(p => (JsonNode)p)]),
                ["log"] = s.Log,
            })]));
            return;
        }
        foreach (var s in statuses)
        {
            var ports = s.Ports.Count == 0 ? "" : $", ports {string.Join(", ", s.Ports.Select(p => s.Listening.Contains(p) ? $"{p} (listening)" : $"{p}"))}";
            context.Out.WriteLine(s.State == ServiceStatus.Running
                ? $"{verb ?? "running"}: {s.Package}/{s.Name} pid {s.Pid}{ports}; log {s.Log}"
                : $"stopped: {s.Package}/{s.Name}{ports}");
        }
    }
}
