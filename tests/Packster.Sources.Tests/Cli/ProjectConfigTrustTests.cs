using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Cli;

/// <summary>
/// A <c>./packster.toml</c> that came with a cloned repository, run through the real `packster` in that working directory
/// with no user config file (spec/sources.md §1.1: project config files are ignored until trusted, and even a trusted one
/// names no credential, insecure or ca-file unless trusted with --allow-credentials).
/// </summary>
public sealed class ProjectConfigTrustTests : IAsyncLifetime
{
    private const string Secret = "ghp_project-config-secret-4711";
    private readonly TempDirectory _temp = new("packster-trust");
    private readonly ConcurrentQueue<string> _received = new();
    private LoopbackServer _server = null!;

    public async Task InitializeAsync()
    {
        // Records every request line and Authorization header, and answers 404 to everything.
        _server = await LoopbackServer.StartAsync(context =>
        {
            _received.Enqueue($"{context.Request.Method} {context.Request.Path} auth=[{context.Request.Headers.Authorization}]");
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _temp.Dispose();
    }

    private string Project => _temp["project"];

    private string HostileConfig => $"""
        [sources.evil]
        type = "http"
        url = "{_server.Address}"
        insecure = true
        token-env = "GITHUB_TOKEN"
        priority = -1000
        """;

    // A new machine: no user config file anywhere, so ./packster.toml is the fallback.
    private Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => CliProcess.RunAsync(Project, new Dictionary<string, string>
    {
        ["HOME"] = _temp["home"],
        ["XDG_CONFIG_HOME"] = _temp["home/.config"],
        ["PACKSTER_CACHE"] = _temp["cache"],
        ["PACKSTER_DATA_HOME"] = _temp["data"],
        ["GITHUB_TOKEN"] = Secret,
    }, args);

    [Fact]
    public async Task An_untrusted_project_config_is_ignored_and_its_server_receives_nothing()
    {
        // spec/sources.md §1.1: "./packster.toml is ignored, with one line on stderr saying so and how to trust it,
        // until `packster config trust` has recorded its path and SHA-256."
        Directory.CreateDirectory(Project);
        File.WriteAllText(Path.Combine(Project, "packster.toml"), HostileConfig);
        var location = _temp["location"];
        var create = await RunAsync("location", "create", location, "--id", "dev");
        Assert.True(create.Exit == 0, create.Err);

        var search = await RunAsync("search", "foo");
        var install = await RunAsync("install", "foo", "--location", location);

        Assert.Empty(_received);
        foreach (var run in new[] { search, install })
        {
            var line = run.Err.Split('\n').Single(l => l.StartsWith("warning: ", StringComparison.Ordinal) && l.Contains("packster.toml", StringComparison.Ordinal));
            Assert.StartsWith($"warning: ignoring {Path.Combine(Project, "packster.toml")}: a project config file is not trusted", line);
            Assert.Contains("packster config trust", line);
            Assert.DoesNotContain(Secret, run.Out + run.Err);
        }
        Assert.NotEqual(0, install.Exit);
    }

    /// <summary>An untrusted ./packster.toml naming one folder source, and the hint a command then lacking a source gives.</summary>
    private (string Config, string Hint) UntrustedProjectConfig()
    {
        Directory.CreateDirectory(Project);
        var config = Path.Combine(Project, "packster.toml");
        File.WriteAllText(config, $"[sources.team]\ntype = \"folder\"\nurl = \"{_temp["repo"].Replace("\\", "\\\\", StringComparison.Ordinal)}\"\n");
        return (config, $"hint: {config} was ignored, so none of its sources was read: review it, then run 'packster config trust' in {Project} "
            + "to use them ('packster source add' writes your user config, which is then read instead of it)");
    }

    // spec/sources.md §1.1: "A command that then fails for want of a source (PST8000 …) hints to trust that file, not to
    // add a source". Before, the hint was "add one with 'packster source add …'", which writes the user config: from then
    // on the project file is never read at all.
    [Fact]
    public async Task A_command_without_sources_because_the_project_file_was_ignored_hints_to_trust_it()
    {
        var (config, hint) = UntrustedProjectConfig();
        foreach (var args in new[] { new[] { "fetch", "hello" }, ["fetch", "hello", "--source", "team"] })
        {
            var r = await RunAsync(args);
            Assert.Equal(8, r.Exit);
            var lines = r.Err.Split('\n');
            var error = Array.FindIndex(lines, l => l.StartsWith("error[PST8000]: ", StringComparison.Ordinal));
            Assert.True(error >= 0, r.Err);
            Assert.Equal(hint, lines[error + 1]);
            Assert.False(File.Exists(_temp["home/.config/packster/config.toml"]));
        }

        // Without a project file, adding a source is what to do.
        File.Delete(config);
        var none = await RunAsync("fetch", "hello");
        Assert.Contains("hint: add one with 'packster source add <name> --type … --url …'", none.Err, StringComparison.Ordinal);
    }

    // spec/sources.md §1.1: "A command that then fails for want of a source (PST8000 …) hints to trust that file" — search
    // too. Before, it printed "no packages match 'hello'" and exited 0, an answer for sources that were never asked.
    [Fact]
    public async Task A_search_without_sources_because_the_project_file_was_ignored_fails_and_hints_to_trust_it()
    {
        var (config, hint) = UntrustedProjectConfig();
        foreach (var args in new[] { new[] { "search", "hello" }, ["search", "hello", "--json"] })
        {
            var r = await RunAsync(args);
            Assert.Equal(8, r.Exit);
            Assert.Equal("", r.Out);
            var lines = r.Err.Split('\n');
            var error = Array.FindIndex(lines, l => l == "error[PST8000]: no sources to search for 'hello'");
            Assert.True(error >= 0, r.Err);
            Assert.Equal(hint, lines[error + 1]);
        }

        // With no project file at all, nothing was ignored: still no source to ask (§ search), and the hint is to add one.
        File.Delete(config);
        var none = await RunAsync("search", "hello");
        Assert.Equal((8, ""), (none.Exit, none.Out));
        Assert.Contains("error[PST8000]: no sources to search for 'hello'\nhint: add one with 'packster source add <name> --type … --url …'", none.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trusted_project_config_is_used_but_names_credentials_only_when_trusted_with_allow_credentials()
    {
        // spec/sources.md §1.1: a trusted project file is read; token-env, password-env, user, insecure and ca-file in it
        // are refused (PST8014) unless it was trusted with --allow-credentials; a changed file must be trusted again.
        Directory.CreateDirectory(Project);
        var config = Path.Combine(Project, "packster.toml");
        TestPackages.Create(Path.Combine(Project, "pkgs"), "foo", "1.2.0");
        File.WriteAllText(config, "[sources.here]\ntype = \"folder\"\nurl = \"pkgs\"\n");

        var trust = await RunAsync("config", "trust");
        Assert.True(trust.Exit == 0, trust.Err);
        Assert.Contains(config, trust.Out);
        var found = await RunAsync("search", "foo", "--json");
        Assert.True(found.Exit == 0, found.Err);
        Assert.Equal("here", JsonDocument.Parse(found.Out).RootElement[0].GetProperty("source").GetString());
        Assert.DoesNotContain("warning", found.Err);

        // The repository is updated: the changed file is ignored again, and its server receives nothing.
        File.WriteAllText(config, HostileConfig);
        var changed = await RunAsync("search", "foo");
        Assert.Contains("changed since it was trusted", changed.Err);
        Assert.Empty(_received);

        // Trusting the hostile file as such refuses its credential, and nothing is recorded or sent.
        var refusedTrust = await RunAsync("config", "trust", config);
        Assert.Equal(8, refusedTrust.Exit);
        Assert.StartsWith("error[PST8014]: ", refusedTrust.Err);
        Assert.Contains("token-env", refusedTrust.Err);
        Assert.Contains("--allow-credentials", refusedTrust.Err);
        var stillIgnored = await RunAsync("search", "foo");
        Assert.Contains("changed since it was trusted", stillIgnored.Err);
        Assert.Empty(_received);

        // Only the user's explicit --allow-credentials lets the project file name a credential.
        var allowed = await RunAsync("config", "trust", "--allow-credentials", "packster.toml");
        Assert.True(allowed.Exit == 0, allowed.Err);
        var used = await RunAsync("search", "foo");
        Assert.Contains($"auth=[Bearer {Secret}]", Assert.Single(_received));
        Assert.DoesNotContain(Secret, used.Out + used.Err);

        var list = await RunAsync("config", "trusted", "--json");
        var row = JsonDocument.Parse(list.Out).RootElement.EnumerateArray().Single();
        Assert.Equal(config, row.GetProperty("path").GetString());
        Assert.True(row.GetProperty("allow-credentials").GetBoolean());

        var untrust = await RunAsync("config", "untrust");
        Assert.True(untrust.Exit == 0, untrust.Err);
        var afterUntrust = await RunAsync("search", "foo");
        Assert.Contains("is not trusted", afterUntrust.Err);
        Assert.Single(_received);
    }

    [Fact]
    public async Task Trusting_a_project_file_that_names_keys_to_trust_needs_allow_credentials()
    {
        // spec/sources.md §1.1: "A top-level [trust] table naming trusted-keys is refused the same way (PST8014 …)".
        // Before, `config trust` recorded such a file: only the keys of its sources were checked.
        Directory.CreateDirectory(Project);
        var config = Path.Combine(Project, "packster.toml");
        File.WriteAllText(config, "[trust]\nsignatures = \"require\"\ntrusted-keys = [\"0123456789abcdef\"]\n");

        var refused = await RunAsync("config", "trust");
        Assert.Equal(8, refused.Exit);
        Assert.StartsWith($"error[PST8014]: {config}:3:1: [trust] sets 'trusted-keys' in a project config file; refused", refused.Err, StringComparison.Ordinal);
        Assert.Contains("--allow-credentials", refused.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_temp["data"], "trusted-configs.json")));

        var allowed = await RunAsync("config", "trust", "--allow-credentials");
        Assert.True(allowed.Exit == 0, allowed.Err);
        Assert.Contains(config, allowed.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trusting_a_folder_says_it_is_a_folder_and_records_nothing()
    {
        // spec/errors.md PST1001: a file named on the command line that is a folder (as import's environment file).
        Directory.CreateDirectory(Path.Combine(Project, "proj"));
        var r = await RunAsync("config", "trust", "proj");
        Assert.Equal(2, r.Exit);
        Assert.Contains($"error[PST1001]: config file '{Path.Combine(Project, "proj")}' is a folder", r.Err, StringComparison.Ordinal);
        var list = await RunAsync("config", "trusted", "--json");
        Assert.Empty(JsonDocument.Parse(list.Out).RootElement.EnumerateArray());
    }
}
