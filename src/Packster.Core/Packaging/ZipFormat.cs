namespace Packster.Packaging;

/// <summary>The ZIP constants Packster writes and reads (APPNOTE.TXT 6.3.10), in one place.</summary>
internal static class ZipFormat
{
    public const uint LocalHeaderSignature = 0x04034b50;
    public const uint CentralHeaderSignature = 0x02014b50;
    public const uint EndOfCentralDirectorySignature = 0x06054b50;
    public const uint Zip64EndOfCentralDirectorySignature = 0x06064b50;
    public const uint Zip64LocatorSignature = 0x07064b50;

    public const int LocalHeaderLength = 30;
    /// <summary>Where a local header's name length (then its extra field length) is kept.</summary>
    public const int LocalNameLengthOffset = 26;
    public const int CentralHeaderLength = 46;
    public const int EndOfCentralDirectoryLength = 22;
    public const int Zip64EndOfCentralDirectoryLength = 56;
    public const int Zip64LocatorLength = 20;
    public const ushort Zip64ExtraId = 0x0001;

    public const ushort MethodStored = 0;
    public const ushort MethodDeflated = 8;
    /// <summary>Zstandard (APPNOTE 4.4.5, since 6.3.8): one zstd frame per entry.</summary>
    public const ushort MethodZstd = 93;

    /// <summary>
    /// The first member of a solid run (spec/package-format.md § Solid runs): the start of one zstd frame that the run's
    /// next members continue. A private method number: other ZIP readers refuse it as unknown rather than misread it.
    /// </summary>
    public const ushort MethodSolidFirst = 0x5A01;

    /// <summary>A later member of a solid run: the next bytes of the frame the run's first member started.</summary>
    public const ushort MethodSolidNext = 0x5A02;

    /// <summary>Whether <paramref name="method"/> makes its entry a member of a solid run.</summary>
    public static bool IsSolid(ushort method) => method is MethodSolidFirst or MethodSolidNext;

    public const ushort FlagEncrypted = 0x0001;
    public const ushort FlagDataDescriptor = 0x0008;
    public const ushort FlagStrongEncryption = 0x0040;
    public const ushort FlagUtf8 = 0x0800;

    public const ushort VersionNeeded = 20;
    public const ushort VersionNeededZip64 = 45;
    /// <summary>Version needed for a zstd entry: 6.3, the APPNOTE version that lists method 93.</summary>
    public const ushort VersionNeededZstd = 63;
    public const byte HostUnix = 3;

    /// <summary>1980-01-01 00:00:00, the DOS epoch: date word (year 0, month 1, day 1) and time word 0.</summary>
    public const ushort FixedDosDate = (1 << 5) | 1;
    public const ushort FixedDosTime = 0;

    public const uint Zip32Max = 0xFFFFFFFF;
    public const ushort Zip16Max = 0xFFFF;

    // Unix st_mode type bits, as kept in the high 16 bits of the external attributes.
    public const int TypeMask = 0xF000;
    public const int TypeFifo = 0x1000;
    public const int TypeCharDevice = 0x2000;
    public const int TypeDirectory = 0x4000;
    public const int TypeBlockDevice = 0x6000;
    public const int TypeRegular = 0x8000;
    public const int TypeSymlink = 0xA000;
    public const int TypeSocket = 0xC000;

    public const int ModeFile = 0x1A4;        // 0644
    public const int ModeExecutable = 0x1ED;  // 0755
    public const int ModeDirectory = 0x1ED;   // 0755
    public const int ModeSymlink = 0x1FF;     // 0777, as lstat reports links
    public const int AnyExecuteBits = 0x49;   // 0111

    public const uint MsDosDirectoryAttribute = 0x10;

    /// <summary>The version needed to extract an entry of <paramref name="method"/>, with or without ZIP64 fields.</summary>
    public static ushort VersionNeededFor(ushort method, bool zip64) =>
        method == MethodZstd || IsSolid(method) ? VersionNeededZstd : zip64 ? VersionNeededZip64 : VersionNeeded;

    /// <summary>The external attributes Packster writes for an entry of <paramref name="kind"/> and permission bits.</summary>
    public static uint ExternalAttributes(PackageEntryKind kind, int permissions) => kind switch
    {
        PackageEntryKind.Directory => ((uint)(TypeDirectory | permissions) << 16) | MsDosDirectoryAttribute,
        PackageEntryKind.Symlink => (uint)(TypeSymlink | permissions) << 16,
        _ => (uint)(TypeRegular | permissions) << 16,
    };
}
