using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Packster.Deployments;
using Packster.Manifest;

namespace Packster.Core.Tests.Deployments;

/// <summary>
/// spec/lockfile.md § Readers: <c>list</c> shows each deployment's shim names, environment and ports as
/// <see cref="DeploymentResources.Summary"/> expands them, which must be what <see cref="DeploymentResources.For"/>
/// expands (the full resources activation and the guard use) and refuse what it refuses.
/// </summary>
public sealed class ResourceSummaryTests
{
    private static readonly Packster.Manifest.Manifest Package = ManifestReader.Parse("""
        id = "hello"
        version = "1.0.0"
        [parameters.greeting]
        type = "string"
        default = "Hello"
        [parameters.port]
        type = "integer"
        default = 8080
        [parameters.mode]
        type = "string"
        default = "plain"
        [shims]
        zeta = "bin/hello"
        alpha = { target = "bin/hello", args = ["--greet", "{param.greeting}"] }
        Mid = { target = "bin/hello", env = { MODE = "{param.mode}" } }
        [provides]
        env = { HELLO_HOME = "{deployment}", HELLO_GREETING = "{param.greeting}", HELLO_URL = "http://localhost:{param.port}/{param.mode}", HELLO_ETC = "{location}/etc" }
        ports = ["{param.port}", 9000]
        """, "hello.toml");

    private const string Deployment = "/srv/loc/deployments/0123";
    private const string LocationPath = "/srv/loc";

    private static EffectiveParameters Stored(string json) => EffectiveParameters.ResolveStored(Package.Parameters, JsonDocument.Parse(json).RootElement);

    private static void AssertAgree(EffectiveParameters parameters)
    {
        var full = DeploymentResources.For(Package, parameters, Deployment, LocationPath);
        var summary = DeploymentResources.Summary(Package, parameters, Deployment, LocationPath);
        Assert.Equal(full.Shims.Select(s => s.Name), summary.ShimNames);
        Assert.Equal(full.Env.OrderBy(e => e.Key, StringComparer.Ordinal), summary.Env.OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.Equal(full.Ports, summary.Ports);
    }

    [Fact]
    public void The_summary_is_what_the_full_expansion_gives_for_shims_env_and_ports()
    {
        var parameters = Stored("""{"greeting":"Hi there","port":10819,"mode":"loud"}""");
        var summary = DeploymentResources.Summary(Package, parameters, Deployment, LocationPath);
        Assert.Equal(["Mid", "alpha", "zeta"], summary.ShimNames);
        Assert.Equal("http://localhost:10819/loud", summary.Env["HELLO_URL"]);
        Assert.Equal(Deployment, summary.Env["HELLO_HOME"]);
        Assert.Equal("/srv/loc/etc", summary.Env["HELLO_ETC"]);
        Assert.Equal([10819, 9000], summary.Ports);
        AssertAgree(parameters);
    }

    [Property(MaxTest = 200)]
    public Property Summary_and_full_expansion_agree_or_refuse_alike() =>
        Prop.ForAll(
            Gen.Zip(Gen.Elements("Hello", "", "a b", "é😀", "$(rm -rf /)", "line\nbreak", "tab\there", "quote'\"", "back\\slash", "%PATH%", "\u0001"),
                Gen.Zip(Gen.Choose(-5, 70000), Gen.Elements("plain", "x;y", "`cmd`", "{deployment}"))).ToArbitrary(),
            t =>
            {
                var (greeting, (port, mode)) = t;
                var json = JsonSerializer.Serialize(new Dictionary<string, object> { ["greeting"] = greeting, ["port"] = port, ["mode"] = mode });
                var full = Outcome(() => DeploymentResources.For(Package, Stored(json), Deployment, LocationPath));
                var summary = Outcome(() => DeploymentResources.Summary(Package, Stored(json), Deployment, LocationPath));
                Assert.Equal(full.Error, summary.Error);
                if (full.Error is null) AssertAgree(Stored(json));
            });

    private static (ErrorCode? Error, string? Message) Outcome(Action expand)
    {
        try
        {
            expand();
            return (null, null);
        }
        catch (PacksterException e)
        {
            return (e.Code, e.Message);
        }
    }
}
