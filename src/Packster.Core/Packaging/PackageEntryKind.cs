namespace Packster.Packaging;

/// <summary>What a package entry becomes on disk. ZIP cannot express hard links; devices and FIFOs are refused.</summary>
public enum PackageEntryKind
{
    File,
    Directory,
    Symlink,
}
