using System.Buffers.Binary;
using System.Text;
using Packster.Activation;
using Packster.Testing;

namespace Packster.Core.Tests.Activation;

/// <summary>
/// spec/activation.md § Desktop entries, Windows: each entry is a shell link written as [MS-SHLLINK] lays it out. No
/// Windows machine runs these tests, so the bytes are read back here by the format's own rules: header, LinkInfo's
/// local path, the StringData in order, and the arguments split back as CommandLineToArgvW does.
/// </summary>
public sealed class WindowsShortcutTests
{
    private static readonly DesktopEntry Entry = new("main", "Hello World", @"C:\tools\dev\deployments\ab12\bin\hello.exe",
        ["--greeting", "say \"hi\"", @"C:\data dir\", "100%"], @"C:\tools\dev\deployments\ab12\share\hello.ico", ["Utility"], "Says hello", Terminal: false);

    private sealed record Parsed(uint Flags, string LocalPath, List<string> Strings, int End);

    /// <summary>Reads a link by the format: every offset and count is checked against the bytes.</summary>
    private static Parsed Parse(byte[] bytes)
    {
        Assert.Equal(0x4Cu, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal(WindowsShortcut.LinkClsid.ToArray(), bytes[4..20]);
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(20));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(60))); // SW_SHOWNORMAL
        var at = 0x4C;
        Assert.Equal(0u, flags & 0x1); // no IDList: the LinkInfo path is the target
        Assert.NotEqual(0u, flags & 0x2);
        var info = bytes.AsSpan(at);
        var infoSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(info);
        var headerSize = BinaryPrimitives.ReadUInt32LittleEndian(info[4..]);
        Assert.True(headerSize >= 0x24, "no Unicode local path offsets");
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(info[8..]) & 1); // VolumeIDAndLocalBasePath
        var volume = (int)BinaryPrimitives.ReadUInt32LittleEndian(info[12..]);
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(info[(volume + 4)..])); // DRIVE_FIXED
        var ansiOffset = (int)BinaryPrimitives.ReadUInt32LittleEndian(info[16..]);
        var ansi = Encoding.ASCII.GetString(info[ansiOffset..][..info[ansiOffset..].IndexOf((byte)0)]);
        var unicodeOffset = (int)BinaryPrimitives.ReadUInt32LittleEndian(info[28..]);
        var unicode = info[unicodeOffset..infoSize];
        var chars = MemoryMarshalChars(unicode);
        var local = chars[..chars.IndexOf('\0')];
        Assert.Equal(ansi.Length, local.Length);
        at += infoSize;
        var strings = new List<string>();
        while (at < bytes.Length - 4)
        {
            var count = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at));
            strings.Add(Encoding.Unicode.GetString(bytes, at + 2, count * 2));
            at += 2 + count * 2;
        }
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at))); // TerminalBlock
        return new Parsed(flags, local, strings, at + 4);
    }

    private static string MemoryMarshalChars(ReadOnlySpan<byte> bytes) => Encoding.Unicode.GetString(bytes);

    /// <summary>CommandLineToArgvW's rules: 2n backslashes before a quote are n and the quote toggles; 2n+1 are n and a literal quote.</summary>
    private static List<string> SplitArguments(string line)
    {
        var args = new List<string>();
        var current = new StringBuilder();
        bool quoted = false, any = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '\\')
            {
                var run = 0;
                while (i < line.Length && line[i] == '\\') { run++; i++; }
                if (i < line.Length && line[i] == '"')
                {
                    current.Append('\\', run / 2);
                    if (run % 2 == 1) current.Append('"');
                    else quoted = !quoted;
                }
                else
                {
                    current.Append('\\', run);
                    i--;
                }
                any = true;
            }
            else if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (c == ' ' && !quoted)
            {
                if (any) args.Add(current.ToString());
                current.Clear();
                any = false;
            }
            else
            {
                current.Append(c);
                any = true;
            }
        }
        if (any) args.Add(current.ToString());
        return args;
    }

    [Fact]
    public void A_shortcut_holds_the_target_its_folder_the_arguments_the_comment_and_the_icon()
    {
        var bytes = WindowsShortcut.Render(Entry);
        var link = Parse(bytes);
        Assert.Equal(bytes.Length, link.End);
        Assert.Equal(Entry.Exec, link.LocalPath);
        // NAME, WORKING_DIR, COMMAND_LINE_ARGUMENTS, ICON_LOCATION, in the format's order, all Unicode.
        Assert.Equal(0x4u | 0x10 | 0x20 | 0x40 | 0x80, link.Flags & (0x4u | 0x10 | 0x20 | 0x40 | 0x80));
        Assert.Equal(["Says hello", @"C:\tools\dev\deployments\ab12\bin", link.Strings[2], Entry.Icon!], link.Strings);
        Assert.Equal(Entry.Args, SplitArguments(link.Strings[2]));
    }

    [Fact]
    public void Optional_parts_are_left_out_with_their_flags()
    {
        var bare = Entry with { Args = [], Comment = null, Icon = null };
        var link = Parse(WindowsShortcut.Render(bare));
        Assert.Equal(0u, link.Flags & (0x4u | 0x20 | 0x40));
        Assert.Equal([@"C:\tools\dev\deployments\ab12\bin"], link.Strings);
    }

    [Fact]
    public void A_path_beyond_ascii_is_kept_exactly_in_the_unicode_path()
    {
        var entry = Entry with { Exec = @"C:\Users\Zoë\tools\héllo.exe" };
        Assert.Equal(entry.Exec, Parse(WindowsShortcut.Render(entry)).LocalPath);
    }

    [Fact]
    public void A_control_character_cannot_be_written()
    {
        var e = Assert.Throws<PacksterException>(() => WindowsShortcut.Render(Entry with { Comment = "two\nlines" }));
        Assert.Equal(ErrorCode.ActivationEnvInvalid, e.Code);
    }

    [Fact]
    public void Shortcut_names_are_windows_file_names_and_shared_names_are_told_apart()
    {
        Assert.Equal("A_B_ Tool.lnk", WindowsShortcut.FileName(Entry with { Name = "A/B: Tool." }));
        var files = DesktopEntries.Shortcuts([("one", Entry), ("two", Entry with { Id = "other" }), ("three", Entry with { Name = "Solo" })]);
        Assert.Equal(["Hello World (one main).lnk", "Hello World (two other).lnk", "Solo.lnk"], files.Select(f => f.FileName));
    }

    [Fact]
    public void The_start_menu_folder_holds_exactly_the_shortcuts_and_goes_when_empty()
    {
        using var temp = new TempDirectory("packster-lnk");
        var folder = temp["Packster (dev)"];
        DesktopEntries.SyncShortcuts(folder, DesktopEntries.Shortcuts([("one", Entry), ("two", Entry with { Name = "Other" })]));
        Assert.Equal(["Hello World.lnk", "Other.lnk"], Directory.EnumerateFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        DesktopEntries.SyncShortcuts(folder, DesktopEntries.Shortcuts([("two", Entry with { Name = "Other" })]));
        Assert.Equal(["Other.lnk"], Directory.EnumerateFiles(folder).Select(Path.GetFileName));
        DesktopEntries.SyncShortcuts(folder, []);
        Assert.False(Directory.Exists(folder));
    }
}
