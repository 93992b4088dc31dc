using System.Diagnostics;

namespace Packster.Testing;

/// <summary>Files whose names are not UTF-8, which .NET can neither make nor name (it lists them with U+FFFD). POSIX only.</summary>
public static class NonUtf8Names
{
    /// <summary>
    /// Creates an empty file in <paramref name="folder"/> named <paramref name="stem"/>, the byte 0xFF (never UTF-8), then
    /// <paramref name="extension"/>; returns the name as .NET lists it.
    /// </summary>
    public static string CreateFile(string folder, string stem, string extension = "")
    {
        var start = new ProcessStartInfo("bash", ["-c", "touch \"$1$(printf '\\377')$2\"", "bash", stem, extension]) { WorkingDirectory = folder };
        using var touch = Process.Start(start)!;
        touch.WaitForExit();
        if (touch.ExitCode != 0) throw new InvalidOperationException($"touch exited with {touch.ExitCode}");
        return stem + "\uFFFD" + extension;
    }
}
