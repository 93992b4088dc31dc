using Packster.Packaging;

namespace Packster.Activation;

/// <summary>How a shim launches its target (spec/activation.md §1 Kinds).</summary>
public enum ShimKind
{
    /// <summary>A launcher script: POSIX <c>sh</c> that <c>exec</c>s, Windows <c>.cmd</c> + <c>.ps1</c>.</summary>
    Script,

    /// <summary>A symbolic link to the target itself: the kernel execs the target directly, no shell in between.</summary>
    Symlink,
}

/// <summary>
/// Chooses a shim's kind from its definition and its target file. A symlink is chosen only when it provably runs the
/// target exactly as the script would; anything unsure stays a script (spec/activation.md §1 Kinds).
/// </summary>
public static class ShimKinds
{
    /// <summary>Scripts longer than this are not read through: too long to judge, they stay behind a script shim.</summary>
    public const int MaxScriptBytes = 64 * 1024;

    // Ways a script can learn the path it was started by (and so see the shims folder instead of its deployment).
    // Compared ignoring case: a false match only costs one sh start.
    private static readonly string[] SelfLocating =
    [
        "$0", "${0", "argv0", "argv[0]", "argv[1]", "arg[0]", "BASH_SOURCE", "dirname", "realpath", "readlink",
        "__file__", "__dir__", "__filename", "import.meta", "require.main", "FindBin", "PROGRAM_NAME", "PSScriptRoot",
        "PSCommandPath", "MyInvocation", "%N", "current-filename", "status filename", "status -f",
    ];

    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>The name of <paramref name="kind"/> as <c>which</c> reports it.</summary>
    public static string Describe(this ShimKind kind) => kind switch
    {
        ShimKind.Symlink => "symlink",
        _ => "script",
    };

    /// <summary>
    /// <see cref="ShimKind.Symlink"/> when nothing has to be set before the target runs and the target cannot tell a
    /// link from its own path: no fixed args or env, the shim named as the target file (so <c>argv[0]</c> keeps its
    /// name for programs that dispatch on it), and the target an executable regular file that is either native code
    /// (ELF or Mach-O) or a <c>#!</c> script that never mentions how it was started. Else <see cref="ShimKind.Script"/>.
    /// </summary>
    public static ShimKind Choose(ShimDefinition shim, ShimPlatform platform)
    {
        ArgumentNullException.ThrowIfNull(shim);
        if (platform != ShimPlatform.Posix || OperatingSystem.IsWindows()) return ShimKind.Script;
        if (shim.Args.Count > 0 || shim.Env.Count > 0) return ShimKind.Script;
        if (!string.Equals(Path.GetFileName(shim.TargetPath), shim.Name, StringComparison.Ordinal)) return ShimKind.Script;
        try
        {
            // Type first: opening a FIFO to read its first bytes would block.
            if (FileKinds.OfTarget(shim.TargetPath) != FileKind.Regular) return ShimKind.Script;
            if ((File.GetUnixFileMode(shim.TargetPath) & AnyExecute) == 0) return ShimKind.Script;
            using var stream = new FileStream(shim.TargetPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
            var magic = Read(stream, 4);
            if (IsNative(magic)) return ShimKind.Symlink;
            if (!magic.AsSpan().StartsWith("#!"u8)) return ShimKind.Script;
            // Python finds the modules beside a script by reading one link of its path: a target that is a link
            // itself would put them one folder off.
            if (FileKinds.Of(shim.TargetPath) != FileKind.Regular) return ShimKind.Script;
            return IsPlainScript([.. magic, .. Read(stream, MaxScriptBytes + 1 - magic.Length)]) ? ShimKind.Symlink : ShimKind.Script;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unreadable now: the script reports whatever exec finds when the shim runs.
            return ShimKind.Script;
        }
    }

    /// <summary>Up to <paramref name="count"/> bytes (fewer at the end of the file).</summary>
    private static byte[] Read(Stream stream, int count)
    {
        var buffer = new byte[count];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0) total += read;
        return buffer[..total];
    }

    private static bool IsNative(ReadOnlySpan<byte> head)
    {
        if (head.Length < 4) return false;
        if (head[..4].SequenceEqual("\u007fELF"u8)) return true;
        var magic = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(head);
        // Mach-O 32/64 bit in either byte order, and universal ("fat") binaries.
        return magic is 0xFEEDFACE or 0xFEEDFACF or 0xCEFAEDFE or 0xCFFAEDFE or 0xCAFEBABE or 0xCAFEBABF;
    }

    private static bool IsPlainScript(ReadOnlySpan<byte> head)
    {
        if (head.Length > MaxScriptBytes || !head.StartsWith("#!"u8) || head.Contains((byte)0)) return false;
        var text = System.Text.Encoding.UTF8.GetString(head);
        return !SelfLocating.Any(marker => text.Contains(marker, StringComparison.OrdinalIgnoreCase));
    }
}
