using System.Text.Json;
using Packster.IntegrationTests.Cli;

namespace Packster.IntegrationTests.Install;

/// <summary>
/// spec/lockfile.md § Extracted-file store, through the real executable on a real file system: deployments of one
/// package share read-only hardlinks of the store's objects, packages with handlers do not, an in-place write is
/// reported and never passed on, and gc removes what no deployment holds.
/// </summary>
public sealed class ExtractedFileStoreTests : IDisposable
{
    private const string Words = "the same bytes in two places\n";

    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    private string Store => Path.Combine(_f.LocationPath, ".packster", "store");

    /// <summary>A package with a parameter, an executable, a data file and the data file's twin.</summary>
    private string PackTool(string extraManifest = "", params (string Path, string Content)[] extraFiles)
    {
        var dir = _f.Temp[$"src-{Guid.NewGuid():N}"];
        _f.Temp.Write(Path.Combine(Path.GetFileName(dir), "packster-manifest.toml"),
            $"id = \"tool\"\nversion = \"1.0.0\"\n[parameters.flavour]\ntype = \"string\"\ndefault = \"plain\"\n{extraManifest}\n");
        _f.Temp.Write(Path.Combine(Path.GetFileName(dir), "bin", "tool"), "#!/bin/sh\necho tool\n");
        Tools.Run(dir, "chmod", "755", Path.Combine(dir, "bin", "tool"));
        _f.Temp.Write(Path.Combine(Path.GetFileName(dir), "share", "words.txt"), string.Concat(Enumerable.Repeat(Words, 200)));
        _f.Temp.Write(Path.Combine(Path.GetFileName(dir), "share", "twin.txt"), string.Concat(Enumerable.Repeat(Words, 200)));
        foreach (var (path, content) in extraFiles)
        {
            _f.Temp.Write(Path.Combine(Path.GetFileName(dir), path), content);
            if (path.EndsWith(".sh", StringComparison.Ordinal)) Tools.Run(dir, "chmod", "755", Path.Combine(dir, path));
        }
        return _f.Pack(dir);
    }

    private string Install(string package, string flavour) =>
        _f.InstallJson(package, "-p", $"flavour={flavour}", "--inactive").GetProperty("path").GetString()!;

    /// <summary>inode, link count and permission bits, as stat(1) reports them.</summary>
    private static (string Inode, int Links, string Mode) Stat(string path)
    {
        var parts = Tools.Run("/", "stat", "-c", "%i %h %a", path).Trim().Split(' ');
        return (parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), parts[2]);
    }

    [LinuxFact]
    public void Deployments_of_one_package_share_read_only_links_of_the_store_objects()
    {
        var package = PackTool();
        var first = Install(package, "plain");
        var second = Install(package, "spicy");
        Assert.NotEqual(first, second);

        var words1 = Stat(Path.Combine(first, "share", "words.txt"));
        var words2 = Stat(Path.Combine(second, "share", "words.txt"));
        var twin = Stat(Path.Combine(second, "share", "twin.txt"));
        // One inode: the store's object, both deployments, and the twin with the same bytes.
        Assert.Equal(words1.Inode, words2.Inode);
        Assert.Equal(words1.Inode, twin.Inode);
        Assert.Equal(5, words2.Links);
        Assert.Equal("444", words2.Mode);
        var tool = Stat(Path.Combine(second, "bin", "tool"));
        Assert.Equal("555", tool.Mode);
        Assert.Equal(Stat(Path.Combine(first, "bin", "tool")).Inode, tool.Inode);
        Assert.Single(Directory.GetFiles(Path.Combine(Store, "packages")));
        // bin/tool, words.txt (= twin.txt) and the manifest.
        Assert.Equal(3, Directory.GetFiles(Path.Combine(Store, "objects"), "*", SearchOption.AllDirectories).Length);

        // The record holds the read-only modes, so verify proves them; the files still run and read.
        _f.Packster.Ok("verify", "--location", "dev");
        using var record = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(second, "packster-deployment.json")));
        var modes = record.RootElement.GetProperty("files").EnumerateArray()
            .Where(f => f.GetProperty("path").GetString() != "packster-manifest.toml")
            .ToDictionary(f => f.GetProperty("path").GetString()!, f => f.GetProperty("mode").GetString());
        Assert.Equal("0555", modes["bin/tool"]);
        Assert.Equal("0444", modes["share/words.txt"]);
        Assert.Equal("tool\n", Tools.Run("/", Path.Combine(second, "bin", "tool")));
    }

    [LinuxFact]
    public void A_package_with_an_install_handler_keeps_its_own_writable_files()
    {
        var package = PackTool("[handlers]\ninstall = \"setup.sh\"", ("setup.sh", "#!/bin/sh\necho configured >> share/words.txt\n"));
        var first = Install(package, "plain");
        var second = Install(package, "spicy");
        var words1 = Stat(Path.Combine(first, "share", "words.txt"));
        var words2 = Stat(Path.Combine(second, "share", "words.txt"));
        Assert.NotEqual(words1.Inode, words2.Inode);
        Assert.Equal(1, words2.Links);
        Assert.Equal("644", words2.Mode);
        Assert.EndsWith("configured\n", File.ReadAllText(Path.Combine(second, "share", "words.txt")), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Store, "packages")) && Directory.EnumerateFiles(Path.Combine(Store, "packages")).Any());
        _f.Packster.Ok("verify", "--location", "dev");
    }

    [LinuxFact]
    public void An_in_place_write_through_one_deployment_is_reported_and_never_passed_to_the_next()
    {
        var package = PackTool();
        var first = Install(package, "plain");
        var second = Install(package, "spicy");
        var original = File.ReadAllText(Path.Combine(first, "share", "words.txt"));

        // The owner defeats the read-only mode and writes in place: every holder of the inode changes.
        var path = Path.Combine(first, "share", "words.txt");
        Tools.Run("/", "chmod", "u+w", path);
        File.AppendAllText(path, "tampered\n");
        var verify = _f.Packster.Run("verify", "--location", "dev");
        Assert.Equal(5, verify.ExitCode);
        Assert.Contains("share/words.txt", verify.Stdout + verify.Stderr, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(first)[..12], verify.Stdout + verify.Stderr, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(second)[..12], verify.Stdout + verify.Stderr, StringComparison.Ordinal);

        // The store does not hand the changed bytes on: the next deployment gets the package's own.
        var third = Install(package, "sour");
        Assert.Equal(original, File.ReadAllText(Path.Combine(third, "share", "words.txt")));
        Assert.NotEqual(Stat(path).Inode, Stat(Path.Combine(third, "share", "words.txt")).Inode);
        Assert.Equal("444", Stat(Path.Combine(third, "share", "words.txt")).Mode);
        _f.Packster.Ok("uninstall", Path.GetFileName(first), "--location", "dev");
        _f.Packster.Ok("uninstall", Path.GetFileName(second), "--location", "dev");
        _f.Packster.Ok("verify", "--location", "dev");
    }

    [LinuxFact]
    public void Uninstall_keeps_the_objects_for_a_reinstall_and_gc_removes_what_no_deployment_holds()
    {
        var package = PackTool();
        var first = Install(package, "plain");
        var objects = Directory.GetFiles(Path.Combine(Store, "objects"), "*", SearchOption.AllDirectories);
        _f.Packster.Ok("uninstall", Path.GetFileName(first), "--location", "dev");
        Assert.All(objects, o => Assert.Equal(1, Stat(o).Links));

        // Active this time, so gc keeps it.
        var again = _f.InstallJson(package, "-p", "flavour=plain").GetProperty("path").GetString()!;
        Assert.Equal(3, Stat(Path.Combine(again, "share", "words.txt")).Links);
        using (var nothing = JsonDocument.Parse(_f.Packster.Ok("gc", "--location", "dev", "--json")))
        {
            Assert.Equal(0, nothing.RootElement.GetProperty("storeObjectsRemoved").GetInt32());
        }

        _f.Packster.Ok("uninstall", Path.GetFileName(again), "--location", "dev");
        using var gc = JsonDocument.Parse(_f.Packster.Ok("gc", "--location", "dev", "--json"));
        Assert.Equal(3, gc.RootElement.GetProperty("storeObjectsRemoved").GetInt32());
        Assert.True(gc.RootElement.GetProperty("storeBytesFreed").GetInt64() > Words.Length * 200);
        Assert.Empty(Directory.GetFiles(Path.Combine(Store, "objects"), "*", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(Path.Combine(Store, "packages")));
    }

    // § Which store: a second location of the same user on the same file system borrows the first one's objects.
    [LinuxFact]
    public void A_second_location_links_the_first_locations_objects_and_keeps_its_own_store()
    {
        var package = PackTool();
        var first = Install(package, "plain");
        _f.Packster.Ok("location", "create", _f.Temp["loc2"], "--id", "second");
        var second = Json(_f.Packster.Ok("install-file", package, "--location", "second", "--json")).GetProperty("path").GetString()!;
        var words = Stat(Path.Combine(second, "share", "words.txt"));
        Assert.Equal(Stat(Path.Combine(first, "share", "words.txt")).Inode, words.Inode);
        // Its own store holds the objects too (one more link), with its own index.
        Assert.Equal(6, words.Links);
        Assert.Single(Directory.GetFiles(Path.Combine(_f.Temp["loc2"], ".packster", "store", "packages")));
        _f.Packster.Ok("verify", "--location", "second");

        // Removing the first location's deployment and store objects leaves the second intact.
        _f.Packster.Ok("uninstall", Path.GetFileName(first), "--location", "dev");
        _f.Packster.Ok("gc", "--location", "dev");
        _f.Packster.Ok("verify", "--location", "second");
        Assert.Equal("tool\n", Tools.Run("/", Path.Combine(second, "bin", "tool")));
    }

    // § Which store: objects another user owns are never borrowed.
    [LinuxFact]
    public void A_store_owned_by_another_user_is_not_borrowed()
    {
        var package = PackTool();
        var first = Install(package, "plain");
        Tools.Run("/", "chown", "-R", "65534", Store);
        _f.Packster.Ok("location", "create", _f.Temp["loc2"], "--id", "second");
        var second = Json(_f.Packster.Ok("install-file", package, "--location", "second", "--json")).GetProperty("path").GetString()!;
        Assert.NotEqual(Stat(Path.Combine(first, "share", "words.txt")).Inode, Stat(Path.Combine(second, "share", "words.txt")).Inode);
        _f.Packster.Ok("verify", "--location", "second");
    }

    private static JsonElement Json(string text)
    {
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    // "a user (other than the owner and root) cannot write it": nobody reads the shared file but cannot change it.
    [NonRootUserFact]
    public void Another_user_cannot_write_a_shared_file()
    {
        var package = PackTool();
        var first = Install(package, "plain");
        Install(package, "spicy");
        Tools.Run("/", "chmod", "755", _f.Temp.Path);
        var file = Path.Combine(first, "share", "words.txt");
        Assert.True(SystemErrorTests.Run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "cat", file), "nobody cannot even read the file");
        Assert.False(SystemErrorTests.Run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", $"echo changed >> '{file}'"));
        _f.Packster.Ok("verify", "--location", "dev");
    }
}

/// <summary>A fact about Linux file systems (hardlinks, st_nlink and modes through stat(1)).</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "checks inodes and link counts with Linux's stat(1)";
    }
}
