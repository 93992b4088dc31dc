using System.Buffers.Binary;
using System.Text;

namespace Packster.Activation;

/// <summary>
/// A Windows shell link (<c>.lnk</c>) for one menu entry, written byte by byte as the Shell Link Binary File Format
/// ([MS-SHLLINK]) lays it out, so no COM (<c>IShellLinkW</c>) is needed and it is rendered the same on every OS
/// (spec/activation.md § Desktop entries): a header, a LinkInfo holding the target's local path (ANSI and Unicode),
/// then the Unicode strings NAME (the comment), WORKING_DIR (the target's folder), COMMAND_LINE_ARGUMENTS (each
/// argument quoted as CommandLineToArgvW splits it back) and ICON_LOCATION, and the terminal block.
/// </summary>
public static class WindowsShortcut
{
    /// <summary>The link CLSID {00021401-0000-0000-C000-000000000046}, in its on-disk byte order.</summary>
    public static ReadOnlySpan<byte> LinkClsid => [0x01, 0x14, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46];

    public const int HeaderSize = 0x4C;

    [Flags]
    public enum LinkFlags : uint
    {
        HasLinkInfo = 0x2,
        HasName = 0x4,
        HasWorkingDir = 0x10,
        HasArguments = 0x20,
        HasIconLocation = 0x40,
        IsUnicode = 0x80,
    }

    private const uint ShowNormal = 1;
    private const uint DriveFixed = 3;

    /// <summary>The shortcut's file name in a Start-menu folder: the entry's name, made a valid Windows file name.</summary>
    public static string FileName(DesktopEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var name = new StringBuilder();
        foreach (var c in entry.Name) name.Append(c is '<' or '>' or ':' or '"' or '/' or '\\' or '|' or '?' or '*' || char.IsControl(c) ? '_' : c);
        var text = name.ToString().Trim().TrimEnd('.');
        return (text.Length == 0 ? entry.Id : text) + ".lnk";
    }

    public static byte[] Render(DesktopEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var target = entry.Exec;
        var flags = LinkFlags.HasLinkInfo | LinkFlags.HasWorkingDir | LinkFlags.IsUnicode;
        var arguments = string.Join(' ', entry.Args.Select(ShellQuoting.WindowsArgument));
        if (entry.Comment is not null) flags |= LinkFlags.HasName;
        if (arguments.Length > 0) flags |= LinkFlags.HasArguments;
        if (entry.Icon is not null) flags |= LinkFlags.HasIconLocation;

        using var stream = new MemoryStream();
        var header = new byte[HeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(header, HeaderSize);
        LinkClsid.CopyTo(header.AsSpan(4));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), (uint)flags);
        // FileAttributes, the three FILETIMEs, FileSize and IconIndex stay 0: the shell reads the target itself.
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(60), ShowNormal);
        stream.Write(header);
        stream.Write(LinkInfo(target));
        if (entry.Comment is { } comment) WriteString(stream, comment);
        WriteString(stream, WindowsFolderOf(target));
        if (arguments.Length > 0) WriteString(stream, arguments);
        if (entry.Icon is { } icon) WriteString(stream, icon);
        stream.Write(new byte[4]); // TerminalBlock
        return stream.ToArray();
    }

    /// <summary>The folder of a Windows path, by Windows rules on every OS (<c>C:\a\b.exe</c> → <c>C:\a</c>, <c>C:\b.exe</c> → <c>C:\</c>).</summary>
    public static string WindowsFolderOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var normalized = path.Replace('/', '\\');
        var cut = normalized.LastIndexOf('\\');
        if (cut < 0) return "";
        var folder = normalized[..cut];
        return folder.EndsWith(':') ? folder + "\\" : folder;
    }

    /// <summary>LinkInfo with VolumeIDAndLocalBasePath: a fixed-drive VolumeID and the path, ANSI ('?' for what ASCII lacks) and UTF-16.</summary>
    private static byte[] LinkInfo(string target)
    {
        const int headerSize = 0x24; // with the Unicode offsets
        byte[] volumeId = [0x11, 0, 0, 0, (byte)DriveFixed, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0];
        var ansi = Encoding.ASCII.GetBytes(target + "\0");
        var unicode = Encoding.Unicode.GetBytes(target + "\0");
        var volumeOffset = headerSize;
        var localOffset = volumeOffset + volumeId.Length;
        var suffixOffset = localOffset + ansi.Length;
        var localUnicodeOffset = suffixOffset + 1;
        var suffixUnicodeOffset = localUnicodeOffset + unicode.Length;
        var size = suffixUnicodeOffset + 2;
        var info = new byte[size];
        var span = info.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)size);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], headerSize);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], 1); // VolumeIDAndLocalBasePath
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)volumeOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)localOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], 0); // no CommonNetworkRelativeLink
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)suffixOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], (uint)localUnicodeOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(span[32..], (uint)suffixUnicodeOffset);
        volumeId.CopyTo(span[volumeOffset..]);
        ansi.CopyTo(span[localOffset..]);
        unicode.CopyTo(span[localUnicodeOffset..]);
        return info;
    }

    /// <summary>A StringData structure: a 16-bit count of UTF-16 code units, then the units, no terminator.</summary>
    private static void WriteString(Stream stream, string value)
    {
        if (value.Length > ushort.MaxValue || value.Any(char.IsControl))
            throw new PacksterException(ErrorCode.ActivationEnvInvalid, $"'{value}' cannot be written into a Windows shortcut (a control character, or longer than {ushort.MaxValue} characters)");
        Span<byte> count = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(count, (ushort)value.Length);
        stream.Write(count);
        stream.Write(Encoding.Unicode.GetBytes(value));
    }
}
