using Packster.IntegrationTests.Cli;

namespace Packster.IntegrationTests.Locations;

/// <summary>
/// spec/lockfile.md § What a location may contain: "A location's own paths are never links … every command that
/// changes the location refuses to work in it (PST5012, exit 5, naming the path), before it creates, deletes or
/// writes anything". Each own path is replaced by a link to a folder (or file) outside the location holding a marker;
/// ordinary install-file, uninstall and gc through the real executable must leave that outside target byte for byte.
/// </summary>
public sealed class LinkedPathTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    public static TheoryData<string, bool> OwnPaths => new()
    {
        { ".packster", true },
        { ".packster/staging", true },
        { ".packster/trash", true },
        { ".packster/lock", false },
        { ".packster/lock.holder", false },
        { ".packster/store", true },
        { ".packster/store/objects", true },
        { ".packster/store/packages", true },
        { ".packster/store/tmp", true },
        { "deployments", true },
        { "shims", true },
        { "activate", true },
        { "logs", true },
        { "history.jsonl", false },
        { "packster-location.json", false },
    };

    [Theory]
    [MemberData(nameof(OwnPaths))]
    public void A_linked_own_path_is_refused_and_its_target_is_never_touched(string ownPath, bool isDirectory)
    {
        if (OperatingSystem.IsWindows()) return; // symlinks need privileges there; the rule is the same
        var hello = _f.PackSample("hello");
        var active = _f.InstallJson(hello).GetProperty("deployment").GetString()!;
        _f.InstallJson(hello, "-p", "port=9001", "--inactive");

        var inside = Path.Combine(_f.LocationPath, ownPath);
        var outside = _f.Temp["outside"];
        Directory.CreateDirectory(outside);
        string target;
        if (isDirectory)
        {
            // The outside folder holds what the location had there (a relocated folder) plus the user's own files.
            target = Path.Combine(outside, "moved");
            if (Directory.Exists(inside)) CopyTree(inside, target);
            else Directory.CreateDirectory(target);
            File.WriteAllText(Path.Combine(target, "marker.txt"), "mine");
            Directory.CreateDirectory(Path.Combine(target, "not-a-deployment"));
            File.WriteAllText(Path.Combine(target, "not-a-deployment", "keep.sh"), "#!/bin/sh\necho mine\n");
            DeleteAny(inside);
        }
        else
        {
            target = Path.Combine(outside, "moved.txt");
            File.WriteAllText(target, File.Exists(inside) ? File.ReadAllText(inside) : "mine\n");
            DeleteAny(inside);
        }
        File.CreateSymbolicLink(inside, target);
        var before = Snapshot(outside);

        var second = _f.Pack(Source("other"));
        foreach (var args in new[]
        {
            new[] { "install-file", second, "--location", "dev" },
            new[] { "uninstall", active, "--location", "dev", "--force" },
            new[] { "gc", "--location", "dev" },
        })
        {
            var r = _f.Packster.Run(args);
            Assert.True(r.ExitCode == 5, $"{string.Join(' ', args)} with {ownPath} a link: {r}");
            Assert.StartsWith("error[PST5012]: ", r.Stderr, StringComparison.Ordinal);
            Assert.Contains($"'{inside}' is a link", r.Stderr, StringComparison.Ordinal);
            Assert.Equal(before, Snapshot(outside));
        }
    }

    [Fact]
    public void Packsters_own_shims_link_is_not_refused()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.InstallJson(_f.PackSample("hello"));
        Assert.NotNull(new FileInfo(Path.Combine(_f.LocationPath, "shims")).LinkTarget);
        _f.InstallJson(_f.Pack(Source("other")));
        Assert.Equal(2, _f.List().GetArrayLength());
    }

    private string Source(string id)
    {
        var dir = _f.Temp[$"src-{id}"];
        Directory.CreateDirectory(Path.Combine(dir, "bin"));
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), $"id = \"{id}\"\nversion = \"1.0.0\"\n");
        File.WriteAllText(Path.Combine(dir, "bin", id), "payload\n");
        return dir;
    }

    private static void DeleteAny(string path)
    {
        if (new FileInfo(path).LinkTarget is not null || File.Exists(path)) File.Delete(path);
        else if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            var dest = Path.Combine(to, entry.Name);
            if (entry.LinkTarget is { } link) File.CreateSymbolicLink(dest, link);
            else if (entry is DirectoryInfo d) CopyTree(d.FullName, dest);
            else File.Copy(entry.FullName, dest);
        }
    }

    /// <summary>Every entry under <paramref name="root"/> with its bytes (links by target, never followed).</summary>
    private static SortedDictionary<string, string> Snapshot(string root)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Walk(string dir)
        {
            foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos())
            {
                var rel = Path.GetRelativePath(root, entry.FullName);
                if (entry.LinkTarget is { } link) result[rel] = "-> " + link;
                else if (entry is DirectoryInfo d)
                {
                    result[rel] = "dir";
                    Walk(d.FullName);
                }
                else result[rel] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(entry.FullName)));
            }
        }
        Walk(root);
        return result;
    }
}
