using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Packster.Deployments;
using Packster.Locations;
using Packster.Manifest;
using Packster.Model;
using Packster.Packaging;

namespace Packster.Bom;

/// <summary>One active deployment as a bill of materials describes it (spec/bom.md § Sources of each field).</summary>
public sealed record SbomPackage(
    DeploymentEntry Entry,
    string? Description,
    string? License,
    IReadOnlyList<string> Authors,
    Uri? Homepage,
    IReadOnlyList<PackageId> Dependencies,
    IReadOnlyList<DeploymentFile> Files)
{
    /// <summary>spec/bom.md § purl: <c>pkg:generic/&lt;id&gt;@&lt;version&gt;?checksum=sha256:&lt;package sha256&gt;</c>.</summary>
    public string Purl =>
        $"pkg:generic/{Uri.EscapeDataString(Entry.Id.Value)}@{Uri.EscapeDataString(Entry.Version.ToString())}?checksum=sha256:{Entry.PackageSha256.Hex}";

    /// <summary>
    /// The licence the documents declare (spec/bom.md § Sources of each field): the manifest's expression when it is a
    /// valid SPDX expression (spec/licenses.md § Expressions), else null. A package packed by hand can carry any text,
    /// and deployed packages are not re-checked when read; a document that held that text would not be SPDX.
    /// </summary>
    /// <remarks>Judged once, when the package is described: both documents and the warning ask for it.</remarks>
    public string? DeclaredLicense { get; } = License is { } license && Licensing.SpdxLicense.TryParse(license, out _) is not null ? license : null;

    /// <summary>True when the manifest declares a licence that is not a valid SPDX expression, which the documents leave out.</summary>
    public bool LicenseLeftOut => License is not null && DeclaredLicense is null;
}

/// <summary>What <c>packster sbom</c> describes: a location's active set at one committed state.</summary>
public sealed record SbomInput(LocationId Location, Sha256Digest StateHash, DateTimeOffset Time, IReadOnlyList<SbomPackage> Packages)
{
    /// <summary>
    /// The CycloneDX lifecycle phase: <c>operations</c> for what a location runs, <c>pre-build</c> for a planned change
    /// (spec/bom.md § Before a change).
    /// </summary>
    public string Phase { get; init; } = "operations";

    /// <summary>Per package, what the planned change does with it (<c>installed</c>, <c>unchanged</c>); empty for a location's active set.</summary>
    public IReadOnlyDictionary<PackageId, string> Status { get; init; } = new Dictionary<PackageId, string>();

    /// <summary>
    /// Reads the active deployments of <paramref name="location"/> from one committed lockfile state, with each one's
    /// manifest and deployment record. The time is the location's last history event (the moment the state came to
    /// be), so the same state gives the same document (spec/bom.md § Determinism).
    /// </summary>
    public static SbomInput Read(Location location)
    {
        ArgumentNullException.ThrowIfNull(location);
        var (state, packages) = LocationSnapshot.Read(location, snapshot => (snapshot.State, snapshot.State.ActiveDeployments
            .OrderBy(d => d.Id.Value, StringComparer.Ordinal)
            .Select(d => snapshot.Files(d, dir => Describe(d, dir)) switch
            {
                // Recorded and active, but its folder is nowhere: the document would leave out what the location
                // says it runs (spec/bom.md: the described set is the lockfile's active deployments).
                { Presence: DeploymentPresence.Missing } => throw FolderMissing(location, d),
                var files => files.Value,
            })
            .OfType<SbomPackage>()
            .ToList()));
        return new SbomInput(state.LocationId, state.Hash, StateTime(location, state), packages);
    }

    private static PacksterException FolderMissing(Location location, DeploymentEntry entry) =>
        new(ErrorCode.LocationInconsistent,
            $"location {location.Id}: the folder of active deployment {entry.Id} {entry.Version} ({location.DeploymentDirectory(entry.Hash)}) is missing, so it cannot be described; no bill of materials was written",
            LocationErrors.MissingFolderHint + " ('packster verify' checks the location)");

    /// <summary>When <paramref name="state"/> came to be: the last history event, else the newest install, else the epoch.</summary>
    public static DateTimeOffset StateTime(Location location, LocationState state)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(state);
        var history = History.Read(location);
        var time = history.Count > 0 ? history[^1].Time : state.Deployments.Select(d => d.InstalledAt).Max() ?? DateTimeOffset.UnixEpoch;
        return time.ToUniversalTime();
    }

    /// <summary>
    /// A package file as a planned change would deploy it (spec/bom.md § Before a change): its manifest, and every
    /// file of the archive with its size and SHA-256, read from the archive without extracting anything.
    /// </summary>
    public static SbomPackage Planned(PackageFile package, Sha256Digest deployment, IEnumerable<string> claims, string? signer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(claims);
        var entry = new DeploymentEntry(package.Name, deployment, []) { Signer = signer };
        foreach (var claim in claims) entry.Claims.Add(claim);
        var files = new List<DeploymentFile>();
        using (var archive = PackageArchive.Open(package.Path))
        {
            archive.ForEachFile((e, data) => files.Add(new DeploymentFile(e.Path, Sha256Digest.FromBytes(SHA256.HashData(data)), e.Size, null)),
                cancellationToken);
        }
        var manifest = package.Manifest;
        return new SbomPackage(entry, manifest.Description, manifest.License, manifest.Authors, manifest.Homepage,
            manifest.Dependencies.Select(r => r.Id).Distinct().ToList(), files.OrderBy(f => f.Path, StringComparer.Ordinal).ToList());
    }

    /// <summary>A deployment already in <paramref name="location"/>, described from its directory (a planned change keeps it).</summary>
    public static SbomPackage Deployed(Location location, DeploymentEntry entry)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(entry);
        return Describe(entry, location.DeploymentDirectory(entry.Hash));
    }

    private static SbomPackage Describe(DeploymentEntry entry, string directory)
    {
        var manifestPath = Path.Combine(directory, Manifest.Manifest.FileName);
        if (!File.Exists(manifestPath))
        {
            // A deployment folder, not a package source folder: its manifest was extracted from the package.
            throw new PacksterException(ErrorCode.ManifestMissing, $"{manifestPath}: manifest not found in the folder of deployment {entry.Id} {entry.Version}",
                $"'packster verify' checks the location's deployments; reinstall {entry.Id} {entry.Version} with --force to restore it");
        }
        var manifest = Manifest.ManifestReader.Read(manifestPath);
        var record = DeploymentRecord.ReadFrom(directory);
        return new SbomPackage(entry, manifest.Description, manifest.License, manifest.Authors, manifest.Homepage,
            manifest.Dependencies.Select(r => r.Id).Distinct().ToList(),
            record.Files.OrderBy(f => f.Path, StringComparer.Ordinal).ToList());
    }
}

/// <summary>
/// Writes a location's active set as CycloneDX 1.6 JSON or SPDX 2.3 JSON (spec/bom.md). The output is a function of
/// the committed state: components sorted by id, files by path, no clock read and no random identifiers.
/// </summary>
public static partial class LocationSbom
{
    public const string ToolName = "packster";

    public static JsonObject CycloneDx(SbomInput input, string toolVersion)
    {
        ArgumentNullException.ThrowIfNull(input);
        var refs = input.Packages.ToDictionary(p => p.Entry.Id, p => p.Purl);
        var components = new JsonArray();
        foreach (var p in input.Packages)
        {
            var component = new JsonObject
            {
                ["type"] = "application",
                ["bom-ref"] = p.Purl,
                ["name"] = p.Entry.Id.Value,
                ["version"] = p.Entry.Version.ToString(),
            };
            if (p.Description is { } description) component["description"] = description;
            if (Named(p.Authors) is { Count: > 0 } authors) component["authors"] = new JsonArray([.. authors.Select(a => (JsonNode)new JsonObject { ["name"] = a })]);
            component["hashes"] = new JsonArray(Sha256Hash(p.Entry.PackageSha256));
            if (p.DeclaredLicense is { } license) component["licenses"] = new JsonArray(new JsonObject { ["expression"] = license });
            component["purl"] = p.Purl;
            if (p.Homepage is { } homepage)
            {
                component["externalReferences"] = new JsonArray(new JsonObject { ["type"] = "website", ["url"] = HomepageUrl.Escaped(homepage) });
            }
            var properties = new JsonArray(
                Property("packster:package", p.Entry.Package.FileName),
                Property("packster:deployment", p.Entry.Hash.Hex),
                Property("packster:pinned", p.Entry.Pinned ? "true" : "false"));
            if (p.Entry.Signer is { } signer) properties.Add((JsonNode)Property("packster:signer", signer));
            if (input.Status.TryGetValue(p.Entry.Id, out var status)) properties.Add((JsonNode)Property("packster:status", status));
            foreach (var claim in p.Entry.Claims) properties.Add((JsonNode)Property("packster:claim", claim));
            component["properties"] = properties;
            component["components"] = new JsonArray([.. p.Files.Select(f => (JsonNode)new JsonObject
            {
                ["type"] = "file",
                ["bom-ref"] = $"{p.Purl}#{f.Path}",
                ["name"] = f.Path,
                ["hashes"] = new JsonArray(Sha256Hash(f.Sha256)),
                ["properties"] = new JsonArray(Property("packster:size", f.Size.ToString(CultureInfo.InvariantCulture))),
            })]);
            components.Add((JsonNode)component);
        }
        var dependencies = new JsonArray([.. input.Packages.Select(p => (JsonNode)new JsonObject
        {
            ["ref"] = p.Purl,
            ["dependsOn"] = new JsonArray([.. p.Dependencies.Where(refs.ContainsKey).Select(d => refs[d]).Order(StringComparer.Ordinal).Select(r => (JsonNode)r)]),
        })]);
        var document = new JsonObject
        {
            ["bomFormat"] = "CycloneDX",
            ["specVersion"] = "1.6",
            ["serialNumber"] = "urn:uuid:" + DocumentUuid(input, "cyclonedx"),
            ["version"] = 1,
            ["metadata"] = new JsonObject
            {
                ["timestamp"] = Timestamp(input.Time),
                ["lifecycles"] = new JsonArray(new JsonObject { ["phase"] = input.Phase }),
                ["tools"] = new JsonObject
                {
                    ["components"] = new JsonArray(new JsonObject { ["type"] = "application", ["name"] = ToolName, ["version"] = toolVersion }),
                },
                ["component"] = new JsonObject
                {
                    ["type"] = "platform",
                    ["bom-ref"] = LocationRef(input),
                    ["name"] = input.Location.Value,
                    ["properties"] = new JsonArray(Property("packster:location-hash", input.StateHash.Hex)),
                },
            },
            ["components"] = components,
            ["dependencies"] = dependencies,
        };
        dependencies.Insert(0, new JsonObject
        {
            ["ref"] = LocationRef(input),
            ["dependsOn"] = new JsonArray([.. input.Packages.Select(p => (JsonNode)p.Purl)]),
        });
        return document;
    }

    public static JsonObject Spdx(SbomInput input, string toolVersion)
    {
        ArgumentNullException.ThrowIfNull(input);
        var ids = input.Packages.Select((p, i) => (p, id: $"SPDXRef-Package-{i + 1}-{SpdxIdPart(p.Entry.Id.Value)}")).ToList();
        var byId = ids.ToDictionary(x => x.p.Entry.Id, x => x.id);
        var packages = new JsonArray();
        var relationships = new JsonArray();
        var dependsOn = new List<JsonNode>();
        foreach (var (p, id) in ids)
        {
            var package = new JsonObject
            {
                ["SPDXID"] = id,
                ["name"] = p.Entry.Id.Value,
                ["versionInfo"] = p.Entry.Version.ToString(),
                ["packageFileName"] = p.Entry.Package.FileName,
                ["downloadLocation"] = "NOASSERTION",
                ["filesAnalyzed"] = false,
                ["checksums"] = new JsonArray(new JsonObject { ["algorithm"] = "SHA256", ["checksumValue"] = p.Entry.PackageSha256.Hex }),
                ["licenseConcluded"] = "NOASSERTION",
                ["licenseDeclared"] = p.DeclaredLicense ?? "NOASSERTION",
                ["copyrightText"] = "NOASSERTION",
                ["externalRefs"] = new JsonArray(new JsonObject
                {
                    ["referenceCategory"] = "PACKAGE-MANAGER",
                    ["referenceType"] = "purl",
                    ["referenceLocator"] = p.Purl,
                }),
            };
            if (p.Homepage is { } homepage) package["homepage"] = HomepageUrl.Escaped(homepage);
            if (p.Description is { } description) package["summary"] = description;
            if (Named(p.Authors) is [var supplier, ..]) package["supplier"] = "Person: " + supplier;
            package["comment"] = $"deployment {p.Entry.Hash.Hex}; {p.Files.Count.ToString(CultureInfo.InvariantCulture)} files, {p.Files.Sum(f => f.Size).ToString(CultureInfo.InvariantCulture)} bytes";
            packages.Add((JsonNode)package);
            relationships.Add((JsonNode)Relationship("SPDXRef-DOCUMENT", "DESCRIBES", id));
            foreach (var dependency in p.Dependencies.Where(byId.ContainsKey).Select(d => byId[d]).Order(StringComparer.Ordinal))
            {
                dependsOn.Add(Relationship(id, "DEPENDS_ON", dependency));
            }
        }
        // spec/bom.md § SPDX 2.3: every DESCRIBES first, then the DEPENDS_ON entries.
        foreach (var relationship in dependsOn) relationships.Add(relationship);
        var document = new JsonObject
        {
            ["spdxVersion"] = "SPDX-2.3",
            ["dataLicense"] = "CC0-1.0",
            ["SPDXID"] = "SPDXRef-DOCUMENT",
            ["name"] = $"packster location {input.Location.Value}",
            ["documentNamespace"] = $"https://spdx.org/spdxdocs/packster-{input.Location.Value}-{DocumentUuid(input, "spdx")}",
            ["creationInfo"] = new JsonObject
            {
                ["created"] = Timestamp(input.Time),
                ["creators"] = new JsonArray((JsonNode)$"Tool: {ToolName}-{toolVersion}"),
            },
            ["hasExtractedLicensingInfos"] = ExtractedLicensingInfos(input.Packages),
            ["packages"] = packages,
            ["relationships"] = relationships,
        };
        if (document["hasExtractedLicensingInfos"] is JsonArray { Count: 0 }) document.Remove("hasExtractedLicensingInfos");
        return document;
    }

    /// <summary>
    /// An SPDX <c>LicenseRef-</c> in an expression (not one of another document's, <c>DocumentRef-X:LicenseRef-Y</c>):
    /// <c>idstring</c> is letters, digits, '.' and '-' (SPDX 2.3 Annex D).
    /// </summary>
    [GeneratedRegex(@"(?<![:A-Za-z0-9.\-])LicenseRef-[A-Za-z0-9.\-]+", RegexOptions.CultureInvariant)]
    private static partial Regex LicenseRef();

    /// <summary>
    /// spec/bom.md § SPDX: SPDX 2.3 clause 10 wants every <c>LicenseRef-</c> the document uses defined in it, once. A
    /// manifest declares only the identifier, so each definition says that the text is not known and which packages
    /// declare it; sorted by identifier, so the same state gives the same bytes.
    /// </summary>
    private static JsonArray ExtractedLicensingInfos(IReadOnlyList<SbomPackage> packages)
    {
        var declaredBy = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var p in packages)
        {
            foreach (var id in LicenseRef().Matches(p.DeclaredLicense ?? "").Select(m => m.Value).Distinct(StringComparer.Ordinal))
            {
                if (!declaredBy.TryGetValue(id, out var names)) declaredBy[id] = names = [];
                names.Add($"{p.Entry.Id} {p.Entry.Version}");
            }
        }
        return new JsonArray([.. declaredBy.Select(d => (JsonNode)new JsonObject
        {
            ["licenseId"] = d.Key,
            ["name"] = d.Key["LicenseRef-".Length..],
            ["extractedText"] = $"The text of {d.Key} is not part of the packages' manifests, which name the licence only; see the packages that declare it.",
            ["comment"] = $"declared by {string.Join(", ", d.Value)}",
        })]);
    }

    /// <summary>
    /// The authors that name someone: the manifest's <c>authors</c> is free text, and an empty or blank one names no
    /// one, so it is never written (an SPDX supplier of <c>"Person: "</c> says nothing).
    /// </summary>
    private static List<string> Named(IReadOnlyList<string> authors) => authors.Where(a => !string.IsNullOrWhiteSpace(a)).ToList();

    private static string LocationRef(SbomInput input) => "packster-location:" + input.Location.Value;

    private static JsonObject Sha256Hash(Sha256Digest digest) => new() { ["alg"] = "SHA-256", ["content"] = digest.Hex };

    private static JsonObject Property(string name, string value) => new() { ["name"] = name, ["value"] = value };

    private static JsonObject Relationship(string from, string type, string to) =>
        new() { ["spdxElementId"] = from, ["relationshipType"] = type, ["relatedSpdxElement"] = to };

    private static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>SPDX identifiers allow letters, digits, '.' and '-': any other character of an id becomes '-'.</summary>
    private static string SpdxIdPart(string id) => string.Concat(id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '-'));

    /// <summary>
    /// spec/bom.md § Determinism: a name-based UUID (RFC 9562 version 5 layout) over the format, the location id, the
    /// location hash and every described package's deployment hash — the same state gives the same identifier.
    /// </summary>
    private static string DocumentUuid(SbomInput input, string format)
    {
        var text = new StringBuilder().Append(format).Append(' ').Append(input.Phase).Append('\n').Append(input.Location.Value).Append('\n').Append(input.StateHash.Hex).Append('\n');
        foreach (var p in input.Packages) text.Append(p.Entry.Hash.Hex).Append(p.Entry.Pinned ? " pinned\n" : "\n");
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()), hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(hash[..16]);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }
}
