using Packster.Model;
using Packster.Packaging;
using Packster.Testing;

namespace Packster.Core.Tests.Deployments;

/// <summary>
/// The packages the location property tests draw from: a@1, a@2 and b@1, each with a shim and claiming the port given
/// as parameter n, so a and b conflict when both want the same port.
/// </summary>
internal static class PortPackages
{
    /// <summary>Packs the three into <paramref name="temp"/>'s <c>dist</c> and returns their paths.</summary>
    public static List<string> Pack(TempDirectory temp)
    {
        var files = new List<string>();
        foreach (var (id, version) in new[] { ("a", "1.0.0"), ("a", "2.0.0"), ("b", "1.0.0") })
        {
            var source = temp[$"src-{id}-{version}"];
            Directory.CreateDirectory(Path.Combine(source, "bin"));
            File.WriteAllText(Path.Combine(source, "bin", id), $"#!/bin/sh\necho {id} {version}\n");
            File.WriteAllText(Path.Combine(source, Packer.ManifestFileName), $"""
                id = "{id}"
                version = "{version}"

                [parameters.n]
                type = "integer"
                default = 8001

                [shims]
                {id} = "bin/{id}"

                [provides]
                ports = ["{"{param.n}"}"]
                """);
            files.Add(Packer.Pack(source, temp["dist"], PackageId.Parse(id), PackageVersion.Parse(version), null, CancellationToken.None).Path);
        }
        return files;
    }
}
