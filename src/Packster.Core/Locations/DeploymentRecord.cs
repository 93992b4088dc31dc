using System.Globalization;
using System.IO.Enumeration;
using System.Text.Json;
using System.Text.Json.Nodes;
using Packster.Model;
using Packster.Packaging;

namespace Packster.Locations;

/// <summary>
/// <c>packster-deployment.json</c>, written by the installer into each deployment directory before it is published:
/// which package, which effective parameters, and the hash, size and mode of every file and the target of every link,
/// so <see cref="DeploymentVerifier"/> can tell later whether the deployment is still what was installed.
/// A deployment directory without it is incomplete (recovery removes it).
/// </summary>
public sealed record DeploymentRecord(
    PackageFileName Package,
    Sha256Digest Deployment,
    JsonObject Parameters,
    IReadOnlyList<DeploymentFile> Files,
    IReadOnlyList<DeploymentLink> Links)
{
    public const string FileName = "packster-deployment.json";
    public const int Schema = 1;

    /// <summary>The signature that was verified at install (spec/signing.md § Verify), so <c>verify</c> can check it again.</summary>
    public Trust.PackageSignature? Signature { get; init; }

    public PackageId Id => Package.Id;
    public PackageVersion Version => Package.Version;
    public Sha256Digest PackageSha256 => Package.Sha256;

    /// <summary>
    /// Writes the record into the staged <paramref name="deploymentDirectory"/> atomically, files and links sorted by path;
    /// not flushed by itself: the staged tree is made durable as a whole before it is published (spec/lockfile.md
    /// § Durability).
    /// </summary>
    public void WriteTo(string deploymentDirectory) =>
        AtomicFile.WriteInDurableTree(System.IO.Path.Combine(deploymentDirectory, FileName), Serialize());

    public byte[] Serialize()
    {
        var dto = new DeploymentRecordDto
        {
            Schema = Schema,
            Id = Id.Value,
            Version = Version.ToString(),
            Package = Package.FileName,
            Sha256 = PackageSha256.Hex,
            Deployment = Deployment.Hex,
            Parameters = SortedJson.Sorted(Parameters),
            Files = [.. Files.OrderBy(f => f.Path, StringComparer.Ordinal).Select(f => new FileDto
            {
                Path = f.Path,
                Sha256 = f.Sha256.Hex,
                Size = f.Size,
                Mode = f.Mode is { } m ? Convert.ToString((int)m, 8).PadLeft(4, '0') : null,
            })],
            Links = [.. Links.OrderBy(l => l.Path, StringComparer.Ordinal).Select(l => new LinkDto { Path = l.Path, Target = l.Target })],
            Signature = Signature is { } sig ? new RecordSignatureDto { Algorithm = Trust.PackageSignature.Algorithm, Key = sig.KeyId, Value = Convert.ToBase64String(sig.Signature) } : null,
        };
        return [.. JsonSerializer.SerializeToUtf8Bytes(dto, LocationJsonContext.Default.DeploymentRecordDto), (byte)'\n'];
    }

    /// <summary>
    /// Reads the record of <paramref name="deploymentDirectory"/>; DeploymentRecordUnreadable when missing or invalid, or
    /// when it is not a regular file (a FIFO, a device, a folder): that is never opened, since a FIFO's open would wait for
    /// a writer, and one put there after that look is opened without waiting (<see cref="RegularFile"/>) and left unread.
    /// </summary>
    public static DeploymentRecord ReadFrom(string deploymentDirectory)
    {
        var file = System.IO.Path.Combine(deploymentDirectory, FileName);
        byte[] bytes;
        try
        {
            var kind = FileKinds.OfTarget(file);
            bytes = (kind is FileKind.Regular or FileKind.Missing ? RegularFile.TryReadAllBytes(file, out kind) : null)
                ?? throw LocationErrors.DeploymentRecordUnreadable(file, NotAFile(kind));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw LocationErrors.DeploymentRecordUnreadable(file, "the file does not exist", e);
        }
        return Parse(bytes, file);
    }

    /// <summary>
    /// The record of <paramref name="file"/> without its files and links (empty lists), read in the shape packster writes;
    /// null when it cannot be read so (a quick verify then reads the record whole, with its errors).
    /// </summary>
    internal static DeploymentRecord? TryReadHeader(string file)
    {
        try
        {
            return FileKinds.OfTarget(file) == FileKind.Regular && RegularFile.TryReadAllBytes(file, out _) is { } bytes
                ? DeploymentRecordFastReader.TryRead(bytes, headerOnly: true)
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string NotAFile(FileKind kind) =>
        kind == FileKind.Directory ? "it is a folder, not a file" : $"it is {kind.Describe()}, not a regular file";

    public static DeploymentRecord Parse(ReadOnlySpan<byte> bytes, string file) =>
        DeploymentRecordFastReader.TryRead(bytes) ?? ParseGeneral(bytes, file);

    /// <summary>The general reading: any JSON, through the DTOs, with an error that names what is wrong.</summary>
    internal static DeploymentRecord ParseGeneral(ReadOnlySpan<byte> bytes, string file)
    {
        DeploymentRecordDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize(bytes, LocationJsonContext.Default.DeploymentRecordDto);
        }
        catch (JsonException e)
        {
            throw LocationErrors.DeploymentRecordUnreadable(file, Lockfile.Describe(e), e);
        }
        if (dto is null) throw LocationErrors.DeploymentRecordUnreadable(file, "expected a JSON object, found null");
        if (Lockfile.WhyNotPlain(bytes) is { } why) throw LocationErrors.DeploymentRecordUnreadable(file, why);
        if (dto.Schema != Schema) throw LocationErrors.DeploymentRecordUnreadable(file, $"schema {dto.Schema} is not supported (expected {Schema})");
        if (!PackageFileName.TryParse(dto.Package, out var package)) throw LocationErrors.DeploymentRecordUnreadable(file, $"$.package: '{dto.Package}' is not a package file name");
        if (dto.Id != package.Id.Value || dto.Version != package.Version.ToString() || dto.Sha256 != package.Sha256.Hex)
        {
            throw LocationErrors.DeploymentRecordUnreadable(file, "$.id, $.version and $.sha256 must match $.package");
        }
        if (!Sha256Digest.TryParse(dto.Deployment, out var deployment)) throw LocationErrors.DeploymentRecordUnreadable(file, $"$.deployment: '{dto.Deployment}' is not a SHA-256");

        var files = new List<DeploymentFile>();
        foreach (var (i, f) in (dto.Files ?? []).Index())
        {
            if (f?.Path is null || !Sha256Digest.TryParse(f.Sha256, out var sha) || f.Size < 0)
            {
                throw LocationErrors.DeploymentRecordUnreadable(file, $"$.files[{i}]: needs a path, a sha256 and a size >= 0");
            }
            UnixFileMode? mode = null;
            if (f.Mode is not null)
            {
                mode = f.Mode.Length is >= 3 and <= 4 && f.Mode.All(c => c is >= '0' and <= '7')
                    ? (UnixFileMode)Convert.ToInt32(f.Mode, 8)
                    : throw LocationErrors.DeploymentRecordUnreadable(file, $"$.files[{i}].mode: '{f.Mode}' is not an octal mode like 0644");
            }
            files.Add(new DeploymentFile(f.Path, sha, f.Size, mode));
        }
        var links = new List<DeploymentLink>();
        foreach (var (i, l) in (dto.Links ?? []).Index())
        {
            if (l?.Path is null || l.Target is null) throw LocationErrors.DeploymentRecordUnreadable(file, $"$.links[{i}]: needs a path and a target");
            links.Add(new DeploymentLink(l.Path, l.Target));
        }
        Trust.PackageSignature? signature = null;
        if (dto.Signature is { } sig)
        {
            signature = SignatureOf(sig, package)
                ?? throw LocationErrors.DeploymentRecordUnreadable(file, $"$.signature: needs algorithm \"{Trust.PackageSignature.Algorithm}\", a key id and a base64 value");
        }
        return new DeploymentRecord(package, deployment, dto.Parameters ?? [], files, links) { Signature = signature };
    }

    /// <summary>The signature a record holds for <paramref name="package"/>; null when it is not one (algorithm, key id, base64 value).</summary>
    internal static Trust.PackageSignature? SignatureOf(RecordSignatureDto signature, PackageFileName package)
    {
        byte[]? value = null;
        try
        {
            value = signature.Value is null ? null : Convert.FromBase64String(signature.Value);
        }
        catch (FormatException)
        {
        }
        if (signature.Algorithm != Trust.PackageSignature.Algorithm || signature.Key is not { Length: 16 } key || !key.All(char.IsAsciiHexDigitLower) || value is null)
        {
            return null;
        }
        return new Trust.PackageSignature(package.FileName, package.Sha256, key, value);
    }

    /// <summary>
    /// Describes the files and links now under <paramref name="deploymentDirectory"/> (except this record), hashing
    /// every file: for an installer that did not hash while extracting, and for tests.
    /// </summary>
    public static (IReadOnlyList<DeploymentFile> Files, IReadOnlyList<DeploymentLink> Links) Scan(string deploymentDirectory)
    {
        var (files, links) = List(deploymentDirectory);
        // Never opened: a FIFO's open would wait for a writer that never comes (spec/handlers.md § What handlers leave).
        if (files.FirstOrDefault(f => f.Stamp.Kind == FileStampKind.Special) is { } special)
        {
            throw new PacksterException(ErrorCode.DeploymentSpecialFile,
                $"the handlers left '{special.Path}' in the deployment, {FileKinds.Of(special.FullPath).Describe()}; a deployment holds only files, folders and symbolic links",
                "make it at run time outside the deployment (a FIFO or socket in $XDG_RUNTIME_DIR or a temp folder), or remove it before the handler ends");
        }
        return (files.Select(f => new DeploymentFile(f.Path, Sha256Digest.ComputeFile(f.FullPath), f.Stamp.Size, f.Stamp.Mode)).ToList(), links);
    }

    /// <summary>The files (with their metadata, unread) and links now under <paramref name="deploymentDirectory"/>, except this record, by path.</summary>
    /// <remarks>
    /// Walked by hand: .NET's recursive enumeration descends into links to folders, and a link must be recorded, not
    /// followed. One lstat per entry says what it is and gives a file's metadata; only links are read. The folders of
    /// one depth are listed in parallel: on a tree of 3,659 files the walk is nearly all system calls.
    /// With <paramref name="folders"/>, every folder is added to it with the stamp one <c>lstat</c> gave before the folder
    /// was listed (the deployment itself as "."), for a quick verify index (<see cref="QuickVerifyIndex.Folder"/>).
    /// </remarks>
    internal static (IReadOnlyList<ListedFile> Files, IReadOnlyList<DeploymentLink> Links) List(string deploymentDirectory, List<QuickVerifyIndex.Folder>? folders = null)
    {
        var files = new List<ListedFile>();
        var links = new List<DeploymentLink>();
        var root = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(deploymentDirectory));
        folders?.Add(QuickVerifyIndex.Folder.Of(".", FileStamp.Of(root, directory: true)));
        var level = new List<string> { "" };
        while (level.Count > 0)
        {
            var found = new List<(string Relative, FileStamp Stamp)>[level.Count];
            Parallelism.For(level.Count, i => found[i] = ListOne(root, level[i]));
            level = [];
            foreach (var (relative, stamp) in found.SelectMany(f => f))
            {
                switch (stamp.Kind)
                {
                    case FileStampKind.Link:
                        var path = System.IO.Path.Join(root, relative);
                        var target = new FileInfo(path).LinkTarget ?? new DirectoryInfo(path).LinkTarget ?? "";
                        links.Add(new DeploymentLink(relative, target.Replace('\\', '/')));
                        break;
                    case FileStampKind.Directory:
                        level.Add(relative);
                        folders?.Add(QuickVerifyIndex.Folder.Of(relative, stamp));
                        break;
                    default:
                        if (relative != FileName) files.Add(new ListedFile(root, relative, stamp));
                        break;
                }
            }
        }
        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        links.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return (files, links);
    }

    private static readonly EnumerationOptions OneFolder = new() { AttributesToSkip = 0, IgnoreInaccessible = false, RecurseSubdirectories = false };

    /// <summary>The entries of the folder <paramref name="relative"/> to <paramref name="root"/>: their '/'-separated paths and stamps.</summary>
    private static List<(string Relative, FileStamp Stamp)> ListOne(string root, string relative)
    {
        var directory = relative.Length == 0 ? root : System.IO.Path.Join(root, relative);
        var entries = new FileSystemEnumerable<(string, FileStamp)>(directory, (ref FileSystemEntry e) =>
            (relative.Length == 0 ? e.FileName.ToString() : string.Concat(relative, "/", e.FileName), FileStamp.Of(e.Directory, e.FileName, e.IsDirectory)),
            OneFolder);
        return [.. entries];
    }

    public override string ToString() => $"{Package} → {Deployment} ({Files.Count.ToString(CultureInfo.InvariantCulture)} files)";
}

/// <summary>A regular file of a deployment: '/'-separated path relative to the deployment, hash, size, Unix mode (null on Windows).</summary>
public sealed record DeploymentFile(string Path, Sha256Digest Sha256, long Size, UnixFileMode? Mode);

/// <summary>
/// A file found under a deployment: its '/'-separated path relative to <see cref="Root"/>, and its metadata (unread);
/// a regular file unless its stamp says <see cref="FileStampKind.Special"/>, which is listed so it is reported, never read.
/// </summary>
internal sealed record ListedFile(string Root, string Path, FileStamp Stamp)
{
    public string FullPath => System.IO.Path.Join(Root, Path);
}

/// <summary>A symbolic link of a deployment: '/'-separated path and its (relative) target as stored.</summary>
public sealed record DeploymentLink(string Path, string Target);
