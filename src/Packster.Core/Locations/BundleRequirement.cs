using System.Text.Json.Nodes;
using Packster.Model;

namespace Packster.Locations;

/// <summary>One bundle requirement (<c>id = "range"</c> with optional parameters) and, once installed, what it resolved to.</summary>
public sealed class BundleRequirement
{
    public BundleRequirement(PackageId id, string range, JsonObject? parameters = null)
    {
        Id = id;
        Range = range;
        Parameters = parameters;
    }

    public PackageId Id { get; }

    /// <summary>The range as written by the user (<c>^1.2</c>, <c>[1.0,2.0)</c>, <c>latest</c>…); validated by its parser.</summary>
    public string Range { get; }

    public JsonObject? Parameters { get; }

    /// <summary>What the range resolved to at the last install; null until then. <c>--locked</c> installs exactly this.</summary>
    public ResolvedRequirement? Resolved { get; set; }
}

/// <summary>The exact package and deployment a bundle requirement resolved to.</summary>
public sealed record ResolvedRequirement(PackageFileName Package, Sha256Digest Deployment);
