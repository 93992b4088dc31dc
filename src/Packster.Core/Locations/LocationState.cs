using System.Security.Cryptography;
using System.Text;
using Packster.Model;

namespace Packster.Locations;

/// <summary>
/// The in-memory content of a location's lockfile: what is deployed, what is active, the bundle. The installer reads
/// it under the lock (<see cref="Location.ReadState"/>), mutates it, and commits it (<see cref="Location.Commit"/>);
/// nothing on disk changes until then. <see cref="Owners"/> and <see cref="Hash"/> are derived, never set.
/// </summary>
public sealed class LocationState
{
    public LocationState(LocationId locationId) => LocationId = locationId;

    public LocationId LocationId { get; }

    /// <summary>Every deployment in the location, active or not. Written sorted by id, version, then hash.</summary>
    public List<DeploymentEntry> Deployments { get; } = [];

    /// <summary>The location's bundle: requirement per package id, and what each resolved to.</summary>
    public SortedDictionary<PackageId, BundleRequirement> Bundle { get; } = new();

    public IEnumerable<DeploymentEntry> ActiveDeployments => Deployments.Where(d => d.Active);

    /// <summary>
    /// Resource claim → owning deployment, over the active deployments. Throws LocationInconsistent when two active
    /// deployments claim one resource: the resource guard must refuse that before the state gets here.
    /// </summary>
    public IReadOnlyDictionary<string, Sha256Digest> Owners
    {
        get
        {
            var owners = new SortedDictionary<string, Sha256Digest>(StringComparer.Ordinal);
            foreach (var d in ActiveDeployments)
            {
                foreach (var claim in d.Claims)
                {
                    // A list variable has as many holders as extensions: it is no single owner's (spec/resources.md § List variables).
                    if (claim.StartsWith("envlist:", StringComparison.Ordinal)) continue;
                    if (owners.TryGetValue(claim, out var other) && other != d.Hash)
                    {
                        throw LocationErrors.Inconsistent(LocationId.Value, $"resource '{TerminalText.Printable(claim)}' would be owned by both {other} and {d.Hash}");
                    }
                    owners[claim] = d.Hash;
                }
            }
            return owners;
        }
    }

    /// <summary>
    /// The location hash: SHA-256 over one line <c>"{deployment hash} active|inactive\n"</c> per deployment, sorted by
    /// deployment hash (spec/lockfile.md § hash). It changes whenever a deployment is added, removed, activated or
    /// deactivated, and only then.
    /// </summary>
    public Sha256Digest Hash
    {
        get
        {
            if (_hashed is { } hashed && HashesSame(hashed.From)) return hashed.Hash;
            var hash = ComputeHash();
            var from = new (DeploymentEntry, bool)[Deployments.Count];
            for (var i = 0; i < from.Length; i++) from[i] = (Deployments[i], Deployments[i].Active);
            _hashed = (hash, from);
            return hash;
        }
    }

    /// <summary>
    /// The last <see cref="Hash"/> and what it was computed from: each entry (by reference: its deployment hash never
    /// changes) and whether it was active, in the order of <see cref="Deployments"/>. A command asks for the hash of one
    /// state several times (is activation current, the lockfile, the activation marker): at 1,000 deployments, sorting
    /// and hashing them anew each time was a third of a millisecond.
    /// </summary>
    private (Sha256Digest Hash, (DeploymentEntry Entry, bool Active)[] From)? _hashed;

    /// <summary>
    /// Whether <see cref="Deployments"/> are exactly the entries of <paramref name="from"/>, in that order, each as active
    /// as then. Another order of the same entries gives the same hash but is not recognised here: it is computed again.
    /// </summary>
    private bool HashesSame((DeploymentEntry Entry, bool Active)[] from)
    {
        if (from.Length != Deployments.Count) return false;
        for (var i = 0; i < from.Length; i++)
        {
            if (!ReferenceEquals(from[i].Entry, Deployments[i]) || from[i].Active != Deployments[i].Active) return false;
        }
        return true;
    }

    private Sha256Digest ComputeHash()
    {
        // The text made a chunk at a time, each hashed in one call: a call per line was most of it at 1,000
        // deployments, and the whole text at once a large-object array (spec/lockfile.md § Reading and writing a large
        // lockfile, Allocation).
        var sorted = Deployments.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Hash.Hex, b.Hash.Hex));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> chunk = stackalloc byte[LongestLine * 128];
        var length = 0;
        foreach (var d in sorted)
        {
            if (chunk.Length - length < LongestLine)
            {
                hash.AppendData(chunk[..length]);
                length = 0;
            }
            length += Encoding.ASCII.GetBytes(d.Hash.Hex, chunk[length..]);
            length += Encoding.ASCII.GetBytes(d.Active ? " active\n" : " inactive\n", chunk[length..]);
        }
        hash.AppendData(chunk[..length]);
        return Sha256Digest.FromBytes(hash.GetHashAndReset());
    }

    private static readonly int LongestLine = Sha256Digest.HexLength + " inactive\n".Length;

    public DeploymentEntry? Find(Sha256Digest hash) => Deployments.Find(d => d.Hash == hash);

    /// <summary>The deployments of one package, highest version first.</summary>
    public IEnumerable<DeploymentEntry> OfPackage(PackageId id) =>
        Deployments.Where(d => d.Id == id).OrderByDescending(d => d.Version);
}
