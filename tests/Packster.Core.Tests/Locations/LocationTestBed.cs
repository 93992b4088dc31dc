using System.Text.Json.Nodes;
using Packster.Locations;
using Packster.Model;
using Packster.Testing;

namespace Packster.Core.Tests.Locations;

/// <summary>A temp home with its own data home and registry, and helpers to put real deployments into a location.</summary>
internal sealed class LocationTestBed : IDisposable
{
    public LocationTestBed(Dictionary<string, string>? extraEnvironment = null)
    {
        Temp = new TempDirectory("packster-loc");
        Directory.CreateDirectory(Temp["home"]);
        Directory.CreateDirectory(Temp["work"]);
        Environment = new Dictionary<string, string> { ["HOME"] = Temp["home"], ["USERPROFILE"] = Temp["home"] };
        foreach (var (k, v) in extraEnvironment ?? []) Environment[k] = v;
        Paths = new PacksterPaths(Environment, OperatingSystem.IsWindows(), Temp["work"]);
    }

    public TempDirectory Temp { get; }
    public Dictionary<string, string> Environment { get; }
    public PacksterPaths Paths { get; }

    public string this[string relative] => Temp[relative];

    public Location CreateLocation(string name = "dev", string? id = null) => Location.Create(Temp[name], id, Paths);

    public static PackageFileName Package(string id, string version, char shaFill = 'a') =>
        new(PackageId.Parse(id), PackageVersion.Parse(version), Sha256Digest.Parse(new string(shaFill, 64)));

    public static Sha256Digest Hash(string seed) => Sha256Digest.Compute(System.Text.Encoding.UTF8.GetBytes(seed));

    /// <summary>Stages files, writes their record, publishes them, records them active in the lockfile: a real install's steps.</summary>
    public static DeploymentEntry Install(Location location, string id, string version, IReadOnlyDictionary<string, string> files, params string[] claims)
    {
        using var held = LocationLock.Acquire(location, TimeSpan.FromSeconds(30));
        var package = Package(id, version);
        var parameters = new JsonObject { ["port"] = 8080 };
        var hash = Hash($"{package}|{parameters.ToJsonString()}");
        var staging = location.CreateStaging();
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(staging, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
        var (scanned, links) = DeploymentRecord.Scan(staging);
        new DeploymentRecord(package, hash, parameters, scanned, links).WriteTo(staging);
        location.PublishDeployment(staging, hash, held);

        var state = location.ReadState();
        var entry = new DeploymentEntry(package, hash, parameters) { Active = true, InstalledAt = new DateTimeOffset(2026, 1, 31, 12, 0, 0, TimeSpan.Zero) };
        foreach (var c in claims) entry.Claims.Add(c);
        state.Deployments.Add(entry);
        location.Commit(state, held);
        return entry;
    }

    /// <summary>Publishes a deployment directory and never commits it: what a command that died between the two leaves.</summary>
    public static void PublishUncommitted(Location location, Sha256Digest hash)
    {
        using var held = LocationLock.Acquire(location, TimeSpan.Zero);
        var staging = location.CreateStaging();
        File.WriteAllText(Path.Combine(staging, "payload"), "x");
        location.PublishDeployment(staging, hash, held);
    }

    public void Dispose() => Temp.Dispose();
}
