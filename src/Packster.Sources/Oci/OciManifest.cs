using System.Text.Json;
using Packster.Model;

namespace Packster.Sources.Oci;

/// <summary>An OCI content descriptor: what a manifest or index says about one blob or manifest.</summary>
internal sealed record OciDescriptor(string MediaType, Sha256Digest Digest, long Size, string? ArtifactType = null,
    IReadOnlyDictionary<string, string>? Annotations = null)
{
    public string DigestText => "sha256:" + Digest.Hex;

    public void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("mediaType", MediaType);
        writer.WriteString("digest", DigestText);
        writer.WriteNumber("size", Size);
        if (ArtifactType is not null) writer.WriteString("artifactType", ArtifactType);
        OciManifest.WriteAnnotations(writer, Annotations);
        writer.WriteEndObject();
    }

    /// <summary>A descriptor as found in a document; null when it is malformed or not sha256 (Packster writes only sha256).</summary>
    public static OciDescriptor? Read(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object) return null;
        if (!element.TryGetProperty("mediaType", out var mediaType) || mediaType.ValueKind != JsonValueKind.String) return null;
        if (!element.TryGetProperty("digest", out var digest) || digest.ValueKind != JsonValueKind.String) return null;
        if (!element.TryGetProperty("size", out var size) || !size.TryGetInt64(out var length) || length < 0) return null;
        var text = digest.GetString()!;
        if (!text.StartsWith("sha256:", StringComparison.Ordinal) || !Sha256Digest.TryParse(text["sha256:".Length..], out var sha)) return null;
        var artifactType = element.TryGetProperty("artifactType", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;
        return new OciDescriptor(mediaType.GetString()!, sha, length, artifactType, OciManifest.ReadAnnotations(element));
    }
}

/// <summary>
/// The OCI image manifests and indexes Packster writes and reads (spec/sources.md §10.1): a package is a manifest of
/// artifact type <see cref="PackageArtifactType"/> — given both as <c>artifactType</c> (image-spec 1.1) and as
/// <c>config.mediaType</c> over the empty <c>{}</c> config, as ORAS writes for registries older than 1.1 — with one
/// layer, the <c>.packster</c> file. Output is deterministic (no timestamps), so equal packages give equal digests.
/// </summary>
internal sealed record OciManifest(string? ArtifactType, OciDescriptor Config, IReadOnlyList<OciDescriptor> Layers, OciDescriptor? Subject,
    IReadOnlyDictionary<string, string> Annotations)
{
    public const string ManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
    public const string IndexMediaType = "application/vnd.oci.image.index.v1+json";
    public const string EmptyMediaType = "application/vnd.oci.empty.v1+json";
    public const string PackageArtifactType = "application/vnd.packster.package.v1";
    public const string PackageLayerMediaType = "application/vnd.packster.package.v1+zip";
    public const string SignatureArtifactType = "application/vnd.packster.signature.v1";
    public const string SignatureLayerMediaType = "application/vnd.packster.signature.v1+json";
    public const string TitleAnnotation = "org.opencontainers.image.title";
    public const string VersionAnnotation = "org.opencontainers.image.version";
    public const string IdAnnotation = "io.packster.package.id";

    /// <summary>The empty JSON object every Packster manifest uses as its config blob.</summary>
    public static ReadOnlyMemory<byte> EmptyConfig { get; } = "{}"u8.ToArray();

    public static Sha256Digest EmptyConfigDigest { get; } = Sha256Digest.Compute(EmptyConfig.Span);

    /// <summary>The artifact type a reader goes by: <c>artifactType</c>, else <c>config.mediaType</c> (image-spec 1.1 guidance).</summary>
    public string EffectiveArtifactType => ArtifactType ?? Config.MediaType;

    public static OciManifest ForPackage(PackageFileName file, long size) => new(PackageArtifactType,
        new OciDescriptor(PackageArtifactType, EmptyConfigDigest, EmptyConfig.Length),
        [new OciDescriptor(PackageLayerMediaType, file.Sha256, size, Annotations: new Dictionary<string, string> { [TitleAnnotation] = file.FileName })],
        null,
        new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [IdAnnotation] = file.Id.Value,
            [TitleAnnotation] = file.Id.Value,
            [VersionAnnotation] = file.Version.ToString(),
        });

    public static OciManifest ForSignature(PackageFileName file, byte[] signature, OciDescriptor subject) => new(SignatureArtifactType,
        new OciDescriptor(SignatureArtifactType, EmptyConfigDigest, EmptyConfig.Length),
        [new OciDescriptor(SignatureLayerMediaType, Sha256Digest.Compute(signature), signature.Length,
            Annotations: new Dictionary<string, string> { [TitleAnnotation] = file.FileName + Trust.PackageSignature.Extension })],
        subject,
        new SortedDictionary<string, string>(StringComparer.Ordinal) { [IdAnnotation] = file.Id.Value, [VersionAnnotation] = file.Version.ToString() });

    public byte[] Serialize()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("schemaVersion", 2);
            writer.WriteString("mediaType", ManifestMediaType);
            if (ArtifactType is not null) writer.WriteString("artifactType", ArtifactType);
            writer.WritePropertyName("config");
            Config.Write(writer);
            writer.WriteStartArray("layers");
            foreach (var layer in Layers) layer.Write(writer);
            writer.WriteEndArray();
            if (Subject is not null)
            {
                writer.WritePropertyName("subject");
                Subject.Write(writer);
            }
            WriteAnnotations(writer, Annotations);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Parses an image manifest; null when the bytes are not one (another kind of document, or malformed).</summary>
    public static OciManifest? Parse(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes);
            using var json = JsonDocument.ParseValue(ref reader);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            if (!root.TryGetProperty("schemaVersion", out var version) || !version.TryGetInt32(out var v) || v != 2) return null;
            if (root.TryGetProperty("mediaType", out var mediaType) && mediaType.GetString() != ManifestMediaType) return null;
            if (!root.TryGetProperty("config", out var configElement) || OciDescriptor.Read(configElement) is not { } config) return null;
            if (!root.TryGetProperty("layers", out var layersElement) || layersElement.ValueKind != JsonValueKind.Array) return null;
            var layers = new List<OciDescriptor>();
            foreach (var element in layersElement.EnumerateArray())
            {
                if (OciDescriptor.Read(element) is not { } layer) return null;
                layers.Add(layer);
            }
            var artifactType = root.TryGetProperty("artifactType", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;
            var subject = root.TryGetProperty("subject", out var subjectElement) ? OciDescriptor.Read(subjectElement) : null;
            return new OciManifest(artifactType, config, layers, subject, ReadAnnotations(root) ?? new Dictionary<string, string>());
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The <c>manifests</c> of an image index (a referrers answer or a referrers tag); null when the bytes are not one.</summary>
    public static List<OciDescriptor>? ParseIndex(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes);
            using var json = JsonDocument.ParseValue(ref reader);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("manifests", out var manifests)) return null;
            if (manifests.ValueKind == JsonValueKind.Null) return [];
            if (manifests.ValueKind != JsonValueKind.Array) return null;
            return [.. manifests.EnumerateArray().Select(OciDescriptor.Read).OfType<OciDescriptor>()];
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static byte[] SerializeIndex(IEnumerable<OciDescriptor> manifests)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("schemaVersion", 2);
            writer.WriteString("mediaType", IndexMediaType);
            writer.WriteStartArray("manifests");
            foreach (var manifest in manifests) manifest.Write(writer);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    internal static void WriteAnnotations(Utf8JsonWriter writer, IReadOnlyDictionary<string, string>? annotations)
    {
        if (annotations is not { Count: > 0 }) return;
        writer.WriteStartObject("annotations");
        foreach (var (key, value) in annotations.OrderBy(a => a.Key, StringComparer.Ordinal)) writer.WriteString(key, value);
        writer.WriteEndObject();
    }

    internal static Dictionary<string, string>? ReadAnnotations(JsonElement element)
    {
        if (!element.TryGetProperty("annotations", out var annotations) || annotations.ValueKind != JsonValueKind.Object) return null;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in annotations.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.String) result[property.Name] = property.Value.GetString()!;
        }
        return result;
    }
}
