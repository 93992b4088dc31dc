namespace Packster.IntegrationTests.Install;

/// <summary>
/// <c>[dependencies]</c> through <c>packster install</c> (spec/sources.md § install by id: dependency order, cycles,
/// side-by-side versions, whole graph resolved before anything is installed).
/// </summary>
public sealed class DependencyTests : IDisposable
{
    /// <summary>An install handler that fails unless lib's shim is already deployed and runnable in the location.</summary>
    private const string RequiresLib = """
        #!/bin/sh
        set -e
        "$PACKSTER_LOCATION_PATH/shims/libtool" > lib-output.txt
        """;

    private readonly SourceFixture _f = new();
    private readonly string _repo;

    public DependencyTests() => _repo = _f.AddFolderSource("local");

    public void Dispose() => _f.Dispose();

    private void PublishLib(string version) =>
        _f.Publish(_repo, "lib", version, "[shims]\nlibtool = \"bin/libtool\"", ("bin/libtool", $"#!/bin/sh\necho libtool {version}\n"));

    [Fact]
    public void Dependencies_are_installed_first_and_are_usable_by_the_dependents_install_handler()
    {
        // spec/sources.md § install by id: dependencies are installed (committed, shims written) before the package.
        PublishLib("1.0.0");
        PublishLib("1.3.0");
        PublishLib("2.0.0");
        _f.Publish(_repo, "app", "1.0.0", "[dependencies]\nlib = \"^1.0\"\n[handlers]\ninstall = \"install.sh\"", ("install.sh", RequiresLib));

        var result = _f.Install("app");
        Assert.Equal("installed", result.GetProperty("status").GetString());
        var deps = result.GetProperty("dependencies");
        Assert.Equal(1, deps.GetArrayLength());
        Assert.Equal("lib", deps[0].GetProperty("id").GetString());
        Assert.Equal("1.3.0", deps[0].GetProperty("version").GetString());
        Assert.Equal("installed", deps[0].GetProperty("status").GetString());
        var output = File.ReadAllText(Path.Combine(result.GetProperty("path").GetString()!, "lib-output.txt"));
        Assert.Equal("libtool 1.3.0", output.Trim());

        var again = _f.Install("app");
        Assert.Equal("unchanged", again.GetProperty("status").GetString());
        Assert.Equal("unchanged", again.GetProperty("dependencies")[0].GetProperty("status").GetString());
    }

    [Fact]
    public void A_deployed_version_satisfying_the_range_is_reused_side_by_side_with_others()
    {
        // spec/sources.md § install by id: a requirement met by a deployment in the location is not reinstalled.
        PublishLib("1.0.0");
        _f.Install("lib@1.0.0");
        PublishLib("1.5.0");
        _f.Publish(_repo, "app", "1.0.0", "[dependencies]\nlib = \"^1.0\"");
        _f.Publish(_repo, "modern", "1.0.0", "[dependencies]\nlib = \"^1.5\"");

        var app = _f.Install("app");
        var dep = app.GetProperty("dependencies")[0];
        Assert.Equal("1.0.0", dep.GetProperty("version").GetString());
        Assert.Equal("unchanged", dep.GetProperty("status").GetString());

        var modern = _f.Install("modern");
        Assert.Equal("1.5.0", modern.GetProperty("dependencies")[0].GetProperty("version").GetString());
        Assert.Equal("installed", modern.GetProperty("dependencies")[0].GetProperty("status").GetString());

        var libs = _f.List().EnumerateArray().Where(d => d.GetProperty("id").GetString() == "lib")
            .ToDictionary(d => d.GetProperty("version").GetString()!, d => d.GetProperty("active").GetBoolean());
        Assert.Equal(2, libs.Count);
        Assert.True(libs["1.5.0"]);
        Assert.False(libs["1.0.0"]);
    }

    [Fact]
    public void A_dependency_lower_than_the_active_version_installs_without_taking_over()
    {
        // spec/sources.md § install by id step 3: activation follows the installer's rule (highest version active).
        PublishLib("1.0.0");
        PublishLib("2.0.0");
        _f.Install("lib@2.0.0");
        _f.Publish(_repo, "legacy", "1.0.0", "[dependencies]\nlib = \"^1.0\"");

        var dep = _f.Install("legacy").GetProperty("dependencies")[0];
        Assert.Equal("1.0.0", dep.GetProperty("version").GetString());
        Assert.Equal("installed", dep.GetProperty("status").GetString());
        Assert.False(dep.GetProperty("active").GetBoolean());
        var active = _f.List().EnumerateArray().Single(d => d.GetProperty("id").GetString() == "lib" && d.GetProperty("active").GetBoolean());
        Assert.Equal("2.0.0", active.GetProperty("version").GetString());
    }

    [Fact]
    public void Transitive_dependencies_come_in_topological_order()
    {
        // spec/sources.md § install by id: every package after all of its own dependencies.
        PublishLib("1.0.0");
        _f.Publish(_repo, "mid", "1.0.0", "[dependencies]\nlib = \"1.0.0\"");
        _f.Publish(_repo, "top", "1.0.0", "[dependencies]\nmid = \"^1\"\nlib = \"^1\"");
        var result = _f.Install("top");
        var order = result.GetProperty("dependencies").EnumerateArray().Select(d => d.GetProperty("id").GetString()).ToList();
        Assert.Equal(["lib", "mid"], order);
        Assert.Equal(3, _f.List().GetArrayLength());
    }

    [Fact]
    public void A_cycle_is_an_error_naming_it_and_nothing_is_installed()
    {
        // spec/sources.md § cycles / spec/errors.md PST8010.
        _f.Publish(_repo, "a", "1.0.0", "[dependencies]\nb = \"^1\"");
        _f.Publish(_repo, "b", "1.0.0", "[dependencies]\nc = \"^1\"");
        _f.Publish(_repo, "c", "1.0.0", "[dependencies]\nb = \"^1\"");
        var before = _f.Snapshot();

        var r = _f.Run("install", "a", "--location", "dev");
        Assert.Equal(8, r.ExitCode);
        Assert.Contains("PST8010", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("b -> c -> b", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());

        _f.Publish(_repo, "self", "1.0.0", "[dependencies]\nx = \"^1\"");
        _f.Publish(_repo, "x", "1.0.0", "[dependencies]\nself = \"^1\"");
        var direct = _f.Run("install", "self", "--location", "dev");
        Assert.Equal(8, direct.ExitCode);
        Assert.Contains("self -> x -> self", direct.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());
    }

    [Fact]
    public void A_missing_dependency_deep_in_the_graph_fails_before_anything_is_installed()
    {
        // spec/sources.md § install by id: the whole graph is resolved before the first install.
        PublishLib("1.0.0");
        _f.Publish(_repo, "mid", "1.0.0", "[dependencies]\nlib = \"^1\"\nghost = \"^3\"");
        _f.Publish(_repo, "app", "1.0.0", "[dependencies]\nlib = \"^1\"\nmid = \"^1\"");
        var before = _f.Snapshot();

        var r = _f.Run("install", "app", "--location", "dev");
        Assert.Equal(8, r.ExitCode);
        Assert.Contains("mid 1.0.0 depends on ghost@^3", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());
        Assert.Equal(0, _f.List().GetArrayLength());
    }

    [Fact]
    public void Install_bundle_entries_join_the_location_bundle_with_their_resolution()
    {
        // spec/bundle.md § install-bundle: entries of an installed package are installed and recorded in the bundle.
        PublishLib("1.2.0");
        _f.Publish(_repo, "stack", "1.0.0", "[install-bundle]\nlib = { version = \"^1.0\", parameters = {} }");
        var result = _f.Install("stack");
        var brought = result.GetProperty("bundle");
        Assert.Equal(1, brought.GetArrayLength());
        Assert.Equal("lib", brought[0].GetProperty("id").GetString());

        var bundle = _f.Lockfile().GetProperty("bundle");
        var lib = bundle.GetProperty("lib");
        Assert.Equal("^1.0", lib.GetProperty("range").GetString());
        Assert.Equal(brought[0].GetProperty("deployment").GetString(), lib.GetProperty("resolved").GetProperty("deployment").GetString());
        Assert.Equal(brought[0].GetProperty("package").GetString(), lib.GetProperty("resolved").GetProperty("package").GetString());
    }

    [Fact]
    public void A_failing_install_bundle_entry_leaves_the_package_installed_and_names_it()
    {
        // spec/bundle.md § install-bundle: "This step runs after the package is installed; a failure in it leaves the
        // package installed and reports the error", naming the package whose [install-bundle] it came from, with the
        // error's own exit code. The step is one commit: lib, brought with the failing entry, is undone with it.
        PublishLib("1.0.0");
        _f.Publish(_repo, "fail", "1.0.0", "[handlers]\ninstall = \"install.sh\"", ("install.sh", "#!/bin/sh\necho boom\nexit 9\n"));
        _f.Publish(_repo, "meta", "1.0.0", "[install-bundle]\nlib = \"1.0.0\"\nfail = \"*\"");

        var r = _f.Run("install", "meta", "--location", "dev", "--json");
        Assert.True(r.ExitCode == 7, r.ToString());
        Assert.Contains("error[PST7000]: meta 1.0.0's [install-bundle] entry fail = \"*\": ", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("meta 1.0.0 stays installed", r.Stderr, StringComparison.Ordinal);
        using (var json = System.Text.Json.JsonDocument.Parse(r.Stdout))
        {
            Assert.Equal("installed", json.RootElement.GetProperty("status").GetString());
            Assert.Equal("PST7000", json.RootElement.GetProperty("bundleErrors")[0].GetProperty("code").GetString());
        }
        Assert.Equal(["meta"], _f.List().EnumerateArray().Select(d => d.GetProperty("id").GetString()));
        Assert.Empty(_f.Lockfile().GetProperty("bundle").EnumerateObject());

        // Installed, so a second run has nothing to do.
        Assert.Equal("unchanged", _f.Install("meta").GetProperty("status").GetString());
    }

    [Fact]
    public void An_install_bundle_entry_no_source_offers_is_named_with_the_package_that_brought_it()
    {
        // spec/bundle.md § install-bundle: the package stays installed; the error says whose [install-bundle] it was.
        PublishLib("1.0.0");
        _f.Publish(_repo, "meta", "1.0.0", "[install-bundle]\nlib = \"1.0.0\"\nnosuchpkg = \"^1\"");

        var r = _f.Run("install", "meta", "--location", "dev");
        Assert.True(r.ExitCode == 8, r.ToString());
        Assert.Contains("error[PST8004]: meta 1.0.0's [install-bundle] entry nosuchpkg = \"^1\": ", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("installed meta 1.0.0", r.Stdout, StringComparison.Ordinal);
        Assert.Equal(["meta"], _f.List().EnumerateArray().Select(d => d.GetProperty("id").GetString()));
    }

    // spec/lockfile.md § Lockfile ("dependency": installed only because another package needs it) and § Garbage
    // collection (gc --orphans removes marked deployments no deployment in use needs, active or not, handlers run).
    [Fact]
    public void Dependencies_are_marked_and_gc_orphans_removes_them_once_nothing_needs_them()
    {
        PublishLib("1.0.0");
        _f.Publish(_repo, "tool", "1.0.0", "[shims]\ntool = \"bin/tool\"", ("bin/tool", "#!/bin/sh\necho tool\n"));
        _f.Publish(_repo, "app", "1.0.0", "[dependencies]\nlib = \"^1.0\"\ntool = \"^1.0\"");
        _f.Install("tool");
        _f.Install("app");
        bool Marked(string id) => _f.Lockfile().GetProperty("deployments").EnumerateArray()
            .Single(d => d.GetProperty("id").GetString() == id).TryGetProperty("dependency", out var flag) && flag.GetBoolean();
        Assert.True(Marked("lib"));
        Assert.False(Marked("tool")); // asked for by the user before app needed it
        Assert.False(Marked("app"));
        Assert.True(_f.List().EnumerateArray().Single(d => d.GetProperty("id").GetString() == "lib").GetProperty("dependency").GetBoolean());

        Assert.Contains("nothing to remove", _f.Run("gc", "--orphans", "--location", "dev").Stdout, StringComparison.Ordinal);
        _f.Run("uninstall", "app", "--location", "dev");
        // lib is active: no deployment goes (the store may drop app's files, which nothing holds any more).
        Assert.DoesNotMatch(DeploymentRemovedLine, _f.Run("gc", "--location", "dev").Stdout);

        var before = _f.Snapshot();
        var dry = _f.Run("gc", "--orphans", "--dry-run", "--location", "dev");
        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("would remove lib 1.0.0", dry.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("tool", dry.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());

        Assert.Contains("removed lib 1.0.0", _f.Run("gc", "--orphans", "--location", "dev").Stdout, StringComparison.Ordinal);
        Assert.Equal(["tool"], _f.List().EnumerateArray().Select(d => d.GetProperty("id").GetString()));
    }

    // spec/lockfile.md § Garbage collection: gc removes inactive deployments "not needed by a deployment in use … an
    // inactive deployment is needed when it is the highest in range of a requirement the active deployment of its id does
    // not meet". app needs lib ^1 while lib 2.0.0 is active: lib 1.0.0 stays, with and without --orphans.
    [Fact]
    public void Gc_keeps_an_inactive_deployment_that_a_deployment_in_use_needs()
    {
        PublishLib("1.0.0");
        PublishLib("2.0.0");
        _f.Publish(_repo, "app", "1.0.0", "[dependencies]\nlib = \"^1.0\"");
        _f.Install("app");
        _f.Install("lib@2.0.0");
        var lib1 = _f.List().EnumerateArray().Single(d => d.GetProperty("id").GetString() == "lib" && d.GetProperty("version").GetString() == "1.0.0");
        Assert.False(lib1.GetProperty("active").GetBoolean());

        Assert.Contains("nothing to remove", _f.Run("gc", "--dry-run", "--location", "dev").Stdout, StringComparison.Ordinal);
        Assert.DoesNotMatch(DeploymentRemovedLine, _f.Run("gc", "--location", "dev").Stdout);
        Assert.DoesNotContain("lib 1.0.0", _f.Run("gc", "--orphans", "--location", "dev").Stdout, StringComparison.Ordinal);
        Assert.Contains(_f.List().EnumerateArray(), d => d.GetProperty("id").GetString() == "lib" && d.GetProperty("version").GetString() == "1.0.0");

        // Once nothing needs it, it is garbage like any inactive deployment.
        _f.Run("uninstall", "app", "--location", "dev");
        Assert.Contains("removed lib 1.0.0", _f.Run("gc", "--location", "dev").Stdout, StringComparison.Ordinal);
    }

    // spec/lockfile.md § Lockfile: an explicit install of a package that was installed as a dependency clears the mark,
    // so gc --orphans keeps it.
    [Fact]
    public void Installing_a_dependency_explicitly_makes_it_the_users_own()
    {
        PublishLib("1.0.0");
        _f.Publish(_repo, "app", "1.0.0", "[dependencies]\nlib = \"^1.0\"");
        _f.Install("app");
        var explicitly = _f.Install("lib");
        Assert.Equal("unchanged", explicitly.GetProperty("status").GetString());
        Assert.False(_f.Lockfile().GetProperty("deployments").EnumerateArray().Single(d => d.GetProperty("id").GetString() == "lib").TryGetProperty("dependency", out _));
        _f.Run("uninstall", "app", "--location", "dev");
        Assert.DoesNotMatch(DeploymentRemovedLine, _f.Run("gc", "--orphans", "--location", "dev").Stdout);
    }

    // spec/export.md § Format: "dependency = true # only when it was installed as another package's dependency"; and
    // § sync: "dependency marks that differ (`mark <hash> as a dependency`, `unmark …`)". An environment made from the
    // file keeps gc --orphans' view of the location it came from.
    [Fact]
    public void Export_carries_the_dependency_mark_and_import_and_sync_restore_it()
    {
        PublishLib("1.0.0");
        _f.Publish(_repo, "app", "1.0.0", "[dependencies]\nlib = \"^1.0\"");
        _f.Install("app");
        var env = _f.Temp["env.packster-lock.toml"];
        _f.Packster.Ok("export", "--location", "dev", "-o", env);
        var text = File.ReadAllText(env);
        Assert.Equal(1, text.Split("dependency = true\n").Length - 1);
        Assert.Matches("id = \"lib\"\n(?:.+\n)*?dependency = true\n", text);

        _f.Packster.Ok("location", "create", _f.Temp["copy"], "--id", "copy");
        _f.Packster.Ok("import", env, "--location", "copy");
        bool Marked(string id) => _f.List("copy").EnumerateArray().Single(d => d.GetProperty("id").GetString() == id).GetProperty("dependency").GetBoolean();
        Assert.True(Marked("lib"));
        Assert.False(Marked("app"));

        File.WriteAllText(env, text.Replace("dependency = true\n", "", StringComparison.Ordinal));
        var sync = _f.Packster.Ok("sync", env, "--location", "copy");
        Assert.Matches(@"(?m)^unmark [0-9a-f]{12} as a dependency$", sync);
        Assert.False(Marked("lib"));
        _f.Run("uninstall", "app", "--location", "copy");
        Assert.DoesNotMatch(DeploymentRemovedLine, _f.Run("gc", "--orphans", "--location", "copy").Stdout);
    }

    /// <summary>A gc output line that removed a deployment (`removed lib 1.0.0 (…)`), as opposed to store files.</summary>
    private const string DeploymentRemovedLine = @"(?m)^removed \S+ \d";
}
