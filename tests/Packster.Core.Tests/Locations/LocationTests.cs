using Packster.Locations;

namespace Packster.Core.Tests.Locations;

/// <summary>spec/lockfile.md § Layout, § Registry and § Resolving --location.</summary>
public sealed class LocationTests
{
    [Fact]
    public void Create_makes_the_layout_an_empty_lockfile_and_a_registry_entry()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation("My Dev");

        Assert.Equal("my-dev", location.Id.Value);
        Assert.Equal(bed["My Dev"], location.Path);
        foreach (var dir in new[] { "deployments", ".packster/staging", ".packster/trash", "logs", "shims", "activate" })
        {
            Assert.True(Directory.Exists(Path.Combine(location.Path, dir)), dir);
        }
        var state = location.ReadState();
        Assert.Empty(state.Deployments);
        Assert.Equal(location.Id, state.LocationId);
        // spec/activation.md §4: a symlink to the location on POSIX (shells reach it by path), a file holding the path on Windows.
        var entry = new FileInfo(Path.Combine(bed.Paths.RegistryDirectory, "my-dev"));
        Assert.Equal(location.Path, OperatingSystem.IsWindows() ? File.ReadAllText(entry.FullName) : entry.LinkTarget);
    }

    [Fact]
    public void Create_refuses_an_existing_location_and_a_non_empty_directory()
    {
        using var bed = new LocationTestBed();
        bed.CreateLocation("dev");
        Assert.Equal(ErrorCode.LocationExists, Assert.Throws<PacksterException>(() => bed.CreateLocation("dev", "other")).Code);

        bed.Temp.Write("stuff/readme.txt", "hi");
        var e = Assert.Throws<PacksterException>(() => bed.CreateLocation("stuff"));
        Assert.Equal(ErrorCode.LocationDirectoryNotEmpty, e.Code);
        Assert.False(File.Exists(bed["stuff/packster-location.json"]));
    }

    // § Registry: a creation that fails after it began — here the registry cannot be written, its data home being a
    // file — takes away what it made: a new directory is gone, an empty one given is empty again, and the same
    // command succeeds once the cause is fixed (it said 'already holds a location' before).
    [Fact]
    public void A_creation_that_cannot_register_leaves_nothing_behind()
    {
        using var other = new Packster.Testing.TempDirectory();
        var dataHome = other.Write("not-a-folder", "x");
        using var bed = new LocationTestBed(new Dictionary<string, string> { ["PACKSTER_DATA_HOME"] = dataHome });
        Assert.ThrowsAny<Exception>(() => bed.CreateLocation("fresh"));
        Assert.False(Directory.Exists(bed["fresh"]));

        Directory.CreateDirectory(bed["given"]);
        Assert.ThrowsAny<Exception>(() => bed.CreateLocation("given"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(bed["given"]));

        File.Delete(dataHome);
        Assert.Equal("given", bed.CreateLocation("given").Id.Value);
    }

    // § Registry: "nothing is created when it refuses"; spec/activation.md: a location path holds no PATH separator (':';
    // ';' on Windows) — refused before the folder, its layout or its registry entry exist, not after.
    [Fact]
    public void Create_refuses_a_path_activation_cannot_use_before_making_anything()
    {
        using var bed = new LocationTestBed();
        var name = $"loc{Path.PathSeparator}colon";
        var e = Assert.Throws<PacksterException>(() => bed.CreateLocation(name, "colon"));
        Assert.Equal(ErrorCode.ActivationEnvInvalid, e.Code);
        Assert.False(Directory.Exists(bed[name]));
        Assert.Null(new LocationRegistry(bed.Paths).Lookup(LocationId.Parse("colon")));
    }

    [Fact]
    public void Create_refuses_an_id_registered_to_another_live_location_and_changes_nothing()
    {
        using var bed = new LocationTestBed();
        bed.CreateLocation("a", "dev");
        var e = Assert.Throws<PacksterException>(() => bed.CreateLocation("b", "dev"));
        Assert.Equal(ErrorCode.LocationIdTaken, e.Code);
        Assert.Contains(bed["a"], e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(bed["b"]));
        Assert.Equal(bed["a"], new LocationRegistry(bed.Paths).Lookup(LocationId.Parse("dev")));
    }

    [Fact]
    public void A_stale_registration_whose_location_is_gone_is_replaced()
    {
        using var bed = new LocationTestBed();
        bed.CreateLocation("a", "dev");
        Directory.Delete(bed["a"], recursive: true);
        var b = bed.CreateLocation("b", "dev");
        Assert.Equal(b.Path, Location.Open("dev", bed.Paths).Path);
    }

    [Fact]
    public void The_default_location_gets_the_id_default()
    {
        using var bed = new LocationTestBed();
        var location = Location.Create(bed.Paths.DefaultLocation, null, bed.Paths);
        Assert.Equal("default", location.Id.Value);
        Assert.Equal(location.Path, Location.Resolve(null, bed.Paths).Path);
    }

    [Fact]
    public void Open_accepts_a_registered_id_or_a_path()
    {
        using var bed = new LocationTestBed();
        var created = bed.CreateLocation("dev", "work-dev");
        Assert.Equal(created.Path, Location.Open("work-dev", bed.Paths).Path);
        Assert.Equal(created.Path, Location.Open(bed["dev"], bed.Paths).Path);
        Assert.Equal("work-dev", Location.Open(bed["dev"], bed.Paths).Id.Value);
    }

    [Fact]
    public void Open_of_an_unknown_name_names_every_place_it_tried()
    {
        using var bed = new LocationTestBed();
        var e = Assert.Throws<PacksterException>(() => Location.Open("nope", bed.Paths));
        Assert.Equal(ErrorCode.LocationNotFound, e.Code);
        Assert.Contains("registry", e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(bed["work"], "nope"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_prefers_the_option_then_PACKSTER_LOCATION_then_the_default()
    {
        using var bed = new LocationTestBed();
        var byOption = bed.CreateLocation("opt");
        var byEnv = bed.CreateLocation("env");
        var byDefault = Location.Create(bed.Paths.DefaultLocation, null, bed.Paths);

        var withEnv = new PacksterPaths(new Dictionary<string, string>(bed.Environment) { ["PACKSTER_LOCATION"] = "env" }, bed.Paths.IsWindows, bed["work"]);
        Assert.Equal(byOption.Path, Location.Resolve("opt", withEnv).Path);
        Assert.Equal(byEnv.Path, Location.Resolve(null, withEnv).Path);
        Assert.Equal(byDefault.Path, Location.Resolve(null, bed.Paths).Path);
    }

    [Fact]
    public void Resolve_without_any_location_says_to_run_setup()
    {
        using var bed = new LocationTestBed();
        var e = Assert.Throws<PacksterException>(() => Location.Resolve(null, bed.Paths));
        Assert.Equal(ErrorCode.LocationNotFound, e.Code);
        Assert.Contains("location setup", e.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void The_registry_lists_every_registered_location()
    {
        using var bed = new LocationTestBed();
        bed.CreateLocation("b");
        bed.CreateLocation("a");
        var list = new LocationRegistry(bed.Paths).List();
        Assert.Equal(2, list.Count);
        File.WriteAllText(Path.Combine(bed.Paths.RegistryDirectory, "a.0123456789abcdef0123456789abcdef.tmp"), "/torn\n"); // a crashed write
        list = new LocationRegistry(bed.Paths).List();
        Assert.Equal(["a", "b"], list.Select(l => l.Id.Value));
        Assert.Equal(bed["a"], list[0].Path);
    }
}
