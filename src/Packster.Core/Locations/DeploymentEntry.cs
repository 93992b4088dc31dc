using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Packster.Model;

namespace Packster.Locations;

/// <summary>One deployment as the lockfile records it: which package, with which effective parameters, under which hash.</summary>
public sealed class DeploymentEntry
{
    public DeploymentEntry(PackageFileName package, Sha256Digest hash, JsonObject parameters)
    {
        Package = package;
        Hash = hash;
        _parameters = parameters;
    }

    /// <summary>An entry as a lockfile records it: <paramref name="parameters"/>, the object read, becomes <see cref="Parameters"/> when first asked for.</summary>
    internal DeploymentEntry(PackageFileName package, Sha256Digest hash, JsonElement parameters)
    {
        Package = package;
        Hash = hash;
        _read = new StrongBox<JsonElement>(parameters);
    }

    /// <summary>
    /// An entry as a lockfile records it, its parameters the object at <paramref name="parameters"/> of
    /// <paramref name="source"/> (checked to be well-formed JSON): parsed only when something asks for them. A commit
    /// that copies the entry as read never does; at 1,000 deployments a document per entry was a tenth of reading the file.
    /// </summary>
    internal DeploymentEntry(PackageFileName package, Sha256Digest hash, byte[] source, Range parameters)
    {
        Package = package;
        Hash = hash;
        _source = source;
        _parametersAt = parameters;
    }

    private JsonObject? _parameters;

    /// <summary>The parameters as read, once parsed; with <see cref="_source"/>, where they lie until then.</summary>
    private StrongBox<JsonElement>? _read;
    private readonly byte[]? _source;
    private readonly Range _parametersAt;

    /// <summary>The parameters as read from the lockfile, parsed on first use (by whichever thread comes first); null for an entry not read from a file.</summary>
    private JsonElement? Read
    {
        get
        {
            if (Volatile.Read(ref _read) is { } read) return read.Value;
            if (_source is null) return null;
            var reader = new Utf8JsonReader(_source.AsSpan(_parametersAt));
            var parsed = new StrongBox<JsonElement>(JsonElement.ParseValue(ref reader));
            return (Interlocked.CompareExchange(ref _read, parsed, null) ?? parsed).Value;
        }
    }

    public PackageFileName Package { get; }
    public PackageId Id => Package.Id;
    public PackageVersion Version => Package.Version;
    public Sha256Digest PackageSha256 => Package.Sha256;

    /// <summary>The deployment hash; also the name of its directory under <c>deployments/</c>.</summary>
    public Sha256Digest Hash { get; }

    /// <summary>The deployment's directory relative to the location root, always with '/'.</summary>
    public string RelativePath => string.Create(RelativePathLength, Hash, static (text, hash) => WriteRelativePath(hash, text));

    /// <summary>The length of every <see cref="RelativePath"/>.</summary>
    internal static readonly int RelativePathLength = Location.DeploymentsDirectoryName.Length + 1 + Sha256Digest.HexLength;

    /// <summary><c>deployments/&lt;hash&gt;</c> into <paramref name="text"/> (<see cref="RelativePathLength"/> long), without a string of its own.</summary>
    internal static void WriteRelativePath(Sha256Digest hash, Span<char> text)
    {
        Location.DeploymentsDirectoryName.CopyTo(text);
        text[Location.DeploymentsDirectoryName.Length] = '/';
        hash.Hex.CopyTo(text[(Location.DeploymentsDirectoryName.Length + 1)..]);
    }

    /// <summary>The effective parameters (defaults applied). Written with keys sorted.</summary>
    public JsonObject Parameters
    {
        get
        {
            if (_parameters is { } made) return made;
            var node = JsonObject.Create(Read!.Value) ?? throw new InvalidOperationException("parameters read as null");
            return Interlocked.CompareExchange(ref _parameters, node, null) ?? node;
        }
    }

    /// <summary>
    /// The parameters as read from the lockfile while nobody has asked for <see cref="Parameters"/> (so nobody can have
    /// changed them); null once someone has, or for an entry not read from a file. Writing the lockfile copies them from
    /// here: at 1,000 deployments, making an object of each only to write it back was a tenth of a commit.
    /// </summary>
    internal JsonElement? UntouchedParameters => Volatile.Read(ref _parameters) is null ? Read : null;

    /// <summary>
    /// Writes the parameters: from the value read while nobody has made an object of them, else from the object. A
    /// listing of 1,000 deployments made an object of each only to write it.
    /// </summary>
    public void WriteParameters(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (UntouchedParameters is { } read) JsonAsRead.Write(writer, read);
        else Parameters.WriteTo(writer);
    }

    /// <summary>When it was installed (UTC, whole seconds); null when the installer records no time.</summary>
    public DateTimeOffset? InstalledAt { get; set; }

    /// <summary>Active deployments own their claims: shims, env keys, ports, shared files and dirs.</summary>
    public bool Active { get; set; }

    /// <summary>Pinned deployments are not replaced by <c>upgrade</c>.</summary>
    public bool Pinned { get; set; }

    /// <summary>
    /// Installed only because another package depends on it (spec/lockfile.md § Lockfile); an explicit install of it
    /// clears the mark. <c>gc --orphans</c> removes marked deployments no deployment in use needs.
    /// </summary>
    public bool Dependency { get; set; }

    /// <summary>The key id of the verified signature it was installed with, or null (spec/signing.md § Lockfile).</summary>
    public string? Signer { get; set; }

    /// <summary>
    /// The resources this deployment claims while active, as <c>kind:value</c> strings written by the resource
    /// guard (e.g. <c>shim:hello</c>, <c>env:HELLO_HOME</c>, <c>port:8080</c>). Written sorted, without duplicates.
    /// </summary>
    public SortedSet<string> Claims { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The bytes this entry was read from (with the line break and indent before it) and the values it was read with:
    /// while nothing differs from them, writing the lockfile copies those bytes (spec/lockfile.md § Canonical bytes).
    /// </summary>
    private AsRead? _asRead;

    private sealed record AsRead(byte[] Source, Range At, bool Active, bool Pinned, bool Dependency, string? Signer, DateTimeOffset? InstalledAt, string[] Claims);

    /// <summary>Remembers <paramref name="at"/> of <paramref name="source"/> as this entry's bytes, with its values as they are now.</summary>
    internal void KeepBytes(byte[] source, Range at) =>
        _asRead = new AsRead(source, at, Active, Pinned, Dependency, Signer, InstalledAt, Claims.Count == 0 ? [] : [.. Claims]);

    /// <summary>
    /// Where in <paramref name="source"/> this entry was read from, when it was read from that very array and nothing in
    /// it has changed since (its parameters never made into an object someone could change); null otherwise.
    /// </summary>
    internal Range? RangeAsRead(byte[] source)
    {
        if (_asRead is not { } read || !ReferenceEquals(read.Source, source) || Volatile.Read(ref _parameters) is not null) return null;
        if (read.Active != Active || read.Pinned != Pinned || read.Dependency != Dependency || read.Signer != Signer || read.InstalledAt != InstalledAt
            || read.Claims.Length != Claims.Count)
        {
            return null;
        }
        var i = 0;
        foreach (var claim in Claims)
        {
            if (!string.Equals(claim, read.Claims[i++], StringComparison.Ordinal)) return null;
        }
        return read.At;
    }

    public override string ToString() => $"{Id}@{Version} ({Hash})";
}
