using System.Text.Json;
using Packster.IntegrationTests.Cli;

namespace Packster.IntegrationTests.Install;

/// <summary>
/// A temp home with a location <c>dev</c> and helpers to write small package source folders, pack them with the real
/// CLI into a folder source, and run <c>packster install</c>.
/// </summary>
public sealed class SourceFixture : IDisposable
{
    private readonly LocationFixture _location = new();

    public Packster.Testing.TempDirectory Temp => _location.Temp;
    public PacksterProcess Packster => _location.Packster;
    public string LocationPath => _location.LocationPath;
    public string LockfilePath => _location.LockfilePath;

    /// <summary>Registers folder <paramref name="name"/> (under the temp home) as a folder source.</summary>
    public string AddFolderSource(string name, int? priority = null)
    {
        var dir = Temp[Path.Combine("sources", name)];
        Directory.CreateDirectory(dir);
        var args = new List<string> { "source", "add", name, "--type", "folder", "--url", dir };
        if (priority is { } p) args.AddRange(["--priority", p.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Packster.Ok([.. args]);
        return dir;
    }

    /// <summary>
    /// Writes a package source folder (<paramref name="manifestTail"/> is appended after id and version; files ending in
    /// <c>.sh</c> or under <c>bin/</c> are made executable), packs it into <paramref name="into"/> and returns the file path.
    /// </summary>
    public string Publish(string into, string id, string version, string manifestTail = "", params (string Path, string Content)[] files)
    {
        var dir = Temp[Path.Combine("work", $"{id}-{version}-{Guid.NewGuid():N}")];
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), $"id = \"{id}\"\nversion = \"{version}\"\n{manifestTail}\n");
        foreach (var (relative, content) in files)
        {
            var path = Path.Combine(dir, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content.ReplaceLineEndings("\n"));
            if (relative.EndsWith(".sh", StringComparison.Ordinal) || relative.StartsWith("bin/", StringComparison.Ordinal)) MakeExecutable(path);
        }
        if (files.Length == 0) File.WriteAllText(Path.Combine(dir, "README"), $"{id} {version}\n");
        using var doc = JsonDocument.Parse(Packster.Ok("pack", dir, "-o", into, "--json"));
        return doc.RootElement.GetProperty("path").GetString()!;
    }

    /// <summary>chmod 755 (POSIX; Windows has no mode bits to set).</summary>
    public static void MakeExecutable(string path)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }

    /// <summary>Runs <c>packster install … --location dev --json</c>, requiring success.</summary>
    public JsonElement Install(params string[] args)
    {
        using var doc = JsonDocument.Parse(Packster.Ok(["install", .. args, "--location", "dev", "--json"]));
        return doc.RootElement.Clone();
    }

    public ProcessResult Run(params string[] args) => Packster.Run(args);

    public JsonElement List(string location = "dev")
    {
        using var doc = JsonDocument.Parse(Packster.Ok("list", "--location", location, "--json"));
        return doc.RootElement.Clone();
    }

    public JsonElement Lockfile(string? path = null)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path ?? LockfilePath));
        return doc.RootElement.Clone();
    }

    public IReadOnlyDictionary<string, string> Snapshot() => _location.Snapshot();

    public void Dispose() => _location.Dispose();
}
