using Packster.Toml;

namespace Packster.Manifest;

/// <summary>Reads and validates <c>packster-manifest.toml</c>; every failure is a <see cref="ManifestException"/> with file:line:column and key.</summary>
public static class ManifestReader
{
    /// <summary>Reads the manifest at <paramref name="manifestPath"/>; a missing file is <see cref="ErrorCode.ManifestMissing"/>.</summary>
    public static Manifest Read(string manifestPath)
    {
        CheckFile(manifestPath);
        return ParseBytes(ReadChecked(manifestPath), manifestPath);
    }

    /// <summary>
    /// The bytes of a manifest <see cref="CheckFile"/> passed, opened so that a FIFO or device put there since is refused
    /// as <see cref="CheckFile"/> refuses one, not waited on (<see cref="RegularFile"/>).
    /// </summary>
    internal static byte[] ReadChecked(string manifestPath) =>
        FileSystemErrors.AtFile(manifestPath, "cannot read", () => RegularFile.ReadAllBytes(manifestPath, kind => NotRegular(manifestPath, kind)));

    /// <summary>What is checked before a manifest file is read: it exists, is a regular file, and is not too large.</summary>
    internal static void CheckFile(string manifestPath)
    {
        ArgumentNullException.ThrowIfNull(manifestPath);
        // A folder in its place is there, and refused as one below, not said to be missing.
        if (!File.Exists(manifestPath) && !Directory.Exists(manifestPath)) throw Missing(manifestPath);
        // By type before opening: reading a FIFO would wait for a writer forever.
        var kind = Packaging.FileKinds.OfTarget(manifestPath);
        if (kind != Packaging.FileKind.Regular) throw NotRegular(manifestPath, kind);
        if (new FileInfo(manifestPath).Length is var length && length > MaxSize) throw TooLarge(manifestPath, length);
    }

    private static PacksterException NotRegular(string manifestPath, Packaging.FileKind kind) =>
        new(ErrorCode.ArchiveUnsupportedEntry, $"{manifestPath} is {Packaging.FileKinds.Describe(kind)}, not a regular file",
            $"{Manifest.FileName} must be a regular file");

    /// <summary>
    /// The largest manifest (4 MiB), the same for <c>manifest check</c>, <c>pack</c> and install
    /// (spec/package-format.md § Limits): a manifest is a small text file.
    /// </summary>
    public const long MaxSize = 4L << 20;

    private static Manifest ParseBytes(ReadOnlySpan<byte> utf8, string file)
    {
        if (utf8.Length > MaxSize)
        {
            throw TooLarge(file, utf8.Length);
        }
        TomlTable root;
        try
        {
            root = TomlDocument.Parse(utf8, file, TomlVersion.V1_1);
        }
        catch (TomlException e)
        {
            throw ManifestException.Syntax(e, file);
        }
        return new ManifestBuilder(root, file).Build();
    }

    /// <summary>
    /// Reads a manifest from a stream (e.g. an archive entry); <paramref name="file"/> names it in messages
    /// (e.g. <c>hello-1.0.0-….packster!packster-manifest.toml</c>).
    /// </summary>
    public static Manifest Read(Stream stream, string file)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(file);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return ParseBytes(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), file);
    }

    /// <summary>Reads <c>{dir}/packster-manifest.toml</c>.</summary>
    public static Manifest ReadFromDirectory(string dir)
    {
        ArgumentNullException.ThrowIfNull(dir);
        return Read(Path.Join(dir, Manifest.FileName));
    }

    /// <summary>Parses manifest text; <paramref name="file"/> is used in messages only.</summary>
    public static Manifest Parse(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);
        TomlTable root;
        try
        {
            root = TomlDocument.Parse(text, file, TomlVersion.V1_1);
        }
        catch (TomlException e)
        {
            throw ManifestException.Syntax(e, file);
        }
        return new ManifestBuilder(root, file).Build();
    }

    private static PacksterException TooLarge(string file, long length) =>
        new(ErrorCode.ManifestInvalid, $"{file}: the manifest is {length} bytes, more than the limit of {MaxSize} bytes (4 MiB)",
            "a manifest declares the package; keep data in the package's files");

    private static PacksterException Missing(string path) =>
        new(ErrorCode.ManifestMissing, $"{path}: manifest not found",
            $"a package source folder must contain {Manifest.FileName} at its root");
}
