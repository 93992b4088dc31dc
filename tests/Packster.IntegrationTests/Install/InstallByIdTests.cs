using System.Text.Json;

namespace Packster.IntegrationTests.Install;

/// <summary>
/// <c>packster install &lt;id&gt;[@&lt;range&gt;]</c> through the real executable against folder sources
/// (spec/sources.md § install by id).
/// </summary>
public sealed class InstallByIdTests : IDisposable
{
    private readonly SourceFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Exact_version_caret_range_and_no_range_each_pick_their_version()
    {
        // spec/sources.md § install by id: the highest version satisfying the range; no range: the highest stable one.
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "hello", "1.0.0");
        var v12 = _f.Publish(repo, "hello", "1.2.0");
        _f.Publish(repo, "hello", "2.0.0");
        _f.Publish(repo, "hello", "2.1.0-beta.1");

        var exact = _f.Install("hello@1.0.0");
        Assert.Equal("1.0.0", exact.GetProperty("version").GetString());
        Assert.Equal("installed", exact.GetProperty("status").GetString());
        Assert.Equal("local", exact.GetProperty("source").GetString());

        var caret = _f.Install("hello@^1.0");
        Assert.Equal("1.2.0", caret.GetProperty("version").GetString());
        Assert.Equal(Path.GetFileName(v12), caret.GetProperty("package").GetString());
        Assert.True(Directory.Exists(caret.GetProperty("path").GetString()));

        var any = _f.Install("hello");
        Assert.Equal("2.0.0", any.GetProperty("version").GetString());

        var again = _f.Install("hello@^1.0");
        Assert.Equal("unchanged", again.GetProperty("status").GetString());
        Assert.Equal(caret.GetProperty("deployment").GetString(), again.GetProperty("deployment").GetString());

        var versions = _f.List().EnumerateArray().Select(d => d.GetProperty("version").GetString()).Order().ToList();
        Assert.Equal(["1.0.0", "1.2.0", "2.0.0"], versions);
    }

    [Fact]
    public void Highest_version_wins_across_sources_and_priority_breaks_ties()
    {
        // spec/sources.md §5: highest version across all sources; equal versions go to the lowest priority number.
        var first = _f.AddFolderSource("first", priority: 10);
        var second = _f.AddFolderSource("second", priority: 20);
        _f.Publish(first, "tool", "1.0.0");
        _f.Publish(second, "tool", "1.1.0");
        var tiedFirst = _f.Publish(first, "tool", "2.0.0", "description = \"from first\"");
        _f.Publish(second, "tool", "2.0.0", "description = \"from second\"");

        var highest = _f.Install("tool@^1.0");
        Assert.Equal("1.1.0", highest.GetProperty("version").GetString());
        Assert.Equal("second", highest.GetProperty("source").GetString());

        var tie = _f.Install("tool@2.0.0");
        Assert.Equal("first", tie.GetProperty("source").GetString());
        Assert.Equal(Path.GetFileName(tiedFirst), tie.GetProperty("package").GetString());

        var onlySecond = _f.Install("tool@2.0.0", "--source", "second", "--force");
        Assert.Equal("second", onlySecond.GetProperty("source").GetString());
        Assert.NotEqual(tie.GetProperty("package").GetString(), onlySecond.GetProperty("package").GetString());
    }

    [Fact]
    public void At_latest_installs_the_version_published_as_latest()
    {
        // spec/manifest.md ranges: `latest` matches only the version literally named latest.
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "nightly", "9.9.9");
        var latest = _f.Publish(repo, "nightly", "latest");
        var outcome = _f.Install("nightly@latest");
        Assert.Equal("latest", outcome.GetProperty("version").GetString());
        Assert.Equal(Path.GetFileName(latest), outcome.GetProperty("package").GetString());
    }

    [Fact]
    public void No_matching_version_or_unknown_id_fails_with_exit_8_and_changes_nothing()
    {
        // spec/errors.md PST8009 / PST8004: exit 8, one line naming the package and what is available.
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "hello", "1.4.0");
        var before = _f.Snapshot();

        var noMatch = _f.Run("install", "hello@^2.0", "--location", "dev");
        Assert.Equal(8, noMatch.ExitCode);
        Assert.Contains("PST8009", noMatch.Stderr, StringComparison.Ordinal);
        Assert.Contains("'hello'", noMatch.Stderr, StringComparison.Ordinal);
        Assert.Contains("1.4.0", noMatch.Stderr, StringComparison.Ordinal);

        var unknown = _f.Run("install", "ghost", "--location", "dev");
        Assert.Equal(8, unknown.ExitCode);
        Assert.Contains("PST8004", unknown.Stderr, StringComparison.Ordinal);
        Assert.Contains("ghost", unknown.Stderr, StringComparison.Ordinal);

        var badRange = _f.Run("install", "hello@^^1", "--location", "dev");
        Assert.NotEqual(0, badRange.ExitCode);
        Assert.Contains("not a version range", badRange.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());
    }

    [Fact]
    public void Offline_resolves_only_among_files_already_in_the_cache()
    {
        // spec/sources.md § install by id: --offline uses the download cache as the only source.
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "hello", "1.0.0");
        _f.Install("hello@1.0.0");
        _f.Publish(repo, "hello", "1.1.0");
        _f.Publish(repo, "other", "1.0.0");

        // The source now offers 1.1.0, but offline only the cached 1.0.0 exists.
        var offline = _f.Install("hello@^1.0", "--offline");
        Assert.Equal("1.0.0", offline.GetProperty("version").GetString());
        Assert.Equal("unchanged", offline.GetProperty("status").GetString());

        // spec/errors.md: an offline miss is PST8011 OfflineCacheMiss, not PST8004 (the sources were not asked).
        var miss = _f.Run("install", "other", "--offline", "--location", "dev");
        Assert.Equal(8, miss.ExitCode);
        Assert.StartsWith("error[PST8011]: no version of package 'other' is in the download cache", miss.Stderr, StringComparison.Ordinal);

        var online = _f.Install("hello@^1.0");
        Assert.Equal("1.1.0", online.GetProperty("version").GetString());
    }

    [Fact]
    public void Offline_with_an_empty_cache_is_a_cache_miss_for_the_package_and_for_a_dependency()
    {
        // spec/sources.md §4 and spec/errors.md PST8011 (PST8004 and PST8011 are prefixed for a dependency alike).
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "lib", "1.0.0");
        _f.Publish(repo, "tool", "1.0.0", "[dependencies]\nlib = \"^1\"\n");
        var before = _f.Snapshot();

        var empty = _f.Run("install", "lib", "--offline", "--location", "dev");
        Assert.Equal(8, empty.ExitCode);
        Assert.StartsWith("error[PST8011]: no version of package 'lib' is in the download cache", empty.Stderr, StringComparison.Ordinal);

        // fetch puts the tool alone in the cache; its dependency never gets there.
        Assert.Equal(0, _f.Run("fetch", "tool").ExitCode);
        var dependency = _f.Run("install", "tool", "--offline", "--location", "dev");
        Assert.Equal(8, dependency.ExitCode);
        Assert.StartsWith("error[PST8011]: ", dependency.Stderr, StringComparison.Ordinal);
        Assert.Contains("lib", dependency.Stderr.Split('\n')[0], StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());
    }

    [Fact]
    public void Parameters_apply_to_the_named_package_and_dependencies_get_their_defaults()
    {
        // spec/sources.md § install by id step 3: dependencies are installed with their default parameters.
        const string Port = "[parameters.port]\ntype = \"integer\"\ndefault = 8080\n";
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "db", "1.0.0", Port);
        _f.Publish(repo, "web", "1.0.0", Port + "[dependencies]\ndb = \"^1\"\n");
        var result = _f.Install("web@1.0.0", "-p", "port=9300");
        Assert.Equal("installed", result.GetProperty("status").GetString());
        var ports = _f.List().EnumerateArray().ToDictionary(d => d.GetProperty("id").GetString()!, d => d.GetProperty("parameters").GetProperty("port").GetInt32());
        Assert.Equal(9300, ports["web"]);
        Assert.Equal(8080, ports["db"]);

        var json = _f.Install("web@1.0.0", "--parameters", """{"port": 9300}""");
        Assert.Equal("unchanged", json.GetProperty("status").GetString());
        Assert.Equal(result.GetProperty("deployment").GetString(), json.GetProperty("deployment").GetString());
    }

    [Fact]
    public void Dry_run_resolves_and_plans_but_installs_nothing()
    {
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "lib", "1.0.0");
        _f.Publish(repo, "app", "1.0.0", "[dependencies]\nlib = \"^1.0\"");
        var before = _f.Snapshot();
        var plan = _f.Install("app", "--dry-run");
        Assert.Equal("planned", plan.GetProperty("status").GetString());
        Assert.Equal("lib", plan.GetProperty("dependencies")[0].GetProperty("id").GetString());
        Assert.Equal("planned", plan.GetProperty("dependencies")[0].GetProperty("status").GetString());
        Assert.True(plan.GetProperty("plan").GetProperty("activate").GetBoolean());
        Assert.False(plan.GetProperty("dependencies")[0].GetProperty("plan").GetProperty("alreadyInstalled").GetBoolean());
        Assert.Equal(before, _f.Snapshot());
    }
}
