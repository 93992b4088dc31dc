using Packster.Core.Tests.Manifest;
using Packster.Deployments;
using Packster.Locations;
using Packster.Resources;

namespace Packster.Core.Tests.Resources;

/// <summary>
/// spec/resources.md § List variables: any number of deployments may extend one list variable; a scalar and a list of
/// the same name conflict, in one location and across enabled locations; the lockfile invariants say the same.
/// </summary>
public sealed class ListVariableGuardTests
{
    private static readonly ResourceOwner A = Owners.Hashed("liba", "1a2b3c4d" + new string('0', 56));
    private static readonly ResourceOwner B = Owners.Hashed("libb", "ffeeddcc" + new string('1', 56));
    private static readonly ResourceOwner C = Owners.Hashed("tool", "abcdef01" + new string('2', 56), location: "other");

    [Fact]
    public void Two_extensions_of_one_list_do_not_conflict_and_both_are_held()
    {
        var table = ResourceGuard.Apply(new Dictionary<ResourceClaim, ResourceOwner>(), new ResourceChange(A, [ResourceClaim.EnvList("LD_LIBRARY_PATH")]));
        table = ResourceGuard.Apply(table, new ResourceChange(B, [ResourceClaim.EnvList("LD_LIBRARY_PATH")]));
        Assert.Equal(2, table.Count);
        Assert.Equal([A, B], table.Values.OrderBy(o => o.PackageId.Value));
    }

    [Fact]
    public void A_scalar_and_a_list_of_the_same_name_conflict_either_way_round()
    {
        var lists = ResourceGuard.Apply(new Dictionary<ResourceClaim, ResourceOwner>(), new ResourceChange(A, [ResourceClaim.EnvList("LD_LIBRARY_PATH")]));
        var e = Assert.Throws<PacksterException>(() => ResourceGuard.Apply(lists, new ResourceChange(B, [ResourceClaim.EnvKey("LD_LIBRARY_PATH")])));
        Assert.Equal(ErrorCode.ResourceConflict, e.Code);
        Assert.StartsWith("environment variable 'LD_LIBRARY_PATH' collides with list variable 'LD_LIBRARY_PATH' of the same name, held by liba 1.0.0", e.Message, StringComparison.Ordinal);
        Assert.Contains("set whole by one package, or extended as a list by several, not both", e.Message, StringComparison.Ordinal);

        var scalar = ResourceGuard.Apply(new Dictionary<ResourceClaim, ResourceOwner>(), new ResourceChange(A, [ResourceClaim.EnvKey("PYTHONPATH")]));
        Assert.Single(ResourceGuard.FindConflicts(scalar, new ResourceChange(B, [ResourceClaim.EnvList("PYTHONPATH")])));
        // Releasing the scalar (a switch to another version of the same package) makes room for the list.
        Assert.Empty(ResourceGuard.FindConflicts(scalar, new ResourceChange(B, [ResourceClaim.EnvList("PYTHONPATH")], [ResourceClaim.EnvKey("PYTHONPATH")])));
    }

    [Fact]
    public void Across_enabled_locations_lists_share_and_a_scalar_collides()
    {
        var dev = ResourceGuard.Apply(new Dictionary<ResourceClaim, ResourceOwner>(), new ResourceChange(A, [ResourceClaim.EnvList("CLASSPATH")]));
        var other = new Dictionary<ResourceClaim, ResourceOwner> { [ResourceClaim.EnvList("CLASSPATH").Of(C.DeploymentHash)] = C };
        Assert.Empty(ResourceGuard.FindCrossLocationConflicts([dev, other]));
        var scalar = new Dictionary<ResourceClaim, ResourceOwner> { [ResourceClaim.EnvKey("CLASSPATH")] = C };
        var conflict = Assert.Single(ResourceGuard.FindCrossLocationConflicts([dev, scalar]));
        Assert.Equal(ResourceKind.EnvKey, conflict.Claim.Kind);
    }

    [Fact]
    public void The_lockfile_claim_text_round_trips_and_the_invariants_refuse_a_scalar_with_a_list()
    {
        Assert.Equal("envlist:LD_LIBRARY_PATH", ClaimText.Format(ClaimText.Parse("envlist:LD_LIBRARY_PATH")));
        var state = new LocationState(LocationId.Parse("dev"));
        var a = Locations.LocationTestBed.Package("liba", "1.0.0", 'a');
        var b = Locations.LocationTestBed.Package("libb", "1.0.0", 'b');
        var c = Locations.LocationTestBed.Package("tool", "1.0.0", 'c');
        foreach (var (package, seed, claim) in new[] { (a, "a", "envlist:LIBS"), (b, "b", "envlist:LIBS") })
        {
            var entry = new DeploymentEntry(package, Locations.LocationTestBed.Hash(seed), []) { Active = true };
            entry.Claims.Add(claim);
            state.Deployments.Add(entry);
        }
        Assert.Empty(LockfileInvariants.Violations(state));
        Assert.DoesNotContain("envlist:LIBS", state.Owners.Keys);
        var scalar = new DeploymentEntry(c, Locations.LocationTestBed.Hash("c"), []) { Active = true };
        scalar.Claims.Add("env:LIBS");
        state.Deployments.Add(scalar);
        Assert.Contains(LockfileInvariants.Violations(state), v => v.Contains("is set whole by one active deployment and extended as a list by another", StringComparison.Ordinal));
    }

    [Fact]
    public void The_manifest_reads_list_variables_and_refuses_what_cannot_be_one()
    {
        var m = ManifestTestSupport.Parse("""
            id = "liba"
            version = "1.0.0"
            [provides.env]
            LIBA_HOME = "{deployment}"
            LD_LIBRARY_PATH = { prepend = "{deployment}/lib" }
            MANPATH = { append = ["{deployment}/man", "{deployment}/share/man"], priority = 5 }
            """);
        Assert.Equal(["LIBA_HOME"], m.Provides.Env.Keys);
        Assert.Equal(["{deployment}/lib"], m.Provides.EnvLists["LD_LIBRARY_PATH"].Prepend.Select(t => t.Text));
        Assert.Equal(5, m.Provides.EnvLists["MANPATH"].Priority);
        Assert.Equal(2, m.Provides.EnvLists["MANPATH"].Append.Count);
        foreach (var (body, message) in new[]
        {
            ("PATH = { prepend = \"{deployment}/bin\" }", "PATH is the location's own"),
            // The names install refuses (spec/resources.md §2) are refused at check time too, as strings and as lists.
            ("PATH = \"/opt/x\"", "PATH is the location's own"),
            ("path = \"/opt/x\"", "PATH is the location's own"),
            ("_PACKSTER_X = \"1\"", "the _PACKSTER_ prefix is activation's own"),
            ("_packster_x = { append = \"a\" }", "the _PACKSTER_ prefix is activation's own"),
            ("PS1 = \"[x] $ \"", "PS1 is a shell variable a package may not set: it is a prompt or hook"),
            ("IFS = \",\"", "IFS is a shell variable a package may not set: it changes how the shell parses"),
            ("UID = \"1000\"", "UID is a shell variable a package may not set: the shell keeps it itself"),
            ("fish_function_path = { prepend = \"{deployment}/fish\" }", "fish_function_path is a shell variable a package may not set"),
            ($"{new string('A', 129)} = \"1\"", "at most 128 characters"),
            ("LIBS = {}", "needs at least one entry"),
            ("LIBS = { prepend = \"a\", priority = 5000 }", "from -1000 to 1000"),
            ("LIBS = { prepend = \"a\", before = \"b\" }", "before"),
            ("LIBS = { prepend = 3 }", "a string or an array of strings"),
        })
        {
            var e = ManifestTestSupport.Fail($"id = \"liba\"\nversion = \"1.0.0\"\n[provides.env]\n{body}\n");
            Assert.True(e.Message.Contains(message, StringComparison.Ordinal), $"{body}: {e.Message}");
        }
    }
}
