using Packster.Model;

namespace Packster.Packaging;

/// <summary>
/// A package written by <see cref="Packer.Pack"/>: its final name (which embeds the SHA-256 of its bytes), full path,
/// size in bytes and entry count (files, symlinks and empty directories, the manifest included).
/// </summary>
public sealed record PackResult(PackageFileName FileName, string Path, long Size, int FileCount);
