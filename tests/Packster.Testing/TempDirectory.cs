using System.Diagnostics;

namespace Packster.Testing;

/// <summary>A fresh directory under the system temp folder, deleted (best effort) on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string? prefix = null)
    {
        Path = Directory.CreateTempSubdirectory((prefix ?? "packster-test") + "-").FullName;
    }

    public string Path { get; }

    /// <summary>The full path of <paramref name="relative"/> inside this directory ('/' separated).</summary>
    public string this[string relative] => System.IO.Path.Combine(Path, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));

    /// <summary>Writes a UTF-8 file (creating folders) and returns its full path.</summary>
    public string Write(string relative, string content)
    {
        var full = this[relative];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public void Dispose()
    {
        try
        {
            MakeWritable(Path);
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException) when (!OperatingSystem.IsWindows())
        {
            // A name that is not UTF-8 (NonUtf8Names) is listed with U+FFFD, a name .NET then cannot delete by.
            RemoveByBytes(Path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void RemoveByBytes(string root)
    {
        using var rm = Process.Start(new ProcessStartInfo("rm", ["-rf", "--", root]) { RedirectStandardError = true });
        rm?.StandardError.ReadToEnd();
        rm?.WaitForExit();
    }

    private static void MakeWritable(string root)
    {
        if (OperatingSystem.IsWindows() || !Directory.Exists(root)) return;
        foreach (var dir in Directory.EnumerateDirectories(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
        {
            File.SetUnixFileMode(dir, File.GetUnixFileMode(dir) | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public override string ToString() => Path;
}
