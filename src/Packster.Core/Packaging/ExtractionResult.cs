using Packster.Model;

namespace Packster.Packaging;

/// <summary>
/// One entry as written to the staging directory: its relative '/'-path, kind, final mode (0644/0755 files,
/// 0755 directories, 0777 links), and for files the SHA-256 and size of the bytes actually written.
/// </summary>
public sealed record ExtractedFile(string Path, PackageEntryKind Kind, Sha256Digest? Sha256, long Size, int Mode, string? LinkTarget);

/// <summary>Everything an extraction wrote, in archive order, with totals.</summary>
public sealed record ExtractionResult(IReadOnlyList<ExtractedFile> Entries, int FileCount, int DirectoryCount, int SymlinkCount, long TotalSize);

/// <summary>How far an extraction has come: files and bytes written so far, of the totals.</summary>
public readonly record struct ExtractionProgress(int FilesDone, int FilesTotal, long BytesDone, long BytesTotal);
