using System.Text.Json;
using System.Text.Json.Nodes;
using Packster.Model;

namespace Packster.Locations;

/// <summary>
/// Reads a <c>packster-deployment.json</c> in the shape packster writes it straight into a <see cref="DeploymentRecord"/>,
/// in one pass, without the DTOs of the general reading (a record of thousands of files is most of what a repeated
/// <c>verify --quick</c> reads). At the first thing it does not expect (an unknown, repeated or null property, a value
/// of another type or that does not parse, anything after the object) it gives up and returns null: the general reading
/// then judges the same bytes, with its errors. So it never accepts what that reading refuses, nor reads anything
/// differently (DeploymentRecordFastReaderTests holds both).
/// </summary>
internal static class DeploymentRecordFastReader
{
    /// <summary>The record in <paramref name="bytes"/>; with <paramref name="headerOnly"/>, its files and links are passed over, not read.</summary>
    public static DeploymentRecord? TryRead(ReadOnlySpan<byte> bytes, bool headerOnly = false)
    {
        var reader = new Utf8JsonReader(bytes);
        try
        {
            return Read(ref reader, headerOnly);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON, or a string whose escapes have no text (a lone surrogate, which GetString refuses with an
            // InvalidOperationException; a record edited to hold one was PST0001): the general reading judges it.
            return null;
        }
    }

    private static DeploymentRecord? Read(ref Utf8JsonReader reader, bool headerOnly)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        var schema = 0;
        var texts = new string?[5];
        JsonObject? parameters = null;
        List<DeploymentFile>? files = null;
        List<DeploymentLink>? links = null;
        RecordSignatureDto? signature = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = RecordField(ref reader);
            if (field < 0 || (seen & (1 << field)) != 0) return null;
            seen |= 1 << field;
            reader.Read();
            switch (field)
            {
                case 0:
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out schema)) return null;
                    break;
                case <= 5:
                    if (reader.TokenType != JsonTokenType.String) return null;
                    texts[field - 1] = reader.GetString();
                    break;
                case 6:
                    if (reader.TokenType != JsonTokenType.StartObject) return null;
                    var ahead = reader;
                    if (!LockfileFastReader.SkipNamedOnce(ref ahead)) return null;
                    parameters = JsonNode.Parse(ref reader)!.AsObject();
                    break;
                case 7:
                    if ((files = headerOnly ? Skipped<DeploymentFile>(ref reader) : ReadFiles(ref reader)) is null) return null;
                    break;
                case 8:
                    if ((links = headerOnly ? Skipped<DeploymentLink>(ref reader) : ReadLinks(ref reader)) is null) return null;
                    break;
                default:
                    if ((signature = ReadSignature(ref reader)) is null) return null;
                    break;
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read()) return null;
        // Every written record has all but the signature; the general reading decides what an absent one means.
        if (seen != 0b1_1111_1111 && seen != 0b11_1111_1111) return null;
        var (id, version, packageText, sha256, deploymentText) = (texts[0], texts[1], texts[2], texts[3], texts[4]);
        if (schema != DeploymentRecord.Schema || !PackageFileName.TryParse(packageText, out var package)
            || id != package.Id.Value || version != package.Version.ToString() || sha256 != package.Sha256.Hex
            || !Sha256Digest.TryParse(deploymentText, out var deployment))
        {
            return null;
        }
        Trust.PackageSignature? verified = null;
        if (signature is not null && (verified = DeploymentRecord.SignatureOf(signature, package)) is null) return null;
        return new DeploymentRecord(package, deployment, parameters!, files!, links!) { Signature = verified };
    }

    private static int RecordField(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("schema"u8) ? 0 : reader.ValueTextEquals("id"u8) ? 1 : reader.ValueTextEquals("version"u8) ? 2
        : reader.ValueTextEquals("package"u8) ? 3 : reader.ValueTextEquals("sha256"u8) ? 4 : reader.ValueTextEquals("deployment"u8) ? 5
        : reader.ValueTextEquals("parameters"u8) ? 6 : reader.ValueTextEquals("files"u8) ? 7 : reader.ValueTextEquals("links"u8) ? 8
        : reader.ValueTextEquals("signature"u8) ? 9 : -1;

    /// <summary>An array passed over to its end: an empty list for it, or null when it is not an array.</summary>
    private static List<T>? Skipped<T>(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray) return null;
        reader.Skip();
        return [];
    }

    private static List<DeploymentFile>? ReadFiles(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray) return null;
        var files = new List<DeploymentFile>();
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            if (ReadFile(ref reader) is not { } file) return null;
            files.Add(file);
        }
        return reader.TokenType == JsonTokenType.EndArray ? files : null;
    }

    private static DeploymentFile? ReadFile(ref Utf8JsonReader reader)
    {
        string? path = null;
        Sha256Digest? sha256 = null;
        long? size = null;
        UnixFileMode? mode = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = reader.ValueTextEquals("path"u8) ? 1 : reader.ValueTextEquals("sha256"u8) ? 2 : reader.ValueTextEquals("size"u8) ? 4
                : reader.ValueTextEquals("mode"u8) ? 8 : 0;
            if (field == 0 || (seen & field) != 0) return null;
            seen |= field;
            reader.Read();
            var isString = reader.TokenType == JsonTokenType.String;
            switch (field)
            {
                case 1:
                    if (!isString) return null;
                    path = reader.GetString();
                    break;
                case 2:
                    if (!isString || !LockfileFastReader.TryDigest(ref reader, out var digest)) return null;
                    sha256 = digest;
                    break;
                case 4:
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var length) || length < 0) return null;
                    size = length;
                    break;
                default:
                    if (!isString || reader.ValueIsEscaped || Octal(reader.ValueSpan) is not { } bits) return null;
                    mode = bits;
                    break;
            }
        }
        return reader.TokenType == JsonTokenType.EndObject && path is not null && sha256 is { } sha && size is { } bytes
            ? new DeploymentFile(path, sha, bytes, mode)
            : null;
    }

    /// <summary>A mode as the general reading takes it: three or four octal digits.</summary>
    private static UnixFileMode? Octal(ReadOnlySpan<byte> text)
    {
        if (text.Length is < 3 or > 4) return null;
        var bits = 0;
        foreach (var digit in text)
        {
            if (digit is < (byte)'0' or > (byte)'7') return null;
            bits = (bits * 8) + (digit - '0');
        }
        return (UnixFileMode)bits;
    }

    private static List<DeploymentLink>? ReadLinks(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray) return null;
        var links = new List<DeploymentLink>();
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            string? path = null, target = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isPath = reader.ValueTextEquals("path"u8);
                if (!isPath && !reader.ValueTextEquals("target"u8)) return null;
                reader.Read();
                if (reader.TokenType != JsonTokenType.String || (isPath ? path : target) is not null) return null;
                if (isPath) path = reader.GetString();
                else target = reader.GetString();
            }
            if (reader.TokenType != JsonTokenType.EndObject || path is null || target is null) return null;
            links.Add(new DeploymentLink(path, target));
        }
        return reader.TokenType == JsonTokenType.EndArray ? links : null;
    }

    private static RecordSignatureDto? ReadSignature(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject) return null;
        var signature = new RecordSignatureDto();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = reader.ValueTextEquals("algorithm"u8) ? 1 : reader.ValueTextEquals("key"u8) ? 2 : reader.ValueTextEquals("value"u8) ? 3 : 0;
            reader.Read();
            if (field == 0 || reader.TokenType != JsonTokenType.String) return null;
            var text = reader.GetString();
            switch (field)
            {
                case 1 when signature.Algorithm is null: signature.Algorithm = text; break;
                case 2 when signature.Key is null: signature.Key = text; break;
                case 3 when signature.Value is null: signature.Value = text; break;
                default: return null;
            }
        }
        return reader.TokenType == JsonTokenType.EndObject ? signature : null;
    }
}
