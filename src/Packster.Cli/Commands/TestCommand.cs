using System.CommandLine;
using System.Text.Json.Nodes;
using Packster.Deployments;

namespace Packster.Cli.Commands;

/// <summary><c>packster test &lt;id|selector&gt;</c>: runs a deployed package's test handler again (spec/handlers.md § packster test).</summary>
internal static class TestCommand
{
    public static Command Create(CliContext context)
    {
        var selector = new Argument<string>("package")
        {
            Description = "id (its active deployment), id@version, or a deployment hash (or a unique prefix of 8+ digits)",
        };
        var location = CommonOptions.Location();
        var timeout = CommonOptions.HandlerTimeout();
        var json = CommonOptions.Json();
        var command = new Command("test",
            "Run a deployed package's test handler again, in its deployment directory; exit 7 with PST7012 when the test fails. "
            + "A package without a test handler passes with a message saying so")
        { selector, location, timeout, json };
        command.SetAction(async (parse, ct) =>
        {
            var loc = context.ResolveLocation(parse.GetValue(location));
            var outcome = await new DeploymentTester(loc, InstallerDefaults.For(context))
                .TestAsync(parse.GetValue(selector)!, CommonOptions.ParseTimeout(parse.GetValue(timeout)), ct).ConfigureAwait(false);
            var d = outcome.Deployment;
            if (parse.GetValue(json))
            {
                CommonOptions.WriteJson(context.Out, new JsonObject
                {
                    ["id"] = d.Id.Value,
                    ["version"] = d.Version.ToString(),
                    ["deployment"] = d.Hash.Hex,
                    ["path"] = outcome.Path,
                    ["status"] = outcome.Ran ? "passed" : "no-test",
                    ["log"] = outcome.LogPath,
                });
            }
            else if (outcome.Ran)
            {
                context.Out.WriteLine($"{d.Id} {d.Version} ({d.Hash.Hex[..12]}): test passed");
            }
            else
            {
                context.Err.WriteLine($"{d.Id} {d.Version} declares no test handler ([handlers] test in its manifest): nothing to run");
            }
            return 0;
        });
        return command;
    }
}
