using System.Text;
using System.Text.Json.Nodes;
using Packster.Locations;
using Packster.Model;

namespace Packster.Core.Tests.Locations;

/// <summary>spec/lockfile.md § Lockfile (schema 1), § Atomic write, § Unknown schema.</summary>
public sealed class LockfileTests
{
    private static LocationState SampleState()
    {
        var state = new LocationState(LocationId.Parse("dev"));
        var hello = new DeploymentEntry(LocationTestBed.Package("hello", "1.2.0"), LocationTestBed.Hash("h1"), new JsonObject { ["port"] = 8081, ["name"] = "x" })
        {
            Active = true,
            Pinned = true,
            InstalledAt = new DateTimeOffset(2026, 1, 31, 12, 0, 0, TimeSpan.Zero),
        };
        hello.Claims.Add("shim:hello");
        hello.Claims.Add("env:HELLO_HOME");
        var old = new DeploymentEntry(LocationTestBed.Package("hello", "1.1.0", 'b'), LocationTestBed.Hash("h0"), []);
        old.Claims.Add("shim:hello");
        state.Deployments.Add(hello);
        state.Deployments.Add(old);
        state.Bundle[PackageId.Parse("hello")] = new BundleRequirement(PackageId.Parse("hello"), "^1.2", new JsonObject { ["port"] = 8081 })
        {
            Resolved = new ResolvedRequirement(hello.Package, hello.Hash),
        };
        return state;
    }

    [Fact]
    public void Round_trip_preserves_every_field_and_the_bytes()
    {
        var bytes = Lockfile.Serialize(SampleState());
        var back = Lockfile.Parse(bytes, "test.json");

        Assert.Equal("dev", back.LocationId.Value);
        var hello = Assert.Single(back.Deployments, d => d.Version.ToString() == "1.2.0");
        Assert.True(hello.Active);
        Assert.True(hello.Pinned);
        Assert.Equal(new DateTimeOffset(2026, 1, 31, 12, 0, 0, TimeSpan.Zero), hello.InstalledAt);
        Assert.Equal(["env:HELLO_HOME", "shim:hello"], hello.Claims);
        Assert.Equal(8081, (int)hello.Parameters["port"]!);
        Assert.Equal("^1.2", back.Bundle[PackageId.Parse("hello")].Range);
        Assert.Equal(hello.Hash, back.Bundle[PackageId.Parse("hello")].Resolved!.Deployment);
        Assert.Equal(bytes, Lockfile.Serialize(back));
    }

    [Fact]
    public void Output_is_stable_indented_lf_with_a_trailing_newline_and_sorted()
    {
        var text = Encoding.UTF8.GetString(Lockfile.Serialize(SampleState()));
        Assert.StartsWith("{\n  \"schema\": 1,\n  \"location\": \"dev\",\n  \"hash\": ", text, StringComparison.Ordinal);
        Assert.EndsWith("}\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', text);
        // deployments sorted by id then version; parameters keys sorted.
        Assert.True(text.IndexOf("\"1.1.0\"", StringComparison.Ordinal) < text.IndexOf("\"1.2.0\"", StringComparison.Ordinal));
        var deployments = text[text.IndexOf("\"deployments\"", StringComparison.Ordinal)..];
        Assert.True(deployments.IndexOf("\"name\"", StringComparison.Ordinal) < deployments.IndexOf("\"port\": 8081", StringComparison.Ordinal));
        // § owners: only the active deployment owns its claims.
        Assert.Contains($"\"shim:hello\": \"{LocationTestBed.Hash("h1")}\"", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// spec/lockfile.md § Lockfile: "properties in the order below; absent optional values are omitted (never null)":
    /// the optional <c>signer</c> and <c>dependency</c> come last, and <c>installedAt</c> is left out when there is none.
    /// </summary>
    [Fact]
    public void Optional_deployment_fields_are_written_in_the_spec_order_and_omitted_when_absent()
    {
        var state = new LocationState(LocationId.Parse("dev"));
        var package = LocationTestBed.Package("hello", "1.2.0");
        var hash = LocationTestBed.Hash("signed");
        state.Deployments.Add(new DeploymentEntry(package, hash, new JsonObject { ["b"] = new JsonObject { ["y"] = 1, ["x"] = null }, ["a"] = new JsonArray("<é>", 2.5) })
        {
            Signer = "0123456789abcdef",
            Dependency = true,
        });

        var text = Encoding.UTF8.GetString(Lockfile.Serialize(state));

        var expected = $$"""
              "deployments": [
                {
                  "id": "hello",
                  "version": "1.2.0",
                  "package": "{{package.FileName}}",
                  "sha256": "{{package.Sha256}}",
                  "deployment": "{{hash}}",
                  "path": "deployments/{{hash}}",
                  "parameters": {
                    "a": [
                      "\u003C\u00E9\u003E",
                      2.5
                    ],
                    "b": {
                      "x": null,
                      "y": 1
                    }
                  },
                  "active": false,
                  "pinned": false,
                  "claims": [],
                  "signer": "0123456789abcdef",
                  "dependency": true
                }
              ],
              "owners": {}
            }

            """;
        Assert.EndsWith(expected.ReplaceLineEndings("\n"), text, StringComparison.Ordinal);
        Assert.Equal(text, Encoding.UTF8.GetString(Lockfile.Serialize(Lockfile.Parse(Encoding.UTF8.GetBytes(text), "test.json"))));
    }

    [Fact]
    public void The_location_hash_changes_when_deployments_or_activation_change_and_only_then()
    {
        var state = SampleState();
        var h1 = state.Hash;
        state.Deployments[0].Pinned = false;
        Assert.Equal(h1, state.Hash);
        state.Deployments[0].Active = false;
        var h2 = state.Hash;
        Assert.NotEqual(h1, h2);
        state.Deployments.RemoveAt(1);
        Assert.NotEqual(h2, state.Hash);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", new LocationState(LocationId.Parse("x")).Hash.Hex);
    }

    [Fact]
    public void Two_active_owners_of_one_resource_are_refused_before_writing()
    {
        var state = SampleState();
        state.Deployments[1].Active = true;
        var e = Assert.Throws<PacksterException>(() => Lockfile.Serialize(state));
        Assert.Equal(ErrorCode.LocationInconsistent, e.Code);
        Assert.Contains("shim:hello", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"schema\": 2, \"location\": \"dev\"}", "2")]
    [InlineData("{\"location\": \"dev\", \"future\": [1,2], \"schema\": 99}", "99")]
    public void An_unknown_schema_names_the_file_and_the_version_found(string json, string version)
    {
        var e = Assert.Throws<PacksterException>(() => Lockfile.Parse(Encoding.UTF8.GetBytes(json), "/x/packster-location.json"));
        Assert.Equal(ErrorCode.LockfileSchemaUnsupported, e.Code);
        Assert.Contains("/x/packster-location.json", e.Message, StringComparison.Ordinal);
        Assert.Contains($"schema {version}", e.Message, StringComparison.Ordinal);
        Assert.Contains("newer packster", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\n  \"schema\": 1,\n  \"location\": \"dev\",,\n}", "line 3")]
    [InlineData("", "invalid JSON")]
    [InlineData("[]", "expected a JSON object")]
    [InlineData("{\"location\": \"dev\"}", "no \"schema\"")]
    [InlineData("{\"schema\": \"1\"}", "\"schema\" must be a whole number, found a string")]
    [InlineData("{\"schema\": 1.0}", "\"schema\" must be a whole number, found 1.0")]
    [InlineData("{\"schema\": 1, \"location\": \"Dev!\"}", "$.location")]
    [InlineData("{\"schema\": 1, \"location\": \"dev\", \"surprise\": 1}", "surprise")]
    [InlineData("{\"schema\": 1, \"location\": \"dev\", \"deployments\": [{\"id\": \"x\"}]}", "$.deployments[0].version: missing")]
    [InlineData("{\"schema\": 1, \"location\": \"dev\", \"location\": \"prod\"}", "$: names 'location' twice")]
    [InlineData("{\"schema\": 1, \"location\": \"dev\", \"bundle\": {\"a\": {\"range\": \"*\"}, \"a\": {\"range\": \"1\"}}}", "$.bundle: names 'a' twice")]
    public void Unreadable_lockfiles_name_the_file_and_what_is_wrong(string json, string expected)
    {
        var e = Assert.Throws<PacksterException>(() => Lockfile.Parse(Encoding.UTF8.GetBytes(json), "/x/packster-location.json"));
        Assert.Equal(ErrorCode.LockfileUnreadable, e.Code);
        Assert.StartsWith("/x/packster-location.json: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    /// <summary>§ Compatibility: a bundle requirement's parameters naming a member twice are PST5002 with their path, as a deployment's are.</summary>
    [Fact]
    public void Bundle_parameters_that_name_a_member_twice_are_refused_with_their_path()
    {
        var text = Encoding.UTF8.GetString(Lockfile.Serialize(SampleState()));
        var at = text.IndexOf("\"port\": 8081", StringComparison.Ordinal);
        Assert.True(at > 0 && at < text.IndexOf("\"deployments\"", StringComparison.Ordinal));
        var bytes = Encoding.UTF8.GetBytes(text.Insert(at, "\"port\": 1, "));

        var e = Assert.Throws<PacksterException>(() => Lockfile.Parse(bytes, "/x/packster-location.json"));

        Assert.Equal(ErrorCode.LockfileUnreadable, e.Code);
        Assert.Equal("/x/packster-location.json: $.bundle.hello.parameters: names 'port' twice", e.Message);
    }

    /// <summary>
    /// § Lockfile: "absent optional values are omitted (never <c>null</c>)", and § Compatibility: "A value that is JSON
    /// but not valid … is PST5002 naming its JSON path". A <c>null</c> anywhere the format has none is refused so —
    /// <c>"deployments": null</c> was read as a location without deployments (whose directories recovery then deleted),
    /// <c>[null]</c> crashed — both in the shape packster writes (which the fast reading gives up on) and compact.
    /// </summary>
    [Theory]
    [InlineData("$.location")]
    [InlineData("$.hash")]
    [InlineData("$.bundle")]
    [InlineData("$.bundle.hello")]
    [InlineData("$.bundle.hello.range")]
    [InlineData("$.bundle.hello.parameters")]
    [InlineData("$.bundle.hello.resolved")]
    [InlineData("$.bundle.hello.resolved.deployment")]
    [InlineData("$.deployments")]
    [InlineData("$.deployments[0]")]
    [InlineData("$.deployments[1]")]
    [InlineData("$.deployments[1].id")]
    [InlineData("$.deployments[1].package")]
    [InlineData("$.deployments[1].path")]
    [InlineData("$.deployments[1].parameters")]
    [InlineData("$.deployments[1].installedAt")]
    [InlineData("$.deployments[1].active")]
    [InlineData("$.deployments[1].pinned")]
    [InlineData("$.deployments[1].claims")]
    [InlineData("$.deployments[1].claims[0]")]
    [InlineData("$.owners")]
    [InlineData("$.owners.shim:hello")]
    public void A_null_where_the_format_has_none_is_PST5002_naming_its_path(string path)
    {
        var canonical = Encoding.UTF8.GetString(Lockfile.Serialize(SampleState()));
        var indented = new System.Text.Json.JsonSerializerOptions { WriteIndented = true, NewLine = "\n" };
        // The edit leaves every other byte as packster writes it.
        Assert.Equal(canonical, JsonNode.Parse(canonical)!.ToJsonString(indented) + "\n");
        var edited = JsonNode.Parse(canonical)!;
        var (parent, last) = Parent(edited, path);
        if (parent is JsonArray array) array[int.Parse(last, System.Globalization.CultureInfo.InvariantCulture)] = null;
        else parent[last] = null;

        foreach (var text in new[] { edited.ToJsonString(indented) + "\n", edited.ToJsonString() })
        {
            var e = Assert.Throws<PacksterException>(() => Lockfile.Parse(Encoding.UTF8.GetBytes(text), "/x/packster-location.json"));
            Assert.Equal(ErrorCode.LockfileUnreadable, e.Code);
            Assert.StartsWith($"/x/packster-location.json: {path}: null", e.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>The node holding the value at a JSON path like <c>$.deployments[1].claims[0]</c>, and the last step's name or index.</summary>
    private static (JsonNode Parent, string Last) Parent(JsonNode root, string path)
    {
        var steps = path[2..].Replace("[", ".", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal).Split('.');
        var node = root;
        foreach (var step in steps[..^1]) node = node is JsonArray a ? a[int.Parse(step, System.Globalization.CultureInfo.InvariantCulture)]! : node[step]!;
        return (node, steps[^1]);
    }

    /// <summary>§ Lockfile: <c>.active</c> and <c>.pinned</c> are not optional: an entry without one is PST5002 naming it, not read as false.</summary>
    [Theory]
    [InlineData("active")]
    [InlineData("pinned")]
    public void A_deployment_without_active_or_pinned_is_PST5002(string field)
    {
        var edited = JsonNode.Parse(Lockfile.Serialize(SampleState()))!;
        edited["deployments"]![1]!.AsObject().Remove(field);

        var e = Assert.Throws<PacksterException>(() => Lockfile.Parse(Encoding.UTF8.GetBytes(edited.ToJsonString()), "/x/packster-location.json"));

        Assert.Equal(ErrorCode.LockfileUnreadable, e.Code);
        Assert.Equal($"/x/packster-location.json: $.deployments[1].{field}: missing", e.Message);
    }

    [Fact]
    public void A_corrupt_lockfile_is_never_overwritten_by_open_lock_recovery_or_commit()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        LocationTestBed.Install(location, "hello", "1.0.0", new Dictionary<string, string> { ["bin/hello"] = "hi" });
        var corrupt = File.ReadAllBytes(location.LockfilePath)[..40];
        File.WriteAllBytes(location.LockfilePath, corrupt);
        Directory.CreateDirectory(Path.Combine(location.DeploymentsDirectory, LocationTestBed.Hash("unrecorded").Hex));

        Assert.Equal(ErrorCode.LockfileUnreadable, Assert.Throws<PacksterException>(() => Location.Open(location.Path, bed.Paths).ReadState()).Code);
        using (var held = LocationLock.Acquire(location, TimeSpan.Zero))
        {
            Assert.Equal(ErrorCode.LockfileUnreadable, Assert.Throws<PacksterException>(() => Recovery.Run(location, held)).Code);
        }
        Assert.Equal(corrupt, File.ReadAllBytes(location.LockfilePath));
        // Recovery judged nothing "unrecorded" without a readable lockfile.
        Assert.Equal(2, Directory.GetDirectories(location.DeploymentsDirectory).Length);
    }

    [Fact]
    public void Opening_a_location_with_a_newer_schema_fails_before_anything_else()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        File.WriteAllText(location.LockfilePath, "{\"schema\": 2, \"location\": \"dev\", \"whatever\": {}}\n");
        var e = Assert.Throws<PacksterException>(() => Location.Open("dev", bed.Paths));
        Assert.Equal(ErrorCode.LockfileSchemaUnsupported, e.Code);
        Assert.Contains(location.LockfilePath, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Atomic_write_replaces_the_file_and_leaves_no_temp_file()
    {
        using var bed = new LocationTestBed();
        var file = bed.Temp.Write("f.json", "old\n");
        AtomicFile.Write(file, "new\n"u8);
        Assert.Equal("new\n", File.ReadAllText(file));
        Assert.Equal([file], Directory.GetFiles(bed.Temp.Path));
    }

    [Fact]
    public void A_write_that_fails_before_the_rename_leaves_the_old_file_intact()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var before = File.ReadAllBytes(location.LockfilePath);
        var state = location.ReadState();
        var a = new DeploymentEntry(LocationTestBed.Package("a", "1.0.0"), LocationTestBed.Hash("a"), []) { Active = true };
        var b = new DeploymentEntry(LocationTestBed.Package("b", "1.0.0"), LocationTestBed.Hash("b"), []) { Active = true };
        a.Claims.Add("port:80");
        b.Claims.Add("port:80");
        state.Deployments.AddRange([a, b]);
        Assert.Throws<PacksterException>(() => Lockfile.Write(location.LockfilePath, state));
        Assert.Equal(before, File.ReadAllBytes(location.LockfilePath));
        Assert.Empty(Directory.GetFiles(location.Path, "*.tmp"));
    }

    [Fact]
    public void Commit_refuses_a_deployment_whose_directory_is_not_published()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        using var held = LocationLock.Acquire(location, TimeSpan.Zero);
        var state = location.ReadState();
        state.Deployments.Add(new DeploymentEntry(LocationTestBed.Package("a", "1.0.0"), LocationTestBed.Hash("a"), []));
        var e = Assert.Throws<PacksterException>(() => location.Commit(state, held));
        Assert.Equal(ErrorCode.LocationInconsistent, e.Code);
        Assert.Empty(location.ReadState().Deployments);
    }

    /// <summary>spec/lockfile.md § Example: the documented lockfile is byte for byte what this code writes for that state.</summary>
    [Fact]
    public void The_spec_example_is_what_we_write()
    {
        var spec = File.ReadAllText(FindRepoFile("spec/lockfile.md")).ReplaceLineEndings("\n");
        var start = spec.IndexOf("```json\n", spec.IndexOf("### Example", StringComparison.Ordinal), StringComparison.Ordinal) + "```json\n".Length;
        var example = spec[start..spec.IndexOf("```", start, StringComparison.Ordinal)];

        var state = new LocationState(LocationId.Parse("dev"));
        var d1 = Sha(Encoding.UTF8.GetBytes("example-1"));
        var d2 = Sha(Encoding.UTF8.GetBytes("example-2"));
        var v120 = new PackageFileName(PackageId.Parse("hello"), PackageVersion.Parse("1.2.0"), Sha(Encoding.UTF8.GetBytes("pkg-1")));
        var v110 = new PackageFileName(PackageId.Parse("hello"), PackageVersion.Parse("1.1.0"), Sha(Encoding.UTF8.GetBytes("pkg-2")));
        var active = new DeploymentEntry(v120, d1, new JsonObject { ["port"] = 8081 })
        {
            Active = true, Pinned = true, InstalledAt = new DateTimeOffset(2026, 1, 31, 12, 0, 0, TimeSpan.Zero),
        };
        foreach (var c in new[] { "shim:hello", "env:HELLO_HOME", "port:8081" }) active.Claims.Add(c);
        var inactive = new DeploymentEntry(v110, d2, new JsonObject { ["port"] = 8080 }) { InstalledAt = new DateTimeOffset(2026, 1, 30, 9, 0, 0, TimeSpan.Zero) };
        foreach (var c in new[] { "shim:hello", "port:8080" }) inactive.Claims.Add(c);
        state.Deployments.AddRange([active, inactive]);
        state.Bundle[PackageId.Parse("hello")] = new BundleRequirement(PackageId.Parse("hello"), "^1.2", new JsonObject { ["port"] = 8081 })
        {
            Resolved = new ResolvedRequirement(v120, d1),
        };

        Assert.Equal(example, Encoding.UTF8.GetString(Lockfile.Serialize(state)));
        Assert.Equal(example, Encoding.UTF8.GetString(Lockfile.Serialize(Lockfile.Parse(Encoding.UTF8.GetBytes(example), "spec"))));
    }

    private static Sha256Digest Sha(byte[] data) => Sha256Digest.Compute(data);

    private static string FindRepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException(relative);
    }
}
