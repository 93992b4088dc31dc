using System.Text.Json;
using Packster.Testing;

namespace Packster.IntegrationTests.Cli;

/// <summary>A temp home with a fresh location <c>dev</c> and helpers to pack samples and read the lockfile.</summary>
public sealed class LocationFixture : IDisposable
{
    public LocationFixture()
    {
        Packster = new PacksterProcess(Temp);
        Packster.Ok("location", "create", LocationPath, "--id", "dev");
    }

    public TempDirectory Temp { get; } = new("packster-it");
    public PacksterProcess Packster { get; }
    public string LocationPath => Temp["loc"];
    public string LockfilePath => Path.Combine(LocationPath, "packster-location.json");
    public string Dist => Temp["dist"];

    /// <summary>Packs a folder with the real CLI and returns the package path.</summary>
    public string Pack(string sourceDir)
    {
        using var doc = JsonDocument.Parse(Packster.Ok("pack", sourceDir, "-o", Dist, "--json"));
        return doc.RootElement.GetProperty("path").GetString()!;
    }

    public string PackSample(string name) => Pack(RepoFiles.Sample(name));

    public JsonElement InstallJson(params string[] args)
    {
        var output = Packster.Ok(["install-file", .. args, "--location", "dev", "--json"]);
        using var doc = JsonDocument.Parse(output);
        return doc.RootElement.Clone();
    }

    public JsonElement List()
    {
        using var doc = JsonDocument.Parse(Packster.Ok("list", "--location", "dev", "--json"));
        return doc.RootElement.Clone();
    }

    /// <summary>Every file under the location (or <paramref name="root"/>) with its bytes, to prove a failed command changed nothing.</summary>
    public IReadOnlyDictionary<string, string> Snapshot(string? root = null)
    {
        root ??= LocationPath;
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            var rel = Path.GetRelativePath(root, path);
            // The lock file holds the last holder's pid: taking the lock is not a change to the location.
            if (rel.Replace('\\', '/').StartsWith(".packster/lock", StringComparison.Ordinal)) continue;
            var info = new FileInfo(path);
            result[rel] = info.LinkTarget is { } target ? "-> " + target
                : Directory.Exists(path) ? "dir"
                : Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
        }
        return result;
    }

    public void Dispose() => Temp.Dispose();
}
